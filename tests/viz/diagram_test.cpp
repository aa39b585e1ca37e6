#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/file_io.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "tests/viz/sample_graphs.hpp"
#include "viz/diagram.hpp"

namespace fs = std::filesystem;
using namespace privflow;
using viz::Leak;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compares with tests/viz/golden/<name>; PRIVFLOW_UPDATE_GOLDENS=1 rewrites the file.
void check_golden(const std::string& name, const std::string& actual) {
  fs::path path = fs::path(PRIVFLOW_SOURCE_DIR) / "tests" / "viz" / "golden" / name;
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

fs::path out_dir() {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "viz" / "rendered";
  fs::create_directories(dir);
  return dir;
}

Leak eps(long num, long den = 1) {
  Leak l;
  l.status = Leak::Status::kPrivate;
  l.epsilon = make_rational(num, den);
  return l;
}
Leak status(Leak::Status s) {
  Leak l;
  l.status = s;
  return l;
}

// What an analysis of the insider coalition {server, 14 of hospital} could report.
viz::Overlay insider_overlay(const flow::Graph& g) {
  auto o = viz::structural_overlay(g, g.find_adversary("insider"), flow::kNone);
  o.delta = make_rational(1, 100000);
  flow::Id up = g.find_artifact("update"), mo = g.find_artifact("model");
  o.data[0] = eps(417, 10);
  o.artifacts[up] = eps(417, 10);
  o.artifacts[mo] = eps(417, 10);
  o.flows[0] = eps(417, 10);
  o.agents[g.find_agent("analyst")] = eps(193, 100);
  o.agents[g.find_agent("server")] = eps(32, 10);
  o.agents[g.find_agent("hospital")] = status(Leak::Status::kHolds);
  o.coalition->view_known = true;
  o.coalition->view_artifacts = {up, mo};
  o.coalition->view_flows = {0};
  return o;
}

// The derivation of outsider_budget: one release, the whole composed ε.
viz::Overlay outsider_overlay(const flow::Graph& g) {
  auto o = viz::structural_overlay(g, flow::kNone, viz::find_requirement(g, "outsider_budget"));
  o.delta = make_rational(1, 100000);
  flow::Id up = g.find_artifact("update"), mo = g.find_artifact("model");
  o.artifacts[up] = eps(193, 100);
  o.artifacts[mo] = eps(193, 100);
  o.flows[0] = eps(193, 100);
  o.flows[1] = eps(193, 100);
  viz::Derivation d;
  d.data = {0};
  d.artifacts = {up, mo};
  d.flows = {0, 1};
  d.binding_release = up;
  d.shares[up] = make_rational(1);
  d.composed_epsilon = make_rational(193, 100);
  d.verdict = "holds: epsilon 1.93 ≤ 2 at delta 1e-5";
  o.derivation = d;
  o.coalition->view_known = true;
  o.coalition->view_artifacts = {mo};
  o.coalition->view_flows = {1};
  return o;
}

// The hospital pipeline plus a leak: counts sent in the clear to the analyst (exposed).
flow::Graph hospital_with_counts() {
  auto g = viz::testing::hospital_fl();
  flow::Artifact counts;
  counts.name = "diagnosis_counts_per_ward_and_week";
  counts.at = g.find_agent("hospital");
  counts.kind = flow::ComputeKind::kHistogram;
  counts.inputs.push_back({flow::Input::Kind::kField, 0, 0, flow::kNone, {}});
  g.artifacts.push_back(counts);
  flow::Flow f;
  f.artifact = static_cast<flow::Id>(g.artifacts.size() - 1);
  f.from = counts.at;
  f.to = g.find_agent("analyst");
  f.channel.kind = flow::Channel::Kind::kEncrypted;
  g.flows.push_back(f);
  return g;
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::size_t count_of(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("labels wrap at word and identifier boundaries", "[viz]") {
  struct Case {
    std::string text;
    std::size_t width;
    std::vector<std::string> lines;
  };
  const std::vector<Case> cases = {
      {"", 10, {""}},
      {"model", 10, {"model"}},
      {"University hospital", 10, {"University", "hospital"}},
      {"a b c d e f", 3, {"a b", "c d", "e f"}},
      {"customer_transaction_records", 12, {"customer_", "transaction_", "records"}},
      {"intermediate_feature_vector_7", 22, {"intermediate_feature_", "vector_7"}},
      {"abcdefghijklmnop", 5, {"abcde", "fghij", "klmno", "p"}},
      {"\xce\xb5\xce\xb5\xce\xb5\xce\xb5", 2, {"\xce\xb5\xce\xb5", "\xce\xb5\xce\xb5"}},  // UTF-8 counted as characters
      {"  spaced   out  ", 20, {"spaced out"}},
      {"each of hospital[1..20]", 16, {"each of", "hospital[1..20]"}},
      {"patients.diagnosis", 10, {"patients.", "diagnosis"}},
  };
  for (const auto& c : cases) {
    INFO("text '" << c.text << "' width " << c.width);
    CHECK(viz::detail::wrap_text(c.text, c.width) == c.lines);
  }
}

TEST_CASE("formats come from names and file extensions", "[viz]") {
  using F = viz::Format;
  struct Case {
    std::string path;
    std::optional<F> format;
  };
  const std::vector<Case> cases = {
      {"out.svg", F::kSvg}, {"a/b/out.PNG", F::kPng}, {"x.pdf", F::kPdf}, {"x.dot", F::kDot},
      {"x.gv", F::kDot},    {"x.jpg", std::nullopt},  {"noext", std::nullopt}, {".svg", std::nullopt},
      {"dir.png/file", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    CHECK(viz::format_from_path(c.path) == c.format);
  }
  CHECK(viz::format_from_name("svg") == F::kSvg);
  CHECK(viz::format_from_name("jpeg") == std::nullopt);
  CHECK(std::string(viz::format_name(F::kPdf)) == "pdf");
}

TEST_CASE("requirements are described as written and found by name", "[viz]") {
  auto g = viz::testing::hospital_fl();
  const std::vector<std::string> expected = {
      "outsider_budget: dp(patients) against outsider ≤ epsilon 2",
      "line33: posterior(patients.diagnosis = cancer) against insider ≤ 0.2",
      "line35: forbid health from EU to US unless epsilon ≤ 3",
  };
  REQUIRE(g.requirements.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(viz::describe_requirement(g, g.requirements[i]) == expected[i]);
    CHECK(viz::find_requirement(g, g.requirements[i].name) == i);
  }
  CHECK(viz::find_requirement(g, "nope") == flow::kNone);
  // An inline coalition with a choice.
  auto r = g.requirements[0];
  r.adversary = flow::kNone;
  r.coalition = g.adversaries[1].coalition;
  r.coalition.choose = 2;
  r.coalition.candidates = {g.find_agent("analyst")};
  r.delta = make_rational(1, 1000000);
  CHECK(viz::describe_requirement(g, r) ==
        "outsider_budget: dp(patients) against {server, 14 of hospital} + any 2 of {analyst} ≤ epsilon 2 at "
        "delta 1e-6");
}

TEST_CASE("the structural overlay takes a coalition's fixed members", "[viz]") {
  auto g = viz::testing::hospital_fl();
  auto o = viz::structural_overlay(g, g.find_adversary("insider"), flow::kNone);
  REQUIRE(o.coalition);
  CHECK(o.coalition->name == "insider");
  CHECK(o.coalition->members == std::map<flow::Id, std::uint64_t>{{g.find_agent("hospital"), 14},
                                                                   {g.find_agent("server"), 1}});
  CHECK_FALSE(o.coalition->view_known);
  CHECK(o.observer == "coalition insider");
  // A requirement brings its own target; any16 has only a choice.
  auto r = viz::structural_overlay(g, flow::kNone, 1);
  REQUIRE(r.coalition);
  CHECK(r.coalition->name == "insider");
  auto a = viz::structural_overlay(g, g.find_adversary("any16"), flow::kNone);
  CHECK(a.coalition->members.empty());
  CHECK(a.coalition->note == "+ any 16 of {server, hospital, analyst}: the worst choice comes from the analysis");
  // forbid has no adversary.
  CHECK_FALSE(viz::structural_overlay(g, flow::kNone, 2).coalition);
}

TEST_CASE("golden DOT of the hospital pipeline", "[viz][golden]") {
  auto g = viz::testing::hospital_fl();
  SECTION("structure only") { check_golden("hospital_structure.dot", viz::to_dot(g, {})); }
  SECTION("insider coalition with leakage") { check_golden("hospital_insider.dot", viz::to_dot(g, insider_overlay(g))); }
  SECTION("derivation of outsider_budget") {
    check_golden("hospital_outsider_budget.dot", viz::to_dot(g, outsider_overlay(g)));
  }
  SECTION("requirement without an analysis: the data's dependents") {
    auto o = viz::structural_overlay(g, flow::kNone, viz::find_requirement(g, "line35"));
    check_golden("hospital_forbid_slice.dot", viz::to_dot(g, o));
  }
  SECTION("an exposed path") {
    auto gc = hospital_with_counts();
    auto o = viz::structural_overlay(gc, flow::kNone, flow::kNone);
    o.observer = "analyst";
    o.artifacts[2] = status(Leak::Status::kExposed);
    o.flows[2] = status(Leak::Status::kExposed);
    o.data[0] = status(Leak::Status::kExposed);
    o.artifacts[0] = eps(1, 20);
    o.artifacts[1] = eps(3, 10);
    o.flows[1] = eps(3, 10);
    check_golden("hospital_exposed.dot", viz::to_dot(gc, o));
  }
}

TEST_CASE("the DOT encodes leakage, coalition and derivation", "[viz]") {
  auto g = viz::testing::hospital_fl();
  std::string plain = viz::to_dot(g, {});
  CHECK(plain.find("\"cluster_region:EU\"") != std::string::npos);
  CHECK(plain.find("hospital \xc3\x97 20") != std::string::npos);  // population count
  CHECK(plain.find("\"data:patients@hospital\" [shape=\"cylinder\"") != std::string::npos);
  CHECK(plain.find("\"artifact:update\" [shape=\"hexagon\"") != std::string::npos);
  CHECK(plain.find("\"artifact:model\" [shape=\"box\"") != std::string::npos);
  CHECK(plain.find("secure aggregation,\\nthreshold 15") != std::string::npos);
  CHECK(plain.find("no leakage analysis") != std::string::npos);
  CHECK(plain.find("#ff1a1a") == std::string::npos);

  std::string insider = viz::to_dot(g, insider_overlay(g));
  CHECK(insider.find("\xe2\x97\x86 in coalition insider: 14 of 20") != std::string::npos);
  CHECK(insider.find("\xce\xb5 \xe2\x89\xa4 41.7") != std::string::npos);  // ε ≤ 41.7, rounded up
  // The analyst and the model's send are outside the view: faded.
  CHECK(insider.find("\"received:model@analyst<-server\" [shape=\"box\", style=\"filled,rounded,dashed\", "
                     "label=\"model\\nε ≤ 41.7\", color=\"#cfcfcf\"") != std::string::npos);

  std::string derivation = viz::to_dot(g, outsider_overlay(g));
  CHECK(derivation.find("BINDING: 100% of composed \xce\xb5") != std::string::npos);
  CHECK(derivation.find("peripheries=\"2\"") != std::string::npos);
  CHECK(derivation.find("composed \xce\xb5 \xe2\x89\xa4 1.93") != std::string::npos);

  // ε is never printed below the bound: 1/3 shows as 0.334, and bins compare exactly.
  auto o = viz::Overlay{};
  o.artifacts[0] = eps(1, 3);
  CHECK(viz::to_dot(g, o).find("\xce\xb5 \xe2\x89\xa4 0.334") != std::string::npos);
  struct Bin {
    Rational epsilon;
    std::string colour;
  };
  const std::vector<Bin> bins = {{make_rational(1, 10), "#1b7837"}, {make_rational(100001, 1000000), "#5aae61"},
                                 {make_rational(1), "#8c8c1a"},     {make_rational(2), "#d97b0f"},
                                 {make_rational(4), "#d6604d"},     {make_rational(8), "#b2182b"},
                                 {make_rational(417, 10), "#67001f"}};
  for (const auto& b : bins) {
    viz::Overlay ob;
    ob.artifacts[g.find_artifact("model")].status = Leak::Status::kPrivate;
    ob.artifacts[g.find_artifact("model")].epsilon = b.epsilon;
    std::string dot = viz::to_dot(g, ob);
    INFO("epsilon " << b.epsilon.get_str());
    CHECK(dot.find("\"artifact:model\" [shape=\"box\", label=\"model\\naggregate\\n") != std::string::npos);
    CHECK(dot.find("color=\"" + b.colour + "\"") != std::string::npos);
  }
}

TEST_CASE("the DOT does not depend on declaration order and is stable", "[viz]") {
  auto a = viz::testing::hospital_fl(false);
  auto b = viz::testing::hospital_fl(true);
  REQUIRE(a.agents[0].name != b.agents[0].name);
  CHECK(viz::to_dot(a, {}) == viz::to_dot(b, {}));
  CHECK(viz::to_dot(a, {}) == viz::to_dot(a, {}));
  auto s = viz::testing::synthetic(200);
  CHECK(viz::to_dot(s, {}) == viz::to_dot(s, {}));
}

TEST_CASE("user text is escaped for DOT", "[viz]") {
  auto g = viz::testing::hospital_fl();
  g.title = "say \"hi\" \\N and\ttab";
  g.agents[0].title = "back\\slash <b>&</b>";
  std::string dot = viz::to_dot(g, {});
  CHECK(dot.find("say &quot;hi&quot; \\N and tab") != std::string::npos);  // the title is an HTML label
  CHECK(dot.find("back\\\\slash <b>&</b>") != std::string::npos);
  std::string bytes, error;
  REQUIRE(viz::render(dot, viz::Format::kSvg, bytes, error));
  CHECK(bytes.find("say &quot;hi&quot; \\N and tab") != std::string::npos);
  CHECK(bytes.find("back\\slash &lt;b&gt;&amp;&lt;/b&gt;") != std::string::npos);
  // Invalid UTF-8 becomes U+FFFD; valid multi-byte text is kept.
  g.title = "bad \xff\xc3 ok \xce\xb5 \xed\xa0\x80 end \xce";
  dot = viz::to_dot(g, {});
  CHECK(dot.find("bad \xef\xbf\xbd\xef\xbf\xbd ok \xce\xb5 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd") !=
        std::string::npos);
}

TEST_CASE("diagrams render in-process to PNG, SVG and PDF", "[viz][render]") {
  auto g = viz::testing::hospital_fl();
  struct Case {
    viz::Format format;
    std::string magic;
    std::string file;
    viz::Overlay overlay;
  };
  const std::vector<Case> cases = {
      {viz::Format::kPng, "\x89PNG\r\n\x1a\n", "hospital_insider.png", insider_overlay(g)},
      {viz::Format::kPng, "\x89PNG\r\n\x1a\n", "hospital_outsider_budget.png", outsider_overlay(g)},
      {viz::Format::kSvg, "<?xml", "hospital_insider.svg", insider_overlay(g)},
      {viz::Format::kPdf, "%PDF-", "hospital_insider.pdf", insider_overlay(g)},
      {viz::Format::kDot, "// privflow", "hospital_insider.dot", insider_overlay(g)},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    std::string bytes, error;
    REQUIRE(viz::render(viz::to_dot(g, c.overlay), c.format, bytes, error));
    CHECK(error.empty());
    CHECK(starts_with(bytes, c.magic));
    CHECK(bytes.size() > 500);
    REQUIRE(write_output((out_dir() / c.file).string(), bytes, error));
  }
  // Rendering twice gives the same PNG bytes.
  std::string one, two, error;
  REQUIRE(viz::render(viz::to_dot(g, {}), viz::Format::kPng, one, error));
  REQUIRE(viz::render(viz::to_dot(g, {}), viz::Format::kPng, two, error));
  CHECK(one == two);
  REQUIRE(write_output((out_dir() / "hospital_structure.png").string(), one, error));
  auto gc = hospital_with_counts();
  viz::Overlay o;
  o.observer = "analyst";
  o.artifacts[2] = status(Leak::Status::kExposed);
  o.flows[2] = status(Leak::Status::kExposed);
  REQUIRE(viz::render(viz::to_dot(gc, o), viz::Format::kPng, one, error));
  REQUIRE(write_output((out_dir() / "hospital_exposed.png").string(), one, error));
}

TEST_CASE("Graphviz failures are reported, not thrown or printed", "[viz][render]") {
  std::string bytes, error;
  CHECK_FALSE(viz::render("digraph { a -> ", viz::Format::kSvg, bytes, error));
  CHECK(error.find("Graphviz cannot read the diagram") != std::string::npos);
  CHECK(error.find("syntax error") != std::string::npos);
  CHECK(bytes.empty());
  // The context survives a failure.
  REQUIRE(viz::render("digraph { a -> b }", viz::Format::kSvg, bytes, error));
  CHECK(starts_with(bytes, "<?xml"));
}

TEST_CASE("a 200-computation pipeline renders", "[viz][render]") {
  auto g = viz::testing::synthetic(200);
  std::string dot = viz::to_dot(g, {});
  CHECK(count_of(dot, "\"artifact:") >= 200);
  CHECK(count_of(dot, "subgraph \"cluster_agent:") == 10);
  std::string bytes, error;
  REQUIRE(viz::render(dot, viz::Format::kPng, bytes, error));
  CHECK(starts_with(bytes, "\x89PNG"));
  REQUIRE(write_output((out_dir() / "synthetic_200.png").string(), bytes, error));
  REQUIRE(viz::render(dot, viz::Format::kSvg, bytes, error));
  CHECK(count_of(bytes, "class=\"node\"") >= 200 + 40);
}

TEST_CASE("every example renders", "[viz][examples]") {
  fs::path dir = fs::path(PRIVFLOW_SOURCE_DIR) / "examples";
  std::vector<fs::path> specs;
  if (fs::exists(dir))
    for (auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".pflow") specs.push_back(e.path());
  std::sort(specs.begin(), specs.end());
  REQUIRE(!specs.empty());
  for (const auto& path : specs) {
    lang::SourceFile source(path.string(), read_file(path));
    lang::Diagnostics diags(source);
    auto graph = lang::load_spec(source, diags);
    if (!graph) FAIL(path.filename().string() << " does not load");
    INFO(path.string());
    std::string bytes, error;
    REQUIRE(viz::render(viz::to_dot(*graph, {}), viz::Format::kPng, bytes, error));
    CHECK(starts_with(bytes, "\x89PNG"));
    REQUIRE(write_output((out_dir() / (path.stem().string() + ".png")).string(), bytes, error));
    // Every adversary's and every requirement's view renders (SVG: cheaper than PNG).
    for (flow::Id a = 0; a < graph->adversaries.size(); ++a) {
      INFO("adversary " << graph->adversaries[a].name);
      REQUIRE(viz::render(viz::to_dot(*graph, viz::structural_overlay(*graph, a, flow::kNone)), viz::Format::kSvg,
                          bytes, error));
    }
    for (flow::Id r = 0; r < graph->requirements.size(); ++r) {
      INFO("requirement " << graph->requirements[r].name);
      std::string dot = viz::to_dot(*graph, viz::structural_overlay(*graph, flow::kNone, r));
      CHECK(dot.find("requirement " + graph->requirements[r].name + ": ") != std::string::npos);
      REQUIRE(viz::render(dot, viz::Format::kSvg, bytes, error));
    }
  }
}

TEST_CASE("thousands of agents that receive the same things are drawn as one frame", "[viz][summary]") {
  std::string spec = "data d { rows: 1000 }\nregion EU\nagent hub { trust: curious, holds: d }\n";
  for (int i = 0; i < 3000; ++i)
    spec += "agent a" + std::to_string(i) + " { trust: " + (i % 2 ? "curious" : "malicious") + " }\n";
  spec += "agent lone { trust: curious, region: EU }\n";
  spec += "compute n at hub = count(d)\ncompute c at hub = laplace(n, epsilon: 1)\n";
  for (int i = 0; i < 3000; ++i) spec += "send c to a" + std::to_string(i) + "\n";
  spec += "adversary pair = {a7, a8}\nrequire dp(d) against pair <= epsilon 2\n";
  lang::SourceFile source("fanout.pflow", spec);
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  REQUIRE(graph);
  std::string dot = viz::to_dot(*graph, {});
  auto count = [&dot](const std::string& what) {
    std::size_t n = 0;
    for (auto at = dot.find(what); at != std::string::npos; at = dot.find(what, at + 1)) ++n;
    return n;
  };
  // hub, lone, a7 and a8 (named by a coalition), and one frame per trust: 6 frames, not 3,002.
  CHECK(count("subgraph \"cluster_agent:") == 6);
  CHECK(dot.find("a1 \xe2\x80\xa6 a999 (1,499 agents alike)") != std::string::npos);
  CHECK(dot.find("a0 \xe2\x80\xa6 a998 (1,499 agents alike)") != std::string::npos);
  CHECK(dot.find("summary: 2,998 of the 3,002 agents receive the same as others and are drawn as 2 frames") !=
        std::string::npos);
  CHECK(dot.find("cluster_agent:a7") != std::string::npos);
  CHECK(dot.size() < 20000);
  CHECK(viz::to_dot(*graph, {}) == dot);
  // A small pipeline is drawn agent by agent, as before.
  CHECK(viz::to_dot(viz::testing::hospital_fl(false), {}).find("summary:") == std::string::npos);
}

TEST_CASE("many releases alike are drawn as one node per name stem, with the fields' range", "[viz][summary]") {
  // 3 stems × 15 randomized responses (45 releases, past the 40 drawn one by one), one of them
  // read by a later computation (kept apart), and a laplace whose parameters differ.
  std::string spec = "data u { rows: 1000\n";
  for (const char* stem : {"a", "b", "c"})
    for (int i = 10; i < 25; ++i) spec += std::string("  field ") + stem + std::to_string(i) + ": bool\n";
  spec += "}\nagent hub { trust: trusted, holds: u }\nagent partner { trust: curious }\n";
  for (const char* stem : {"a", "b", "c"})
    for (int i = 10; i < 25; ++i) {
      const std::string name = std::string("rr_") + stem + std::to_string(i);
      spec += "compute " + name + " at hub = randomized_response(u." + stem + std::to_string(i) + ", keep: 3/5)\n";
      spec += "send " + name + " to partner via encrypted\n";
    }
  spec += "compute tally at partner = count(rr_c24)\n";
  spec += "compute noisy at hub = laplace(u, epsilon: 1)\nsend noisy to partner\n";
  spec += "require dp(u) against {partner} <= epsilon 100\n";
  lang::SourceFile source("alike.pflow", spec);
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  REQUIRE(graph);
  const std::string dot = viz::to_dot(*graph, {});
  const std::string ellipsis = " \xe2\x80\xa6 ";
  CHECK(dot.find("rr_a10" + ellipsis + "rr_a24 (15 alike)") != std::string::npos);
  CHECK(dot.find("rr_b10" + ellipsis + "rr_b24 (15 alike)") != std::string::npos);
  CHECK(dot.find("rr_c10" + ellipsis + "rr_c23 (14 alike)") != std::string::npos);  // rr_c24 is read by tally
  CHECK(dot.find("\"artifact:rr_c24\"") != std::string::npos);
  CHECK(dot.find("\"artifact:rr_a11\"") == std::string::npos);
  CHECK(dot.find(".a10" + ellipsis + ".a24") != std::string::npos);  // the input edge names the fields' range
  CHECK(dot.find("summary: 44 releases alike") != std::string::npos);
  CHECK(dot.find("\"artifact:noisy\"") != std::string::npos);
  CHECK(viz::to_dot(*graph, {}) == dot);
  // A small pipeline draws every release.
  CHECK(viz::to_dot(viz::testing::hospital_fl(false), {}).find("alike") == std::string::npos);
}

namespace {
/// The DOT with its label line breaks (wrapped words) turned back into spaces.
std::string unwrapped(const std::string& dot) {
  std::string out;
  for (std::size_t i = 0; i < dot.size(); ++i) {
    const bool line_break = dot[i] == '\\' && i + 1 < dot.size() && (dot[i + 1] == 'n' || dot[i + 1] == 'l');
    out += line_break ? ' ' : dot[i];
    i += line_break ? 1 : 0;
  }
  return out;
}
}  // namespace

TEST_CASE("the topology node shows the colluders' distance from the target", "[viz][network]") {
  const std::string spec = R"(pipeline walk "A token walk"
settings { delta: 1e-5 }
data clicks "Clicks" { rows: 100 }
agent phone[100] "Phone" { trust: curious, holds: clicks by partition, topology: ring }
compute model at phone = token_walk(clicks, sigma: 4, steps: 300, sensitivity: 1)
adversary far = any 2 of {phone} at distance >= 3
adversary near = any 2 of {phone}
require far_budget: dp(clicks) against far <= epsilon 2
)";
  lang::SourceFile source("walk.pflow", spec);
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  REQUIRE(graph);
  const std::string far = unwrapped(viz::to_dot(*graph, viz::structural_overlay(*graph, graph->find_adversary("far"), flow::kNone)));
  CHECK(far.find("any 2 colluders at distance \xe2\x89\xa5 3 from the target") != std::string::npos);
  CHECK(far.find("any 2 of {phone} at distance \xe2\x89\xa5 3: the worst choice") != std::string::npos);
  const std::string by_requirement =
      unwrapped(viz::to_dot(*graph, viz::structural_overlay(*graph, flow::kNone, viz::find_requirement(*graph, "far_budget"))));
  CHECK(by_requirement.find("at distance \xe2\x89\xa5 3 from the target") != std::string::npos);
  const std::string near =
      unwrapped(viz::to_dot(*graph, viz::structural_overlay(*graph, graph->find_adversary("near"), flow::kNone)));
  CHECK(near.find("any 2 colluders, placed at worst") != std::string::npos);
  CHECK(near.find("at distance") == std::string::npos);
}
