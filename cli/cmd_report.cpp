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
  std::string accountant;          // empty: the spec's settings
  unsigned solver_timeout_s = 10;  // per solver query
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
  analyzer::Analysis analysis = analyzer::analyze(*graph, analysis_options(opts.accountant, opts.solver_timeout_s));
  if (print_findings(*graph, text, analysis, false, io)) return static_cast<int>(ExitStatus::kInvalid);
  report::Options options;
  options.spec_path = graph->file;
  if (!write_result(opts.output, report::render(*format, *graph, analysis, options), io))
    return static_cast<int>(ExitStatus::kInternal);
  return analysis.exit_code();
}

}  // namespace

void add_report_command(CLI::App& root, Action& action) {
  auto opts = std::make_shared<ReportOptions>();
  auto* sub = root.add_subcommand("report", "Analyse a spec and write a report: text, Markdown, JSON, SARIF or HTML");
  sub->add_option("SPEC", opts->spec, "the .pflow spec ('-' reads standard input)")->required();
  sub->add_option("--format", opts->format, "text (default), markdown, json, sarif or html");
  sub->add_option("-o,--output", opts->output, "write to FILE (atomically: whole or not at all); default standard output");
  sub->add_option("--accountant", opts->accountant, "override the spec's accountant: rdp, pld or auto")
      ->check(CLI::IsMember({"rdp", "pld", "auto"}));
  sub->add_option("--solver-timeout", opts->solver_timeout_s, "seconds per solver query (default 10)");
  sub->footer(
      "Exit codes: 0 every requirement holds, 1 one is violated, 2 invalid spec or command line,\n"
      "3 undecided and none violated, 4 internal failure (e.g. the output cannot be written).");
  sub->callback([&action, opts] {
    action = [opts](Io& io) { return run_report(*opts, io); };
  });
}

}  // namespace privflow::cli
