// The exact k-fold Laplace composition (dp/laplace_composition.cpp) against independent values:
//  - tests/dp/data/laplace_composition_reference.json: δ(ε) and ε(δ) from mpmath, by another
//    method (the uses split by output region, Irwin–Hall densities at high precision, quadrature);
//  - one use: δ(ε) = 1 − e^{(ε − ε₀)/2} for ε < ε₀ (the Laplace hockey stick);
//  - 100 uses of ε₀ = 0.5: dp_accounting 0.6.0's PLD (from_laplace_mechanism(2, sensitivity 1),
//    self_compose(100), get_epsilon_for_delta(1e-5)); its optimistic and pessimistic grids
//    bracket the true value.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "dp/accountant.hpp"
#include "dp/detail/laplace_composition.hpp"

using namespace privflow::dp;
using privflow::dp::detail::LaplaceComposition;

namespace {
const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/laplace_composition_reference.json");
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
  }();
  return j;
}
double number(const nlohmann::json& v) { return std::stod(v.get<std::string>()); }
}  // namespace

TEST_CASE("Laplace composition: delta(epsilon) against the mpmath reference", "[dp][closed][laplace]") {
  const auto& cases = reference()["cases"];
  REQUIRE(cases.size() >= 19);
  for (const auto& c : cases) {
    INFO(c.dump());
    auto lc = LaplaceComposition::make(number(c["epsilon0"]), c["uses"].get<std::uint64_t>());
    REQUIRE(lc);
    const double want = number(c["delta"]), got = lc->delta(number(c["epsilon"]));
    CHECK(got >= want);                      // an upper bound
    // and exact to its margin: relative to the two parts δ is their difference, so tiny ε₀
    // (δ far below them) keeps fewer digits
    CHECK(got <= want * (1 + 1e-9) + 1e-300);
  }
}

TEST_CASE("Laplace composition: epsilon(delta) against the mpmath reference", "[dp][closed][laplace]") {
  const auto& cases = reference()["epsilon_at_delta"];
  REQUIRE(cases.size() >= 3);
  for (const auto& c : cases) {
    INFO(c.dump());
    std::vector<Mechanism> parts{Mechanism::laplace(number(c["epsilon0"])).repeated(c["uses"].get<std::uint64_t>())};
    Composition comp;
    for (const auto& m : parts) REQUIRE(comp.add(m));
    const auto r = comp.epsilon(number(c["delta"]));
    const double want = number(c["epsilon"]);
    CHECK(r.value >= want * (1 - 1e-15));
    CHECK(r.value <= want * (1 + 1e-9));
    CHECK(r.how.find("exact: ") == 0);
  }
}

TEST_CASE("Laplace composition: one use is the Laplace hockey stick", "[dp][closed][laplace]") {
  for (double eps0 : {1e-6, 0.1, 1.0, 5.0, 30.0}) {
    auto lc = LaplaceComposition::make(eps0, 1);
    REQUIRE(lc);
    for (double f : {0.0, 0.25, 0.5, 0.9}) {
      const double eps = f * eps0, want = -std::expm1((eps - eps0) / 2);
      INFO(eps0 << " " << eps);
      CHECK(lc->delta(eps) >= want);
      CHECK(lc->delta(eps) <= want * (1 + (eps0 < 1e-3 ? 1e-8 : 1e-12)));
    }
    CHECK(lc->delta(eps0) == 0);
    CHECK(lc->delta(1e300) == 0);  // far above every loss
  }
}

TEST_CASE("Laplace composition: 100 uses of 0.5 inside dp_accounting's bracket", "[dp][closed][laplace]") {
  Composition comp;
  REQUIRE(comp.add(Mechanism::laplace(0.5).repeated(100)));
  const auto r = comp.epsilon(1e-5);
  CHECK(r.how.find("exact: 100 Laplace") == 0);
  // dp_accounting 0.6.0, grid 1e-4: optimistic 28.50077545554131, pessimistic 28.501646131440175 (the grid 1e-3: 28.50165).
  CHECK(r.value >= 28.50077545554131);
  CHECK(r.value <= 28.501646131440175);
  // and below the binomial bound of randomized response (31.1728634996836, closed_form_test).
  CHECK(r.value < 31.1728634996836);
}

TEST_CASE("Laplace composition: beyond its range the accountants answer", "[dp][closed][laplace]") {
  CHECK_FALSE(LaplaceComposition::make(0.5, LaplaceComposition::kMaxUses + 1));
  CHECK_FALSE(LaplaceComposition::make(100, 11));  // k·ε₀ above 1000
  CHECK_FALSE(LaplaceComposition::make(0, 3));
  Composition comp;
  REQUIRE(comp.add(Mechanism::laplace(0.5).repeated(LaplaceComposition::kMaxUses + 1)));
  CHECK(comp.epsilon(1e-5).how.find("exact") == std::string::npos);
}
