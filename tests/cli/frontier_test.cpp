// `privflow frontier` in process, on tests/cli/data/frontier_laplace.pflow: one Laplace count
// whose epsilon is the param e. Its points are checked against the closed forms, computed here:
// ε(δ) of the Laplace mechanism lies between e + 2·ln(1 − δ) (its exact privacy profile) and e
// (pure DP), and the 95 % half-width of its error is (Δ/e)·ln(1/0.05). The SVG is a golden file
// (tests/cli/golden; PRIVFLOW_UPDATE_GOLDENS=1 rewrites it).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/frontier.hpp"
#include "base/file_io.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "plot/chart.hpp"
#include "report/report.hpp"
#include "tests/support/cli.hpp"

namespace fs = std::filesystem;
using privflow::test::run_cli;

namespace {

const std::string kSpec = std::string(PRIVFLOW_SOURCE_DIR) + "/tests/cli/data/frontier_laplace.pflow";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path out_dir() {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "cli" / "frontier";
  fs::create_directories(dir);
  return dir;
}

void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(PRIVFLOW_SOURCE_DIR) / "tests" / "cli" / "golden" / name;
  const char* update = std::getenv("PRIVFLOW_UPDATE_GOLDENS");
  if (update && std::string(update) == "1") {
    std::string error;
    REQUIRE(privflow::write_output(path.string(), actual, error));
    WARN("updated " << path.string());
    return;
  }
  INFO("golden " << path.string() << " (PRIVFLOW_UPDATE_GOLDENS=1 rewrites it)");
  REQUIRE(fs::exists(path));
  CHECK(read_file(path) == actual);
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

}  // namespace

