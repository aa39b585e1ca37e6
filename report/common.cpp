// Shared pieces of the report formats (report/detail/common.hpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace detail {
namespace {

using analyzer::LossKind;
using analyzer::Status;
using analyzer::Verdict;

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

std::string spec_path(const flow::Graph& graph, const Options& options) {
  if (!options.spec_path.empty()) return options.spec_path;
  if (!graph.file.empty()) return graph.file;
  return "<spec>";
}

const flow::Requirement* requirement_of(const flow::Graph& graph, const analyzer::Analysis& analysis,
                                        std::size_t index) {
  if (index >= analysis.verdicts.size()) return nullptr;
  flow::Id id = analysis.verdicts[index].requirement;
  if (id == flow::kNone) id = static_cast<flow::Id>(index);
  return id < graph.requirements.size() ? &graph.requirements[id] : nullptr;
}

std::string narrow(std::string text) {
  if (text.rfind("epsilon ", 0) == 0) text = "ε " + text.substr(8);
  return text;
}

std::string location(const std::string& path, const flow::Span& span) {
  if (span.line == 0) return path;
  return path + ":" + std::to_string(span.line) + ":" + std::to_string(std::max<std::uint32_t>(span.column, 1));
}

std::string line_suffix(const std::string& text, std::uint32_t line) {
  if (line == 0) return "";
  std::string ref = "line " + std::to_string(line);
  auto at = text.find(ref);
  // "line 6" must not match inside "line 63".
  while (at != std::string::npos) {
    std::size_t end = at + ref.size();
    if (end >= text.size() || !std::isdigit(static_cast<unsigned char>(text[end]))) return "";
    at = text.find(ref, at + 1);
  }
  return " (" + ref + ")";
}

std::vector<Line> short_derivation(const Verdict& v, std::size_t max_releases) {
  std::vector<Line> out;
  const auto& root = v.explanation;
  for (const auto& child : root.children) {
    const std::string& t = child.text;
    if (starts_with(t, "target:")) {
      // Only what exposes the record (or says the coalition holds it) is short-derivation material.
      for (const auto& why : child.children) {
        out.push_back({why.text, why.line, 0});
        for (const auto& step : why.children) out.push_back({step.text, step.line, 1});
      }
      continue;
    }
    if (starts_with(t, "releases observed")) {
      // The binding releases: the largest share of the composed ε first.
      std::vector<const analyzer::Derivation*> rel;
      for (const auto& r : child.children) rel.push_back(&r);
      std::vector<std::pair<double, std::size_t>> order;
      for (std::size_t i = 0; i < rel.size(); ++i) {
        double share = 0;
        if (i < v.releases.size()) share = v.releases[i].share;
        order.push_back({share, i});
      }
      // Releases' derivation nodes come in the same order as Verdict::releases; notes follow them.
      std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        bool ar = a.second < v.releases.size(), br = b.second < v.releases.size();
        if (ar != br) return ar;
        return a.first > b.first;
      });
      std::size_t shown = 0, hidden = 0;
      for (const auto& [share, i] : order) {
        bool is_release = i < v.releases.size();
        if (is_release && shown >= max_releases) {
          ++hidden;
          continue;
        }
        if (is_release) ++shown;
        out.push_back({rel[i]->text, rel[i]->line, 0});
        for (const auto& sub : rel[i]->children) out.push_back({sub.text, sub.line, 1});
      }
      if (hidden > 0)
        out.push_back({"… and " + std::to_string(hidden) + " more release" + (hidden == 1 ? "" : "s") +
                           " with smaller shares (privflow explain shows them all)",
                       0, 0});
      continue;
    }
    out.push_back({t, child.line, 0});
    for (const auto& sub : child.children) {
      out.push_back({sub.text, sub.line, 1});
      for (const auto& step : sub.children) out.push_back({step.text, step.line, 2});  // e.g. a crossing's path
    }
  }
  return out;
}

int cell_severity(const analyzer::LeakageCell& c) {
  switch (c.loss) {
    case LossKind::kHoldsData: return 3;
    case LossKind::kExposedRecord:
    case LossKind::kExposedStats: return 2;
    case LossKind::kPrivate: return 1;
    case LossKind::kNothing: return 0;
  }
  return 1;
}

Matrix leakage_matrix(const flow::Graph& graph, const analyzer::Analysis& analysis) {
  Matrix m;
  for (flow::Id d = 0; d < graph.data.size(); ++d) m.data.push_back(d);
  for (const auto& a : graph.agents) m.observers.push_back(a.name);
  for (const auto& c : analysis.leakage)
    if (std::find(m.observers.begin(), m.observers.end(), c.observer) == m.observers.end())
      m.observers.push_back(c.observer);
  m.cells.assign(m.observers.size(), std::vector<const analyzer::LeakageCell*>(m.data.size(), nullptr));
  for (const auto& c : analysis.leakage) {
    if (c.data >= m.data.size()) continue;
    auto row = std::find(m.observers.begin(), m.observers.end(), c.observer) - m.observers.begin();
    m.cells[static_cast<std::size_t>(row)][c.data] = &c;
  }
  if (!analysis.leakage.empty()) m.delta = flow::delta_text(graph.settings.delta);
  // Observers the analysis says nothing about (e.g. no data at all) are dropped.
  std::vector<std::string> observers;
  std::vector<std::vector<const analyzer::LeakageCell*>> cells;
  for (std::size_t i = 0; i < m.observers.size(); ++i) {
    bool any = std::any_of(m.cells[i].begin(), m.cells[i].end(), [](const auto* p) { return p != nullptr; });
    if (!any) continue;
    observers.push_back(m.observers[i]);
    cells.push_back(m.cells[i]);
  }
  m.observers = std::move(observers);
  m.cells = std::move(cells);
  return m;
}

