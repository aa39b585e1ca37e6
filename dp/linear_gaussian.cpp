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

/// Vectors of the gossip support, each with the length of the prefix beyond which it vanishes:
/// the support is stored in breadth-first order from the coalition's honest neighbours, so a
/// vector of Krylov level k (W^k applied to them, then orthogonalised against lower levels) is
/// zero beyond the members within k hops, and every loop stops there (the entries it skips are
/// exact zeros, which add nothing).
struct Basis {
  std::vector<std::vector<Long>> vectors;
  std::vector<std::size_t> length;
  std::size_t size() const { return vectors.size(); }
  void push(std::vector<Long> v, std::size_t len) {
    vectors.push_back(std::move(v));
    length.push_back(len);
  }
};

Long squared_norm(const std::vector<Long>& w, std::size_t len) {
  Long s0 = 0, s1 = 0;
  std::size_t i = 0;
  for (; i + 2 <= len; i += 2) s0 += w[i] * w[i], s1 += w[i + 1] * w[i + 1];
  if (i < len) s0 += w[i] * w[i];
  return s0 + s1;
}

/// c[j] = ⟨q_j, w⟩ for every basis vector, four at a time (w read once for four, and four
/// independent sums keep the long double unit busy).
void coefficients(const std::vector<Long>& w, const Basis& basis, std::vector<Long>& c) {
  const std::size_t b = basis.size();
  c.assign(b, 0);
  std::size_t j = 0;
  for (; j + 4 <= b; j += 4) {
    const Long *q0 = basis.vectors[j].data(), *q1 = basis.vectors[j + 1].data(), *q2 = basis.vectors[j + 2].data(),
               *q3 = basis.vectors[j + 3].data();
    const std::size_t len = std::max({basis.length[j], basis.length[j + 1], basis.length[j + 2], basis.length[j + 3]});
    Long a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (std::size_t i = 0; i < len; ++i) {
      const Long x = w[i];
      a0 += q0[i] * x, a1 += q1[i] * x, a2 += q2[i] * x, a3 += q3[i] * x;
    }
    c[j] = a0, c[j + 1] = a1, c[j + 2] = a2, c[j + 3] = a3;
  }
  for (; j < b; ++j) {
    const Long* q = basis.vectors[j].data();
    Long a = 0;
    for (std::size_t i = 0; i < basis.length[j]; ++i) a += q[i] * w[i];
    c[j] = a;
  }
}

/// w −= Σ c[j]·q_j, four basis vectors a sweep.
void subtract(std::vector<Long>& w, const Basis& basis, const std::vector<Long>& c) {
  const std::size_t b = basis.size();
  std::size_t j = 0;
  for (; j + 4 <= b; j += 4) {
    const Long *q0 = basis.vectors[j].data(), *q1 = basis.vectors[j + 1].data(), *q2 = basis.vectors[j + 2].data(),
               *q3 = basis.vectors[j + 3].data();
    const std::size_t len = std::max({basis.length[j], basis.length[j + 1], basis.length[j + 2], basis.length[j + 3]});
    const Long c0 = c[j], c1 = c[j + 1], c2 = c[j + 2], c3 = c[j + 3];
    for (std::size_t i = 0; i < len; ++i) w[i] -= c0 * q0[i] + c1 * q1[i] + c2 * q2[i] + c3 * q3[i];
  }
  for (; j < b; ++j) {
    const Long* q = basis.vectors[j].data();
    for (std::size_t i = 0; i < basis.length[j]; ++i) w[i] -= c[j] * q[i];
  }
}

/// Orthogonalises w (zero beyond len, len at least every basis vector's length) against the
/// basis twice by classical Gram–Schmidt — every coefficient of a pass from the same w, then
/// one subtraction — and returns its remaining length. CGS2, "twice is enough": the result is
/// orthogonal to the basis to working precision (Giraud, Langou, Rozložník & van den Eshof 2005,
/// Numer. Math. 101, the analysis of exactly this process).
Long orthogonalise(std::vector<Long>& w, std::size_t len, const Basis& basis, std::vector<Long>& scratch) {
  for (int pass = 0; pass < 2; ++pass) {
    coefficients(w, basis, scratch);
    subtract(w, basis, scratch);
  }
  return std::sqrt(squared_norm(w, len));
}

/// The members gossip can reach: within rounds − 1 hops of an honest neighbour of the coalition,
/// in breadth-first order: the members within d hops of the starts are the first level_end[d].
struct Support {
  std::vector<std::uint64_t> members;                  // local index → member
  std::unordered_map<std::uint64_t, std::size_t> index;  // member → local index
  std::vector<std::size_t> level_end;
  /// The prefix holding the members within d hops.
  std::size_t within(std::uint64_t d) const { return d < level_end.size() ? level_end[d] : members.size(); }
};

