// `privflow report` and `privflow explain` run in process: exit codes, messages, files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"

namespace fs = std::filesystem;
using namespace privflow;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = cli::run(args, {in, out, err, false});
  return {code, out.str(), err.str()};
}

std::string example(const std::string& name) { return std::string(PRIVFLOW_SOURCE_DIR) + "/examples/" + name + ".pflow"; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// A small spec written here, so these tests do not depend on the examples' verdicts.
const char* kSpec = R"(pipeline tiny "A tiny survey"
data people { rows: 1000  field answer: {yes, no} prior {1/4, 3/4} }
agent person[1000] { trust: honest, holds: people by partition }
agent pollster { trust: curious }
compute reply at person = randomized_response(people.answer, keep: 3/4)
send reply to pollster
require budget: dp(people) against {pollster} <= epsilon 2
require loose: dp(people) against {pollster} <= epsilon 1
)";

}  // namespace

TEST_CASE("report: formats, exit codes and the output file", "[report][cli]") {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "report" / "cli";
  fs::create_directories(dir);
  fs::path spec = dir / "tiny.pflow";
  {
    std::ofstream(spec) << kSpec;
  }
  auto text = run({"report", spec.string()});
  INFO(text.err);
  REQUIRE(text.code != 2);  // the spec loads
  // keep 3/4 over 2 values is epsilon ln 3 ≈ 1.0986: within 2, above 1.
  CHECK(text.code == 1);
  CHECK((contains(text.out, ": holds: dp(people) against {pollster}") || contains(text.out, ": holds: dp(people) against pollster")));
  CHECK(contains(text.out, ": violated: dp(people) against"));
  CHECK(contains(text.out, "[loose]\n"));
  CHECK(contains(text.out, "2 requirements: 1 holds, 1 violated\n"));

  auto json = run({"report", spec.string(), "--format", "json"});
  CHECK(json.code == 1);
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["pipeline"] == "tiny");
  CHECK(j["requirements"].size() == 2);
  CHECK(j["summary"]["exit_code"] == 1);

  fs::path out = dir / "tiny.sarif";
  fs::remove(out);
  auto sarif = run({"report", spec.string(), "--format", "sarif", "-o", out.string()});
  CHECK(sarif.code == 1);
  CHECK(sarif.out.empty());
  REQUIRE(fs::exists(out));
  auto s = nlohmann::json::parse(read_file(out));
  CHECK(s["runs"][0]["results"].size() == 1);

  for (const char* format : {"markdown", "md", "html", "text"}) {
    INFO(format);
    auto r = run({"report", spec.string(), "--format", format});
    CHECK(r.code == 1);
    CHECK_FALSE(r.out.empty());
  }

  // Only the holding requirement: exit 0.
  fs::path holds = dir / "holds.pflow";
  {
    std::string only(kSpec);
    only.erase(only.find("require loose"));
    std::ofstream(holds) << only;
  }
  CHECK(run({"report", holds.string()}).code == 0);

  // The accountant can be overridden, as for `check`; an unknown one is a command-line error.
  CHECK(run({"report", spec.string(), "--accountant", "rdp"}).code == 1);
  CHECK(run({"report", spec.string(), "--accountant", "fft"}).code == 2);

  // Standard input.
  auto piped = run({"report", "-", "--format", "json"}, kSpec);
  CHECK(piped.code == 1);
}

TEST_CASE("report: invalid command lines and specs exit 2", "[report][cli]") {
  auto bad_format = run({"report", example("rr_survey"), "--format", "pdf"});
  CHECK(bad_format.code == 2);
  CHECK(bad_format.err == "privflow: error: unknown report format 'pdf' (text, markdown, json, sarif or html)\n");
  auto missing = run({"report", "/nonexistent/spec.pflow"});
  CHECK(missing.code == 2);
  CHECK(contains(missing.err, "privflow: error: cannot read '/nonexistent/spec.pflow'"));
  auto broken = run({"report", "-"}, "pipeline\n");
  CHECK(broken.code == 2);
  CHECK(broken.out.empty());
  CHECK(run({"report"}).code == 2);
  // An output that cannot be written: the report is lost, and the exit says so (4).
  auto unwritable = run({"report", "-", "-o", "/nonexistent/dir/out.txt"}, kSpec);
  if (unwritable.code != 2) {
    CHECK(unwritable.code == 4);
    CHECK(contains(unwritable.err, "privflow: error:"));
  }
}

TEST_CASE("explain: the derivation of one verdict, did-you-mean for unknown names", "[report][cli]") {
  auto r = run({"explain", "-", "loose"}, kSpec);
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out.rfind("<stdin>:8:1: violated: dp(people) against", 0) == 0);
  CHECK(contains(r.out, "└─ "));
  CHECK(contains(r.out, "randomized_response"));
  auto holds = run({"explain", "-", "budget"}, kSpec);
  CHECK(holds.code == 0);
  CHECK(contains(holds.out, ": holds: "));
  auto line = run({"explain", "-", "line8"}, kSpec);
  CHECK(line.code == 1);
  CHECK(line.out == r.out);

  auto typo = run({"explain", "-", "budgte"}, kSpec);
  CHECK(typo.code == 2);
  CHECK(typo.err == "privflow: error: requirement 'budgte' is not declared; did you mean 'budget'?\n");
  auto far = run({"explain", "-", "zzzzzzzz"}, kSpec);
  CHECK(far.code == 2);
  CHECK(far.err == "privflow: error: requirement 'zzzzzzzz' is not declared (requirements: budget, loose)\n");
  CHECK(run({"explain", "-"}, kSpec).code == 2);
}

TEST_CASE("report --format html gives the same bytes in two processes, diagram included", "[report][cli][html]") {
  fs::path binary = fs::path(PRIVFLOW_BINARY_DIR) / "privflow";
  if (!fs::exists(binary)) {
    WARN("skipped: " << binary.string() << " is not built");
    return;
  }
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests" / "report" / "cli";
  fs::create_directories(dir);
  std::string pages[2];
  for (int i = 0; i < 2; ++i) {
    fs::path out = dir / ("twice" + std::to_string(i) + ".html");
    fs::remove(out);
    std::string command = std::string("'").append(binary.string()).append("' report '").append(example("rr_survey"));
    command.append("' --format html -o '").append(out.string()).append("' 2>/dev/null");
    int rc = std::system(command.c_str());
    INFO("exit status " << rc);
    REQUIRE(fs::exists(out));
    pages[i] = read_file(out);
  }
  CHECK(contains(pages[0], "<svg"));
  CHECK(pages[0] == pages[1]);
}
