// The words of a verdict: its one-line explanation and reason (docs/concepts.md, "Verdicts: holds, violated, undecided"),
// and the names of statuses and losses.
#include "analyzer/detail/analyzer.hpp"

namespace privflow::analyzer {
namespace detail {

void Analyzer::finish(Verdict& v, const flow::Requirement& r) const {
  v.requirement = static_cast<flow::Id>(&r - graph_.requirements.data());
  v.name = r.name;
  v.measure = r.measure;
  std::string measure = flow::measure_name(r.measure);
  std::string subject;
  const flow::Data* d = r.data != flow::kNone ? &graph_.data[r.data] : nullptr;
  switch (r.measure) {
    case flow::Measure::kPosterior:
      subject = d->name + "." + d->fields[r.field].name + " = " + d->fields[r.field].value_name(r.value);
      break;
    case flow::Measure::kLeakage:
      subject = d->name + "." + d->fields[r.field].name;
      break;
    case flow::Measure::kReidentification: {
      std::vector<std::string> names;
      for (flow::Id f : r.fields) names.push_back(d->fields[f].name);
      subject = d->name + " by {" + join(names, ", ") + "}";
      break;
    }
    case flow::Measure::kForbid:
      break;
    default:
      subject = d->name;
  }
  if (r.measure != flow::Measure::kForbid) {
    std::string target = v.adversary.empty() ? v.coalition_text : v.adversary;
    std::string bound = r.bound_is_epsilon ? "epsilon " + format_exact(r.bound) : format_exact(r.bound) + (r.bound_in_bits ? " bits" : "");
    std::string value = v.value ? v.value_text : "unbounded";
    const char* op = v.status == Status::kHolds ? "≤" : ">";
    v.explanation.text = measure + "(" + subject + ") against " + target + ": " +
                         (v.status == Status::kUndecided ? "undecided" : value + " " + op + " " + bound);
    if (v.reason.empty())
      v.reason = v.status == Status::kUndecided ? "undecided"
                 : (r.measure == flow::Measure::kDp ? "epsilon " : "") + value + " " + op + " " + format_exact(r.bound) +
                       (r.measure == flow::Measure::kDp || r.measure == flow::Measure::kPosterior ||
                                r.measure == flow::Measure::kAdvantage
                            ? " at delta " + v.delta_text
                            : (r.measure == flow::Measure::kLeakage ? " bits" : ""));
  }
}

}  // namespace detail

const char* status_name(Status s) {
  switch (s) {
    case Status::kHolds: return "holds";
    case Status::kViolated: return "violated";
    case Status::kUndecided: return "undecided";
  }
  return "?";
}

const char* loss_kind_name(LossKind k) {
  switch (k) {
    case LossKind::kNothing: return "nothing";
    case LossKind::kPrivate: return "private";
    case LossKind::kExposedRecord: return "exposed";
    case LossKind::kExposedStats: return "exposed";
    case LossKind::kHoldsData: return "holds";
  }
  return "?";
}

}  // namespace privflow::analyzer
