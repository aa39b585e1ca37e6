#pragma once
// A param sweep (analyzer/frontier.hpp) as a chart (plot/chart.hpp), as JSON, and as the HTML
// report's section: the same chart and its data table. Every figure is the analysis's upper
// bound as the other reports word it (rounded up).
#include <string>

#include "analyzer/frontier.hpp"
#include "flow/graph.hpp"
#include "plot/chart.hpp"

namespace privflow::report {

/// One panel per selected requirement (its measure against the x axis, its bound), the
/// feasible band, the current value and tune's boundary, and notes for every gap.
plot::Chart frontier_chart(const flow::Graph& graph, const analyzer::Frontier& frontier);

/// `privflow frontier --json`: the sweep's points with each requirement's measure (a number,
/// null when unbounded or undecided, and its text) and status. Two-space indented.
std::string frontier_json(const flow::Graph& graph, const analyzer::Frontier& frontier);

/// The x axis's words: `error of published: 95 % half-width`, or the param's name.
std::string frontier_x_label(const flow::Graph& graph, const analyzer::Frontier& frontier);

/// An HTML fragment: the chart as inline SVG and, for screen readers and for reading exact
/// values, its data table. All text escaped.
std::string frontier_html(const flow::Graph& graph, const analyzer::Frontier& frontier);

}  // namespace privflow::report
