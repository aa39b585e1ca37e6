#include "report/frontier.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "analyzer/wording.hpp"
#include "base/rational.hpp"
#include "base/markup.hpp"
#include "base/text.hpp"
#include "flow/describe.hpp"

namespace privflow::report {
namespace frontier_words {  // named: the unity build shares one anonymous namespace per batch

using analyzer::Frontier;
using analyzer::FrontierAxis;
using analyzer::Status;

std::string y_label(const flow::Graph& graph, const flow::Requirement& r) {
  switch (r.measure) {
    case flow::Measure::kDp:
    case flow::Measure::kForbid: return "ε (upper bound)";
    case flow::Measure::kPosterior: return "posterior (prob.)";
    case flow::Measure::kAdvantage: return "advantage";
    case flow::Measure::kMembership: return "TPR at FPR " + (r.fpr ? format_exact(*r.fpr) : std::string("?"));
    case flow::Measure::kReconstruction: return "success (prob.)";
    case flow::Measure::kLeakage: return "leakage (bits)";
    case flow::Measure::kReidentification: return "re-identified";
    case flow::Measure::kError:
      return r.relative ? "relative error" : "error (" + analyzer::confidence_text(1 - graph.confidence_of(&r).get_d()) + ")";
  }
  return "";
}

/// "0.5, 0.6458, 1.1 and 4 more".
std::string some(const std::vector<std::string>& values) {
  const std::size_t shown = std::min<std::size_t>(values.size(), 5);
  std::string text = join(std::vector<std::string>(values.begin(), values.begin() + static_cast<long>(shown)), ", ");
  if (values.size() > shown) text += " and " + std::to_string(values.size() - shown) + " more";
  return text;
}

std::size_t column_of(const Frontier& f, flow::Id r) {
  return static_cast<std::size_t>(std::find(f.requirements.begin(), f.requirements.end(), r) - f.requirements.begin());
}

/// Why a measure has no value: undecided, unbounded, or holding with none (nobody crosses a forbid rule).
plot::Gap gap_of(const analyzer::FrontierMeasure& m) {
  if (m.status == Status::kUndecided) return plot::Gap::kUndecided;
  return m.status == Status::kHolds ? plot::Gap::kHoldsWithoutValue : plot::Gap::kUnbounded;
}

/// The panel of requirement `r`: its measure at every point that has an x figure.
plot::Panel panel_of(const flow::Graph& graph, const Frontier& f, flow::Id r) {
  const flow::Requirement& req = graph.requirements[r];
  plot::Panel panel;
  panel.title = flow::requirement_text(graph, req);
  panel.y_label = y_label(graph, req);
  const bool forbid = req.measure == flow::Measure::kForbid;
  const Rational bound = forbid ? req.unless_epsilon.value_or(Rational(0)) : req.bound;
  panel.bound = analyzer::bound_number(bound);
  panel.bound_label = forbid && !req.unless_epsilon ? "no crossing" : "≤ " + format_exact(bound);
  const std::size_t c = column_of(f, r);
  for (const auto& pt : f.points) {
    if (!pt.x) continue;
    const auto& m = pt.measures[c];
    plot::Point p;
    p.x = *pt.x;
    p.y = m.value;
    p.holds = pt.holds;
    if (!m.value) p.gap = gap_of(m);
    panel.points.push_back(p);
  }
  return panel;
}

/// Where every selected requirement holds: x spans between neighbouring holding points.
std::vector<std::pair<double, double>> feasible(const Frontier& f) {
  std::vector<std::pair<double, double>> spans;
  for (std::size_t i = 0; i < f.points.size(); ++i) {
    const auto& a = f.points[i];
    if (!a.holds || !a.x) continue;
    const bool next = i + 1 < f.points.size() && f.points[i + 1].holds && f.points[i + 1].x;
    const double b = next ? *f.points[i + 1].x : *a.x;
    spans.emplace_back(std::min(*a.x, b), std::max(*a.x, b));
  }
  // Merged where they meet: overlapping translucent bands would read as a darker region.
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<double, double>> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second) merged.back().second = std::max(merged.back().second, s.second);
    else merged.push_back(s);
  }
  return merged;
}

}  // namespace frontier_words

