// The SARIF 2.1.0 report for code scanning (docs/ci.md, "SARIF in code scanning"): violated
// requirements as errors, undecided ones as warnings, each at its statement in the spec, with
// the route the record takes to the coalition as code flows (data → computation → channel →
// observer), the adversary, data and mechanisms as related locations, a fingerprint made of
// names (never lines) and rule metadata with help.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "privflow/version.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace {

using Json = nlohmann::ordered_json;

// No project home page has been decided yet: a reserved (.invalid) name, never a real site.
// Rules' helpUri is this base + a docs path (docs/ci.md says so): change both here when it is.
constexpr const char* kInformationUri = "https://privflow.invalid/";
constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";
// The fingerprint's key and version: raise the version when its recipe changes.
constexpr const char* kFingerprintKey = "privflowRequirementRoute/v1";

struct Rule {
  flow::Measure measure;
  const char* name;
  const char* description;
  const char* help;      // what the result means and what to do, in plain words
  const char* docs;      // docs path and anchor, under kInformationUri
};

constexpr Rule kRules[] = {
    {flow::Measure::kDp, "DifferentialPrivacy", "The coalition's privacy loss epsilon on a record stays within the bound.",
     "The releases the coalition observes compose to a privacy loss epsilon (at the requirement's delta) above the "
     "bound. The code flows show how each release reaches the coalition. Add noise, sample less, run fewer steps, "
     "or keep the release away from the coalition; the result's fix is the smallest change the analysis checked.",
     "docs/language.md#requirements"},
    {flow::Measure::kPosterior, "PosteriorBelief", "The coalition's belief that a record has a value stays within the bound.",
     "After seeing what reaches it, the coalition can believe that the target record has the value with a probability "
     "above the bound (Bayes' rule on the prior and the releases' loss). The code flows show what it sees.",
     "docs/concepts.md#what-an-adversary-believes-the-bayesian-measures"},
    {flow::Measure::kAdvantage, "MembershipAdvantage", "The coalition's membership-inference advantage stays within the bound.",
     "The coalition can tell whether a record is in the data better than the bound allows (true-positive rate minus "
     "false-positive rate). The code flows show the releases it uses.",
     "docs/language.md#requirements"},
    {flow::Measure::kLeakage, "MinEntropyLeakage", "The min-entropy leakage of a field, in bits, stays within the bound.",
     "The coalition's best single guess of the field improves by more bits than the bound allows. The code flows "
     "show what it sees of the field.",
     "docs/concepts.md#what-an-adversary-believes-the-bayesian-measures"},
    {flow::Measure::kReidentification, "Reidentification", "The expected fraction of re-identifiable records stays within the bound.",
     "Too many records are unique on the quasi-identifiers the coalition sees in the clear. The code flows show how "
     "those fields reach it; generalise or drop them before they leave.",
     "docs/language.md#requirements"},
    {flow::Measure::kMembership, "MembershipTruePositiveRate", "The true-positive rate of any membership test at the stated false-positive rate stays within the bound.",
     "Some membership test reaches a true-positive rate above the bound at the stated false-positive rate (the "
     "trade-off curve of the composed releases). The code flows show the releases.",
     "docs/concepts.md#attacks-not-beliefs-membership-and-reconstruction"},
    {flow::Measure::kReconstruction, "Reconstruction", "The probability that the coalition recovers a record's field, given its prior, stays within the bound.",
     "The coalition recovers the target's field with a probability above the bound. The code flows show what it "
     "sees of the field.",
     "docs/concepts.md#attacks-not-beliefs-membership-and-reconstruction"},
    {flow::Measure::kForbid, "ForbiddenCrossing", "No agent in the destination region observes data of the category (beyond the allowed epsilon).",
     "Data of the category reaches an agent in the destination region in the clear, or with a privacy loss above the "
     "allowed epsilon. One code flow per agent that crosses shows the way the data went.",
     "docs/language.md#forbid-rules-for-crossing-borders"},
    {flow::Measure::kError, "ReleaseError", "The error of the release stays within the bound at the stated confidence.",
     "The release's noise is too large for the error bound. Less noise on the release (the fix says how much, and "
     "whether that breaks a privacy requirement), more data, or a looser bound.",
     "docs/language.md#utility-requirements"},
};

