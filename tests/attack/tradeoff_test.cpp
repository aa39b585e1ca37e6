// dp::Composition::tpr_at_fpr against independent values (tests/attack/data/tradeoff_reference.json,
// each table with its source): never below the exact or optimistic value, and within 1e-6 of an
// exact one or 2 % of dp_accounting's pessimistic one.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "base/rational.hpp"
#include "dp/accountant.hpp"

using namespace privflow;
using namespace privflow::dp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/attack/data/tradeoff_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

double fraction(const json& text) { return to_double_up(*parse_number(text.get<std::string>())); }

Composition of(const Mechanism& m) {
  Composition c;
  REQUIRE(c.add(m));
  return c;
}

}  // namespace

TEST_CASE("gaussian trade-off: exact Phi(Phi^-1(F) + mu), never below it", "[tradeoff][reference]") {
  const json& cases = reference()["gaussian"]["cases"];
  REQUIRE(cases.size() >= 5);
  for (const auto& c : cases) {
    const double mu = c["mu"], fpr = c["fpr"], truth = c["tpr"];
    INFO("mu " << mu << " fpr " << fpr);
    // One Gaussian with noise multiplier 1/mu, and the same mu from 100 uses of 10/mu.
    for (const auto& comp : {of(Mechanism::gaussian(1 / mu)), of(Mechanism::gaussian(10 / mu).repeated(100))}) {
      const TradeoffResult r = comp.tpr_at_fpr(fpr);
      CHECK(r.tpr >= truth);
      CHECK(r.tpr <= truth * (1 + 1e-6));
      CHECK(r.accountant == Accountant::kPld);
      // Each accountant alone is an upper bound too.
      CHECK(comp.tpr_at_fpr(fpr, Accountant::kRdp).tpr >= truth);
    }
  }
}

TEST_CASE("randomized response trade-off: exact on the losses' lattice", "[tradeoff][reference]") {
  const json& cases = reference()["randomized_response"]["cases"];
  REQUIRE(cases.size() >= 4);
  for (const auto& c : cases) {
    const double keep = fraction(c["keep"]), fpr = fraction(c["fpr"]), truth = to_double_down(*parse_number(c["tpr"].get<std::string>()));
    const std::uint64_t k = c["values"], times = c["times"];
    INFO("keep " << keep << " k " << k << " x" << times << " fpr " << fpr);
    const Composition comp = of(Mechanism::randomized_response_keep(keep, k).with(Neighbouring::kReplace).repeated(times));
    const TradeoffResult r = comp.tpr_at_fpr(fpr);
    CHECK(r.tpr >= truth);
    CHECK(r.tpr <= truth * (1 + 1e-6));
  }
}

TEST_CASE("DP-SGD trade-off: within dp_accounting's optimistic and pessimistic PLDs", "[tradeoff][reference]") {
  const json& cases = reference()["dpsgd"]["cases"];
  REQUIRE(cases.size() >= 3);
  for (const auto& c : cases) {
    const double z = c["noise_multiplier"], q = c["sampling_rate"], fpr = c["fpr"];
    const std::uint64_t steps = c["steps"];
    const bool replace = c["relation"] == "replace_one";
    const double low = c["tpr_optimistic"], high = c["tpr_pessimistic"];
    INFO("z " << z << " q " << q << " T " << steps << " fpr " << fpr << (replace ? " replace-one" : " add/remove"));
    Mechanism m = Mechanism::subsampled_gaussian(z, q).repeated(steps);
    if (replace) m = m.with(Neighbouring::kReplace);
    const TradeoffResult r = of(m).tpr_at_fpr(fpr);
    CHECK(r.tpr >= low);  // sound: never below a lower estimate of the true curve
    // Tight under both relations: the replace-one DP-SGD profile is the substitution pair's PLD.
    CHECK(r.tpr <= high * 1.02);
  }
}

TEST_CASE("reconstruction of full-batch DP-SGD: the Gaussian blow-up at kappa", "[tradeoff][reconstruction]") {
  // Hayes, Mahloujifar & Balle 2023 bound reconstruction by the TPR at FPR kappa of the
  // replace-one pair; with q = 1 that pair is the Gaussian with mu = 2 sqrt(T) / z (a replaced
  // example moves the clipped sum by 2), whose curve is Phi(Phi^-1(kappa) + mu)
  // (Kaissis, Hayes, Ziller & Rueckert 2023, the Gaussian mechanism's closed form).
  // z = 10, T = 25: mu = 1; kappa = 1/4 (a uniform field of 4 values): 0.6276025367807749 (mpmath).
  const Composition comp = of(Mechanism::subsampled_gaussian(10, 1).repeated(25).with(Neighbouring::kReplace));
  const double truth = 0.62760253678077489;
  const TradeoffResult r = comp.tpr_at_fpr(0.25);
  CHECK(r.tpr >= truth);
  CHECK(r.tpr <= truth * (1 + 1e-6));
}

TEST_CASE("pure epsilon: min(e^eps F, 1 - e^-eps (1 - F)), exactly", "[tradeoff]") {
  // The trade-off of eps-DP (Kairouz, Oh & Viswanath 2015): eps = 1, F = 0.1 gives e/10;
  // F = 0.9 gives 1 - (1 - 0.9)/e.
  const Composition comp = of(Mechanism::laplace(Rational(1)));
  const double low_f = std::exp(1.0) * 0.1, high_f = 1 - 0.1 / std::exp(1.0);
  CHECK(comp.tpr_at_fpr(0.1).tpr >= low_f);
  CHECK(comp.tpr_at_fpr(0.1).tpr <= low_f * (1 + 1e-6));
  CHECK(comp.tpr_at_fpr(0.9).tpr >= high_f);
  CHECK(comp.tpr_at_fpr(0.9).tpr <= high_f * (1 + 1e-6));
}

TEST_CASE("trade-off: guessing, certainty, monotone and capped", "[tradeoff]") {
  Composition none;
  CHECK(none.tpr_at_fpr(0.01).tpr == 0.01);  // nothing released: no test beats guessing
  const Composition comp = of(Mechanism::subsampled_gaussian(1.1, 0.01).repeated(1000));
  CHECK(comp.tpr_at_fpr(1).tpr == 1);
  double previous = 0;
  for (double f : {1e-6, 1e-4, 1e-3, 0.01, 0.1, 0.5, 0.9}) {
    INFO("fpr " << f);
    const double t = comp.tpr_at_fpr(f).tpr;
    CHECK(t >= f);
    CHECK(t <= 1);
    CHECK(t >= previous);
    previous = t;
  }
  // A declared (eps, delta) allows at least delta at F -> 0 and at most e^eps F + delta.
  const Composition declared = of(Mechanism::declared(0.5, 1e-3));
  CHECK(declared.tpr_at_fpr(1e-4).tpr >= 1e-3);
  CHECK(declared.tpr_at_fpr(1e-4).tpr <= std::exp(0.5) * 1e-4 + 1e-3 + 1e-12);
}
