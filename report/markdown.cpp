// The Markdown report (GitHub-flavoured): for design reviews and pull requests.
#include <string>
#include <vector>

#include "base/text.hpp"
#include "privflow/version.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace {

using analyzer::Status;

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

/// Free text made inert inside a list item or table cell: Markdown's active characters are
/// backslash-escaped (an underscore only where it could start or end emphasis; `>` and `#`
/// only act at the start of a line, where this text never goes), `&` becomes `&amp;`,
/// control characters and newlines become spaces.
std::string md(std::string_view text) {
  // Brackets only make a link with `](` or `][` (we never write link definitions): escape
  // them only then, so that `hospital[1..14]` stays readable in the raw text.
  const bool link_like = text.find("](") != std::string_view::npos || text.find("][") != std::string_view::npos;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += ' ';
    } else if (c == '&') {
      out += "&amp;";
    } else if (std::string_view("\\`*<|~").find(c) != std::string_view::npos || (link_like && (c == '[' || c == ']'))) {
      out += '\\';
      out += c;
    } else if (c == '_') {
      bool inner = i > 0 && i + 1 < text.size() && is_word(text[i - 1]) && is_word(text[i + 1]);
      if (!inner) out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

/// Inline code: backticks are fenced with a longer run; a `|` inside a table cell is escaped.
std::string code(std::string_view text, bool in_table = false) {
  std::string body;
  std::size_t run = 0, longest = 0;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (c == '`') longest = std::max(longest, ++run); else run = 0;
    if (in_table && c == '|') body += '\\';
    body += c;
  }
  std::string fence(longest + 1, '`');
  bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

const char* icon(Status s) {
  switch (s) {
    case Status::kHolds: return "✅";
    case Status::kViolated: return "❌";
    case Status::kUndecided: return "❓";
  }
  return "";
}

const char* severity_icon(analyzer::Severity s) {
  switch (s) {
    case analyzer::Severity::kError: return "⛔ ";
    case analyzer::Severity::kWarning: return "⚠️ ";
    case analyzer::Severity::kNote: return "ℹ️ ";
  }
  return "";
}

void append_tree(std::string& out, const analyzer::Derivation& node, int depth) {
  out += std::string(2 * static_cast<std::size_t>(depth), ' ') + "- " + md(node.text) +
         md(detail::line_suffix(node.text, node.line)) + "\n";
  for (const auto& c : node.children) append_tree(out, c, depth + 1);
}

std::string short_value(const flow::Requirement* r, const analyzer::Verdict& v) {
  if (v.status == Status::kUndecided) return "undecided";
  if (!r) return analyzer::value_text(v);
  return detail::narrow(analyzer::value_with_unit(*r, v));
}

std::string short_bound(const flow::Requirement* r) {
  if (!r) return "";
  return detail::narrow(flow::bound_text(*r));
}

}  // namespace

