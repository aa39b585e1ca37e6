// The JSON report (docs/report.schema.json). Keys are emitted in a fixed order
// (nlohmann::ordered_json); figures are JSON numbers that are upper bounds. Words come from
// analyzer/wording.hpp and flow/describe.hpp, as in every other format.
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "base/rational.hpp"
#include "privflow/version.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace {

using Json = nlohmann::ordered_json;

Json line_or_null(std::uint32_t line) { return line ? Json(line) : Json(nullptr); }

/// A verdict's value at full precision: the analysis's upper bound itself (a double it rounded
/// up, never down), printed as the shortest decimal that reads back as the same double.
/// `value_text` beside it is the short form.
Json full_value(std::optional<double> value) {
  if (!value || !std::isfinite(*value)) return nullptr;
  return *value;
}

/// An ε upper bound at full precision: the analysis's double itself (rounded up, never down),
/// printed as the shortest decimal that reads back as the same double; null when unbounded.
/// `epsilon_text` beside it is the short form.
Json epsilon_full(std::optional<double> eps) {
  if (!eps || !std::isfinite(*eps)) return nullptr;
  return *eps;
}

/// The short form of an ε as every other output prints it: 4 significant digits rounded up,
/// or `unbounded`.
std::string epsilon_short(std::optional<double> eps) { return analyzer::epsilon_text(eps ? *eps : HUGE_VAL); }

/// A fraction the diagrams use (a release's share of ε): 4 significant digits rounded up.
Json share_figure(double share) {
  auto number = analyzer::epsilon_number(share);
  return number ? Json(*number) : Json(nullptr);
}

Json tree(const analyzer::Derivation& d) {
  Json node;
  node["text"] = d.text;
  node["line"] = line_or_null(d.line);
  node["children"] = Json::array();
  for (const auto& c : d.children) node["children"].push_back(tree(c));
  return node;
}

Json requirement_json(const flow::Graph& g, const flow::Requirement* r, const analyzer::Verdict& v) {
  Json j;
  const bool forbid = v.measure == flow::Measure::kForbid;
  j["name"] = v.name.empty() && r ? r->name : v.name;
  j["line"] = line_or_null(r ? r->span.line : 0);
  j["column"] = line_or_null(r ? r->span.column : 0);
  j["measure"] = flow::measure_name(v.measure);
  j["data"] = r && !forbid && r->data < g.data.size() ? Json(g.data[r->data].name) : Json(nullptr);
  if (r && (v.measure == flow::Measure::kPosterior || v.measure == flow::Measure::kLeakage ||
            v.measure == flow::Measure::kReconstruction) &&
      r->data < g.data.size() &&
      r->field < g.data[r->data].fields.size()) {
    const auto& f = g.data[r->data].fields[r->field];
    j["field"] = f.name;
    if (v.measure == flow::Measure::kPosterior) j["field_value"] = f.value_name(r->value);
  }
  if (r && v.measure == flow::Measure::kMembership && r->fpr) j["fpr"] = analyzer::bound_number(*r->fpr);
  if (r && v.measure == flow::Measure::kError) {
    j["artifact"] = r->artifact < g.artifacts.size() ? Json(g.artifacts[r->artifact].name) : Json(nullptr);
    j["relative"] = r->relative;
    j["confidence"] = analyzer::bound_number(g.confidence_of(r));
  }
  if (r && v.measure == flow::Measure::kReidentification && r->data < g.data.size()) {
    Json fields = Json::array();
    for (flow::Id f : r->fields)
      if (f < g.data[r->data].fields.size()) fields.push_back(g.data[r->data].fields[f].name);
    j["fields"] = fields;
  }
  j["adversary"] = forbid || v.adversary.empty() ? Json(nullptr) : Json(v.adversary);
  j["status"] = analyzer::status_name(v.status);
  j["value"] = full_value(v.value);
  j["value_text"] = analyzer::value_text(v);
  j["unit"] = analyzer::unit_name(v.measure);
  const Rational bound = forbid && r && r->unless_epsilon ? *r->unless_epsilon : v.bound;
  j["bound"] = forbid && !(r && r->unless_epsilon) ? Json(nullptr) : Json(analyzer::bound_number(bound));
  j["bound_text"] = forbid && !(r && r->unless_epsilon) ? Json(nullptr) : Json(format_exact(bound));
  // The spec's δ: the analysis certified ε at a δ rounded down from it, so the pair holds at
  // this δ too (a larger δ is a weaker claim).
  j["delta"] = r ? analyzer::delta_number(g.delta_of(*r), v.delta) : v.delta;
  j["delta_text"] = r ? flow::delta_text(g.delta_of(*r)) : "";
  j["exact"] = v.exact;
  if (forbid || v.measure == flow::Measure::kError) {
    j["coalition"] = nullptr;
  } else {
    Json members = Json::array();
    for (const auto& m : analyzer::members(g, v.coalition)) members.push_back(m);
    j["coalition"] = members;
    // `at distance >= D`: the coalition's members of a topology's population are D hops or more from the target
    if (v.coalition.distance > 1) j["distance"] = v.coalition.distance;
  }
  j["method"] = analyzer::method_name(v.method);
  j["reason"] = v.reason;
  j["fix"] = v.fix.empty() ? Json(nullptr) : Json(v.fix);
  if (forbid) {
    if (r) {
      auto name = [](const auto& list, flow::Id id) { return id < list.size() ? Json(list[id].name) : Json(nullptr); };
      j["category"] = name(g.categories, r->category);
      j["from"] = name(g.regions, r->from_region);
      j["to"] = name(g.regions, r->to_region);
    }
    Json observers = Json::array();
    for (const auto& x : v.crossings) {
      Json o;
      o["observer"] = x.observer;
      o["epsilon"] = epsilon_full(x.epsilon);
      o["epsilon_text"] = epsilon_short(x.epsilon);
      o["reason"] = x.reason;
      o["path"] = x.path;
      observers.push_back(o);
    }
    j["observers"] = observers;
  } else {
    Json releases = Json::array();
    for (const auto& t : v.releases) {
      Json o;
      o["artifact"] = t.artifact < g.artifacts.size() ? Json(g.artifacts[t.artifact].name) : Json(nullptr);
      o["line"] = line_or_null(t.artifact < g.artifacts.size() ? g.artifacts[t.artifact].span.line : 0);
      o["mechanism"] = t.mechanism;
      o["parameters"] = t.parameters;
      o["copies"] = t.copies;
      o["epsilon"] = epsilon_full(t.epsilon_alone);
      o["epsilon_text"] = epsilon_short(t.epsilon_alone);
      o["share"] = share_figure(t.share);  // 4 digits rounded up, as an ε
      o["amplification"] = t.amplification.empty() ? Json(nullptr) : Json(t.amplification);
      if (!t.network.empty()) o["network"] = t.network;
      releases.push_back(o);
    }
    j["releases"] = releases;
  }
  j["explanation"] = tree(v.explanation);
  return j;
}

