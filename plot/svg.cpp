// The chart as SVG. Layout is fixed arithmetic on the chart alone: a header (title, subtitle,
// legend) above the panels, so the legend never covers data; bound labels in the right margin;
// notes under the x axis. Text widths are estimated (no font metrics), generously.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/markup.hpp"
#include "plot/chart.hpp"

namespace privflow::plot {
namespace {

constexpr double kLeft = 84, kRight = 120, kPanelHeight = 132, kPanelGap = 50, kTitleSize = 17;
const char* const kFont = "DejaVu Sans, Verdana, sans-serif";
const char* const kCurve = "#1f5fa8";
const char* const kBound = "#c0392b";
const char* const kFeasible = "#2e9e4f";

/// Code points (UTF-8 lead bytes): the width estimate's unit.
std::size_t glyphs(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

double text_width(const std::string& text, double size) { return static_cast<double>(glyphs(text)) * size * 0.6; }

/// Lines of at most `width` characters, broken at spaces.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line, word;
  auto flush_word = [&] {
    if (!line.empty() && glyphs(line) + 1 + glyphs(word) > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ') flush_word(); else word += c;
  }
  if (!word.empty()) flush_word();
  if (!line.empty()) lines.push_back(line);
  return lines;
}

/// The text cut to `width` characters with an ellipsis.
std::string fit(const std::string& text, std::size_t width) {
  if (glyphs(text) <= width) return text;
  std::string out;
  std::size_t n = 0;
  for (char c : text) {
    if ((c & 0xC0) != 0x80 && ++n > width - 1) break;
    out += c;
  }
  return out + "…";
}

struct Svg {
  std::string out;
  void text(double x, double y, double size, const char* anchor, const std::string& content,
            const std::string& extra = "") {
    out += "<text x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" font-size=\"" + coordinate(size) +
           "\" text-anchor=\"" + anchor + "\"" + extra + ">" + markup_escape(content) + "</text>\n";
  }
  void line(double x0, double y0, double x1, double y1, const std::string& style) {
    out += "<line x1=\"" + coordinate(x0) + "\" y1=\"" + coordinate(y0) + "\" x2=\"" + coordinate(x1) + "\" y2=\"" +
           coordinate(y1) + "\" " + style + "/>\n";
  }
  void rect(double x, double y, double w, double h, const std::string& style) {
    out += "<rect x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" width=\"" + coordinate(w) + "\" height=\"" +
           coordinate(h) + "\" " + style + "/>\n";
  }
};

/// Maps data to pixels inside one panel's plot area.
struct Frame {
  double left, right, top, bottom;
  Ticks x, y;
  double px(double v) const {
    if (x.log) return left + std::log10(v / x.lo) / std::log10(x.hi / x.lo) * (right - left);
    return left + (v - x.lo) / (x.hi - x.lo) * (right - left);
  }
  double py(double v) const { return bottom - (v - y.lo) / (y.hi - y.lo) * (bottom - top); }
};

std::string line_style(LineKind kind) {
  switch (kind) {
    case LineKind::kBound: return "stroke=\"#8e44ad\" stroke-width=\"1.6\" stroke-dasharray=\"7,4\"";
    case LineKind::kCurrent: return "stroke=\"#222222\" stroke-width=\"1.4\" stroke-dasharray=\"2,3\"";
    case LineKind::kTuned: return "stroke=\"#e67e22\" stroke-width=\"1.8\" stroke-dasharray=\"9,3,2,3\"";
  }
  return "";
}

Ticks x_ticks(const Chart& chart) {
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  auto see = [&](double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const auto& p : chart.panels)
    for (const auto& pt : p.points) see(pt.x);
  for (const auto& l : chart.lines) see(l.x);
  for (const auto& [a, b] : chart.feasible) see(a), see(b);
  if (lo > hi) lo = hi = 0;
  if (chart.x_log && lo > 0) return log_ticks(lo, hi, 6);
  if (chart.x_from_zero) lo = std::min(lo, 0.0);
  return nice_ticks(lo, hi, 6);
}

/// The panel's y range: from 0 (or the least value) to the largest value and the bound. When
/// a few values (at most a third) lie beyond 4× the bound, the axis stops there, so that they
/// do not flatten the rest of the curve; they are drawn as ▲.
Ticks y_ticks(const Panel& panel) {
  double lo = 0, hi = panel.bound ? *panel.bound : 0;
  std::size_t finite = 0, far = 0;
  const double cut = panel.bound && *panel.bound > 0 ? 4 * *panel.bound : HUGE_VAL;
  for (const auto& pt : panel.points)
    if (pt.y && std::isfinite(*pt.y)) {
      lo = std::min(lo, *pt.y);
      hi = std::max(hi, *pt.y);
      ++finite;
      if (*pt.y > cut) ++far;
    }
  if (far > 0 && 3 * far <= finite) hi = cut;
  return nice_ticks(lo, hi, 4);
}

}  // namespace

namespace {

/// The legend: one row (or more) of swatches and words, above the panels.
double draw_legend(Svg& svg, const Chart& chart, double y) {
  struct Entry {
    std::string swatch, label;
  };
  std::vector<Entry> entries;
  entries.push_back({"<line x1=\"0\" y1=\"0\" x2=\"22\" y2=\"0\" stroke=\"" + std::string(kCurve) +
                         "\" stroke-width=\"2\"/><circle cx=\"11\" cy=\"0\" r=\"3.5\" fill=\"" + kCurve + "\"/>",
                     "measure (● all hold, ○ not)"});
  entries.push_back({"<line x1=\"0\" y1=\"0\" x2=\"22\" y2=\"0\" stroke=\"" + std::string(kBound) +
                         "\" stroke-width=\"1.6\" stroke-dasharray=\"6,3\"/>",
                     "requirement's bound"});
  entries.push_back({"<rect x=\"0\" y=\"-6\" width=\"22\" height=\"12\" fill=\"" + std::string(kFeasible) +
                         "\" fill-opacity=\"0.22\"/>",
                     "feasible: every requirement holds"});
  for (const auto& l : chart.lines)
    entries.push_back({"<line x1=\"11\" y1=\"-7\" x2=\"11\" y2=\"7\" " + line_style(l.kind) + "/>", l.label});
  double x = kLeft;
  for (const auto& e : entries) {
    const double w = 30 + text_width(e.label, 11.5) + 18;
    if (x > kLeft && x + w > chart.width - 12) {
      x = kLeft;
      y += 20;
    }
    svg.out += "<g transform=\"translate(" + coordinate(x) + " " + coordinate(y - 4) + ")\">" + e.swatch + "</g>\n";
    svg.text(x + 28, y, 11.5, "start", e.label);
    x += w;
  }
  return y + 30;
}

double draw_header(Svg& svg, const Chart& chart) {
  svg.text(chart.width / 2.0, 28, kTitleSize, "middle", chart.title, " font-weight=\"bold\"");
  double y = 50;
  const auto chars = static_cast<std::size_t>((chart.width - 40) / (12.5 * 0.6));
  for (const auto& line : wrap(chart.subtitle, chars)) {
    svg.text(chart.width / 2.0, y, 12.5, "middle", line, " fill=\"#444444\"");
    y += 17;
  }
  return draw_legend(svg, chart, y + 8);
}

void draw_axes(Svg& svg, const Frame& f, const Panel& panel) {
  for (std::size_t i = 0; i < f.y.values.size(); ++i) {
    const double y = f.py(f.y.values[i]);
    svg.line(f.left, y, f.right, y, "stroke=\"#e3e3e3\"");
    svg.text(f.left - 6, y + 4, 11, "end", f.y.labels[i]);
  }
  for (std::size_t i = 0; i < f.x.values.size(); ++i) {
    const double x = f.px(f.x.values[i]);
    svg.line(x, f.top, x, f.bottom, "stroke=\"#eeeeee\"");
    svg.text(x, f.bottom + 15, 11, "middle", f.x.labels[i]);
  }
  svg.rect(f.left, f.top, f.right - f.left, f.bottom - f.top, "fill=\"none\" stroke=\"#888888\"");
  const double mid = (f.top + f.bottom) / 2;
  const auto room = static_cast<std::size_t>((f.bottom - f.top) / (11.5 * 0.6));
  svg.text(18, mid, 11.5, "middle", fit(panel.y_label, room),
           " transform=\"rotate(-90 18 " + coordinate(mid) + ")\"");
  const auto width = static_cast<std::size_t>((f.right - f.left + kRight - 10) / (12.5 * 0.6));
  svg.text(f.left, f.top - 9, 12.5, "start", fit(panel.title, width), " font-weight=\"bold\"");
}

void draw_feasible(Svg& svg, const Frame& f, const Chart& chart, const Panel& panel) {
  double top = f.top;
  if (panel.bound) {
    if (*panel.bound < f.y.lo) return;
    top = std::max(f.top, f.py(*panel.bound));
  }
  for (const auto& [a, b] : chart.feasible) {
    double x0 = f.px(a), x1 = f.px(b);
    if (x1 - x0 < 3) x0 -= 1.5, x1 += 1.5;  // one point: a thin band
    svg.rect(x0, top, x1 - x0, f.bottom - top, "fill=\"" + std::string(kFeasible) + "\" fill-opacity=\"0.22\"");
  }
}

void draw_bound(Svg& svg, const Frame& f, const Panel& panel) {
  if (!panel.bound || *panel.bound < f.y.lo || *panel.bound > f.y.hi) return;
  const double y = f.py(*panel.bound);
  svg.line(f.left, y, f.right, y, "stroke=\"" + std::string(kBound) + "\" stroke-width=\"1.6\" stroke-dasharray=\"6,3\"");
  const auto room = static_cast<std::size_t>((kRight - 10) / (11 * 0.6));
  svg.text(f.right + 6, y + 4, 11, "start", fit(panel.bound_label, room), " fill=\"" + std::string(kBound) + "\"");
}

void draw_gap(Svg& svg, const Frame& f, double x, Gap gap) {
  switch (gap) {
    case Gap::kUnbounded: svg.text(x, f.top + 15, 15, "middle", "∞", std::string(" fill=\"") + kBound + "\""); return;
    case Gap::kHoldsWithoutValue:
      svg.text(x, f.bottom - 5, 12, "middle", "✓", std::string(" fill=\"") + kFeasible + "\"");
      return;
    case Gap::kNone:
    case Gap::kUndecided: svg.text(x, f.top + 14, 12, "middle", "?", " fill=\"#777777\""); return;
  }
}

/// The curve, cut at every gap, clipped to the plot area; then the markers and gap glyphs.
/// True when a value lies above the axis (drawn as ▲ at the top).
bool draw_curve(Svg& svg, const Frame& f, const Panel& panel, const std::string& clip) {
  std::string piece;
  std::size_t count = 0;
  auto flush = [&] {
    if (count > 1)
      svg.out += "<polyline points=\"" + piece + "\" fill=\"none\" stroke=\"" + kCurve +
                 "\" stroke-width=\"2\" clip-path=\"url(#" + clip + ")\"/>\n";
    piece.clear();
    count = 0;
  };
  for (const auto& pt : panel.points) {
    if (!pt.y || !std::isfinite(*pt.y)) {
      flush();
      continue;
    }
    piece += (piece.empty() ? "" : " ") + coordinate(f.px(pt.x)) + "," + coordinate(f.py(*pt.y));
    ++count;
  }
  flush();
  bool cut = false;
  for (const auto& pt : panel.points) {
    const double x = f.px(pt.x);
    if (!pt.y || !std::isfinite(*pt.y)) {
      draw_gap(svg, f, x, pt.gap == Gap::kNone && pt.y ? Gap::kUnbounded : pt.gap);
    } else if (*pt.y > f.y.hi) {  // above the cut: a triangle at the top edge
      cut = true;
      svg.out += "<path d=\"M" + coordinate(x - 4.5) + "," + coordinate(f.top + 8) + " L" + coordinate(x + 4.5) + "," +
                 coordinate(f.top + 8) + " L" + coordinate(x) + "," + coordinate(f.top + 1) + " Z\" fill=\"" + kCurve + "\"/>\n";
    } else {
      svg.out += "<circle cx=\"" + coordinate(x) + "\" cy=\"" + coordinate(f.py(*pt.y)) + "\" r=\"3.5\" fill=\"" +
                 (pt.holds ? kCurve : "#ffffff") + "\" stroke=\"" + kCurve + "\" stroke-width=\"1.5\"/>\n";
    }
  }
  return cut;
}

/// True when a value lies above the panel's axis.
bool draw_panel(Svg& svg, const Chart& chart, std::size_t index, const Ticks& xt, double top) {
  const Panel& panel = chart.panels[index];
  const Frame f{kLeft, chart.width - kRight, top, top + kPanelHeight, xt, y_ticks(panel)};
  const std::string clip = chart.id + "-clip" + std::to_string(index);
  svg.out += "<clipPath id=\"" + clip + "\"><rect x=\"" + coordinate(f.left) + "\" y=\"" + coordinate(f.top) +
             "\" width=\"" + coordinate(f.right - f.left) + "\" height=\"" + coordinate(f.bottom - f.top) +
             "\"/></clipPath>\n";
  draw_feasible(svg, f, chart, panel);
  draw_axes(svg, f, panel);
  for (const auto& l : chart.lines) svg.line(f.px(l.x), f.top, f.px(l.x), f.bottom, line_style(l.kind));
  draw_bound(svg, f, panel);
  return draw_curve(svg, f, panel, clip);
}

double draw_footer(Svg& svg, const Chart& chart, const std::vector<std::string>& notes, double y) {
  svg.text(kLeft + (chart.width - kLeft - kRight) / 2, y, 12.5, "middle", chart.x_label, " font-weight=\"bold\"");
  y += 24;
  const auto chars = static_cast<std::size_t>((chart.width - 2 * 16) / (11 * 0.6));
  for (const auto& note : notes)
    for (const auto& line : wrap(note, chars)) {
      svg.text(16, y, 11, "start", line, " fill=\"#444444\"");
      y += 15;
    }
  return y + 6;
}

}  // namespace

std::string to_svg(const Chart& chart) {
  Svg body;
  double y = draw_header(body, chart) + 18;
  const Ticks xt = x_ticks(chart);
  bool cut = false;
  for (std::size_t i = 0; i < chart.panels.size(); ++i) {
    cut = draw_panel(body, chart, i, xt, y) || cut;
    y += kPanelHeight + kPanelGap;
  }
  std::vector<std::string> notes = chart.notes;
  if (cut) notes.push_back("▲: a value above its panel's axis, which stops at 4 times the bound.");
  const double height = std::ceil(draw_footer(body, chart, notes, y - kPanelGap + 42));
  const std::string w = std::to_string(chart.width), h = coordinate(height);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " +
         h + "\" font-family=\"" + kFont + "\">\n<title>" + markup_escape(chart.title) + "</title>\n" +
         "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + body.out + "</svg>\n";
}

std::optional<std::pair<int, int>> svg_size(const std::string& svg) {
  auto read = [&](const std::string& key) -> std::optional<int> {
    const auto root = svg.find("<svg");
    if (root == std::string::npos) return std::nullopt;
    const auto at = svg.find(" " + key + "=\"", root);
    if (at == std::string::npos) return std::nullopt;
    return std::atoi(svg.c_str() + at + key.size() + 3);
  };
  auto w = read("width"), h = read("height");
  if (!w || !h || *w <= 0 || *h <= 0) return std::nullopt;
  return std::pair(*w, *h);
}

}  // namespace privflow::plot
