// `privflow account rappor|unary-encoding|local-hashing|hadamard|count-mean-sketch`, in process:
// text, JSON and exit 2 naming the bad option. Reference values: tests/dp/data/
// local_randomizers_reference.json (the papers' formulas in Python fractions and mpmath).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/account.hpp"

namespace {
constexpr auto& run = privflow::test::run_account;
constexpr auto& run_json = privflow::test::run_account_json;

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/local_randomizers_reference.json");
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
  }();
  return j;
}

void check_tight(double value, double reference_value) {
  CHECK(value >= reference_value);
  CHECK(value <= reference_value * 1.01);
}
}  // namespace

TEST_CASE("account rappor: one report, a year of reports, the variance", "[cli][account][ldp]") {
  const auto& chrome = reference()["rappor_chrome"];
  auto j = run_json({"rappor", "--f", "1/2", "--p", "1/2", "--q", "3/4", "--hashes", "2", "--times", "365",
                     "--reports", "1000000"});
  check_tight(j["epsilon_one_report"].get<double>(), chrome["epsilon_one"].get<double>());
  check_tight(j["epsilon_permanent"].get<double>(), chrome["epsilon_permanent"].get<double>());
  // 365 reports of one value: capped by the permanent response (4 ln 3), not 365 ε₁.
  check_tight(j["epsilon"].get<double>(), chrome["epsilon_permanent"].get<double>());
  CHECK(j["times"] == 365);
  CHECK(j["delta"] == 0);
  // Wang et al. 2017 Thm 2 per Bloom bit: n p*(1 − p*)/(q* − p*)² = 10^6 · (9/16 · 7/16)/(1/8)².
  check_tight(j["variance"].get<double>(), 1e6 * (9.0 / 16 * 7.0 / 16) / (1.0 / 64));
  const auto text = run({"rappor", "--f", "1/2", "--p", "1/2", "--q", "3/4", "--hashes", "2"});
  CHECK(text.code == 0);
  CHECK(text.out.find("epsilon = 1.07429") != std::string::npos);
  CHECK(text.out.find("epsilon permanent = 4.39445") != std::string::npos);
}

TEST_CASE("account unary-encoding, local-hashing, hadamard, count-mean-sketch", "[cli][account][ldp]") {
  const auto& r = reference();
  auto j = run_json({"unary-encoding", "--epsilon", "1", "--reports", "10000"});
  check_tight(j["variance"].get<double>(), r["oue_variance_eps1_n1e4"].get<double>());
  check_tight(j["epsilon"].get<double>(), 1.0);
  j = run_json({"unary-encoding", "--epsilon", "1", "--variant", "sue", "--reports", "10000"});
  check_tight(j["variance"].get<double>(), r["sue_variance_eps1_n1e4"].get<double>());
  j = run_json({"unary-encoding", "--p", "1/4", "--q", "3/4"});
  check_tight(j["epsilon"].get<double>(), r["rappor_f0"]["epsilon_one"].get<double>());
  j = run_json({"local-hashing", "--epsilon", "1", "--reports", "10000", "--times", "3"});
  check_tight(j["variance"].get<double>(), r["olh_variance_eps1_g4_n1e4"].get<double>());
  check_tight(j["epsilon"].get<double>(), 3.0);
  j = run_json({"hadamard", "--epsilon", "1", "--reports", "10000"});
  check_tight(j["variance"].get<double>(), r["hadamard_variance_eps1_n1e4"].get<double>());
  j = run_json({"count-mean-sketch", "--epsilon", "4", "--reports", "1000000"});
  check_tight(j["variance"].get<double>(), r["cms_variance_eps4_m1024_n1e6"].get<double>());
  check_tight(j["epsilon"].get<double>(), 4.0);
}

TEST_CASE("account local randomizers: bad input is exit 2, naming the option", "[cli][account][ldp]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"rappor", "--f", "2", "--p", "1/2", "--q", "3/4"}, "--f"},
      {{"rappor", "--f", "1/2", "--p", "3/4", "--q", "1/2"}, "--q"},
      {{"rappor", "--f", "1/2", "--p", "1/2", "--q", "3/4", "--hashes", "0"}, "--hashes"},
      {{"unary-encoding", "--epsilon", "1", "--p", "1/4"}, "--epsilon"},
      {{"unary-encoding", "--epsilon", "1", "--variant", "xue"}, "--variant"},
      {{"local-hashing", "--epsilon", "-1"}, "--epsilon"},
      {{"local-hashing", "--epsilon", "1", "--range", "1"}, "--range"},
      {{"hadamard", "--epsilon", "abc"}, "--epsilon"},
      {{"count-mean-sketch", "--epsilon", "4", "--width", "1"}, "--width"},
      {{"count-mean-sketch", "--epsilon", "4", "--reports", "0"}, "--reports"},
  };
  for (const auto& [args, option] : cases) {
    INFO(args[0] << " " << option);
    const auto r = run(args);
    CHECK(r.code == 2);
    CHECK(r.err.find(option) != std::string::npos);
  }
}
