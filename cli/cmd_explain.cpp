// privflow explain SPEC REQUIREMENT: the whole derivation of one verdict.
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"
#include "report/report.hpp"

namespace privflow::cli {
namespace {

struct ExplainOptions {
  std::string spec;
  std::string requirement;
  AnalysisArgs analysis;
};

int run_explain(const ExplainOptions& opts, Io& io) {
  std::string text;
  auto graph = load_spec_file(opts.spec, io, &text);
  if (!graph) return static_cast<int>(ExitStatus::kInvalid);
  flow::Id id = report::find_requirement(*graph, opts.requirement);
  if (id == flow::kNone) {
    std::vector<std::string> names;
    for (const auto& r : graph->requirements) names.push_back(r.name);
    io.err << "privflow: error: requirement '" << printable(opts.requirement) << "' is not declared";
    if (auto close = closest_match(opts.requirement, names))
      io.err << "; did you mean '" << printable(*close) << "'?\n";
    else if (names.empty())
      io.err << " (the spec states no requirements)\n";
    else
      io.err << " (requirements: " << printable(join(names, ", ")) << ")\n";
    return static_cast<int>(ExitStatus::kInvalid);
  }
  // Only the requirement asked about is analysed: the others cost time and say nothing here.
  flow::Graph single = *graph;
  single.requirements = {graph->requirements[id]};
  analyzer::Analysis analysis = analyzer::analyze(single, analysis_options(opts.analysis, io));
  if (auto stop = stop_after_analysis(*graph, text, analysis, false, io)) return *stop;
  report::Options options;
  options.spec_path = graph->file;
  return write_analysed("-", report::explain(single, analysis, 0, options), analysis, io);
}

}  // namespace

Command explain_command() {
  auto opts = std::make_shared<ExplainOptions>();
  return make_analysing_command(
      "explain", "Explain one verdict: its whole derivation, with the spec lines it rests on",
      "Exit codes: 0 it holds, 1 it is violated, 2 invalid spec, command line or unknown requirement, 3 undecided.",
      opts, run_explain,
      {spec_argument(&opts->spec),
       required(option("REQUIREMENT", "the requirement's name, or line<N> for an unnamed one", &opts->requirement))});
}

}  // namespace privflow::cli
