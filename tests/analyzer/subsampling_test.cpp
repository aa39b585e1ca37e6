// `sampling_rate` on laplace, gaussian and randomized_response (analyzer/subsampling.cpp): each
// figure against a hand or peer value (tests/dp/data/subsampled_reference.json for the peers).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "analyzer/analysis.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

flow::Graph load(const std::string& text) { return test::load_spec_text("test.pflow", text); }

double figure(const std::string& release, const std::string& delta, const std::string& data_extra = "",
              const std::string& measure = "dp(d)") {
  const std::string text = "data d { rows: 1000" + data_extra + " field x: {a, b} prior {1/2, 1/2} }\n"
                           "agent curator { trust: trusted, holds: d }\n"
                           "agent analyst { trust: curious }\n"
                           "compute c at curator = count(d)\n"
                           "compute m at curator = " + release + "\n"
                           "send m to analyst\n"
                           "require r: " + measure + " against {analyst} <= " +
                           (measure == "dp(d)" ? "epsilon 1000 at delta " + delta : "1") + "\n";
  const auto a = analyzer::analyze(load(text));
  REQUIRE(a.verdicts.size() == 1);
  REQUIRE(a.verdicts[0].value);
  return *a.verdicts[0].value;
}

constexpr double kAmplified = 0.01703686323617655;  // ln(1 + (e − 1)/100), mpmath

}  // namespace

TEST_CASE("a sampled laplace: the amplified pure epsilon at delta 0, the PLD at delta > 0", "[analyzer][subsampling]") {
  // δ = 0: the pure ε of Poisson subsampling, ln(1 + q(e^ε − 1)) (Balle, Barthe & Gaboardi 2018, Thm 8).
  const double pure = figure("laplace(c, epsilon: 1, sampling_rate: 1/100)", "0");
  CHECK(pure >= kAmplified);
  CHECK(pure <= kAmplified * (1 + 1e-9));
  // 1000 uses at δ 1e-5: dp_accounting 0.6.0, PoissonSampledDpEvent(0.01, LaplaceDpEvent(1)) x 1000:
  // optimistic 1.0728, pessimistic 1.12378.
  const double many = figure("laplace(c, epsilon: 1, sampling_rate: 1/100, times: 1000)", "1e-5");
  CHECK(many >= 1.0728001956452629);
  CHECK(many <= 1.1237829013975722 * 1.01);
  // Sampling never costs: at most the unsampled Laplace.
  CHECK(many <= figure("laplace(c, epsilon: 1, times: 1000)", "1e-5"));
  // Replace-one data: the sample is not used, ε stays 1 (exactly, at δ 0).
  CHECK(figure("laplace(c, epsilon: 1, sampling_rate: 1/100)", "0", " neighbouring: replace") == Approx(1).epsilon(1e-12));
}

TEST_CASE("a sampled gaussian is the subsampled Gaussian; a sampled randomized response keeps its pure epsilon",
          "[analyzer][subsampling]") {
  // sigma 2 (sensitivity 1), q 0.01, 100 uses, δ 1e-5: dp_accounting 0.6.0 optimistic 0.184797,
  // pessimistic 0.189799.
  const double g = figure("gaussian(c, sigma: 2, sampling_rate: 1/100, times: 100)", "1e-5");
  CHECK(g >= 0.18479671090298863);
  CHECK(g <= 0.18979906160598567 * 1.01);
  // Randomized response keep 3/4 over 2 values (ε = ln 3), sent with probability 1/10: at δ 0
  // still ln 3 (a sent report carries all of it), at δ 1e-6 (mpmath, exact): the ε with
  // q·(3/4 − e^ε·1/4) = 1e-6, i.e. ln(3 − 4e-5) = 1.0986089...
  const double rr0 = figure("randomized_response(d.x, keep: 3/4, sampling_rate: 1/10)", "0");
  CHECK(rr0 >= std::log(3.0));
  CHECK(rr0 <= std::log(3.0) * (1 + 1e-9));
  const double rr = figure("randomized_response(d.x, keep: 3/4, sampling_rate: 1/10)", "1e-6");
  CHECK(rr >= std::log(3 - 4e-5));
  CHECK(rr <= std::log(3 - 4e-5) * 1.01);
  CHECK(rr < std::log(3.0) - 1e-6);  // the sample counts: below the unsampled ln 3 at that δ
}

TEST_CASE("a value question on a sampled laplace: the replace-one amplified pure epsilon", "[analyzer][subsampling]") {
  // The posterior of x = a under one sampled Laplace count (replace factor 1 for a count): the
  // pure ε is ln(1 + (e − 1)/100) on either route, so the posterior is at most
  // e^ε'/(1 + e^ε') of the prior 1/2, and above the prior.
  const double post = figure("laplace(c, epsilon: 1, sampling_rate: 1/100)", "0", "", "posterior(d.x = a)");
  CHECK(post > 0.5);
  CHECK(post <= std::exp(kAmplified) / (1 + std::exp(kAmplified)) * (1 + 1e-9));
  const double unsampled = figure("laplace(c, epsilon: 1)", "0", "", "posterior(d.x = a)");
  CHECK(post < unsampled);
}

TEST_CASE("a value question on a sampled laplace at delta > 0: the PLD of its three-output mixture",
          "[analyzer][subsampling]") {
  // Leakage is log2(e^eps(delta) + (k - 1) delta) with eps(delta) of the replace-one pair; a
  // count's replace factor is 1, so the pair is dp_accounting's add/remove one (both ways):
  // eps at delta 1e-6 of 100 uses at epsilon 1, q 1/10 is in [4.65810, 4.66220]
  // (tests/dp/data/sampled_laplace_replace_reference.json). The pure epsilon it replaced gave
  // 100 x ln(1 + (e - 1)/10) = 15.8.
  const std::string text = "settings { delta: 1e-6 }\n"
                           "data d { rows: 1000 field x: int[0, 1023] }\n"
                           "agent curator { trust: trusted, holds: d }\n"
                           "agent analyst { trust: curious }\n"
                           "compute c at curator = count(d)\n"
                           "compute m at curator = laplace(c, epsilon: 1, sampling_rate: 1/10, times: 100)\n"
                           "send m to analyst\n"
                           "require r: leakage(d.x) against {analyst} <= 1 bits\n";
  const auto a = analyzer::analyze(load(text));
  REQUIRE(a.verdicts.size() == 1);
  REQUIRE(a.verdicts[0].value);
  const double bits = *a.verdicts[0].value;
  CHECK(bits >= std::log2(std::exp(4.6580977246163515) + 1023e-6));
  CHECK(bits <= std::log2(std::exp(4.662197903118493 * 1.01) + 1023e-6));
}