namespace frontier_words {

/// The notes under the chart: what the x axis is when it is not an error, each requirement's
/// gaps, points without an x figure, and why tune gave no boundary.
std::vector<std::string> notes(const flow::Graph& graph, const Frontier& f) {
  std::vector<std::string> out;
  if (f.axis == FrontierAxis::kParam)
    out.push_back("The x axis is " + f.param + " itself: no selected privacy requirement, or no release " + f.param +
                  " governs has an error figure.");
  for (flow::Id r : f.requirements) {
    if (r == f.x_requirement) continue;
    std::vector<std::string> unbounded, undecided, without;
    for (const auto& pt : f.points) {
      const auto& m = pt.measures[column_of(f, r)];
      if (m.value) continue;
      const plot::Gap gap = gap_of(m);
      (gap == plot::Gap::kUndecided ? undecided : gap == plot::Gap::kUnbounded ? unbounded : without).push_back(pt.value_text);
    }
    const std::string& name = graph.requirements[r].name;
    if (!without.empty())
      out.push_back(name + ": holds with no value (✓: nobody crosses it) at " + f.param + " = " + some(without) + ".");
    if (!unbounded.empty())
      out.push_back(name + ": unbounded (∞, no point drawn) at " + f.param + " = " + some(unbounded) + ".");
    if (!undecided.empty())
      out.push_back(name + ": undecided (?, no point drawn) at " + f.param + " = " + some(undecided) + ".");
  }
  std::vector<std::string> no_x;
  for (const auto& pt : f.points)
    if (!pt.x) no_x.push_back(pt.value_text);
  if (!no_x.empty()) out.push_back("No x figure (not drawn) at " + f.param + " = " + some(no_x) + ".");
  if (!f.tuned && !f.tune_message.empty()) out.push_back("tune: " + f.tune_message + ".");
  out.push_back("Each point is a full analysis; figures are upper bounds. Shaded: every selected requirement holds "
                "at both neighbouring points (under each panel's bound).");
  return out;
}

std::optional<double> x_of(const Frontier& f, bool tuned) {
  for (const auto& pt : f.points)
    if ((tuned ? pt.tuned : pt.current) && pt.x) return pt.x;
  return std::nullopt;
}

/// The vertical lines: the x axis's bound (a utility requirement), the current value, tune's boundary.
std::vector<plot::VLine> lines(const flow::Graph& graph, const Frontier& f) {
  std::vector<plot::VLine> out;
  if (f.axis == FrontierAxis::kUtility) {
    const auto& req = graph.requirements[f.x_requirement];
    out.push_back({plot::LineKind::kBound, analyzer::bound_number(req.bound), req.name + " ≤ " + format_exact(req.bound)});
  }
  if (auto x = x_of(f, false)) out.push_back({plot::LineKind::kCurrent, *x, "current " + f.param + " = " + format_exact(f.current)});
  if (auto x = x_of(f, true)) out.push_back({plot::LineKind::kTuned, *x, "tune: " + f.param + " = " + format_exact(*f.tuned)});
  return out;
}

}  // namespace frontier_words

std::string frontier_x_label(const flow::Graph& graph, const analyzer::Frontier& f) {
  if (f.axis == analyzer::FrontierAxis::kParam) return f.param;
  const std::string name = graph.artifacts[f.x_artifact].name;
  const std::string unit = f.x_unit.empty() ? "" : " (" + f.x_unit + ")";
  if (f.x_relative) return "relative error of " + name + " at " + analyzer::confidence_text(f.beta);
  return "error of " + name + ": " + analyzer::confidence_text(f.beta) + " half-width" + unit;
}

plot::Chart frontier_chart(const flow::Graph& graph, const analyzer::Frontier& f) {
  using namespace frontier_words;
  plot::Chart chart;
  chart.title = f.axis == analyzer::FrontierAxis::kParam ? "Privacy as " + f.param + " varies" : "Privacy against error, sweeping " + f.param;
  const std::string name = graph.pipeline.empty() ? graph.file : graph.pipeline;
  chart.subtitle = name + ": " + f.param + " from " + format_exact(f.lo) + " to " + format_exact(f.hi) + ", " +
                   std::to_string(f.points.size()) + " points";
  chart.x_label = frontier_x_label(graph, f);
  chart.x_from_zero = f.axis != analyzer::FrontierAxis::kParam;
  for (flow::Id r : f.requirements)
    if (r != f.x_requirement) chart.panels.push_back(panel_of(graph, f, r));
  chart.lines = lines(graph, f);
  chart.feasible = feasible(f);
  chart.notes = notes(graph, f);
  // A geometric sweep reads on a logarithmic axis, when every x on it is positive.
  bool positive = f.log_scale;
  for (const auto& pt : f.points) positive = positive && (!pt.x || *pt.x > 0);
  for (const auto& l : chart.lines) positive = positive && l.x > 0;
  if (positive) {
    chart.x_log = true;
    chart.subtitle += ", spaced geometrically";
    chart.x_label += " (log scale)";
  }
  return chart;
}

