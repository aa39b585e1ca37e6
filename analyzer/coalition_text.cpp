// Coalitions: the one of a requirement's fixed members, and their names in a canonical order
// (docs/language.md, "Adversaries"; docs/concepts.md, "Adversaries and coalitions").
#include <algorithm>

#include "analyzer/analysis.hpp"
#include "base/text.hpp"

namespace privflow::analyzer {

namespace {

/// Members in a canonical order, independent of declaration order: single agents, then
/// populations, each by name.
std::vector<flow::Id> canonical_members(const flow::Graph& g, const Coalition& c) {
  std::vector<flow::Id> ids;
  for (flow::Id a = 0; a < g.agents.size() && a < c.taken.size(); ++a)
    if (c.taken[a] > 0) ids.push_back(a);
  std::sort(ids.begin(), ids.end(), [&](flow::Id x, flow::Id y) {
    const auto& ax = g.agents[x];
    const auto& ay = g.agents[y];
    if (ax.population != ay.population) return !ax.population;
    return ax.name < ay.name;
  });
  return ids;
}

}  // namespace

std::string describe(const flow::Graph& g, const Coalition& c) {
  std::vector<std::string> parts;
  for (flow::Id a : canonical_members(g, c)) {
    std::uint64_t t = c.taken[a];
    const auto& agent = g.agents[a];
    if (!agent.population)
      parts.push_back(agent.name);
    else if (t == 1)
      parts.push_back(agent.name + "[1]");
    else
      parts.push_back(agent.name + "[1.." + std::to_string(t) + "]");
  }
  if (parts.empty()) return "nobody";
  // `at distance >= D`: where the population's members may be
  return join(parts, " + ") + (c.distance > 1 ? " (at distance >= " + std::to_string(c.distance) + ")" : "");
}

std::vector<std::string> members(const flow::Graph& g, const Coalition& c) {
  std::vector<std::string> out;
  for (flow::Id a : canonical_members(g, c)) {
    std::uint64_t t = c.taken[a];
    const auto& agent = g.agents[a];
    if (!agent.population || t == agent.count)
      out.push_back(agent.name);
    else
      out.push_back(std::to_string(t) + " of " + agent.name);
  }
  return out;
}

Coalition fixed_coalition(const flow::Graph& graph, const flow::Coalition& coalition) {
  Coalition c;
  c.taken.assign(graph.agents.size(), 0);
  c.distance = coalition.distance;
  for (const auto& m : coalition.fixed) {
    if (m.agent >= graph.agents.size()) continue;
    std::uint64_t n = graph.agents[m.agent].count;
    c.taken[m.agent] = std::min(n, c.taken[m.agent] + (m.all ? n : m.count));
  }
  return c;
}

}  // namespace privflow::analyzer
