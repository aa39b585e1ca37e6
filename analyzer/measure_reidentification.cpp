// Re-identification (docs/language.md, "Requirements"): the expected fraction of records unique
// on the named fields among what the coalition sees.
#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"

namespace privflow::analyzer::detail {

bool Analyzer::evaluate_reidentification(Evaluation& e) const {
  const flow::Requirement& r = e.requirement;
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  // A statistic exposes the fields it reads (obs.seen.views), as its opened inputs would.
  bool sees_all = obs.kind == LossKind::kHoldsData;
  auto b = detail::reidentification(graph_, maps_, r.data, obs.seen.views, r.fields, sees_all);
  if (!b.error.empty()) {
    v.status = Status::kUndecided;
    v.reason = "re-identification: " + b.error;
    return false;
  }
  e.set_value(to_double_up(b.value), b.value, b.exact,
              sees_all ? Method::kHolds : (obs.seen.views.empty() ? Method::kNone : Method::kExact));
  if (!b.how.empty()) v.explanation.add(steps::cells(b.how));
  v.explanation.add(steps::uniqueness_formula());
  return true;
}

}  // namespace privflow::analyzer::detail