TEST_CASE("frontier's points are the Laplace mechanism's closed forms", "[cli][frontier]") {
  auto r = run_cli({"frontier", kSpec, "--param", "e", "--points", "7", "--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["x_axis"]["kind"] == "utility");
  CHECK(j["x_axis"]["requirement"] == "accuracy");
  CHECK(j["tuned"] == "2");  // the largest e with ε ≤ 2
  CHECK(j["current"] == "1");
  const double delta = 1e-5, ln20 = std::log(20.0);
  int current = 0, tuned = 0;
  for (const auto& p : j["points"]) {
    const double e = std::stod(p["value_exact"].get<std::string>());
    CAPTURE(e);
    REQUIRE(p["analysed"] == true);
    const double eps = p["measures"][0]["value"].get<double>();
    CHECK(eps >= e + 2 * std::log1p(-delta));
    CHECK(eps <= e * (1 + 1e-12));
    CHECK(std::stod(p["measures"][0]["value_text"].get<std::string>()) >= eps);  // printed rounded up
    const double w = p["x"].get<double>();  // the error half-width: never below the closed form
    CHECK(w >= ln20 / e * (1 - 1e-15));
    CHECK(w <= ln20 / e * (1 + 1e-9));
    CHECK(p["measures"][1]["value"].get<double>() == w);
    CHECK(p["holds"] == (e <= 2 && ln20 / e <= 6));
    current += p["current"].get<bool>() ? 1 : 0;
    tuned += p["tuned"].get<bool>() ? 1 : 0;
  }
  CHECK(j["points"].size() == 9);  // 7 evenly spaced, the current value 1 and tune's 2
  CHECK(current == 1);
  CHECK(tuned == 1);
}

TEST_CASE("frontier --scale log sweeps geometrically and draws a logarithmic axis", "[cli][frontier]") {
  auto r = run_cli({"frontier", kSpec, "--param", "e", "--points", "5", "--scale", "log", "--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["spacing"] == "geometric");
  std::vector<std::string> values;
  for (const auto& p : j["points"]) values.push_back(p["value_exact"]);
  CHECK(values == std::vector<std::string>{"0.25", "0.5", "1", "2", "4"});  // 0.25·2^k; current and tuned among them
  r = run_cli({"frontier", kSpec, "--param", "e", "--points", "5", "--scale", "log"});
  CHECK(r.out.find("(log scale)") != std::string::npos);
  CHECK(r.out.find("spaced geometrically") != std::string::npos);
  // auto: [0.25, 4] spans less than two decades, so the sweep stays even.
  r = run_cli({"frontier", kSpec, "--param", "e", "--points", "5", "--json"});
  CHECK(nlohmann::json::parse(r.out)["spacing"] == "even");
  r = run_cli({"frontier", kSpec, "--param", "e", "--scale", "cubic"});
  CHECK(r.code == 2);
}

TEST_CASE("frontier draws a golden SVG, the same in two runs and in a German locale", "[cli][frontier]") {
  const std::vector<std::string> args = {"frontier", kSpec, "--param", "e", "--points", "9"};
  auto r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  check_golden("frontier_laplace.svg", r.out);
  CHECK(run_cli(args).out == r.out);
  if (!std::setlocale(LC_ALL, "de_DE.UTF-8")) {
    WARN("de_DE.UTF-8 is not installed (scripts/setup generates it)");
    return;
  }
  std::locale previous = std::locale::global(std::locale("de_DE.UTF-8"));
  const auto german = run_cli(args);
  std::setlocale(LC_ALL, "C");
  std::locale::global(previous);
  CHECK(german.out == r.out);
}

TEST_CASE("frontier's chart marks the bound, the feasible band, the current value and tune's", "[cli][frontier]") {
  auto r = run_cli({"frontier", kSpec, "--param", "e", "--points", "9"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find(">press_budget: dp(people) against {press} ≤ epsilon 2</text>") != std::string::npos);
  CHECK(r.out.find(">≤ 2</text>") != std::string::npos);           // the bound, labelled
  CHECK(r.out.find(">accuracy ≤ 6</text>") != std::string::npos);  // the x axis's bound
  CHECK(r.out.find(">current e = 1</text>") != std::string::npos);
  CHECK(r.out.find(">tune: e = 2</text>") != std::string::npos);
  CHECK(r.out.find("fill-opacity=\"0.22\"") != std::string::npos);  // the feasible band
  CHECK(r.out.find(">error of noisy: 95 % half-width</text>") != std::string::npos);
  // With only the utility requirement, nothing to plot against the error: the x axis is e.
  auto alone = run_cli({"frontier", kSpec, "--param", "e", "--requirement", "accuracy", "--points", "3"});
  REQUIRE(alone.code == 0);
  CHECK(alone.out.find("The x axis is e itself") != std::string::npos);
}

TEST_CASE("frontier -o FILE.png writes a PNG of twice the SVG's size", "[cli][frontier]") {
  const fs::path png = out_dir() / "laplace.png";
  fs::remove(png);
  auto r = run_cli({"frontier", kSpec, "--param", "e", "--points", "9", "-o", png.string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.empty());
  const std::string bytes = read_file(png);
  REQUIRE(bytes.size() > 24);
  CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  const auto size = privflow::plot::svg_size(run_cli({"frontier", kSpec, "--param", "e", "--points", "9"}).out);
  REQUIRE(size);
  CHECK(big_endian(bytes, 16) == static_cast<std::uint32_t>(2 * size->first));
  CHECK(big_endian(bytes, 20) == static_cast<std::uint32_t>(2 * size->second));
  const fs::path svg = out_dir() / "laplace.svg";
  REQUIRE(run_cli({"frontier", kSpec, "--param", "e", "--points", "9", "-o", svg.string()}).code == 0);
  CHECK(read_file(svg).rfind("<?xml", 0) == 0);
}

TEST_CASE("frontier's input errors exit 2 with a suggestion and write nothing", "[cli][frontier]") {
  const fs::path out = out_dir() / "refused.svg";
  struct Case {
    std::vector<std::string> args;
    std::string input, message;
  };
  const std::vector<Case> cases = {
      {{"--param", "ee"}, "", "privflow frontier: error: no param named 'ee'; did you mean 'e'?\n"},
      {{"--param", "e", "--requirement", "press_budgt"}, "",
       "privflow frontier: error: no requirement named 'press_budgt'; did you mean 'press_budget'?\n"},
      {{"--param", "e", "--format", "pdf"}, "", "privflow frontier: error: unknown chart format 'pdf' (svg or png)\n"},
      {{"--param", "fixed"}, "param fixed = 3\nagent a { trust: trusted }\n",
       "<stdin>:1:1: error: param 'fixed' has no range: declare it as `param fixed = 3 in [lo, hi]` to sweep it"},
      {{"--param", "e", "--points", "1"}, "", "--points"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"frontier", c.input.empty() ? kSpec : "-"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"-o", out.string()});
    for (bool existing : {false, true}) {
      CAPTURE(c.message, existing);
      fs::remove(out);
      if (existing) std::ofstream(out) << "kept";
      auto r = run_cli(args, c.input);
      CHECK(r.code == 2);
      CHECK(r.err.find(c.message) != std::string::npos);
      CHECK(r.out.empty());
      CHECK(fs::exists(out) == existing);
      if (existing) CHECK(read_file(out) == "kept");
    }
  }
  auto bad_ext = run_cli({"frontier", kSpec, "--param", "e", "-o", (out_dir() / "chart.pdf").string()});
  CHECK(bad_ext.code == 2);
  CHECK(bad_ext.err.find("name it .svg or .png, or give --format") != std::string::npos);
  CHECK_FALSE(fs::exists(out_dir() / "chart.pdf"));
}

TEST_CASE("frontier never overwrites its spec, and a spent budget leaves no file", "[cli][frontier]") {
  const fs::path spec = out_dir() / "own.pflow";
  fs::copy_file(kSpec, spec, fs::copy_options::overwrite_existing);
  auto r = run_cli({"frontier", spec.string(), "--param", "e", "-o", spec.string()});
  CHECK(r.code == 2);
  CHECK(read_file(spec) == read_file(kSpec));
  const fs::path out = out_dir() / "late.svg";
  fs::remove(out);
  auto late = run_cli({"frontier", kSpec, "--param", "e", "--timeout", "0.000001", "-o", out.string()});
  CHECK(late.code == 3);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("the HTML report charts a spec's params, with the data table", "[cli][frontier][html]") {
  auto r = run_cli({"report", kSpec, "--format", "html"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("<section id=\"frontier\">") != std::string::npos);
  CHECK(r.out.find("<div class=\"frontier-chart\">\n<svg") != std::string::npos);
  CHECK(r.out.find("<caption>e: every analysed point</caption>") != std::string::npos);
  CHECK(r.out.find("<td class=\"num\">1 (current)</td>") != std::string::npos);
  CHECK(r.out.find("<clipPath id=\"frontier-e-clip0\">") != std::string::npos);  // unique on the page
  auto without = run_cli({"report", kSpec, "--format", "html", "--no-frontier"});
  CHECK(without.out.find("<section id=\"frontier\">") == std::string::npos);
}

TEST_CASE("a sweep the time budget cut short is named in the HTML report, not drawn", "[cli][frontier][html]") {
  const std::string text = read_file(kSpec);
  privflow::lang::SourceFile source(kSpec, text);
  privflow::lang::Diagnostics diags(source);
  auto graph = privflow::lang::load_spec(source, diags);
  REQUIRE(graph);
  const auto analysis = privflow::analyzer::analyze(*graph);
  privflow::analyzer::FrontierOptions options;
  options.points = 3;
  auto cut = privflow::analyzer::frontier(*graph, "e", options);
  REQUIRE(cut.valid);
  cut.out_of_time = true;  // as when the budget ends inside the sweep
  privflow::report::Options report_options;
  report_options.diagram = false;
  report_options.frontiers = {cut};
  const std::string html = privflow::report::to_html(*graph, analysis, report_options);
  CHECK(html.find("e not drawn: the time budget ran out.") != std::string::npos);
  CHECK(html.find("<div class=\"frontier-chart\">") == std::string::npos);
}
