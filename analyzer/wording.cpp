// Verdicts in words (analyzer/wording.hpp).
#include "analyzer/wording.hpp"

#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "base/text.hpp"
#include "flow/describe.hpp"
#include "inference/format.hpp"

namespace privflow::analyzer {
namespace {

bool is_probability(flow::Measure m) {
  return m == flow::Measure::kPosterior || m == flow::Measure::kAdvantage || m == flow::Measure::kReidentification ||
         m == flow::Measure::kMembership || m == flow::Measure::kReconstruction;
}

}  // namespace

const char* status_name(Status status) {
  switch (status) {
    case Status::kHolds: return "holds";
    case Status::kViolated: return "violated";
    case Status::kUndecided: return "undecided";
  }
  return "?";
}

const char* loss_kind_name(LossKind kind) {
  switch (kind) {
    case LossKind::kNothing: return "nothing";
    case LossKind::kPrivate: return "private";
    case LossKind::kExposedRecord: return "exposed";
    case LossKind::kExposedStats: return "exposed";
    case LossKind::kHoldsData: return "holds";
  }
  return "?";
}

const char* method_name(Method method) {
  switch (method) {
    case Method::kUnset: return "";
    case Method::kNone: return "none";
    case Method::kRdp: return "rdp";
    case Method::kPld: return "pld";
    case Method::kPure: return "pure";
    case Method::kExact: return "exact";
    case Method::kBound: return "bound";
    case Method::kExposed: return "exposed";
    case Method::kHolds: return "holds";
    case Method::kForbid: return "forbid";
  }
  return "";
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

const char* cell_status_name(CellStatus status) {
  switch (status) {
    case CellStatus::kPrivate: return "private";
    case CellStatus::kExposed: return "exposed";
    case CellStatus::kHolds: return "holds";
  }
  return "private";
}

const char* unit_name(flow::Measure measure) {
  switch (measure) {
    case flow::Measure::kDp:
    case flow::Measure::kForbid: return "epsilon";
    case flow::Measure::kPosterior:
    case flow::Measure::kAdvantage:
    case flow::Measure::kMembership:
    case flow::Measure::kReconstruction: return "probability";
    case flow::Measure::kLeakage: return "bits";
    case flow::Measure::kReidentification: return "fraction";
    case flow::Measure::kError: return "error";
  }
  return "";
}

namespace {

/// An upper bound rounded up to 4 significant digits, or to as many more (up to 17) as it takes
/// to stay within the verdict's bound when the value is within it: `11.983`, not `11.99`, for
/// 11.98293 against a bound of 11.983 (the line must not read `11.99 ≤ 11.983`).
template <class Format>
std::string within_bound(const Rational& value, const Rational& bound, Format format) {
  std::string text = format(4);
  if (value > bound) return text;
  for (int digits = 5; digits <= 17; ++digits) {
    const auto printed = parse_number(text);
    if (printed && *printed <= bound) break;
    text = format(digits);
  }
  return text;
}

}  // namespace

std::string value_text(const Verdict& v) {
  if (!v.value) return "unbounded";
  if (v.measure == flow::Measure::kForbid && v.crossings.empty()) return "no crossing";
  if (v.rational) {
    if (!v.exact) return within_bound(*v.rational, v.bound, [&](int digits) { return format_up(*v.rational, digits); });
    // Probabilities print as short fractions (a long one rounded up); other exact values in full.
    return is_probability(v.measure) ? inference::format_probability(*v.rational) : format_exact(*v.rational);
  }
  if (!std::isfinite(*v.value)) return format_double_up(*v.value, 4);
  return within_bound(Rational(*v.value), v.bound, [&](int digits) { return format_double_up(*v.value, digits); });
}

std::optional<Rational> printed_value(const Verdict& v) {
  if (!v.exact || !v.value) return std::nullopt;
  return parse_number(value_text(v));
}

std::string value_with_unit(const flow::Requirement& r, const Verdict& v) {
  if (r.measure == flow::Measure::kForbid && v.crossings.empty() && v.status == Status::kHolds) return "no crossing";
  std::string value = v.value ? value_text(v) : std::string("unbounded");
  std::string why;
  if (!v.value) {
    if (v.method == Method::kHolds || v.loss == LossKind::kHoldsData) why = " (holds the data)";
    else if (v.method == Method::kExposed || v.loss == LossKind::kExposedRecord || v.loss == LossKind::kExposedStats)
      why = " (exposed)";
  }
  switch (r.measure) {
    case flow::Measure::kDp:
    case flow::Measure::kForbid: return "epsilon " + value + why;
    case flow::Measure::kLeakage: return value + " bits" + why;
    case flow::Measure::kError: return "±" + value + (r.relative ? " relative" : "");
    default: return value + why;
  }
}

bool states_delta(const flow::Requirement& r, const Verdict& v) {
  const bool delta_enters = r.measure == flow::Measure::kDp || r.measure == flow::Measure::kPosterior ||
                            r.measure == flow::Measure::kAdvantage;
  return delta_enters && v.value && !(v.exact && r.measure != flow::Measure::kDp);
}

std::string comparison(const flow::Graph& graph, const flow::Requirement& r, const Verdict& v) {
  std::string text = value_with_unit(r, v) + (v.status == Status::kHolds ? " ≤ " : " > ") + flow::bound_number_text(r);
  if (states_delta(r, v)) text += " at delta " + flow::delta_text(graph.delta_of(r));
  if (r.measure == flow::Measure::kError) text += " at confidence " + format_exact(graph.confidence_of(&r));
  return text;
}

std::string coalition_text(const flow::Graph& graph, const Verdict& v) { return describe(graph, v.coalition); }

std::string who_text(const flow::Graph& graph, const Verdict& v) {
  if (v.measure != flow::Measure::kForbid) return coalition_text(graph, v);
  std::vector<std::string> names;
  for (const auto& x : v.crossings) names.push_back(x.observer);
  return names.empty() ? "nobody" : join(names, ", ");
}

std::string target_text(const flow::Graph& graph, const Verdict& v) {
  return v.adversary.empty() ? coalition_text(graph, v) : v.adversary;
}

std::string headline(const flow::Graph& graph, const flow::Requirement& r, const Verdict& v) {
  std::string text = flow::measure_text(graph, r);
  if (r.measure == flow::Measure::kForbid) {
    if (v.status == Status::kViolated && !v.crossings.empty()) {
      std::vector<std::string> parts;
      for (const auto& x : v.crossings) parts.push_back(x.observer + " (" + x.reason + ")");
      return text + ": crossed by " + join(parts, ", ");
    }
    if (v.status == Status::kUndecided) return text + ": undecided" + (v.reason.empty() ? "" : " (" + v.reason + ")");
    return text + ": " + (v.reason.empty() ? "no crossing" : v.reason);
  }
  text += r.measure == flow::Measure::kError ? ": " : " against " + target_text(graph, v) + ": ";
  if (v.status == Status::kUndecided)
    return text + "undecided" + (v.reason.empty() || v.reason == "undecided" ? "" : " (" + v.reason + ")");
  return text + comparison(graph, r, v);
}

std::string confidence_text(double beta) {
  std::ostringstream out;
  out << std::setprecision(6) << (1 - beta) * 100 << " %";
  return out.str();
}

std::string error_text(const ReleaseError& e) {
  if (!e.modelled) return "no error figure: " + e.how;
  std::string text = "±" + format_double_up(e.half_width, 4) + (e.unit.empty() ? "" : " " + e.unit) + " at " +
                     confidence_text(e.beta) + " (sd " + format_double_up(e.sd, 4) + ")";
  if (e.relative)
    text += ", " + format_double_up(*e.relative * 100, 3) + " % of " + e.expected_what + " (" +
            format_double_up(*e.expected, 4) + ")";
  return text;
}

std::string epsilon_text(double epsilon) {
  if (std::isnan(epsilon) || (std::isinf(epsilon) && epsilon > 0)) return "unbounded";
  return format_double_up(epsilon, 4);
}

namespace {

/// The double a plain decimal text (`5.193`, `1e-5`) reads as; nullopt for fractions.
std::optional<double> decimal_of(const std::string& text) {
  if (text.empty() || text.find('/') != std::string::npos || !parse_number(text)) return std::nullopt;
  double x = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), x);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

}  // namespace

std::optional<double> epsilon_number(std::optional<double> epsilon) {
  if (!epsilon || !std::isfinite(*epsilon)) return std::nullopt;
  return decimal_of(epsilon_text(*epsilon)).value_or(*epsilon);
}

double bound_number(const Rational& bound) { return decimal_of(format_exact(bound)).value_or(to_double_down(bound)); }

double delta_number(const Rational& spec_delta, double used) {
  auto d = decimal_of(flow::delta_text(spec_delta));
  return d && *d >= used ? *d : used;
}

std::string cell_text(const LeakageCell& c) {
  switch (c.loss) {
    case LossKind::kHoldsData: return "holds";
    case LossKind::kExposedRecord:
    case LossKind::kExposedStats: return "exposed";
    case LossKind::kNothing: return "nothing";
    case LossKind::kPrivate: return c.epsilon ? epsilon_text(*c.epsilon) : std::string("unbounded");
  }
  return "?";
}

CellStatus LeakageCell::status() const {
  switch (loss) {
    case LossKind::kHoldsData: return CellStatus::kHolds;
    case LossKind::kExposedRecord:
    case LossKind::kExposedStats: return CellStatus::kExposed;
    case LossKind::kNothing:
    case LossKind::kPrivate: return CellStatus::kPrivate;
  }
  return CellStatus::kPrivate;
}

}  // namespace privflow::analyzer
