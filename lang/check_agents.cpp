// `agent` statements (docs/language.md, "agent"): population, trust, region, holdings and topology.
#include <algorithm>
#include <set>

#include "base/text.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

/// `holds: D`, `holds: D by partition` or `holds: {D1, D2 by partition}`.
void lower_holdings(CheckContext& context, const ast::Value& value, flow::Agent& agent) {
  std::vector<const ast::Value*> items;
  if (value.kind == ast::Value::Kind::kList)
    for (const auto& item : value.items) items.push_back(&item);
  else
    items.push_back(&value);
  std::set<Id> held;
  for (const ast::Value* item : items) {
    if (item->kind != ast::Value::Kind::kIdent && item->kind != ast::Value::Kind::kHolding) {
      context.error(*item, "holds lists data: 'D', 'D by partition' or '{D1, D2 by partition}'");
      continue;
    }
    Id data = context.resolve(item->ident, DeclKind::kData);
    if (data == kNone) continue;
    if (!held.insert(data).second) {
      context.error(*item, "agent " + quoted(agent.name) + " holds " + quoted(item->ident.name) + " twice");
      continue;
    }
    agent.holds.push_back({data, item->kind == ast::Value::Kind::kHolding, context.span(*item)});
  }
}

/// A member count of a topology's argument (`torus(4, 5)`), or nullopt after reporting why not.
std::optional<std::uint64_t> topology_number(CheckContext& context, const ast::Value& value, const std::string& what,
                                             std::uint64_t lo, std::uint64_t hi) {
  if (value.kind != ast::Value::Kind::kNumber) {
    context.error(value, what + " must be a whole number");
    return std::nullopt;
  }
  return context.whole_number(value.number, what, lo, hi);
}

/// `edges({0, 1}, {1, 2}, …)`: pairs of member numbers in [0, n), no self-loop, each once.
void lower_edges(CheckContext& context, const ast::Value& value, std::uint64_t n, flow::Topology& topology) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (const auto& item : value.items) {
    if (item.kind != ast::Value::Kind::kList || item.items.size() != 2) {
      context.error(item, "an edge is a pair of member numbers, '{i, j}', counted from 0");
      continue;
    }
    auto a = topology_number(context, item.items[0], "a member number", 0, n - 1);
    auto b = topology_number(context, item.items[1], "a member number", 0, n - 1);
    if (!a || !b) continue;
    if (*a == *b) {
      context.error(item, "edge {" + std::to_string(*a) + ", " + std::to_string(*b) + "} joins a member to itself");
      continue;
    }
    if (!seen.insert({std::min(*a, *b), std::max(*a, *b)}).second) {
      context.error(item, "edge {" + std::to_string(*a) + ", " + std::to_string(*b) + "} is listed twice");
      continue;
    }
    topology.edges.emplace_back(*a, *b);
  }
}

