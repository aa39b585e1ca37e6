// Coalitions kept at a distance from the target (dp/network.hpp, worst_*_at_distance): the
// worst placement among members at least d hops away, for a requirement `at distance >= d`.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "dp/network.hpp"

namespace privflow::dp::network {

std::vector<std::uint64_t> members_between(const Graph& g, std::uint64_t member, std::uint64_t lo, std::uint64_t hi) {
  std::vector<std::uint64_t> out, frontier{member};
  std::unordered_map<std::uint64_t, std::uint64_t> hops{{member, 0}};
  for (std::uint64_t depth = 1; depth <= hi && !frontier.empty(); ++depth) {
    std::vector<std::uint64_t> next;
    for (auto u : frontier)
      for (auto v : g.neighbours(u)) {
        if (!hops.emplace(v, depth).second) continue;
        if (hops.size() > kMaxGossipSupport)
          throw std::invalid_argument("the members within " + std::to_string(hi) + " hops of the target exceed " +
                                      std::to_string(kMaxGossipSupport));
        next.push_back(v);
        if (depth >= lo) out.push_back(v);
      }
    frontier = std::move(next);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

std::string hops_text(std::uint64_t d) { return std::to_string(d) + (d == 1 ? " hop" : " hops"); }

/// Is any member `at_least` hops or more from `target`?
bool someone_at(const Graph& g, std::uint64_t target, std::uint64_t at_least) {
  switch (g.topology().kind) {
    case TopologyKind::kRing: return at_least <= g.size() / 2;
    case TopologyKind::kComplete: return at_least <= 1;
    case TopologyKind::kStar: return at_least <= (target == 0 || g.size() < 3 ? 1 : 2);
    case TopologyKind::kTorus: return at_least <= g.topology().rows / 2 + g.topology().columns / 2;
    case TopologyKind::kRandomRegular:
    case TopologyKind::kEdges: break;
  }
  return !members_between(g, target, at_least, at_least).empty();
}

void require_someone_at(const Graph& g, std::uint64_t target, std::uint64_t d) {
  if (!someone_at(g, target, d))
    throw std::invalid_argument("no member is " + hops_text(d) + " or more from the target on the " + describe(g.topology()));
}

}  // namespace

NetworkResult worst_gossip_at_distance(const Graph& g, std::uint64_t k, std::uint64_t target, std::uint64_t rounds,
                                       double sigma, double clip, std::uint64_t d) {
  if (d <= 1 || k == 0) return worst_gossip(g, k, target, rounds, sigma, clip);
  const TopologyKind kind = g.topology().kind;
  if (kind == TopologyKind::kRandomRegular || kind == TopologyKind::kEdges) {
    // Which member is then the most exposed target is not searched on a stored graph: the
    // figure of a neighbour (local DP) bounds every target and placement.
    NetworkResult r = worst_gossip(g, k, target, rounds, sigma, clip);
    r.steps.push_back("the distance of " + hops_text(d) + " is not used on a stored graph (its worst target is not searched)");
    return r;
  }
  if (kind == TopologyKind::kStar && target == 0) target = 1;  // nobody is 2 hops from the hub: a leaf is worse
  require_someone_at(g, target, d);
  // Every member d to d + rounds − 1 hops away: the view of any coalition at distance ≥ d is
  // a function of theirs (dp/network.hpp).
  const std::uint64_t reach = rounds == 0 ? d : d + rounds - 1;
  const std::vector<std::uint64_t> far = members_between(g, target, d, reach);
  NetworkResult r = far.empty() ? NetworkResult{} : gossip(g, far, target, rounds, sigma, clip);
  r.coalition = far;
  r.steps.push_back("every placement of " + std::to_string(k) + " colluders at " + hops_text(d) +
                    " or more from the target: the view of all " + std::to_string(far.size()) + " members " +
                    std::to_string(d) + " to " + std::to_string(reach) +
                    " hops away bounds it (a larger coalition sees more; a farther member's messages never depend on the "
                    "target's value)");
  if (far.empty()) r.method = "no member within reach of the target's messages: mu = 0";
  return r;
}

NetworkResult worst_token_walk_at_distance(const Graph& g, std::uint64_t k, std::uint64_t target, std::uint64_t steps,
                                           double sigma, double clip, double tail_delta, std::uint64_t d) {
  if (d <= 1 || k == 0) return worst_token_walk(g, k, target, steps, sigma, clip, tail_delta);
  const std::uint64_t n = g.size();
  if (g.topology().kind != TopologyKind::kRing) {  // a bound for every placement and target
    NetworkResult r = worst_token_walk(g, k, target, steps, sigma, clip, tail_delta);
    r.steps.back() = "the bound holds for every placement of the coalition, " + hops_text(d) + " or more from the target too";
    return r;
  }
  require_someone_at(g, target, d);
  std::vector<std::uint64_t> coalition{(target + d) % n};
  if (k >= 2 && (target + n - d) % n != coalition.front()) coalition.push_back((target + n - d) % n);
  NetworkResult r = token_walk(g, coalition, target, steps, sigma, clip, tail_delta);
  r.steps.push_back("worst placement over all coalitions of " + std::to_string(k) + " at " + hops_text(d) +
                    " or more from the target: mu grows as f and b shrink, f, b >= " + std::to_string(d) +
                    (k >= 2 ? "" : " (f + b = n with one colluder)"));
  return r;
}

}  // namespace privflow::dp::network
