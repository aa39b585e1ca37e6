// The measures that bound an attack's success from the trade-off curve of the observed releases
// (docs/language.md, "Requirements"; docs/concepts.md, "Bayesian measures"):
//  - membership(D) at fpr F: the highest true-positive rate of any membership test at
//    false-positive rate F (f-DP, Dong, Roth & Su 2019), on the data's own relation;
//  - reconstruction(D.f): the highest probability of recovering the target's value of f, given
//    its prior: at most the TPR at FPR κ of a trade-off curve of the releases, κ the largest
//    prior probability of a value (Hayes, Mahloujifar & Balle 2023, the κ blow-up of a
//    dominating pair), after the exact channel the coalition sees (select, map, randomized
//    response with `keep`), whose posterior vulnerability replaces κ. Any reference run that
//    does not depend on the target's value z serves: the replace-one run M(D₋ ∪ {z₀}), and on
//    add/remove data Hayes et al.'s own, the run without the target M(D₋) (their Thm 2: success
//    = E_z ν_z[R = z] with E_z μ[R = z] ≤ κ, so ≤ TPR_κ of (μ, ν)). The add/remove profile is
//    symmetric (DP covers both orders of a neighbouring pair), so it bounds (M(D₋), M(D₋ ∪ {z})):
//    both bounds hold, and the smaller is reported, after an exact channel too (its output
//    conditions the prior; neither reference depends on the target's value).
#include <cmath>
#include <optional>
#include <string>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"

namespace privflow::analyzer::detail {
bool Analyzer::evaluate_membership(Evaluation& e) const {
  const flow::Requirement& r = e.requirement;
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  if (obs.kind != LossKind::kPrivate && obs.kind != LossKind::kNothing) {
    e.set_value(1, Rational(1), true, obs.kind == LossKind::kHoldsData ? Method::kHolds : Method::kExposed);
    return true;
  }
  const Rational fpr = r.fpr.value_or(Rational(0));
  const double fpr_up = to_double_up(fpr);  // the bound grows with the FPR: round it up
  auto acc = accounted(e, Question::kMembership, steps::Combined::kSequentially, {},
                       [&](const dp::Composition& c) { return cache_.tpr_at_fpr(c, fpr_up, accountant_).tpr; });
  if (!acc) return false;
  if (acc->terms.empty()) {
    e.set_value(fpr_up, fpr, true, Method::kNone);
    v.explanation.add(steps::membership_nothing_observed());
    return true;
  }
  const dp::TradeoffResult t = cache_.tpr_at_fpr(acc->composition, fpr_up, accountant_);
  e.set_value(t.tpr, std::nullopt, false, Method::kBound);
  Derivation& node = v.explanation.add(steps::membership(fpr, graph_.data[r.data]));
  node.add(t.how);
  return true;
}

bool Analyzer::evaluate_reconstruction(Evaluation& e) const {
  const flow::Requirement& r = e.requirement;
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  const flow::Data& d = graph_.data[r.data];
  const flow::Field& field = d.fields[r.field];
  if (obs.kind == LossKind::kHoldsData) {
    e.set_value(1, Rational(1), true, Method::kHolds);
    return true;
  }
  // The exact channel first: its posterior vulnerability is the baseline the releases start from.
  const auto releases = relevant_releases(graph_, r.data, r.field, obs.seen.releases);
  const auto rr = exact_rr(graph_, r.data, releases, true);
  std::vector<flow::Id> exact_ids;
  for (const auto& x : rr) exact_ids.push_back(x.artifact);
  const bool has_exact = !obs.seen.views.empty() || !rr.empty();
  Belief base = exact_vulnerability(graph_, maps_, r.data, obs.seen.views, rr, r.field);
  const bool uniform = field.parent == flow::kNone && (field.prior.empty() || field.prior[0].empty());
  if (!base.error.empty() && !has_exact && uniform) {
    // Too many values to list, seen through releases only: a uniform prior's baseline is 1/k.
    base.error.clear();
    base.prior = base.value = Rational(1) / Rational(std::to_string(field.domain_size()));
  }
  if (!base.error.empty()) {
    v.status = Status::kUndecided;
    v.reason = "exact inference: " + base.error;
    return false;
  }
  const double kappa = to_double_up(base.value);
  const detail::Figure tpr_at_kappa = [&](const dp::Composition& c) {
    return cache_.tpr_at_fpr(c, kappa, accountant_).tpr;
  };
  auto acc =
      detail::account(graph_, r.data, releases, Question::kValue, e.delta, cache_, accountant_, exact_ids, tpr_at_kappa);
  if (!acc.error.empty()) {
    v.status = Status::kUndecided;
    v.reason = acc.error;
    return false;
  }
  std::optional<dp::TradeoffResult> t;
  auto curve = steps::ReconstructionCurve::kReplaceOneOnly;
  if (!acc.terms.empty()) {
    t = cache_.tpr_at_fpr(acc.composition, kappa, accountant_);
    // Not on `neighbouring: replace` data (the run without the target is a dataset its profiles
    // do not cover). After an exact channel too: given its output y, the target's value has the
    // posterior π_y, and the releases (whose noise is not the channel's) are M(D₋ ∪ {z}) against
    // the run without the target M(D₋), which depends on neither z nor y; so Thm 2 holds at
    // κ_y = max π_y with either reference, and concavity takes E_y TPR(κ_y) to TPR(E_y κ_y).
    if (d.neighbouring == flow::Neighbouring::kAddRemove) {
      auto removed = detail::account(graph_, r.data, releases, Question::kMembership, e.delta, cache_, accountant_,
                                     exact_ids, tpr_at_kappa);
      if (removed.error.empty() && !removed.terms.empty()) {
        const dp::TradeoffResult u = cache_.tpr_at_fpr(removed.composition, kappa, accountant_);
        curve = steps::ReconstructionCurve::kReplaceOneSmaller;
        if (u.tpr < t->tpr) t = u, acc = std::move(removed), curve = steps::ReconstructionCurve::kWithoutTarget;
      }
    }
  }
  const bool without_target = curve == steps::ReconstructionCurve::kWithoutTarget;
  explain_releases(v.explanation, acc,
                   without_target ? steps::Combined::kSequentially : steps::Combined::kSequentiallyReplaceOne, obs);
  v.releases = acc.terms;
  v.explanation.add(steps::baseline(field, base.prior));
  if (has_exact) steps::add_exact_parts(v.explanation.add(steps::exact_guess(field, base)), graph_, d, obs.seen.views, rr);
  if (!t) {
    e.set_value(kappa, base.value, base.exact, has_exact ? (base.exact ? Method::kExact : Method::kBound) : Method::kNone);
    return true;
  }
  e.set_value(t->tpr, std::nullopt, false, Method::kBound);
  // Concavity of the trade-off bound makes one evaluation at the average baseline cover every
  // output of the exact channel (E[TPR(κ_y)] ≤ TPR(E[κ_y])).
  v.explanation.add(steps::reconstruction(base.value, curve)).add(t->how);
  return true;
}

}  // namespace privflow::analyzer::detail
