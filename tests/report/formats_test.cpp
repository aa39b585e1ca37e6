// Report formats on a hand-built analysis: exact lines, numbers, escaping and structure.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "report/detail/common.hpp"
#include "report/report.hpp"
#include "tests/report/sample.hpp"

using namespace privflow;
using report::testing::sample_analysis;
using report::testing::sample_graph;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("delta is printed as the spec writes it, exactly", "[report]") {
  struct Row {
    Rational delta;
    const char* text;
  };
  const std::vector<Row> rows = {
      {make_rational(1, 100000), "1e-5"},  {make_rational(1, 1000000), "1e-6"}, {make_rational(25, 10000000), "2.5e-6"},
      {make_rational(1, 100), "0.01"},     {make_rational(1, 1000), "0.001"},   {make_rational(0), "0"},
      {make_rational(1, 3), "1/3"},        {make_rational(1, 30000), "1/30000"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(flow::delta_text(row.delta) == row.text);
  }
}

TEST_CASE("verdict lines name the place, the status, the figures and the requirement", "[report]") {
  auto g = sample_graph();
  auto a = sample_analysis();
  const std::vector<std::string> expected = {
      "specs/demo.pflow:20:1: violated: dp(patients) against insider: epsilon 41.7 > 2 at delta 1e-5 [budget]",
      // exact posterior: no delta
      "specs/demo.pflow:21:3: holds: posterior(patients.diagnosis = cancer) against insider: 15/53 ≤ 0.2 [line21]",
      "specs/demo.pflow:22:1: undecided: leakage(patients.diagnosis) against insider: undecided (solver limit reached) [line22]",
      "specs/demo.pflow:23:1: violated: reidentification(patients by {zip, diagnosis}) against insider: unbounded (exposed) > 0.05 [reid]",
      "specs/demo.pflow:24:1: violated: forbid health from EU to US unless epsilon ≤ 3: crossed by server (epsilon 6.81 > 3) [line24]",
  };
  REQUIRE(a.verdicts.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(report::verdict_line(g, a.verdicts[i]) == expected[i]);
  report::Options o;
  o.spec_path = "other.pflow";
  CHECK(report::verdict_line(g, a.verdicts[0], o).rfind("other.pflow:20:1: violated:", 0) == 0);
}

TEST_CASE("requirements are found by name and by line<N>", "[report]") {
  auto g = sample_graph();
  CHECK(report::find_requirement(g, "budget") == 0);
  CHECK(report::find_requirement(g, "line21") == 1);
  CHECK(report::find_requirement(g, "line20") == 0);  // a named requirement by its line
  CHECK(report::find_requirement(g, "reid") == 3);
  CHECK(report::find_requirement(g, "budgte") == flow::kNone);
  CHECK(report::find_requirement(g, "line") == flow::kNone);
  CHECK(report::find_requirement(g, "line99") == flow::kNone);
  CHECK(report::find_requirement(g, "line2x") == flow::kNone);
}

TEST_CASE("format names", "[report]") {
  CHECK(report::format_from_name("text") == report::Format::kText);
  CHECK(report::format_from_name("markdown") == report::Format::kMarkdown);
  CHECK(report::format_from_name("md") == report::Format::kMarkdown);
  CHECK(report::format_from_name("json") == report::Format::kJson);
  CHECK(report::format_from_name("sarif") == report::Format::kSarif);
  CHECK(report::format_from_name("html") == report::Format::kHtml);
  CHECK_FALSE(report::format_from_name("HTML"));
  CHECK_FALSE(report::format_from_name("pdf"));
  CHECK(std::string(report::format_name(report::Format::kMarkdown)) == "markdown");
}

TEST_CASE("the text report: derivations, binding releases first, matrix, findings, summary", "[report]") {
  auto text = report::to_text(sample_graph(), sample_analysis());
  auto lines = lines_of(text);
  // The five releases are cut to the three with the largest shares, largest first.
  const std::vector<std::string> head = {
      "specs/demo.pflow:20:1: violated: dp(patients) against insider: epsilon 41.7 > 2 at delta 1e-5 [budget]",
      "  coalition: hospital[1..14] + server (line 13)",
      "  release r4 (dpsgd at hospital, line 11): epsilon alone 5",
      "    amplification: none <script>alert(1)</script>",
      "  release r3 (dpsgd at hospital, line 11): epsilon alone 4",
      "    amplification: secure sum",
      "  release r2 (dpsgd at hospital, line 11): epsilon alone 3",
      "    amplification: secure sum",
      "  … and 2 more releases with smaller shares (privflow explain shows them all)",
      "  composition: 5 release(s), rdp",
      "  fix: noise_multiplier ≥ 2.5",
      "specs/demo.pflow:21:3: holds: posterior(patients.diagnosis = cancer) against insider: 15/53 ≤ 0.2 [line21]",
      "  coalition: hospital[1..14] + server (line 13)",
  };
  REQUIRE(lines.size() > head.size());
  for (std::size_t i = 0; i < head.size(); ++i) CHECK(lines[i] == head[i]);
  CHECK(contains(text, "  exposed: the record's own fields reach the coalition in the clear\n"
                       "    hospital holds patients (line 8)\n"
                       "    send update from hospital to server (line 12)\n"
                       "  fix: release it through a private mechanism\n"));
  CHECK(contains(text, "  observer           patients\n"
                       "  hospital           nothing\n"
                       "  server             6.81\n"
                       "  curious+malicious  holds\n"));
  CHECK(contains(text, "\nspecs/demo.pflow:11:5: warning: 'update' is <trained> without privacy\n"));
  CHECK(contains(text, "\nassumptions:\n  - per-record artifacts are linkable & \"worst case\"\n"));
  CHECK(lines.back() == "5 requirements: 1 holds, 3 violated, 1 undecided");
}

TEST_CASE("the compact text report leaves out holding derivations, the matrix and findings", "[report]") {
  report::Options o;
  o.compact = true;
  auto text = report::to_text(sample_graph(), sample_analysis(), o);
  auto lines = lines_of(text);
  CHECK_FALSE(contains(text, "leakage matrix"));
  CHECK_FALSE(contains(text, "warning:"));
  CHECK_FALSE(contains(text, "assumptions"));
  // The holding verdict is one line, directly followed by the next verdict.
  auto it = std::find(lines.begin(), lines.end(),
                      "specs/demo.pflow:21:3: holds: posterior(patients.diagnosis = cancer) against insider: 15/53 ≤ 0.2 [line21]");
  REQUIRE(it != lines.end());
  REQUIRE(it + 1 != lines.end());
  CHECK((it + 1)->rfind("specs/demo.pflow:22:1: undecided:", 0) == 0);
  CHECK(lines.back() == "5 requirements: 1 holds, 3 violated, 1 undecided");
}

TEST_CASE("summary lines count each status", "[report]") {
  analyzer::Analysis a;
  CHECK(report::detail::summary_line(a) == "0 requirements");
  a.verdicts.resize(1);
  a.verdicts[0].status = analyzer::Status::kHolds;
  CHECK(report::detail::summary_line(a) == "1 requirement: 1 holds");
  a.verdicts.resize(3);
  a.verdicts[1].status = analyzer::Status::kHolds;
  a.verdicts[2].status = analyzer::Status::kViolated;
  CHECK(report::detail::summary_line(a) == "3 requirements: 2 hold, 1 violated");
}

TEST_CASE("explain draws the whole derivation tree with line references", "[report]") {
  auto g = sample_graph();
  auto a = sample_analysis();
  auto text = report::explain(g, a, 3);
  const std::string expected =
      "specs/demo.pflow:23:1: violated: reidentification(patients by {zip, diagnosis}) against insider: unbounded (exposed) > 0.05 [reid]\n"
      "└─ target: the worst-case record of patients held by no member of the coalition (line 5)\n"
      "   └─ exposed: the record's own fields reach the coalition in the clear\n"
      "      ├─ hospital holds patients (line 8)\n"
      "      └─ send update from hospital to server (line 12)\n"
      "fix: release it through a private mechanism\n";
  CHECK(text == expected);
  // All five releases are shown, in the analysis' order.
  auto full = report::explain(g, a, 0);
  for (int i = 0; i < 5; ++i) CHECK(contains(full, "release r" + std::to_string(i) + " "));
  CHECK(contains(full, "├─ releases observed (composed sequentially)\n│  ├─ release r0"));
  CHECK(report::explain(g, a, 17).empty());
}

TEST_CASE("the JSON report has the schema's keys, in order, with numbers as numbers", "[report]") {
  auto text = report::to_json(sample_graph(), sample_analysis());
  auto j = nlohmann::json::parse(text);
  CHECK(j["pipeline"] == "demo");
  CHECK(j["privflow_version"].is_string());
  REQUIRE(j["requirements"].size() == 5);
  const auto& dp = j["requirements"][0];
  CHECK(dp["name"] == "budget");
  CHECK(dp["line"] == 20);
  CHECK(dp["measure"] == "dp");
  CHECK(dp["data"] == "patients");
  CHECK(dp["adversary"] == "insider");
  CHECK(dp["status"] == "violated");
  CHECK(dp["value"].is_number());
  CHECK(dp["value"].get<double>() == 41.7);
  CHECK(dp["bound"].get<double>() == 2.0);
  CHECK(dp["delta"].get<double>() == 1e-5);
  CHECK(dp["delta_text"] == "1e-5");
  CHECK(dp["exact"] == false);
  auto members = dp["coalition"].get<std::vector<std::string>>();  // in the analysis' order
  std::sort(members.begin(), members.end());
  CHECK(members == std::vector<std::string>{"14 of hospital", "server"});
  CHECK(dp["method"] == "rdp");
  CHECK(dp["explanation"]["text"] == "dp(patients) against insider: 41.7 > epsilon 2");
  CHECK(dp["explanation"]["line"].is_null());
  CHECK(dp["explanation"]["children"][0]["line"] == 13);
  CHECK(dp["releases"].size() == 5);
  // An exact fraction: the number is an upper bound of it, and the text is exact.
  const auto& post = j["requirements"][1];
  CHECK(post["value_text"] == "15/53");
  CHECK(post["value"].get<double>() >= 15.0 / 53.0);
  CHECK(post["bound"].get<double>() == 0.2);
  CHECK(post["delta_text"] == "1e-6");
  CHECK(post["exact"] == true);
  CHECK(post["field"] == "diagnosis");
  CHECK(post["field_value"] == "cancer");
  CHECK(j["requirements"][2]["status"] == "undecided");
  CHECK(j["requirements"][2]["value"].is_null());
  // Unbounded: null.
  CHECK(j["requirements"][3]["value"].is_null());
  CHECK(j["requirements"][3]["value_text"] == "unbounded");
  CHECK(j["requirements"][3]["fields"] == nlohmann::json::array({"zip", "diagnosis"}));
  const auto& forbid = j["requirements"][4];
  CHECK(forbid["measure"] == "forbid");
  CHECK(forbid["data"].is_null());
  CHECK(forbid["coalition"].is_null());
  CHECK(forbid["category"] == "health");
  CHECK(forbid["from"] == "EU");
  CHECK(forbid["to"] == "US");
  REQUIRE(forbid["observers"].size() == 1);
  CHECK(forbid["observers"][0]["observer"] == "server");
  CHECK(forbid["observers"][0]["epsilon"].get<double>() == 6.809329);  // full precision
  CHECK(forbid["observers"][0]["epsilon_text"] == "6.81");  // the short form, rounded up
  CHECK(forbid["observers"][0]["path"].size() == 2);
  REQUIRE(j["leakage"].size() == 3);
  CHECK(j["leakage"][0]["epsilon"] == 0);
  CHECK(j["leakage"][1]["epsilon"].get<double>() == 6.809329);
  CHECK(j["leakage"][1]["epsilon_text"] == "6.81");
  CHECK(j["leakage"][2]["epsilon"].is_null());
  CHECK(j["leakage"][2]["status"] == "holds");
  CHECK(j["findings"][0]["line"] == 11);
  CHECK(j["summary"]["exit_code"] == 1);
  // Key order is stable: the schema's order first.
  auto first = text.find("\"pipeline\""), version = text.find("\"privflow_version\""), reqs = text.find("\"requirements\""),
       leakage = text.find("\"leakage\""), findings = text.find("\"findings\"");
  CHECK(first < version);
  CHECK(version < reqs);
  CHECK(reqs < leakage);
  CHECK(leakage < findings);
}

TEST_CASE("the SARIF report: one result per violated or undecided requirement, at its line", "[report]") {
  report::Options o;
  o.spec_path = "my specs/demo#1.pflow";
  auto j = nlohmann::json::parse(report::to_sarif(sample_graph(), sample_analysis(), o));
  CHECK(j["version"] == "2.1.0");
  CHECK(j["$schema"].is_string());
  REQUIRE(j["runs"].size() == 1);
  const auto& run = j["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "privflow");
  CHECK(run["tool"]["driver"]["version"].is_string());
  CHECK(run["tool"]["driver"]["informationUri"].is_string());
  const auto& results = run["results"];
  REQUIRE(results.size() == 4);  // 3 violated + 1 undecided; the holding one is not a result
  struct Row {
    const char* rule;
    const char* level;
    int line, column;
  };
  const std::vector<Row> rows = {{"dp", "error", 20, 1}, {"leakage", "warning", 22, 1}, {"reidentification", "error", 23, 1},
                                 {"forbid", "error", 24, 1}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(i);
    const auto& r = results[i];
    CHECK(r["ruleId"] == rows[i].rule);
    CHECK(r["level"] == rows[i].level);
    CHECK(run["tool"]["driver"]["rules"][r["ruleIndex"].get<std::size_t>()]["id"] == rows[i].rule);
    const auto& loc = r["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"] == "my%20specs/demo%231.pflow");
    CHECK(loc["region"]["startLine"] == rows[i].line);
    CHECK(loc["region"]["startColumn"] == rows[i].column);
    CHECK(r["message"]["text"].is_string());
  }
  CHECK(results[0]["message"]["text"] ==
        "violated: dp(patients) against insider: epsilon 41.7 > 2 at delta 1e-5 [budget]. Fix: noise_multiplier ≥ 2.5");
}

TEST_CASE("the Markdown report: summary table, sections for what does not hold, escaped text", "[report]") {
  auto md = report::to_markdown(sample_graph(), sample_analysis());
  CHECK(contains(md, "# Privacy report: demo — Demo \\<b>pipeline\\</b> &amp; \"friends\"\n"));
  CHECK(contains(md, "| ❌ violated | `budget` (line 20) | `dp(patients)` | insider | ε 41.7 | ε 2 | server + hospital[1..14] |\n"));
  CHECK(contains(md, "| ✅ holds | `line21` (line 21) |"));
  CHECK(contains(md, "| ❓ undecided | `line22` (line 22) |"));
  CHECK(contains(md, "### ❌ budget: violated\n"));
  CHECK_FALSE(contains(md, "### ✅"));  // holding requirements get no section
  CHECK(contains(md, "- releases observed (composed sequentially)\n  - release r0 (dpsgd at hospital, line 11): epsilon alone 1\n"
                     "    - amplification: secure sum\n"));
  CHECK(contains(md, "amplification: none \\<script>alert(1)\\</script>"));
  CHECK(contains(md, "**Fix:** noise\\_multiplier ≥ 2.5") == false);  // an inner underscore stays as is
  CHECK(contains(md, "**Fix:** noise_multiplier ≥ 2.5\n"));
  CHECK(contains(md, "| `curious+malicious` | **holds** |\n"));
  CHECK(contains(md, "- ⚠️ warning (line 11): 'update' is \\<trained> without privacy\n"));
  CHECK(md.back() == '\n');
  CHECK(md.substr(md.size() - 2) != "\n\n");
}

TEST_CASE("the HTML report escapes everything and loads nothing", "[report]") {
  report::Options o;
  o.diagram = false;  // the diagram is checked on real examples
  auto html = report::to_html(sample_graph(), sample_analysis(), o);
  CHECK(html.rfind("<!DOCTYPE html>\n", 0) == 0);
  CHECK_FALSE(contains(html, "<script"));
  CHECK(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(contains(html, "Demo &lt;b&gt;pipeline&lt;/b&gt; &amp; &quot;friends&quot;"));
  CHECK(contains(html, "&#39;update&#39; is &lt;trained&gt; without privacy"));
  CHECK(contains(html, "<details id=\"req-0\" class=\"violated\" open>"));
  CHECK(contains(html, "<details id=\"req-1\" class=\"holds\">"));
  CHECK(contains(html, "<td class=\"num c5\">holds</td>"));
  CHECK(contains(html, "<td class=\"num c3\">6.81</td>"));
  CHECK(contains(html, "<td class=\"num c0\">nothing</td>"));
  std::regex remote(R"((src|href)\s*=\s*["']?\s*(https?:)?//|url\(|@import|<link|<iframe|<object|<embed)",
                    std::regex::icase);
  CHECK_FALSE(std::regex_search(html, remote));
}
