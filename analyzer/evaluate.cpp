// One requirement's verdict against one concrete coalition: what the coalition observes, the
// value from the measure's family, and whether it is within the bound (docs/language.md, "How
// the analysis works").
#include <cmath>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/wording.hpp"

namespace privflow::analyzer::detail {
namespace {

void add_steps(Derivation& node, const std::vector<Step>& steps) {
  for (const auto& s : steps) node.add(s.text, s.line);
}

}  // namespace

void Evaluation::set_value(double value, std::optional<Rational> rational, bool exact, Method method) {
  Verdict& v = verdict;
  v.value = value;
  v.rational = std::move(rational);
  v.exact = exact;
  v.method = method;
}

Coalition Analyzer::fixed_part(const flow::Coalition& fc) const { return fixed_coalition(graph_, fc); }

void Analyzer::explain_observation(Verdict& v, const Observation& obs, const flow::Requirement& r) const {
  const auto& d = graph_.data[r.data];
  Derivation& target = v.explanation.add(steps::target(d), d.span.line);
  switch (obs.kind) {
    case LossKind::kHoldsData:
      target.add(steps::holds_data(obs.holds_reason), obs.holds_path.empty() ? 0 : obs.holds_path[0].line);
      v.exposure = route_of(obs.holds_path);
      break;
    case LossKind::kExposedStats:
    case LossKind::kExposedRecord: {
      Derivation& e = target.add(steps::exposed(obs.kind));
      add_steps(e, obs.seen.exposure_path);
      v.exposure = route_of(obs.seen.exposure_path);
      break;
    }
    case LossKind::kNothing:
      target.add(steps::nothing_observed());
      break;
    case LossKind::kPrivate:
      break;
  }
}

void Analyzer::explain_releases(Derivation& parent, const detail::Accounted& acc, steps::Combined title,
                                const Observation& obs) const {
  if (acc.terms.empty()) return;
  Derivation& node = parent.add(steps::releases_observed(title));
  for (const auto& t : acc.terms) {
    Derivation& rel = node.add(steps::release(graph_, t), graph_.artifacts[t.artifact].span.line);
    if (!t.amplification.empty()) rel.add(steps::amplification(t.amplification));
    for (const auto& line : t.network) rel.add(steps::network_view(line));
    // How it reaches the coalition: the route of its first observation.
    for (const auto& use : obs.seen.releases) {
      if (use.artifact != t.artifact) continue;
      for (std::size_t i = 1; i < use.route.size(); ++i) rel.add(steps::then(use.route[i].text), use.route[i].line);
      break;
    }
  }
  for (const auto& n : acc.notes) node.add(n);
}

std::optional<Accounted> Analyzer::accounted(Evaluation& e, Question question, steps::Combined title,
                                             const std::vector<flow::Id>& exact, const Figure& figure) const {
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  auto acc = detail::account(graph_, e.requirement.data, obs.seen.releases, question, e.delta, cache_, accountant_, exact, figure);
  if (!acc.error.empty()) {
    v.status = Status::kUndecided;
    v.reason = acc.error;
    return std::nullopt;
  }
  explain_releases(v.explanation, acc, title, obs);
  v.releases = acc.terms;
  return acc;
}

Analyzer::MeasureEvaluator Analyzer::evaluator_of(flow::Measure measure) {
  switch (measure) {
    case flow::Measure::kDp: return &Analyzer::evaluate_dp;
    case flow::Measure::kAdvantage: return &Analyzer::evaluate_advantage;
    case flow::Measure::kPosterior:
    case flow::Measure::kLeakage: return &Analyzer::evaluate_belief;
    case flow::Measure::kReidentification: return &Analyzer::evaluate_reidentification;
    case flow::Measure::kMembership: return &Analyzer::evaluate_membership;
    case flow::Measure::kReconstruction: return &Analyzer::evaluate_reconstruction;
    case flow::Measure::kForbid: break;  // not against a coalition: Analyzer::forbid
    case flow::Measure::kError: break;   // not against a coalition: Analyzer::utility
  }
  return nullptr;
}

Verdict Analyzer::evaluate(const flow::Requirement& r, const Coalition& c, bool with_fix) const {
  Verdict v;
  v.coalition = c;
  v.bound = r.bound;
  v.delta = delta_of(r);
  Observation obs = detail::observe(graph_, r.data, c);
  v.loss = obs.kind;
  explain_observation(v, obs, r);

  Evaluation e{r, obs, v, v.delta};
  if (MeasureEvaluator family = evaluator_of(r.measure); family && !(this->*family)(e)) return v;
  // An exact value is compared as printed (a long fraction rounded up), an upper bound as the double.
  const std::optional<Rational> exact_value = printed_value(v);

  // The verdict: holds only when the upper bound is within the user's bound.
  bool within = false;
  // (an infinite double, e.g. an exact ε beyond double range, cannot become a Rational: not within)
  if (v.value) within = exact_value ? *exact_value <= r.bound : std::isfinite(*v.value) && Rational(*v.value) <= r.bound;
  v.status = within ? Status::kHolds : Status::kViolated;
  if (v.status == Status::kViolated && with_fix && !out_of_time()) suggest_fix(v, obs, r, c);
  return v;
}

}  // namespace privflow::analyzer::detail
