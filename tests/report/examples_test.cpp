// Reports of the real examples: goldens (text, compact text, Markdown, JSON, SARIF, explain),
// structure of JSON and SARIF, the HTML page with its diagram, determinism, and a headless
// browser rendering when Chromium is installed.
// PRIVFLOW_UPDATE_GOLDENS=1 rewrites tests/report/golden/.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "base/file_io.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;
using namespace privflow;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

/// Compares with tests/report/golden/<name>; PRIVFLOW_UPDATE_GOLDENS=1 rewrites the file.
void check_golden(const std::string& name, const std::string& actual) {
  fs::path path = fs::path(PRIVFLOW_SOURCE_DIR) / "tests" / "report" / "golden" / name;
  const char* update = std::getenv("PRIVFLOW_UPDATE_GOLDENS");
  if (update && std::string(update) == "1") {
    fs::create_directories(path.parent_path());
    std::string error;
    REQUIRE(write_output(path.string(), actual, error));
    WARN("updated " << path.string());
    return;
  }
  INFO("golden " << path.string() << " (PRIVFLOW_UPDATE_GOLDENS=1 rewrites it)");
  REQUIRE(fs::exists(path));
  CHECK(read_file(path) == actual);
}

struct Loaded {
  flow::Graph graph;
  analyzer::Analysis analysis;
};

/// Loads and analyses examples/<name>.pflow once per process (the analysis can take a while);
/// an example that does not load fails the test (never a silent pass).
const Loaded* example(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Loaded>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  std::string rel = "examples/" + name + ".pflow";
  std::string text = read_file(fs::path(PRIVFLOW_SOURCE_DIR) / rel);
  lang::SourceFile source(rel, text);
  lang::Diagnostics diags(source);
  // Tables (`from "FILE.csv"`) are read beside the spec's path, which is relative to the
  // repository root as in the goldens. ctest runs from there; a direct run of the executable
  // does not, so the loading alone does.
  const fs::path here = fs::current_path();
  fs::current_path(PRIVFLOW_SOURCE_DIR);
  auto graph = lang::load_spec(source, diags);
  fs::current_path(here);
  std::unique_ptr<Loaded> loaded;
  if (graph) {
    loaded = std::make_unique<Loaded>();
    loaded->graph = std::move(*graph);
    loaded->analysis = analyzer::analyze(loaded->graph);
  } else {
    std::ostringstream msg;
    diags.print(msg);
    FAIL("examples/" << name << ".pflow does not load:\n" << msg.str());
  }
  return (cache[name] = std::move(loaded)).get();
}

report::Options options_for(const std::string& name) {
  report::Options o;
  o.spec_path = "examples/" + name + ".pflow";
  return o;
}

const std::vector<std::string> kExamples = {"census_stats",    "genai_finetune", "hospital_fl",        "phones_shuffler",
                                            "rr_survey",       "smart_meters",   "social_recommender", "support_agents",
                                            "gboard_dpftrl", "rappor", "apple_cms", "query_monitor", "likes_leaning",
                                            "gossip_ring", "random_walk"};

void check_example_goldens(const std::string& name) {
  const Loaded* e = example(name);
  auto o = options_for(name);
  check_golden(name + ".txt", report::to_text(e->graph, e->analysis, o));
  auto compact = o;
  compact.compact = true;
  check_golden(name + ".compact.txt", report::to_text(e->graph, e->analysis, compact));
  check_golden(name + ".md", report::to_markdown(e->graph, e->analysis, o));
  check_golden(name + ".json", report::to_json(e->graph, e->analysis, o));
  check_golden(name + ".sarif", report::to_sarif(e->graph, e->analysis, o));
  // explain: every requirement that does not hold.
  std::string explained;
  for (flow::Id i = 0; i < e->analysis.verdicts.size(); ++i)
    if (e->analysis.verdicts[i].status != analyzer::Status::kHolds) explained += report::explain(e->graph, e->analysis, i, o) + "\n";
  check_golden(name + ".explain.txt", explained);
}

