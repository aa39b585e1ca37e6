// The leakage matrix (each data against each agent, and the curious and malicious agents
// together) and the leakage map of one observer that the diagram draws (docs/language.md,
// "How the analysis works").
#include <algorithm>

#include "analyzer/detail/analyzer.hpp"

namespace privflow::analyzer::detail {

LeakageCell Analyzer::cell(flow::Id data, const std::string& observer, const Observation& obs) const {
  LeakageCell cell;
  cell.data = data;
  cell.observer = observer;
  cell.delta = to_double_down(graph_.settings.delta);
  cell.loss = obs.kind;
  switch (obs.kind) {
    case LossKind::kHoldsData:
    case LossKind::kExposedRecord:
    case LossKind::kExposedStats: break;  // unbounded: no figure
    case LossKind::kNothing:
      cell.epsilon = 0;
      break;
    case LossKind::kPrivate: {
      auto acc = detail::account(graph_, data, obs.seen.releases, Question::kMembership, cell.delta, cache_, accountant_);
      if (!acc.error.empty()) break;  // unbounded: no figure
      auto eps = cache_.epsilon(acc.composition, cell.delta, accountant_);
      if (!eps.infinite) cell.epsilon = eps.exact ? to_double_up(*eps.exact) : eps.value;
      break;
    }
  }
  return cell;
}

LeakageMap Analyzer::leakage_map(const Coalition& observer) const {
  LeakageMap map;
  map.delta = to_double_down(graph_.settings.delta);
  auto rank = [](const ElementLeak& e) {
    switch (e.loss) {
      case LossKind::kHoldsData: return 4;
      case LossKind::kExposedRecord:
      case LossKind::kExposedStats: return 3;
      case LossKind::kPrivate: return 2;
      case LossKind::kNothing: return 1;
    }
    return 0;
  };
  auto worse = [&](ElementLeak& into, const ElementLeak& e) {
    if (rank(e) > rank(into) || (rank(e) == rank(into) && e.epsilon && (!into.epsilon || *e.epsilon > *into.epsilon)))
      into = e;
  };
  auto leak_of = [&](flow::Id data, const detail::Knowledge& k) {
    ElementLeak e;
    if (k.deterministic()) {
      e.loss = k.stats ? LossKind::kExposedStats : LossKind::kExposedRecord;
    } else if (!k.releases.empty()) {
      e.loss = LossKind::kPrivate;
      auto acc = detail::account(graph_, data, k.releases, Question::kMembership, map.delta, cache_, accountant_);
      if (acc.error.empty()) {
        auto eps = cache_.epsilon(acc.composition, map.delta, accountant_);
        if (!eps.infinite) e.epsilon = eps.exact ? to_double_up(*eps.exact) : eps.value;
      }
    }
    return e;
  };
  for (flow::Id d = 0; d < graph_.data.size(); ++d) {
    auto t = detail::trace(graph_, d, observer);
    for (flow::Id x = 0; x < t.artifacts.size(); ++x)
      if (!t.artifacts[x].empty()) worse(map.artifacts[x], leak_of(d, t.artifacts[x]));
    for (flow::Id f = 0; f < t.flows.size(); ++f)
      if (!t.flows[f].empty()) worse(map.flows[f], leak_of(d, t.flows[f]));
    auto c = cell(d, "", detail::observe(graph_, d, observer));
    if (c.loss != LossKind::kNothing) worse(map.data[d], ElementLeak{c.loss, c.epsilon});
  }
  for (flow::Id a = 0; a < graph_.agents.size(); ++a) {
    if (!observer.contains(a)) continue;
    for (const auto& h : graph_.agents[a].holds) map.seen_data.insert(h.data);
  }
  for (flow::Id x = 0; x < graph_.artifacts.size(); ++x)
    if (observer.contains(graph_.artifacts[x].at)) map.seen_artifacts.insert(x);
  for (flow::Id f = 0; f < graph_.flows.size(); ++f)
    if (observer.contains(graph_.flows[f].to)) {
      map.seen_flows.insert(f);
      map.seen_artifacts.insert(graph_.flows[f].artifact);
    }
  return map;
}

void Analyzer::add_leakage_matrix(Analysis& a) const {
  for (flow::Id d = 0; d < graph_.data.size(); ++d) {
    detail::SingleObserver single(graph_, d);
    for (flow::Id ag = 0; ag < graph_.agents.size(); ++ag) a.leakage.push_back(cell(d, graph_.agents[ag].name, single.observe(ag)));
    Coalition all;
    all.taken.assign(graph_.agents.size(), 0);
    for (flow::Id ag = 0; ag < graph_.agents.size(); ++ag)
      if (graph_.agents[ag].trust == flow::Trust::kCurious || graph_.agents[ag].trust == flow::Trust::kMalicious)
        all.taken[ag] = graph_.agents[ag].count;
    if (!all.empty()) a.leakage.push_back(cell(d, "curious+malicious", detail::observe(graph_, d, all)));
  }
}

}  // namespace privflow::analyzer::detail
