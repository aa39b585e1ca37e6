// Communication graphs of decentralized protocols (dp/network.hpp): validation, neighbours,
// distances and the Metropolis–Hastings gossip weights. Ring, torus, complete and star compute
// their neighbours from the index, so their cost does not grow with the population.
#include <algorithm>
#include <deque>
#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "dp/network.hpp"

namespace privflow::dp::network {

namespace {

std::string number(std::uint64_t n) { return std::to_string(n); }

/// A uniform integer in [0, bound) from the raw 64-bit stream (rejection; std distributions are
/// not specified bit for bit, the engine is, so the graph of a seed is the same everywhere).
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    const std::uint64_t r = rng();
    if (r < limit) return r % bound;
  }
}

bool adjacent(const std::vector<std::vector<std::uint64_t>>& adjacency, std::uint64_t a, std::uint64_t b) {
  return std::find(adjacency[a].begin(), adjacency[a].end(), b) != adjacency[a].end();
}

/// A simple d-regular graph by pairing half-edges one pair at a time, each pair drawn among the
/// unpaired half-edges and redrawn while it would make a self-loop or a double edge (Steger &
/// Wormald 1999, "Generating random regular graphs quickly"); a draw stuck for 10^4 tries
/// starts again. For degrees whose configuration model is rarely simple.
std::vector<std::vector<std::uint64_t>> paired_regular(std::uint64_t n, std::uint64_t d, std::mt19937_64& rng) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::vector<std::uint64_t> open(n * d);
    for (std::uint64_t i = 0; i < n * d; ++i) open[i] = i / d;
    std::vector<std::vector<std::uint64_t>> adjacency(n);
    bool stuck = false;
    while (!open.empty() && !stuck) {
      stuck = true;
      for (int tries = 0; tries < 10000; ++tries) {
        std::uint64_t i = uniform_below(rng, open.size()), j = uniform_below(rng, open.size());
        const std::uint64_t a = open[i], b = open[j];
        if (a == b || adjacent(adjacency, a, b)) continue;
        adjacency[a].push_back(b);
        adjacency[b].push_back(a);
        if (i < j) std::swap(i, j);  // remove the later index first
        open[i] = open.back();
        open.pop_back();
        open[j] = open.back();
        open.pop_back();
        stuck = false;
        break;
      }
    }
    if (stuck) continue;
    for (auto& list : adjacency) std::sort(list.begin(), list.end());
    return adjacency;
  }
  throw std::invalid_argument("no simple " + number(d) + "-regular graph drawn in 100 attempts");
}

/// A simple d-regular graph by the configuration model: shuffle the n·d half-edges, pair them in
/// order, and start again (next draws of the same stream) on a self-loop or a double edge. It is
/// simple with probability about e^{-(d²-1)/4} (Bender & Canfield 1978): from degree 5 on, the
/// half-edges are paired one at a time instead (paired_regular).
std::vector<std::vector<std::uint64_t>> random_regular(std::uint64_t n, std::uint64_t d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  if (d >= 5) return paired_regular(n, d, rng);
  std::vector<std::uint64_t> stubs(n * d);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    for (std::uint64_t i = 0; i < n * d; ++i) stubs[i] = i / d;
    for (std::uint64_t i = n * d; i > 1; --i) std::swap(stubs[i - 1], stubs[uniform_below(rng, i)]);
    std::vector<std::vector<std::uint64_t>> adjacency(n);
    bool simple = true;
    for (std::uint64_t i = 0; simple && i < n * d; i += 2) {
      const std::uint64_t a = stubs[i], b = stubs[i + 1];
      if (a == b || std::find(adjacency[a].begin(), adjacency[a].end(), b) != adjacency[a].end()) simple = false;
      adjacency[a].push_back(b);
      adjacency[b].push_back(a);
    }
    if (!simple) continue;
    for (auto& list : adjacency) std::sort(list.begin(), list.end());
    return adjacency;
  }
  throw std::invalid_argument("no simple " + number(d) + "-regular graph drawn in 1000 attempts");
}

}  // namespace

std::optional<std::string> topology_error(const Topology& t) {
  const std::uint64_t n = t.agents;
  switch (t.kind) {
    case TopologyKind::kRing:
      if (n < 3) return "a ring needs at least 3 members, not " + number(n);
      return std::nullopt;
    case TopologyKind::kComplete:
    case TopologyKind::kStar:
      if (n < 2) return "a " + describe(t) + " needs at least 2 members";
      return std::nullopt;
    case TopologyKind::kTorus:
      if (t.rows < 3 || t.columns < 3) return "a torus needs at least 3 x 3 members";
      if (t.rows > n || t.columns > n || t.rows * t.columns != n)
        return "torus(" + number(t.rows) + ", " + number(t.columns) + ") has " +
               number(t.rows > n || t.columns > n ? 0 : t.rows * t.columns) + " members, the population " + number(n);
      return std::nullopt;
    case TopologyKind::kRandomRegular:
      if (n > kMaxExplicitAgents) return "random_regular is built explicitly, at most " + number(kMaxExplicitAgents) + " members";
      if (t.degree < 1 || t.degree >= n) return "random_regular(" + number(t.degree) + ") needs 1 <= d < " + number(n);
      if ((n * t.degree) % 2 != 0) return "random_regular(" + number(t.degree) + ") on " + number(n) + " members: n·d must be even";
      return std::nullopt;
    case TopologyKind::kEdges:
      if (n > kMaxExplicitAgents) return "an edge list is built explicitly, at most " + number(kMaxExplicitAgents) + " members";
      for (const auto& [a, b] : t.edges) {
        if (a >= n || b >= n) return "edge " + number(a) + " - " + number(b) + " names a member beyond " + number(n - 1);
        if (a == b) return "edge " + number(a) + " - " + number(b) + " is a self-loop";
      }
      return std::nullopt;
  }
  return "unknown topology";
}