/// `topology: ring | complete | star | torus(a, b) | random_regular(d, seed) | edges({i, j}, …)`.
void lower_topology(CheckContext& context, const ast::Value& value, flow::Agent& agent) {
  static const std::vector<std::string> kinds = {"ring", "complete", "star", "torus", "random_regular", "edges"};
  const std::string word = value.kind == ast::Value::Kind::kIdent || value.kind == ast::Value::Kind::kCall ? value.ident.name : "";
  const auto it = std::find(kinds.begin(), kinds.end(), word);
  if (it == kinds.end()) {
    context.error(value, "topology must be ring, complete, star, torus(a, b), random_regular(d, seed) or edges({i, j}, ...)" +
                             (word.empty() ? std::string() : suggest(word, kinds)));
    return;
  }
  if (!agent.population) {
    context.error(value, "a topology joins the members of a population: declare " + quoted(agent.name + "[n]"));
    return;
  }
  using K = flow::Topology::Kind;
  static const K by_index[] = {K::kRing, K::kComplete, K::kStar, K::kTorus, K::kRandomRegular, K::kEdges};
  flow::Topology t;
  t.kind = by_index[it - kinds.begin()];
  t.span = context.span(value);
  const std::size_t arity = t.kind == K::kTorus || t.kind == K::kRandomRegular ? 2 : t.kind == K::kEdges ? SIZE_MAX : 0;
  const std::size_t given = value.kind == ast::Value::Kind::kCall ? value.items.size() : 0;
  if ((arity == SIZE_MAX && given == 0) || (arity != SIZE_MAX && given != arity)) {
    const char* form = t.kind == K::kTorus ? "torus(rows, columns)" : t.kind == K::kRandomRegular ? "random_regular(degree, seed)"
                       : t.kind == K::kEdges ? "edges({i, j}, ...)" : nullptr;
    context.error(value, form ? "write " + std::string(form) : quoted(word) + " takes no arguments");
    return;
  }
  const std::uint64_t n = agent.count;
  const std::uint64_t least = t.kind == K::kRing ? 3 : 2;
  if (n < least) {
    context.error(value, "a " + word + " needs at least " + std::to_string(least) + " members, " + quoted(agent.name) +
                             " has " + std::to_string(n));
    return;
  }
  if ((t.kind == K::kRandomRegular || t.kind == K::kEdges) && n > flow::kMaxExplicitTopology) {
    context.error(value, word + " is built member by member: at most " + std::to_string(flow::kMaxExplicitTopology) +
                             " members (ring, complete, star and torus have no limit)");
    return;
  }
  if (t.kind == K::kTorus) {
    auto rows = topology_number(context, value.items[0], "the torus's rows", 3, n);
    auto columns = topology_number(context, value.items[1], "the torus's columns", 3, n);
    if (!rows || !columns) return;
    if (*rows > n / *columns || *rows * *columns != n) {
      context.error(value, "torus(" + std::to_string(*rows) + ", " + std::to_string(*columns) + ") is not " +
                               std::to_string(n) + " members: rows × columns must be the population");
      return;
    }
    t.rows = *rows;
    t.columns = *columns;
  } else if (t.kind == K::kRandomRegular) {
    auto degree = topology_number(context, value.items[0], "the degree", 1, n - 1);
    auto seed = topology_number(context, value.items[1], "the seed", 0, UINT64_MAX);
    if (!degree || !seed) return;
    if ((n * *degree) % 2 != 0) {
      context.error(value.items[0], "a " + std::to_string(*degree) + "-regular graph on " + std::to_string(n) +
                                        " members needs n · d even");
      return;
    }
    t.degree = *degree;
    t.seed = *seed;
  } else if (t.kind == K::kEdges) {
    lower_edges(context, value, n, t);
  }
  agent.topology = std::move(t);
}

}  // namespace

void check_agent(CheckContext& context, const ast::Agent& written, flow::Agent& agent) {
  if (written.count) {
    agent.population = true;
    if (auto n = context.whole_number(*written.count, "the population of " + quoted(agent.name), 1,
                                      context.limits.max_population))
      agent.count = *n;
  }
  std::set<std::string> seen;
  bool has_trust = false;
  static const std::vector<std::string> keys = {"trust", "region", "holds", "topology"};
  static const std::vector<std::string> levels = {"trusted", "honest", "curious", "malicious"};
  for (const auto& prop : written.props) {
    const std::string& key = prop.key.name;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      context.error(prop.key, "unknown agent property " + quoted(key) +
                                  (closest_match(key, keys) ? suggest(key, keys)
                                                            : " (agent properties are trust, region, holds and topology)"));
      continue;
    }
    if (!seen.insert(key).second) {
      context.error(prop.key, "property " + quoted(key) + " of agent " + quoted(agent.name) + " is given twice");
      continue;
    }
    const ast::Value& value = prop.value;
    if (key == "trust") {
      has_trust = true;
      auto it = value.kind == ast::Value::Kind::kIdent ? std::find(levels.begin(), levels.end(), value.ident.name)
                                                       : levels.end();
      if (it == levels.end()) {
        context.error(value, "trust must be trusted, honest, curious or malicious" +
                                 (value.kind == ast::Value::Kind::kIdent ? suggest(value.ident.name, levels)
                                                                         : std::string()));
        continue;
      }
      agent.trust = static_cast<flow::Trust>(it - levels.begin());
    } else if (key == "region") {
      if (value.kind != ast::Value::Kind::kIdent) {
        context.error(value, "region must be the name of a region");
        continue;
      }
      agent.region = context.resolve(value.ident, DeclKind::kRegion);
    } else if (key == "topology") {
      lower_topology(context, value, agent);
    } else {
      lower_holdings(context, value, agent);
    }
  }
  if (!has_trust)
    context.error(written.name, "agent " + quoted(agent.name) +
                                    " has no trust level (add 'trust: trusted|honest|curious|malicious')");
}

}  // namespace privflow::lang::detail
