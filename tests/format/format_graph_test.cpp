// Formatting never changes what a spec means: `privflow graph --format json` of fmt(x)
// equals that of x, apart from source positions. Skipped (with a message) while the
// parser reports "not built yet".
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "lang/diagnostics.hpp"
#include "lang/format.hpp"
#include "lang/source.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Run {
  int code;
  std::string out, err;
};

/// `privflow graph - --format json` in process, with `text` on standard input.
Run graph_json(const std::string& text) {
  std::istringstream in(text);
  std::ostringstream out, err;
  int code = privflow::cli::run({"graph", "-", "--format", "json"}, {in, out, err});
  return {code, out.str(), err.str()};
}

/// Removes source positions (`line`, `column`, and byte offsets if present) everywhere,
/// and the names of unnamed requirements (`line<N>`, derived from their position).
void strip_positions(nlohmann::json& j) {
  if (j.is_object()) {
    for (const char* key : {"line", "column", "span", "begin", "end"}) j.erase(key);
    if (j.contains("named") && j["named"] == false) j.erase("name");
    for (auto& [k, v] : j.items()) strip_positions(v);
  } else if (j.is_array()) {
    for (auto& v : j) strip_positions(v);
  }
}

}  // namespace

TEST_CASE("formatting leaves the flow graph of every example unchanged", "[format][graph]") {
  std::vector<fs::path> specs;
  for (const char* dir : {"examples", "tests/format/golden"})
    for (const auto& e : fs::directory_iterator(fs::path(PRIVFLOW_SOURCE_DIR) / dir))
      if (e.path().extension() == ".pflow") specs.push_back(e.path());
  std::sort(specs.begin(), specs.end());
  REQUIRE(!specs.empty());

  Run probe = graph_json(read_file(specs.front()));
  INFO(probe.err);
  REQUIRE(probe.err.find("not built yet") == std::string::npos);
  std::size_t compared = 0;
  for (const auto& path : specs) {
    INFO("spec: " << path.string());
    std::string text = read_file(path);
    privflow::lang::SourceFile source(path.string(), text);
    privflow::lang::Diagnostics diags(source);
    auto formatted = privflow::lang::format_spec(source, diags);
    REQUIRE(formatted.has_value());
    Run before = graph_json(text);
    Run after = graph_json(*formatted);
    CHECK(before.code == after.code);
    if (before.code != 0) {
      // A spec that does not lower (a golden for layout only) must fail the same way.
      continue;
    }
    auto a = nlohmann::json::parse(before.out), b = nlohmann::json::parse(after.out);
    strip_positions(a);
    strip_positions(b);
    CHECK(a.dump(2) == b.dump(2));
    // A narrow width wraps every argument list, table and block: still the same graph.
    privflow::lang::Diagnostics narrow_diags(source);
    auto narrow = privflow::lang::format_spec(source, narrow_diags, {40});
    REQUIRE(narrow.has_value());
    Run wrapped = graph_json(*narrow);
    REQUIRE(wrapped.code == 0);
    auto c = nlohmann::json::parse(wrapped.out);
    strip_positions(c);
    CHECK(a.dump(2) == c.dump(2));
    ++compared;
  }
  CHECK(compared >= 6);
}

namespace {

Run run_cli(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = privflow::cli::run(args, {in, out, err});
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("privflow fmt on the command line", "[format][cli]") {
  const fs::path dir = fs::temp_directory_path() / "privflow_fmt_cli_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string messy = "region   EU\nagent a{trust:curious,region:EU}  # why\n";
  const std::string tidy = "region EU\nagent a { trust: curious, region: EU }  # why\n";
  const fs::path messy_path = dir / "messy.pflow", tidy_path = dir / "tidy.pflow", bad_path = dir / "bad.pflow";
  std::ofstream(messy_path) << messy;
  std::ofstream(tidy_path) << tidy;
  std::ofstream(bad_path) << "region E$U\n";

  SECTION("prints the canonical layout to standard output") {
    Run r = run_cli({"fmt", messy_path.string()});
    CHECK(r.code == 0);
    CHECK(r.out == tidy);
    CHECK(read_file(messy_path) == messy);  // the file is untouched
  }
  SECTION("reads standard input") {
    Run r = run_cli({"fmt", "-"}, messy);
    CHECK(r.code == 0);
    CHECK(r.out == tidy);
  }
  SECTION("--check lists the files to format and exits 1") {
    Run r = run_cli({"fmt", "--check", tidy_path.string(), messy_path.string()});
    CHECK(r.code == 1);
    CHECK(r.out == messy_path.string() + "\n");
    CHECK(r.err.find("1 spec is not formatted") != std::string::npos);
    CHECK(run_cli({"fmt", "--check", tidy_path.string()}).code == 0);
  }
  SECTION("-i rewrites only what changes") {
    Run r = run_cli({"fmt", "-i", messy_path.string(), tidy_path.string()});
    CHECK(r.code == 0);
    CHECK(r.out.empty());
    CHECK(read_file(messy_path) == tidy);
    CHECK(read_file(tidy_path) == tidy);
  }
  SECTION("errors: a lexical error changes nothing; bad command lines exit 2") {
    Run r = run_cli({"fmt", "-i", bad_path.string()});
    CHECK(r.code == 2);
    CHECK(r.err.find("bad.pflow:1:9: error: unexpected character '$'") != std::string::npos);
    CHECK(read_file(bad_path) == "region E$U\n");
    CHECK(run_cli({"fmt", "-i", "-"}, messy).code == 2);
    CHECK(run_cli({"fmt", "--check", "-i", tidy_path.string()}).code == 2);
    CHECK(run_cli({"fmt", (dir / "missing.pflow").string()}).code == 2);
  }
  fs::remove_all(dir);
}
