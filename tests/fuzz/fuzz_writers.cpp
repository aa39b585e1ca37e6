// libFuzzer target: every writer on valid specs. For a spec that loads, analyses it (solver
// limit 1 s a query, no fix search) and renders every report format and the diagram. Aborts when
//   - the JSON or SARIF report does not parse;
//   - the HTML report, the Markdown report or the SVG diagram is not well formed
//     (markup_check.hpp: tags closed in order, attributes quoted, entities valid, valid UTF-8);
//   - a writer gives different bytes the second time.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "analyzer/analysis.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "report/overlay.hpp"
#include "report/report.hpp"
#include "tests/fuzz/markup_check.hpp"
#include "viz/diagram.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_writers: %s\n", what.c_str());
  std::abort();
}

void check_report(privflow::report::Format format, const std::string& a, const std::string& b) {
  using F = privflow::report::Format;
  const std::string name = privflow::report::format_name(format);
  if (a != b) fail(name + ": two runs gave different bytes");
  if (format == F::kJson || format == F::kSarif) {
    if (nlohmann::json::parse(a, nullptr, false).is_discarded()) fail(name + " does not parse");
  } else if (format == F::kHtml) {
    if (auto why = privflow::fuzz::check_markup(a, true); !why.empty()) fail("HTML: " + why);
  } else if (format == F::kMarkdown) {
    if (privflow::valid_utf8(a) != a) fail("Markdown: invalid UTF-8");
  }
}

void check_diagram(const privflow::flow::Graph& graph, const privflow::analyzer::Analysis& analysis) {
  using namespace privflow;
  std::string dot = viz::to_dot(graph, report::analysis_overlay(graph, analysis, flow::kNone, flow::kNone));
  if (dot != viz::to_dot(graph, report::analysis_overlay(graph, analysis, flow::kNone, flow::kNone)))
    fail("DOT: two runs gave different bytes");
  if (graph.agents.size() + graph.artifacts.size() > 60) return;  // Graphviz layout is slow
  std::string svg, svg2, error;
  if (!viz::render(dot, viz::Format::kSvg, svg, error)) fail("SVG: " + error);
  if (!viz::render(dot, viz::Format::kSvg, svg2, error) || svg != svg2) fail("SVG: two runs gave different bytes");
  if (auto why = fuzz::check_markup(svg, false); !why.empty()) fail("SVG: " + why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace privflow;
  lang::SourceFile source("fuzz.pflow", std::string(reinterpret_cast<const char*>(data), size));
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  if (!graph) return 0;
  try {
    analyzer::Options options;
    options.solver_timeout_ms = 1000;
    options.time_budget_ms = 4000;  // as fuzz_analysis: the writers are what is fuzzed here
    options.suggest_fixes = false;
    analyzer::Analysis analysis = analyzer::analyze(*graph, options);
    report::Options ropts;
    ropts.spec_path = "fuzz.pflow";
    using F = report::Format;
    for (F format : {F::kText, F::kMarkdown, F::kJson, F::kSarif, F::kHtml})
      check_report(format, report::render(format, *graph, analysis, ropts), report::render(format, *graph, analysis, ropts));
    check_diagram(*graph, analysis);
  } catch (const std::exception& e) {
    fail(std::string("uncaught exception: ") + e.what());
  }
  return 0;
}
