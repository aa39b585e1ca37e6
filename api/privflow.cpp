// The library facade (api/privflow/privflow.hpp) over the front end, the analyzer and the
// reports. Results are built from the analysis directly, with the figures and words the JSON
// report prints: both come from analyzer/wording.hpp and flow/describe.hpp.
#include "privflow/privflow.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <new>
#include <sstream>
#include <utility>

#include "analyzer/analysis.hpp"
#include "analyzer/frontier.hpp"
#include "analyzer/wording.hpp"
#include "base/file_io.hpp"
#include "flow/describe.hpp"
#include "flow/graph.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "privflow/version.hpp"
#include "plot/chart.hpp"
#include "report/frontier.hpp"
#include "report/overlay.hpp"
#include "report/report.hpp"
#include "viz/diagram.hpp"

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

Severity severity_of(lang::Severity s) {
  switch (s) {
    case lang::Severity::kError: return Severity::kError;
    case lang::Severity::kWarning: return Severity::kWarning;
    case lang::Severity::kNote: return Severity::kNote;
  }
  return Severity::kError;
}

Severity severity_of(analyzer::Severity s) {
  switch (s) {
    case analyzer::Severity::kError: return Severity::kError;
    case analyzer::Severity::kWarning: return Severity::kWarning;
    case analyzer::Severity::kNote: return Severity::kNote;
  }
  return Severity::kError;
}

Status status_of(analyzer::Status s) {
  switch (s) {
    case analyzer::Status::kHolds: return Status::kHolds;
    case analyzer::Status::kViolated: return Status::kViolated;
    case analyzer::Status::kUndecided: return Status::kUndecided;
  }
  return Status::kUndecided;
}

/// One verdict with the figures and words of the JSON report (report/json.cpp): both take
/// them from analyzer/wording.hpp and flow/describe.hpp.
Verdict verdict_of(const flow::Graph& graph, const analyzer::Verdict& v, const flow::Requirement* r) {
  const bool forbid = v.measure == flow::Measure::kForbid;
  Verdict out;
  out.name = v.name.empty() && r ? r->name : v.name;
  out.line = r ? r->span.line : 0;
  out.column = r ? r->span.column : 0;
  out.measure = flow::measure_name(v.measure);
  if (r && !forbid && r->data < graph.data.size()) out.data = graph.data[r->data].name;
  if (!forbid && !v.adversary.empty()) out.adversary = v.adversary;
  if (r && v.measure == flow::Measure::kMembership && r->fpr) out.fpr = analyzer::bound_number(*r->fpr);
  out.status = status_of(v.status);
  out.status_text = analyzer::status_name(v.status);
  if (v.value && std::isfinite(*v.value)) out.value = *v.value;
  out.value_text = analyzer::value_text(v);
  out.unit = analyzer::unit_name(v.measure);
  const bool has_bound = !forbid || (r && r->unless_epsilon);
  const Rational bound = forbid && r && r->unless_epsilon ? *r->unless_epsilon : v.bound;
  if (has_bound) {
    out.bound = analyzer::bound_number(bound);
    out.bound_text = format_exact(bound);
  }
  out.delta = r ? analyzer::delta_number(graph.delta_of(*r), v.delta) : v.delta;
  out.delta_text = r ? flow::delta_text(graph.delta_of(*r)) : "";
  out.exact = v.exact;
  if (!forbid) out.coalition = analyzer::members(graph, v.coalition);
  out.method = analyzer::method_name(v.method);
  out.reason = v.reason;
  if (!v.fix.empty()) out.fix = v.fix;
  return out;
}

LeakageCell cell_of(const flow::Graph& graph, const analyzer::LeakageCell& c) {
  LeakageCell cell;
  cell.data = c.data < graph.data.size() ? graph.data[c.data].name : "";
  cell.observer = c.observer;
  cell.epsilon = c.loss == analyzer::LossKind::kNothing ? std::optional<double>(0.0) : analyzer::epsilon_number(c.epsilon);
  cell.delta = analyzer::delta_number(graph.settings.delta, c.delta);
  cell.status = analyzer::cell_status_name(c.status());
  cell.loss = analyzer::loss_kind_name(c.loss);
  return cell;
}

analyzer::Options analyzer_options(const AnalyzeOptions& options) {
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
  return aopts;
}

Result analyze_unchecked(const Spec& spec, const AnalyzeOptions& options) {
  const flow::Graph& graph = Access::graph(spec);
  const analyzer::Analysis analysis = analyzer::analyze(graph, analyzer_options(options));

  report::Options ropts;
  ropts.spec_path = graph.file;
  ropts.compact = true;
  Result result;
  result.pipeline = graph.pipeline;
  result.text = report::to_text(graph, analysis, ropts);
  ropts.compact = false;
  result.json = report::to_json(graph, analysis, ropts);

  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
    const analyzer::Verdict& verdict = analysis.verdicts[i];
    const flow::Id id = verdict.requirement != flow::kNone ? verdict.requirement : static_cast<flow::Id>(i);
    const flow::Requirement* r = id < graph.requirements.size() ? &graph.requirements[id] : nullptr;
    Verdict v = verdict_of(graph, verdict, r);
    v.headline = report::verdict_line(graph, verdict, ropts);
    v.explanation = report::explain(graph, analysis, id, ropts);
    result.verdicts.push_back(std::move(v));
  }
  for (const auto& c : analysis.leakage) result.leakage.push_back(cell_of(graph, c));
  for (const auto& f : analysis.findings)
    result.findings.push_back(Finding{severity_of(f.severity), f.span.line, f.span.column, f.message});
  result.assumptions = analysis.assumptions;
  result.exit_code = analysis.exit_code();
  return result;
}

}  // namespace