void check_json_structure(const std::string& name) {
  const Loaded* e = example(name);
  auto j = nlohmann::json::parse(report::to_json(e->graph, e->analysis, options_for(name)));
  for (const char* key : {"pipeline", "privflow_version", "requirements", "leakage", "findings"}) {
    INFO(key);
    CHECK(j.contains(key));
  }
  CHECK(j["pipeline"] == e->graph.pipeline);
  REQUIRE(j["requirements"].size() == e->analysis.verdicts.size());
  for (std::size_t i = 0; i < j["requirements"].size(); ++i) {
    const auto& r = j["requirements"][i];
    const auto& v = e->analysis.verdicts[i];
    INFO(name << " requirement " << i);
    for (const char* key : {"name", "line", "measure", "data", "adversary", "status", "value", "bound", "delta", "exact",
                            "coalition", "method", "explanation"})
      CHECK(r.contains(key));
    CHECK(r["name"] == e->graph.requirements[i].name);
    CHECK(r["line"] == e->graph.requirements[i].span.line);
    CHECK(r["status"] == analyzer::status_name(v.status));
    CHECK((r["value"].is_null() == !v.value.has_value()));
    if (v.value) CHECK(r["value"].get<double>() == *v.value);  // the analysis' upper bound, at full precision
    CHECK(r["explanation"].contains("text"));
    CHECK(r["explanation"]["children"].is_array());
    if (v.measure == flow::Measure::kForbid) {
      CHECK(r["measure"] == "forbid");
      REQUIRE(r["observers"].size() == v.crossings.size());
      for (const auto& o : r["observers"]) {
        CHECK(o["observer"].is_string());
        CHECK(o["path"].is_array());
      }
    } else if (v.measure == flow::Measure::kError) {
      // A utility requirement names no coalition: its release instead.
      CHECK(r["coalition"].is_null());
      CHECK(r["artifact"].is_string());
    } else {
      CHECK(r["coalition"].is_array());
    }
  }
  REQUIRE(j["leakage"].size() == e->analysis.leakage.size());
  for (std::size_t i = 0; i < j["leakage"].size(); ++i) {
    const auto& c = e->analysis.leakage[i];
    const auto& l = j["leakage"][i];
    CHECK(l["observer"] == c.observer);
    CHECK(l["status"] == analyzer::cell_status_name(c.status()));
    if (c.epsilon && c.loss != analyzer::LossKind::kNothing) CHECK(l["epsilon"].get<double>() >= *c.epsilon);
  }
}

void check_sarif_structure(const std::string& name) {
  const Loaded* e = example(name);
  auto j = nlohmann::json::parse(report::to_sarif(e->graph, e->analysis, options_for(name)));
  // The properties SARIF 2.1.0's schema requires: version, runs[].tool.driver.name,
  // results[].message.text (or id); locations' artifactLocation and region are ours.
  CHECK(j["version"] == "2.1.0");
  REQUIRE(j["runs"].size() == 1);
  const auto& run = j["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "privflow");
  std::size_t expected = 0;
  for (const auto& v : e->analysis.verdicts)
    if (v.status != analyzer::Status::kHolds) ++expected;
  REQUIRE(run["results"].size() == expected);
  std::size_t k = 0;
  for (std::size_t i = 0; i < e->analysis.verdicts.size(); ++i) {
    const auto& v = e->analysis.verdicts[i];
    if (v.status == analyzer::Status::kHolds) continue;
    const auto& r = run["results"][k++];
    INFO(name << " requirement " << i);
    CHECK(r["ruleId"] == flow::measure_name(v.measure));
    CHECK(r["level"] == (v.status == analyzer::Status::kViolated ? "error" : "warning"));
    CHECK(r["message"]["text"].get<std::string>().find(e->graph.requirements[i].name) != std::string::npos);
    const auto& loc = r["locations"][0]["physicalLocation"];
    CHECK(loc["artifactLocation"]["uri"] == "examples/" + name + ".pflow");
    CHECK(loc["region"]["startLine"] == e->graph.requirements[i].span.line);
    // Code scanning's path and alert identity (docs/ci.md, "What code scanning shows").
    if (v.status == analyzer::Status::kViolated) {
      REQUIRE(r.contains("codeFlows"));
      CHECK_FALSE(r["codeFlows"][0]["threadFlows"][0]["locations"].empty());
    }
    CHECK(r["partialFingerprints"]["privflowRequirementRoute/v1"].is_string());
  }
}

const std::regex& remote_resource() {
  static const std::regex re(R"((src|href)\s*=\s*["']?\s*(https?:)?//|url\(|@import|<link|<script|<iframe|<object|<embed)",
                             std::regex::icase);
  return re;
}

}  // namespace

TEST_CASE("example goldens: census_stats", "[report][golden]") { check_example_goldens("census_stats"); }
TEST_CASE("example goldens: genai_finetune", "[report][golden]") { check_example_goldens("genai_finetune"); }
TEST_CASE("example goldens: hospital_fl", "[report][golden][slow]") { check_example_goldens("hospital_fl"); }
TEST_CASE("example goldens: phones_shuffler", "[report][golden]") { check_example_goldens("phones_shuffler"); }
TEST_CASE("example goldens: rr_survey", "[report][golden]") { check_example_goldens("rr_survey"); }
TEST_CASE("example goldens: smart_meters", "[report][golden]") { check_example_goldens("smart_meters"); }
TEST_CASE("example goldens: social_recommender", "[report][golden]") { check_example_goldens("social_recommender"); }
TEST_CASE("example goldens: support_agents", "[report][golden]") { check_example_goldens("support_agents"); }
TEST_CASE("example goldens: gboard_dpftrl", "[report][golden]") { check_example_goldens("gboard_dpftrl"); }
TEST_CASE("example goldens: rappor", "[report][golden]") { check_example_goldens("rappor"); }
TEST_CASE("example goldens: apple_cms", "[report][golden]") { check_example_goldens("apple_cms"); }
TEST_CASE("example goldens: query_monitor", "[report][golden]") { check_example_goldens("query_monitor"); }
TEST_CASE("example goldens: likes_leaning", "[report][golden]") { check_example_goldens("likes_leaning"); }
TEST_CASE("example goldens: gossip_ring", "[report][golden]") { check_example_goldens("gossip_ring"); }
TEST_CASE("example goldens: random_walk", "[report][golden]") { check_example_goldens("random_walk"); }

