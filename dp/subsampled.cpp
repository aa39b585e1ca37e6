// Poisson subsampling of Laplace noise and of randomized response: their PLDs (dp/pld.hpp) and
// RDP curves (dp/rdp.hpp). The subsampled Gaussian has its own (dp/pld.cpp, dp/rdp.cpp).
//
// Laplace, add/remove relation: each record is in the sample with probability q, and the noisy
// query sees only the sample. With (P, Q) the Laplace pair (with the record, without it),
// Zhu, Dong & Wang 2022 ("Optimal accounting of differential privacy via characteristic
// function", Thm 11: Poisson subsampling of any mechanism with a dominating pair) give the
// dominating pairs (q·P + (1−q)·Q, Q) for removal and (Q, q·P + (1−q)·Q) for addition; both
// directions are composed and the larger ε answers. The loss of the first pair is
// g(ℓ) = log(1 − q + q·e^ℓ) of the Laplace loss ℓ, increasing, so its cells are the Laplace
// loss's cells mapped through g; the second's is −g(ℓ). dp_accounting builds the same pairs
// (from_laplace_mechanism with sampling_prob).
//
// Randomized response sent with probability q: a record's report is absent with probability
// 1 − q whatever its value, so the pair is (q·RR(v) + (1−q)·⊥, q·RR(v') + (1−q)·⊥), exactly:
// RR's loss atoms ±ε and 0 with their masses times q, and 1 − q more at loss 0.
#include <algorithm>
#include <cmath>

#include "dp/detail/numeric.hpp"
#include "dp/pld.hpp"
#include "dp/rdp.hpp"

