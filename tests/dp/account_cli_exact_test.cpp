// `privflow account`: the closed forms through the command line, the number parser's range and
// digit separators, validation that names the argument, the help's exit codes, full-precision
// JSON. Reference values: mpmath 60 digits of the GDP hockey stick Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2)
// (Balle & Wang 2018 Thm 8), ε by bisection (see tests/dp/closed_form_test.cpp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/account.hpp"

namespace {
using Result = privflow::test::CliRun;
constexpr auto& run = privflow::test::run_account;
constexpr auto& run_json = privflow::test::run_account_json;
}  // namespace

TEST_CASE("account gaussian: exact at huge epsilon, full precision in JSON", "[cli][account][closed]") {
  auto j = run_json({"gaussian", "--sigma", "1e-5", "--delta", "1e-5"});
  const double e = j["epsilon"];
  CHECK(e >= 5000426488.07941 * (1 - 1e-14));
  CHECK(e <= 5000426488.07941 * (1 + 1e-9));
  CHECK(j["epsilon_text"] == "5000430000");  // the short text, rounded up
  CHECK(std::string(j["how"]).rfind("exact", 0) == 0);
  // The JSON number is the sound double itself: more digits than the text's 6.
  j = run_json({"gaussian", "--sigma", "2", "--delta", "1e-5"});
  CHECK(double(j["epsilon"]) >= 1.99309140441512);
  CHECK(double(j["epsilon"]) <= 1.99309140441512 * (1 + 1e-9));
  CHECK(j["epsilon_text"] == "1.9931");
}

TEST_CASE("account numbers: subnormal delta, digit separators as in the language", "[cli][account]") {
  // 5e-324 is a valid δ (the smallest subnormal); it was refused as "not a number".
  auto j = run_json({"gaussian", "--sigma", "1", "--delta", "5e-324"});
  CHECK(double(j["epsilon"]) >= 38.8718328324943);
  CHECK(double(j["epsilon"]) <= 38.8718328324943 * (1 + 1e-9));
  // Digit separators: the command line reads numbers as a spec does (docs/language.md, Numbers).
  const auto with = run_json({"gaussian", "--sigma", "1_000", "--delta", "1e-5"});
  const auto without = run_json({"gaussian", "--sigma", "1000", "--delta", "1e-5"});
  CHECK(with["epsilon"] == without["epsilon"]);
  CHECK(double(with["epsilon"]) >= 0.00193872496986011);
  // Below the smallest double: refused, naming the argument and why.
  auto r = run({"gaussian", "--sigma", "1e-400", "--delta", "1e-5"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--sigma '1e-400' is below the smallest positive double") != std::string::npos);
  r = run({"gaussian", "--sigma", "1e999", "--delta", "1e-5"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--sigma '1e999' is too large") != std::string::npos);
  r = run({"gaussian", "--sigma", "1__0x", "--delta", "1e-5"});
  CHECK(r.code == 2);
  CHECK(r.err.find("is not a number") != std::string::npos);
}

TEST_CASE("account calibration: epsilon 0 and negative epsilon alike for gaussian and dpsgd", "[cli][account]") {
  auto g = run({"gaussian", "--epsilon", "0", "--delta", "1e-5"});
  auto d = run({"dpsgd", "--epsilon", "0", "--sampling-rate", "0.01", "--steps", "10", "--delta", "1e-5"});
  INFO(g.err << d.err);
  CHECK(g.code == 0);
  CHECK(d.code == 0);
  for (const char* kind : {"gaussian", "dpsgd"}) {
    std::vector<std::string> args{kind, "--epsilon", "-1", "--delta", "1e-5"};
    if (std::string(kind) == "dpsgd") args.insert(args.end(), {"--sampling-rate", "0.01", "--steps", "10"});
    const auto r = run(args);
    CHECK(r.code == 2);
    CHECK(r.err.find("--epsilon must be >= 0") != std::string::npos);
  }
  // The exact Gaussian calibration: σ 4584.218 (was 2.1e7).
  auto j = run_json({"gaussian", "--epsilon", "1e-3", "--delta", "1e-10"});
  CHECK(double(j["sigma"]) == Approx(4584.21822717426).epsilon(1e-8));
  CHECK(double(j["epsilon"]) <= 1e-3);
}

TEST_CASE("account --help lists its own exit codes", "[cli][account]") {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"gaussian", "--help"}}) {
    const auto r = run(args);
    CHECK(r.code == 0);
    CHECK(r.out.find("Exit codes: 0 answered") != std::string::npos);
    CHECK(r.out.find("violated") == std::string::npos);
    CHECK(r.out.find("undecided") == std::string::npos);
  }
}