std::string describe(const Topology& t) {
  switch (t.kind) {
    case TopologyKind::kRing: return "ring of " + number(t.agents);
    case TopologyKind::kComplete: return "complete graph of " + number(t.agents);
    case TopologyKind::kTorus: return "torus " + number(t.rows) + " x " + number(t.columns);
    case TopologyKind::kRandomRegular:
      return "random " + number(t.degree) + "-regular graph (seed " + number(t.seed) + ") of " + number(t.agents);
    case TopologyKind::kStar: return "star of " + number(t.agents);
    case TopologyKind::kEdges: return "graph of " + number(t.agents) + " members and " + number(t.edges.size()) + " edges";
  }
  return "graph";
}

Graph::Graph(const Topology& topology) : topology_(topology) {
  if (auto error = topology_error(topology)) throw std::invalid_argument(*error);
  if (topology.kind == TopologyKind::kRandomRegular) {
    adjacency_ = random_regular(topology.agents, topology.degree, topology.seed);
  } else if (topology.kind == TopologyKind::kEdges) {
    std::vector<std::set<std::uint64_t>> sets(topology.agents);
    for (const auto& [a, b] : topology.edges) sets[a].insert(b), sets[b].insert(a);
    adjacency_.resize(topology.agents);
    for (std::uint64_t i = 0; i < topology.agents; ++i) adjacency_[i].assign(sets[i].begin(), sets[i].end());
  }
}

std::uint64_t Graph::degree(std::uint64_t member) const {
  const std::uint64_t n = topology_.agents;
  switch (topology_.kind) {
    case TopologyKind::kRing: return 2;
    case TopologyKind::kTorus: return 4;
    case TopologyKind::kComplete: return n - 1;
    case TopologyKind::kStar: return member == 0 ? n - 1 : 1;
    case TopologyKind::kRandomRegular:
    case TopologyKind::kEdges: return adjacency_[member].size();
  }
  return 0;
}

std::vector<std::uint64_t> Graph::neighbours(std::uint64_t member) const {
  const std::uint64_t n = topology_.agents;
  std::vector<std::uint64_t> out;
  switch (topology_.kind) {
    case TopologyKind::kRing: out = {(member + n - 1) % n, (member + 1) % n}; break;
    case TopologyKind::kTorus: {
      const std::uint64_t a = topology_.rows, b = topology_.columns, r = member / b, c = member % b;
      out = {((r + a - 1) % a) * b + c, ((r + 1) % a) * b + c, r * b + (c + b - 1) % b, r * b + (c + 1) % b};
      break;
    }
    case TopologyKind::kComplete:
      out.reserve(n - 1);
      for (std::uint64_t i = 0; i < n; ++i)
        if (i != member) out.push_back(i);
      break;
    case TopologyKind::kStar:
      if (member != 0) return {0};
      for (std::uint64_t i = 1; i < n; ++i) out.push_back(i);
      break;
    case TopologyKind::kRandomRegular:
    case TopologyKind::kEdges: return adjacency_[member];
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::uint64_t Graph::distance(std::uint64_t from, std::uint64_t to) const {
  const std::uint64_t n = topology_.agents;
  if (from == to) return 0;
  switch (topology_.kind) {
    case TopologyKind::kRing: {
      const std::uint64_t d = from > to ? from - to : to - from;
      return std::min(d, n - d);
    }
    case TopologyKind::kTorus: {
      const std::uint64_t b = topology_.columns, a = topology_.rows;
      const std::uint64_t dr = from / b > to / b ? from / b - to / b : to / b - from / b;
      const std::uint64_t dc = from % b > to % b ? from % b - to % b : to % b - from % b;
      return std::min(dr, a - dr) + std::min(dc, b - dc);
    }
    case TopologyKind::kComplete: return 1;
    case TopologyKind::kStar: return from == 0 || to == 0 ? 1 : 2;
    case TopologyKind::kRandomRegular:
    case TopologyKind::kEdges: break;
  }
  std::vector<std::uint64_t> hops(n, UINT64_MAX);
  std::deque<std::uint64_t> queue{from};
  hops[from] = 0;
  while (!queue.empty()) {
    const std::uint64_t u = queue.front();
    queue.pop_front();
    for (std::uint64_t v : adjacency_[u]) {
      if (hops[v] != UINT64_MAX) continue;
      hops[v] = hops[u] + 1;
      if (v == to) return hops[v];
      queue.push_back(v);
    }
  }
  return UINT64_MAX;
}

long double Graph::weight(std::uint64_t i, std::uint64_t j) const {
  if (i == j) {
    long double off = 0;
    for (std::uint64_t k : neighbours(i)) off += weight(i, k);
    return 1 - off;
  }
  return 1.0L / static_cast<long double>(1 + std::max(degree(i), degree(j)));
}

}  // namespace privflow::dp::network
