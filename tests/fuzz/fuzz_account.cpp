// libFuzzer target: `privflow account` in process. The input is an argument vector, one
// argument a line: the first line is the kind (dpsgd, gaussian, laplace, randomized-response,
// shuffle, zcdp or anything else), the rest options and values (the dictionary holds the real
// option names and interesting numbers; the seeds are valid command lines). Aborts when:
//   - the exit code is not 0 (an answer) or 2 (an invalid command line): 4 is an exception
//     that escaped, 1 and 3 are meaningless for `account`;
//   - an answer prints an epsilon (text `epsilon = X`, `(epsilon X`, JSON "epsilon") that is
//     not a finite number >= 0 or the documented "inf" (text) / null with "infinite" (JSON);
//   - a calibrated noise (noise_multiplier, sigma) is not a finite number > 0.
// libFuzzer's -timeout (10 s in CI) catches legal inputs that take too long.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app.hpp"

namespace {

[[noreturn]] void fail(const std::vector<std::string>& args, const std::string& what, const std::string& out,
                       const std::string& err) {
  std::string cmd;
  for (const auto& a : args) cmd += " '" + a + "'";
  std::fprintf(stderr, "fuzz_account: privflow%s\n%s\n--- stdout:\n%s--- stderr:\n%s", cmd.c_str(), what.c_str(),
               out.c_str(), err.c_str());
  std::abort();
}

/// A printed figure: a finite number >= 0 (strtod reads the whole word).
bool finite_number(std::string_view word, double* value = nullptr) {
  std::string s(word);
  if (s.empty()) return false;
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(x) || x < 0) return false;
  if (value) *value = x;
  return true;
}

/// The word after each occurrence of `marker` in `text`.
std::vector<std::string> words_after(const std::string& text, std::string_view marker) {
  std::vector<std::string> out;
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    std::size_t b = at + marker.size(), e = b;
    while (e < text.size() && text[e] != ' ' && text[e] != '\n' && text[e] != ')') ++e;
    out.emplace_back(text.substr(b, e - b));
  }
  return out;
}

void check_text(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  for (const auto& w : words_after(out, "epsilon = "))
    if (w != "inf" && !finite_number(w)) fail(args, "epsilon '" + w + "' is not a finite number or inf", out, err);
  for (const auto& w : words_after(out, "(epsilon "))
    if (w != "inf" && !finite_number(w)) fail(args, "epsilon '" + w + "' is not a finite number or inf", out, err);
  for (const char* name : {"noise_multiplier = ", "sigma = "})
    for (const auto& w : words_after(out, name)) {
      double x = 0;
      if (!finite_number(w, &x) || x <= 0) fail(args, std::string(name) + "'" + w + "' is not a positive number", out, err);
    }
}

void check_json(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) fail(args, "--json output does not parse", out, err);
  if (!j.contains("epsilon")) fail(args, "--json output without epsilon", out, err);
  const auto& e = j["epsilon"];
  if (e.is_null()) {
    if (!j.value("infinite", false)) fail(args, "null epsilon without infinite: true", out, err);
  } else if (!e.is_number() || !std::isfinite(e.get<double>()) || e.get<double>() < 0) {
    fail(args, "epsilon is not a finite number >= 0", out, err);
  }
  for (const char* name : {"noise_multiplier", "sigma"})
    if (j.contains(name) &&
        (!j[name].is_number() || !std::isfinite(j[name].get<double>()) || j[name].get<double>() <= 0))
      fail(args, std::string(name) + " is not a positive number", out, err);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::vector<std::string> args{"account"};
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty() && args.size() < 40) {
    const std::size_t nl = in.find('\n');
    args.emplace_back(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  }
  std::istringstream stdin_stream;
  std::ostringstream out, err;
  const int code = privflow::cli::run(args, privflow::cli::Io{stdin_stream, out, err});
  if (code != 0 && code != 2) fail(args, "exit code " + std::to_string(code), out.str(), err.str());
  if (code != 0) return 0;
  bool help = false;
  for (const auto& a : args) help |= a == "-h" || a == "--help" || a == "--version";
  if (help) return 0;  // CLI11 printed usage
  const std::string text = out.str();
  if (text.empty()) fail(args, "exit code 0 without an answer", text, err.str());
  if (text[0] == '{')
    check_json(args, text, err.str());
  else
    check_text(args, text, err.str());
  return 0;
}
