// The library facade (api/privflow/privflow.hpp) against the examples: verdicts as the JSON
// report gives them, diagnostics as structs and text, exit codes as the command line's.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "privflow/privflow.hpp"
#include "privflow/version.hpp"

namespace api = privflow::api;

namespace {

const std::string kExamples = std::string(PRIVFLOW_SOURCE_DIR) + "/examples/";

api::Result analyze_example(const std::string& name, api::AnalyzeOptions options = {}) {
  api::ParseResult parsed = api::parse_file(kExamples + name);
  REQUIRE(parsed.ok());
  REQUIRE(parsed.diagnostics.empty());
  REQUIRE(parsed.exit_code() == api::kExitOk);
  return api::analyze(*parsed.spec, options);
}

const api::Verdict& verdict(const api::Result& result, const std::string& name) {
  for (const auto& v : result.verdicts)
    if (v.name == name) return v;
  FAIL("no verdict " << name);
  return result.verdicts.front();
}

/// The command line in process: exit code and standard output.
std::pair<int, std::string> run_cli(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  int code = privflow::cli::run(args, {in, out, err, false});
  return {code, out.str()};
}

}  // namespace

TEST_CASE("api: version is the build's", "[api]") {
  REQUIRE(std::string(api::version()) == privflow::kVersion);
  REQUIRE(std::string(api::status_name(api::Status::kViolated)) == "violated");
  REQUIRE(std::string(api::severity_name(api::Severity::kNote)) == "note");
}

TEST_CASE("api: rr_survey: every verdict with the JSON report's figures", "[api]") {
  api::ParseResult parsed = api::parse_file(kExamples + "rr_survey.pflow");
  REQUIRE(parsed.ok());
  REQUIRE(parsed.spec->pipeline() == "rr_survey");
  REQUIRE(parsed.spec->file() == kExamples + "rr_survey.pflow");
  REQUIRE(parsed.spec->requirement_names() ==
          std::vector<std::string>{"line51", "line52", "pollster_budget", "press_budget"});

  api::Result r = api::analyze(*parsed.spec);
  REQUIRE(r.internal_error.empty());
  REQUIRE(r.pipeline == "rr_survey");
  REQUIRE(r.exit_code == api::kExitViolated);
  REQUIRE(r.verdicts.size() == 4);

  struct Row {
    const char* name;
    std::uint32_t line;
    const char* measure;
    api::Status status;
    const char* value_text;
    const char* bound_text;
    bool exact;
    const char* method;
    const char* unit;
  };
  const Row rows[] = {
      {"line51", 51, "posterior", api::Status::kHolds, "0.25", "0.25", true, "exact", "probability"},
      {"line52", 52, "leakage", api::Status::kHolds, "0", "0.1", true, "exact", "bits"},
      {"pollster_budget", 53, "dp", api::Status::kViolated, "1.792", "1.5", false, "pld", "epsilon"},
      {"press_budget", 54, "dp", api::Status::kHolds, "1.099", "1.5", false, "pld", "epsilon"},
  };
  for (std::size_t i = 0; i < 4; ++i) {
    const api::Verdict& v = r.verdicts[i];
    INFO(rows[i].name);
    REQUIRE(v.name == rows[i].name);
    REQUIRE(v.line == rows[i].line);
    REQUIRE(v.column == 1);
    REQUIRE(v.measure == rows[i].measure);
    REQUIRE(v.data == std::optional<std::string>("answers"));
    REQUIRE(v.status == rows[i].status);
    REQUIRE(v.status_text == api::status_name(rows[i].status));
    REQUIRE(v.value_text == rows[i].value_text);
    REQUIRE(v.bound_text == rows[i].bound_text);
    REQUIRE(v.exact == rows[i].exact);
    REQUIRE(v.method == rows[i].method);
    REQUIRE(v.unit == rows[i].unit);
    REQUIRE(v.delta == 1e-6);
    REQUIRE(v.delta_text == "1e-6");
    REQUIRE(v.value.has_value());
    REQUIRE(v.bound.has_value());
    // The headline is check's verdict line; the explanation starts with it.
    REQUIRE(v.headline.rfind(kExamples + "rr_survey.pflow:" + std::to_string(rows[i].line) + ":1: " + v.status_text + ": ", 0) == 0);
    REQUIRE(v.explanation.rfind(v.headline, 0) == 0);
    REQUIRE(v.explanation.size() > v.headline.size());
  }
  // Exact figures are exact; the composed ε is an upper bound on ln 3 + ln 2 = ln 6.
  REQUIRE(*r.verdicts[0].value == 0.25);
  REQUIRE(*r.verdicts[0].bound == 0.25);
  REQUIRE(*r.verdicts[1].value == 0.0);
  // The value is the full-precision upper bound; value_text is it rounded up.
  REQUIRE(*r.verdicts[2].value >= std::log(6.0));
  REQUIRE(*r.verdicts[2].value <= 1.792);
  REQUIRE(r.json.find("\"value\": 1.792,") == std::string::npos);
  // ε at δ = 1e-6 of randomized response with ε ln 3: a little below ln 3 at full precision.
  REQUIRE(*r.verdicts[3].value > 1.098);
  REQUIRE(*r.verdicts[3].value <= 1.099);
  REQUIRE(*r.verdicts[2].bound == 1.5);

  REQUIRE(r.verdicts[0].adversary == std::nullopt);  // an inline coalition
  REQUIRE(r.verdicts[3].adversary == std::optional<std::string>("press"));
  REQUIRE(r.verdicts[2].coalition == std::vector<std::string>{"pollster"});
  REQUIRE(r.verdicts[3].coalition == std::vector<std::string>{"newspaper"});
  REQUIRE(r.verdicts[2].fix.has_value());
  REQUIRE(r.verdicts[3].fix == std::nullopt);

  // The leakage matrix: one cell per observer of `answers`.
  REQUIRE(r.leakage.size() == 4);
  struct Cell {
    const char* observer;
    std::optional<double> epsilon;
    const char* loss;
  };
  const Cell cells[] = {{"respondent", 0.0, "nothing"},
                        {"pollster", 1.792, "private"},
                        {"newspaper", 1.099, "private"},
                        {"curious+malicious", 1.792, "private"}};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(cells[i].observer);
    REQUIRE(r.leakage[i].data == "answers");
    REQUIRE(r.leakage[i].observer == cells[i].observer);
    REQUIRE(r.leakage[i].epsilon == cells[i].epsilon);
    REQUIRE(r.leakage[i].loss == cells[i].loss);
    REQUIRE(r.leakage[i].status == "private");
    REQUIRE(r.leakage[i].delta == 1e-6);
  }
  REQUIRE(r.findings.empty());
}