Support reachable(const Graph& g, const std::vector<std::uint64_t>& starts, std::uint64_t depth) {
  Support s;
  std::vector<std::uint64_t> frontier = starts;
  for (auto m : starts) s.index.emplace(m, s.members.size()), s.members.push_back(m);
  s.level_end.push_back(s.members.size());
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
    s.level_end.push_back(s.members.size());
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

/// W·q for q zero beyond len (the result is zero beyond the members one hop further).
std::vector<Long> apply_gossip(const LocalGossip& w, const std::vector<Long>& q, std::size_t len) {
  std::vector<Long> out(q.size(), 0);
  for (std::size_t a = 0; a < len; ++a) {
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
  Basis basis;
  std::vector<Long> scratch;
  for (auto j : start_list) {
    std::vector<Long> e(size, 0);
    e[support.index.at(j)] = 1;
    basis.push(std::move(e), support.within(0));
  }
  const LocalGossip local = local_gossip(g, support);
  for (std::uint64_t k = 1, begin = 0; k < rounds; ++k) {
    const std::size_t end = basis.size(), len = support.within(k);
    for (std::size_t i = begin; i < end; ++i) {
      std::vector<Long> w = apply_gossip(local, basis.vectors[i], basis.length[i]);
      const Long norm = orthogonalise(w, len, basis, scratch);
      if (norm <= std::ldexp(Long(1), -50)) continue;
      for (std::size_t a = 0; a < len; ++a) w[a] /= norm;
      basis.push(std::move(w), len);
    }
    if (basis.size() == end) break;  // the space is invariant: later rounds add nothing
    begin = end;
  }
  const std::size_t krylov = basis.size();
  // The coalition knows its own coordinates: e_t is projected onto span{e_c} + span(basis).
  // Either the coalition's coordinate vectors are orthogonalised against the (orthonormal)
  // basis and appended — e_t ⊥ e_c, so ‖P e_t‖² = Σ q[t]² over the extended basis; one vector
  // per colluder, the cheaper way for a few colluders — or the basis is projected onto the
  // honest coordinates (the coalition's removed) and orthonormalised again, one vector per
  // message, the cheaper way for many. Either way the two spans are joined in some order, and
  // a vector left shorter than 2^-45 lies inside the span before it up to rounding (the exact
  // case: the messages determine a colluder's own value) and is dropped; the kept vectors are
  // at least 2^-25 long, so a dropped one moves the projection by at most 2^-45·2^25 per vector
  // orthogonalised after it (added below: dropped·joined·2^-20, joined the vectors of the join —
  // the colluders' or the messages'). Between the two the direction is not trustworthy, and the
  // answer falls back to local DP (sound: μ ≤ clip/σ always).
  std::vector<std::size_t> coalition_local;
  for (auto c : coalition)
    if (auto it = support.index.find(c); it != support.index.end()) coalition_local.push_back(it->second);
  std::size_t dropped = 0, joined = krylov;
  Long projection = 0;
  const std::string ill_conditioned =
      "gossip view too ill-conditioned to separate from the coalition's own coordinates: local DP bound mu = clip/sigma";
  if (2 * coalition_local.size() <= krylov) {
    joined = coalition_local.size();
    for (auto a : coalition_local) {
      std::vector<Long> e(size, 0);
      e[a] = 1;
      const Long norm = orthogonalise(e, size, basis, scratch);
      if (norm <= std::ldexp(Long(1), -45)) {
        ++dropped;
        continue;
      }
      if (norm < std::ldexp(Long(1), -25)) return exact_ldp(sigma, clip, ill_conditioned, r.messages_seen);
      for (auto& x : e) x /= norm;
      basis.push(std::move(e), size);
    }
    for (const auto& q : basis.vectors) projection += q[t] * q[t];
  } else {
    Basis honest;
    for (std::size_t i = 0; i < krylov; ++i) {
      std::vector<Long> q = basis.vectors[i];
      for (auto a : coalition_local) q[a] = 0;
      const Long norm = orthogonalise(q, basis.length[i], honest, scratch);
      if (norm <= std::ldexp(Long(1), -45)) {
        ++dropped;
        continue;
      }
      if (norm < std::ldexp(Long(1), -25)) return exact_ldp(sigma, clip, ill_conditioned, r.messages_seen);
      for (auto& x : q) x /= norm;
      honest.push(std::move(q), basis.length[i]);
    }
    for (const auto& q : honest.vectors) projection += q[t] * q[t];
  }
  const Long margin = static_cast<Long>(rounds) * std::sqrt(static_cast<Long>(krylov)) * std::ldexp(Long(1), -48) +
                     static_cast<Long>(dropped * joined) * std::ldexp(Long(1), -20);
  const Long ratio = std::min<Long>(1, std::sqrt(projection) * (1 + std::ldexp(Long(1), -40)) + margin);
  r.mu = up_to_double(ratio * static_cast<Long>(clip) / static_cast<Long>(sigma));
  r.method = "linear-Gaussian view: mu = (clip/sigma)·|P e_t| over " + std::to_string(krylov) +
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