std::string to_markdown(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  const std::string path = detail::spec_path(graph, options);
  std::string out;
  out += "# Privacy report: " + md(graph.pipeline.empty() ? path : graph.pipeline);
  if (!graph.title.empty()) out += " — " + md(graph.title);
  out += "\n\n";
  out += "Spec " + code(path) + " · privflow " + kVersion + " · **" + md(detail::summary_line(analysis)) + "**\n\n";
  out += "Every figure is an upper bound on what the adversary learns, rounded up.\n\n";

  out += "## Requirements\n\n";
  if (analysis.verdicts.empty()) {
    out += "The spec states no requirements.\n\n";
  } else {
    out += "| Status | Requirement | Measure | Against | Value | Bound | Coalition (worst) |\n";
    out += "|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
      const auto& v = analysis.verdicts[i];
      const flow::Requirement* r = detail::requirement_of(graph, analysis, i);
      bool forbid = v.measure == flow::Measure::kForbid;
      std::string line = r && r->span.line ? " (line " + std::to_string(r->span.line) + ")" : "";
      // A forbid rule is against every agent of the destination region; its "coalition" is
      // the agents that break it.
      std::string against = md(analyzer::target_text(graph, v)), who = md(analyzer::who_text(graph, v));
      if (forbid) against = "agents in " + md(r && r->to_region < graph.regions.size() ? graph.regions[r->to_region].name : "?");
      if (v.measure == flow::Measure::kError) against = who = "—";  // a utility requirement: no adversary
      out += std::string("| ") + icon(v.status) + " " + analyzer::status_name(v.status) + " | " +
             code(r ? r->name : v.name, true) + line + " | " + code(r ? flow::measure_text(graph, *r) : "", true) + " | " +
             against + " | " + md(short_value(r, v)) + " | " + md(short_bound(r)) + " | " + who + " |\n";
    }
    out += "\n";
  }

  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
    const auto& v = analysis.verdicts[i];
    if (v.status == Status::kHolds) continue;
    const flow::Requirement* r = detail::requirement_of(graph, analysis, i);
    out += "### " + std::string(icon(v.status)) + " " + md(r ? r->name : v.name) + ": " + analyzer::status_name(v.status) + "\n\n";
    if (r) out += code(analyzer::headline(graph, *r, v)) + (r->span.line ? " (line " + std::to_string(r->span.line) + ")" : "") + "\n\n";
    if (v.status == Status::kUndecided && !v.reason.empty()) out += "Why undecided: " + md(v.reason) + "\n\n";
    for (const auto& c : v.explanation.children) append_tree(out, c, 0);
    if (!v.explanation.children.empty()) out += "\n";
    if (!v.fix.empty()) out += "**Fix:** " + md(v.fix) + "\n\n";
  }

  detail::Matrix m = detail::leakage_matrix(graph, analysis);
  if (!m.observers.empty() && !m.data.empty()) {
    out += "## Leakage matrix\n\n";
    out += "What each agent alone, and all curious and malicious agents together, learn of one record";
    if (!m.delta.empty()) out += ": ε at δ = " + m.delta + ", rounded up";
    out += ". *exposed* and *holds* are unbounded.\n\n";
    out += "| Observer |";
    for (flow::Id d : m.data) {
      out += ' ';
      out += code(graph.data[d].name, true);
      out += " |";
    }
    out += "\n|---|";
    for (std::size_t j = 0; j < m.data.size(); ++j) out += "---:|";
    out += "\n";
    for (std::size_t i = 0; i < m.observers.size(); ++i) {
      out += "| " + code(m.observers[i], true) + " |";
      for (std::size_t j = 0; j < m.data.size(); ++j) {
        const auto* c = m.cells[i][j];
        std::string t = c ? analyzer::cell_text(*c) : "–";
        if (c && detail::cell_severity(*c) >= 2) {
          t.insert(0, "**");
          t.append("**");
        }
        out += " " + t + " |";
      }
      out += "\n";
    }
    out += "\n";
  }

  if (const auto errors = detail::error_lines(graph, analysis); !errors.empty()) {
    out += "## Error of each release\n\n";
    out += "The interval that holds each release's error with the stated confidence, rounded up.\n\n";
    for (const auto& line : errors) out += "- " + md(line) + "\n";
    out += "\n";
  }

  if (!analysis.findings.empty()) {
    out += "## Findings\n\n";
    for (const auto& f : analysis.findings) {
      out += std::string("- ") + severity_icon(f.severity) + md(analyzer::severity_name(f.severity));
      if (f.span.line) out += " (line " + std::to_string(f.span.line) + ")";
      out += ": " + md(f.message) + "\n";
    }
    out += "\n";
  }
  if (!analysis.assumptions.empty()) {
    out += "## Assumptions\n\n";
    for (const auto& a : analysis.assumptions) out += "- " + md(a) + "\n";
    out += "\n";
  }
  // Exactly one trailing newline.
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return valid_utf8(out);  // Markdown is UTF-8: a spec's stray bytes become U+FFFD
}

}  // namespace privflow::report
