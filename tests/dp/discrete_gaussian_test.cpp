// The discrete Gaussian N_Z(0, σ²) (Canonne, Kamath & Steinke 2020) against independent values:
//  - Google's dp_accounting 0.6.0 (tests/dp/data/discrete_gaussian_reference.json: the calls and
//    their pessimistic / optimistic bracket): PLD ε never below the optimistic value, at most 1 %
//    above the pessimistic one; RDP ε within 0.1 % of its RdpAccountant on the Gaussian of noise
//    multiplier σ/Δ (the same curve, CKS 2020 Prop. 5);
//  - δ(ε) = Σ_x [P(x) − e^ε Q(x)]_+ summed exactly with mpmath (40 digits) over |x| ≤ 40σ,
//    for one use and for the T-fold product (the script's idea: tabulate the loss, convolve T
//    times, sum the hockey stick); privflow's δ must lie in [exact, 1.01·exact].
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "dp/accountant.hpp"

using namespace privflow::dp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/discrete_gaussian_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

Composition composition(double sigma, std::uint64_t shift, std::uint64_t times) {
  Composition c;
  std::string error;
  REQUIRE(c.add(Mechanism::discrete_gaussian(sigma, shift).repeated(times), &error));
  return c;
}

}  // namespace

TEST_CASE("discrete Gaussian: PLD inside dp_accounting's bracket, RDP equal to its Gaussian curve", "[dp][discrete_gaussian]") {
  const json& cases = reference()["cases"];
  REQUIRE(cases.size() >= 6);
  for (const json& c : cases) {
    const double sigma = c["sigma"], delta = c["delta"];
    const std::uint64_t shift = c["sensitivity"], times = c["times"];
    INFO("sigma " << sigma << " sensitivity " << shift << " times " << times << " delta " << delta);
    const Composition comp = composition(sigma, shift, times);
    const double optimistic = c["pld_optimistic"], pessimistic = c["pld_pessimistic_connect_dots"];
    REQUIRE(optimistic > 0);
    const EpsilonResult pld = comp.epsilon(delta, Accountant::kPld);
    CHECK_FALSE(pld.infinite);
    CHECK(pld.value >= optimistic * (1 - 1e-9));
    CHECK(pld.value <= pessimistic * 1.01);
    const EpsilonResult rdp = comp.epsilon(delta, Accountant::kRdp);
    const double rdp_reference = c["rdp_gaussian"];
    CHECK(rdp.value >= rdp_reference * (1 - 1e-9));
    CHECK(rdp.value <= rdp_reference * 1.001);
    const EpsilonResult best = comp.epsilon(delta, Accountant::kAuto);
    CHECK(best.value >= optimistic * (1 - 1e-9));
    CHECK(best.value <= pessimistic * 1.01);
  }
}

TEST_CASE("discrete Gaussian: delta(epsilon) against exact sums", "[dp][discrete_gaussian]") {
  struct Case {
    double sigma;
    std::uint64_t shift, times;
    double epsilon, exact;  // mpmath, 40 digits (header)
  };
  // The shifts 1..4 at σ = 3 and σ = 0.7 also show δ(ε) growing with the shift, which is why
  // analyzer/release_profile.cpp may round a fractional sensitivity up.
  const Case cases[] = {
      {1.5, 1, 1, 0.5, 0.11302729340090006},
      {1.5, 1, 1, 1.0, 0.03250904857808035},
      {3.0, 1, 1, 1.0, 0.0002177830522631044},
      {3.0, 2, 1, 1.0, 0.03156124724022326},
      {3.0, 3, 1, 1.0, 0.1285651910115794},
      {3.0, 4, 1, 1.0, 0.25435960024257714},
      {0.7, 1, 1, 1.0, 0.20028259930737607},
      {0.7, 2, 1, 1.0, 0.7586166909666245},
      {1.5, 1, 2, 1.0, 0.10743546005131186},
      {3.0, 2, 3, 1.5, 0.0996319696036228},
  };
  for (const Case& c : cases) {
    INFO("sigma " << c.sigma << " shift " << c.shift << " times " << c.times << " epsilon " << c.epsilon);
    const double d = composition(c.sigma, c.shift, c.times).delta(c.epsilon, Accountant::kPld).value;
    CHECK(d >= c.exact * (1 - 1e-12));
    CHECK(d <= c.exact * 1.01);
  }
}

TEST_CASE("discrete Gaussian: validation and text", "[dp][discrete_gaussian]") {
  CHECK(validate(Mechanism::discrete_gaussian(0.0, 1)));
  CHECK(validate(Mechanism::discrete_gaussian(2.0, 0)));
  CHECK_FALSE(validate(Mechanism::discrete_gaussian(2.0, 3)));
  CHECK(Mechanism::discrete_gaussian(2.0, 3).repeated(5).describe() == "discrete_gaussian(sigma=2, sensitivity=3) x 5");
  // A σ whose PLD would need more than 2^27 atoms: the PLD accountant hands the composition to
  // the RDP curve (and says so), whose ε is then the RDP accountant's.
  const Composition huge = composition(1e7, 1, 1);
  const EpsilonResult pld = huge.epsilon(1e-10, Accountant::kPld);
  CHECK(pld.accountant == Accountant::kRdp);
  CHECK_FALSE(pld.infinite);
  CHECK(pld.value == huge.epsilon(1e-10, Accountant::kRdp).value);
  CHECK(pld.value > 0);
  CHECK(pld.value < 0.05);
  // σ = 10^6 (2^27 atoms would hold 6·10^6): still the PLD, and at most the RDP answer.
  const Composition large = composition(1e6, 1000000, 3);
  const EpsilonResult large_pld = large.epsilon(1e-5, Accountant::kPld);
  CHECK(large_pld.accountant == Accountant::kPld);
  CHECK(large_pld.value <= large.epsilon(1e-5, Accountant::kRdp).value);
  // Its neighbour, the continuous Gaussian of noise multiplier 1/√3, has ε = 8.385418924216822
  // at δ = 1e-5 (Balle & Wang 2018 Thm 8, solved with scipy.stats.norm and brentq); at σ = 10^6
  // the two are the same to far better than 1 %.
  CHECK(large_pld.value >= 8.385418924216822 * 0.99);
  CHECK(large_pld.value <= 8.385418924216822 * 1.01);
}
