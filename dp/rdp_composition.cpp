// The RDP accountant of a Composition: the per-part curves, their sum, and ε at δ.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"
#include "dp/rdp.hpp"

namespace privflow::dp::detail {

namespace {

/// The Laplace whose curve bounds a sampled Laplace's (sampling never hurts, joint
/// quasi-convexity): its own ε, or under replace-one the replace-one sensitivity's (1 + c)·ε.
double laplace_inner(const Mechanism& m) {
  if (m.neighbouring != Neighbouring::kReplace) return m.inner_epsilon;
  return detail::up(m.inner_epsilon * (1 + m.replace_shift), 1e-15);
}

/// One DP-SGD step at order a. The noise multiplier is relative to the clip norm. Fixed-size
/// batches: the batch's sum moves by up to 2 clip norms when a drawn record is swapped for
/// another, so the step is the Poisson pair at z/2 (joint convexity over the other drawn
/// records; rate B/n ≥ B/(n+1) under add/remove); under replace, also Wang, Balle &
/// Kasiviswanathan 2019 (Thm 9) with sensitivity 2: the smaller.
/// `off_grid`: an order searched continuously, where the add/remove curve is the tighter one of
/// rdp::subsampled_gaussian_off_grid (the grid keeps dp_accounting's curve and answers).
double subsampled_gaussian_rdp(const Mechanism& m, double a, bool off_grid = false) {
  const double z = m.noise_multiplier, q = m.sampling_rate;
  const bool replace = m.neighbouring == Neighbouring::kReplace;
  auto add_remove = [&](double noise) {
    return off_grid ? rdp::subsampled_gaussian_off_grid(noise, q, a) : rdp::subsampled_gaussian(noise, q, a);
  };
  if (m.sampling == Sampling::kPoisson) return replace ? rdp::subsampled_gaussian_replace(z, q, a) : add_remove(z);
  if (!replace) return add_remove(z / 2);
  return std::min(rdp::sampled_without_replacement_gaussian(z / 2, q, a), rdp::subsampled_gaussian_replace(z / 2, q, a));
}

/// RDP curve of one use of `m` on the default orders. Declared δ is handled separately.
std::vector<double> rdp_curve(const Mechanism& m) {
  const auto& orders = rdp::default_orders();
  std::vector<double> out(orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const double a = orders[i];
    double v = kInf;
    switch (m.kind) {
      case MechanismKind::kLaplace: v = rdp::laplace(m.epsilon, a); break;
      case MechanismKind::kGeometric:  // its loss takes the two values ±ε with RR weights
      case MechanismKind::kDeclared: v = rdp::pure(m.epsilon, a); break;
      case MechanismKind::kExponential: v = rdp::exponential(m.epsilon, a); break;
      case MechanismKind::kGaussian: v = rdp::gaussian(m.noise_multiplier, a); break;
      case MechanismKind::kRandomizedResponse: v = rdp::randomized_response(m.keep, m.values, a); break;
      case MechanismKind::kZcdp: v = rdp::zcdp(m.rho, a); break;
      case MechanismKind::kDiscreteGaussian: v = rdp::discrete_gaussian(m.sigma, m.shift, a); break;
      case MechanismKind::kSubsampledGaussian:
        v = subsampled_gaussian_rdp(m, a);
        break;
      case MechanismKind::kSubsampledLaplace: v = rdp::subsampled_laplace(laplace_inner(m), m.epsilon, a); break;
      case MechanismKind::kSubsampledRandomizedResponse:
        v = rdp::subsampled_randomized_response(m.keep, m.values, m.sampling_rate, a);
        break;
    }
    out[i] = v;
  }
  return out;
}

/// RDP of one use of `m` at any order α > 1 when it has a closed form there (every kind but the
/// subsampled Gaussian, whose series is for the grid); nullopt otherwise.
std::optional<double> rdp_at(const Mechanism& m, double a) {
  switch (m.kind) {
    case MechanismKind::kLaplace: return rdp::laplace(m.epsilon, a);
    case MechanismKind::kGeometric:
    case MechanismKind::kDeclared: return rdp::pure(m.epsilon, a);
    case MechanismKind::kExponential: return rdp::exponential(m.epsilon, a);
    case MechanismKind::kGaussian: return rdp::gaussian(m.noise_multiplier, a);
    case MechanismKind::kRandomizedResponse: return rdp::randomized_response(m.keep, m.values, a);
    case MechanismKind::kZcdp: return rdp::zcdp(m.rho, a);
    case MechanismKind::kDiscreteGaussian: return rdp::discrete_gaussian(m.sigma, m.shift, a);
    case MechanismKind::kSubsampledGaussian: return std::nullopt;
    case MechanismKind::kSubsampledLaplace: return rdp::subsampled_laplace(laplace_inner(m), m.epsilon, a);
    case MechanismKind::kSubsampledRandomizedResponse:
      return rdp::subsampled_randomized_response(m.keep, m.values, m.sampling_rate, a);
  }
  return std::nullopt;
}

/// Grid answers below this ε are refined by the continuous order search.
constexpr double kContinuousBelow = 0.1;

/// True when rdp_at reproduces rdp_curve on the whole grid: the continuous search then uses
/// the same curve the grid does (whatever the neighbouring relation does to it).
bool smooth(const Mechanism& m, const std::vector<double>& curve) {
  const auto& orders = rdp::default_orders();
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const auto v = rdp_at(m, orders[i]);
    if (!v || *v != curve[i]) return false;
  }
  return true;
}

/// RDP of one use of `m` at an order α > 1 off the grid: rdp_at, and a DP-SGD step's own curve
/// (valid at any order, but a whole order loops α times: only for orders near 1).
double rdp_any_order(const Mechanism& m, double a) {
  if (m.kind == MechanismKind::kSubsampledGaussian) return subsampled_gaussian_rdp(m, a, true);
  return *rdp_at(m, a);
}

/// The conversion of Canonne, Kamath & Steinke 2020 (Prop. 12) at one order α, with the
/// KL / total-variation shortcut of rdp::to_epsilon; +∞ when the curve is infinite there. An
/// absolute margin of 8 ulps of the terms covers the cancellation between them (tiny ε).
double converted(const std::vector<Mechanism>& parts, double a, double delta) {
  double r = 0;
  for (const auto& m : parts) r += static_cast<double>(m.times) * rdp_any_order(m, a);
  if (!(r < kInf)) return kInf;
  // KL ≤ r(α): total variation ≤ √(KL/2) (Pinsker) and ≤ √(1 − e^{−KL}) (Bretagnolle–Huber).
  if (delta * delta + std::expm1(-r) > 0 || delta * delta >= r / 2) return 0;
  const double t1 = std::log1p(-1 / a), t2 = std::log(delta * a) / (a - 1);
  const double e = r + t1 - t2;
  return e + 8 * std::numeric_limits<double>::epsilon() * (r + std::abs(t1) + std::abs(t2));
}

/// The order searched continuously: a scan of log(α − 1) over [low, high] (by default α from
/// 1.001 to 10^15, where tiny ε needs orders far above the grid's 1024: zCDP ρ = 10^-10 wants
/// α ≈ 3·10^5), then a golden-section search around the best point. Any order gives a valid bound.
rdp::EpsilonAtOrder continuous_order(const std::vector<Mechanism>& parts, double delta, double low = -7, double high = 35) {
  auto f = [&](double t) { return converted(parts, 1 + std::exp(t), delta); };
  constexpr double kStep = 0.25;
  double best_t = low, best = f(low);
  for (double t = low + kStep; t <= high; t += kStep) {
    const double v = f(t);
    if (v < best) best = v, best_t = t;
  }
  double lo = best_t - kStep, hi = best_t + kStep;
  const double g = (std::sqrt(5.0) - 1) / 2;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = f(x1), f2 = f(x2);
  for (int i = 0; i < 60; ++i) {
    if (f1 < f2) hi = x2, x2 = x1, f2 = f1, x1 = hi - g * (hi - lo), f1 = f(x1);
    else lo = x1, x1 = x2, f1 = f2, x2 = lo + g * (hi - lo), f2 = f(x2);
  }
  if (f1 < best) best = f1, best_t = x1;
  if (f2 < best) best = f2, best_t = x2;
  return {best, 1 + std::exp(best_t)};
}

}  // namespace

