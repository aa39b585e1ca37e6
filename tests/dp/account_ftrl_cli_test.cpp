// `privflow account tree-aggregation` and `matrix-factorization` (DP-FTRL), run in-process.
// Reference values: tests/dp/data/tree_aggregation_reference.json (dp_accounting 0.6.0's RDP,
// the exact ε of μ-GDP in mpmath, and a brute-force banded Toeplitz sensitivity).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/account.hpp"

namespace {
using Result = privflow::test::CliRun;
constexpr auto& run = privflow::test::run_account;
constexpr auto& run_json = privflow::test::run_account_json;
}  // namespace

TEST_CASE("account tree-aggregation: sensitivity, mu, rho and epsilon", "[cli][account][dpftrl]") {
  // z 2, 1000 steps, 5 epochs: 10 nodes per leaf, sensitivity^2 50, mu = sqrt(50)/2 = 3.5355339;
  // exact epsilon of mu-GDP at 1e-6: 22.424516 (mpmath); dp_accounting 0.6.0's RDP
  // (REPLACE_SPECIAL): 23.703891.
  const std::vector<std::string> args{"tree-aggregation", "--noise-multiplier", "2", "--steps", "1000",
                                      "--epochs", "5", "--delta", "1e-6"};
  auto j = run_json(args);
  CHECK(j["sensitivity_squared"] == "50");
  CHECK(double(j["mu"]) >= 3.5355339059327378);
  CHECK(double(j["mu"]) <= 3.5355339059327378 * (1 + 1e-12));
  CHECK(double(j["rho"]) >= 6.25);
  CHECK(double(j["rho"]) <= 6.25 * (1 + 1e-12));
  CHECK(double(j["epsilon"]) >= 22.424515827391893 * (1 - 1e-9));
  CHECK(double(j["epsilon"]) <= 22.424515827391893 * 1.01);
  CHECK(double(j["epsilon"]) <= 23.70389051398901);
  const Result text = run(args);
  REQUIRE(text.code == 0);
  CHECK(text.out.rfind("sensitivity = sqrt(50) = 7.07107", 0) == 0);
  CHECK(text.out.find("\nmu = 3.5355") != std::string::npos);  // 3.5355339…, shown rounded up
  CHECK(text.out.find("\nepsilon = 22.") != std::string::npos);
  // Tree completion: 1000 leaves padded to 1024, 11 nodes per leaf.
  auto completed = args;
  completed.push_back("--completion");
  CHECK(run_json(completed)["sensitivity_squared"] == "55");

  const Result zero = run({"tree-aggregation", "--noise-multiplier", "0", "--steps", "10", "--delta", "1e-6"});
  CHECK(zero.code == 2);
  CHECK(zero.err.find("--noise-multiplier must be > 0") != std::string::npos);
  const Result steps = run({"tree-aggregation", "--noise-multiplier", "1", "--steps", "2.5", "--delta", "1e-6"});
  CHECK(steps.code == 2);
  CHECK(steps.err.find("--steps must be a whole number") != std::string::npos);
  CHECK(run({"tree-aggregation", "--noise-multiplier", "1", "--delta", "1e-6"}).code == 2);  // --steps required
}

TEST_CASE("account matrix-factorization: a given sensitivity or a banded Toeplitz strategy", "[cli][account][dpftrl]") {
  // Given sensitivity 3 at z 3: mu = 1, exact epsilon at 1e-6: 4.886554 (mpmath).
  auto given = run_json({"matrix-factorization", "--noise-multiplier", "3", "--sensitivity", "3", "--delta", "1e-6"});
  CHECK(double(given["epsilon"]) >= 4.886554 * (1 - 1e-6));
  CHECK(double(given["epsilon"]) <= 4.886554 * 1.01);
  // Brute force (tests/dp/data/scripts/banded_ref.py idea, by hand here): bands 1, 1/2, 3/8, 5/16
  // over 2000 steps, 4 participations 500 apart: 4 * (1 + 1/4 + 9/64 + 25/256) = 381/64.
  const std::vector<std::string> banded{"matrix-factorization", "--noise-multiplier", "4", "--coefficients",
                                        "1,1/2,3/8,5/16", "--steps", "2000", "--epochs", "4",
                                        "--min-separation", "500", "--delta", "1e-10"};
  auto j = run_json(banded);
  CHECK(j["sensitivity_squared"] == "5.953125");  // 381/64, written exactly as a decimal
  CHECK(double(j["rho"]) >= 381.0 / 64 / 32);
  const Result text = run(banded);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("Choquette-Choo et al. 2023") != std::string::npos);

  const Result both = run({"matrix-factorization", "--noise-multiplier", "3", "--sensitivity", "3", "--coefficients",
                           "1", "--steps", "10", "--delta", "1e-6"});
  CHECK(both.code == 2);
  CHECK(both.err.find("give exactly one of --sensitivity and --coefficients") != std::string::npos);
  const Result wide = run({"matrix-factorization", "--noise-multiplier", "3", "--coefficients", "1,1,1", "--steps",
                           "10", "--epochs", "2", "--min-separation", "2", "--delta", "1e-6"});
  CHECK(wide.code == 2);
  CHECK(wide.err.find("more than the minimum separation 2") != std::string::npos);
  const Result no_separation = run({"matrix-factorization", "--noise-multiplier", "3", "--coefficients", "1",
                                    "--steps", "10", "--epochs", "2", "--delta", "1e-6"});
  CHECK(no_separation.code == 2);
  CHECK(no_separation.err.find("--epochs above 1 needs --min-separation") != std::string::npos);
  const Result bad = run({"matrix-factorization", "--noise-multiplier", "3", "--coefficients", "1,x", "--steps", "10",
                          "--delta", "1e-6"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--coefficients 'x' is not a number") != std::string::npos);
}
