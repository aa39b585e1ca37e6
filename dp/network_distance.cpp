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

/// Targets (and, for one colluder, target–colluder pairs) the search of a stored graph may try,
/// one engine call each; past it the figure is local DP, which bounds every target and placement.
constexpr std::uint64_t kMaxDistanceSearch = 4096;
/// Members within reach summed over the targets, times the rounds, for the union's views (about
/// a second and a half of engine time at the bound); past it: local DP.
constexpr std::uint64_t kMaxDistanceWork = 300'000;

NetworkResult stored_local_dp(const Graph& g, std::uint64_t k, std::uint64_t rounds, double sigma, double clip,
                              std::uint64_t d, const std::string& why) {
  NetworkResult r = worst_gossip(g, k, 0, rounds, sigma, clip);
  r.steps.push_back("the distance of " + hops_text(d) + " is not used: " + why +
                    " (a neighbour's local DP bounds every target and placement)");
  return r;
}

/// A stored graph (random_regular, edges) has no symmetry: every member is tried as the target.
/// One colluder, when the pairs are at most kMaxDistanceSearch: exact, every member within reach
/// tried (one beyond d + rounds − 1 hops receives no message that depends on the target's value,
/// so its μ is 0). Otherwise the view of all members d to d + rounds − 1 hops from each target,
/// an upper bound for every k (exact where they are at most k). Past kMaxDistanceSearch targets,
/// or kMaxDistanceWork member-rounds of those views: local DP.
NetworkResult worst_stored_gossip_at_distance(const Graph& g, std::uint64_t k, std::uint64_t rounds, double sigma,
                                              double clip, std::uint64_t d) {
  const std::uint64_t n = g.size(), reach = rounds == 0 ? d : d + rounds - 1;
  if (n > kMaxDistanceSearch)
    return stored_local_dp(g, k, rounds, sigma, clip, d,
                           "the " + describe(g.topology()) + " has more than " + std::to_string(kMaxDistanceSearch) +
                               " members to try as the target");
  std::uint64_t pairs = 0, worst_target = 0;
  for (std::uint64_t t = 0; t < n; ++t) pairs += members_between(g, t, d, reach).size();
  if (pairs == 0) throw std::invalid_argument("no two members are " + hops_text(d) + " apart on the " + describe(g.topology()));
  const bool one_by_one = k == 1 && pairs <= kMaxDistanceSearch;
  if (!one_by_one && pairs * std::max<std::uint64_t>(rounds, 1) > kMaxDistanceWork)
    return stored_local_dp(g, k, rounds, sigma, clip, d,
                           "the views of every target would span " + std::to_string(pairs) + " members over " +
                               std::to_string(rounds) + " rounds, more than the search's " +
                               std::to_string(kMaxDistanceWork) + " member-rounds");
  NetworkResult best;
  auto keep = [&](NetworkResult r, std::uint64_t t) {
    if (r.mu > best.mu || best.coalition.empty()) best = std::move(r), worst_target = t;
  };
  for (std::uint64_t t = 0; t < n; ++t) {
    const std::vector<std::uint64_t> within = members_between(g, t, d, reach);
    if (within.empty()) continue;
    if (one_by_one) {
      for (auto u : within) keep(gossip(g, {u}, t, rounds, sigma, clip), t);
    } else {
      NetworkResult r = gossip(g, within, t, rounds, sigma, clip);
      r.coalition = within;
      keep(std::move(r), t);
    }
  }
  const bool exact = best.coalition.size() <= k;  // then the bound is a placement's own view
  const std::string all = "all " + std::to_string(best.coalition.size()) + " members " + std::to_string(d) + " to " +
                          std::to_string(reach) + " hops away, whose view bounds every placement of " + std::to_string(k) +
                          (exact ? " (exact: they are at most " + std::to_string(k) + ")"
                                 : " (an upper bound: they are more than " + std::to_string(k) + ")");
  best.steps.push_back("every member tried as the target; the worst is member " + std::to_string(worst_target) + ", against " +
                       (one_by_one ? "its worst colluder " + hops_text(d) + " or more away (every member within " +
                                         std::to_string(reach) + " hops tried; one farther sees nothing that depends on "
                                         "the target): exact"
                                   : all));
  return best;
}

}  // namespace

NetworkResult worst_gossip_at_distance(const Graph& g, std::uint64_t k, std::uint64_t target, std::uint64_t rounds,
                                       double sigma, double clip, std::uint64_t d) {
  if (d <= 1 || k == 0) return worst_gossip(g, k, target, rounds, sigma, clip);
  const TopologyKind kind = g.topology().kind;
  if (kind == TopologyKind::kRandomRegular || kind == TopologyKind::kEdges)
    return worst_stored_gossip_at_distance(g, k, rounds, sigma, clip, d);
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
