// libFuzzer target: `privflow fmt` on arbitrary bytes. Aborts when
//   - formatting is not idempotent: fmt(fmt(x)) != fmt(x);
//   - formatting changes the meaning: x loads as a spec but fmt(x) does not, or their flow
//     graphs (`privflow graph --format json`, source positions removed) differ;
//   - the diagnostics printed are not linear in the input (more than 8 KiB + 256 bytes a byte).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "cli/app.hpp"
#include "lang/diagnostics.hpp"
#include "lang/format.hpp"
#include "lang/source.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_fmt: %s\n", what.c_str());
  std::abort();
}

/// `privflow graph -` of `text` without source positions; nullopt-like "" when invalid.
std::string meaning(const std::string& text) {
  std::istringstream in(text);
  std::ostringstream out, err;
  if (privflow::cli::run({"graph", "-", "--format", "json"}, {in, out, err}) != 0) return {};
  auto j = nlohmann::json::parse(out.str(), nullptr, false);
  if (j.is_discarded()) fail("graph JSON does not parse");
  auto strip = [](auto& self, nlohmann::json& v) -> void {
    if (v.is_object()) {
      for (const char* key : {"line", "column", "span", "begin", "end"}) v.erase(key);
      if (v.contains("named") && v["named"] == false) v.erase("name");
      for (auto& [k, child] : v.items()) self(self, child);
    } else if (v.is_array()) {
      for (auto& child : v) self(self, child);
    }
  };
  strip(strip, j);
  return j.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace privflow::lang;
  const std::string text(reinterpret_cast<const char*>(data), size);
  SourceFile source("fuzz.pflow", text);
  Diagnostics diags(source);
  auto formatted = format_spec(source, diags);
  std::ostringstream printed;
  diags.print(printed);
  // A diagnostic carries the file name, the message, the line (windowed) and a caret: a couple
  // of hundred bytes, from as little as a byte or two of input. Linear means at most that much.
  if (printed.str().size() > 8192 + 256 * size) fail("diagnostics are not linear in the input");
  if (!formatted) return 0;
  SourceFile again("fuzz.pflow", *formatted);
  Diagnostics diags2(again);
  auto twice = format_spec(again, diags2);
  if (!twice || *twice != *formatted) fail("fmt is not idempotent");
  if (size > 20000) return 0;  // the meaning check runs the front end twice: small inputs only
  std::string before = meaning(text);
  if (!before.empty() && meaning(*formatted) != before) fail("fmt changed the meaning of a valid spec");
  return 0;
}
