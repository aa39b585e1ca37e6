// The measures answered by accounting the observed releases' privacy loss (docs/language.md,
// "Requirements"): dp (epsilon at delta) and advantage (a membership attacker's advantage).
#include <cmath>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"

namespace privflow::analyzer::detail {

bool Analyzer::evaluate_dp(Evaluation& e) const {
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  const double delta = e.delta;
  if (obs.kind == LossKind::kHoldsData || obs.kind == LossKind::kExposedStats || obs.kind == LossKind::kExposedRecord) {
    v.value.reset();
    v.method = obs.kind == LossKind::kHoldsData ? Method::kHolds : Method::kExposed;
    return true;
  }
  auto acc = accounted(e, Question::kMembership, steps::Combined::kSequentially);
  if (!acc) return false;
  auto eps = cache_.epsilon(acc->composition, delta, accountant_);
  // A pure composition's exact sum is the answer when no accountant beats it.
  auto pure_sum = acc->composition.exact_pure_epsilon();
  if (pure_sum && (eps.infinite || !std::isfinite(eps.value) || Rational(eps.value) >= *pure_sum)) eps.exact = pure_sum;
  if (eps.infinite && !eps.exact) {
    v.value.reset();
    v.method = Method::kBound;
  } else if (eps.exact) {
    e.set_value(to_double_up(*eps.exact), *eps.exact, true, acc->terms.empty() ? Method::kNone : Method::kPure);
  } else {
    e.set_value(eps.value, std::nullopt, false, eps.accountant == dp::Accountant::kPld   ? Method::kPld
                  : eps.accountant == dp::Accountant::kRdp ? Method::kRdp
                                                           : Method::kBound);
  }
  v.explanation.add(steps::composition(acc->terms.size(), eps.how));
  return true;
}

bool Analyzer::evaluate_advantage(Evaluation& e) const {
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  if (obs.kind != LossKind::kPrivate && obs.kind != LossKind::kNothing) {
    e.set_value(1, Rational(1), true, obs.kind == LossKind::kHoldsData ? Method::kHolds : Method::kExposed);
    return true;
  }
  auto acc = accounted(e, Question::kMembership, steps::Combined::kSequentially, {},
                       [&](const dp::Composition& c) { return cache_.advantage(c, accountant_); });
  if (!acc) return false;
  if (acc->terms.empty()) {
    e.set_value(0, Rational(0), true, Method::kNone);
    return true;
  }
  double adv = cache_.advantage(acc->composition, accountant_);
  e.set_value(adv, std::nullopt, false, Method::kBound);
  v.explanation.add(steps::advantage_formula());
  return true;
}

}  // namespace privflow::analyzer::detail
