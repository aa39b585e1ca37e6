// `privflow account`, run in-process through cli::run.
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

TEST_CASE("account dpsgd: epsilon and calibration", "[cli][account]") {
  const std::vector<std::string> mnist{"dpsgd", "--sampling-rate", "256/60000", "--steps", "14063", "--delta", "1e-5"};
  auto args = mnist;
  args.insert(args.end(), {"--noise-multiplier", "1.1", "--accountant", "rdp"});
  auto j = run_json(args);
  CHECK(j["accountant"] == "rdp");
  CHECK(double(j["epsilon"]) == Approx(2.596655529521983).epsilon(1e-3));
  CHECK(double(j["epsilon"]) >= 2.596655529521983 * (1 - 1e-9));
  CHECK(double(j["order"]) == Approx(8.1));

  args = mnist;
  args.insert(args.end(), {"--noise-multiplier", "1.1"});  // auto: the PLD wins
  j = run_json(args);
  CHECK(j["accountant"] == "pld");
  CHECK(double(j["epsilon"]) >= 2.371548325522908);
  CHECK(double(j["epsilon"]) <= 2.3817788079120428 * 1.01);

  args = mnist;
  args.insert(args.end(), {"--epsilon", "3", "--accountant", "rdp"});
  j = run_json(args);
  CHECK(double(j["noise_multiplier"]) == Approx(1.0141).epsilon(3e-3));
  CHECK(double(j["epsilon"]) <= 3.0);

  args = mnist;
  args.insert(args.end(), {"--noise-multiplier", "1.1"});
  const Result text = run(args);
  REQUIRE(text.code == 0);
  CHECK(text.out.rfind("epsilon = 2.38", 0) == 0);
  CHECK(text.out.find("\nhow: pld") != std::string::npos);
}

TEST_CASE("account laplace, gaussian, randomized response, shuffle, zcdp", "[cli][account]") {
  const Result lap = run({"laplace", "--epsilon", "0.1", "--times", "10", "--delta", "0"});
  REQUIRE(lap.code == 0);
  CHECK(lap.out.rfind("epsilon = 1 (exactly 1) at delta = 0\n", 0) == 0);

  auto j = run_json({"laplace", "--scale", "10", "--times", "10", "--delta", "1e-5", "--accountant", "pld"});
  CHECK(double(j["epsilon"]) >= 0.9899598683482543);
  CHECK(double(j["epsilon"]) <= 0.9899623169851428 * 1.01);

  j = run_json({"gaussian", "--sigma", "2", "--times", "10", "--delta", "1e-5"});
  CHECK(double(j["epsilon"]) >= 7.511275900744783);
  CHECK(double(j["epsilon"]) <= 7.511275900744783 * 1.01);

  j = run_json({"randomized-response", "--keep", "3/4", "--values", "2", "--times", "100", "--delta", "1e-5"});
  CHECK(double(j["epsilon"]) >= 90.78153850830114);
  CHECK(double(j["epsilon"]) <= 90.78153850830114 * 1.01);

  j = run_json({"shuffle", "--local-epsilon", "1", "--senders", "100000", "--delta", "1e-6"});
  CHECK(j["accountant"] == "shuffle");
  // FMT's numerical bound (closed form: 0.0726); shuffled binary RR alone needs 0.01014.
  CHECK(double(j["epsilon"]) >= 0.01014);
  CHECK(double(j["epsilon"]) <= 0.0155);
  CHECK(std::string(j["how"]).find("numerical bound") != std::string::npos);
  j = run_json({"shuffle", "--local-epsilon", "5", "--senders", "100", "--delta", "1e-6"});
  CHECK(double(j["epsilon"]) >= 5 * (1 - 1e-3));  // a hair below ε0, and said to be one
  CHECK(std::string(j["how"]).find("a gain under 0.1 %") != std::string::npos);

  j = run_json({"zcdp", "--rho", "0.1", "--delta", "1e-5"});
  CHECK(double(j["epsilon"]) == Approx(1.9142498748403742).epsilon(1e-3));
}

