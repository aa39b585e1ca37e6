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

/// Removes source positions (`line`, `column`, and byte offsets if present) everywhere.
void strip_positions(nlohmann::json& j) {
  if (j.is_object()) {
    for (const char* key : {"line", "column", "span", "begin", "end"}) j.erase(key);
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
  if (probe.err.find("not built yet") != std::string::npos) {
    WARN("skipped: the parser or `privflow graph` is not built yet (" << probe.err << ")");
    return;
  }
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
    ++compared;
  }
  CHECK(compared >= 6);
}