std::string frontier_json(const flow::Graph& graph, const analyzer::Frontier& f) {
  using json = nlohmann::ordered_json;
  auto number = [](std::optional<double> x) { return x && std::isfinite(*x) ? json(*x) : json(nullptr); };
  json j;
  j["param"] = f.param;
  j["range"] = {format_exact(f.lo), format_exact(f.hi)};
  j["spacing"] = f.log_scale ? "geometric" : "even";
  j["current"] = format_exact(f.current);
  j["tuned"] = f.tuned ? json(format_exact(*f.tuned)) : json(nullptr);
  j["tune_message"] = f.tune_message;
  const char* axes[] = {"param", "error", "utility"};
  j["x_axis"] = {{"kind", axes[static_cast<int>(f.axis)]},
                 {"label", frontier_x_label(graph, f)},
                 {"artifact", f.x_artifact == flow::kNone ? json(nullptr) : json(graph.artifacts[f.x_artifact].name)},
                 {"requirement", f.x_requirement == flow::kNone ? json(nullptr) : json(graph.requirements[f.x_requirement].name)}};
  j["requirements"] = json::array();
  for (flow::Id r : f.requirements)
    j["requirements"].push_back({{"name", graph.requirements[r].name},
                                 {"requirement", flow::requirement_text(graph, graph.requirements[r])},
                                 {"unit", analyzer::unit_name(graph.requirements[r].measure)}});
  j["points"] = json::array();
  for (const auto& pt : f.points) {
    json p = {{"value", pt.value.get_d()}, {"value_exact", pt.value_text}, {"current", pt.current}, {"tuned", pt.tuned},
              {"analysed", pt.analysed}, {"x", number(pt.x)}, {"x_text", pt.x_text}, {"holds", pt.holds}};
    if (!pt.analysed) p["why_not"] = pt.why_not;
    p["measures"] = json::array();
    for (std::size_t i = 0; i < pt.measures.size(); ++i) {
      const auto& m = pt.measures[i];
      json mj = {{"name", graph.requirements[f.requirements[i]].name}, {"status", analyzer::status_name(m.status)},
                 {"value", number(m.value)}, {"value_text", m.value_text}};
      if (!m.reason.empty()) mj["reason"] = m.reason;
      p["measures"].push_back(mj);
    }
    j["points"].push_back(p);
  }
  j["complete"] = !f.out_of_time;
  j["analyses"] = f.analyses;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace privflow::report

namespace privflow::report {
namespace frontier_words {

/// The chart's data: one row per point, one column per requirement.
std::string data_table(const flow::Graph& graph, const analyzer::Frontier& f) {
  std::string out = "<table class=\"frontier\">\n<caption>" + markup_escape(f.param) + ": every analysed point</caption>\n";
  out += "<thead><tr><th>" + markup_escape(f.param) + "</th>";
  if (f.axis != FrontierAxis::kParam) out += "<th>" + markup_escape(frontier_x_label(graph, f)) + "</th>";
  for (flow::Id r : f.requirements)
    if (r != f.x_requirement) out += "<th><code>" + markup_escape(graph.requirements[r].name) + "</code></th>";
  out += "<th>all hold</th></tr></thead>\n<tbody>\n";
  for (const auto& pt : f.points) {
    std::string mark = pt.current ? " (current)" : pt.tuned ? " (tune)" : "";
    out += "<tr><td class=\"num\">" + markup_escape(pt.value_text + mark) + "</td>";
    if (f.axis != FrontierAxis::kParam) out += "<td class=\"num\">" + markup_escape(pt.x_text) + "</td>";
    for (std::size_t i = 0; i < f.requirements.size(); ++i) {
      if (f.requirements[i] == f.x_requirement) continue;
      const auto& m = pt.measures[i];
      out += std::string("<td class=\"num ") + analyzer::status_name(m.status) + "\">" + markup_escape(m.value_text) + "</td>";
    }
    out += std::string("<td>") + (pt.holds ? "yes" : "no") + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace frontier_words

std::string frontier_html(const flow::Graph& graph, const analyzer::Frontier& f) {
  plot::Chart chart = frontier_chart(graph, f);
  chart.id = "frontier-" + f.param;  // a param's name is an identifier: a valid, unique id
  const std::string svg = plot::to_svg(chart);
  const auto start = svg.find("<svg");  // inline: without the XML prolog
  std::string out = "<div class=\"frontier-chart\">\n" + svg.substr(start == std::string::npos ? 0 : start) + "</div>\n";
  out += "<details><summary>The chart's data</summary>\n" + frontier_words::data_table(graph, f) + "</details>\n";
  return out;
}

}  // namespace privflow::report
