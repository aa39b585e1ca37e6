#pragma once
// Rényi-DP curves of single mechanisms and the RDP → (ε, δ) conversions.
// Every function returns an UPPER bound on the Rényi divergence (or on ε, δ); +∞ is returned
// as std::numeric_limits<double>::infinity() and never NaN. Orders α > 1.
#include <cstdint>
#include <span>
#include <vector>

namespace privflow::dp::rdp {

/// dp_accounting's DEFAULT_RDP_ORDERS (and Opacus's, plus large orders):
/// 1.1, 1.2, …, 10.9, 11, 12, …, 63, 128, 256, 512, 1024.
const std::vector<double>& default_orders();

/// Gaussian mechanism, noise multiplier z: α / (2 z²) (Mironov 2017, Prop. 7). Exact.
double gaussian(double z, double alpha);
/// Laplace mechanism with ε = sensitivity/scale (Mironov 2017, Prop. 6). Exact:
/// ε + log1p((α−1)·expm1((1−2α)ε)/(2α−1))/(α−1).
double laplace(double epsilon, double alpha);
/// k-ary randomized response with keep probability `keep`, pair (true value, another value)
/// (Mironov 2017 Table II generalised): log(keep·e^{(α−1)ε} + r·e^{−(α−1)ε}... )/(α−1). Exact.
double randomized_response(double keep, std::uint64_t k, double alpha);
/// Any ε-DP mechanism: the RDP of binary randomized response with the same ε, which
/// dominates every ε-DP pair (Kairouz–Oh–Viswanath 2015; Mironov 2017 Prop. 5).
double pure(double epsilon, double alpha);
/// Exponential mechanism (ε-bounded range): min(ξ + α ε²/8, pure(ε)) with
/// ξ = ε/expm1(ε) − 1 − log(ε/expm1(ε)) − ε²/8 (Cesar & Rogers 2021, Sec. 3).
double exponential(double epsilon, double alpha);
/// Discrete Gaussian N_Z(0, σ²) with integer sensitivity Δ: α·Δ²/(2σ²), the Gaussian's curve
/// (Canonne, Kamath & Steinke 2020, Prop. 5: equal at integer α, at most that at the others).
double discrete_gaussian(double sigma, std::uint64_t sensitivity, double alpha);
/// ρ-zCDP: ρ·α (Bun & Steinke 2016, Def. 1.1).
double zcdp(double rho, double alpha);
/// Poisson-subsampled Gaussian (rate q, noise multiplier z), add/remove relation:
/// log(A_α)/(α−1) (Mironov, Talwar & Zhang 2019): the exact binomial sum at integer α (Sec. 3.2),
/// and at fractional α the two-sided series of Sec. 3.3 summed with |binomial| coefficients,
/// which over-approximates (as dp_accounting does). +∞ if the series fails to converge.
double subsampled_gaussian(double z, double q, double alpha);
/// The same curve for orders in (1, 2) searched off the grid (dp/rdp_composition.cpp): also the
/// signed series of MTZ 2019 Sec. 3.3 cut where the next binomial coefficient is negative (an
/// upper bound by Taylor's theorem with integral remainder), in long double with its rounding
/// bounded; the smaller. Within 1e-5 of the true curve where the grid's is 6 % (z 1.1, q 0.01)
/// to several times (z 0.5, q 0.5) above it. Other orders: subsampled_gaussian.
double subsampled_gaussian_off_grid(double z, double q, double alpha);
/// Poisson-subsampled Gaussian, replace-one relation (sensitivity 1 = the clip norm): the smaller
/// of the Gaussian with sensitivity 2 (no amplification) and the add/remove curve chained
/// through the dataset without the record (Mironov 2017, Prop. 11, the weak triangle
/// inequality: (α − ½)/(α − 1)·ε(2α) + ε(2α − 1)). An upper bound, looser than the PLD.
double subsampled_gaussian_replace(double z, double q, double alpha);
/// A Gaussian (noise multiplier z relative to its replace-one sensitivity) on a batch drawn
/// without replacement at rate q = B/n, replace-one relation: Wang, Balle & Kasiviswanathan
/// 2019, Thm 9 (their general bound; dp_accounting's SampledWithoutReplacementDpEvent uses the
/// tighter Thm 27, so this is a little above it). A fractional order uses the next whole one.
double sampled_without_replacement_gaussian(double z, double q, double alpha);

/// Poisson-subsampled Laplace (dp/subsampled.cpp): the smaller of the Laplace curve of the inner
/// ε and the pure curve of the amplified ε' = log(1 + q(e^ε − 1)) (Balle, Barthe & Gaboardi
/// 2018, Thm 8). An upper bound, looser than the PLD.
double subsampled_laplace(double inner_epsilon, double amplified_epsilon, double alpha);
/// Randomized response sent with probability q: log(1 − q + q·e^{(α−1)·RR(α)})/(α−1), exact
/// (the pair shares the absent report's atom).
double subsampled_randomized_response(double keep, std::uint64_t k, double q, double alpha);

struct EpsilonAtOrder {
  double epsilon = 0;  ///< +∞ when no order gives a finite bound
  double order = 0;
};
/// Improved conversion (Canonne, Kamath & Steinke 2020, Prop. 12; Balle et al. 2020, Thm 21):
/// ε = min_α r(α) + log1p(−1/α) − log(δ·α)/(α−1), over α > 1.01; and ε = 0 when the KL bound
/// δ ≥ sqrt(1 − e^{−r}) already holds. Rounded up.
EpsilonAtOrder to_epsilon(std::span<const double> orders, std::span<const double> rdp, double delta);

struct DeltaAtOrder {
  double delta = 1;
  double order = 0;
};
/// δ(ε) = min_α exp((α−1)(r(α) − ε + log1p(−1/α)) − log α), also ≤ sqrt(1 − e^{−r})
/// (same references). Rounded up, at most 1.
DeltaAtOrder to_delta(std::span<const double> orders, std::span<const double> rdp, double epsilon);

/// Tail bound of the privacy loss: P[L > ε] ≤ exp((α−1)(r(α) − ε)) (Mironov 2017, Prop. 10 via
/// Markov on e^{(α−1)L}); returns min_α r(α) + log(1/δ)/(α−1), rounded up.
EpsilonAtOrder tail_epsilon(std::span<const double> orders, std::span<const double> rdp, double delta);

}  // namespace privflow::dp::rdp
