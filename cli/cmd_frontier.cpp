// privflow frontier SPEC --param P [--requirement R …] [--points N] [-o FILE.svg|FILE.png] [--json]:
// the param swept over its range (analyzer/frontier.hpp), drawn as a chart (report/frontier.hpp).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/frontier.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"
#include "lang/diagnostics.hpp"
#include "plot/chart.hpp"
#include "report/frontier.hpp"

namespace privflow::cli {
namespace {

struct FrontierArgs {
  std::string spec;
  std::string param;
  std::vector<std::string> requirements;
  unsigned points = 25;
  std::string scale = "auto";  // auto, linear, log
  std::string output;  // empty or "-": standard output
  std::string format;  // svg, png; empty: from -o's extension, else svg
  bool json = false;
  AnalysisArgs analysis;
};

int frontier_error(Io& io, const std::string& message) {
  io.err << "privflow frontier: error: " << printable(message) << "\n";
  return static_cast<int>(ExitStatus::kInvalid);
}

/// "svg", "png" or "json" from the options; "" (after saying why) when it cannot tell.
std::string output_format(const FrontierArgs& a, Io& io) {
  if (a.json) return "json";
  if (!a.format.empty()) {
    if (a.format == "svg" || a.format == "png") return a.format;
    frontier_error(io, "unknown chart format '" + a.format + "' (svg or png)");
    return "";
  }
  if (a.output.empty() || a.output == "-") return "svg";
  const std::string& o = a.output;
  auto ends = [&](const std::string& ext) { return o.size() > ext.size() && o.compare(o.size() - ext.size(), ext.size(), ext) == 0; };
  if (ends(".svg")) return "svg";
  if (ends(".png")) return "png";
  frontier_error(io, "cannot tell the chart format from '" + o + "': name it .svg or .png, or give --format");
  return "";
}

/// The invalid sweep's message, located at the param's declaration when it is there.
int report_invalid(const analyzer::Frontier& f, const flow::Graph& graph, const std::string& text, Io& io) {
  if (f.where.line == 0) return frontier_error(io, f.message);
  lang::SourceFile source(graph.file, text);
  lang::Diagnostics diags(source);
  diags.error(f.where.begin, f.where.end, f.message);
  diags.print(io.err, io.color);
  return static_cast<int>(ExitStatus::kInvalid);
}

/// 0 some value meets every selected requirement, 3 none does but one is undecided, else 1.
int exit_of(const analyzer::Frontier& f) {
  const bool any_holds = std::any_of(f.points.begin(), f.points.end(), [](const auto& p) { return p.holds; });
  if (any_holds) return static_cast<int>(ExitStatus::kOk);
  for (const auto& p : f.points)
    for (const auto& m : p.measures)
      if (m.status == analyzer::Status::kUndecided) return static_cast<int>(ExitStatus::kUndecided);
  return static_cast<int>(ExitStatus::kViolated);
}

int run_frontier(const FrontierArgs& a, Io& io) {
  const std::string format = output_format(a, io);
  if (format.empty()) return static_cast<int>(ExitStatus::kInvalid);
  if (refuse_overwriting_input(a.output, a.spec, io)) return static_cast<int>(ExitStatus::kInvalid);
  std::string text;
  auto graph = load_spec_file(a.spec, io, &text);
  if (!graph) return static_cast<int>(ExitStatus::kInvalid);
  analyzer::FrontierOptions options;
  options.requirements = a.requirements;
  options.points = a.points;
  using Scale = analyzer::FrontierOptions::Scale;
  options.scale = a.scale == "log" ? Scale::kLog : a.scale == "linear" ? Scale::kLinear : Scale::kAuto;
  options.analysis = analysis_options(a.analysis, io);
  const analyzer::Frontier f = analyzer::frontier(*graph, a.param, options);
  if (budget_spent(io)) return static_cast<int>(ExitStatus::kUndecided);
  if (!f.valid) return report_invalid(f, *graph, text, io);
  if (f.out_of_time) {
    io.err << "privflow frontier: the time budget ran out after " << f.analyses
           << " analyses, before the sweep was complete; nothing written (raise --timeout or lower --points)\n";
    return static_cast<int>(ExitStatus::kUndecided);
  }
  std::string bytes = format == "json" ? report::frontier_json(*graph, f) : plot::to_svg(report::frontier_chart(*graph, f));
  if (format == "png") {
    std::string png, error;
    if (!plot::render_png(bytes, 2, png, error)) {
      io.err << "privflow frontier: error: " << printable(error) << "\n";
      return static_cast<int>(ExitStatus::kInternal);
    }
    bytes = std::move(png);
  }
  return write_result(a.output, bytes, io) ? exit_of(f) : static_cast<int>(ExitStatus::kInternal);
}

}  // namespace

Command frontier_command() {
  auto a = std::make_shared<FrontierArgs>();
  Arg points = with_default(option("--points", "values swept over the range, both ends included (2 to 201)", &a->points));
  points.range = std::pair(2.0, static_cast<double>(analyzer::kMaxFrontierPoints));
  Arg scale = with_default(option("--scale",
                                  "spacing of the values and the x axis: log (geometric; a range from lo > 0), linear, "
                                  "or auto (log when hi >= 100 lo > 0)",
                                  &a->scale));
  scale.choices = {"auto", "linear", "log"};
  return make_analysing_command(
      "frontier", "Sweep a param and chart each requirement's measure against the error it costs",
      "Exit codes: 0 a value in the range meets every selected requirement, 1 none does, 2 invalid input,\n"
      "3 undecided (none holds and one is undecided, or the time budget ran out: nothing written), 4 internal failure.",
      a, run_frontier,
      {spec_argument(&a->spec),
       required(option("--param", "the param to sweep (declared `param NAME = v in [lo, hi]`)", &a->param)),
       option("--requirement", "chart only this requirement (repeatable); default: all", &a->requirements), points,
       scale,
       option("-o,--output",
              "write to FILE (atomically); .svg or .png picks the format (PNG at twice the SVG's size). Default: SVG on "
              "standard output",
              &a->output),
       option("--format", "svg or png (default: from -o's extension, else svg)", &a->format),
       option("--json", "the sweep as JSON instead of a chart: {\"param\", \"x_axis\", \"points\": [{\"value\", \"x\", "
                        "\"measures\": [{\"name\", \"status\", \"value\", \"value_text\"}]}]}",
              &a->json)});
}

}  // namespace privflow::cli
