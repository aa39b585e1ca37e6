#pragma once
// Shared pieces of every report format: locations, the short derivation, the leakage matrix
// and the summary. Internal to report/ (tests may use it; not installed). Verdicts are worded by
// analyzer/wording.hpp, requirements by flow/describe.hpp: never here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "flow/describe.hpp"
#include "flow/graph.hpp"
#include "report/report.hpp"

namespace privflow::report::detail {

/// The spec path to print: options.spec_path, else graph.file, else "<spec>".
std::string spec_path(const flow::Graph& graph, const Options& options);

/// The requirement a verdict speaks of (by verdict.requirement, else by its position), or null.
const flow::Requirement* requirement_of(const flow::Graph& graph, const analyzer::Analysis& analysis, std::size_t index);

/// `epsilon 5.193` as `ε 5.193`, for narrow table cells (Markdown and HTML); other text as is.
std::string narrow(std::string text);

/// `FILE:LINE:COL` of a span (`FILE` alone when it has no line).
std::string location(const std::string& path, const flow::Span& span);

/// One line of a short derivation, indented `depth` levels under the verdict line.
struct Line {
  std::string text;
  std::uint32_t line = 0;  // the spec line it speaks of (0: none)
  int depth = 0;
};

/// The short derivation of a verdict: the coalition, what exposes the record (if anything),
/// the binding releases (largest share of ε first, at most `max_releases`, then a count of the
/// rest), the composition and conversion steps. The fix is not included (see Verdict::fix).
std::vector<Line> short_derivation(const analyzer::Verdict& verdict, std::size_t max_releases = 3);

/// `(line 12)` unless `text` already names that line; "" for line 0.
std::string line_suffix(const std::string& text, std::uint32_t line);

/// How bad a cell is, for colours and sorting: 0 nothing, 1 private, 2 exposed, 3 holds.
int cell_severity(const analyzer::LeakageCell& cell);

/// The leakage matrix as a grid: one row per observer (agents in declaration order, then
/// `curious+malicious`), one column per data set (declaration order).
struct Matrix {
  std::vector<flow::Id> data;
  std::vector<std::string> observers;
  /// cells[row][column]; null when the analysis has no such cell.
  std::vector<std::vector<const analyzer::LeakageCell*>> cells;
  /// The δ of the cells as the spec writes it (`1e-5`): the settings' δ, at which the
  /// analysis computes every cell. Empty when there is no cell.
  std::string delta;
};
Matrix leakage_matrix(const flow::Graph& graph, const analyzer::Analysis& analysis);

/// The error figures, one line each: `published (laplace, line 58): ±11.99 at 95 % (sd 5.657), …`;
/// the first `max_lines`, then `… and N more` (every format but JSON and SARIF; JSON lists all).
std::vector<std::string> error_lines(const flow::Graph& graph, const analyzer::Analysis& analysis,
                                     std::size_t max_lines = 8);

/// `4 requirements: 1 holds, 2 violated, 1 undecided` (zero counts left out).
std::string summary_line(const analyzer::Analysis& analysis);

/// Counts per status.
struct Counts {
  std::size_t holds = 0, violated = 0, undecided = 0;
};
Counts count_statuses(const analyzer::Analysis& analysis);

}  // namespace privflow::report::detail
