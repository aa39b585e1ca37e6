// Determinism: the same spec gives the same bytes in every format, run after run, under a
// German locale (decimal commas) set through the environment, std::locale::global or
// setlocale, inside one process (Graphviz twice), and the same verdicts whatever the order
// of the statements.
#include <clocale>
#include <locale>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "tests/reliability/run.hpp"
#include "viz/diagram.hpp"

namespace {

using namespace reliability;

const char* const kGerman = "de_DE.UTF-8";

bool german_locale_available() { return std::setlocale(LC_ALL, kGerman) != nullptr && std::setlocale(LC_ALL, "C"); }

// Every output of privflow on `spec`, by name: file name → bytes.
std::map<std::string, std::string> all_outputs(const fs::path& spec, const std::string& requirement,
                                               const std::string& param, const std::string& env) {
  TempDir dir;
  const std::string s = spec.string();
  std::map<std::string, std::string> out;
  auto stdout_of = [&](const std::string& name, const std::vector<std::string>& args) {
    Result r = run_privflow(args, dir.path(), env);
    INFO(name << ": " << r.err);
    CHECK(r.code <= 3);
    out[name] = r.out;
  };
  stdout_of("check", {"check", "-v", s});
  for (const char* f : {"text", "markdown", "json", "sarif", "html"}) {
    run_privflow({"report", s, "--format", f, "-o", std::string("report.") + f}, dir.path(), env);
  }
  for (const char* f : {"dot", "svg", "png", "pdf"}) {
    run_privflow({"diagram", s, "-o", std::string("diagram.") + f}, dir.path(), env);
  }
  stdout_of("explain", {"explain", s, requirement});
  stdout_of("graph.json", {"graph", s, "--format", "json"});
  stdout_of("graph.dot", {"graph", s, "--format", "dot"});
  stdout_of("fmt", {"fmt", s});
  if (!param.empty()) stdout_of("tune.json", {"tune", s, "--param", param, "--json"});
  stdout_of("account.json", {"account", "dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps",
                             "10000", "--delta", "1e-5", "--json"});
  stdout_of("account.txt", {"account", "gaussian", "--sigma", "2.5", "--times", "30", "--delta", "1e-6"});
  for (const auto& name : dir.list()) out[name] = slurp(dir / name);
  return out;
}

void require_same(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [name, bytes] : a) {
    CAPTURE(name);
    REQUIRE(b.count(name) == 1);
    CHECK(!bytes.empty());
    CHECK(bytes == b.at(name));
  }
}

}  // namespace

TEST_CASE("two runs give the same bytes in every format", "[reliability][determinism]") {
  // (tune, the slowest, is compared across processes in the locale test below)
  auto first = all_outputs(kExamples / "hospital_fl.pflow", "outsider_budget", "", "");
  auto second = all_outputs(kExamples / "hospital_fl.pflow", "outsider_budget", "", "");
  CHECK(first.size() == 16);  // 7 on standard output, 9 files
  require_same(first, second);
}

TEST_CASE("LC_ALL=de_DE.UTF-8 changes no byte (decimal points stay points)", "[reliability][determinism]") {
  if (!german_locale_available())
    RELIABILITY_SKIP("the de_DE.UTF-8 locale is not generated (scripts/setup makes it)");
  for (const char* example : {"genai_finetune", "census_stats"}) {
    CAPTURE(example);
    fs::path spec = kExamples / (std::string(example) + ".pflow");
    std::string requirement = std::string(example) == "census_stats" ? "press_budget" : "line1";
    std::string param = std::string(example) == "genai_finetune" ? "noise" : "";
    if (requirement == "line1") {  // the first named requirement of the example
      std::string text = slurp(spec);
      auto at = text.find("\nrequire ");
      auto colon = text.find(':', at);
      requirement = text.substr(at + 9, colon - at - 9);
    }
    auto c = all_outputs(spec, requirement, param, "LC_ALL=C");
    auto de = all_outputs(spec, requirement, param, std::string("LC_ALL=") + kGerman + " LANG=" + kGerman);
    require_same(c, de);
    CHECK(c["account.txt"].find("epsilon = ") != std::string::npos);
    CHECK(c["account.txt"].find("delta = 1e-06") != std::string::npos);
  }
}

TEST_CASE("a process-wide German locale (std::locale::global and setlocale) changes no byte",
          "[reliability][determinism]") {
  if (!german_locale_available())
    RELIABILITY_SKIP("the de_DE.UTF-8 locale is not generated (scripts/setup makes it)");
  const std::string spec = (kExamples / "hospital_fl.pflow").string();
  auto run = [&](std::vector<std::string> args) {
    std::istringstream in;
    std::ostringstream out, err;
    int code = privflow::cli::run(args, {in, out, err, false});
    CHECK(code <= 3);
    return out.str();
  };
  const std::vector<std::vector<std::string>> commands = {
      {"report", spec, "--format", "json"},
      {"report", spec, "--format", "html"},  // text, tables and the rendered SVG
      {"diagram", spec, "--format", "svg"},
      {"frontier", spec, "--param", "sigma", "--points", "5"},  // the chart's SVG: privflow's own numbers
      {"explain", spec, "outsider_budget"},
      {"graph", spec, "--format", "json"},
      {"account", "dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps", "10000", "--delta", "1e-5"},
  };
  std::vector<std::string> plain;
  for (const auto& c : commands) plain.push_back(run(c));
  std::locale previous = std::locale::global(std::locale(kGerman));
  std::setlocale(LC_ALL, kGerman);
  std::vector<std::string> german;
  for (const auto& c : commands) german.push_back(run(c));
  std::setlocale(LC_ALL, "C");
  std::locale::global(previous);
  REQUIRE(german.size() == plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    CAPTURE(commands[i]);
    CHECK(!plain[i].empty());
    CHECK(german[i] == plain[i]);
  }
}