TEST_CASE("account refuses bad input with exit 2", "[cli][account]") {
  CHECK(run({"gaussian", "--sigma", "1", "--delta", "2"}).code == 2);
  CHECK(run({"gaussian", "--sigma", "0", "--delta", "1e-5"}).code == 2);
  CHECK(run({"dpsgd", "--noise-multiplier", "1", "--sampling-rate", "0", "--steps", "10", "--delta", "1e-5"}).code == 2);
  CHECK(run({"dpsgd", "--noise-multiplier", "1", "--sampling-rate", "0.1", "--steps", "1.5", "--delta", "1e-5"}).code == 2);
  CHECK(run({"laplace", "--epsilon", "1", "--scale", "1", "--delta", "1e-5"}).code == 2);
  CHECK(run({"laplace", "--epsilon", "abc", "--delta", "1e-5"}).code == 2);
  CHECK(run({"gaussian", "--sigma", "1", "--delta", "1e-5", "--accountant", "best"}).code == 2);
  CHECK(run({"randomized-response", "--keep", "0.2", "--values", "3", "--delta", "1e-5"}).code == 2);
  const Result help = run({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("dpsgd") != std::string::npos);
}

TEST_CASE("account discrete-gaussian: text, JSON and bad input", "[cli][account][discrete_gaussian]") {
  // dp_accounting 0.6.0, from_discrete_gaussian_mechanism(10, sensitivity=3,
  // value_discretization_interval=1e-4).get_epsilon_for_delta(1e-5): optimistic (privacy
  // buckets) 1.131735209, pessimistic (connect the dots) 1.131748666
  // (tests/dp/data/discrete_gaussian_reference.json).
  const std::vector<std::string> args{"discrete-gaussian", "--sigma", "10", "--sensitivity", "3", "--delta", "1e-5"};
  auto j = run_json(args);
  CHECK(double(j["epsilon"]) >= 1.131735209);
  CHECK(double(j["epsilon"]) <= 1.131748666 * 1.01);
  CHECK(j["delta"] == 1e-5);
  const Result text = run(args);
  REQUIRE(text.code == 0);
  CHECK(text.out.rfind("epsilon = 1.13", 0) == 0);
  CHECK(text.out.find("\nhow: ") != std::string::npos);
  // Ten uses compose: ε grows.
  auto composed = args;
  composed.insert(composed.end(), {"--times", "10"});
  CHECK(double(run_json(composed)["epsilon"]) > double(j["epsilon"]));

  const Result fractional = run({"discrete-gaussian", "--sigma", "10", "--sensitivity", "1.5", "--delta", "1e-5"});
  CHECK(fractional.code == 2);
  CHECK(fractional.err.find("--sensitivity must be a whole number") != std::string::npos);
  const Result zero = run({"discrete-gaussian", "--sigma", "0", "--delta", "1e-5"});
  CHECK(zero.code == 2);
  CHECK(zero.err.find("--sigma must be > 0") != std::string::npos);
  CHECK(run({"discrete-gaussian", "--delta", "1e-5"}).code == 2);  // --sigma is required
}

TEST_CASE("account sparse-vector, report-noisy-max and top-k", "[cli][account][selection]") {
  // Pure ε per run, composed exactly at δ = 0: 2 runs of 1/2, 4 uses of 1/4, 3 selections of 1/3.
  CHECK(double(run_json({"sparse-vector", "--epsilon", "1/2", "--answers", "5", "--times", "2", "--delta", "0"})["epsilon"]) ==
        Approx(1.0).epsilon(1e-12));
  CHECK(double(run_json({"report-noisy-max", "--epsilon", "0.25", "--times", "4", "--delta", "0"})["epsilon"]) ==
        Approx(1.0).epsilon(1e-12));
  CHECK(double(run_json({"top-k", "--epsilon", "1/3", "--k", "3", "--delta", "0"})["epsilon"]) >= 1.0);
  // Top-k of 100 at ε = 0.1: below k·ε, never below one pair it covers (0.917962235831812: 100
  // two-item exponential mechanisms, scores (0, 0) against (1, 0); tests/analyzer has the derivation).
  const double tk = run_json({"top-k", "--epsilon", "0.1", "--k", "100", "--delta", "1e-5"})["epsilon"];
  CHECK(tk >= 0.917962235831812);
  CHECK(tk < 10);
  const Result text = run({"top-k", "--epsilon", "0.1", "--k", "100", "--delta", "1e-5"});
  REQUIRE(text.code == 0);
  CHECK(text.out.rfind("epsilon = ", 0) == 0);
  // Bad input: exit 2 with the option named.
  const Result too_many = run({"top-k", "--epsilon", "0.1", "--k", "1000", "--times", "1e12", "--delta", "1e-5"});
  CHECK(too_many.code == 2);
  CHECK(too_many.err.find("--times x --k must be at most 10^12") != std::string::npos);
  CHECK(run({"top-k", "--epsilon", "0.1", "--delta", "1e-5"}).code == 2);  // --k is required
  const Result answers = run({"sparse-vector", "--epsilon", "1", "--answers", "0", "--delta", "1e-5"});
  CHECK(answers.code == 2);
  CHECK(answers.err.find("--answers must be a whole number") != std::string::npos);
  CHECK(run({"report-noisy-max", "--epsilon", "0", "--delta", "1e-5"}).code == 2);
}

TEST_CASE("account dpsgd --epsilon at a tiny delta: the walk reaches a sensible noise", "[cli][account][calibration]") {
  // RDP cannot certify ε = 0.01 at δ = 1e-30 before noise 1e28 (Pinsker's ε = 0), and a walk of
  // fixed steps from there stopped at 2e25 (a red-team sweep). One step with q = 0.01 needs no
  // more noise than the Gaussian itself (q = 1): 1062.48 by the exact μ-GDP bisection (mpmath).
  const nlohmann::json j = run_json({"dpsgd", "--epsilon", "0.01", "--sampling-rate", "0.01", "--steps", "1",
                                     "--delta", "1e-30", "--accountant", "pld"});
  CHECK(double(j["noise_multiplier"]) <= 1062.48 * 1.01);
  CHECK(double(j["epsilon"]) <= 0.01);
  const nlohmann::json g = run_json({"dpsgd", "--epsilon", "0.01", "--sampling-rate", "1", "--steps", "1", "--delta", "1e-30"});
  CHECK(double(g["noise_multiplier"]) >= 1062.48);
  CHECK(double(g["noise_multiplier"]) <= 1062.48 * 1.01);
}
