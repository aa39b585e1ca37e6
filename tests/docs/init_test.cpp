// `privflow init`: the starter spec checks cleanly and is formatted; names and existing files
// are refused with a reason; `-o -` prints. Run in-process through cli::run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "tests/support/cli.hpp"

namespace privflow::cli {
namespace {

namespace fs = std::filesystem;

using Run = test::CliRun;
using test::run_cli;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh, empty folder for files the test writes (never the source tree).
fs::path scratch(const std::string& name) {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests-docs-scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("the starter spec checks with every requirement holding, and no diagnostic", "[docs][init]") {
  for (std::string name : {"", "clinic_stats", "_x9"}) {
    std::vector<std::string> args{"init"};
    if (!name.empty()) args.push_back(name);
    args.insert(args.end(), {"-o", "-"});
    auto init = run_cli(args);
    INFO("name '" << name << "'");
    REQUIRE(init.code == 0);
    CHECK(init.err.empty());
    const std::string expected_name = name.empty() ? "my_pipeline" : name;
    CHECK(init.out.find("\npipeline " + expected_name + " \"") != std::string::npos);
    CHECK(init.out.find("privflow check " + expected_name + ".pflow") != std::string::npos);

    // The front end has nothing to say about it: no error, no warning.
    lang::SourceFile source(expected_name + ".pflow", init.out);
    lang::Diagnostics diags(source);
    auto graph = lang::load_spec(source, diags);
    REQUIRE(graph.has_value());
    CHECK(diags.all().empty());
    CHECK(graph->pipeline == expected_name);

    auto check = run_cli({"check", "-"}, init.out);
    CHECK(check.code == 0);
    CHECK(check.err.empty());
    CHECK(check.out ==
          "<stdin>:36:1: holds: dp(patients) against prying_analyst: epsilon 0.5 \xe2\x89\xa4 1 at delta 1e-5 [budget]\n"
          "1 requirement: 1 holds\n");

    auto fmt = run_cli({"fmt", "--check", "-"}, init.out);
    CHECK(fmt.code == 0);
    CHECK(fmt.out.empty());
    CHECK(fmt.err.empty());
  }
}

TEST_CASE("every line of the starter spec is a comment or carries one", "[docs][init]") {
  auto init = run_cli({"init", "-o", "-"});
  REQUIRE(init.code == 0);
  std::istringstream lines(init.out);
  std::string line, previous;
  std::size_t statements = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() == '#' || line.find('#') != std::string::npos || line == "}") {
      previous = line;
      continue;
    }
    // A statement without its own comment must follow a comment line (or a commented line of
    // its block) that explains it.
    INFO(line);
    CHECK((!previous.empty() && previous.find('#') != std::string::npos));
    ++statements;
    previous = line;
  }
  CHECK(statements >= 8);
}

TEST_CASE("init writes NAME.pflow, or -o FILE, and refuses to overwrite without --force", "[docs][init]") {
  fs::path dir = scratch("write");
  fs::path file = dir / "study.pflow";

  auto first = run_cli({"init", "study", "-o", file.string()});
  REQUIRE(first.code == 0);
  CHECK(first.err.empty());
  CHECK(first.out == "wrote " + file.string() + "; check it with: privflow check " + file.string() + "\n");
  const std::string written = slurp(file);
  CHECK(written.find("\npipeline study \"") != std::string::npos);
  CHECK(run_cli({"check", file.string()}).code == 0);

  // An existing file is left alone: exit 2 and a reason.
  std::ofstream(file, std::ios::trunc) << "# my own work\n";
  auto again = run_cli({"init", "study", "-o", file.string()});
  CHECK(again.code == 2);
  CHECK(again.out.empty());
  CHECK(again.err == "privflow: error: '" + file.string() +
                         "' exists already; privflow init does not overwrite it without --force\n");
  CHECK(slurp(file) == "# my own work\n");

  // --force replaces it, atomically, with the same text as the first time.
  auto forced = run_cli({"init", "study", "-o", file.string(), "--force"});
  CHECK(forced.code == 0);
  CHECK(slurp(file) == written);

  // Without -o the file is NAME.pflow in the current folder.
  auto cwd = fs::current_path();
  fs::current_path(dir);
  auto named = run_cli({"init", "ward_b"});
  auto unnamed = run_cli({"init"});
  auto repeat = run_cli({"init"});
  fs::current_path(cwd);
  CHECK(named.code == 0);
  CHECK(named.out == "wrote ward_b.pflow; check it with: privflow check ward_b.pflow\n");
  CHECK(fs::is_regular_file(dir / "ward_b.pflow"));
  CHECK(unnamed.code == 0);
  CHECK(fs::is_regular_file(dir / "my_pipeline.pflow"));
  CHECK(repeat.code == 2);
  CHECK(repeat.err.find("'my_pipeline.pflow' exists already") != std::string::npos);
  // No temporary file is left behind by the atomic writes.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 3);
}

TEST_CASE("a NAME that is not a name of the language is refused with the reason", "[docs][init]") {
  fs::path dir = scratch("names");
  struct Case {
    std::string name, reason;
  };
  const std::string long_name(257, 'a');
  const std::vector<Case> cases = {
      {"", "privflow: error: the pipeline name is empty\n"},
      {"1st", "privflow: error: '1st' is not a name: a name starts with a letter or '_' and has only letters, "
              "digits and '_'\n"},
      {"my-pipeline", "privflow: error: 'my-pipeline' is not a name: a name starts with a letter or '_' and has "
                      "only letters, digits and '_'\n"},
      {"a b", "privflow: error: 'a b' is not a name: a name starts with a letter or '_' and has only letters, "
              "digits and '_'\n"},
      {"\x1b[31m", "privflow: error: '\\x1b[31m' is not a name: a name starts with a letter or '_' and has only "
                   "letters, digits and '_'\n"},
      {"pipeline", "privflow: error: 'pipeline' cannot name a pipeline: 'pipeline' is a keyword\n"},
      {"data", "privflow: error: 'data' cannot name a pipeline: 'data' is a keyword\n"},
      {"against", "privflow: error: 'against' cannot name a pipeline: 'against' is a keyword\n"},
      {long_name, "privflow: error: the pipeline name is longer than 256 characters\n"},
  };
  for (const auto& c : cases) {
    INFO("name '" << c.name << "'");
    fs::path file = dir / "out.pflow";
    auto r = run_cli({"init", c.name, "-o", file.string()});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == c.reason);
    CHECK_FALSE(fs::exists(file));
    auto printed = run_cli({"init", c.name, "-o", "-"});
    CHECK(printed.code == 2);
    CHECK(printed.out.empty());
  }
  // A 256-character name is still fine.
  CHECK(run_cli({"init", std::string(256, 'a'), "-o", "-"}).code == 0);
}

TEST_CASE("init -o - prints the spec and writes nothing", "[docs][init]") {
  fs::path dir = scratch("stdout");
  auto cwd = fs::current_path();
  fs::current_path(dir);
  auto r = run_cli({"init", "printed", "-o", "-"});
  auto forced = run_cli({"init", "printed", "-o", "-", "--force"});
  fs::current_path(cwd);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("# printed: a starter spec written by `privflow init`. Check it with:\n"
                    "#   privflow check printed.pflow\n",
                    0) == 0);
  CHECK(forced.out == r.out);
  CHECK(fs::is_empty(dir));
}

}  // namespace privflow::cli
