// Shared pieces of the report formats (report/detail.hpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "report/detail.hpp"

namespace privflow::report {
namespace detail {
namespace {

using analyzer::LossKind;
using analyzer::Status;
using analyzer::Verdict;

const flow::Data* data_of(const flow::Graph& g, const flow::Requirement& r) {
  return r.data < g.data.size() ? &g.data[r.data] : nullptr;
}

std::string field_name(const flow::Data* d, flow::Id f) {
  return d && f < d->fields.size() ? d->fields[f].name : std::string("?");
}

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

std::string measure_text(const flow::Graph& g, const flow::Requirement& r) {
  const flow::Data* d = data_of(g, r);
  const std::string data = d ? d->name : "?";
  switch (r.measure) {
    case flow::Measure::kDp: return "dp(" + data + ")";
    case flow::Measure::kAdvantage: return "advantage(" + data + ")";
    case flow::Measure::kPosterior: {
      std::string value = "?";
      if (d && r.field < d->fields.size()) value = d->fields[r.field].value_name(r.value);
      return "posterior(" + data + "." + field_name(d, r.field) + " = " + value + ")";
    }
    case flow::Measure::kLeakage: return "leakage(" + data + "." + field_name(d, r.field) + ")";
    case flow::Measure::kReidentification: {
      std::vector<std::string> names;
      for (flow::Id f : r.fields) names.push_back(field_name(d, f));
      return "reidentification(" + data + " by {" + join(names, ", ") + "})";
    }
    case flow::Measure::kForbid: {
      auto name = [](const auto& list, flow::Id id) { return id < list.size() ? list[id].name : std::string("?"); };
      std::string text = "forbid " + name(g.categories, r.category) + " from " + name(g.regions, r.from_region) +
                         " to " + name(g.regions, r.to_region);
      if (r.unless_epsilon) text += " unless epsilon ≤ " + format_exact(*r.unless_epsilon);
      return text;
    }
  }
  return "?";
}

std::string target_text(const Verdict& v) { return v.adversary.empty() ? v.coalition_text : v.adversary; }

std::string delta_text(const Rational& delta) {
  // Small exact decimals in scientific form (1/100000 is 1e-5), as specs write them.
  if (delta > 0 && delta < Rational(1, 1000)) {
    Rational scaled = delta;
    for (int k = 1; k <= 330; ++k) {
      scaled *= 10;
      if (scaled.get_den() != 1) continue;
      std::string digits = scaled.get_num().get_str();
      if (digits.size() > 6) break;
      int exponent = -k + static_cast<int>(digits.size()) - 1;
      std::string mantissa = digits.substr(0, 1), rest = digits.substr(1);
      while (!rest.empty() && rest.back() == '0') rest.pop_back();
      if (!rest.empty()) mantissa += "." + rest;
      return mantissa + "e" + std::to_string(exponent);
    }
  }
  return format_exact(delta);
}

const char* value_unit(const flow::Requirement& r) {
  switch (r.measure) {
    case flow::Measure::kDp:
    case flow::Measure::kForbid: return "epsilon";
    case flow::Measure::kPosterior:
    case flow::Measure::kAdvantage: return "probability";
    case flow::Measure::kLeakage: return "bits";
    case flow::Measure::kReidentification: return "fraction";
  }
  return "";
}

std::string bound_text(const flow::Requirement& r) {
  if (r.measure == flow::Measure::kForbid)
    return r.unless_epsilon ? "epsilon " + format_exact(*r.unless_epsilon) : std::string("no crossing");
  std::string b = format_exact(r.bound);
  if (r.measure == flow::Measure::kDp || r.bound_is_epsilon) return "epsilon " + b;
  if (r.measure == flow::Measure::kLeakage || r.bound_in_bits) return b + " bits";
  return b;
}

std::string value_text(const flow::Requirement& r, const Verdict& v) {
  if (r.measure == flow::Measure::kForbid && v.crossings.empty() && v.status == Status::kHolds) return "no crossing";
  std::string value = v.value ? v.value_text : std::string("unbounded");
  if (value.empty()) value = "?";
  std::string why;
  if (!v.value) {
    if (v.method == "holds" || v.loss == LossKind::kHoldsData) why = " (holds the data)";
    else if (v.method == "exposed" || v.loss == LossKind::kExposedRecord || v.loss == LossKind::kExposedStats) why = " (exposed)";
  }
  switch (r.measure) {
    case flow::Measure::kDp:
    case flow::Measure::kForbid: return "epsilon " + value + why;
    case flow::Measure::kLeakage: return value + " bits" + why;
    default: return value + why;
  }
}

std::string headline(const flow::Graph& g, const flow::Requirement& r, const Verdict& v) {
  std::string text = measure_text(g, r);
  if (r.measure == flow::Measure::kForbid) {
    if (v.status == Status::kViolated && !v.crossings.empty()) {
      std::vector<std::string> parts;
      for (const auto& x : v.crossings) parts.push_back(x.observer + " (" + x.reason + ")");
      return text + ": crossed by " + join(parts, ", ");
    }
    if (v.status == Status::kUndecided) return text + ": undecided" + (v.reason.empty() ? "" : " (" + v.reason + ")");
    return text + ": " + (v.reason.empty() ? "no crossing" : v.reason);
  }
  text += " against " + target_text(v) + ": ";
  if (v.status == Status::kUndecided) {
    return text + "undecided" + (v.reason.empty() || v.reason == "undecided" ? "" : " (" + v.reason + ")");
  }
  std::string bound = format_exact(r.bound) + (r.measure == flow::Measure::kLeakage || r.bound_in_bits ? " bits" : "");
  text += value_text(r, v) + (v.status == Status::kHolds ? " ≤ " : " > ") + bound;
  // δ matters unless the figure is exact (finite channels) or unbounded.
  bool with_delta = (r.measure == flow::Measure::kDp || r.measure == flow::Measure::kPosterior ||
                     r.measure == flow::Measure::kAdvantage) &&
                    v.value && !(v.exact && r.measure != flow::Measure::kDp);
  if (with_delta) text += " at delta " + delta_text(g.delta_of(r));
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

std::string epsilon_up(double epsilon) {
  if (std::isinf(epsilon) && epsilon > 0) return "unbounded";
  if (std::isnan(epsilon)) return "unbounded";
  return format_double_up(epsilon, 4);
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

std::string cell_text(const analyzer::LeakageCell& c) {
  switch (c.loss) {
    case LossKind::kHoldsData: return "holds";
    case LossKind::kExposedRecord:
    case LossKind::kExposedStats: return "exposed";
    case LossKind::kNothing: return "nothing";
    case LossKind::kPrivate: return c.epsilon ? epsilon_up(*c.epsilon) : std::string("unbounded");
  }
  return "?";
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
  if (!analysis.leakage.empty()) m.delta = delta_text(graph.settings.delta);
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

std::optional<double> decimal_of(const std::string& text) {
  if (text.empty() || text.find('/') != std::string::npos) return std::nullopt;
  auto q = parse_number(text);
  if (!q) return std::nullopt;
  double x = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), x);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(x)) return std::nullopt;
  return x;
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
         detail::headline(graph, *r, verdict) + " [" + r->name + "]";
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