TEST_CASE("api: support_agents: unbounded values, forbid and a finding", "[api]") {
  api::Result r = analyze_example("support_agents.pflow");
  REQUIRE(r.exit_code == api::kExitViolated);
  REQUIRE(r.verdicts.size() == 4);

  const api::Verdict& planner = verdict(r, "planner_budget");
  REQUIRE(planner.status == api::Status::kViolated);
  REQUIRE(planner.value == std::nullopt);  // exposed: unbounded
  REQUIRE(planner.value_text == "unbounded");
  REQUIRE(planner.method == "exposed");
  REQUIRE(planner.coalition == std::vector<std::string>{"planner"});
  REQUIRE(*planner.bound == 1.0);

  const api::Verdict& posterior = verdict(r, "line56");
  REQUIRE(posterior.measure == "posterior");
  REQUIRE(posterior.value == std::optional<double>(1.0));
  REQUIRE(posterior.exact);

  const api::Verdict& forbid = verdict(r, "line58");
  REQUIRE(forbid.measure == "forbid");
  REQUIRE(forbid.data == std::nullopt);
  REQUIRE(forbid.adversary == std::nullopt);
  REQUIRE(forbid.coalition.empty());
  REQUIRE(forbid.bound == std::optional<double>(2.0));
  REQUIRE(forbid.status == api::Status::kViolated);

  REQUIRE(r.findings.size() == 1);
  REQUIRE(r.findings[0].severity == api::Severity::kWarning);
  REQUIRE(r.findings[0].line == 48);
  REQUIRE(r.findings[0].column == 1);
  REQUIRE(r.findings[0].message == "'assistant' is trained without privacy: the model can memorise its input");
  for (const auto& cell : r.leakage) REQUIRE(cell.epsilon == std::nullopt);  // exposed or held
}

