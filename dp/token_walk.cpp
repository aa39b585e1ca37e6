// Token walks and the worst placement of colluders (dp/network.hpp). A token walk's view is a
// sequence of running sums, so its μ is a sum over the gaps between observations: no matrix.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "dp/detail/numeric.hpp"
#include "dp/network.hpp"

namespace privflow::dp::network {

namespace {

using Long = long double;
using detail::kInf;
using detail::up_to_double;

/// (clip/σ)·√(sum), the sum in units of (clip/σ)² with a margin of 2^-50 relative (the sum has
/// a handful of terms, each a quotient of small integers in long double).
double scaled_mu(Long sum, double sigma, double clip) {
  return up_to_double(std::sqrt(sum * (1 + std::ldexp(Long(1), -50))) * static_cast<Long>(clip) / static_cast<Long>(sigma));
}

void check(double sigma, double clip) {
  if (!(sigma > 0) || !(clip > 0)) throw std::invalid_argument("token walk: sigma and clip must be positive");
}

std::string text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", x);
  return buffer;
}

/// The least v such that the target is stepped onto v times or more with probability ≤ tail.
/// Each step lands on it with probability ≤ p whatever the past, so the count is dominated by
/// Binomial(steps, p), whose tail beyond v > steps·p is ≤ exp(−steps·D(v/steps ‖ p)) (Chernoff
/// 1952; Hoeffding 1963, Thm 1), D the Kullback–Leibler divergence of two Bernoullis; at v = 1
/// the union bound steps·p is used when it is already ≤ tail. Logs in long double with a margin
/// of 2^-40 (relative, plus 2^-50·steps absolute for the rounding of the products), found by
/// bisection (D(a ‖ p) rises with a above p).
std::uint64_t visits_bound(std::uint64_t steps, Long p, double tail) {
  const Long log_tail = std::log(static_cast<Long>(tail)) - std::ldexp(Long(1), -40);
  const Long n = static_cast<Long>(steps);
  if (std::log(n) + std::log(p) <= log_tail) return 1;
  if (p >= 1) return steps + 1;
  auto holds = [&](std::uint64_t v) {
    const Long a = static_cast<Long>(v) / n;
    const Long kl = a * std::log(a / p) + (a < 1 ? (1 - a) * std::log((1 - a) / (1 - p)) : 0);
    const Long log_bound = -n * kl;
    return log_bound + std::ldexp(Long(1), -40) * std::abs(log_bound) + std::ldexp(Long(1), -50) * n <= log_tail;
  };
  std::uint64_t lo = static_cast<std::uint64_t>(std::floor(n * p)), hi = steps;
  if (!holds(hi)) return steps + 1;
  while (hi - lo > 1) {  // holds(hi); at or below steps·p nothing holds (D ≥ 0 there counts as 0)
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (holds(mid) ? hi : lo) = mid;
  }
  return hi;
}

/// A walk round the ring (member i passes to i + 1) against colluders f hops after the target
/// and b hops before it (f + b = n for one colluder), at its worst start. Unrolled, a start with
/// `before` visits ahead of the target's first visit, V visits of the target and `after` visits
/// behind its last has steps = before + (V − 1)·n + 1 + after, 0 ≤ before, after ≤ n − 1. Each
/// visit's gap (honest visits between the two observations around it) is f + b − 1, except the
/// first's, min(before, b − 1) + f (the start cuts it), and the last's, b + min(after, f − 1) (the
/// final token cuts it); one visit alone: min(before, b − 1) + 1 + min(after, f − 1). μ² = Σ 1/gap
/// (the gaps' noises are independent). For a fixed V, `before` runs over an interval; each gap is
/// concave in it (a sum of minima of affine functions), so 1/gap is convex and the sum is largest
/// at an end of the interval: two starts per V, and only the V with 0 ≤ steps − 1 − (V − 1)·n ≤
/// 2n − 2 (at most three) exist. Every quotient is of integers below 2^64, in long double.
struct RingWalkStart {
  Long sum = 0;  ///< μ² in units of (clip/σ)²
  std::uint64_t visits = 0, before = 0, after = 0;
};

Long ring_gap_sum(std::uint64_t f, std::uint64_t b, std::uint64_t visits, std::uint64_t before,
                  std::uint64_t after) {
  auto inverse = [](std::uint64_t gap) { return 1 / static_cast<Long>(gap); };
  if (visits == 1) return inverse(std::min(before, b - 1) + 1 + std::min(after, f - 1));
  return inverse(std::min(before, b - 1) + f) + inverse(b + std::min(after, f - 1)) +
         static_cast<Long>(visits - 2) / static_cast<Long>(f + b - 1);
}

RingWalkStart worst_ring_start(std::uint64_t n, std::uint64_t steps, std::uint64_t f, std::uint64_t b) {
  RingWalkStart best;
  for (std::uint64_t visits = (steps - 1) / n + 1; visits >= 1; --visits) {
    const std::uint64_t spare = steps - 1 - (visits - 1) * n;  // before + after
    if (spare > 2 * (n - 1)) break;
    const std::uint64_t lowest = spare > n - 1 ? spare - (n - 1) : 0, highest = std::min(spare, n - 1);
    for (std::uint64_t before : {lowest, highest}) {
      const Long sum = ring_gap_sum(f, b, visits, before, spare - before);
      if (sum > best.sum) best = {sum, visits, before, spare - before};
    }
  }
  return best;
}

/// Which bound a random walk's figure comes from, where a paper's bound for the random path
/// could have been smaller. Cyffers & Bellet 2022 (AISTATS, Sec. 5) bound the walk on the
/// complete graph with the path hidden (an amplification of order 1/√n), but for a walk whose
/// next holder is drawn among all n members, itself included (their code, fig1/randomWalk.py:
/// randint(n)), against one observer (network DP, their Def. 4). privflow's `complete` walk
/// goes to one of the n − 1 others, and its requirements are against coalitions; the statement
/// with its constants could not be checked here either. So it is not applied (docs/limits.md).
std::string paper_bound_note(TopologyKind kind) {
  if (kind != TopologyKind::kComplete) return {};
  return "; the path-conditioned bound is used: Cyffers & Bellet 2022's bound for the hidden path on the complete "
         "graph assumes a walk that may stay put and a single observer, not this walk against a coalition";
}

}  // namespace

