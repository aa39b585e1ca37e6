#include "report/overlay.hpp"

#include <algorithm>
#include <set>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "base/rational.hpp"

namespace privflow::report {
namespace {

viz::Leak to_leak(analyzer::LossKind loss, const std::optional<double>& epsilon) {
  viz::Leak leak;
  switch (loss) {
    case analyzer::LossKind::kHoldsData: leak.status = viz::Leak::Status::kHolds; break;
    case analyzer::LossKind::kExposedRecord:
    case analyzer::LossKind::kExposedStats: leak.status = viz::Leak::Status::kExposed; break;
    case analyzer::LossKind::kPrivate:
      leak.status = epsilon ? viz::Leak::Status::kPrivate : viz::Leak::Status::kExposed;
      if (epsilon) leak.epsilon = rational_up(*epsilon);  // never shown lower than computed
      break;
    case analyzer::LossKind::kNothing:
      leak.status = viz::Leak::Status::kPrivate;
      leak.epsilon = 0;
      break;
  }
  return leak;
}

void collect_lines(const analyzer::Derivation& d, std::set<std::uint32_t>& lines) {
  if (d.line) lines.insert(d.line);
  for (const auto& c : d.children) collect_lines(c, lines);
}

}  // namespace

viz::Overlay analysis_overlay(const flow::Graph& graph, const analyzer::Analysis& analysis, flow::Id adversary,
                              flow::Id requirement) {
  viz::Overlay overlay = viz::structural_overlay(graph, adversary, requirement);
  overlay.delta = graph.settings.delta;

  // Each agent on its own: the worst of its leakage-matrix row.
  for (const auto& cell : analysis.leakage) {
    flow::Id a = graph.find_agent(cell.observer);
    if (a == flow::kNone) continue;
    viz::Leak leak = to_leak(cell.loss, cell.epsilon);
    auto it = overlay.agents.find(a);
    auto rank = [](const viz::Leak& l) { return static_cast<int>(l.status); };
    if (it == overlay.agents.end() || rank(leak) > rank(it->second) ||
        (rank(leak) == rank(it->second) && leak.epsilon > it->second.epsilon))
      overlay.agents[a] = leak;
  }

  // The observer: a requirement's worst coalition, an adversary's, or an outsider.
  analyzer::Coalition observer;
  observer.taken.assign(graph.agents.size(), 0);
  const analyzer::Verdict* verdict = requirement != flow::kNone ? &analysis.verdicts[requirement] : nullptr;
  if (verdict && graph.requirements[requirement].measure != flow::Measure::kForbid) {
    observer = verdict->coalition;
  } else if (adversary != flow::kNone) {
    observer = analyzer::fixed_coalition(graph, graph.adversaries[adversary].coalition);
    // An `any K` part is the analysis's worst choice for a requirement against it.
    for (const auto& v : analysis.verdicts)
      if (v.requirement < graph.requirements.size() && graph.requirements[v.requirement].adversary == adversary) {
        observer = v.coalition;
        break;
      }
  }
  for (const auto& e : analysis.errors)
    if (e.modelled)
      overlay.errors[e.artifact] = "error ±" + format_double_up(e.half_width, 4) + (e.unit.empty() ? "" : " " + e.unit) +
                                   " at " + analyzer::confidence_text(e.beta);
  auto map = analyzer::leakage_map(graph, observer);
  for (const auto& [id, e] : map.data) overlay.data[id] = to_leak(e.loss, e.epsilon);
  for (const auto& [id, e] : map.artifacts) overlay.artifacts[id] = to_leak(e.loss, e.epsilon);
  for (const auto& [id, e] : map.flows) overlay.flows[id] = to_leak(e.loss, e.epsilon);
  if (observer.empty()) {
    overlay.observer = "whoever sees each element";
  } else {
    viz::CoalitionView view;
    view.name = adversary != flow::kNone ? graph.adversaries[adversary].name : analyzer::describe(graph, observer);
    for (flow::Id a = 0; a < observer.taken.size(); ++a)
      if (observer.taken[a] > 0) view.members[a] = observer.taken[a];
    if (overlay.coalition && !overlay.coalition->note.empty()) view.note = overlay.coalition->note;
    view.view_known = true;
    view.view_data = map.seen_data;
    view.view_artifacts = map.seen_artifacts;
    view.view_flows = map.seen_flows;
    overlay.coalition = view;
    overlay.observer = "coalition " + analyzer::describe(graph, observer);
  }

  if (verdict) {
    viz::Derivation d;
    const auto& r = graph.requirements[requirement];
    if (r.data != flow::kNone) d.data.insert(r.data);
    std::set<std::uint32_t> lines;
    collect_lines(verdict->explanation, lines);
    for (flow::Id x = 0; x < graph.artifacts.size(); ++x)
      if (lines.count(graph.artifacts[x].span.line)) d.artifacts.insert(x);
    for (flow::Id f = 0; f < graph.flows.size(); ++f)
      if (lines.count(graph.flows[f].span.line)) {
        d.flows.insert(f);
        d.artifacts.insert(graph.flows[f].artifact);
      }
    double best = -1;
    for (const auto& t : verdict->releases) {
      d.artifacts.insert(t.artifact);
      d.shares[t.artifact] = rational_up(t.share);
      if (t.epsilon_alone > best) {
        best = t.epsilon_alone;
        d.binding_release = t.artifact;
      }
    }
    if (r.measure == flow::Measure::kDp && verdict->value) d.composed_epsilon = rational_up(*verdict->value);
    d.verdict = std::string(analyzer::status_name(verdict->status)) + ": " + verdict->reason;
    overlay.derivation = d;
  }
  return overlay;
}

}  // namespace privflow::report
