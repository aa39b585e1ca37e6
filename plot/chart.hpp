#pragma once
// A small chart writer: panels of one curve each, stacked over a shared x axis, drawn as SVG
// text that depends on nothing but the chart (no locale, no clock, no font metrics), and that
// SVG rendered to PNG by librsvg. It knows nothing of specs or analyses: report/frontier.cpp
// fills a Chart from a param sweep (`privflow frontier`, the HTML report).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace privflow::plot {

/// Why a point has no y: a gap in the curve with a glyph, ∞ or ? at the panel's top, or ✓ at its
/// foot for a requirement that holds with no value (a forbid rule nobody crosses).
enum class Gap { kNone, kUnbounded, kUndecided, kHoldsWithoutValue };

struct Point {
  double x = 0;
  std::optional<double> y;  // nullopt: a gap (see `gap`)
  Gap gap = Gap::kNone;
  bool holds = false;       // every selected requirement holds here: a filled marker, else hollow
};

/// One panel: one requirement's measure against the shared x axis, with its bound.
struct Panel {
  std::string title;    // above the panel, left
  std::string y_label;  // beside the y axis, with the unit
  std::vector<Point> points;  // in sweep order (the curve joins them in this order)
  std::optional<double> bound;  // a horizontal dashed line; the feasible band lies under it
  std::string bound_label;      // to the right of the plot, at the line's height
};

/// A vertical line through every panel: a bound on the x axis, or a marked sweep value.
enum class LineKind { kBound, kCurrent, kTuned };
struct VLine {
  LineKind kind = LineKind::kBound;
  double x = 0;
  std::string label;  // its legend entry
};

struct Chart {
  std::string title, subtitle, x_label;
  std::vector<Panel> panels;
  std::vector<VLine> lines;
  /// Closed x intervals where every selected requirement holds, shaded in every panel (under
  /// the panel's bound). A zero-width interval is drawn as a thin band.
  std::vector<std::pair<double, double>> feasible;
  bool x_from_zero = false;  // the x axis starts at 0 (an error), else at the data's least x
  bool x_log = false;        // a logarithmic x axis (when every x is positive; else linear)
  std::vector<std::string> notes;  // under the chart: gaps, what the x axis is
  int width = 760;
  /// Prefix of the SVG's element ids: unique per chart when several share one HTML page.
  std::string id = "chart";
};

/// Evenly spaced "nice" tick values (1, 2 or 5 × 10^k apart) covering [lo, hi], at most about
/// `target` of them, and their text (decimal, exact, no locale).
struct Ticks {
  std::vector<double> values;
  std::vector<std::string> labels;
  double lo = 0, hi = 1;  // the axis range: the outer ticks
  bool log = false;       // a logarithmic axis: values are mapped through log10
};
Ticks nice_ticks(double lo, double hi, int target = 5);

/// Ticks of a logarithmic axis spanning [lo, hi] (0 < lo): the powers of ten inside it (every
/// k-th decade past `target` of them), and 2 and 5 × 10^e too over at most 3 decades; when fewer
/// than two fall inside, the axis spans the whole decades around the range.
Ticks log_ticks(double lo, double hi, int target = 6);

/// A coordinate with two decimals, as SVG reads it (`12.5`, `-3`, `0.25`); never locale-dependent.
std::string coordinate(double v);

/// The chart as a standalone SVG document (UTF-8, newline-terminated). Same chart, same bytes.
std::string to_svg(const Chart& chart);

/// The SVG's pixel size as its root element states it (width, height), or nullopt.
std::optional<std::pair<int, int>> svg_size(const std::string& svg);

/// Renders SVG text to PNG bytes at `scale` × its stated size (librsvg and cairo). False with
/// `error` on failure.
bool render_png(const std::string& svg, double scale, std::string& png, std::string& error);

}  // namespace privflow::plot