TEST_CASE("viz::render twice in one process gives the same SVG", "[reliability][determinism]") {
  std::istringstream in;
  std::ostringstream dot, err;
  REQUIRE(privflow::cli::run({"diagram", (kExamples / "hospital_fl.pflow").string()}, {in, dot, err, false}) == 1);
  std::string first, second, third, error;
  REQUIRE(privflow::viz::render(dot.str(), privflow::viz::Format::kSvg, first, error));
  REQUIRE(privflow::viz::render(dot.str(), privflow::viz::Format::kSvg, second, error));
  // Graphviz state in between (another graph) must not matter either.
  std::string other;
  REQUIRE(privflow::viz::render("digraph x { b -> a; subgraph cluster_z { c } subgraph cluster_a { d } }",
                                privflow::viz::Format::kSvg, other, error));
  REQUIRE(privflow::viz::render(dot.str(), privflow::viz::Format::kSvg, third, error));
  CHECK(first == second);
  CHECK(first == third);
  // And the same as a fresh process gives.
  TempDir dir;
  Result fresh = run_privflow({"diagram", (kExamples / "hospital_fl.pflow").string(), "--format", "svg"}, dir.path());
  CHECK(fresh.out == first);
}

namespace {

// The statements of a spec (each with its continuation lines), comments and blank lines dropped.
std::vector<std::string> statements(const std::string& text) {
  static const std::set<std::string> keywords = {"pipeline", "settings", "region", "category", "param", "data",
                                                 "agent", "compute", "send", "adversary", "require", "forbid"};
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#' || line.compare(first, 2, "//") == 0) continue;
    std::string word = line.substr(0, line.find_first_of(" \t{"));
    if (first == 0 && keywords.count(word)) out.push_back(line + "\n");
    else if (!out.empty()) out.back() += line + "\n";
  }
  return out;
}

// Verdicts without names or lines (an unnamed requirement is named after its line).
std::multiset<std::string> verdicts(const std::string& json) {
  std::multiset<std::string> out;
  const nlohmann::json doc = nlohmann::json::parse(json);  // outlives the loop (ASan: use after free)
  auto text = [](const nlohmann::json& r, const char* key) {  // null (forbid's data, an inline coalition): ""
    auto it = r.find(key);
    return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& r : doc.at("requirements")) {
    std::string name = text(r, "name");
    bool unnamed = name.rfind("line", 0) == 0;
    out.insert((unnamed ? std::string("-") : name) + " " + text(r, "measure") + " " + text(r, "data") + " " +
               text(r, "adversary") + " " + text(r, "status") + " " + r["value"].dump() + " " + r["bound"].dump() +
               " " + r["coalition"].dump());
  }
  return out;
}

}  // namespace

TEST_CASE("statements in another order give the same verdicts", "[reliability][determinism]") {
  TempDir dir;
  for (const char* example : {"hospital_fl", "rr_survey", "census_stats", "phones_shuffler", "smart_meters",
                              "social_recommender", "support_agents", "genai_finetune"}) {
    CAPTURE(example);
    std::string text = slurp(kExamples / (std::string(example) + ".pflow"));
    auto parts = statements(text);
    REQUIRE(parts.size() > 5);
    std::string reversed, rotated;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) reversed += *it;
    for (std::size_t i = 0; i < parts.size(); ++i) rotated += parts[(i * 7 + 3) % parts.size()];
    if (parts.size() % 7 == 0) rotated = reversed;  // (i*7+3) mod n must be a permutation
    spit(dir / "reversed.pflow", reversed);
    spit(dir / "rotated.pflow", rotated);
    Result a = run_privflow({"report", (kExamples / (std::string(example) + ".pflow")).string(), "--format", "json"}, dir.path());
    Result b = run_privflow({"report", "reversed.pflow", "--format", "json"}, dir.path());
    Result c = run_privflow({"report", "rotated.pflow", "--format", "json"}, dir.path());
    CAPTURE(b.err, c.err);
    CHECK(a.code == b.code);
    CHECK(a.code == c.code);
    REQUIRE(!a.out.empty());
    REQUIRE(!b.out.empty());
    REQUIRE(!c.out.empty());
    CHECK(verdicts(a.out) == verdicts(b.out));
    CHECK(verdicts(a.out) == verdicts(c.out));
  }
}
