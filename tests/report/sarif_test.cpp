// The SARIF report's paths for code scanning (report/sarif.cpp; docs/ci.md, "What code scanning
// shows"): code flows from the data through the computation and the channel to the observer,
// related locations, fingerprints that ignore lines, rule help. The whole log is validated
// against OASIS's schema by tests/schema/validate_sarif.py; these check the contents.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "report/report.hpp"
#include "tests/report/sample.hpp"

using namespace privflow;
using namespace privflow::report::testing;

namespace {

/// The sample with a send statement and the routes the analysis would give it: the dpsgd
/// release at line 11 is sent to the server (line 12); the reidentification's record reaches
/// the server in the clear from hospital's holding (line 8) over the same send; the forbid
/// rule's crossing takes the same route.
struct Routed {
  flow::Graph graph = sample_graph();
  analyzer::Analysis analysis = sample_analysis();
  Routed() {
    flow::Flow send;
    send.artifact = 0;
    send.from = 0;
    send.to = 1;
    send.span = at(12, 3);
    graph.flows = {send};
    graph.artifacts[0].span = at(11, 2);
    const std::vector<analyzer::RouteStep> release = {{11, 2, "compute update at hospital = dpsgd(…)"},
                                                      {12, 3, "send update from hospital to server"}};
    for (auto& t : analysis.verdicts[0].releases) t.route = release;
    analysis.verdicts[3].exposure = {{8, 1, "hospital holds patients"}, {12, 3, "send update from hospital to server"}};
    auto& x = analysis.verdicts[4].crossings[0];
    x.agent = 1;
    x.data = 0;
    x.route = release;
  }
  nlohmann::json sarif() const { return nlohmann::json::parse(report::to_sarif(graph, analysis)); }
};

struct Step {
  int line;
  std::string role;
};

std::vector<Step> steps_of(const nlohmann::json& code_flow) {
  std::vector<Step> out;
  for (const auto& s : code_flow["threadFlows"][0]["locations"])
    out.push_back({s["location"]["physicalLocation"]["region"]["startLine"].get<int>(), s["properties"]["role"].get<std::string>()});
  return out;
}

void check_steps(const nlohmann::json& code_flow, const std::vector<Step>& expected) {
  auto got = steps_of(code_flow);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("step " << i);
    CHECK(got[i].line == expected[i].line);
    CHECK(got[i].role == expected[i].role);
  }
}

}  // namespace

TEST_CASE("SARIF code flows: data, computation, channel, observer, each at its line", "[report][sarif]") {
  Routed r;
  auto j = r.sarif();
  const auto& results = j["runs"][0]["results"];
  REQUIRE(results.size() == 4);
  // dp: one flow per release, data (5) → dpsgd (11) → send (12) → server (9).
  const auto& dp = results[0];
  REQUIRE(dp["codeFlows"].size() == 5);
  check_steps(dp["codeFlows"][0], {{5, "data"}, {11, "computation"}, {12, "channel"}, {9, "observer"}});
  CHECK(dp["codeFlows"][0]["threadFlows"][0]["locations"][1]["location"]["physicalLocation"]["region"]["startColumn"] == 2);
  CHECK(dp["codeFlows"][0]["message"]["text"] == "release update (dpsgd): epsilon alone 1");
  // reidentification: the exposure, from the holding.
  const auto& reid = results[2];
  REQUIRE(reid["codeFlows"].size() == 1);
  check_steps(reid["codeFlows"][0], {{5, "data"}, {8, "data"}, {12, "channel"}, {9, "observer"}});
  // forbid: one flow per crossing, ending at the agent that crosses.
  const auto& forbid = results[3];
  REQUIRE(forbid["codeFlows"].size() == 1);
  check_steps(forbid["codeFlows"][0], {{5, "data"}, {11, "computation"}, {12, "channel"}, {9, "observer"}});
  // The undecided leakage verdict has no route: no code flow, and it is not required of it.
  CHECK_FALSE(results[1].contains("codeFlows"));
}

