// One verdict, worded once (analyzer/wording.hpp): text, Markdown, JSON, SARIF, explain and the
// diagram overlay give the same value, comparison and δ rule; the JSON `value` is the
// full-precision upper bound (>= the exact value, and it reads back as the same double).
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "flow/describe.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "report/overlay.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;
using namespace privflow;

namespace {

struct Loaded {
  flow::Graph graph;
  analyzer::Analysis analysis;
};

/// examples/<name>.pflow analysed; an example that does not load fails the test.
Loaded load_example(const std::string& name) {
  const std::string rel = "examples/" + name + ".pflow";
  std::ifstream in(fs::path(PRIVFLOW_SOURCE_DIR) / rel, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  lang::SourceFile source(rel, text.str());
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  if (!graph) {
    std::ostringstream msg;
    diags.print(msg);
    FAIL(rel << " does not load:\n" << msg.str());
  }
  Loaded loaded{std::move(*graph), {}};
  loaded.analysis = analyzer::analyze(loaded.graph);
  REQUIRE(!loaded.analysis.verdicts.empty());
  return loaded;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

/// Every decided verdict of `e`, in every format.
void check_worded_once(const Loaded& e) {
  report::Options options;
  options.spec_path = e.graph.file;
  const std::string text = report::to_text(e.graph, e.analysis, options);
  const std::string markdown = report::to_markdown(e.graph, e.analysis, options);
  const auto json = nlohmann::json::parse(report::to_json(e.graph, e.analysis, options));
  const auto sarif = nlohmann::json::parse(report::to_sarif(e.graph, e.analysis, options));
  std::size_t sarif_index = 0;
  for (flow::Id i = 0; i < e.analysis.verdicts.size(); ++i) {
    const analyzer::Verdict& v = e.analysis.verdicts[i];
    const flow::Requirement& r = e.graph.requirements[i];
    const bool listed_in_sarif = v.status != analyzer::Status::kHolds;
    const std::string sarif_text =
        listed_in_sarif ? sarif["runs"][0]["results"][sarif_index++]["message"]["text"].get<std::string>() : "";
    if (v.status == analyzer::Status::kUndecided || r.measure == flow::Measure::kForbid) continue;
    const std::string comparison = analyzer::comparison(e.graph, r, v);
    const std::string headline = analyzer::headline(e.graph, r, v);
    INFO(e.graph.file << " " << r.name << ": " << headline);
    CHECK(contains(headline, comparison));
    // text and explain: the verdict line.
    const std::string line = report::verdict_line(e.graph, v, options);
    CHECK(contains(line, ": " + headline + " ["));
    CHECK(contains(text, line + "\n"));
    CHECK(report::explain(e.graph, e.analysis, i, options).rfind(line + "\n", 0) == 0);
    // Markdown: the summary table's value, and the headline of a verdict that does not hold.
    std::string value = analyzer::value_with_unit(r, v);
    if (value.rfind("epsilon ", 0) == 0) value = "ε " + value.substr(8);
    CHECK(contains(markdown, " | " + value + " | "));
    if (v.status != analyzer::Status::kHolds) CHECK(contains(markdown, "`" + headline + "`"));
    // JSON: the same value text, the comparison as the reason, the verdict line as the root.
    const auto& jr = json["requirements"][i];
    CHECK(jr["value_text"] == analyzer::value_text(v));
    CHECK(jr["reason"] == comparison);
    CHECK(jr["explanation"]["text"] == headline);
    // SARIF: the verdict line.
    if (listed_in_sarif) CHECK(contains(sarif_text, headline));
    // The diagram of this requirement: its verdict is the same comparison.
    const viz::Overlay overlay = report::analysis_overlay(e.graph, e.analysis, flow::kNone, i);
    REQUIRE(overlay.derivation);
    CHECK(overlay.derivation->verdict == std::string(analyzer::status_name(v.status)) + ": " + comparison);
    // The δ rule, one for all: stated iff δ enters a bounded, inexact (or dp) value.
    const std::string at_delta = " at delta " + flow::delta_text(e.graph.delta_of(r));
    CHECK(contains(comparison, at_delta) == analyzer::states_delta(r, v));
    CHECK(contains(comparison, " at delta ") == analyzer::states_delta(r, v));
    CHECK(contains(comparison, v.status == analyzer::Status::kHolds ? " ≤ " : " > "));
    CHECK_FALSE(contains(comparison, "<="));
  }
}

/// The JSON value of every verdict: the analysis's upper bound, read back bit for bit.
void check_full_precision(const Loaded& e) {
  const auto json = nlohmann::json::parse(report::to_json(e.graph, e.analysis));
  for (std::size_t i = 0; i < e.analysis.verdicts.size(); ++i) {
    const analyzer::Verdict& v = e.analysis.verdicts[i];
    const auto& value = json["requirements"][i]["value"];
    INFO(e.graph.file << " " << v.name << " " << analyzer::value_text(v));
    if (!v.value) {
      CHECK(value.is_null());
      continue;
    }
    REQUIRE(value.is_number());
    const double read = value.get<double>();
    CHECK(read == *v.value);  // round-trips
    if (v.rational) CHECK(Rational(read) >= *v.rational);  // never below the exact value
    // The short text is the value rounded up (an exact fraction is the value itself).
    if (!v.exact && v.measure != flow::Measure::kForbid) {
      auto printed = parse_number(analyzer::value_text(v));
      REQUIRE(printed);
      CHECK(*printed >= Rational(read));
    }
  }
}

}  // namespace

TEST_CASE("a verdict is worded once for every format", "[report][wording]") {
  for (const char* name : {"rr_survey", "social_recommender", "phones_shuffler", "census_stats", "genai_finetune"}) {
    const Loaded e = load_example(name);
    check_worded_once(e);
    check_full_precision(e);
  }
}

TEST_CASE("the JSON value is the full-precision upper bound of an exact value", "[report][wording]") {
  flow::Graph g;
  g.requirements.resize(1);
  analyzer::Analysis a;
  analyzer::Verdict v;
  v.requirement = 0;
  v.measure = flow::Measure::kPosterior;
  v.status = analyzer::Status::kHolds;
  v.rational = make_rational(1, 3);
  v.value = to_double_up(*v.rational);
  v.exact = true;
  a.verdicts = {v};
  const std::string text = report::to_json(g, a);
  const auto j = nlohmann::json::parse(text);
  CHECK(j["requirements"][0]["value_text"] == "1/3");
  const double read = j["requirements"][0]["value"].get<double>();
  CHECK(read == *v.value);
  CHECK(Rational(read) > make_rational(1, 3));  // 1/3 has no double: the one above it
  CHECK(contains(text, "\"value\": 0.33333333333333337,"));  // 17 digits: the double above 1/3
}

TEST_CASE("values are printed from numbers: exact, rounded up, or unbounded", "[report][wording]") {
  analyzer::Verdict v;
  v.measure = flow::Measure::kDp;
  CHECK(analyzer::value_text(v) == "unbounded");
  v.value = 41.70001;
  CHECK(analyzer::value_text(v) == "41.71");  // rounded up, never to nearest
  v.rational = make_rational(417, 10);
  CHECK(analyzer::value_text(v) == "41.7");  // rounded up from the rational
  v.exact = true;
  v.rational = make_rational(7, 3);
  CHECK(analyzer::value_text(v) == "7/3");
  CHECK(*analyzer::printed_value(v) == make_rational(7, 3));
  // A long exact probability prints rounded up, and is compared as printed.
  v.measure = flow::Measure::kPosterior;
  v.rational = make_rational(1234567, 9999991);
  CHECK(analyzer::value_text(v) == "0.1235");
  CHECK(*analyzer::printed_value(v) == make_rational(1235, 10000));
  CHECK(std::string(analyzer::method_name(analyzer::Method::kPld)) == "pld");
  CHECK(std::string(analyzer::severity_name(analyzer::Severity::kError)) == "error");
  analyzer::LeakageCell cell;
  cell.loss = analyzer::LossKind::kExposedStats;
  CHECK(std::string(analyzer::cell_status_name(cell.status())) == "exposed");
}

TEST_CASE("a value within its bound is printed with the digits that show it", "[report][wording]") {
  analyzer::Verdict v;
  v.measure = flow::Measure::kError;
  v.bound = make_rational(11983, 1000);
  v.value = std::log(20.0) / 0.25;  // 11.98293…: 4 digits rounded up would read 11.99 > 11.983
  CHECK(analyzer::value_text(v) == "11.983");
  v.value = 11.9831;  // above the bound: 4 digits, rounded up, as always
  CHECK(analyzer::value_text(v) == "11.99");
  v.bound = 2;
  v.value = 1.99999999;  // 4 digits rounded up read 2 ≤ 2: no more digits
  CHECK(analyzer::value_text(v) == "2");
  v.bound = make_rational(19995, 10000);
  v.value = 1.99941;  // 2 > 1.9995: 5 digits, still rounded up
  CHECK(analyzer::value_text(v) == "1.9995");
  // An inexact rational in the same way.
  v.bound = make_rational(199996, 100000);
  v.value = 1.999955;
  v.rational = make_rational(399991, 200000);  // 1.999955: 2 at 4 and 5 digits
  CHECK(analyzer::value_text(v) == "1.99996");
}
