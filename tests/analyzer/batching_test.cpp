// DP-SGD's batching in a spec (docs/language.md, "dpsgd": `sampling`): Poisson, fixed-size
// batches without replacement, and shuffled batches, each against an independent value.
//
// Shuffled batches: a record is in one batch per epoch, so k epochs are the Gaussian of
// noise multiplier z composed k times, i.e. the Gaussian of μ = √k / z (exact), whose ε at δ is
// the root of Balle & Wang 2018 (Thm 8): δ = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2). Computed with
// mpmath at 30 digits (ncdf, findroot) by /usr/bin/python3 (scipy's brentq agrees to 10 digits):
//   z = 1.1,  k = 5: μ = 2.0327890705, ε(1e-5) = 10.199709155178034
//   z = 0.55, k = 5 (replace-one: z/2): μ = 4.0655781409, ε(1e-5) = 24.922546158176656
// Fixed-size batches (n = 10000, b = 100, z = 1.1, 1000 steps), dp_accounting 0.6.0, whose
// noise multiplier is relative to the replace-one sensitivity (2 clip norms here: z/2 = 0.55):
//   RdpAccountant(neighboring_relation=REPLACE_ONE).compose(SelfComposedDpEvent(
//   SampledWithoutReplacementDpEvent(10000, 100, GaussianDpEvent(0.55)), 1000)).get_epsilon(1e-5)
//   = 15.565801 (an RDP bound: sound, not tight; its PLD accountant has no sampling without
//   replacement). Below it, Poisson sampling at the same rate under replace-one, which fixed-size
//   batches never beat: privacy_loss_distribution.from_gaussian_mechanism(1.1, sampling_prob=0.01,
//   neighboring_relation=REPLACE_ONE, value_discretization_interval=1e-4,
//   pessimistic_estimate=False).self_compose(1000).get_epsilon_for_delta(1e-5) = 2.427801.
#include <catch2/catch.hpp>

#include <string>

#include "analyzer/analysis.hpp"
#include "dp/accountant.hpp"
#include "lang/frontend.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

std::string spec(const std::string& neighbouring, const std::string& training) {
  return "settings { delta: 1e-5 }\n"
         "data d { rows: 10000 neighbouring: " + neighbouring + " field x: {a, b} }\n"
         "agent trainer { trust: curious, holds: d }\n"
         "agent analyst { trust: curious }\n"
         "compute m at trainer = dpsgd(d, noise_multiplier: 1.1, batch_size: 100, " + training + ")\n"
         "send m to analyst\n"
         "require r: dp(d) against {analyst} <= epsilon 1000\n";
}

double epsilon_of(const std::string& text) {
  const auto analysis = analyzer::analyze(test::load_spec_text("test.pflow", text));
  REQUIRE(analysis.verdicts.size() == 1);
  REQUIRE(analysis.verdicts[0].value);
  return *analysis.verdicts[0].value;
}

bool has_finding(const std::string& text, const std::string& words) {
  const auto analysis = analyzer::analyze(test::load_spec_text("test.pflow", text));
  for (const auto& f : analysis.findings)
    if (f.message.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("shuffled batches: the Gaussian composed over the epochs, no amplification", "[analyzer][batching]") {
  const double closed_form = 10.199709155178034;
  const double by_epochs = epsilon_of(spec("add_remove", "epochs: 5, sampling: shuffle"));
  CHECK(by_epochs >= closed_form);
  CHECK(by_epochs <= closed_form * 1.01);
  // 500 steps of a 1/100 batch fraction are 5 epochs; 4.5 epochs touch a record 5 times.
  CHECK(epsilon_of(spec("add_remove", "steps: 500, sampling: shuffle")) == by_epochs);
  CHECK(epsilon_of(spec("add_remove", "epochs: 4.5, sampling: shuffle")) == by_epochs);
  // Replace-one swaps the record's clipped gradient: sensitivity 2, noise multiplier z/2.
  const double replace = epsilon_of(spec("replace", "epochs: 5, sampling: shuffle"));
  CHECK(replace >= 24.922546158176656);
  CHECK(replace <= 24.922546158176656 * 1.01);
  // The Poisson figure of the same training is far lower: it would be optimistic.
  const double poisson = epsilon_of(spec("add_remove", "epochs: 5"));
  CHECK(poisson < by_epochs / 2);
  CHECK(has_finding(spec("add_remove", "epochs: 5, sampling: shuffle"), "would be optimistic"));
  CHECK_FALSE(has_finding(spec("add_remove", "epochs: 5"), "would be optimistic"));
}

TEST_CASE("fixed-size batches: sampled without replacement, replace-one", "[analyzer][batching]") {
  const double fixed = epsilon_of(spec("add_remove", "steps: 1000, sampling: fixed_size"));
  // dp_accounting's RDP bound is above; Poisson sampling under replace-one is below.
  CHECK(fixed <= 15.565801);
  CHECK(fixed >= 2.427801);
  // The same as the accountant's fixed-size mechanism, which `privflow account dpsgd
  // --sampling fixed-size` reports.
  dp::Composition c;
  c.add(dp::Mechanism::subsampled_gaussian(1.1, 0.01).with(dp::Sampling::kFixedSize).repeated(1000));
  CHECK(fixed == Approx(c.epsilon(1e-5).value).epsilon(1e-9));
  CHECK(epsilon_of(spec("add_remove", "steps: 1000, sampling: poisson")) == epsilon_of(spec("add_remove", "steps: 1000")));
}
