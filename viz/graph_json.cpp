// The flow graph as JSON (`privflow graph --format json`): keys in a fixed order, numbers as
// exact fractions, every declaration with the line and column it was written at.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "flow/param_expr.hpp"
#include "viz/flow_graph.hpp"

namespace privflow::viz {
namespace {

using Json = nlohmann::ordered_json;
using flow::kNone;

void put_span(Json& j, const flow::Span& s) {
  j["line"] = s.line;
  j["column"] = s.column;
}

/// An array of one object per item: `fill` writes the item's fields, its location comes last.
template <class Item, class Fill>
Json array_of(const std::vector<Item>& items, Fill fill) {
  Json out = Json::array();
  for (const auto& item : items) {
    Json j = Json::object();
    fill(j, item);
    put_span(j, item.span);
    out.push_back(std::move(j));
  }
  return out;
}

const char* op_name(flow::Expr::Op op) {
  using O = flow::Expr::Op;
  switch (op) {
    case O::kInt: return "int";
    case O::kEnum: return "enum";
    case O::kBool: return "bool";
    case O::kField: return "field";
    case O::kNeg: return "neg";
    case O::kNot: return "not";
    case O::kAdd: return "+";
    case O::kSub: return "-";
    case O::kMul: return "*";
    case O::kDiv: return "/";
    case O::kMod: return "%";
    case O::kEq: return "=";
    case O::kNe: return "!=";
    case O::kLt: return "<";
    case O::kLe: return "<=";
    case O::kGt: return ">";
    case O::kGe: return ">=";
    case O::kAnd: return "and";
    case O::kOr: return "or";
    case O::kIf: return "if";
  }
  return "?";
}

/// Exact text of a rational: an integer or a fraction `n/d` (never a rounded decimal).
std::string exact(const Rational& q) { return q.get_str(); }

Json exact_or_null(const std::optional<Rational>& q) { return q ? Json(exact(*q)) : Json(nullptr); }

Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

template <class T>
Json name_or_null(const std::vector<T>& items, flow::Id id) {
  return id == kNone || id >= items.size() ? Json(nullptr) : Json(items[id].name);
}

Json expr_json(const flow::Expr& e, const flow::Data& d) {
  Json j;
  j["op"] = op_name(e.op);
  j["type"] = e.type == flow::Expr::Type::kInt ? "int" : e.type == flow::Expr::Type::kBool ? "bool" : "enum";
  if (e.op == flow::Expr::Op::kInt || e.op == flow::Expr::Op::kBool) j["value"] = e.value;
  if (e.field != kNone && e.field < d.fields.size()) j["field"] = d.fields[e.field].name;
  if (e.op == flow::Expr::Op::kEnum && e.field < d.fields.size())
    j["value"] = d.fields[e.field].value_name(static_cast<std::uint64_t>(e.value));
  if (!e.children.empty()) {
    Json c = Json::array();
    for (const auto& x : e.children) c.push_back(expr_json(x, d));
    j["children"] = c;
  }
  put_span(j, e.span);
  return j;
}

Json coalition_json(const flow::Graph& g, const flow::Coalition& c) {
  Json j;
  j["fixed"] = array_of(c.fixed, [&g](Json& x, const auto& m) {
    x["agent"] = name_or_null(g.agents, m.agent);
    x["count"] = m.count;
    x["all"] = m.all;
  });
  j["choose"] = c.choose;
  Json candidates = Json::array();
  for (auto a : c.candidates) candidates.push_back(name_or_null(g.agents, a));
  j["candidates"] = candidates;
  put_span(j, c.span);
  return j;
}

Json head_json(const flow::Graph& g, Json root) {
  root["file"] = g.file;
  Json pipeline;
  pipeline["name"] = text_or_null(g.pipeline);
  pipeline["title"] = g.title;
  put_span(pipeline, g.pipeline_span);
  root["pipeline"] = pipeline;
  Json settings;
  settings["delta"] = exact(g.settings.delta);
  settings["accountant"] = g.settings.accountant == flow::AccountantKind::kRdp   ? "rdp"
                           : g.settings.accountant == flow::AccountantKind::kPld ? "pld"
                                                                                 : "auto";
  put_span(settings, g.settings.span);
  root["settings"] = settings;
  root["regions"] = array_of(g.regions, [](Json& j, const auto& r) { j["name"] = r.name; });
  root["categories"] = array_of(g.categories, [](Json& j, const auto& c) {
    j["name"] = c.name;
    j["special"] = c.special;
  });
  root["params"] = array_of(g.params, [](Json& j, const auto& p) {
    j["name"] = p.name;
    j["value"] = exact(p.value);
    j["lo"] = exact_or_null(p.lo);
    j["hi"] = exact_or_null(p.hi);
  });
  return root;
}

void field_json(const flow::Data& d, Json& x, const flow::Field& f) {
  x["name"] = f.name;
  x["type"] = f.type == flow::FieldType::kInt ? "int" : f.type == flow::FieldType::kBool ? "bool" : "enum";
  if (f.type == flow::FieldType::kInt) {
    x["lo"] = f.lo;
    x["hi"] = f.hi;
  } else {
    x["values"] = f.values;
  }
  x["given"] = f.parent == kNone ? Json(nullptr) : Json(d.fields[f.parent].name);
  Json prior = Json::array();
  for (const auto& row : f.prior) {
    Json r = Json::array();
    for (const auto& p : row) r.push_back(exact(p));
    prior.push_back(r);
  }
  x["prior"] = prior;
  x["category"] = text_or_null(f.category);
}

Json data_json(const flow::Graph& g) {
  return array_of(g.data, [](Json& j, const flow::Data& d) {
    j["name"] = d.name;
    j["title"] = d.title;
    j["rows"] = d.rows;
    j["category"] = text_or_null(d.category);
    j["neighbouring"] = d.neighbouring == flow::Neighbouring::kReplace ? "replace" : "add_remove";
    j["fields"] = array_of(d.fields, [&d](Json& x, const flow::Field& f) { field_json(d, x, f); });
  });
}

Json agents_json(const flow::Graph& g) {
  return array_of(g.agents, [&g](Json& j, const flow::Agent& a) {
    j["name"] = a.name;
    j["title"] = a.title;
    j["population"] = a.population;
    j["count"] = a.count;
    j["trust"] = trust_name(a.trust);
    j["region"] = name_or_null(g.regions, a.region);
    j["holds"] = array_of(a.holds, [&g](Json& x, const auto& h) {
      x["data"] = name_or_null(g.data, h.data);
      x["partitioned"] = h.partitioned;
    });
  });
}

void input_json(const flow::Graph& g, Json& x, const flow::Input& in) {
  switch (in.kind) {
    case flow::Input::Kind::kData:
      x["kind"] = "data";
      x["data"] = name_or_null(g.data, in.data);
      break;
    case flow::Input::Kind::kField:
      x["kind"] = "field";
      x["data"] = name_or_null(g.data, in.data);
      x["field"] = g.data[in.data].fields[in.field].name;
      break;
    case flow::Input::Kind::kArtifact:
      x["kind"] = "artifact";
      x["artifact"] = name_or_null(g.artifacts, in.artifact);
      break;
  }
}

Json artifacts_json(const flow::Graph& g) {
  return array_of(g.artifacts, [&g](Json& j, const flow::Artifact& a) {
    j["name"] = a.name;
    j["at"] = name_or_null(g.agents, a.at);
    j["kind"] = flow::kind_name(a.kind);
    j["private"] = flow::is_private(a.kind);
    j["inputs"] = array_of(a.inputs, [&g](Json& x, const flow::Input& in) { input_json(g, x, in); });
    if (a.kind == flow::ComputeKind::kSelect && !a.inputs.empty()) {
      Json selected = Json::array();
      for (auto f : a.selected) selected.push_back(g.data[a.inputs[0].data].fields[f].name);
      j["selected"] = selected;
    }
    if (a.expr && !a.inputs.empty()) j["expr"] = expr_json(*a.expr, g.data[a.inputs[0].data]);
    Json params = Json::object();
    for (const auto& [name, pv] : a.params) {
      Json x;
      x["value"] = exact(g.value(pv));
      x["param"] = name_or_null(g.params, pv.param);
      put_span(x, pv.span);
      params[flow::param_name(name)] = x;
    }
    for (const auto& [name, list] : a.lists) {
      Json x;
      x["values"] = array_of(list, [&g](Json& item, const flow::ParamValue& pv) {
        item["value"] = exact(g.value(pv));
        item["param"] = name_or_null(g.params, pv.param);
        if (pv.expr) item["expr"] = flow::expr_text(*pv.expr, g.params);
        put_span(item, pv.span);
      });
      params[flow::param_name(name)] = x;
    }
    j["params"] = params;
    j["distributed"] = a.distributed;
    if (a.tree_completion) j["tree_completion"] = true;
    if (a.batching != flow::Batching::kPoisson) j["sampling"] = flow::batching_name(a.batching);
  });
}

Json flows_json(const flow::Graph& g) {
  return array_of(g.flows, [&g](Json& j, const flow::Flow& f) {
    j["artifact"] = name_or_null(g.artifacts, f.artifact);
    j["from"] = name_or_null(g.agents, f.from);
    j["to"] = name_or_null(g.agents, f.to);
    Json c;
    c["kind"] = channel_name(f.channel.kind);
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation) {
      c["threshold"] = f.channel.threshold;
      c["min_clients"] = f.channel.min_clients;
    }
    if (f.channel.kind == flow::Channel::Kind::kShuffler) c["by"] = name_or_null(g.agents, f.channel.shuffler);
    if (f.channel.kind == flow::Channel::Kind::kNetworkShuffle) c["steps"] = f.channel.walk_steps;
    put_span(c, f.channel.span);
    j["channel"] = c;
  });
}

void requirement_json(const flow::Graph& g, Json& j, const flow::Requirement& r) {
  j["name"] = r.name;
  j["named"] = r.named;
  j["measure"] = flow::measure_name(r.measure);
  if (r.measure == flow::Measure::kForbid) {
    j["category"] = name_or_null(g.categories, r.category);
    j["from"] = name_or_null(g.regions, r.from_region);
    j["to"] = name_or_null(g.regions, r.to_region);
    j["unless_epsilon"] = exact_or_null(r.unless_epsilon);
  } else if (r.measure == flow::Measure::kError) {
    j["artifact"] = name_or_null(g.artifacts, r.artifact);
    j["bound"] = exact(r.bound);
    j["relative"] = r.relative;
    j["confidence"] = exact(g.confidence_of(&r));
  } else {
    j["data"] = name_or_null(g.data, r.data);
    const flow::Data* d = r.data != kNone ? &g.data[r.data] : nullptr;
    if (d && r.field != kNone) j["field"] = d->fields[r.field].name;
    if (d && r.measure == flow::Measure::kPosterior && r.field != kNone)
      j["value"] = d->fields[r.field].value_name(r.value);
    if (r.measure == flow::Measure::kMembership && r.fpr) j["fpr"] = exact(*r.fpr);
    if (d && r.measure == flow::Measure::kReidentification) {
      Json fields = Json::array();
      for (auto f : r.fields) fields.push_back(d->fields[f].name);
      j["fields"] = fields;
    }
    if (r.adversary != kNone) j["adversary"] = name_or_null(g.adversaries, r.adversary);
    else j["coalition"] = coalition_json(g, r.coalition);
    j["bound"] = exact(r.bound);
    j["unit"] = r.bound_is_epsilon ? "epsilon" : r.bound_in_bits ? "bits" : "plain";
  }
  j["delta"] = exact(g.delta_of(r));
}

}  // namespace