TEST_CASE("api: the same JSON, text and exit code as the command line", "[api]") {
  for (const char* name : {"rr_survey.pflow", "support_agents.pflow", "social_recommender.pflow", "phones_shuffler.pflow"}) {
    INFO(name);
    const std::string path = kExamples + name;
    api::Result r = analyze_example(name);
    auto [json_code, json] = run_cli({"report", path, "--format", "json"});
    REQUIRE(r.json == json);
    auto [check_code, text] = run_cli({"check", path});
    REQUIRE(r.text == text);
    REQUIRE(r.exit_code == check_code);
    REQUIRE(r.exit_code == json_code);
  }
}

TEST_CASE("api: accountant override", "[api]") {
  for (auto [accountant, method] : {std::pair{api::Accountant::kRdp, "rdp"}, std::pair{api::Accountant::kPld, "pld"}}) {
    api::AnalyzeOptions options;
    options.accountant = accountant;
    api::Result r = analyze_example("rr_survey.pflow", options);
    const api::Verdict& v = verdict(r, "pollster_budget");
    INFO(method);
    REQUIRE(v.method == method);
    REQUIRE(v.status == api::Status::kViolated);
    REQUIRE(*v.value >= std::log(6.0));  // an upper bound whichever accountant
    auto [code, json] = run_cli({"report", kExamples + "rr_survey.pflow", "--format", "json", "--accountant", method});
    REQUIRE(r.json == json);
  }
}

TEST_CASE("api: diagnostics as structs and as compiler text", "[api]") {
  const std::string text =
      "pipeline p\n"
      "agent server { trust: curious }\n"
      "data d { rows: 10\n"
      " field f: {a, b} }\n"
      "send d to sever\n";
  api::ParseResult parsed = api::parse(text, "bad.pflow");
  REQUIRE_FALSE(parsed.ok());
  REQUIRE(parsed.exit_code() == api::kExitInvalid);
  struct Row {
    std::uint32_t line, column;
    api::Severity severity;
    const char* message;
  };
  const Row rows[] = {
      {5, 6, api::Severity::kError, "'d' is data, not an artifact"},
      {3, 6, api::Severity::kNote, "'d' is declared here"},
      {5, 11, api::Severity::kError, "agent 'sever' is not declared; did you mean 'server'?"},
  };
  REQUIRE(parsed.diagnostics.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(i);
    REQUIRE(parsed.diagnostics[i].file == "bad.pflow");
    REQUIRE(parsed.diagnostics[i].line == rows[i].line);
    REQUIRE(parsed.diagnostics[i].column == rows[i].column);
    REQUIRE(parsed.diagnostics[i].severity == rows[i].severity);
    REQUIRE(parsed.diagnostics[i].message == rows[i].message);
  }
  REQUIRE(parsed.diagnostics_text ==
          "bad.pflow:5:6: error: 'd' is data, not an artifact\n"
          "    5 | send d to sever\n"
          "      |      ^\n"
          "bad.pflow:3:6: note: 'd' is declared here\n"
          "    3 | data d { rows: 10\n"
          "      |      ^\n"
          "bad.pflow:5:11: error: agent 'sever' is not declared; did you mean 'server'?\n"
          "    5 | send d to sever\n"
          "      |           ^~~~~\n"
          "2 errors generated.\n");
}

TEST_CASE("api: an unreadable file and a cut text", "[api]") {
  api::ParseResult missing = api::parse_file(kExamples + "no_such_spec.pflow");
  REQUIRE_FALSE(missing.ok());
  REQUIRE(missing.exit_code() == api::kExitInvalid);
  REQUIRE(missing.diagnostics.size() == 1);
  REQUIRE(missing.diagnostics[0].line == 0);
  REQUIRE(missing.diagnostics[0].severity == api::Severity::kError);
  REQUIRE(missing.diagnostics_text.find("no_such_spec.pflow") != std::string::npos);

  api::ParseResult cut = api::parse("pipeline p\nagent a {", "cut.pflow");
  REQUIRE_FALSE(cut.ok());
  REQUIRE(cut.diagnostics.size() == 1);
  REQUIRE(cut.diagnostics[0].severity == api::Severity::kError);
  REQUIRE(cut.diagnostics[0].line == 2);
  REQUIRE(cut.diagnostics_text.rfind("cut.pflow:2:", 0) == 0);
}

