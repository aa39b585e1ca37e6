#pragma once
// The error of a noisy release (issue #22, docs/concepts.md "The error of a release"): the
// noise's standard deviation and the half-width w of the interval that holds the error with
// probability at least 1 − β, for the noise distributions of the catalogue. Each half-width is
// exact for its distribution and rounded UP (a too-small error figure is optimistic advice);
// each standard deviation is rounded up too.
#include <cstdint>

namespace privflow::dp::error {

struct Figure {
  double sd = 0;          // standard deviation of the error (upper bound)
  double half_width = 0;  // P(|error| > half_width) ≤ β
};

/// Laplace noise of scale b: sd √2·b; P(|X| > w) = e^{−w/b}, so w = b·ln(1/β).
Figure laplace(double scale, double beta);
/// Gaussian noise N(0, σ²): sd σ; w = σ·Φ⁻¹(1 − β/2) (Boost.Math's normal quantile).
Figure gaussian(double sigma, double beta);
/// The two-sided geometric distribution P(k) ∝ α^|k|, α = e^{−ε/Δ} (Ghosh, Roughgarden &
/// Sundararajan 2009): Var = 2α/(1 − α)²; P(|X| > k) = 2α^{k+1}/(1 + α), so the least whole
/// k with 2α^{k+1}/(1 + α) ≤ β.
Figure geometric(double epsilon_over_sensitivity, double beta);
/// The discrete Gaussian N_Z(0, σ²) (Canonne, Kamath & Steinke 2020): the variance and the least
/// whole w with P(|X| > w) ≤ β, by summing the mass exactly (σ ≤ 10⁴); beyond, their
/// Proposition 19 (Var ≤ σ²) and Proposition 25 (P(X ≥ m) ≤ P(N(0, σ²) ≥ m − 1)) bound both.
Figure discrete_gaussian(double sigma, double beta);

/// A frequency oracle's estimate of one value's frequency (fraction of n reports), from the
/// probabilities that a report supports the value when its sender holds it (s_t) and when she
/// holds another (s_o). Wang, Blocki, Li & Jha 2017 (USENIX Security), Theorem 2: the count's
/// variance n·s_o(1 − s_o)/(s_t − s_o)² + c·(1 − s_t − s_o)/(s_t − s_o); the sd here is its
/// worst case over the true count c ∈ [0, n], divided by n. The half-width is Bernstein's
/// inequality for the n independent reports (each moves the estimate by at most 1/(n(s_t − s_o))):
/// sound for every n, where the normal approximation z·sd is not.
Figure frequency(double support_true, double support_other, double n, double beta);

/// Φ⁻¹(1 − β/2), rounded up.
double two_sided_normal_quantile(double beta);

}  // namespace privflow::dp::error