std::size_t rule_index(flow::Measure m) {
  for (std::size_t i = 0; i < std::size(kRules); ++i)
    if (kRules[i].measure == m) return i;
  return 0;
}

/// A relative or absolute path as a URI reference: unreserved and path characters kept,
/// everything else percent-encoded (spaces, `%`, `#`, `?`, non-ASCII bytes).
std::string uri_of(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = std::isalnum(c) || std::string_view("-._~/!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

/// FNV-1a, 64 bits (Fowler, Noll, Vo): stable across platforms and runs, which is all a
/// fingerprint needs (it is no security boundary).
std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char* hex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = hex[h & 15];
  return out;
}

Json rules_json() {
  Json rules = Json::array();
  for (const auto& rule : kRules) {
    const std::string uri = std::string(kInformationUri) + rule.docs;
    Json r;
    r["id"] = flow::measure_name(rule.measure);
    r["name"] = rule.name;
    r["shortDescription"] = {{"text", rule.description}};
    r["fullDescription"] = {{"text", std::string(rule.description) + " " + rule.help}};
    r["defaultConfiguration"] = {{"level", "error"}};
    r["helpUri"] = uri;
    r["help"] = {{"text", std::string(rule.help) + " See " + rule.docs + " in privflow's documentation."},
                 {"markdown", std::string(rule.help) + "\n\nSee [" + rule.docs + "](" + uri + ") in privflow's documentation."}};
    r["properties"] = {{"tags", Json::array({"privacy"})}, {"precision", "high"}, {"problem.severity", "error"}};
    rules.push_back(r);
  }
  return rules;
}

/// Builds one result's locations, code flows and fingerprint from a verdict.
class ResultBuilder {
 public:
  ResultBuilder(const flow::Graph& g, const std::string& uri) : g_(g), uri_(uri) {}

  /// A location in the spec: a region when the place has a line.
  Json location(std::uint32_t line, std::uint32_t column, const std::string& message) const {
    Json physical;
    physical["artifactLocation"] = {{"uri", uri_}, {"index", 0}};
    if (line) {
      Json region;
      region["startLine"] = line;
      if (column) region["startColumn"] = column;
      physical["region"] = region;
    }
    Json loc;
    loc["physicalLocation"] = physical;
    if (!message.empty()) loc["message"] = {{"text", message}};
    return loc;
  }
  Json location(const flow::Span& span, const std::string& message) const {
    return location(span.line, span.column, message);
  }

  /// The related locations: the adversary (or the inline coalition), the data, each mechanism.
  Json related(const flow::Requirement* r, const analyzer::Verdict& v) const {
    Json out = Json::array();
    auto add = [&](const flow::Span& span, const std::string& message) {
      Json loc = location(span, message);
      loc["id"] = out.size();
      out.push_back(loc);
    };
    if (r && v.measure == flow::Measure::kError && r->artifact < g_.artifacts.size())
      add(g_.artifacts[r->artifact].span, "release " + g_.artifacts[r->artifact].name);
    if (r && v.measure != flow::Measure::kForbid && v.measure != flow::Measure::kError) {
      if (r->adversary < g_.adversaries.size())
        add(g_.adversaries[r->adversary].span, "adversary " + g_.adversaries[r->adversary].name +
                                                   " (worst coalition: " + analyzer::coalition_text(g_, v) + ")");
      else
        add(r->coalition.span, "coalition " + flow::coalition_text(g_, r->coalition) +
                                   " (worst: " + analyzer::coalition_text(g_, v) + ")");
      if (r->data < g_.data.size()) add(g_.data[r->data].span, "data " + g_.data[r->data].name);
    }
    if (r && v.measure == flow::Measure::kForbid) {
      if (r->category < g_.categories.size()) add(g_.categories[r->category].span, "category " + g_.categories[r->category].name);
      std::vector<flow::Id> seen;
      for (const auto& x : v.crossings) {
        if (x.data >= g_.data.size() || std::find(seen.begin(), seen.end(), x.data) != seen.end()) continue;
        seen.push_back(x.data);
        add(g_.data[x.data].span, "data " + g_.data[x.data].name);
      }
    }
    for (const auto& t : v.releases) {
      if (t.artifact >= g_.artifacts.size()) continue;
      const auto& a = g_.artifacts[t.artifact];
      add(a.span, "mechanism " + a.name + " = " + t.mechanism + " at " + agent_name(a.at) + ": epsilon alone " +
                      analyzer::epsilon_text(t.epsilon_alone));
    }
    return out;
  }

  /// One code flow per route: each release the coalition observes, the exposure of the record,
  /// each agent that crosses a forbid rule; a violated verdict without any route gets one from
  /// the data to the requirement (the prior alone breaks it).
  Json code_flows(const flow::Requirement* r, const analyzer::Verdict& v) {
    Json flows = Json::array();
    const flow::Id data = r && r->data < g_.data.size() ? r->data : flow::kNone;
    if (v.measure == flow::Measure::kForbid) {
      for (const auto& x : v.crossings)
        flows.push_back(code_flow(x.observer + ": " + x.reason, x.data, x.route, x.agent, nullptr, r));
    } else {
      if (!v.exposure.empty())
        flows.push_back(code_flow("the record reaches the coalition in the clear", data, v.exposure, flow::kNone, &v, r));
      for (const auto& t : v.releases) {
        const std::string name = t.artifact < g_.artifacts.size() ? g_.artifacts[t.artifact].name : t.mechanism;
        flows.push_back(code_flow("release " + name + " (" + t.mechanism + "): epsilon alone " +
                                      analyzer::epsilon_text(t.epsilon_alone),
                                  data, t.route, flow::kNone, &v, r));
      }
    }
    if (flows.empty() && v.status == analyzer::Status::kViolated && r)
      flows.push_back(code_flow("no release or exposure on the way: " + v.reason, data, {}, flow::kNone, &v, r));
    return flows;
  }

  /// The names the fingerprint hashes: the statements on every route, by name.
  const std::vector<std::string>& route_names() const { return names_; }

 private:
  std::string agent_name(flow::Id a) const { return a < g_.agents.size() ? g_.agents[a].name : "?"; }

  /// The statement a route step is: a computation, a send or a holding (by its place).
  struct Statement {
    enum class Kind { kCompute, kSend, kHolding, kOther } kind = Kind::kOther;
    flow::Id agent = flow::kNone;  // who has the data after it
    std::string name;              // the statement by its names, for the fingerprint
  };
  Statement statement_at(const analyzer::RouteStep& s) const {
    auto at = [&](const flow::Span& span) { return s.line && span.line == s.line && span.column == s.column; };
    for (const auto& a : g_.artifacts)
      if (at(a.span)) return {Statement::Kind::kCompute, a.at, "compute " + a.name + " at " + agent_name(a.at)};
    for (const auto& f : g_.flows)
      if (at(f.span))
        return {Statement::Kind::kSend, f.to,
                "send " + (f.artifact < g_.artifacts.size() ? g_.artifacts[f.artifact].name : "?") + " " +
                    agent_name(f.from) + ">" + agent_name(f.to)};
    for (flow::Id i = 0; i < g_.agents.size(); ++i)
      for (const auto& h : g_.agents[i].holds)
        if (at(h.span)) return {Statement::Kind::kHolding, i, agent_name(i) + " holds"};
    // A computation's input (the exposure's first step): inside the computation's statement.
    for (const auto& a : g_.artifacts)
      for (const auto& in : a.inputs)
        if (at(in.span)) return {Statement::Kind::kHolding, a.at, agent_name(a.at) + " reads"};
    return {Statement::Kind::kOther, flow::kNone, s.text};
  }

  static const char* role_of(Statement::Kind k) {
    switch (k) {
      case Statement::Kind::kCompute: return "computation";
      case Statement::Kind::kSend: return "channel";
      case Statement::Kind::kHolding: return "data";
      case Statement::Kind::kOther: break;
    }
    return "step";
  }

  Json step(const Json& loc, const char* role, int order) const {
    Json s;
    s["location"] = loc;
    s["kinds"] = Json::array({"taint"});
    s["executionOrder"] = order;
    s["properties"] = {{"role", role}};
    return s;
  }

  /// data → each step of the route → the observer: `observer`, else the coalition's member the
  /// route ends at, else the requirement's target (its adversary or inline coalition).
  Json code_flow(const std::string& message, flow::Id data, const std::vector<analyzer::RouteStep>& route,
                 flow::Id observer, const analyzer::Verdict* v, const flow::Requirement* r) {
    Json locations = Json::array();
    int order = 0;
    if (data < g_.data.size()) {
      locations.push_back(step(location(g_.data[data].span, "data " + g_.data[data].name + ": the target record"), "data", ++order));
      names_.push_back("data " + g_.data[data].name);
    }
    flow::Id last = flow::kNone;
    for (const auto& s : route) {
      Statement st = statement_at(s);
      if (st.agent != flow::kNone) last = st.agent;
      locations.push_back(step(location(s.line, s.column, s.text), role_of(st.kind), ++order));
      names_.push_back(st.name);
    }
    if (observer == flow::kNone && last != flow::kNone && v && v->coalition.contains(last)) observer = last;
    if (observer < g_.agents.size()) {
      locations.push_back(step(location(g_.agents[observer].span, agent_name(observer) + " observes it"), "observer", ++order));
      names_.push_back("observer " + agent_name(observer));
    } else if (r && r->measure != flow::Measure::kForbid) {
      const bool named = r->adversary < g_.adversaries.size();
      const flow::Span& span = named ? g_.adversaries[r->adversary].span : r->coalition.span;
      locations.push_back(step(location(span, "the coalition " + (v ? analyzer::coalition_text(g_, *v) : flow::target_text(g_, *r)) + " observes it"),
                               "observer", ++order));
      names_.push_back("observer " + flow::target_text(g_, *r));
    }
    if (locations.empty()) locations.push_back(step(location(0, 0, message), "step", ++order));
    Json thread;
    thread["locations"] = locations;
    Json flow_json;
    flow_json["message"] = {{"text", message}};
    flow_json["threadFlows"] = Json::array({thread});
    return flow_json;
  }

  const flow::Graph& g_;
  const std::string& uri_;
  std::vector<std::string> names_;
};

/// What stays when lines move: the rule, the requirement (its name, or for an unnamed one its
/// measure and target as written, since `line<N>` moves) and the names on its routes.
std::string fingerprint(const flow::Graph& g, const flow::Requirement* r, const analyzer::Verdict& v,
                        const std::vector<std::string>& route_names) {
  std::string key = std::string(flow::measure_name(v.measure)) + '\x1f';
  if (r && r->named)
    key += r->name;
  else if (r)
    key += flow::measure_text(g, *r) + (r->measure == flow::Measure::kForbid ? "" : " against " + flow::target_text(g, *r));
  else
    key += v.name;
  for (const auto& n : route_names) key += '\x1f' + n;
  return fnv1a_hex(key);
}

/// A SARIF fix (§3.55): the value's region replaced by the new value. The region gives the
/// line and columns as the other regions do (bytes from the line's start, 1-based) and the
/// exact byte offset and length (§3.30.10), so that a consumer counting columns otherwise
/// still finds the value.
Json fix_object(const analyzer::FixEdit& edit, const std::string& uri) {
  const std::uint32_t length = edit.span.end - edit.span.begin;
  Json region{{"startLine", edit.span.line},
              {"startColumn", edit.span.column},
              {"endLine", edit.span.line},
              {"endColumn", edit.span.column + length},
              {"byteOffset", edit.span.begin},
              {"byteLength", length}};
  Json replacement{{"deletedRegion", region}, {"insertedContent", {{"text", edit.text}}}};
  Json change{{"artifactLocation", {{"uri", uri}, {"index", 0}}}, {"replacements", Json::array({replacement})}};
  return Json{{"description", {{"text", edit.description}}}, {"artifactChanges", Json::array({change})}};
}

Json result_json(const flow::Graph& graph, const analyzer::Verdict& v, const flow::Requirement* r, const std::string& uri,
                 std::map<std::string, int>& fingerprints_seen) {
  std::string text = std::string(analyzer::status_name(v.status)) + ": " +
                     (r ? analyzer::headline(graph, *r, v) : v.name) + " [" + (r ? r->name : v.name) + "]";
  if (!v.fix.empty()) text += ". Fix: " + v.fix;
  ResultBuilder builder(graph, uri);
  Json res;
  res["ruleId"] = flow::measure_name(v.measure);
  res["ruleIndex"] = rule_index(v.measure);
  res["level"] = v.status == analyzer::Status::kViolated ? "error" : "warning";
  res["message"] = {{"text", text}};
  res["locations"] = Json::array({r ? builder.location(r->span.line ? r->span : flow::Span{0, 0, 1, 0}, "")
                                    : builder.location(1, 0, "")});
  Json flows = builder.code_flows(r, v);
  // Two results with the same names (two unnamed requirements alike but for their bounds)
  // are told apart by their order, which moving lines does not change.
  std::string print = fingerprint(graph, r, v, builder.route_names());
  if (int n = ++fingerprints_seen[print]; n > 1) print += ":" + std::to_string(n);
  res["partialFingerprints"] = {{kFingerprintKey, print}};
  if (!flows.empty()) res["codeFlows"] = flows;
  Json related = builder.related(r, v);
  if (!related.empty()) res["relatedLocations"] = related;
  Json props;
  props["requirement"] = r ? r->name : v.name;
  props["status"] = analyzer::status_name(v.status);
  props["value"] = analyzer::value_text(v);
  // The sound double at full precision (shortest round-trip decimal), beside the short text.
  props["value_full"] = v.value && std::isfinite(*v.value) ? Json(*v.value) : Json(nullptr);
  if (r) props["bound"] = flow::bound_text(*r);
  props["coalition"] = analyzer::who_text(graph, v);
  // The fix search's change, checked by analysing the changed spec again; as a SARIF fix when
  // it is one value to write.
  if (!v.fix.empty()) props["fix"] = v.fix;
  if (v.fix_edit) res["fixes"] = Json::array({fix_object(*v.fix_edit, uri)});
  res["properties"] = props;
  return res;
}

}  // namespace

