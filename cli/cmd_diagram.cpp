// privflow diagram SPEC [-o FILE] [--adversary NAME] [--requirement NAME] [--format svg|png|pdf|dot]
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "cli/commands.hpp"
#include "analyzer/analysis.hpp"
#include "report/overlay.hpp"
#include "viz/diagram.hpp"

namespace privflow::cli {
namespace {

struct DiagramOptions {
  std::string spec;
  std::string output;  // empty: standard output
  std::string adversary, requirement;
  std::string format;  // empty: from the output's extension, else dot
  AnalysisArgs analysis;
};

int diagram_error(Io& io, const std::string& message) {
  io.err << "privflow: error: " << message << "\n";
  return static_cast<int>(ExitStatus::kInvalid);
}

// "adversary 'insdier' is not declared; did you mean 'insider'?" (or the declared names).
std::string not_declared(const std::string& what, const std::string& name, std::vector<std::string> names) {
  std::string message = what + " '" + printable(name) + "' is not declared";
  if (auto close = closest_match(name, names)) return message + "; did you mean '" + *close + "'?";
  if (names.empty()) return message + " (the spec declares none)";
  return message + " (declared: " + join(names, ", ") + ")";
}

int run_diagram(const DiagramOptions& opts, Io& io) {
  std::optional<viz::Format> format;
  if (!opts.format.empty()) {
    format = viz::format_from_name(opts.format);
    if (!format) return diagram_error(io, "unknown diagram format '" + printable(opts.format) + "' (svg, png, pdf or dot)");
  } else if (!opts.output.empty() && opts.output != "-") {
    format = viz::format_from_path(opts.output);
    if (!format)
      return diagram_error(io, "cannot tell the diagram format from '" + printable(opts.output) +
                             "': name it .svg, .png, .pdf or .dot, or give --format");
  } else {
    format = viz::Format::kDot;
  }

  if (refuse_overwriting_input(opts.output, opts.spec, io)) return static_cast<int>(ExitStatus::kInvalid);
  std::string text;
  auto graph = load_spec_file(opts.spec, io, &text);
  if (!graph) return static_cast<int>(ExitStatus::kInvalid);

  flow::Id adversary = flow::kNone, requirement = flow::kNone;
  if (!opts.adversary.empty()) {
    adversary = graph->find_adversary(opts.adversary);
    if (adversary == flow::kNone) {
      std::vector<std::string> names;
      for (const auto& a : graph->adversaries) names.push_back(a.name);
      return diagram_error(io, not_declared("adversary", opts.adversary, names));
    }
  }
  if (!opts.requirement.empty()) {
    requirement = viz::find_requirement(*graph, opts.requirement);
    if (requirement == flow::kNone) {
      std::vector<std::string> names;
      for (const auto& r : graph->requirements) names.push_back(r.name);
      return diagram_error(io, not_declared("requirement", opts.requirement, names));
    }
  }

  // Where the analysis meets the diagram (report/overlay.cpp): ε per data / artifact / flow /
  // agent for the chosen observer, the coalition's view, and the requirement's derivation.
  analyzer::Analysis analysis = analyzer::analyze(*graph, analysis_options(opts.analysis, io));
  if (auto stop = stop_after_analysis(*graph, text, analysis, false, io)) return *stop;
  viz::Overlay overlay = report::analysis_overlay(*graph, analysis, adversary, requirement);
  std::string bytes, error;
  if (!viz::render(viz::to_dot(*graph, overlay), *format, bytes, error)) {
    io.err << "privflow: error: " << printable(error) << "\n";
    return static_cast<int>(ExitStatus::kInternal);
  }
  return write_analysed(opts.output, bytes, analysis, io);
}

}  // namespace

Command diagram_command() {
  auto opts = std::make_shared<DiagramOptions>();
  return make_analysing_command(
      "diagram", "Draw the pipeline as a leakage diagram (Graphviz: DOT, SVG, PNG, PDF)", kAnalysisExitCodes, opts,
      run_diagram,
      {spec_argument(&opts->spec),
       option("-o,--output", "write to FILE (atomically); .svg .png .pdf .dot pick the format. Default: DOT on standard output",
              &opts->output),
       option("--adversary", "highlight this adversary's coalition and fade what it cannot see", &opts->adversary),
       option("--requirement", "draw only the derivation of this requirement's verdict (its name, or line<N> when unnamed)",
              &opts->requirement),
       option("--format", "svg, png, pdf or dot (default: from -o's extension, else dot)", &opts->format)});
}

}  // namespace privflow::cli
