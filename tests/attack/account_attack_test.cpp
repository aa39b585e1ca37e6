// `privflow account … --tpr-at-fpr F --reconstruction-prior K`, in-process through cli::run:
// the figures against independent values (tests/attack/data/tradeoff_reference.json), text, JSON
// and the errors (a named argument, exit 2).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/account.hpp"

namespace {

using Result = privflow::test::CliRun;
constexpr auto& run = privflow::test::run_account;

}  // namespace

TEST_CASE("account gaussian --tpr-at-fpr: Phi(Phi^-1(F) + mu), JSON and text", "[attack][cli]") {
  // sigma 2, sensitivity 1: mu 1/2; F = 0.01: 0.033898939122842778 (mpmath).
  const std::vector<std::string> base{"gaussian", "--sigma", "2", "--delta", "1e-5", "--tpr-at-fpr", "0.01"};
  auto args = base;
  args.push_back("--json");
  const Result r = run(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["membership"]["fpr"] == 0.01);
  CHECK(double(j["membership"]["tpr"]) >= 0.033898939122842778);
  CHECK(double(j["membership"]["tpr"]) <= 0.0339);
  CHECK_FALSE(j.contains("reconstruction"));
  const Result text = run(base);
  REQUIRE(text.code == 0);
  CHECK(text.out.find("membership at fpr 0.01: tpr <= 0.033899\n") != std::string::npos);
}

TEST_CASE("account dpsgd: membership within dp_accounting's PLDs, reconstruction on the smaller curve", "[attack][cli]") {
  // z 1.1, q 0.01, 1000 steps, F = 0.001: dp_accounting 0.6.0 gives 0.0032153 (optimistic) and
  // 0.0033610 (pessimistic).
  const std::vector<std::string> base{"dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps",
                                      "1000", "--delta", "1e-5", "--reconstruction-prior", "0.1", "--json"};
  auto args = base;
  args.insert(args.end(), {"--tpr-at-fpr", "0.001"});
  const Result r = run(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(double(j["membership"]["tpr"]) >= 0.0032152665125838534);
  CHECK(double(j["membership"]["tpr"]) <= 0.003360996179767981 * 1.02);
  // Reconstruction at FPR 0.1 on the add/remove curve (Hayes et al.'s reference, the run
  // without the target): between dp_accounting's optimistic ADD_OR_REMOVE_ONE value and 2 %
  // above its pessimistic one (tests/attack/data/reconstruction_add_remove.py).
  CHECK(j["reconstruction"]["prior"] == 0.1);
  CHECK(j["reconstruction"]["curve"] == "add/remove");
  CHECK(double(j["reconstruction"]["tpr"]) >= 0.17187474137346284);
  CHECK(double(j["reconstruction"]["tpr"]) <= 0.17911847935361938 * 1.02);
  CHECK(std::string(j["reconstruction"]["how"]).find("run without the target") != std::string::npos);
  // --neighbouring replace: the run without the target is no neighbour; the replace-one curve,
  // at least dp_accounting's optimistic REPLACE_ONE value 0.23950.
  args = base;
  args.insert(args.end(), {"--neighbouring", "replace"});
  const Result replaced = run(args);
  REQUIRE(replaced.code == 0);
  const auto k = nlohmann::json::parse(replaced.out);
  CHECK(k["reconstruction"]["curve"] == "replace-one");
  CHECK(double(k["reconstruction"]["tpr"]) >= 0.2394955669922018);
  CHECK(double(k["reconstruction"]["tpr"]) <= 1);
  CHECK(double(k["reconstruction"]["tpr"]) > double(j["reconstruction"]["tpr"]));
}

TEST_CASE("account --tpr-at-fpr and --reconstruction-prior: errors name the argument, exit 2", "[attack][cli]") {
  const std::vector<std::string> laplace{"laplace", "--epsilon", "1", "--delta", "0"};
  struct Case {
    std::vector<std::string> extra;
    std::string message;
  };
  const Case cases[] = {
      {{"--tpr-at-fpr", "1"}, "--tpr-at-fpr must be in (0, 1)"},
      {{"--tpr-at-fpr", "0"}, "--tpr-at-fpr must be in (0, 1)"},
      {{"--tpr-at-fpr", "x"}, "--tpr-at-fpr 'x' is not a number"},
      {{"--reconstruction-prior", "1.5"}, "--reconstruction-prior must be in (0, 1]"},
  };
  for (const auto& c : cases) {
    auto args = laplace;
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const Result r = run(args);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
  }
  // A prior of 1 (a field with one value) is allowed: reconstruction is certain.
  auto certain = laplace;
  certain.insert(certain.end(), {"--reconstruction-prior", "1", "--json"});
  const Result one = run(certain);
  REQUIRE(one.code == 0);
  CHECK(nlohmann::json::parse(one.out)["reconstruction"]["tpr"] == 1);
  const Result calibrating =
      run({"gaussian", "--epsilon", "1", "--delta", "1e-5", "--tpr-at-fpr", "0.01"});
  CHECK(calibrating.code == 2);
  CHECK(calibrating.err.find("--tpr-at-fpr is not available with --epsilon") != std::string::npos);
  const Result shuffle = run({"shuffle", "--local-epsilon", "1", "--senders", "1000", "--delta", "1e-6",
                              "--reconstruction-prior", "0.5"});
  CHECK(shuffle.code == 2);
  CHECK(shuffle.err.find("--reconstruction-prior is not available for shuffle") != std::string::npos);
}
