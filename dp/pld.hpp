#pragma once
// Privacy loss distributions (PLDs): pessimistic discretisation and composition by FFT.
//
// A mechanism's dominating pair (P, Q) is described by the masses that P and Q give to cells
// (a, b] of the privacy loss L = log(dP/dQ). Each grid cell (ε_j, ε_j + h] is replaced by two
// atoms at its end points carrying the same P- and Q-mass ("connect the dots", Doroshenko,
// Ghazi, Kamath, Kumar & Manurangsi 2022): the discrete pair is then more informative than the
// true one (the true pair is a post-processing of it), so every δ(ε) computed from it, and from
// any composition of such pairs, is an upper bound. Mass above the grid goes to loss +∞.
// Composition multiplies discrete Fourier transforms (kissfft, double precision); T-fold
// self-composition raises the spectrum to the power T by repeated squaring; the range of the
// composed loss is bounded by a Chernoff bound on the discretised moment generating function,
// and the mass outside it (≤ 2·tail) is added to δ.
#include <cstdint>
#include <functional>
#include <vector>

#include "base/large_buffer.hpp"

namespace privflow::dp::pld {

/// A discretised PLD: pmf[i] is the P-mass at loss (offset + i)·h; inf_mass the mass at +∞.
struct Pld {
  double h = 1e-4;
  std::int64_t offset = 0;
  LargeVector<double> pmf;  // base/large_buffer.hpp: huge pages, reused (page faults were a third of a cold query)
  double inf_mass = 0;
};

/// The P- and Q-mass of the privacy loss in the cell (a, b] (a may be −∞, b may be +∞;
/// b = +∞ includes the atom at L = +∞ in the P-mass).
struct CellMass {
  double p = 0, q = 0;
  /// A bound on the absolute rounding error of p and of q. The default suits masses that are
  /// differences of values ≤ 1 (9 ulps of 1); a cell function that knows its tails says less.
  double error = 2e-15;
};
using CellFn = std::function<CellMass(double a, double b)>;

/// Which side of the true pair a discretisation lies on.
///  - kPessimistic: connect the dots (above); the discrete pair dominates the true one, so
///    every δ(ε) from it is an upper bound. This is what answers.
///  - kOptimistic: a post-processing of the true pair whose losses lie on the grid (see
///    discretize_optimistic in dp/pld.cpp), so every δ(ε) from it, and from compositions of
///    such pairs, is a lower bound (Blackwell: post-processing never adds information). Only
///    used to certify how far the pessimistic answer can be from the true value.
enum class Side { kPessimistic, kOptimistic };

/// Discretisation of the loss over grid points covering [lo, hi], on the given side.
Pld discretize(const CellFn& cell, double lo, double hi, double h, Side side = Side::kPessimistic);

/// PLDs of single mechanisms (per use). `remove` and `add` directions coincide for the
/// symmetric ones. Losses are truncated where the P-tail is below `tail` (the truncated mass
/// is kept: at the lowest grid point, or at +∞).
Pld gaussian(double z, double h, double tail, Side side = Side::kPessimistic);
Pld laplace(double epsilon, double h, Side side = Side::kPessimistic);
/// Atoms (loss, P-mass); a loss of +∞ is allowed (δ of a declared guarantee).
Pld discrete(const std::vector<std::pair<double, double>>& atoms, double h, Side side = Side::kPessimistic);
Pld randomized_response(double keep, std::uint64_t k, double h, Side side = Side::kPessimistic);
Pld pure(double epsilon, double h, Side side = Side::kPessimistic);  ///< binary RR: dominates any ε-DP
Pld declared(double epsilon, double delta, double h, Side side = Side::kPessimistic);  ///< Kairouz et al. 2015
/// Discrete Gaussian N_Z(0, σ²) against N_Z(Δ, σ²), integer Δ ≥ 1, from its atoms (symmetric:
/// remove = add). P-mass beyond the truncation (at most `tail`) goes to loss +∞; masses are
/// rounded up. All mass at +∞ when it would take more than 2^27 atoms (σ above ~6·10^6): the RDP
/// curve answers then. dp/pld_discrete_gaussian.cpp.
Pld discrete_gaussian(double sigma, std::uint64_t sensitivity, double h, double tail, Side side = Side::kPessimistic);
/// Poisson-subsampled Gaussian, add/remove relation: `remove` = (mixture, N(0,z²)),
/// add = (N(0,z²), mixture) (Zhu, Dong & Wang 2022, Thm 11: these two pairs dominate).
Pld subsampled_gaussian(double z, double q, bool remove, double h, double tail, Side side = Side::kPessimistic);
/// Poisson-subsampled Gaussian, replace-one (substitution) relation, 0 < q < 1: the pair
/// q·N(−1,z²) + (1−q)·N(0,z²) vs q·N(1,z²) + (1−q)·N(0,z²) (Zhu, Dong & Wang 2022), symmetric.
Pld subsampled_gaussian_replace(double z, double q, double h, double tail, Side side = Side::kPessimistic);

/// Poisson-subsampled Laplace of ε at rate q, add/remove relation (dp/subsampled.cpp):
/// `remove` = (q·Lap(0) + (1−q)·Lap(1), Lap(1)), add = its reverse (Zhu, Dong & Wang 2022, Thm 11).
Pld subsampled_laplace(double epsilon, double q, bool remove, double h, Side side = Side::kPessimistic);
/// Poisson-subsampled Laplace of ε at rate q, replace-one, the replace-one sensitivity (1 + c)
/// times the add/remove one: `forward` = (q·Lap(−1) + (1−q)·Lap(0), q·Lap(c) + (1−q)·Lap(0)),
/// else its reverse (dp/subsampled.cpp).
Pld subsampled_laplace_replace(double epsilon, double q, double c, bool forward, double h,
                               Side side = Side::kPessimistic);
/// k-ary randomized response sent with probability q (absence seen, independent of the value):
/// (q·RR(v) + (1−q)·⊥, q·RR(v') + (1−q)·⊥), exact and symmetric (dp/subsampled.cpp).
Pld subsampled_randomized_response(double keep, std::uint64_t k, double q, double h, Side side = Side::kPessimistic);

/// A composed PLD ready for queries.
class Composed {
 public:
  double h = 1e-4;
  std::int64_t offset = 0;
  LargeVector<double> pmf;
  double inf_mass = 0;   ///< ∞-loss mass + truncated tails + FFT round-off bound (all δ)
  double truncated = 0;  ///< of which: mass outside the composed range (Chernoff)
  double roundoff = 0;   ///< of which: FFT round-off (a proven bound on the window's L1 error)
  /// Composed from optimistic parts: truncation and round-off are then subtracted from δ
  /// (inf_mass = true ∞-loss mass − truncated − roundoff), so δ(ε) and ε(δ) are lower bounds.
  bool optimistic = false;

