#include "flow/graph.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "flow/param_expr.hpp"

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

const char* measure_name(Measure measure) {
  switch (measure) {
    case Measure::kDp: return "dp";
    case Measure::kPosterior: return "posterior";
    case Measure::kAdvantage: return "advantage";
    case Measure::kLeakage: return "leakage";
    case Measure::kReidentification: return "reidentification";
    case Measure::kMembership: return "membership";
    case Measure::kReconstruction: return "reconstruction";
    case Measure::kError: return "error";
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
  if (p.expr) {
    // Checked when the spec was loaded; only a param changed since (tune) can break it.
    ParamEvaluation v = evaluate(*p.expr, params);
    if (!v.value) throw std::domain_error("parameter expression " + expr_text(*p.expr, params) + ": " + v.error);
    return settle(*v.value, p.round_up);
  }
  if (p.param != kNone && p.param < params.size()) return params[p.param].value;
  return p.literal;
}

Rational Graph::magnitude(const ParamValue& p) const {
  if (!p.expr) return abs(value(p));
  ParamEvaluation v = evaluate(*p.expr, params);
  if (!v.value) throw std::domain_error("parameter expression " + expr_text(*p.expr, params) + ": " + v.error);
  if (v.value->exact()) return abs(v.value->lo);
  // [0, top] is not a point (unless top is 0), so settle rounds top up to 12 digits.
  const Rational top = std::max<Rational>(abs(v.value->lo), abs(v.value->hi));
  return settle(Interval{Rational(0), top}, true);
}

const std::vector<ParamValue>& Graph::list(const Artifact& a, ParamKey key) const {
  static const std::vector<ParamValue> kEmpty;
  auto it = a.lists.find(key);
  return it == a.lists.end() ? kEmpty : it->second;
}

std::optional<Rational> Graph::param(const Artifact& a, ParamKey key) const {
  auto it = a.params.find(key);
  if (it == a.params.end()) return std::nullopt;
  return value(it->second);
}

std::uint64_t Graph::times(const Artifact& a) const {
  auto t = param(a, ParamKey::kTimes);
  if (!t || *t < 1) return 1;
  mpz_class n = t->get_num() / t->get_den();
  return n.fits_ulong_p() ? n.get_ui() : static_cast<std::uint64_t>(-1);
}

Rational Graph::delta_of(const Requirement& r) const { return r.delta ? *r.delta : settings.delta; }

Rational Graph::confidence_of(const Requirement* r) const {
  if (r && r->confidence) return *r->confidence;
  return settings.confidence ? *settings.confidence : make_rational(95, 100);
}

namespace {

Rational of(std::int64_t x) {
  Rational r;
  r = mpz_class(std::to_string(x));
  return r;
}

/// The records of `data` an instance of `agent` holds (all of them when not partitioned).
std::uint64_t rows_held(const Graph& g, Id data, Id agent) {
  const Data& d = g.data[data];
  const Agent& a = g.agents[agent];
  for (const auto& h : a.holds)
    if (h.data == data && h.partitioned && a.population && a.count > 0) return std::max<std::uint64_t>(1, d.rows / a.count);
  return std::max<std::uint64_t>(1, d.rows);
}

}  // namespace

std::optional<DerivedSensitivity> derived_sensitivity(const Graph& g, const Artifact& mechanism, bool l2,
                                                       std::optional<Neighbouring> relation) {
  if (mechanism.inputs.empty()) return std::nullopt;
  const Input* in = &mechanism.inputs[0];
  ComputeKind statistic = ComputeKind::kSum;  // a field read directly moves like its sum
  const Artifact* stat = nullptr;
  if (in->kind == Input::Kind::kArtifact) {
    if (in->artifact >= g.artifacts.size()) return std::nullopt;
    stat = &g.artifacts[in->artifact];
    statistic = stat->kind;
    if (statistic != ComputeKind::kSum && statistic != ComputeKind::kMean && statistic != ComputeKind::kHistogram &&
        statistic != ComputeKind::kCount)
      return std::nullopt;
    if (stat->inputs.empty()) return std::nullopt;
    in = &stat->inputs[0];
  }
  if (in->data >= g.data.size()) return std::nullopt;
  const Data& d = g.data[in->data];
  const bool replace = relation.value_or(d.neighbouring) == Neighbouring::kReplace;
  if (statistic == ComputeKind::kCount) return DerivedSensitivity{Rational(1), "a count of " + d.name};
  if (in->kind != Input::Kind::kField || in->field >= d.fields.size()) return std::nullopt;
  const Field& f = d.fields[in->field];
  const std::string range = f.type == FieldType::kInt ? "int[" + std::to_string(f.lo) + ", " + std::to_string(f.hi) + "]"
                                                      : std::string(f.type == FieldType::kBool ? "bool" : "enumerated");
  if (statistic == ComputeKind::kHistogram) {
    Rational v = !replace ? make_rational(1) : l2 ? make_rational(14143, 10000) : make_rational(2);
    return DerivedSensitivity{v, "a histogram of " + f.name};
  }
  if (f.type == FieldType::kEnum) return std::nullopt;
  const std::int64_t lo = f.type == FieldType::kBool ? 0 : f.lo, hi = f.type == FieldType::kBool ? 1 : f.hi;
  const Rational span = of(hi) - of(lo), low = abs(of(lo)), high = abs(of(hi));
  const Rational reach = low > high ? low : high;
  Rational v = replace ? span : reach;
  std::string what = (stat ? "the sum of " : "") + f.name + ", " + range;
  if (statistic == ComputeKind::kMean) {
    const std::uint64_t n = rows_held(g, in->data, stat->at);
    v = span / Rational(static_cast<unsigned long>(std::min<std::uint64_t>(n, ULONG_MAX)));
    what = "the mean of " + f.name + ", " + range + ", over " + std::to_string(n) + " rows";
  }
  v.canonicalize();
  return DerivedSensitivity{v, what};
}

}  // namespace privflow::flow