TEST_CASE("api: a spec parsed from a string, copied, analysed twice", "[api]") {
  const std::string text =
      "pipeline tiny\n"
      "settings { delta: 1e-6 }\n"
      "data people { rows: 100\n field age: int[0, 120] }\n"
      "agent clinic { trust: trusted, holds: people }\n"
      "agent analyst { trust: curious }\n"
      "compute ages at clinic = histogram(people.age)\n"
      "compute n at clinic = laplace(ages, epsilon: 0.5)\n"
      "send n to analyst\n"
      "require budget: dp(people) against {analyst} <= epsilon 1\n";
  api::ParseResult parsed = api::parse(text, "tiny.pflow");
  INFO(parsed.diagnostics_text);
  REQUIRE(parsed.ok());
  api::Spec copy = *parsed.spec;
  api::Result a = api::analyze(*parsed.spec);
  api::Result b = api::analyze(copy);
  REQUIRE(a.json == b.json);
  REQUIRE(a.exit_code == api::kExitOk);
  REQUIRE(a.verdicts.size() == 1);
  REQUIRE(a.verdicts[0].name == "budget");
  REQUIRE(a.verdicts[0].status == api::Status::kHolds);
  REQUIRE(a.verdicts[0].value_text == "0.5");
  // Laplace's ε 0.5 at δ = 1e-6 is a little below 0.5 at full precision; value_text rounds it up.
  REQUIRE(*a.verdicts[0].value <= 0.5);
  REQUIRE(*a.verdicts[0].value > 0.4999);
  REQUIRE(a.verdicts[0].line == 10);
}

TEST_CASE("api: a time budget stops the analysis in good order, never with holds", "[api]") {
  const api::Result full = analyze_example("hospital_fl.pflow");
  api::AnalyzeOptions roomy;
  roomy.time_budget_ms = 600'000;
  REQUIRE(analyze_example("hospital_fl.pflow", roomy).json == full.json);  // a budget not reached changes nothing

  api::AnalyzeOptions tight;
  tight.time_budget_ms = 1;  // the whole analysis takes far longer
  const api::Result cut = analyze_example("hospital_fl.pflow", tight);
  REQUIRE(cut.internal_error.empty());
  REQUIRE(cut.verdicts.size() == full.verdicts.size());
  bool any_cut = false;
  for (std::size_t i = 0; i < cut.verdicts.size(); ++i) {
    const api::Verdict& v = cut.verdicts[i];
    INFO(v.headline << " / " << v.reason);
    REQUIRE(v.name == full.verdicts[i].name);
    if (v.status == api::Status::kHolds) REQUIRE(full.verdicts[i].status == api::Status::kHolds);
    if (v.status == api::Status::kViolated) REQUIRE(full.verdicts[i].status == api::Status::kViolated);
    if (v.reason.find("not analysed: the time budget of 1 ms was spent") != std::string::npos) {
      any_cut = true;
      REQUIRE(v.status == api::Status::kUndecided);
      REQUIRE(!v.value);
    }
  }
  REQUIRE(any_cut);  // at least the last requirement was not reached
  REQUIRE((cut.exit_code == api::kExitViolated || cut.exit_code == api::kExitUndecided));
}

TEST_CASE("api: the diagram is the command line's, and names an undeclared adversary", "[api]") {
  api::ParseResult parsed = api::parse_file(kExamples + "rr_survey.pflow");
  REQUIRE(parsed.ok());
  api::DiagramOptions dot;
  dot.format = "dot";
  const api::DiagramResult drawn = api::diagram(*parsed.spec, dot);
  REQUIRE(drawn.ok());
  CHECK(drawn.output == run_cli({"diagram", kExamples + "rr_survey.pflow", "--format", "dot"}).second);
  dot.adversary = "press";
  const api::DiagramResult highlighted = api::diagram(*parsed.spec, dot);
  REQUIRE(highlighted.ok());
  CHECK(highlighted.output != drawn.output);

  const api::DiagramResult svg = api::diagram(*parsed.spec);
  REQUIRE(svg.ok());
  CHECK(svg.output.rfind("<?xml", 0) == 0);
  CHECK(svg.output.find("</svg>") != std::string::npos);

  api::DiagramOptions wrong;
  wrong.adversary = "prses";
  const api::DiagramResult refused = api::diagram(*parsed.spec, wrong);
  CHECK_FALSE(refused.ok());
  CHECK(refused.output.empty());
  CHECK(refused.error == "adversary 'prses' is not declared (declared: press)");
  wrong = {};
  wrong.format = "png";  // binary formats are the command line's (-o FILE)
  CHECK(api::diagram(*parsed.spec, wrong).error == "unknown diagram format 'png' (svg or dot)");
}
