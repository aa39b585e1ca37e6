// The HTML report: one self-contained page (inline CSS, inline SVG, no scripts, no fonts or
// images from anywhere). Every piece of text from the spec or the analysis is escaped.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "base/markup.hpp"
#include "base/text.hpp"
#include "privflow/version.hpp"
#include "report/detail/common.hpp"
#include "report/frontier.hpp"
#include "report/overlay.hpp"
#include "viz/diagram.hpp"

namespace privflow::report {
namespace {

using analyzer::Status;

const char* kStyle = R"css(
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #1f2328; background: #ffffff; margin: 0 auto; max-width: 1180px; padding: 24px 32px 64px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 10px; border-bottom: 1px solid #d8dee4; padding-bottom: 4px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
.meta { color: #59636e; margin: 0 0 8px; }
.summary { font-weight: 600; font-size: 1.05em; }
.note { color: #59636e; font-size: 0.92em; }
table { border-collapse: collapse; margin: 8px 0 12px; }
th, td { border: 1px solid #d8dee4; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 10px; padding: 1px 8px;
         font-size: 0.85em; font-weight: 600; color: #ffffff; }
.badge.holds { background: #1a7f37; }
.badge.violated { background: #cf222e; }
.badge.undecided { background: #9a6700; }
details { border: 1px solid #d8dee4; border-radius: 6px; margin: 8px 0; padding: 6px 12px; }
details.violated { border-left: 5px solid #cf222e; }
details.undecided { border-left: 5px solid #9a6700; }
details.holds { border-left: 5px solid #1a7f37; }
summary { cursor: pointer; }
summary .headline { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
ul.tree { margin: 6px 0; padding-left: 20px; }
ul.tree ul { padding-left: 20px; }
ul.tree li { margin: 2px 0; }
.line { color: #59636e; font-size: 0.85em; }
.fix { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 4px 10px; margin: 6px 0; }
.diagram { overflow-x: auto; border: 1px solid #d8dee4; border-radius: 6px; padding: 8px; background: #ffffff; }
.diagram svg { max-width: 100%; height: auto; }
td.c0 { background: #eef6ee; color: #2f5233; }
td.c1 { background: #dafbe1; }
td.c2 { background: #fff1c2; }
td.c3 { background: #ffd8b5; }
td.c4 { background: #ffc1c0; font-weight: 600; }
td.c5 { background: #cf222e; color: #ffffff; font-weight: 600; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border: 1px solid #d8dee4; }
ul.findings li { margin: 3px 0; }
.frontier-chart { overflow-x: auto; margin: 8px 0; }
.frontier-chart svg { max-width: 100%; height: auto; }
table.frontier td.violated { color: #cf222e; }
table.frontier td.undecided { color: #9a6700; }
)css";

/// Colour class of a leakage cell: c0 nothing, c1 ε ≤ 1, c2 ε ≤ 4, c3 larger ε (or unbounded
/// releases), c4 exposed, c5 holds the data.
const char* cell_class(const analyzer::LeakageCell& c) {
  switch (detail::cell_severity(c)) {
    case 0: return "c0";
    case 1:
      if (!c.epsilon || !std::isfinite(*c.epsilon)) return "c3";
      if (*c.epsilon <= 1) return "c1";
      if (*c.epsilon <= 4) return "c2";
      return "c3";
    case 2: return "c4";
    default: return "c5";
  }
}

void append_tree(std::string& out, const analyzer::Derivation& node) {
  out += "<li>" + markup_escape(node.text);
  std::string suffix = detail::line_suffix(node.text, node.line);
  if (!suffix.empty()) out += " <span class=\"line\">" + markup_escape(suffix) + "</span>";
  if (!node.children.empty()) {
    out += "<ul>";
    for (const auto& c : node.children) append_tree(out, c);
    out += "</ul>";
  }
  out += "</li>\n";
}


/// Graphviz's SVG without the XML prolog, DOCTYPE and comments (they carry the Graphviz
/// version, and the DOCTYPE names an external DTD), ready to sit inside HTML.
std::string inline_svg(const std::string& svg) {
  auto start = svg.find("<svg");
  if (start == std::string::npos) return {};
  std::string out;
  std::size_t i = start;
  while (i < svg.size()) {
    auto open = svg.find("<!--", i);
    if (open == std::string::npos) {
      out.append(svg, i, std::string::npos);
      break;
    }
    out.append(svg, i, open - i);
    auto close = svg.find("-->", open + 4);
    if (close == std::string::npos) break;
    i = close + 3;
    if (i < svg.size() && svg[i] == '\n') ++i;
  }
  return out;
}

/// One chart per swept param, each with its data table.
std::string frontier_section(const flow::Graph& graph, const std::vector<analyzer::Frontier>& frontiers) {
  std::string out = "<section id=\"frontier\">\n<h2>Privacy against error</h2>\n";
  out += "<p class=\"note\">Each param with a range, swept over it: every selected requirement's measure at each "
         "value (a full analysis), against the error of the release the param governs.</p>\n";
  for (const auto& f : frontiers) {
    if (f.valid && !f.out_of_time) out += frontier_html(graph, f);
    else out += "<p class=\"note\">" + markup_escape(f.param) + " not drawn: " + markup_escape(f.valid ? "the time budget ran out" : f.message) + ".</p>\n";
  }
  return out + "</section>\n";
}

}  // namespace

std::string to_html(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  const std::string path = detail::spec_path(graph, options);
  const std::string name = graph.pipeline.empty() ? path : graph.pipeline;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"privflow " + markup_escape(kVersion) + "\">\n";
  out += "<title>privflow report: " + markup_escape(name) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";

  // Header.
  out += "<header>\n<h1>" + markup_escape(name) + (graph.title.empty() ? "" : " — " + markup_escape(graph.title)) + "</h1>\n";
  out += "<p class=\"meta\">Privacy report for <code>" + markup_escape(path) + "</code> · privflow " + markup_escape(kVersion) + "</p>\n";
  detail::Counts counts = detail::count_statuses(analysis);
  out += "<p class=\"summary\">" + markup_escape(detail::summary_line(analysis)) + "</p>\n";
  out += "<p class=\"note\">Every figure is an upper bound on what the adversary learns, rounded up.</p>\n</header>\n";

  // Requirements: a table, then one collapsible derivation each.
  out += "<section id=\"requirements\">\n<h2>Requirements</h2>\n";
  if (analysis.verdicts.empty()) {
    out += "<p>The spec states no requirements.</p>\n";
  } else {
    out += "<table>\n<thead><tr><th>Status</th><th>Requirement</th><th>Measure</th><th>Value</th><th>Bound</th>"
           "<th>Coalition (worst)</th></tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
      const auto& v = analysis.verdicts[i];
      const flow::Requirement* r = detail::requirement_of(graph, analysis, i);
      const char* status = analyzer::status_name(v.status);
      bool forbid = v.measure == flow::Measure::kForbid;
      out += std::string("<tr><td><span class=\"badge ") + status + "\">" + status + "</span></td>";
      out += "<td><a href=\"#req-" + std::to_string(i) + "\"><code>" + markup_escape(r ? r->name : v.name) + "</code></a>";
      if (r && r->span.line) out += " <span class=\"line\">line " + std::to_string(r->span.line) + "</span>";
      out += "</td><td><code>" + markup_escape(r ? flow::measure_text(graph, *r) : "") + "</code>";
      const bool utility = v.measure == flow::Measure::kError;  // no adversary
      if (!forbid && !utility) out += " against " + markup_escape(analyzer::target_text(graph, v));
      const std::string who = utility ? "—" : analyzer::who_text(graph, v);  // a forbid rule's: the agents that break it
      out += "</td><td class=\"num\">" + markup_escape(v.status == Status::kUndecided ? "undecided" : r ? detail::narrow(analyzer::value_with_unit(*r, v)) : analyzer::value_text(v)) +
             "</td><td class=\"num\">" + markup_escape(r ? detail::narrow(flow::bound_text(*r)) : "") + "</td><td>" + markup_escape(who) +
             "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n";
    for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
      const auto& v = analysis.verdicts[i];
      const flow::Requirement* r = detail::requirement_of(graph, analysis, i);
      const char* status = analyzer::status_name(v.status);
      out += std::string("<details id=\"req-") + std::to_string(i) + "\" class=\"" + status + "\"" +
             (v.status == Status::kHolds ? "" : " open") + ">\n";
      out += std::string("<summary><span class=\"badge ") + status + "\">" + status + "</span> <strong>" +
             markup_escape(r ? r->name : v.name) + "</strong>: <span class=\"headline\">" +
             markup_escape(r ? analyzer::headline(graph, *r, v) : v.reason) + "</span>";
      if (r && r->span.line) out += " <span class=\"line\">(line " + std::to_string(r->span.line) + ")</span>";
      out += "</summary>\n";
      if (v.status == Status::kUndecided && !v.reason.empty()) out += "<p>Why undecided: " + markup_escape(v.reason) + "</p>\n";
      if (!v.explanation.children.empty()) {
        out += "<ul class=\"tree\">\n";
        for (const auto& c : v.explanation.children) append_tree(out, c);
        out += "</ul>\n";
      }
      if (!v.fix.empty()) out += "<p class=\"fix\"><strong>Fix:</strong> " + markup_escape(v.fix) + "</p>\n";
      out += "</details>\n";
    }
  }
  out += "</section>\n";

  // The diagram.
  if (options.diagram) {
    out += "<section id=\"diagram\">\n<h2>Diagram</h2>\n";
    std::string svg, error;
    bool ok = false;
    try {
      ok = viz::render(viz::to_dot(graph, analysis_overlay(graph, analysis, flow::kNone, flow::kNone)), viz::Format::kSvg, svg, error);
    } catch (const std::exception& e) {  // a library failure must not cost the whole report
      error = e.what();
    }
    std::string inlined = ok ? inline_svg(svg) : std::string();
    if (!inlined.empty()) {
      out += "<p class=\"note\">Each data set, release, computation and flow is coloured by the ε it carries for whoever sees it; each agent lists what it learns on its own (the worst over data sets).</p>\n";
      out += "<div class=\"diagram\">\n" + inlined + "</div>\n";
    } else {
      out += "<p class=\"note\">The diagram could not be drawn: " + markup_escape(error.empty() ? "Graphviz gave no SVG" : error) + "</p>\n";
    }
    out += "</section>\n";
  }

  // The leakage matrix.
  detail::Matrix m = detail::leakage_matrix(graph, analysis);
  if (!m.observers.empty() && !m.data.empty()) {
    out += "<section id=\"leakage\">\n<h2>Leakage matrix</h2>\n";
    out += "<p class=\"note\">What each agent alone, and all curious and malicious agents together, learn of one record";
    if (!m.delta.empty()) out += ": ε at δ = " + markup_escape(m.delta) + ", rounded up";
    out += ".</p>\n<table>\n<thead><tr><th>Observer</th>";
    for (flow::Id d : m.data) out += "<th><code>" + markup_escape(graph.data[d].name) + "</code></th>";
    out += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < m.observers.size(); ++i) {
      out += "<tr><th><code>" + markup_escape(m.observers[i]) + "</code></th>";
      for (std::size_t j = 0; j < m.data.size(); ++j) {
        const auto* c = m.cells[i][j];
        if (!c) {
          out += "<td>–</td>";
          continue;
        }
        out += std::string("<td class=\"num ") + cell_class(*c) + "\">" + markup_escape(analyzer::cell_text(*c)) + "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    out += "<p class=\"legend note\"><span class=\"c0\" style=\"background:#eef6ee\">nothing</span>"
           "<span style=\"background:#dafbe1\">ε ≤ 1</span><span style=\"background:#fff1c2\">ε ≤ 4</span>"
           "<span style=\"background:#ffd8b5\">ε &gt; 4</span><span style=\"background:#ffc1c0\">exposed</span>"
           "<span style=\"background:#cf222e;color:#ffffff\">holds the data</span></p>\n";
    out += "</section>\n";
  }

  if (const auto errors = detail::error_lines(graph, analysis); !errors.empty()) {
    out += "<section id=\"errors\">\n<h2>Error of each release</h2>\n";
    out += "<p class=\"note\">The interval that holds each release's error with the stated confidence, rounded up.</p>\n<ul>\n";
    for (const auto& line : errors) out += "<li>" + markup_escape(line) + "</li>\n";
    out += "</ul>\n</section>\n";
  }

  if (!options.frontiers.empty()) out += frontier_section(graph, options.frontiers);

  if (!analysis.findings.empty()) {
    out += "<section id=\"findings\">\n<h2>Findings</h2>\n<ul class=\"findings\">\n";
    for (const auto& f : analysis.findings) {
      out += "<li><strong>" + markup_escape(analyzer::severity_name(f.severity)) + "</strong>";
      if (f.span.line) out += " <span class=\"line\">line " + std::to_string(f.span.line) + "</span>";
      out += ": " + markup_escape(f.message) + "</li>\n";
    }
    out += "</ul>\n</section>\n";
  }
  if (!analysis.assumptions.empty()) {
    out += "<section id=\"assumptions\">\n<h2>Assumptions</h2>\n<ul>\n";
    for (const auto& a : analysis.assumptions) out += "<li>" + markup_escape(a) + "</li>\n";
    out += "</ul>\n</section>\n";
  }
  out += "<footer class=\"note\"><p>" + std::to_string(counts.violated) + " violated, " + std::to_string(counts.undecided) +
         " undecided, " + std::to_string(counts.holds) + " holding. Generated by privflow " + markup_escape(kVersion) +
         ".</p></footer>\n";
  out += "</body>\n</html>\n";
  return valid_utf8(out);  // the page says charset=utf-8: a spec's stray bytes become U+FFFD
}

}  // namespace privflow::report
