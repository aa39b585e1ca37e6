// A certified upper bound on how slowly the lazy random walk of a stored graph (random_regular,
// edges) mixes: its second eigenvalue λ* (dp/network.hpp, certified_lazy_walk). The bound is a
// computed eigendecomposition plus a residual enclosure of every eigenvalue, each rounding error
// bounded and added, so the λ* returned is never below the true one.
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "dp/network.hpp"

namespace privflow::dp::network {

namespace {

using DenseMatrix = Eigen::MatrixXd;

constexpr double kRoundoff = std::numeric_limits<double>::epsilon() / 2;  // u = 2^-53, round to nearest

/// γ_k = k·u/(1 − k·u) (Higham 2002, Lemma 3.1): the relative error of a k-term dot product.
long double dot_error(std::size_t k) {
  const long double ku = static_cast<long double>(k) * kRoundoff;
  return ku / (1 - ku);
}

/// A computed Frobenius norm raised to a bound on the exact one of the same stored matrix: its
/// n² squares and sums err by at most (n² + 2)·u relative, below 2^-21 for n ≤ 65536.
long double frobenius_up(const DenseMatrix& m) {
  return static_cast<long double>(m.norm()) * (1 + std::ldexp(1.0L, -20));
}

bool all_reachable(const Graph& graph) {
  const std::uint64_t n = graph.size();
  std::vector<char> seen(n, 0);
  std::deque<std::uint64_t> queue{0};
  seen[0] = 1;
  std::uint64_t reached = 1;
  while (!queue.empty()) {
    const std::uint64_t u = queue.front();
    queue.pop_front();
    for (auto v : graph.neighbours(u))
      if (!seen[v]) seen[v] = 1, ++reached, queue.push_back(v);
  }
  return reached == n;
}

/// The upper bound on the largest eigenvalue of the symmetric M = N − u·uᵀ, where
/// N = D^{-1/2}·Adj·D^{-1/2} and u = D^{1/2}·1/√(2|E|) is N's eigenvector of eigenvalue 1: M has
/// the eigenvalues 0 (on u) and λ_2 … λ_n of N, so the bound is ≥ max(λ_2(N), 0).
///  - M is stored as M̃ = M + F, each entry rounded a few times: |F_ij| ≤ 8u·(|N_ij| + u_i·u_j),
///    so ‖F‖₂ ≤ ‖F‖_F ≤ 8u·(‖N‖_F + 1) ≤ 8u·(√n + 1) (Σ_j N_ij² ≤ Σ_{j~i} 1/d_i = 1); by Weyl's
///    inequality the eigenvalues of M and M̃ differ by at most that.
///  - Eigen computes M̃ ≈ V·Θ·Vᵀ. With R = M̃·V − V·Θ exactly, M̃ = V(Θ + V⁻¹R)V⁻¹, so every
///    eigenvalue of M̃ lies within ‖V⁻¹R‖₂ ≤ ‖R‖₂/σ_min(V) of some θ_j (Bauer–Fike 1960 for the
///    diagonal Θ, whose eigenvector matrix is I); σ_min(V)² ≥ 1 − ‖VᵀV − I‖₂.
///  - R and VᵀV − I are computed in double: each entry errs by at most 2γ_{n+1} times the same
///    sum of absolute values (Higham 2002, Sec. 3.5), whose Frobenius norm is at most
///    ‖M̃‖_F·‖V‖_F + max|θ|·‖V‖_F (resp. ‖V‖_F² + √n), plus u for the final subtraction.
long double certified_top(const Graph& graph, std::uint64_t edge_ends) {
  const std::size_t n = graph.size();
  std::vector<double> root(n);
  for (std::size_t i = 0; i < n; ++i) root[i] = std::sqrt(static_cast<double>(graph.degree(i)));
  const double total = static_cast<double>(edge_ends);
  DenseMatrix m(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) m(i, j) = -(root[i] * root[j]) / total;
  for (std::size_t i = 0; i < n; ++i)
    for (auto j : graph.neighbours(i)) m(i, j) += 1 / (root[i] * root[j]);
  Eigen::SelfAdjointEigenSolver<DenseMatrix> eig(m);
  if (eig.info() != Eigen::Success) return 1;
  const DenseMatrix& v = eig.eigenvectors();
  const Eigen::VectorXd& theta = eig.eigenvalues();
  const DenseMatrix residual = m * v - v * theta.asDiagonal();
  const DenseMatrix gram = v.transpose() * v - DenseMatrix::Identity(n, n);
  const long double u = kRoundoff, g = dot_error(n + 1), norm_v = frobenius_up(v), norm_m = frobenius_up(m);
  const long double theta_abs = std::max(std::abs(theta.maxCoeff()), std::abs(theta.minCoeff()));
  // Eigen may fuse the subtraction into the product (one (n + 1)-term sum per entry) or not (a
  // rounded product, then a rounded difference): 2γ_{n+1} and the factor 1 + u cover both.
  const long double root_n = std::sqrt(static_cast<long double>(n));
  const long double r = frobenius_up(residual) * (1 + u) + 2 * g * (norm_m + theta_abs) * norm_v;
  const long double omega =
      (frobenius_up(gram) * (1 + u) + 2 * g * (norm_v * norm_v + root_n)) * (1 + std::ldexp(1.0L, -20));
  if (!(omega < 0.5L)) return 1;  // the computed basis is too far from orthonormal to vouch for
  const long double stored = 8 * u * (root_n + 1);
  return static_cast<long double>(theta.maxCoeff()) + r / std::sqrt(1 - omega) + stored;
}

}  // namespace

WalkSpectrum certified_lazy_walk(const Graph& graph) {
  WalkSpectrum out;
  const std::uint64_t n = graph.size();
  std::uint64_t edge_ends = 0, least = UINT64_MAX;
  for (std::uint64_t i = 0; i < n; ++i) {
    edge_ends += graph.degree(i);
    least = std::min(least, graph.degree(i));
  }
  if (least == 0) {
    out.reason = "a member has no neighbour: its reports never move";
    return out;
  }
  if (!all_reachable(graph)) {
    out.reason = "the graph is not connected: a report never leaves its part";
    return out;
  }
  if (n > kMaxCertifiedSpectrum) {
    out.reason = "the spectrum is certified for graphs of at most " + std::to_string(kMaxCertifiedSpectrum) +
                 " members (a dense eigendecomposition), not " + std::to_string(n);
    return out;
  }
  // π(x) = deg x / 2|E|, so 1/π_min = 2|E|/d_min: exact when d_min divides 2|E| (below 2^53), else rounded up.
  const double quotient = static_cast<double>(edge_ends) / static_cast<double>(least);
  out.inv_pi_min = edge_ends % least == 0 ? quotient : std::nextafter(quotient, HUGE_VAL);
  // The lazy walk (I + D⁻¹Adj)/2 is similar to (I + N)/2: eigenvalues (1 + λ_i)/2 ∈ [0, 1], the
  // second largest (1 + λ_2)/2 ≤ (1 + the bound)/2; raised by 2^-50 more for the last operations.
  const long double top = certified_top(graph, edge_ends);
  const long double lambda = (1 + std::max(0.0L, top)) / 2 + std::ldexp(1.0L, -50);
  if (!(lambda < 1)) {
    out.reason = "the certified bound on the walk's second eigenvalue is not below 1";
    return out;
  }
  out.lambda = std::nextafter(static_cast<double>(lambda), HUGE_VAL);  // the nearest double, then up
  out.certified = out.lambda < 1;
  if (!out.certified) out.reason = "the certified bound on the walk's second eigenvalue is not below 1";
  return out;
}

}  // namespace privflow::dp::network