TEST_CASE("SARIF: a violated verdict without any route still gets a code flow", "[report][sarif]") {
  Routed r;
  r.analysis.verdicts[3].exposure.clear();  // violated reidentification, nothing on a route
  auto j = r.sarif();
  const auto& reid = j["runs"][0]["results"][2];
  REQUIRE(reid["level"] == "error");
  REQUIRE(reid["codeFlows"].size() == 1);
  check_steps(reid["codeFlows"][0], {{5, "data"}, {13, "observer"}});  // the data, then the adversary
}

TEST_CASE("SARIF related locations: the adversary, the data, the mechanisms", "[report][sarif]") {
  Routed r;
  auto j = r.sarif();
  const auto& related = j["runs"][0]["results"][0]["relatedLocations"];
  REQUIRE(related.size() == 7);  // insider, patients, 5 releases of update
  CHECK(related[0]["physicalLocation"]["region"]["startLine"] == 13);
  CHECK(related[0]["message"]["text"].get<std::string>().rfind("adversary insider", 0) == 0);
  CHECK(related[1]["physicalLocation"]["region"]["startLine"] == 5);
  CHECK(related[1]["message"]["text"] == "data patients");
  CHECK(related[2]["physicalLocation"]["region"]["startLine"] == 11);
  CHECK(related[2]["message"]["text"] == "mechanism update = dpsgd at hospital: epsilon alone 1");
  for (std::size_t i = 0; i < related.size(); ++i) CHECK(related[i]["id"] == i);
}

