// DP-FTRL's sensitivities and their Gaussian (dp/tree_aggregation.hpp) against independent values
// (tests/dp/data/tree_aggregation_reference.json, each part with its source and script in
// tests/dp/data/scripts/):
//  - tree_aggregation: dp_accounting 0.6.0's RdpAccountant (REPLACE_SPECIAL) on
//    SingleEpochTreeAggregationDpEvent, composed over the epochs, and the exact ε of μ-GDP
//    computed in mpmath. privflow's ε never below the exact one, at most 1 % above it, and
//    never above dp_accounting's RDP value (the exact Gaussian analysis is at least as tight);
//    its RDP ε equal to dp_accounting's within 0.1 %;
//  - tree_nodes: the nodes per leaf, counted by enumerating the dyadic nodes;
//  - banded_toeplitz: the sensitivity, brute force over participation patterns and signs in
//    exact fractions.
#include <catch2/catch.hpp>

#include <limits>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "dp/accountant.hpp"
#include "dp/tree_aggregation.hpp"

using namespace privflow;
using namespace privflow::dp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/tree_aggregation_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

Rational exact(const std::string& text) {
  auto q = parse_number(text);
  REQUIRE(q);
  return *q;
}

}  // namespace

TEST_CASE("tree aggregation: nodes per leaf as enumerated", "[dp][tree_aggregation]") {
  const json& rows = reference()["tree_nodes"]["rows"];
  REQUIRE(rows.size() >= 70);
  for (const json& row : rows) {
    const std::uint64_t steps = row["steps"];
    INFO("steps " << steps);
    CHECK(tree_nodes_per_leaf(steps, false) == row["nodes"].get<std::uint64_t>());
    CHECK(tree_nodes_per_leaf(steps, true) == row["nodes_completed"].get<std::uint64_t>());
  }
  CHECK(tree_sensitivity_squared(1000, 5, false) == Rational(50));
}

TEST_CASE("tree aggregation: exact Gaussian ε and RDP against dp_accounting", "[dp][tree_aggregation]") {
  const json& cases = reference()["tree_aggregation"]["cases"];
  REQUIRE(cases.size() >= 6);
  for (const json& c : cases) {
    const double z = c["noise_multiplier"], delta = c["delta"];
    const std::uint64_t steps = c["steps"], epochs = c["epochs"];
    INFO("z " << z << " steps " << steps << " epochs " << epochs);
    const Rational squared = tree_sensitivity_squared(steps, epochs, false);
    CHECK(squared == Rational(static_cast<unsigned long>(c["nodes_per_leaf"].get<std::uint64_t>() * epochs)));
    const double z_eff = effective_noise_multiplier(Rational(z), squared);
    CHECK(1 / z_eff >= double(c["gdp_mu"]) * (1 - 1e-12));
    Composition comp;
    std::string error;
    REQUIRE(comp.add(Mechanism::gaussian(z_eff), &error));
    const double gdp = c["gdp_epsilon"], rdp_reference = c["dp_accounting_rdp_epsilon"];
    const EpsilonResult best = comp.epsilon(delta, Accountant::kAuto);
    CHECK_FALSE(best.infinite);
    CHECK(best.value >= gdp * (1 - 1e-9));
    CHECK(best.value <= gdp * 1.01);
    CHECK(best.value <= rdp_reference);
    const EpsilonResult rdp = comp.epsilon(delta, Accountant::kRdp);
    CHECK(rdp.value >= rdp_reference * (1 - 1e-9));
    CHECK(rdp.value <= rdp_reference * 1.001);
  }
}

TEST_CASE("banded Toeplitz: sensitivity equal to the brute force over participations", "[dp][tree_aggregation]") {
  const json& cases = reference()["banded_toeplitz"]["cases"];
  REQUIRE(cases.size() >= 8);
  for (const json& c : cases) {
    BandedToeplitz strategy;
    for (const json& coefficient : c["coefficients"]) strategy.coefficients.push_back(exact(coefficient));
    strategy.steps = c["steps"];
    strategy.participations = c["participations"];
    strategy.min_separation = c["min_separation"];
    INFO("steps " << strategy.steps << " bands " << strategy.coefficients.size() << " k " << strategy.participations
                  << " separation " << strategy.min_separation);
    std::string error;
    auto squared = banded_toeplitz_sensitivity_squared(strategy, &error);
    REQUIRE(squared);
    CHECK(*squared == exact(c["sensitivity_squared"]));
  }
  // More bands than the separation: participations share rows; refused, not guessed.
  BandedToeplitz wide{{Rational(1), Rational(1, 2), Rational(1, 4)}, 10, 3, 2};
  std::string error;
  CHECK_FALSE(banded_toeplitz_sensitivity_squared(wide, &error));
  CHECK(error.find("3 bands, more than the minimum separation 2") != std::string::npos);
  // Unbounded steps (a spec's matrix_factorization without `steps`) and 10^12 participations:
  // every column whole, k·Σc² = 10^12 · (1 + 1/4), counted without walking the pattern; with
  // a separation so large that the next start overflows, the columns before it.
  const std::uint64_t unbounded = std::numeric_limits<std::uint64_t>::max();
  BandedToeplitz many{{Rational(1), Rational(1, 2)}, unbounded, 1'000'000'000'000ULL, 3};
  auto squared = banded_toeplitz_sensitivity_squared(many);
  REQUIRE(squared);
  CHECK(*squared == Rational(1'250'000'000'000L));
  BandedToeplitz far{{Rational(1), Rational(1, 2)}, unbounded, 1'000'000'000'000ULL, unbounded / 4};
  squared = banded_toeplitz_sensitivity_squared(far);
  REQUIRE(squared);
  // 5 whole columns start at 0, b, …, 4b = 2^64 − 4; the 6th's start 5b overflows: 25/4.
  CHECK(*squared == Rational(25, 4));
}

TEST_CASE("effective noise multiplier is rounded down", "[dp][tree_aggregation]") {
  // z = 3, sensitivity² = 2: the noise multiplier 3/√2 = 2.1213203435596424…
  const double z_eff = effective_noise_multiplier(Rational(3), Rational(2));
  CHECK(z_eff < 2.1213203435596424);
  CHECK(z_eff > 2.1213203435596);
}