std::string to_sarif(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  const std::string path = detail::spec_path(graph, options);
  const std::string uri = uri_of(path);

  Json results = Json::array();
  std::map<std::string, int> fingerprints_seen;
  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
    const auto& v = analysis.verdicts[i];
    if (v.status == analyzer::Status::kHolds) continue;
    results.push_back(result_json(graph, v, detail::requirement_of(graph, analysis, i), uri, fingerprints_seen));
  }

  Json driver;
  driver["name"] = "privflow";
  driver["version"] = kVersion;
  driver["semanticVersion"] = kVersion;
  driver["informationUri"] = kInformationUri;
  driver["rules"] = rules_json();

  Json run;
  run["tool"] = {{"driver", driver}};
  run["artifacts"] = Json::array({Json{{"location", {{"uri", uri}}}, {"mimeType", "text/plain"}}});
  run["results"] = results;
  // The error of every release (issue #22), in the run's property bag: code scanning has no
  // place for a figure that is not a finding.
  Json errors = Json::array();
  for (const auto& e : analysis.errors) {
    if (e.artifact >= graph.artifacts.size()) continue;
    const auto& x = graph.artifacts[e.artifact];
    errors.push_back({{"artifact", x.name},
                      {"line", x.span.line},
                      {"text", analyzer::error_text(e)},
                      {"half_width", e.modelled ? Json(e.half_width) : Json(nullptr)},
                      {"sd", e.modelled ? Json(e.sd) : Json(nullptr)},
                      {"confidence", 1 - e.beta}});
  }
  if (!errors.empty()) run["properties"] = {{"errors", errors}};

  Json log;
  log["$schema"] = kSchema;
  log["version"] = "2.1.0";
  log["runs"] = Json::array({run});
  return log.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace privflow::report
