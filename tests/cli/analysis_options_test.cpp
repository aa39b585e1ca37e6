// The command table (cli/command.hpp) run in process: every analysing command takes the same
// analysis options and gives the same answer with them; the --timeout budget ends an analysis
// through the library (cli::run returns 3) instead of ending the process.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli.hpp"

namespace fs = std::filesystem;
using privflow::test::run_cli;

namespace {

const std::vector<std::string> kAnalysing = {"check", "report", "diagram", "explain", "tune", "frontier"};

std::string example(const std::string& name) { return std::string(PRIVFLOW_SOURCE_DIR) + "/examples/" + name + ".pflow"; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The help lines of `option` (its line, and its description when CLI11 wraps it onto the next).
std::string help_of(const std::string& help, const std::string& option) {
  std::istringstream lines(help);
  std::string line, found;
  bool in_option = false;
  while (std::getline(lines, line)) {
    const bool starts_option = line.rfind("  -", 0) == 0;
    if (starts_option) in_option = line.find(option + " ") != std::string::npos;
    else if (line.rfind("    ", 0) != 0) in_option = false;
    if (in_option) found += line + "\n";
  }
  return found;
}

// The number check, explain, report and diagram give for hospital_fl's outsider_budget.
std::string check_value(const std::string& accountant) {
  auto r = run_cli({"check", "--accountant", accountant, example("hospital_fl")});
  REQUIRE(r.code == 1);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(against outsider: epsilon ([0-9.]+) > 2 at delta 1e-5 \[outsider_budget\])")));
  return m[1];
}

std::string explain_value(const std::string& accountant) {
  auto r = run_cli({"explain", example("hospital_fl"), "outsider_budget", "--accountant", accountant});
  REQUIRE(r.code == 1);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(^[^\n]*against outsider: epsilon ([0-9.]+) > 2)")));
  return m[1];
}

std::string report_value(const std::string& accountant) {
  auto r = run_cli({"report", example("hospital_fl"), "--format", "json", "--accountant", accountant});
  REQUIRE(r.code == 1);
  const auto report = nlohmann::json::parse(r.out);
  for (const auto& requirement : report["requirements"])
    if (requirement["name"] == "outsider_budget") return requirement["value_text"].get<std::string>();
  FAIL("no outsider_budget in the report");
  return "";
}

std::string diagram_value(const std::string& accountant) {
  auto r = run_cli({"diagram", example("hospital_fl"), "--requirement", "outsider_budget", "--accountant", accountant});
  REQUIRE(r.code == 1);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(violated: epsilon ([0-9.]+) &gt; 2)")));
  return m[1];
}

}  // namespace

TEST_CASE("the analysing commands take the same analysis options, worded alike", "[cli][options]") {
  const auto reference = run_cli({"check", "--help"});
  REQUIRE(reference.code == 0);
  for (const std::string option : {"--accountant", "--solver-timeout", "--timeout"}) {
    const std::string expected = help_of(reference.out, option);
    REQUIRE_FALSE(expected.empty());
    for (const auto& command : kAnalysing) {
      INFO(command << " " << option);
      auto help = run_cli({command, "--help"});
      REQUIRE(help.code == 0);
      CHECK(help_of(help.out, option) == expected);
    }
  }
  // The commands that do not analyse take none of them.
  for (const std::string command : {"fmt", "graph", "init"}) {
    auto help = run_cli({command, "--help"});
    REQUIRE(help.code == 0);
    CHECK(help.out.find("--accountant") == std::string::npos);
    CHECK(help.out.find("--timeout") == std::string::npos);
  }
}

TEST_CASE("the analysis options are checked alike by every analysing command", "[cli][options]") {
  for (const auto& command : kAnalysing) {
    INFO(command);
    std::vector<std::string> args = {command, example("rr_survey")};
    if (command == "explain") args.push_back("line53");
    for (const std::vector<std::string>& bad : {std::vector<std::string>{"--accountant", "moments"},
                                               {"--solver-timeout", "-1"},
                                               {"--solver-timeout", "nan"},
                                               {"--solver-timeout", "100000"},
                                               {"--timeout", "inf"}}) {
      auto with = args;
      with.insert(with.end(), bad.begin(), bad.end());
      auto r = run_cli(with);
      INFO(bad[0] << " " << bad[1]);
      CHECK(r.code == 2);
      CHECK(r.out.empty());
    }
  }
}

TEST_CASE("check, explain, report and diagram agree under --accountant", "[cli][options]") {
  // hospital_fl's outsider_budget: RDP and PLD give different bounds (docs/concepts.md).
  const std::string rdp = check_value("rdp"), pld = check_value("pld");
  CHECK(rdp == "5.633");
  CHECK(pld != rdp);
  for (const auto& [accountant, value] : {std::pair{std::string("rdp"), rdp}, std::pair{std::string("pld"), pld}}) {
    INFO(accountant);
    CHECK(explain_value(accountant) == value);
    CHECK(report_value(accountant) == value);
    CHECK(diagram_value(accountant) == value);
  }
  // Without --accountant every command uses the spec's (auto: the smaller of the two).
  auto explained = run_cli({"explain", example("hospital_fl"), "outsider_budget"});
  CHECK(explained.out.find("epsilon " + pld + " > 2") != std::string::npos);
}

TEST_CASE("tune agrees with check under --accountant", "[cli][options]") {
  // The smallest sigma that meets outsider_budget with RDP, and check at that sigma.
  auto tuned = run_cli({"tune", example("hospital_fl"), "--param", "sigma", "--requirement", "outsider_budget",
                        "--accountant", "rdp", "--json"});
  REQUIRE(tuned.code == 0);
  const auto answer = nlohmann::json::parse(tuned.out);
  REQUIRE(answer["status"] == "found");
  const std::string sigma = answer["value_exact"];
  const double tuned_epsilon = answer["requirements"][0]["value"];
  CHECK(tuned_epsilon <= 2);

  std::string spec = read_text(example("hospital_fl"));
  const std::regex declaration(R"(param sigma = [0-9.]+ in)");
  REQUIRE(std::regex_search(spec, declaration));
  spec = std::regex_replace(spec, declaration, "param sigma = " + sigma + " in");
  auto checked = run_cli({"report", "-", "--format", "json", "--accountant", "rdp"}, spec);
  double checked_epsilon = -1;
  const auto report = nlohmann::json::parse(checked.out);
  for (const auto& requirement : report["requirements"])
    if (requirement["name"] == "outsider_budget") {
      CHECK(requirement["status"] == "holds");
      checked_epsilon = requirement["value"];
    }
  // The same upper bound: the report's JSON value at full precision, tune's rounded up to 6 digits.
  CHECK(tuned_epsilon >= checked_epsilon);
  CHECK(tuned_epsilon - checked_epsilon < 1e-5);
}

TEST_CASE("a tiny --timeout ends the analysis as undecided, not by ending the process", "[cli][timeout]") {
  // Were the watchdog to fire, it would end this test program: cli::run must return. The spec
  // is one whose analysis takes far longer than 1 ms, and whose work past the deadline (the
  // leakage matrix) is small, so that the watchdog's margin holds on a loaded machine too.
  const std::string spec = example("hospital_fl");
  auto r = run_cli({"check", "--timeout", "0.001", spec});
  CHECK(r.code == 3);
  CHECK(r.out.empty());
  CHECK(r.err == "privflow: undecided: the analysis did not finish within 0.001 seconds (--timeout); "
                 "nothing more is written\n");

  const fs::path output = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "cli" / "timeout_report.json";
  fs::remove(output);
  auto report = run_cli({"report", spec, "--format", "json", "--timeout", "0.001", "-o", output.string()});
  CHECK(report.code == 3);
  CHECK_FALSE(fs::exists(output));  // nothing is written past the budget
  auto diagram = run_cli({"diagram", spec, "--timeout", "0.001"});
  CHECK(diagram.code == 3);
  CHECK(diagram.out.empty());
  auto explain = run_cli({"explain", spec, "outsider_budget", "--timeout", "0.001"});
  CHECK(explain.code == 3);
  CHECK(explain.out.empty());
  // tune: its many analyses share the one budget.
  auto tune = run_cli({"tune", spec, "--param", "sigma", "--accountant", "rdp", "--timeout", "0.001"});
  INFO(tune.err);
  CHECK(tune.code == 3);
  CHECK(tune.out.empty());
  // frontier: its sweep and its tune share it too.
  auto frontier = run_cli({"frontier", spec, "--param", "sigma", "--accountant", "rdp", "--timeout", "0.001"});
  INFO(frontier.err);
  CHECK(frontier.code == 3);
  CHECK(frontier.out.empty());
  // Several specs: the budget is shared, and once spent the run ends there.
  auto several = run_cli({"check", "--timeout", "0.001", example("rr_survey"), spec, example("rr_survey")});
  CHECK(several.code == 3);

  // A budget that is not reached changes nothing.
  auto plain = run_cli({"check", example("rr_survey")});
  auto timed = run_cli({"check", "--timeout", "100", example("rr_survey")});
  CHECK(timed.code == plain.code);
  CHECK(timed.out == plain.out);
  CHECK(timed.err == plain.err);
}
