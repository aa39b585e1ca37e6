// `privflow diagram` run in-process (cli::run) on tests/viz/data/hospital_fl.pflow, the spec of
// the federated-learning spec of examples/hospital_fl.pflow.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/file_io.hpp"
#include "cli/app.hpp"

namespace fs = std::filesystem;
using namespace privflow;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = cli::run(args, cli::Io{in, out, err, false});
  return {code, out.str(), err.str()};
}

std::string spec() { return (fs::path(PRIVFLOW_SOURCE_DIR) / "tests/viz/data/hospital_fl.pflow").string(); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path out_dir() {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "viz" / "cli";
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("diagram writes DOT to standard output by default", "[viz][cli]") {
  auto r = run({"diagram", spec()});
  INFO(r.err);
  REQUIRE(r.code == 1);  // as check: hospital_fl has a violated requirement
  CHECK(r.out.rfind("// privflow leakage diagram", 0) == 0);
  CHECK(r.out.find("\"artifact:update\" [shape=\"hexagon\"") != std::string::npos);
  CHECK(r.out.find("hospital \xc3\x97 20") != std::string::npos);
  // Same spec, same bytes; from standard input too.
  CHECK(run({"diagram", spec()}).out == r.out);
  auto piped = run({"diagram", "-"}, read_file(spec()));
  CHECK(piped.code == 1);
  CHECK(piped.out == r.out);
}

TEST_CASE("diagram picks the format from -o or --format and writes the file", "[viz][cli]") {
  struct Case {
    std::vector<std::string> extra;
    std::string file, magic;
  };
  const std::vector<Case> cases = {
      {{}, "a.svg", "<?xml"},
      {{}, "a.png", "\x89PNG"},
      {{}, "a.pdf", "%PDF-"},
      {{}, "a.dot", "// privflow"},
      {{"--format", "png"}, "b.out", "\x89PNG"},
      {{"--adversary", "insider"}, "insider.png", "\x89PNG"},
      {{"--requirement", "outsider_budget"}, "outsider_budget.png", "\x89PNG"},
  };
  for (const auto& c : cases) {
    fs::path path = out_dir() / c.file;
    fs::remove(path);
    std::vector<std::string> args = {"diagram", spec(), "-o", path.string()};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = run(args);
    INFO(c.file << ": " << r.err);
    REQUIRE(r.code == 1);  // hospital_fl has a violated requirement
    CHECK(r.out.empty());
    CHECK(read_file(path).rfind(c.magic, 0) == 0);
  }
}

TEST_CASE("diagram rejects unknown names and formats with exit 2", "[viz][cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--adversary", "insdier"}, "privflow: error: adversary 'insdier' is not declared; did you mean 'insider'?\n"},
      {{"--adversary", "zzzzzz"},
       "privflow: error: adversary 'zzzzzz' is not declared (declared: outsider, insider, any16)\n"},
      {{"--requirement", "outsider_bugdet"},
       "privflow: error: requirement 'outsider_bugdet' is not declared; did you mean 'outsider_budget'?\n"},
      {{"-o", "x.jpg"},
       "privflow: error: cannot tell the diagram format from 'x.jpg': name it .svg, .png, .pdf or .dot, or give "
       "--format\n"},
      {{"--format", "gif"}, "privflow: error: unknown diagram format 'gif' (svg, png, pdf or dot)\n"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"diagram", spec()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run(args);
    CHECK(r.code == 2);
    CHECK(r.err == c.message);
    CHECK(r.out.empty());
  }
  CHECK_FALSE(fs::exists("x.jpg"));
  auto missing = run({"diagram", "no/such/spec.pflow"});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("cannot read 'no/such/spec.pflow'") != std::string::npos);
}

TEST_CASE("diagram reports an unwritable output with exit 4 and leaves no file", "[viz][cli]") {
  auto r = run({"diagram", spec(), "-o", "/nonexistent-dir/a.svg"});
  CHECK(r.code == 4);
  CHECK(r.err == "privflow: error: cannot write '/nonexistent-dir/a.svg': folder '/nonexistent-dir' does not exist\n");
}