/// One release's error (docs/report.schema.json, "errors"): upper bounds, rounded up.
Json error_json(const flow::Graph& g, const analyzer::ReleaseError& e) {
  Json o;
  o["artifact"] = e.artifact < g.artifacts.size() ? Json(g.artifacts[e.artifact].name) : Json(nullptr);
  o["line"] = line_or_null(e.artifact < g.artifacts.size() ? g.artifacts[e.artifact].span.line : 0);
  o["from"] = e.from < g.artifacts.size() ? Json(g.artifacts[e.from].name) : Json(nullptr);
  o["modelled"] = e.modelled;
  o["quantity"] = e.quantity;
  o["unit"] = e.unit;
  o["confidence"] = 1 - e.beta;
  o["sd"] = e.modelled ? Json(e.sd) : Json(nullptr);
  o["half_width"] = e.modelled ? Json(e.half_width) : Json(nullptr);
  o["expected"] = e.modelled && e.expected ? Json(*e.expected) : Json(nullptr);
  o["relative"] = e.modelled && e.relative ? Json(*e.relative) : Json(nullptr);
  o["text"] = analyzer::error_text(e);
  o["how"] = e.how;
  return o;
}

}  // namespace

std::string to_json(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  Json j;
  j["pipeline"] = graph.pipeline;
  j["title"] = graph.title;
  j["spec"] = detail::spec_path(graph, options);
  j["privflow_version"] = kVersion;
  j["requirements"] = Json::array();
  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i)
    j["requirements"].push_back(requirement_json(graph, detail::requirement_of(graph, analysis, i), analysis.verdicts[i]));
  j["leakage"] = Json::array();
  for (const auto& c : analysis.leakage) {
    Json o;
    o["data"] = c.data < graph.data.size() ? Json(graph.data[c.data].name) : Json(nullptr);
    o["observer"] = c.observer;
    o["epsilon"] = c.loss == analyzer::LossKind::kNothing ? Json(0) : epsilon_full(c.epsilon);
    o["epsilon_text"] = analyzer::cell_text(c);
    o["delta"] = analyzer::delta_number(graph.settings.delta, c.delta);
    o["status"] = analyzer::cell_status_name(c.status());
    o["loss"] = analyzer::loss_kind_name(c.loss);
    j["leakage"].push_back(o);
  }
  j["findings"] = Json::array();
  for (const auto& f : analysis.findings) {
    Json o;
    o["severity"] = analyzer::severity_name(f.severity);
    o["line"] = line_or_null(f.span.line);
    o["column"] = line_or_null(f.span.column);
    o["message"] = f.message;
    j["findings"].push_back(o);
  }
  j["assumptions"] = analysis.assumptions;
  j["errors"] = Json::array();
  for (const auto& e : analysis.errors) j["errors"].push_back(error_json(graph, e));
  detail::Counts c = detail::count_statuses(analysis);
  Json summary;
  summary["requirements"] = analysis.verdicts.size();
  summary["holds"] = c.holds;
  summary["violated"] = c.violated;
  summary["undecided"] = c.undecided;
  summary["exit_code"] = analysis.exit_code();
  j["summary"] = summary;
  // Invalid UTF-8 in names cannot come from the front end; replace rather than throw anyway.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace privflow::report
