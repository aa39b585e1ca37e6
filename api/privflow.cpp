// The library facade (api/privflow/privflow.hpp) over the front end, the analyzer and the
// reports. Verdicts are read back from the JSON report so that the structs carry exactly the
// figures (and their rounding) that `privflow report --format json` prints.
#include "privflow/privflow.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <exception>
#include <new>
#include <sstream>
#include <utility>

#include "analyzer/analysis.hpp"
#include "base/file_io.hpp"
#include "flow/graph.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "privflow/version.hpp"
#include "report/report.hpp"

namespace privflow::api {

struct Spec::Impl {
  flow::Graph graph;
};

/// The one place that builds a Spec or reads its graph (Spec's constructor is private).
struct Access {
  static Spec make(flow::Graph graph) {
    return Spec(std::make_shared<const Spec::Impl>(Spec::Impl{std::move(graph)}));
  }
  static const flow::Graph& graph(const Spec& spec) { return spec.impl_->graph; }
};

namespace {

using Json = nlohmann::json;

Severity severity_of(lang::Severity s) {
  switch (s) {
    case lang::Severity::kError: return Severity::kError;
    case lang::Severity::kWarning: return Severity::kWarning;
    case lang::Severity::kNote: return Severity::kNote;
  }
  return Severity::kError;
}

Severity severity_of(const std::string& s) {
  if (s == "error") return Severity::kError;
  if (s == "note") return Severity::kNote;
  return Severity::kWarning;
}

Status status_of(const std::string& s) {
  if (s == "holds") return Status::kHolds;
  if (s == "violated") return Status::kViolated;
  return Status::kUndecided;
}

std::string string_or(const Json& j, const char* key, std::string fallback = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<std::string> optional_string(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<double> optional_number(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::uint32_t line_of(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<std::uint32_t>() : 0;
}

Verdict verdict_of(const Json& r) {
  Verdict v;
  v.name = string_or(r, "name");
  v.line = line_of(r, "line");
  v.column = line_of(r, "column");
  v.measure = string_or(r, "measure");
  v.data = optional_string(r, "data");
  v.adversary = optional_string(r, "adversary");
  v.status_text = string_or(r, "status");
  v.status = status_of(v.status_text);
  v.value = optional_number(r, "value");
  v.value_text = string_or(r, "value_text");
  v.unit = string_or(r, "unit");
  v.bound = optional_number(r, "bound");
  v.bound_text = string_or(r, "bound_text");
  v.delta = optional_number(r, "delta").value_or(0.0);
  v.delta_text = string_or(r, "delta_text");
  v.exact = r.value("exact", false);
  if (auto it = r.find("coalition"); it != r.end() && it->is_array())
    for (const auto& m : *it)
      if (m.is_string()) v.coalition.push_back(m.get<std::string>());
  v.method = string_or(r, "method");
  v.reason = string_or(r, "reason");
  v.fix = optional_string(r, "fix");
  return v;
}

Result analyze_unchecked(const Spec& spec, const AnalyzeOptions& options) {
  const flow::Graph& graph = Access::graph(spec);
  analyzer::Options aopts;
  switch (options.accountant) {
    case Accountant::kSpec: break;
    case Accountant::kRdp: aopts.accountant = flow::AccountantKind::kRdp; break;
    case Accountant::kPld: aopts.accountant = flow::AccountantKind::kPld; break;
    case Accountant::kAuto: aopts.accountant = flow::AccountantKind::kAuto; break;
  }
  aopts.solver_timeout_ms = options.solver_timeout_ms;
  aopts.suggest_fixes = options.suggest_fixes;
  aopts.time_budget_ms = options.time_budget_ms;
  const analyzer::Analysis analysis = analyzer::analyze(graph, aopts);

  report::Options ropts;
  ropts.spec_path = graph.file;
  ropts.compact = true;
  Result result;
  result.pipeline = graph.pipeline;
  result.text = report::to_text(graph, analysis, ropts);
  ropts.compact = false;
  result.json = report::to_json(graph, analysis, ropts);

  const Json j = Json::parse(result.json);
  std::size_t index = 0;
  for (const auto& r : j.at("requirements")) {
    Verdict v = verdict_of(r);
    if (index < analysis.verdicts.size()) {
      v.headline = report::verdict_line(graph, analysis.verdicts[index], ropts);
      v.explanation = report::explain(graph, analysis, static_cast<flow::Id>(index), ropts);
    }
    result.verdicts.push_back(std::move(v));
    ++index;
  }
  for (const auto& c : j.at("leakage")) {
    LeakageCell cell;
    cell.data = string_or(c, "data");
    cell.observer = string_or(c, "observer");
    cell.epsilon = optional_number(c, "epsilon");
    cell.delta = optional_number(c, "delta").value_or(0.0);
    cell.status = string_or(c, "status");
    cell.loss = string_or(c, "loss");
    result.leakage.push_back(std::move(cell));
  }
  for (const auto& f : j.at("findings")) {
    Finding finding;
    finding.severity = severity_of(string_or(f, "severity"));
    finding.line = line_of(f, "line");
    finding.column = line_of(f, "column");
    finding.message = string_or(f, "message");
    result.findings.push_back(std::move(finding));
  }
  for (const auto& a : j.at("assumptions"))
    if (a.is_string()) result.assumptions.push_back(a.get<std::string>());
  result.exit_code = analysis.exit_code();
  return result;
}

}  // namespace

const char* version() { return kVersion; }

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

const char* status_name(Status status) {
  switch (status) {
    case Status::kHolds: return "holds";
    case Status::kViolated: return "violated";
    case Status::kUndecided: return "undecided";
  }
  return "undecided";
}

const std::string& Spec::file() const { return impl_->graph.file; }
const std::string& Spec::pipeline() const { return impl_->graph.pipeline; }

std::vector<std::string> Spec::requirement_names() const {
  std::vector<std::string> names;
  for (const auto& r : impl_->graph.requirements) names.push_back(r.name);
  return names;
}

ParseResult parse(std::string_view text, std::string file_name) {
  ParseResult result;
  try {
    lang::SourceFile source(file_name, std::string(text));
    lang::Diagnostics diags(source);
    auto graph = lang::load_spec(source, diags);

    std::vector<const lang::Diagnostic*> sorted;
    for (const auto& d : diags.all()) sorted.push_back(&d);
    // The order Diagnostics::print uses: by offset, stable.
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const lang::Diagnostic* a, const lang::Diagnostic* b) { return a->span.begin < b->span.begin; });
    auto add = [&](const lang::Diagnostic& d) {
      result.diagnostics.push_back(Diagnostic{file_name, d.span.line, d.span.column, severity_of(d.severity), d.message});
    };
    for (const auto* d : sorted) {
      add(*d);
      for (const auto& n : d->notes) add(n);
    }
    if (!diags.all().empty()) {
      std::ostringstream out;
      diags.print(out, false);
      result.diagnostics_text = out.str();
    }
    if (graph && !diags.has_errors()) result.spec = Access::make(std::move(*graph));
  } catch (const std::exception& e) {
    // The front end does not throw on bad input; this is a library failure (e.g. memory).
    result.spec.reset();
    result.diagnostics.push_back(Diagnostic{file_name, 0, 0, Severity::kError, std::string("internal error: ") + e.what()});
    result.diagnostics_text += file_name + ": error: internal error: " + e.what() + "\n";
  }
  return result;
}

ParseResult parse_file(const std::string& path) {
  std::string text, error;
  if (!read_input(path, text, error)) {
    ParseResult result;
    result.diagnostics.push_back(Diagnostic{path, 0, 0, Severity::kError, error});
    result.diagnostics_text = "privflow: error: " + error + "\n";
    return result;
  }
  return parse(text, path);
}

Result analyze(const Spec& spec, const AnalyzeOptions& options) {
  try {
    return analyze_unchecked(spec, options);
  } catch (const std::exception& e) {
    Result failed;
    failed.pipeline = spec.pipeline();
    failed.exit_code = kExitInternal;
    failed.internal_error = e.what();
    return failed;
  } catch (...) {
    Result failed;
    failed.pipeline = spec.pipeline();
    failed.exit_code = kExitInternal;
    failed.internal_error = "unknown exception";
    return failed;
  }
}

}  // namespace privflow::api
