// `privflow explain`: one verdict's whole derivation tree.
#include <string>

#include "base/text.hpp"
#include "report/detail/common.hpp"

namespace privflow::report {
namespace {

void draw(std::string& out, const analyzer::Derivation& node, const std::string& prefix, bool last) {
  out += prefix + (last ? "└─ " : "├─ ") + printable(node.text) + printable(detail::line_suffix(node.text, node.line)) + "\n";
  const std::string child_prefix = prefix + (last ? "   " : "│  ");
  for (std::size_t i = 0; i < node.children.size(); ++i)
    draw(out, node.children[i], child_prefix, i + 1 == node.children.size());
}

}  // namespace

std::string explain(const flow::Graph& graph, const analyzer::Analysis& analysis, flow::Id requirement,
                    const Options& options) {
  std::size_t index = analysis.verdicts.size();
  for (std::size_t i = 0; i < analysis.verdicts.size(); ++i) {
    const auto* r = detail::requirement_of(graph, analysis, i);
    if (r && r == (requirement < graph.requirements.size() ? &graph.requirements[requirement] : nullptr)) index = i;
  }
  if (index == analysis.verdicts.size()) return {};
  const auto& v = analysis.verdicts[index];
  std::string out = printable(verdict_line(graph, v, options)) + "\n";
  const auto& root = v.explanation;
  // The root's own text restates the verdict line: the tree starts with its children.
  for (std::size_t i = 0; i < root.children.size(); ++i) draw(out, root.children[i], "", i + 1 == root.children.size());
  if (!v.reason.empty() && v.status == analyzer::Status::kUndecided) out += "why undecided: " + printable(v.reason) + "\n";
  // What the releases it observes cost in accuracy (issue #22): each one's error.
  for (const auto& t : v.releases)
    for (const auto& e : analysis.errors)
      if (e.artifact == t.artifact && e.artifact < graph.artifacts.size())
        out += "error of " + printable(graph.artifacts[e.artifact].name) + ": " + printable(analyzer::error_text(e)) + "\n";
  if (!v.fix.empty()) out += "fix: " + printable(v.fix) + "\n";
  return out;
}

}  // namespace privflow::report