TEST_CASE("SARIF fingerprints: names, not lines", "[report][sarif]") {
  Routed r;
  auto before = r.sarif();
  // Move every statement down by 10 lines: the results move, their fingerprints do not.
  Routed moved;
  auto shift = [](flow::Span& s) { s.line += 10; };
  for (auto& d : moved.graph.data) shift(d.span);
  for (auto& a : moved.graph.agents) {
    shift(a.span);
    for (auto& h : a.holds) shift(h.span);
  }
  for (auto& x : moved.graph.artifacts) shift(x.span);
  for (auto& f : moved.graph.flows) shift(f.span);
  for (auto& a : moved.graph.adversaries) shift(a.span);
  for (auto& q : moved.graph.requirements) shift(q.span);
  for (auto& v : moved.analysis.verdicts) {
    for (auto& t : v.releases)
      for (auto& s : t.route) s.line += 10;
    for (auto& s : v.exposure) s.line += 10;
    for (auto& x : v.crossings)
      for (auto& s : x.route) s.line += 10;
  }
  auto after = moved.sarif();
  const auto& b = before["runs"][0]["results"];
  const auto& a = after["runs"][0]["results"];
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("result " << i);
    CHECK(a[i]["locations"][0]["physicalLocation"]["region"]["startLine"] ==
          b[i]["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>() + 10);
    CHECK(a[i]["partialFingerprints"] == b[i]["partialFingerprints"]);
    CHECK(a[i]["partialFingerprints"]["privflowRequirementRoute/v1"].get<std::string>().size() == 16);
  }
  // A requirement renamed is another alert; every result's fingerprint differs from the others'.
  Routed renamed;
  renamed.graph.requirements[0].name = "budget2";
  CHECK(renamed.sarif()["runs"][0]["results"][0]["partialFingerprints"] != b[0]["partialFingerprints"]);
  for (std::size_t i = 0; i < b.size(); ++i)
    for (std::size_t k = i + 1; k < b.size(); ++k) CHECK(b[i]["partialFingerprints"] != b[k]["partialFingerprints"]);
}

TEST_CASE("SARIF rules: help text and a help URI into the docs; the fix and the full value as properties", "[report][sarif]") {
  Routed r;
  auto j = r.sarif();
  const auto& driver = j["runs"][0]["tool"]["driver"];
  for (const auto& rule : driver["rules"]) {
    INFO(rule["id"]);
    CHECK(rule["helpUri"].get<std::string>().rfind(driver["informationUri"].get<std::string>() + "docs/", 0) == 0);
    CHECK_FALSE(rule["help"]["text"].get<std::string>().empty());
    CHECK(rule["help"]["markdown"].get<std::string>().find("](") != std::string::npos);
  }
  const auto& props = j["runs"][0]["results"][0]["properties"];
  CHECK(props["fix"] == "noise_multiplier ≥ 2.5");
  CHECK(props["value"] == "41.7");
  CHECK(props["value_full"].get<double>() == 41.7);
}

namespace {

/// The analysis of a spec given as text (it must load).
struct Analysed {
  flow::Graph graph;
  analyzer::Analysis analysis;
  explicit Analysed(const std::string& text) {
    lang::SourceFile source("spec.pflow", text);
    lang::Diagnostics diags(source);
    auto g = lang::load_spec(source, diags);
    REQUIRE(g);
    graph = std::move(*g);
    analysis = analyzer::analyze(graph);
  }
  const analyzer::Verdict& verdict(const std::string& requirement) const {
    for (const auto& v : analysis.verdicts)
      if (v.name == requirement) return v;
    FAIL("no verdict " << requirement);
    return analysis.verdicts.front();
  }
};

/// The spec with the SARIF fix's replacement made, by its byte offsets.
std::string applied(std::string text, const nlohmann::json& fix) {
  const auto& replacement = fix["artifactChanges"][0]["replacements"][0];
  const auto offset = replacement["deletedRegion"]["byteOffset"].get<std::size_t>();
  const auto length = replacement["deletedRegion"]["byteLength"].get<std::size_t>();
  return text.replace(offset, length, replacement["insertedContent"]["text"].get<std::string>());
}

}  // namespace

TEST_CASE("SARIF fixes: the value replaced in the spec, and the changed spec holds", "[report][sarif]") {
  // The noise written twice: in a `param` statement (with a title of characters beyond ASCII
  // on an earlier line) and as a number in the arguments.
  const std::string spec =
      "pipeline fixes \"Überprüfung 📊\"\n"
      "param sigma = 1.1 in [0.3, 8.0]\n"
      "data patients { rows: 50000 field diagnosis: {flu, cold} }\n"
      "agent hospital { trust: honest, holds: patients }\n"
      "agent analyst { trust: curious }\n"
      "compute a at hospital = dpsgd(patients, noise_multiplier: sigma, sampling_rate: 0.01, steps: 10000)\n"
      "compute b at hospital = dpsgd(patients, noise_multiplier: 1.3, sampling_rate: 0.01, steps: 1000)\n"
      "send a to analyst\n"
      "send b to analyst\n"
      "require tight: dp(patients) against {analyst} <= epsilon 2\n";
  Analysed before(spec);
  REQUIRE(before.verdict("tight").status == analyzer::Status::kViolated);
  auto j = nlohmann::json::parse(report::to_sarif(before.graph, before.analysis));
  const auto& result = j["runs"][0]["results"][0];
  REQUIRE(result.contains("fixes"));
  const auto& fix = result["fixes"][0];
  CHECK(fix["description"]["text"] == before.verdict("tight").fix);
  CHECK(fix["description"]["text"].get<std::string>().rfind("sigma ≥ ", 0) == 0);  // the one change it makes
  const auto& region = fix["artifactChanges"][0]["replacements"][0]["deletedRegion"];
  // The binding release is `a` (ε alone the larger): its noise is the param's value `1.1`.
  CHECK(region["startLine"] == 2);
  CHECK(region["startColumn"] == 15);
  CHECK(region["endColumn"] == 18);
  CHECK(spec.substr(region["byteOffset"].get<std::size_t>(), region["byteLength"].get<std::size_t>()) == "1.1");
  const std::string fixed = applied(spec, fix);
  CHECK(fixed.find("param sigma = " + fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"].get<std::string>() +
                   " in") != std::string::npos);
  Analysed after(fixed);
  CHECK(after.verdict("tight").status == analyzer::Status::kHolds);

  // A number in the arguments is replaced where it is written.
  std::string literal = spec;
  literal.replace(literal.find("noise_multiplier: sigma"), 23, "noise_multiplier: 0.9");
  Analysed second(literal);
  auto k = nlohmann::json::parse(report::to_sarif(second.graph, second.analysis));
  const auto& lfix = k["runs"][0]["results"][0]["fixes"][0];
  const auto& lregion = lfix["artifactChanges"][0]["replacements"][0]["deletedRegion"];
  CHECK(lregion["startLine"] == 6);
  CHECK(literal.substr(lregion["byteOffset"].get<std::size_t>(), lregion["byteLength"].get<std::size_t>()) == "0.9");
  Analysed third(applied(literal, lfix));
  CHECK(third.verdict("tight").status == analyzer::Status::kHolds);
}

TEST_CASE("SARIF fixes: none where the fix is no single value to write", "[report][sarif]") {
  // Exposed data: the fix is a protocol change, given in words only.
  Analysed exposed(
      "pipeline exposed\n"
      "data d { rows: 10 field f: {a, b} }\n"
      "agent o { trust: honest, holds: d }\n"
      "agent x { trust: curious }\n"
      "compute s at o = select(d, f)\n"
      "send s to x\n"
      "require r: dp(d) against {x} <= epsilon 1\n");
  REQUIRE(exposed.verdict("r").status == analyzer::Status::kViolated);
  CHECK_FALSE(exposed.verdict("r").fix.empty());
  auto j = nlohmann::json::parse(report::to_sarif(exposed.graph, exposed.analysis));
  CHECK_FALSE(j["runs"][0]["results"][0].contains("fixes"));
}


TEST_CASE("SARIF fixes: a utility requirement's fix writes less noise, checked against privacy", "[report][sarif]") {
  // Laplace of scale b: the 95 % error half-width is b·ln 20, so error <= 8 needs b <= 8 / ln 20
  // = 2.6705…, written rounded down as 2.66; ε = 1/2.66 still meets epsilon 1.
  const std::string spec =
      "pipeline util\n"
      "param noise = 4 in [0.5, 10]\n"
      "data residents { rows: 50_000 field income: {low, middle, high} }\n"
      "agent office { trust: honest, holds: residents }\n"
      "agent press { trust: curious }\n"
      "compute income_table at office = histogram(residents.income)\n"
      "compute published at office = laplace(income_table, scale: noise, sensitivity: 1)\n"
      "send published to press\n"
      "require private: dp(residents) against {press} <= epsilon 1\n"
      "require accurate: error(published) <= 8\n";
  Analysed before(spec);
  REQUIRE(before.verdict("accurate").status == analyzer::Status::kViolated);
  auto j = nlohmann::json::parse(report::to_sarif(before.graph, before.analysis));
  const nlohmann::json* accurate = nullptr;
  for (const auto& r : j["runs"][0]["results"])
    if (r.contains("fixes")) accurate = &r;
  REQUIRE(accurate != nullptr);
  const auto& fix = (*accurate)["fixes"][0];
  CHECK(fix["description"]["text"] == "noise ≤ 2.66");
  const auto& region = fix["artifactChanges"][0]["replacements"][0]["deletedRegion"];
  CHECK(spec.substr(region["byteOffset"].get<std::size_t>(), region["byteLength"].get<std::size_t>()) == "4");
  Analysed after(applied(spec, fix));
  CHECK(after.verdict("accurate").status == analyzer::Status::kHolds);
  CHECK(after.verdict("private").status == analyzer::Status::kHolds);

  // When the change would break a privacy requirement that holds, it is words only.
  std::string strict = spec;
  strict.replace(strict.find("epsilon 1"), 9, "epsilon 0.3");
  Analysed both(strict);
  REQUIRE(both.verdict("private").status == analyzer::Status::kHolds);
  CHECK(both.verdict("accurate").fix.rfind("no value meets both", 0) == 0);
  auto k = nlohmann::json::parse(report::to_sarif(both.graph, both.analysis));
  for (const auto& r : k["runs"][0]["results"]) CHECK_FALSE(r.contains("fixes"));
}