double token_walk_path_mu(const std::vector<std::uint64_t>& path, const std::vector<std::uint64_t>& coalition_in,
                          std::uint64_t target, double sigma, double clip) {
  check(sigma, clip);
  const std::set<std::uint64_t> coalition(coalition_in.begin(), coalition_in.end());
  if (coalition.count(target)) throw std::invalid_argument("token walk: the target is in the coalition");
  Long sum = 0;
  std::uint64_t gap = 0, hits = 0;
  auto close = [&] {
    if (hits > 0) sum += static_cast<Long>(hits) * static_cast<Long>(hits) / static_cast<Long>(gap);
    gap = hits = 0;
  };
  for (auto u : path) {
    if (coalition.count(u)) {
      close();  // the member sees the token before adding its own (known) value and noise
      continue;
    }
    ++gap;
    hits += u == target;
  }
  close();  // the final token
  return scaled_mu(sum, sigma, clip);
}

NetworkResult token_walk(const Graph& g, const std::vector<std::uint64_t>& coalition_in, std::uint64_t target,
                         std::uint64_t steps, double sigma, double clip, double tail_delta) {
  check(sigma, clip);
  const std::set<std::uint64_t> coalition(coalition_in.begin(), coalition_in.end());
  if (coalition.count(target)) throw std::invalid_argument("token walk: the target is in the coalition");
  NetworkResult r;
  r.coalition.assign(coalition.begin(), coalition.end());
  const std::uint64_t n = g.size();
  if (steps == 0) return r;
  if (g.topology().kind == TopologyKind::kRing) {
    std::uint64_t visits = (steps + n - 1) / n;
    r.target_visits = visits;
    Long sum = 0;
    if (coalition.empty()) {
      sum = static_cast<Long>(visits) * static_cast<Long>(visits) / static_cast<Long>(steps);
      r.steps.push_back("only the final token is seen: " + std::to_string(visits) + " visits of the target among " +
                        std::to_string(steps) + " noisy visits");
      r.messages_seen = 1;
    } else {
      std::uint64_t f = n, b = n;  // hops to the next and from the previous colluder
      for (auto c : coalition) {
        f = std::min(f, (c + n - target) % n);
        b = std::min(b, (target + n - c) % n);
      }
      const RingWalkStart worst = worst_ring_start(n, steps, f, b);
      sum = worst.sum;
      visits = worst.visits;
      r.target_visits = visits;
      auto hops = [](std::uint64_t h) { return std::to_string(h) + (h == 1 ? " hop" : " hops"); };
      r.steps.push_back("the next colluder is " + hops(f) + " after the target, the previous one " + hops(b) +
                        " before: between two observations the token gains " + std::to_string(f + b - 1) +
                        " honest noisy visits");
      r.steps.push_back("the worst start, over all " + std::to_string(n) +
                        " distinct ones: " + std::to_string(visits) + (visits == 1 ? " visit" : " visits") +
                        " of the target, " + std::to_string(worst.before) + " other visits before the first, " +
                        std::to_string(worst.after) + " after the last (mu^2 is convex in the start's offset: an end of its range is worst)");
      r.messages_seen = visits * coalition.size() + 1;
    }
    r.mu = scaled_mu(sum, sigma, clip);
    r.method = "token walk round the ring, exact per gap: mu^2 = (clip/sigma)^2 · sum of (visits of the target)^2 / (honest visits) over the gaps between observations (Cyffers & Bellet 2022, Sec. 4)";
    return r;
  }
  if (!(tail_delta > 0 && tail_delta < 1)) throw std::invalid_argument("token walk: the tail delta must be in (0, 1)");
  // The largest chance of stepping onto the target: 1 / the smallest degree among its
  // neighbours (closed forms where the neighbour list has n − 1 members).
  Long p = 0;
  const TopologyKind kind = g.topology().kind;
  if (kind == TopologyKind::kComplete || (kind == TopologyKind::kStar && target != 0)) {
    p = 1 / static_cast<Long>(n - 1);
  } else if (kind == TopologyKind::kStar) {
    p = 1;  // the hub is stepped onto from any leaf
  } else {
    for (auto u : g.neighbours(target)) p = std::max(p, 1 / static_cast<Long>(g.degree(u)));
  }
  if (p == 0) {
    r.target_visits = 1;  // the walk cannot step onto the target: only a start there
  } else {
    r.target_visits = std::min(steps, visits_bound(steps, p, tail_delta));
    r.delta_spent = tail_delta;
  }
  const std::string tail =
      p == 0 ? std::string(" (it cannot be stepped onto: only a start there)")
             : " except with probability <= " + text(tail_delta) +
                   " (the steps onto the target are dominated by Binomial(steps, p), p = " + text(static_cast<double>(p)) +
                   " the largest chance of stepping onto it; Chernoff tail)";
  if (coalition.empty()) {
    // Only the final token is seen (an outsider who receives the finished model): one sum of
    // all `steps` visits' values and noises. Conditioned on the path (sound: the adversary can
    // only gain by knowing it), the target's m visits shift it by clip·m over noise σ·√steps;
    // μ grows with m, so at most v visits give μ = clip·v/(σ·√steps) (the ring's formula).
    const Long v = static_cast<Long>(r.target_visits), total = static_cast<Long>(steps);
    r.mu = scaled_mu(v * v / total, sigma, clip);
    r.messages_seen = 1;
    r.steps.push_back("only the final token is seen: one sum over all " + std::to_string(steps) +
                      " noisy visits, at most v = " + std::to_string(r.target_visits) +
                      " of them the target's: mu = (clip/sigma)·v/sqrt(steps) = (clip/sigma)·" +
                      text(static_cast<double>(v / std::sqrt(total))));
    r.method = "random token walk seen only at its end, conditioned on the path: shift clip·v over the noise of all " +
               std::to_string(steps) + " visits (sigma·sqrt(steps)), at most v = " + std::to_string(r.target_visits) +
               " visits of the target" + tail;
    return r;
  }
  r.mu = scaled_mu(static_cast<Long>(r.target_visits), sigma, clip);
  r.messages_seen = steps;
  r.method = "random token walk, conditioned on the path: each visit of the target at worst seen right after it (mu = clip/sigma per visit), at most " +
             std::to_string(r.target_visits) + " visits" + tail + paper_bound_note(kind);
  return r;
}

