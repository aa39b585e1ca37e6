// privflow check SPEC...: checks every spec (syntax, names, types, values), analyses it and
// prints a compiler-style line per requirement with its short derivation and fix.
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "base/text.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "report/report.hpp"

namespace privflow::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> specs;
  bool verbose = false;  // the full text report (leakage matrix, findings, assumptions)
  AnalysisArgs analysis;
};

/// Checks one spec file ("-" is standard input): diagnostics go to io.err, verdicts to io.out.
/// Returns the exit status of this file alone.
ExitStatus check_spec(const std::string& path, const CheckOptions& opts, Io& io) {
  std::string text;
  auto graph = load_spec_file(path, io, &text);
  if (!graph) return ExitStatus::kInvalid;
  analyzer::Analysis analysis = analyzer::analyze(*graph, analysis_options(opts.analysis, io));
  report::Options ropts;
  ropts.spec_path = graph->file;
  ropts.compact = !opts.verbose;
  // Warnings (training without privacy, a batch larger than the data) come first, as a
  // compiler's do (with -v they are in the report). Errors found by analysis make the spec
  // invalid: they alone are printed, no verdict.
  io.out.flush();  // the previous spec's verdicts first, when both streams go to one pipe
  if (auto stop = stop_after_analysis(*graph, text, analysis, !opts.verbose, io)) return static_cast<ExitStatus>(*stop);
  if (graph->requirements.empty())  // a CI gate on such a spec passes without checking anything
    io.err << printable(graph->file) << ": warning: the spec states no requirement (require or forbid): "
           << "it passes, but nothing was checked\n";
  io.out << report::to_text(*graph, analysis, ropts);
  return static_cast<ExitStatus>(analysis.exit_code());
}

/// The exit status of several files: invalid beats violated beats undecided beats ok.
int combine(int worst, ExitStatus next) {
  auto rank = [](int code) {
    switch (code) {
      case 0: return 0;
      case 3: return 1;
      case 1: return 2;
      case 2: return 3;
      default: return 4;
    }
  };
  int code = static_cast<int>(next);
  return rank(code) > rank(worst) ? code : worst;
}

int check_specs(const CheckOptions& opts, Io& io) {
  int worst = 0;
  for (const auto& path : opts.specs) {
    worst = combine(worst, check_spec(path, opts, io));
    // A spent budget ends the run as undecided, whatever the specs before it gave.
    if (io.budget && io.budget->timed_out()) return static_cast<int>(ExitStatus::kUndecided);
  }
  return worst;
}

}  // namespace

Command check_command() {
  auto opts = std::make_shared<CheckOptions>();
  return make_analysing_command(
      "check", "Check specs and give every requirement its verdict",
      "Exit codes: 0 every requirement holds, 1 one is violated, 2 a spec is invalid or unreadable,\n"
      "3 undecided (a solver limit was reached) and none violated, 4 internal failure.",
      opts, check_specs,
      {required(option("SPEC", "spec files ('-' reads standard input)", &opts->specs)),
       option("-v,--verbose", "also print the leakage matrix, findings and assumptions", &opts->verbose)});
}

}  // namespace privflow::cli