RdpState rdp_state(const std::vector<Mechanism>& parts) {
  RdpState s;
  s.curve.assign(rdp::default_orders().size(), 0.0);
  double log_keep = 0;
  bool all_smooth = true;
  for (const auto& m : parts) {
    const auto c = rdp_curve(m);
    all_smooth = all_smooth && smooth(m, c);
    for (std::size_t i = 0; i < c.size(); ++i) s.curve[i] += static_cast<double>(m.times) * c[i];
    if (m.kind == MechanismKind::kDeclared && m.delta > 0)
      log_keep += static_cast<double>(m.times) * std::log1p(-m.delta);
  }
  s.extra_delta = std::min(1.0, detail::up(-std::expm1(log_keep), 1e-12));
  if (all_smooth) s.smooth_parts = parts;
  s.parts = parts;
  return s;
}

EpsilonResult rdp_epsilon(const RdpState& s, double delta) {
  // (ε, δ_rdp) for the rest and δ_extra for declared parts: 1 − (1−δ_rdp)(1−δ_extra) ≤ δ.
  const double eff = -std::expm1(std::log1p(-delta) - std::log1p(-s.extra_delta));
  if (!(eff > 0)) return infinite_result(delta, Accountant::kRdp, "rdp: delta is not above the declared deltas");
  auto c = rdp::to_epsilon(rdp::default_orders(), s.curve, eff);
  // The continuous search is for tiny ε, where the best order lies far beyond the grid's 1024;
  // at larger ε the grid is within a few per cent and keeps dp_accounting's orders and answers.
  if (!s.smooth_parts.empty() && c.epsilon < kContinuousBelow) {
    const auto refined = continuous_order(s.smooth_parts, eff);
    // Only a real gain replaces the grid's answer (tiny ε: 0.0035 → 0 for zCDP ρ = 1e-10); below
    // 0.1 % the grid order is kept, so answers and their orders stay those of dp_accounting.
    if (refined.epsilon < c.epsilon * (1 - 1e-3)) c = {detail::up(std::max(refined.epsilon, 0.0), 1e-10), refined.order};
  }
  // Huge compositions (10^12 DP-SGD steps: ε ≈ T·KL) want orders far closer to 1 than the grid's
  // first, 1.1 (16 % above the best bound there, issue #17), and the grid's DP-SGD curve below 2
  // is loose (its |binomial| series, or the chord to order 2): when the grid picks an order
  // below 2, orders from 1 + 1e-9 to 2 are searched too (DP-SGD by the signed series, dp/rdp.cpp).
  if (c.epsilon > 0 && c.order < 2 && !s.parts.empty()) {
    const auto below = continuous_order(s.parts, eff, -21, 0);
    if (below.epsilon < c.epsilon * (1 - 1e-3)) c = {detail::up(std::max(below.epsilon, 0.0), 1e-10), below.order};
  }
  if (std::isinf(c.epsilon)) return infinite_result(delta, Accountant::kRdp, "rdp: no order gives a finite bound");
  EpsilonResult r;
  r.value = c.epsilon;
  r.delta = delta;
  r.accountant = Accountant::kRdp;
  r.order = c.order;
  // An order near 1 by its distance to 1 (four digits of 1.0004234 would say "1").
  const std::string order_words = c.order < 1.01 ? "1 + " + format_general(c.order - 1) : format_general(c.order);
  r.how = "rdp, optimal order " + order_words + " (conversion of Canonne-Kamath-Steinke 2020)";
  if (s.extra_delta > 0) r.how += ", declared delta " + format_general(s.extra_delta) + " set aside";
  return r;
}

}  // namespace privflow::dp::detail
