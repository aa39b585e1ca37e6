#pragma once
// Reports of an analysis: text (compiler style, for `check` and terminals), Markdown (design
// reviews and pull requests), JSON (docs/report.schema.json), SARIF 2.1.0 (code scanning) and
// one self-contained HTML page. Every function is pure: the same graph and analysis give the
// same bytes. Figures are printed as the analysis rounded them (upper bounds, rounded up);
// figures this layer rounds itself (leakage matrix ε) are rounded up too, never to nearest.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/frontier.hpp"
#include "flow/graph.hpp"

namespace privflow::report {

enum class Format { kText, kMarkdown, kJson, kSarif, kHtml };

/// "text", "markdown" (or "md"), "json", "sarif", "html"; else nullopt.
std::optional<Format> format_from_name(std::string_view name);
/// "text", "markdown", "json", "sarif" or "html".
const char* format_name(Format format);

struct Options {
  /// The spec's path as the user gave it, for `FILE:LINE:COL` and SARIF's artifact uri.
  /// Empty: `graph.file`.
  std::string spec_path;
  /// Text only: verdict lines with the short derivation and fix of every verdict that does
  /// not hold, and the summary line; no leakage matrix, findings or assumptions (`check`).
  bool compact = false;
  /// HTML only: lay out and inline the leakage diagram as SVG (Graphviz, in process).
  bool diagram = true;
  /// HTML only: param sweeps to chart (`privflow report` fills them for the first params with
  /// a range; report/frontier.hpp draws them). An incomplete sweep is named, not drawn.
  std::vector<analyzer::Frontier> frontiers;
};

/// Compiler-style lines, one per requirement:
///   `FILE:LINE:COL: violated: dp(patients) against insider: epsilon 41.7 > 2 at delta 1e-5 [name]`
/// each followed by its short derivation (coalition, binding releases, composition, fix), then
/// the leakage matrix, the findings (`FILE:LINE:COL: warning: …`), the assumptions and a
/// summary line (`3 requirements: 1 holds, 2 violated`).
std::string to_text(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options = {});

/// GitHub-flavoured Markdown: a summary table (✅ holds / ❌ violated / ❓ undecided), one
/// section per requirement that does not hold with its derivation as nested lists, the
/// leakage matrix, findings and assumptions.
std::string to_markdown(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options = {});

/// The JSON report (docs/report.schema.json): stable keys in a fixed order, `value` null when unbounded,
/// numbers as JSON numbers (upper bounds: the decimal printed is >= the true value), exact
/// values also as text (`value_text`). Two-space indented, newline-terminated.
std::string to_json(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options = {});

/// SARIF 2.1.0: one result per violated requirement (level error) and per undecided one
/// (level warning), at its line and column; ruleId is the measure (`dp`, `posterior`, …).
std::string to_sarif(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options = {});

/// One self-contained HTML page (inline CSS, no scripts, nothing loaded from the network):
/// the diagram as inline SVG, the leakage matrix as a coloured table, every requirement with
/// its verdict and derivation (`<details>`), findings and assumptions. All text is escaped.
std::string to_html(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options = {});

/// The report in `format`.
std::string render(Format format, const flow::Graph& graph, const analyzer::Analysis& analysis,
                   const Options& options = {});

/// The verdict line of one requirement, without a trailing newline (the text report's
/// first line for it): `FILE:LINE:COL: STATUS: HEADLINE [NAME]`.
std::string verdict_line(const flow::Graph& graph, const analyzer::Verdict& verdict, const Options& options = {});

/// `privflow explain`: the verdict line, then the whole derivation tree drawn with
/// `├─`/`└─`, each node with the spec line it speaks of, then the fix. `requirement` is an
/// index into graph.requirements (and analysis.verdicts).
std::string explain(const flow::Graph& graph, const analyzer::Analysis& analysis, flow::Id requirement,
                    const Options& options = {});

/// Index of the requirement called `name` (as written, or `line<N>` when unnamed), or kNone.
flow::Id find_requirement(const flow::Graph& graph, std::string_view name);

}  // namespace privflow::report