NetworkResult worst_gossip(const Graph& g, std::uint64_t k, std::uint64_t target, std::uint64_t rounds, double sigma,
                           double clip) {
  if (k == 0) return gossip(g, {}, target, rounds, sigma, clip);
  std::vector<std::uint64_t> neighbours;
  if (g.topology().kind == TopologyKind::kComplete) {
    for (std::uint64_t i = 0; neighbours.size() < k && i < g.size(); ++i)
      if (i != target) neighbours.push_back(i);
  } else {
    neighbours = g.neighbours(target);
  }
  if (neighbours.empty()) throw std::invalid_argument("gossip: the target has no neighbour");
  std::vector<std::uint64_t> coalition(neighbours.begin(), neighbours.begin() + std::min<std::uint64_t>(k, neighbours.size()));
  NetworkResult r = gossip(g, coalition, target, rounds, sigma, clip);
  r.steps.push_back("worst placement over all coalitions of " + std::to_string(k) +
                    ": mu <= clip/sigma for every view (the witness e_t/sigma), and a neighbour of the target reaches it");
  return r;
}

NetworkResult worst_token_walk(const Graph& g, std::uint64_t k, std::uint64_t target, std::uint64_t steps,
                               double sigma, double clip, double tail_delta) {
  const std::uint64_t n = g.size();
  std::vector<std::uint64_t> coalition;
  if (g.topology().kind == TopologyKind::kRing && k >= 1) {
    coalition.push_back((target + 1) % n);
    if (k >= 2) coalition.push_back((target + n - 1) % n);
  } else {
    for (std::uint64_t i = 0; i < n && coalition.size() < k; ++i)
      if (i != target) coalition.push_back(i);
  }
  NetworkResult r = token_walk(g, coalition, target, steps, sigma, clip, tail_delta);
  r.steps.push_back(g.topology().kind == TopologyKind::kRing
                        ? "worst placement over all coalitions of " + std::to_string(k) +
                              ": mu grows as f and b shrink, f, b >= 1 (f + b = n with one colluder)"
                        : "the bound holds for every placement of the coalition");
  return r;
}

}  // namespace privflow::dp::network
