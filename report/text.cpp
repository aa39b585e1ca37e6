// The text report: compiler-style verdict lines with short derivations, the leakage matrix,
// findings, assumptions and a summary line. Plain text (no colour), one trailing newline.
#include <algorithm>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace {

using analyzer::Status;

void append_derivation(std::string& out, const analyzer::Verdict& v) {
  for (const auto& l : detail::short_derivation(v)) {
    out += std::string(2 + 2 * static_cast<std::size_t>(l.depth), ' ');
    out += printable(l.text) + printable(detail::line_suffix(l.text, l.line)) + "\n";
  }
  if (!v.fix.empty()) out += "  fix: " + printable(v.fix) + "\n";
}

/// Pads to `width` columns (names and figures are ASCII; UTF-8 counted by code points).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t cols = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++cols;
  return cols >= width ? s : s + std::string(width - cols, ' ');
}

void append_matrix(std::string& out, const flow::Graph& graph, const analyzer::Analysis& analysis) {
  detail::Matrix m = detail::leakage_matrix(graph, analysis);
  if (m.observers.empty() || m.data.empty()) return;
  out += "\nleakage matrix: what each agent alone, and all curious and malicious agents together, learn of a record";
  if (!m.delta.empty()) out += "\n(epsilon at delta " + m.delta + ", rounded up; exposed and holds are unbounded)";
  out += ":\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{"observer"};
  for (flow::Id d : m.data) head.push_back(graph.data[d].name);
  rows.push_back(head);
  for (std::size_t i = 0; i < m.observers.size(); ++i) {
    std::vector<std::string> row{m.observers[i]};
    for (std::size_t j = 0; j < m.data.size(); ++j) row.push_back(m.cells[i][j] ? analyzer::cell_text(*m.cells[i][j]) : "-");
    rows.push_back(row);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& row : rows)
    for (std::size_t j = 0; j < row.size(); ++j) width[j] = std::max(width[j], row[j].size());
  for (const auto& row : rows) {
    std::string line = "  ";
    for (std::size_t j = 0; j < row.size(); ++j) line += j + 1 < row.size() ? pad(row[j], width[j] + 2) : row[j];
    out += printable(line) + "\n";
  }
}

}  // namespace

std::string to_text(const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  const std::string path = detail::spec_path(graph, options);
  std::string out;
  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
    const auto& v = analysis.verdicts[i];
    out += printable(verdict_line(graph, v, options)) + "\n";
    if (options.compact && v.status == Status::kHolds) continue;
    append_derivation(out, v);
  }
  if (!options.compact) {
    append_matrix(out, graph, analysis);
    if (const auto errors = detail::error_lines(graph, analysis); !errors.empty()) {
      out += "\nerror of each release: the interval that holds it with the stated confidence (rounded up):\n";
      for (const auto& line : errors) out += "  " + printable(line) + "\n";
    }
    if (!analysis.findings.empty()) {
      out += "\n";
      for (const auto& f : analysis.findings)
        out += printable(detail::location(path, f.span) + ": " + analyzer::severity_name(f.severity) + ": " + f.message) + "\n";
    }
    if (!analysis.assumptions.empty()) {
      out += "\nassumptions:\n";
      for (const auto& a : analysis.assumptions) out += "  - " + printable(a) + "\n";
    }
    out += "\n";
  }
  out += detail::summary_line(analysis) + "\n";
  return out;
}

}  // namespace privflow::report
