// The words of a verdict: its one-line explanation and reason (docs/concepts.md, "Verdicts: holds, violated, undecided"),
// from analyzer/wording.hpp, which names statuses and losses too.
#include "analyzer/detail/analyzer.hpp"
#include "analyzer/wording.hpp"

namespace privflow::analyzer {
namespace detail {

void Analyzer::finish(Verdict& v, const flow::Requirement& r) const {
  v.requirement = static_cast<flow::Id>(&r - graph_.requirements.data());
  v.name = r.name;
  v.measure = r.measure;
  // The verdict is worded once, by analyzer/wording.hpp: the reason is the comparison of the
  // verdict line, the derivation's root is the verdict line itself.
  if (r.measure != flow::Measure::kForbid) {
    if (v.reason.empty()) v.reason = v.status == Status::kUndecided ? "undecided" : comparison(graph_, r, v);
    v.explanation.text = headline(graph_, r, v);
  }
}

}  // namespace detail
}  // namespace privflow::analyzer
