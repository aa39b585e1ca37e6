#pragma once
// Internal to dp/ (not installed): the k-fold composition of one Laplace mechanism, exactly
// (dp/laplace_composition.cpp). Asked by the closed forms (dp/detail/closed_form.hpp) before any
// grid.
#include <cstdint>
#include <optional>
#include <vector>

#include "dp/accountant.hpp"

namespace privflow::dp::detail {

/// The privacy loss of k uses of the Laplace mechanism with ε₀ (under P = Lap(0, b), b = Δ/ε₀)
/// is a sum of k independent copies of: +ε₀ with probability 1/2, −ε₀ with probability
/// e^{−ε₀}/2, and on (−ε₀, ε₀) the density ¼·e^{(l − ε₀)/2}. Its law is a finite sum of point
/// masses at multiples of ε₀ and, between them, e^{s/2} times a polynomial of degree < k: both
/// are kept exactly (Bernstein coefficients, positive, so no cancellation) through the k
/// convolutions, and δ(ε) = E[(1 − e^{ε − L})₊] is then a finite sum.
class LaplaceComposition {
 public:
  /// nullopt when ε₀ or k is out of the range this is built for (kMaxUses, k·ε₀ ≤ 1000).
  static std::optional<LaplaceComposition> make(double eps0, std::uint64_t uses);
  static constexpr std::uint64_t kMaxUses = 150;

  /// δ(ε), rounded up (the margin of the error analysis in the .cpp added).
  double delta(double epsilon) const;
  /// The smallest ε (to a relative 1e-13, rounded up) with delta(ε) ≤ δ.
  double epsilon(double delta) const;
  double eps0() const { return eps0_; }
  std::uint64_t uses() const { return uses_; }

 private:
  using Long = long double;
  struct Sums {  // δ's two positive parts above ε
    Long plus = 0, minus = 0;
  };
  Sums sums_above(Long epsilon) const;

  double eps0_ = 0;
  std::uint64_t uses_ = 0;
  Long margin_ = 0;                        // relative error bound of each positive part
  std::vector<Long> atoms_;                // m = −k..k: P[L = mε₀]·e^{−mε₀/2}
  std::vector<std::vector<Long>> pieces_;  // j = −k..k−1: Bernstein coefficients on [jε₀, (j+1)ε₀]
  std::vector<Long> up_integrals_, down_integrals_;  // ∫₀¹ B_{i,k−1}(u)·e^{±ε₀u/2} du
  std::vector<Long> whole_plus_, whole_minus_;        // suffix sums over whole pieces j..k−1
};

/// When every part is a plain Laplace mechanism with one common ε₀, at most kMaxUses uses.
std::optional<LaplaceComposition> laplace_composition(const std::vector<Mechanism>& parts);

}  // namespace privflow::dp::detail