namespace privflow::dp {
namespace {

using detail::kInf;

/// The Laplace pair P = Lap(0, 1/ε), Q = Lap(1, 1/ε) seen through its loss
/// ℓ(x) = ε(|x − 1| − |x|) ∈ [−ε, ε], with atoms at ±ε: cumulative masses of ℓ.
struct LaplaceLoss {
  double eps;
  /// P(ℓ ≤ l) (right-continuous) or P(ℓ < l) (`strict`).
  double p_below(double l, bool strict) const {
    if (strict ? l <= -eps : l < -eps) return 0.0;
    if (strict ? l > eps : l >= eps) return 1.0;
    return 0.5 * std::exp(-0.5 * (1 - l / eps) * eps);
  }
  double q_below(double l, bool strict) const {
    if (strict ? l <= -eps : l < -eps) return 0.0;
    if (strict ? l > eps : l >= eps) return 1.0;
    return 1.0 - 0.5 * std::exp(-0.5 * (1 + l / eps) * eps);
  }
};

/// g(ℓ) = log(1 − q + q·e^ℓ), the subsampled pair's loss at the Laplace loss ℓ.
double mix_loss(double l, double q) { return std::log1p(q * std::expm1(l)); }
/// Its inverse: ℓ = log(1 + (e^L − 1)/q); −∞ at or below the infimum log(1 − q).
double unmix_loss(double loss, double q) {
  if (loss == kInf) return kInf;
  if (loss == -kInf) return -kInf;
  const double r = std::expm1(loss) / q;
  return r > -1 ? std::log1p(r) : -kInf;
}

/// Laplace of ε on a Poisson sample of rate q, replace-one: the record x (in the sample w.p. q)
/// replaced by x'. With Δ = 1 the add/remove sensitivity and 1 + c (c ∈ [0, 1]) the replace-one
/// one, the pair is P = q·Lap(−1) + (1−q)·Lap(0), Q = q·Lap(c) + (1−q)·Lap(0) (scale 1/ε),
/// both directions. c = 1 is dp_accounting's REPLACE pair for a sampled additive mechanism
/// (privacy_loss_mechanism.py, AdditiveNoisePrivacyLoss: q·μ(x + Δ) + (1−q)·μ(x) against
/// q·μ(x − Δ) + (1−q)·μ(x)); c = 0 is the add/remove pair of Zhu, Dong & Wang 2022, Thm 11.
/// Why these means: the rest's output is the shared centre 0, x moves it by a, x' by b with
/// |a|, |b| ≤ 1 and |a − b| ≤ 1 + c; a brute force over that region (tests/dp/data/
/// sampled_laplace_replace_reference.py) finds the largest δ(ε) at (a, b) = (−1, c) or its mirror.
/// The loss L(x) = log(P(x)/Q(x)) is non-increasing: constant for x ≤ −1 and x ≥ c, strictly
/// decreasing between, so {L ≤ l} = [x(l), ∞) with x(l) in closed form on [−1, 0] and [0, c].
struct ReplaceLaplace {
  double eps, q, c;
  double k_left() const { return std::log1p(q * std::expm1(-c * eps)); }   // log(q·e^{−cε} + 1 − q)
  double k_right() const { return std::log1p(q * std::expm1(-eps)); }      // log(q·e^{−ε} + 1 − q)
  double loss_left() const { return std::log1p(q * std::expm1(eps)) - k_left(); }
  double loss_zero() const { return k_right() - k_left(); }
  double loss_right() const { return k_right() - std::log1p(q * std::expm1(c * eps)); }
  /// inf{x : L(x) ≤ l}: −∞ above the largest loss, +∞ below the smallest.
  double x_at(double l) const {
    if (l >= loss_left()) return -kInf;
    if (l < loss_right()) return kInf;
    if (l >= loss_zero()) {
      // On [−1, 0]: e^L = (q·e^{−ε(2x+1)} + 1 − q)/(q·e^{−cε} + 1 − q).
      const double r = (std::exp(l + k_left()) - (1 - q)) / q;
      return r > 0 ? std::clamp((-std::log(r) / eps - 1) / 2, -1.0, 0.0) : 0.0;
    }
    // On [0, c]: e^L = (q·e^{−ε} + 1 − q)/(q·e^{ε(2x−c)} + 1 − q).
    const double r = (std::exp(k_right() - l) - (1 - q)) / q;
    return r > 0 ? std::clamp((std::log(r) / eps + c) / 2, 0.0, c) : 0.0;
  }
  static double laplace_cdf(double x, double mu, double eps) {
    if (x == -kInf) return 0;
    if (x == kInf) return 1;
    const double t = (x - mu) * eps;
    return t < 0 ? 0.5 * std::exp(t) : 1 - 0.5 * std::exp(-t);
  }
  double p_below(double x) const { return q * laplace_cdf(x, -1, eps) + (1 - q) * laplace_cdf(x, 0, eps); }
  double q_below(double x) const { return q * laplace_cdf(x, c, eps) + (1 - q) * laplace_cdf(x, 0, eps); }
};

}  // namespace

namespace pld {

Pld subsampled_laplace(double eps, double q, bool remove, double h, Side side) {
  const LaplaceLoss lap{eps};
  if (remove) {
    // (q·P + (1−q)·Q, Q): L = g(ℓ) ∈ (a, b] ⇔ ℓ ∈ (g⁻¹(a), g⁻¹(b)].
    CellFn cell = [=](double a, double b) {
      const double la = unmix_loss(a, q), lb = unmix_loss(b, q);
      const double dp = std::max(0.0, lap.p_below(lb, false) - lap.p_below(la, false));
      const double dq = std::max(0.0, lap.q_below(lb, false) - lap.q_below(la, false));
      return CellMass{q * dp + (1 - q) * dq, dq};
    };
    return discretize(cell, mix_loss(-eps, q), mix_loss(eps, q), h, side);
  }
  // (Q, q·P + (1−q)·Q): L = −g(ℓ) ∈ (a, b] ⇔ ℓ ∈ [g⁻¹(−b), g⁻¹(−a)).
  CellFn cell = [=](double a, double b) {
    const double lo = unmix_loss(-b, q), hi = unmix_loss(-a, q);
    const double dp = std::max(0.0, lap.p_below(hi, true) - lap.p_below(lo, true));
    const double dq = std::max(0.0, lap.q_below(hi, true) - lap.q_below(lo, true));
    return CellMass{dq, q * dp + (1 - q) * dq};
  };
  return discretize(cell, -mix_loss(eps, q), -mix_loss(-eps, q), h, side);
}

Pld subsampled_laplace_replace(double eps, double q, double c, bool forward, double h, Side side) {
  const ReplaceLaplace pair{eps, q, c};
  const double top = pair.loss_left(), bottom = pair.loss_right();
  if (forward) {
    // (P, Q): L ∈ (a, b] ⇔ x ∈ [x(b), x(a)), L non-increasing in x.
    CellFn cell = [=](double a, double b) {
      const double lo = pair.x_at(b), hi = pair.x_at(a);
      return CellMass{std::max(0.0, pair.p_below(hi) - pair.p_below(lo)),
                      std::max(0.0, pair.q_below(hi) - pair.q_below(lo))};
    };
    return discretize(cell, bottom, top, h, side);
  }
  // (Q, P): the loss is −L; −L ∈ (a, b] ⇔ L ∈ [−b, −a) ⇔ x ∈ (x(−a), x(−b)] (same masses: continuous).
  CellFn cell = [=](double a, double b) {
    const double lo = pair.x_at(-a), hi = pair.x_at(-b);
    return CellMass{std::max(0.0, pair.q_below(hi) - pair.q_below(lo)),
                    std::max(0.0, pair.p_below(hi) - pair.p_below(lo))};
  };
  return discretize(cell, -top, -bottom, h, side);
}

Pld subsampled_randomized_response(double keep, std::uint64_t k, double q, double h, Side side) {
  const double r = (1 - keep) / static_cast<double>(k - 1);
  const double eps = std::log(keep) - std::log(r);
  // The same atoms as pld::randomized_response, times q; the absent report at loss 0.
  std::vector<std::pair<double, double>> atoms{{eps, q * keep}, {-eps, q * r}};
  atoms.push_back({0.0, (k > 2 ? q * (static_cast<double>(k) - 2) * r : 0.0) + (1 - q)});
  return discrete(atoms, h, side);
}

}  // namespace pld

namespace rdp {

double subsampled_laplace(double inner_epsilon, double amplified_epsilon, double alpha) {
  // Sampling never hurts (the Rényi divergence is jointly quasi-convex: the Laplace curve of
  // the inner ε bounds it), and the subsampled mechanism is ε'-DP with ε' the amplified ε
  // (Balle, Barthe & Gaboardi 2018, Thm 8), so its curve is at most pure(ε') (Mironov 2017,
  // Prop. 5 via binary randomized response). Both are upper bounds; the smaller answers.
  return std::min(laplace(inner_epsilon, alpha), pure(amplified_epsilon, alpha));
}

double subsampled_randomized_response(double keep, std::uint64_t k, double q, double alpha) {
  // The pair shares the atom ⊥ (mass 1 − q on both sides), so
  // e^{(α−1)D_α} = q·e^{(α−1)D_α(RR)} + 1 − q exactly; with x = (α−1)·D_α(RR) (an upper
  // bound, and the expression grows with it): log(1 − q + q·e^x)/(α−1).
  const double x = (alpha - 1) * randomized_response(keep, k, alpha);
  if (!std::isfinite(x)) return x;
  const double v = x > 1 ? x + std::log(q + (1 - q) * std::exp(-x)) : std::log1p(q * std::expm1(x));
  return detail::up(v / (alpha - 1), 1e-10);
}

}  // namespace rdp
}  // namespace privflow::dp
