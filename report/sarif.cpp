// The SARIF 2.1.0 report: violated requirements as errors, undecided ones as warnings, each at
// its statement in the spec, for code-scanning tools.
#include <nlohmann/json.hpp>

#include <string>

#include "base/text.hpp"
#include "privflow/version.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace {

using Json = nlohmann::ordered_json;

// No project home page has been decided yet: a reserved (.invalid) name, never a real site.
constexpr const char* kInformationUri = "https://privflow.invalid/";
constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";

struct Rule {
  flow::Measure measure;
  const char* name;
  const char* description;
};

constexpr Rule kRules[] = {
    {flow::Measure::kDp, "DifferentialPrivacy", "The coalition's privacy loss epsilon on a record stays within the bound."},
    {flow::Measure::kPosterior, "PosteriorBelief", "The coalition's belief that a record has a value stays within the bound."},
    {flow::Measure::kAdvantage, "MembershipAdvantage", "The coalition's membership-inference advantage stays within the bound."},
    {flow::Measure::kLeakage, "MinEntropyLeakage", "The min-entropy leakage of a field, in bits, stays within the bound."},
    {flow::Measure::kReidentification, "Reidentification", "The expected fraction of re-identifiable records stays within the bound."},
    {flow::Measure::kMembership, "MembershipTruePositiveRate", "The true-positive rate of any membership test at the stated false-positive rate stays within the bound."},
    {flow::Measure::kReconstruction, "Reconstruction", "The probability that the coalition recovers a record's field, given its prior, stays within the bound."},
    {flow::Measure::kForbid, "ForbiddenCrossing", "No agent in the destination region observes data of the category (beyond the allowed epsilon)."},
};

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

}  // namespace

std::string to_sarif(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  const std::string path = detail::spec_path(graph, options);
  const std::string uri = uri_of(path);

  Json rules = Json::array();
  for (const auto& rule : kRules) {
    Json r;
    r["id"] = flow::measure_name(rule.measure);
    r["name"] = rule.name;
    r["shortDescription"] = {{"text", rule.description}};
    r["defaultConfiguration"] = {{"level", "error"}};
    rules.push_back(r);
  }
  auto rule_index = [](flow::Measure m) {
    for (std::size_t i = 0; i < std::size(kRules); ++i)
      if (kRules[i].measure == m) return i;
    return std::size_t{0};
  };

  Json results = Json::array();
  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
    const auto& v = analysis.verdicts[i];
    if (v.status == analyzer::Status::kHolds) continue;
    const flow::Requirement* r = detail::requirement_of(graph, analysis, i);
    std::string text = std::string(analyzer::status_name(v.status)) + ": " +
                       (r ? analyzer::headline(graph, *r, v) : v.name) + " [" + (r ? r->name : v.name) + "]";
    if (!v.fix.empty()) text += ". Fix: " + v.fix;
    Json res;
    res["ruleId"] = flow::measure_name(v.measure);
    res["ruleIndex"] = rule_index(v.measure);
    res["level"] = v.status == analyzer::Status::kViolated ? "error" : "warning";
    res["message"] = {{"text", text}};
    Json region;
    region["startLine"] = r && r->span.line ? r->span.line : 1;
    if (r && r->span.column) region["startColumn"] = r->span.column;
    Json physical;
    physical["artifactLocation"] = {{"uri", uri}, {"index", 0}};
    physical["region"] = region;
    res["locations"] = Json::array({Json{{"physicalLocation", physical}}});
    Json props;
    props["requirement"] = r ? r->name : v.name;
    props["status"] = analyzer::status_name(v.status);
    props["value"] = analyzer::value_text(v);
    if (r) props["bound"] = flow::bound_text(*r);
    props["coalition"] = analyzer::who_text(graph, v);
    res["properties"] = props;
    results.push_back(res);
  }

  Json driver;
  driver["name"] = "privflow";
  driver["version"] = kVersion;
  driver["semanticVersion"] = kVersion;
  driver["informationUri"] = kInformationUri;
  driver["rules"] = rules;

  Json run;
  run["tool"] = {{"driver", driver}};
  run["artifacts"] = Json::array({Json{{"location", {{"uri", uri}}}, {"mimeType", "text/plain"}}});
  run["results"] = results;

  Json log;
  log["$schema"] = kSchema;
  log["version"] = "2.1.0";
  log["runs"] = Json::array({run});
  return log.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace privflow::report
