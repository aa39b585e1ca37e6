// privflow report SPEC [--format text|markdown|json|sarif|html] [-o FILE]
#include <memory>
#include <string>

#include "analyzer/analysis.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"
#include "report/report.hpp"

namespace privflow::cli {
namespace {

struct ReportOptions {
  std::string spec;
  std::string format = "text";
  std::string output;  // empty or "-": standard output
  AnalysisArgs analysis;
};

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
  return write_analysed(opts.output, report::render(*format, *graph, analysis, options), analysis, io);
}

}  // namespace

Command report_command() {
  auto opts = std::make_shared<ReportOptions>();
  return make_analysing_command(
      "report", "Analyse a spec and write a report: text, Markdown, JSON, SARIF or HTML", kAnalysisExitCodes, opts,
      run_report,
      {spec_argument(&opts->spec), option("--format", "text (default), markdown, json, sarif or html", &opts->format),
       option("-o,--output", "write to FILE (atomically: whole or not at all); default standard output", &opts->output)});
}

}  // namespace privflow::cli