  /// δ(ε) upper bound.
  double delta(double epsilon) const;
  /// Smallest ε ≥ 0 with δ(ε) ≤ delta (up to rounding upward); +∞ if none.
  double epsilon(double delta) const;

  void finalize();  ///< builds the suffix sums used by the queries
 private:
  LargeVector<double> tail_c_;  // C_j = Σ_{k≥j} pmf_k e^{ε_j − ε_k}
  LargeVector<double> tail_d_;  // D_j = A_j − C_j (A_j = Σ_{k≥j} pmf_k) = Σ_{k>j} pmf_k (1 − e^{ε_j − ε_k}), summed without cancelling
};

/// The arithmetic of the FFT composition. kDouble: u = 2^-53. kMixed: the forward transforms
/// and the powers in long double (u = 2^-64), the inverse in double: the bound of the forward
/// side, which grows with the number of uses, 2^11 times smaller, at a fraction of kExtended's
/// time. kExtended: long double throughout, for a small δ that even the inverse's round-off
/// would swallow (about ten times the time of kDouble).
enum class Precision { kDouble, kMixed, kExtended };

/// Composes parts (each used `times` times). All parts must share the grid step h.
/// `optimistic`: the parts are kOptimistic discretisations (see Composed::optimistic).
/// `precision`: the arithmetic of the transforms, whose proven round-off bound is counted in δ.
Composed compose(const std::vector<std::pair<const Pld*, std::uint64_t>>& parts, double tail, bool optimistic = false,
                 Precision precision = Precision::kDouble);
/// Number of grid points the composition of `parts` would need (the memory guard uses it).
double composed_bins(const std::vector<std::pair<const Pld*, std::uint64_t>>& parts, double tail);
/// Composes two lists at once (the remove and add directions), sharing the FFTs (two real
/// sequences packed in one complex transform). Passing the same list twice composes it once.
std::pair<Composed, Composed> compose_pair(const std::vector<std::pair<const Pld*, std::uint64_t>>& first,
                                           const std::vector<std::pair<const Pld*, std::uint64_t>>& second,
                                           double tail, bool optimistic = false, Precision precision = Precision::kDouble);

}  // namespace privflow::dp::pld