TEST_CASE("JSON and SARIF of every fast example have the documented structure", "[report]") {
  for (const auto& name : kExamples) {
    if (name == "hospital_fl") continue;  // slow to analyse: its goldens cover it
    check_json_structure(name);
    check_sarif_structure(name);
  }
}

TEST_CASE("reports are deterministic: two analyses, the same bytes", "[report]") {
  for (const std::string name : {"census_stats", "support_agents", "rr_survey"}) {
    std::string text = read_file(fs::path(PRIVFLOW_SOURCE_DIR) / "examples" / (name + ".pflow"));
    std::vector<std::string> runs[2];
    for (auto& out : runs) {
      lang::SourceFile source("examples/" + name + ".pflow", text);
      lang::Diagnostics diags(source);
      auto graph = lang::load_spec(source, diags);
      if (!graph) FAIL("examples/" << name << ".pflow does not load");
      auto analysis = analyzer::analyze(*graph);
      for (auto f : {report::Format::kText, report::Format::kMarkdown, report::Format::kJson, report::Format::kSarif})
        out.push_back(report::render(f, *graph, analysis));
      // Without the diagram: a second Graphviz layout in the same process differs from the first
      // (viz::render; reported), while each fresh process gives the same SVG.
      report::Options no_diagram;
      no_diagram.diagram = false;
      out.push_back(report::to_html(*graph, analysis, no_diagram));
    }
    if (runs[1].size() != runs[0].size()) continue;
    for (std::size_t f = 0; f < runs[0].size(); ++f) {
      INFO(name << " format " << f);
      if (runs[0][f] == runs[1][f]) continue;
      // Point at the first difference rather than printing two whole reports.
      std::size_t at = 0;
      while (at < runs[0][f].size() && at < runs[1][f].size() && runs[0][f][at] == runs[1][f][at]) ++at;
      FAIL_CHECK("first difference at byte " << at << ": '" << runs[0][f].substr(at > 20 ? at - 20 : 0, 60) << "' vs '"
                                             << runs[1][f].substr(at > 20 ? at - 20 : 0, 60) << "'");
    }
  }
}

TEST_CASE("the HTML report of an example: inline SVG diagram, tables, nothing loaded", "[report][html]") {
  const Loaded* e = example("support_agents");
  auto html = report::to_html(e->graph, e->analysis, options_for("support_agents"));
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(contains(html, "<svg"));
  CHECK(contains(html, "</svg>"));
  CHECK_FALSE(contains(html, "<?xml"));
  CHECK_FALSE(contains(html, "<!DOCTYPE svg"));
  CHECK_FALSE(contains(html, "Generated by graphviz"));
  CHECK(contains(html, "<section id=\"leakage\">"));
  CHECK(contains(html, "<table>"));
  CHECK(contains(html, "<details id=\"req-0\" class=\"violated\" open>"));
  CHECK_FALSE(std::regex_search(html, remote_resource()));
  // The page is written out for people (and the browser test) to look at.
  fs::path out = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "report";
  fs::create_directories(out);
  std::string error;
  CHECK(write_output((out / "support_agents.html").string(), html, error));
}

TEST_CASE("the HTML report renders in a headless browser", "[report][html][browser]") {
  const char* chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) {
    WARN("skipped: " << chromium << " is not installed (scripts/setup --with-browser installs it)");
    return;
  }
  const Loaded* e = example("hospital_fl");
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "report";
  fs::create_directories(dir);
  fs::path page = dir / "browser_report.html", shot = dir / "report.png", profile = dir / "chromium-profile";
  std::string error;
  REQUIRE(write_output(page.string(), report::to_html(e->graph, e->analysis, options_for(e->graph.pipeline)), error));
  fs::remove(shot);
  fs::remove_all(profile);
  std::string command = std::string(chromium) +
                        " --headless --no-sandbox --disable-gpu --disable-background-networking"
                        " --disable-component-update --disable-sync --no-first-run --user-data-dir='" +
                        profile.string() + "' --screenshot='" + shot.string() + "' --window-size=1280,2000 'file://" +
                        page.string() + "' > '" + (dir / "chromium.log").string() + "' 2>&1";
  int rc = std::system(command.c_str());
  INFO(command << "\n" << read_file(dir / "chromium.log"));
  CHECK(rc == 0);
  REQUIRE(fs::exists(shot));
  CHECK(fs::file_size(shot) > 10000);  // a blank 1280x2000 page compresses far below this
  fs::remove_all(profile);
}