Counts count_statuses(const analyzer::Analysis& analysis) {
  Counts c;
  for (const auto& v : analysis.verdicts) {
    switch (v.status) {
      case Status::kHolds: ++c.holds; break;
      case Status::kViolated: ++c.violated; break;
      case Status::kUndecided: ++c.undecided; break;
    }
  }
  return c;
}

std::string summary_line(const analyzer::Analysis& analysis) {
  Counts c = count_statuses(analysis);
  std::size_t n = analysis.verdicts.size();
  std::string text = std::to_string(n) + (n == 1 ? " requirement" : " requirements");
  if (n == 0) return text;
  std::vector<std::string> parts;
  if (c.holds) parts.push_back(std::to_string(c.holds) + (c.holds == 1 ? " holds" : " hold"));
  if (c.violated) parts.push_back(std::to_string(c.violated) + " violated");
  if (c.undecided) parts.push_back(std::to_string(c.undecided) + " undecided");
  return text + ": " + join(parts, ", ");
}

}  // namespace detail

std::optional<Format> format_from_name(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "markdown" || name == "md") return Format::kMarkdown;
  if (name == "json") return Format::kJson;
  if (name == "sarif") return Format::kSarif;
  if (name == "html") return Format::kHtml;
  return std::nullopt;
}

const char* format_name(Format format) {
  switch (format) {
    case Format::kText: return "text";
    case Format::kMarkdown: return "markdown";
    case Format::kJson: return "json";
    case Format::kSarif: return "sarif";
    case Format::kHtml: return "html";
  }
  return "?";
}

std::string render(Format format, const flow::Graph& graph, const analyzer::Analysis& analysis, const Options& options) {
  switch (format) {
    case Format::kText: return to_text(graph, analysis, options);
    case Format::kMarkdown: return to_markdown(graph, analysis, options);
    case Format::kJson: return to_json(graph, analysis, options);
    case Format::kSarif: return to_sarif(graph, analysis, options);
    case Format::kHtml: return to_html(graph, analysis, options);
  }
  return {};
}

std::string verdict_line(const flow::Graph& graph, const analyzer::Verdict& verdict, const Options& options) {
  flow::Id id = verdict.requirement;
  const flow::Requirement* r = nullptr;
  if (id != flow::kNone && id < graph.requirements.size()) r = &graph.requirements[id];
  if (!r) {
    for (const auto& req : graph.requirements)
      if (req.name == verdict.name) r = &req;
  }
  std::string path = detail::spec_path(graph, options);
  if (!r) return path + ": " + analyzer::status_name(verdict.status) + ": " + verdict.name;
  return detail::location(path, r->span) + ": " + analyzer::status_name(verdict.status) + ": " +
         analyzer::headline(graph, *r, verdict) + " [" + r->name + "]";
}

flow::Id find_requirement(const flow::Graph& graph, std::string_view name) {
  for (flow::Id i = 0; i < graph.requirements.size(); ++i)
    if (graph.requirements[i].name == name) return i;
  // `line<N>` also finds a named requirement by its line.
  if (name.size() > 4 && name.substr(0, 4) == "line") {
    std::uint32_t line = 0;
    auto rest = name.substr(4);
    auto res = std::from_chars(rest.data(), rest.data() + rest.size(), line);
    if (res.ec == std::errc() && res.ptr == rest.data() + rest.size())
      for (flow::Id i = 0; i < graph.requirements.size(); ++i)
        if (graph.requirements[i].span.line == line) return i;
  }
  return flow::kNone;
}

}  // namespace privflow::report

namespace privflow::report::detail {

std::vector<std::string> error_lines(const flow::Graph& graph, const analyzer::Analysis& analysis, std::size_t max_lines) {
  std::vector<std::string> out;
  for (const auto& e : analysis.errors) {
    if (out.size() == max_lines) {
      out.push_back("… and " + std::to_string(analysis.errors.size() - max_lines) + " more (the JSON report lists them all)");
      break;
    }
    if (e.artifact >= graph.artifacts.size()) continue;
    const auto& x = graph.artifacts[e.artifact];
    out.push_back(x.name + " (" + flow::kind_name(x.kind) + ", line " + std::to_string(x.span.line) +
                  "): " + analyzer::error_text(e));
  }
  return out;
}

}  // namespace privflow::report::detail
