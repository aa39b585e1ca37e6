#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "base/file_io.hpp"

namespace fs = std::filesystem;

TEST_CASE("outputs are written whole or not at all", "[base][io]") {
  fs::path dir = fs::temp_directory_path() / "privflow_io_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string error;
  REQUIRE(privflow::write_output((dir / "a.txt").string(), "hello\n", error));
  std::string back;
  REQUIRE(privflow::read_input((dir / "a.txt").string(), back, error));
  CHECK(back == "hello\n");

  CHECK_FALSE(privflow::write_output((dir / "missing" / "b.txt").string(), "x", error));
  CHECK(error.find("does not exist") != std::string::npos);
  CHECK_FALSE(privflow::write_output("/dev/full", "x", error));
  CHECK_FALSE(privflow::read_input(dir.string(), back, error));
  CHECK(error.find("directory") != std::string::npos);
  CHECK_FALSE(privflow::read_input((dir / "nope.pflow").string(), back, error));
  // No temporary files are left behind.
  std::size_t files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);
  fs::remove_all(dir);
}