const char* trust_name(flow::Trust trust) {
  switch (trust) {
    case flow::Trust::kTrusted: return "trusted";
    case flow::Trust::kHonest: return "honest";
    case flow::Trust::kCurious: return "curious";
    case flow::Trust::kMalicious: return "malicious";
  }
  return "?";
}

const char* channel_name(flow::Channel::Kind kind) {
  switch (kind) {
    case flow::Channel::Kind::kPlain: return "plain";
    case flow::Channel::Kind::kEncrypted: return "encrypted";
    case flow::Channel::Kind::kSecureAggregation: return "secure_aggregation";
    case flow::Channel::Kind::kShuffler: return "shuffler";
    case flow::Channel::Kind::kNetworkShuffle: return "network_shuffle";
  }
  return "?";
}

std::string graph_json(const flow::Graph& graph) {
  Json root = head_json(graph, Json::object());
  root["data"] = data_json(graph);
  root["agents"] = agents_json(graph);
  root["artifacts"] = artifacts_json(graph);
  root["flows"] = flows_json(graph);
  root["adversaries"] = array_of(graph.adversaries, [&graph](Json& j, const flow::Adversary& a) {
    j["name"] = a.name;
    j["coalition"] = coalition_json(graph, a.coalition);
  });
  root["requirements"] = array_of(graph.requirements,
                                  [&graph](Json& j, const flow::Requirement& r) { requirement_json(graph, j, r); });
  // Invalid UTF-8 in a string becomes U+FFFD instead of an exception.
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace privflow::viz
