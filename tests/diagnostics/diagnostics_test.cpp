// The diagnostics corpus: each tests/diagnostics/NAME.pflow holds one mistake; NAME.err is
// exactly what `privflow check` prints for it (file:line:col, source line, caret).
// PRIVFLOW_UPDATE_GOLDENS=1 rewrites the .err files (read every one you regenerate).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lang_test_util.hpp"

namespace privflow::lang {

TEST_CASE("diagnostics corpus", "[lang][diagnostics]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(PRIVFLOW_SOURCE_DIR) / "tests" / "diagnostics";
  std::vector<fs::path> specs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".pflow") specs.push_back(e.path());
  std::sort(specs.begin(), specs.end());
  REQUIRE(specs.size() >= 40);
  const char* update = std::getenv("PRIVFLOW_UPDATE_GOLDENS");
  bool rewrite = update && std::string(update) == "1";
  for (const auto& spec : specs) {
    std::ifstream in(spec, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto l = testing::load(text.str(), "tests/diagnostics/" + spec.filename().string());
    fs::path expected_path = spec;
    expected_path.replace_extension(".err");
    DYNAMIC_SECTION(spec.filename().string()) {
      // Every case has one mistake: an error (the spec is refused) or a warning.
      CHECK_FALSE(l.rendered.empty());
      CHECK(l.graph.has_value() == l.errors.empty());
      if (rewrite) {
        std::ofstream out(expected_path, std::ios::binary);
        out << l.rendered;
      }
      std::ifstream e(expected_path, std::ios::binary);
      REQUIRE(e.good());
      std::stringstream expected;
      expected << e.rdbuf();
      CHECK(l.rendered == expected.str());
    }
  }
}

}  // namespace privflow::lang
