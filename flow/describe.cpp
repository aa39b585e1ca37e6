// Requirements and coalitions in words (flow/describe.hpp).
#include "flow/describe.hpp"

#include <vector>

#include "base/text.hpp"

namespace privflow::flow {
namespace {

template <typename List>
std::string name_in(const List& list, Id id) {
  return id < list.size() ? list[id].name : std::string("?");
}

std::string field_name(const Data* data, Id field) {
  return data && field < data->fields.size() ? data->fields[field].name : std::string("?");
}

}  // namespace

std::string measure_text(const Graph& graph, const Requirement& r) {
  const Data* d = r.data < graph.data.size() ? &graph.data[r.data] : nullptr;
  const std::string data = d ? d->name : "?";
  switch (r.measure) {
    case Measure::kDp: return "dp(" + data + ")";
    case Measure::kAdvantage: return "advantage(" + data + ")";
    case Measure::kPosterior: {
      std::string value = "?";
      if (d && r.field < d->fields.size()) value = d->fields[r.field].value_name(r.value);
      return "posterior(" + data + "." + field_name(d, r.field) + " = " + value + ")";
    }
    case Measure::kLeakage: return "leakage(" + data + "." + field_name(d, r.field) + ")";
    case Measure::kMembership: return "membership(" + data + ") at fpr " + (r.fpr ? format_exact(*r.fpr) : std::string("?"));
    case Measure::kReconstruction: return "reconstruction(" + data + "." + field_name(d, r.field) + ")";
    case Measure::kReidentification: {
      std::vector<std::string> names;
      for (Id f : r.fields) names.push_back(field_name(d, f));
      return "reidentification(" + data + " by {" + join(names, ", ") + "})";
    }
    case Measure::kError: {
      const std::string artifact = name_in(graph.artifacts, r.artifact);
      return "error(" + artifact + ")";
    }
    case Measure::kForbid: {
      std::string text = "forbid " + name_in(graph.categories, r.category) + " from " +
                         name_in(graph.regions, r.from_region) + " to " + name_in(graph.regions, r.to_region);
      if (r.unless_epsilon) text += " unless epsilon ≤ " + format_exact(*r.unless_epsilon);
      return text;
    }
  }
  return "?";
}

std::string bound_text(const Requirement& r) {
  if (r.measure == Measure::kForbid)
    return r.unless_epsilon ? "epsilon " + format_exact(*r.unless_epsilon) : std::string("no crossing");
  std::string b = format_exact(r.bound);
  if (r.measure == Measure::kError) return b + (r.relative ? " relative" : "");
  if (r.measure == Measure::kDp || r.bound_is_epsilon) return "epsilon " + b;
  if (r.measure == Measure::kLeakage || r.bound_in_bits) return b + " bits";
  return b;
}

std::string bound_number_text(const Requirement& r) {
  const Rational& bound = r.measure == Measure::kForbid && r.unless_epsilon ? *r.unless_epsilon : r.bound;
  return format_exact(bound) + (r.measure == Measure::kLeakage || r.bound_in_bits ? " bits" : "");
}

std::string delta_text(const Rational& delta) { return format_compact(delta); }

std::string coalition_text(const Graph& graph, const Coalition& c) {
  std::vector<std::string> parts;
  for (const auto& m : c.fixed) {
    std::string name = name_in(graph.agents, m.agent);
    parts.push_back(m.all ? name : std::to_string(m.count) + " of " + name);
  }
  std::string text;
  if (!parts.empty()) text = std::string("{").append(join(parts, ", ")).append("}");
  if (c.choose > 0) {
    std::vector<std::string> candidates;
    for (Id id : c.candidates) candidates.push_back(name_in(graph.agents, id));
    if (!text.empty()) text += " + ";
    text += "any " + std::to_string(c.choose) + " of {" + join(candidates, ", ") + "}";
  }
  return text.empty() ? std::string("{}") : text;
}

std::string target_text(const Graph& graph, const Requirement& r) {
  return r.adversary < graph.adversaries.size() ? graph.adversaries[r.adversary].name : coalition_text(graph, r.coalition);
}

std::string requirement_text(const Graph& graph, const Requirement& r) {
  const std::string at_delta = r.delta ? " at delta " + delta_text(*r.delta) : std::string();
  if (r.measure == Measure::kForbid) return r.name + ": " + measure_text(graph, r) + (r.unless_epsilon ? at_delta : "");
  if (r.measure == Measure::kError)
    return r.name + ": " + measure_text(graph, r) + " ≤ " + bound_text(r) +
           (r.confidence ? " at confidence " + format_exact(*r.confidence) : std::string());
  return r.name + ": " + measure_text(graph, r) + " against " + target_text(graph, r) + " ≤ " + bound_text(r) + at_delta;
}

std::string topology_text(const Topology& t, std::uint64_t members) {
  const std::string n = std::to_string(members) + " members";
  switch (t.kind) {
    case Topology::Kind::kRing: return "ring of " + n;
    case Topology::Kind::kComplete: return "complete graph of " + n;
    case Topology::Kind::kStar: return "star of " + n + " (member 0 the hub)";
    case Topology::Kind::kTorus: return "torus " + std::to_string(t.rows) + " \xc3\x97 " + std::to_string(t.columns);
    case Topology::Kind::kRandomRegular:
      return "random " + std::to_string(t.degree) + "-regular graph (seed " + std::to_string(t.seed) + ") of " + n;
    case Topology::Kind::kEdges: return "graph of " + std::to_string(t.edges.size()) + " edges on " + n;
  }
  return n;
}

}  // namespace privflow::flow