const char* version() { return kVersion; }

// The words are the analyzer's (analyzer/wording.hpp), as in every report.
const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError: return analyzer::severity_name(analyzer::Severity::kError);
    case Severity::kWarning: return analyzer::severity_name(analyzer::Severity::kWarning);
    case Severity::kNote: return analyzer::severity_name(analyzer::Severity::kNote);
  }
  return analyzer::severity_name(analyzer::Severity::kError);
}

const char* status_name(Status status) {
  switch (status) {
    case Status::kHolds: return analyzer::status_name(analyzer::Status::kHolds);
    case Status::kViolated: return analyzer::status_name(analyzer::Status::kViolated);
    case Status::kUndecided: return analyzer::status_name(analyzer::Status::kUndecided);
  }
  return analyzer::status_name(analyzer::Status::kUndecided);
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

namespace {

/// "adversary 'x' is not declared (declared: a, b)", as `privflow diagram` words it.
std::string not_declared(const char* what, const std::string& name, const std::vector<std::string>& names) {
  std::string message = std::string(what) + " '" + name + "' is not declared";
  if (names.empty()) return message + " (the spec declares none)";
  message += " (declared: ";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : "") + names[i];
  return message + ")";
}

DiagramResult diagram_unchecked(const Spec& spec, const DiagramOptions& options) {
  const flow::Graph& graph = Access::graph(spec);
  DiagramResult result;
  const auto format = viz::format_from_name(options.format);
  if (!format || (*format != viz::Format::kSvg && *format != viz::Format::kDot)) {
    result.error = "unknown diagram format '" + options.format + "' (svg or dot)";
    return result;
  }
  flow::Id adversary = flow::kNone, requirement = flow::kNone;
  if (!options.adversary.empty()) {
    adversary = graph.find_adversary(options.adversary);
    std::vector<std::string> names;
    for (const auto& a : graph.adversaries) names.push_back(a.name);
    if (adversary == flow::kNone) result.error = not_declared("adversary", options.adversary, names);
  }
  if (result.ok() && !options.requirement.empty()) {
    requirement = viz::find_requirement(graph, options.requirement);
    std::vector<std::string> names;
    for (const auto& r : graph.requirements) names.push_back(r.name);
    if (requirement == flow::kNone) result.error = not_declared("requirement", options.requirement, names);
  }
  if (!result.ok()) return result;
  // The same steps as `privflow diagram` (cli/cmd_diagram.cpp): analyse, overlay, render.
  const analyzer::Analysis analysis = analyzer::analyze(graph, analyzer_options(options.analysis));
  const viz::Overlay overlay = report::analysis_overlay(graph, analysis, adversary, requirement);
  if (!viz::render(viz::to_dot(graph, overlay), *format, result.output, result.error)) result.output.clear();
  return result;
}

}  // namespace

DiagramResult diagram(const Spec& spec, const DiagramOptions& options) {
  try {
    return diagram_unchecked(spec, options);
  } catch (const std::exception& e) {
    return DiagramResult{"", std::string("internal error: ") + e.what()};
  }
}

namespace {

FrontierResult frontier_unchecked(const Spec& spec, const FrontierOptions& options) {
  const flow::Graph& graph = Access::graph(spec);
  FrontierResult result;
  using Scale = analyzer::FrontierOptions::Scale;
  analyzer::FrontierOptions sweep;
  if (options.format != "svg" && options.format != "json") result.error = "unknown frontier format '" + options.format + "' (svg or json)";
  else if (options.scale == "auto") sweep.scale = Scale::kAuto;
  else if (options.scale == "linear") sweep.scale = Scale::kLinear;
  else if (options.scale == "log") sweep.scale = Scale::kLog;
  else result.error = "unknown scale '" + options.scale + "' (auto, linear or log)";
  if (options.points < 2 || options.points > analyzer::kMaxFrontierPoints)
    result.error = "points must be between 2 and " + std::to_string(analyzer::kMaxFrontierPoints);
  if (!result.ok()) return result;
  sweep.analysis = analyzer_options(options.analysis);
  sweep.requirements = options.requirements;
  sweep.points = options.points;
  // The same steps as `privflow frontier` (cli/cmd_frontier.cpp).
  const analyzer::Frontier f = analyzer::frontier(graph, options.param, sweep);
  if (!f.valid) result.error = f.message;
  else if (f.out_of_time)
    result.error = "the time budget ran out after " + std::to_string(f.analyses) + " analyses, before the sweep was complete";
  if (!result.ok()) return result;
  result.feasible = std::any_of(f.points.begin(), f.points.end(), [](const auto& p) { return p.holds; });
  result.output = options.format == "json" ? report::frontier_json(graph, f) : plot::to_svg(report::frontier_chart(graph, f));
  return result;
}

}  // namespace

FrontierResult frontier(const Spec& spec, const FrontierOptions& options) {
  try {
    return frontier_unchecked(spec, options);
  } catch (const std::exception& e) {
    FrontierResult failed;
    failed.error = std::string("internal error: ") + e.what();
    return failed;
  }
}

}  // namespace privflow::api
