// Every examples/*.pflow loads without an error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lang_test_util.hpp"

namespace privflow::lang {

TEST_CASE("every example loads with no error", "[lang][examples]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(PRIVFLOW_SOURCE_DIR) / "examples";
  std::vector<fs::path> specs;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".pflow") specs.push_back(e.path());
  std::sort(specs.begin(), specs.end());
  REQUIRE(!specs.empty());
  for (const auto& path : specs) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto l = testing::load(text.str(), "examples/" + path.filename().string());
    INFO(l.rendered);
    CHECK(l.errors.empty());
    CHECK(l.graph.has_value());
  }
}

}  // namespace privflow::lang
