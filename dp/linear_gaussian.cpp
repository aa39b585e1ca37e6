// The linear-Gaussian engine of dp/network.hpp: μ of a general view y = A·x + B·z, and of
// gossip averaging with local noise. Arithmetic in long double (64-bit mantissa, u = 2^-64);
// every margin is stated where it is added, and μ is rounded up to a double at the end.
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "dp/detail/closed_form.hpp"
#include "dp/detail/numeric.hpp"
#include "dp/network.hpp"

namespace privflow::dp::network {

namespace {

using Long = long double;
using detail::kInf;
using detail::up_to_double;

Long dot(const std::vector<Long>& a, const std::vector<Long>& b) {
  Long s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

/// Orthogonalises w against the basis twice (modified Gram–Schmidt, re-orthogonalised: "twice
/// is enough", Giraud et al. 2005) and returns its remaining length.
Long orthogonalise(std::vector<Long>& w, const std::vector<std::vector<Long>>& basis) {
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& q : basis) {
      const Long c = dot(q, w);
      for (std::size_t i = 0; i < w.size(); ++i) w[i] -= c * q[i];
    }
  return std::sqrt(dot(w, w));
}

/// The members gossip can reach: within rounds − 1 hops of an honest neighbour of the coalition.
struct Support {
  std::vector<std::uint64_t> members;                  // local index → member
  std::unordered_map<std::uint64_t, std::size_t> index;  // member → local index
};

Support reachable(const Graph& g, const std::vector<std::uint64_t>& starts, std::uint64_t depth) {
  Support s;
  std::vector<std::uint64_t> frontier = starts;
  for (auto m : starts) s.index.emplace(m, s.members.size()), s.members.push_back(m);
  for (std::uint64_t d = 0; d < depth && !frontier.empty(); ++d) {
    std::vector<std::uint64_t> next;
    for (auto u : frontier)
      for (auto v : g.neighbours(u))
        if (s.index.emplace(v, s.members.size()).second) {
          s.members.push_back(v);
          next.push_back(v);
          if (s.members.size() > kMaxGossipSupport)
            throw std::invalid_argument("gossip view touches more than " + std::to_string(kMaxGossipSupport) + " members");
        }
    frontier = std::move(next);
  }
  return s;
}

/// W restricted to the support, row by row: (local index, weight) of each neighbour inside it,
/// and the self weight. Vectors vanish beyond depth rounds − 2, so W·q stays inside the support.
struct LocalGossip {
  std::vector<std::vector<std::pair<std::size_t, Long>>> rows;
  std::vector<Long> self;
};

LocalGossip local_gossip(const Graph& g, const Support& s) {
  LocalGossip w;
  w.rows.resize(s.members.size());
  w.self.resize(s.members.size());
  for (std::size_t a = 0; a < s.members.size(); ++a) {
    const std::uint64_t u = s.members[a];
    Long off = 0;
    for (auto v : g.neighbours(u)) {
      const Long weight = g.weight(u, v);
      off += weight;
      if (auto it = s.index.find(v); it != s.index.end()) w.rows[a].emplace_back(it->second, weight);
    }
    w.self[a] = 1 - off;
  }
  return w;
}

std::vector<Long> apply_gossip(const LocalGossip& w, const std::vector<Long>& q) {
  std::vector<Long> out(q.size(), 0);
  for (std::size_t a = 0; a < q.size(); ++a) {
    if (q[a] == 0) continue;
    out[a] += w.self[a] * q[a];
    for (const auto& [b, weight] : w.rows[a]) out[b] += weight * q[a];
  }
  return out;
}

NetworkResult exact_ldp(double sigma, double clip, std::string method, std::uint64_t seen) {
  NetworkResult r;
  r.mu = up_to_double(static_cast<Long>(clip) / static_cast<Long>(sigma));
  r.method = std::move(method);
  r.messages_seen = seen;
  return r;
}

}  // namespace

double view_mu(const LinearView& view) {
  const std::size_t m = view.observations, k = view.noises;
  if (view.shift.size() != m || view.noise.size() != m * k) throw std::invalid_argument("view_mu: sizes");
  const double cap = view.witness_norm ? *view.witness_norm : kInf;
  using Matrix = Eigen::Matrix<Long, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Long, Eigen::Dynamic, 1>;
  Matrix b(m, k);
  Vector s(m);
  for (std::size_t i = 0; i < m; ++i) {
    s(i) = view.shift[i];
    for (std::size_t j = 0; j < k; ++j) b(i, j) = view.noise[i * k + j];
  }
  if (s.norm() == 0) return 0;
  const Matrix gram = b * b.transpose();
  Eigen::SelfAdjointEigenSolver<Matrix> eig(gram);
  const Vector& lambda = eig.eigenvalues();
  const Vector c = eig.eigenvectors().transpose() * s;
  const Long top = lambda.maxCoeff();
  if (!(top > 0)) return up_to_double(cap);
  const Long cut = top * std::ldexp(Long(1), -40);
  Long mu2 = 0, outside = 0, smallest = top;
  for (Eigen::Index i = 0; i < lambda.size(); ++i) {
    if (lambda(i) <= cut) {
      outside += c(i) * c(i);
    } else {
      mu2 += c(i) * c(i) / lambda(i);
      smallest = std::min(smallest, lambda(i));
    }
  }
  // The shift has a part where there is no noise: distinguishable (μ = ∞) unless a witness caps it.
  if (outside > std::ldexp(Long(1), -60) * s.squaredNorm()) return cap;
  if (top / smallest > std::ldexp(Long(1), 30)) return cap;
  const Long relative = 64 * static_cast<Long>(m) * std::ldexp(Long(1), -34) + std::ldexp(Long(1), -40);
  return std::min(cap, up_to_double(std::sqrt(mu2 * (1 + relative))));
}

NetworkResult gossip(const Graph& g, const std::vector<std::uint64_t>& coalition_in, std::uint64_t target,
                     std::uint64_t rounds, double sigma, double clip) {
  if (!(sigma > 0) || !(clip > 0)) throw std::invalid_argument("gossip: sigma and clip must be positive");
  std::set<std::uint64_t> coalition(coalition_in.begin(), coalition_in.end());
  if (coalition.count(target)) throw std::invalid_argument("gossip: the target is in the coalition");
  NetworkResult r;
  r.coalition.assign(coalition.begin(), coalition.end());
  if (g.topology().kind == TopologyKind::kComplete && !coalition.empty() && rounds > 0) {
    // every member is a neighbour of the target (no neighbour list of n − 1 is built)
    const std::uint64_t k = coalition.size(), n = g.size();
    NetworkResult out = exact_ldp(sigma, clip, "complete graph: every colluder is a neighbour of the target and receives its noisy value x0 = x + N(0, sigma^2) at round 0 (local DP, mu = clip/sigma exactly)", k * (n - k) * rounds);
    out.coalition = r.coalition;
    return out;
  }
  std::set<std::uint64_t> starts;
  for (auto c : coalition)
    for (auto j : g.neighbours(c))
      if (!coalition.count(j)) starts.insert(j);
  r.messages_seen = 0;
  for (auto c : coalition)
    for (auto j : g.neighbours(c)) r.messages_seen += coalition.count(j) ? 0 : rounds;
  if (rounds == 0 || starts.empty()) {
    r.method = "no message from an honest member reaches the coalition";
    return r;
  }
  if (starts.count(target)) {
    NetworkResult out = exact_ldp(sigma, clip, "the target is a neighbour of the coalition: it sends its noisy value x0 = x + N(0, sigma^2) at round 0 (local DP, mu = clip/sigma exactly)", r.messages_seen);
    out.coalition = r.coalition;
    return out;
  }
  const std::vector<std::uint64_t> start_list(starts.begin(), starts.end());
  const Support support = reachable(g, start_list, rounds - 1);
  auto where = support.index.find(target);
  if (where == support.index.end()) {
    r.method = "the target is more than " + std::to_string(rounds) + " hops from the coalition: no message it receives depends on the target";
    return r;
  }
  const std::size_t size = support.members.size(), t = where->second;
  // Block Arnoldi: level k spans {W^k e_j} modulo the lower levels. A vector left with a length
  // below 2^-50 is dropped; every true Krylov vector then lies within 2^-50 per level of the
  // span kept, so ‖P e_t‖ is short by at most rounds·√(basis)·2^-48, added back below.
  std::vector<std::vector<Long>> basis;
  std::vector<std::size_t> level_begin{0};
  for (auto j : start_list) {
    std::vector<Long> e(size, 0);
    e[support.index.at(j)] = 1;
    basis.push_back(std::move(e));
  }
  const LocalGossip local = local_gossip(g, support);
  for (std::uint64_t k = 1; k < rounds; ++k) {
    const std::size_t begin = level_begin.back(), end = basis.size();
    level_begin.push_back(end);
    for (std::size_t i = begin; i < end; ++i) {
      std::vector<Long> w = apply_gossip(local, basis[i]);
      const Long norm = orthogonalise(w, basis);
      if (norm <= std::ldexp(Long(1), -50)) continue;
      for (auto& x : w) x /= norm;
      basis.push_back(std::move(w));
    }
    if (basis.size() == end) break;  // the space is invariant: later rounds add nothing
  }
  // The coalition knows its own coordinates: project e_t onto span{e_c} + span(basis), i.e.
  // onto the basis with the coalition's coordinates removed, orthonormalised again. A vector
  // left shorter than 2^-45 lies inside the coalition's coordinates up to rounding (the
  // exact case: the messages determine a colluder's own value) and is dropped; the
  // kept vectors are at least 2^-25 long, so a dropped one moves the projection by at most
  // basis·2^-45·2^25 (added below). Between the two the direction is not trustworthy, and the
  // answer falls back to local DP (sound: μ ≤ clip/σ always).
  std::vector<std::size_t> coalition_local;
  for (auto c : coalition)
    if (auto it = support.index.find(c); it != support.index.end()) coalition_local.push_back(it->second);
  std::vector<std::vector<Long>> honest;
  std::size_t dropped = 0;
  for (auto q : basis) {
    for (auto a : coalition_local) q[a] = 0;
    const Long norm = orthogonalise(q, honest);
    if (norm <= std::ldexp(Long(1), -45)) {
      ++dropped;
      continue;
    }
    if (norm < std::ldexp(Long(1), -25))
      return exact_ldp(sigma, clip, "gossip view too ill-conditioned to separate from the coalition's own coordinates: local DP bound mu = clip/sigma", r.messages_seen);
    for (auto& x : q) x /= norm;
    honest.push_back(std::move(q));
  }
  Long projection = 0;
  for (const auto& q : honest) projection += q[t] * q[t];
  const Long margin = static_cast<Long>(rounds) * std::sqrt(static_cast<Long>(basis.size())) * std::ldexp(Long(1), -48) +
                     static_cast<Long>(dropped * basis.size()) * std::ldexp(Long(1), -20);
  const Long ratio = std::min<Long>(1, std::sqrt(projection) * (1 + std::ldexp(Long(1), -40)) + margin);
  r.mu = up_to_double(ratio * static_cast<Long>(clip) / static_cast<Long>(sigma));
  r.method = "linear-Gaussian view: mu = (clip/sigma)·|P e_t| over " + std::to_string(basis.size()) +
             " independent messages (Krylov basis in long double, support of " + std::to_string(size) + " members)";
  return r;
}

double epsilon_of_mu(double mu, double delta) {
  if (mu == 0) return 0;
  if (std::isinf(mu)) return kInf;
  return detail::gdp_epsilon(mu, delta);
}

double compose_mu(const std::vector<double>& mus) {
  Long sum = 0;
  for (double m : mus) {
    if (std::isinf(m)) return kInf;
    sum += static_cast<Long>(m) * m;
  }
  return up_to_double(std::sqrt(sum) * (1 + 8 * std::numeric_limits<Long>::epsilon() * static_cast<Long>(mus.size() + 2)));
}

}  // namespace privflow::dp::network
