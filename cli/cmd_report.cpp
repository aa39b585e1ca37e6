// privflow report SPEC [--format text|markdown|json|sarif|html] [-o FILE]
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/frontier.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"
#include "report/report.hpp"

namespace privflow::cli {
namespace {

struct ReportOptions {
  std::string spec;
  std::string format = "text";
  std::string output;  // empty or "-": standard output
  bool no_frontier = false;
  AnalysisArgs analysis;
};

/// The HTML report's charts: the first params with a range, swept on a coarser grid than
/// `privflow frontier`'s, within what is left of the time budget and at most kChartSeconds
/// altogether (a report of a slow spec must not wait minutes for its charts).
std::vector<analyzer::Frontier> sweeps(const flow::Graph& graph, const ReportOptions& opts, Io& io) {
  constexpr std::size_t kMaxCharts = 2;
  constexpr auto kChartSeconds = std::chrono::seconds(60);
  const auto end = std::chrono::steady_clock::now() + kChartSeconds;
  std::vector<analyzer::Frontier> out;
  for (const auto& p : graph.params) {
    if (!p.lo || !p.hi || graph.requirements.empty()) continue;
    if (out.size() == kMaxCharts) break;
    analyzer::FrontierOptions options;
    options.points = 13;
    options.analysis = analysis_options(opts.analysis, io);
    if (!options.analysis.deadline || *options.analysis.deadline > end) {
      options.analysis.deadline = end;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      options.analysis.time_budget_ms = static_cast<unsigned>(std::max<long long>(1, left.count()));
    }
    out.push_back(analyzer::frontier(graph, p.name, options));
  }
  return out;
}

int run_report(const ReportOptions& opts, Io& io) {
  auto format = report::format_from_name(opts.format);
  if (!format) {
    io.err << "privflow: error: unknown report format '" << printable(opts.format)
           << "' (text, markdown, json, sarif or html)\n";
    return static_cast<int>(ExitStatus::kInvalid);
  }
  if (refuse_overwriting_input(opts.output, opts.spec, io)) return static_cast<int>(ExitStatus::kInvalid);
  std::string text;
  auto graph = load_spec_file(opts.spec, io, &text);
  if (!graph) return static_cast<int>(ExitStatus::kInvalid);
  analyzer::Analysis analysis = analyzer::analyze(*graph, analysis_options(opts.analysis, io));
  if (auto stop = stop_after_analysis(*graph, text, analysis, false, io)) return *stop;
  report::Options options;
  options.spec_path = graph->file;
  if (*format == report::Format::kHtml && !opts.no_frontier) options.frontiers = sweeps(*graph, opts, io);
  return write_analysed(opts.output, report::render(*format, *graph, analysis, options), analysis, io);
}

}  // namespace

Command report_command() {
  auto opts = std::make_shared<ReportOptions>();
  return make_analysing_command(
      "report", "Analyse a spec and write a report: text, Markdown, JSON, SARIF or HTML", kAnalysisExitCodes, opts,
      run_report,
      {spec_argument(&opts->spec), option("--format", "text (default), markdown, json, sarif or html", &opts->format),
       option("-o,--output", "write to FILE (atomically: whole or not at all); default standard output", &opts->output),
       option("--no-frontier", "html: leave out the charts of privacy against error (each a sweep of a param with a range)",
              &opts->no_frontier)});
}

}  // namespace privflow::cli
