#include "flow/graph.hpp"

#include <algorithm>

namespace privflow::flow {
namespace {

template <class T>
Id find_by_name(const std::vector<T>& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return static_cast<Id>(i);
  return kNone;
}

}  // namespace

std::uint64_t Field::domain_size() const {
  switch (type) {
    case FieldType::kInt: return static_cast<std::uint64_t>(hi - lo) + 1;
    case FieldType::kBool: return 2;
    case FieldType::kEnum: return values.size();
  }
  return 0;
}

std::string Field::value_name(std::uint64_t i) const {
  if (type == FieldType::kInt) return std::to_string(lo + static_cast<std::int64_t>(i));
  return i < values.size() ? values[i] : std::string("?");
}

Id Data::field_index(const std::string& field_name) const { return find_by_name(fields, field_name); }

bool is_private(ComputeKind kind) {
  switch (kind) {
    case ComputeKind::kLaplace:
    case ComputeKind::kGeometric:
    case ComputeKind::kGaussian:
    case ComputeKind::kRandomizedResponse:
    case ComputeKind::kExponential:
    case ComputeKind::kDpsgd:
    case ComputeKind::kDeclared:
      return true;
    default:
      return false;
  }
}

const char* kind_name(ComputeKind kind) {
  switch (kind) {
    case ComputeKind::kLaplace: return "laplace";
    case ComputeKind::kGeometric: return "geometric";
    case ComputeKind::kGaussian: return "gaussian";
    case ComputeKind::kRandomizedResponse: return "randomized_response";
    case ComputeKind::kExponential: return "exponential";
    case ComputeKind::kDpsgd: return "dpsgd";
    case ComputeKind::kDeclared: return "declared";
    case ComputeKind::kMap: return "map";
    case ComputeKind::kSelect: return "select";
    case ComputeKind::kCount: return "count";
    case ComputeKind::kSum: return "sum";
    case ComputeKind::kMean: return "mean";
    case ComputeKind::kHistogram: return "histogram";
    case ComputeKind::kAggregate: return "aggregate";
    case ComputeKind::kTrain: return "train";
    case ComputeKind::kPseudonymize: return "pseudonymize";
  }
  return "?";
}

const char* measure_name(Measure measure) {
  switch (measure) {
    case Measure::kDp: return "dp";
    case Measure::kPosterior: return "posterior";
    case Measure::kAdvantage: return "advantage";
    case Measure::kLeakage: return "leakage";
    case Measure::kReidentification: return "reidentification";
    case Measure::kForbid: return "forbid";
  }
  return "?";
}

Id Graph::find_region(const std::string& n) const { return find_by_name(regions, n); }
Id Graph::find_category(const std::string& n) const { return find_by_name(categories, n); }
Id Graph::find_param(const std::string& n) const { return find_by_name(params, n); }
Id Graph::find_data(const std::string& n) const { return find_by_name(data, n); }
Id Graph::find_agent(const std::string& n) const { return find_by_name(agents, n); }
Id Graph::find_artifact(const std::string& n) const { return find_by_name(artifacts, n); }
Id Graph::find_adversary(const std::string& n) const { return find_by_name(adversaries, n); }

Rational Graph::value(const ParamValue& p) const {
  if (p.param != kNone && p.param < params.size()) return params[p.param].value;
  return p.literal;
}

std::optional<Rational> Graph::param(const Artifact& a, const std::string& name) const {
  auto it = a.params.find(name);
  if (it == a.params.end()) return std::nullopt;
  return value(it->second);
}

std::uint64_t Graph::times(const Artifact& a) const {
  auto t = param(a, "times");
  if (!t || *t < 1) return 1;
  mpz_class n = t->get_num() / t->get_den();
  return n.fits_ulong_p() ? n.get_ui() : static_cast<std::uint64_t>(-1);
}

Rational Graph::delta_of(const Requirement& r) const { return r.delta ? *r.delta : settings.delta; }

}  // namespace privflow::flow
