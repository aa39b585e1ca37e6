// privflow graph SPEC [--format json|dot]: the flow graph as the front end lowered it.
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

#include "base/rational.hpp"
#include "cli/commands.hpp"

namespace privflow::cli {
namespace {

using Json = nlohmann::ordered_json;
using flow::kNone;

void put_span(Json& j, const flow::Span& s) {
  j["line"] = s.line;
  j["column"] = s.column;
}

const char* trust_name(flow::Trust t) {
  switch (t) {
    case flow::Trust::kTrusted: return "trusted";
    case flow::Trust::kHonest: return "honest";
    case flow::Trust::kCurious: return "curious";
    case flow::Trust::kMalicious: return "malicious";
  }
  return "?";
}

const char* channel_name(flow::Channel::Kind k) {
  switch (k) {
    case flow::Channel::Kind::kPlain: return "plain";
    case flow::Channel::Kind::kEncrypted: return "encrypted";
    case flow::Channel::Kind::kSecureAggregation: return "secure_aggregation";
    case flow::Channel::Kind::kShuffler: return "shuffler";
  }
  return "?";
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
  Json fixed = Json::array();
  for (const auto& m : c.fixed) {
    Json x;
    x["agent"] = name_or_null(g.agents, m.agent);
    x["count"] = m.count;
    x["all"] = m.all;
    put_span(x, m.span);
    fixed.push_back(x);
  }
  j["fixed"] = fixed;
  j["choose"] = c.choose;
  Json cand = Json::array();
  for (auto a : c.candidates) cand.push_back(name_or_null(g.agents, a));
  j["candidates"] = cand;
  put_span(j, c.span);
  return j;
}

std::string graph_json(const flow::Graph& g) {
  Json root;
  root["file"] = g.file;
  Json pipeline;
  pipeline["name"] = g.pipeline.empty() ? Json(nullptr) : Json(g.pipeline);
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

  Json regions = Json::array();
  for (const auto& r : g.regions) {
    Json j;
    j["name"] = r.name;
    put_span(j, r.span);
    regions.push_back(j);
  }
  root["regions"] = regions;
  Json categories = Json::array();
  for (const auto& c : g.categories) {
    Json j;
    j["name"] = c.name;
    j["special"] = c.special;
    put_span(j, c.span);
    categories.push_back(j);
  }
  root["categories"] = categories;
  Json params = Json::array();
  for (const auto& p : g.params) {
    Json j;
    j["name"] = p.name;
    j["value"] = exact(p.value);
    j["lo"] = p.lo ? Json(exact(*p.lo)) : Json(nullptr);
    j["hi"] = p.hi ? Json(exact(*p.hi)) : Json(nullptr);
    put_span(j, p.span);
    params.push_back(j);
  }
  root["params"] = params;

  Json data = Json::array();
  for (const auto& d : g.data) {
    Json j;
    j["name"] = d.name;
    j["title"] = d.title;
    j["rows"] = d.rows;
    j["category"] = d.category.empty() ? Json(nullptr) : Json(d.category);
    j["neighbouring"] = d.neighbouring == flow::Neighbouring::kReplace ? "replace" : "add_remove";
    Json fields = Json::array();
    for (const auto& f : d.fields) {
      Json x;
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
      x["category"] = f.category.empty() ? Json(nullptr) : Json(f.category);
      put_span(x, f.span);
      fields.push_back(x);
    }
    j["fields"] = fields;
    put_span(j, d.span);
    data.push_back(j);
  }
  root["data"] = data;

  Json agents = Json::array();
  for (const auto& a : g.agents) {
    Json j;
    j["name"] = a.name;
    j["title"] = a.title;
    j["population"] = a.population;
    j["count"] = a.count;
    j["trust"] = trust_name(a.trust);
    j["region"] = name_or_null(g.regions, a.region);
    Json holds = Json::array();
    for (const auto& h : a.holds) {
      Json x;
      x["data"] = name_or_null(g.data, h.data);
      x["partitioned"] = h.partitioned;
      put_span(x, h.span);
      holds.push_back(x);
    }
    j["holds"] = holds;
    put_span(j, a.span);
    agents.push_back(j);
  }
  root["agents"] = agents;

  Json artifacts = Json::array();
  for (const auto& a : g.artifacts) {
    Json j;
    j["name"] = a.name;
    j["at"] = name_or_null(g.agents, a.at);
    j["kind"] = flow::kind_name(a.kind);
    j["private"] = flow::is_private(a.kind);
    Json inputs = Json::array();
    for (const auto& in : a.inputs) {
      Json x;
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
      put_span(x, in.span);
      inputs.push_back(x);
    }
    j["inputs"] = inputs;
    if (a.kind == flow::ComputeKind::kSelect && !a.inputs.empty()) {
      Json sel = Json::array();
      for (auto f : a.selected) sel.push_back(g.data[a.inputs[0].data].fields[f].name);
      j["selected"] = sel;
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
    j["params"] = params;
    j["distributed"] = a.distributed;
    put_span(j, a.span);
    artifacts.push_back(j);
  }
  root["artifacts"] = artifacts;

  Json flows = Json::array();
  for (const auto& f : g.flows) {
    Json j;
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
    put_span(c, f.channel.span);
    j["channel"] = c;
    put_span(j, f.span);
    flows.push_back(j);
  }
  root["flows"] = flows;

  Json adversaries = Json::array();
  for (const auto& a : g.adversaries) {
    Json j;
    j["name"] = a.name;
    j["coalition"] = coalition_json(g, a.coalition);
    put_span(j, a.span);
    adversaries.push_back(j);
  }
  root["adversaries"] = adversaries;

  Json requirements = Json::array();
  for (const auto& r : g.requirements) {
    Json j;
    j["name"] = r.name;
    j["named"] = r.named;
    j["measure"] = flow::measure_name(r.measure);
    if (r.measure == flow::Measure::kForbid) {
      j["category"] = name_or_null(g.categories, r.category);
      j["from"] = name_or_null(g.regions, r.from_region);
      j["to"] = name_or_null(g.regions, r.to_region);
      j["unless_epsilon"] = r.unless_epsilon ? Json(exact(*r.unless_epsilon)) : Json(nullptr);
    } else {
      j["data"] = name_or_null(g.data, r.data);
      const flow::Data* d = r.data != kNone ? &g.data[r.data] : nullptr;
      if (d && r.field != kNone) j["field"] = d->fields[r.field].name;
      if (d && r.measure == flow::Measure::kPosterior && r.field != kNone)
        j["value"] = d->fields[r.field].value_name(r.value);
      if (d && r.measure == flow::Measure::kReidentification) {
        Json fs = Json::array();
        for (auto f : r.fields) fs.push_back(d->fields[f].name);
        j["fields"] = fs;
      }
      if (r.adversary != kNone) j["adversary"] = name_or_null(g.adversaries, r.adversary);
      else j["coalition"] = coalition_json(g, r.coalition);
      j["bound"] = exact(r.bound);
      j["unit"] = r.bound_is_epsilon ? "epsilon" : r.bound_in_bits ? "bits" : "plain";
    }
    j["delta"] = exact(g.delta_of(r));
    put_span(j, r.span);
    requirements.push_back(j);
  }
  root["requirements"] = requirements;
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";  // invalid UTF-8 in a string: U+FFFD
}

/// DOT text, quoted and escaped by hand (no Graphviz needed to print a graph).
std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string graph_dot(const flow::Graph& g) {
  std::ostringstream o;
  o << "digraph " << dot_quote(g.pipeline.empty() ? "privflow" : g.pipeline) << " {\n";
  o << "  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (const auto& d : g.data) {
    std::string label = d.name;
    if (d.rows) label += "\n" + std::to_string(d.rows) + " rows";
    o << "  " << dot_quote("data:" + d.name) << " [shape=cylinder, label=" << dot_quote(label) << "];\n";
  }
  for (const auto& a : g.agents) {
    std::string label = a.name + (a.population ? "[" + std::to_string(a.count) + "]" : "") + "\n" + trust_name(a.trust);
    if (a.region != kNone) label += ", " + g.regions[a.region].name;
    o << "  " << dot_quote("agent:" + a.name) << " [shape=box, label=" << dot_quote(label) << "];\n";
    for (const auto& h : a.holds)
      o << "  " << dot_quote("data:" + g.data[h.data].name) << " -> " << dot_quote("agent:" + a.name)
        << " [style=dashed, label=" << dot_quote(h.partitioned ? "holds by partition" : "holds") << "];\n";
  }
  for (const auto& a : g.artifacts) {
    std::string label = a.name + "\n" + flow::kind_name(a.kind);
    o << "  " << dot_quote("artifact:" + a.name) << " [shape=" << (flow::is_private(a.kind) ? "doubleoctagon" : "ellipse")
      << ", label=" << dot_quote(label) << "];\n";
    if (a.at != kNone)
      o << "  " << dot_quote("agent:" + g.agents[a.at].name) << " -> " << dot_quote("artifact:" + a.name)
        << " [style=dotted, label=\"computes\"];\n";
    for (const auto& in : a.inputs) {
      std::string from = in.kind == flow::Input::Kind::kArtifact ? "artifact:" + g.artifacts[in.artifact].name
                                                                 : "data:" + g.data[in.data].name;
      std::string label = in.kind == flow::Input::Kind::kField ? g.data[in.data].fields[in.field].name : "";
      o << "  " << dot_quote(from) << " -> " << dot_quote("artifact:" + a.name);
      if (!label.empty()) o << " [label=" << dot_quote(label) << "]";
      o << ";\n";
    }
  }
  for (const auto& f : g.flows) {
    std::string label = channel_name(f.channel.kind);
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation)
      label += "(threshold: " + std::to_string(f.channel.threshold) + ")";
    if (f.channel.kind == flow::Channel::Kind::kShuffler) label += "(by: " + g.agents[f.channel.shuffler].name + ")";
    o << "  " << dot_quote("artifact:" + g.artifacts[f.artifact].name) << " -> " << dot_quote("agent:" + g.agents[f.to].name)
      << " [label=" << dot_quote("send from " + g.agents[f.from].name + " via " + label) << "];\n";
  }
  o << "}\n";
  return o.str();
}

}  // namespace

void add_graph_command(CLI::App& root, Action& action) {
  auto* sub = root.add_subcommand("graph", "Print the flow graph of a spec as parsed (JSON or DOT)");
  auto spec = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("json");
  sub->add_option("SPEC", *spec, "spec file ('-' reads standard input)")->required();
  sub->add_option("--format", *format, "json (default) or dot")->check(CLI::IsMember({"json", "dot"}));
  sub->callback([&action, spec, format] {
    action = [spec, format](Io& io) {
      auto graph = load_spec_file(*spec, io);
      if (!graph) return static_cast<int>(ExitStatus::kInvalid);
      std::string text = *format == "dot" ? graph_dot(*graph) : graph_json(*graph);
      return write_result("-", text, io) ? 0 : static_cast<int>(ExitStatus::kInternal);
    };
  });
}

}  // namespace privflow::cli
