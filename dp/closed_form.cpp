// Exact answers for compositions with a closed form (dp/detail/closed_form.hpp), asked before any
// grid. Arithmetic is in long double (x87: 64-bit mantissa, exponent to ±4932), so Φ of every
// argument that matters for a double δ is a normal number and e^ε never overflows; each result
// carries an explicit error margin far above the accumulated rounding and is rounded up.
#include "dp/detail/closed_form.hpp"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <utility>

#include "dp/detail/composition.hpp"
#include "dp/detail/laplace_composition.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp::detail {

namespace {

using Long = long double;
constexpr Long kUnit = std::numeric_limits<Long>::epsilon();  // 2^-63
constexpr Long kSqrtHalf = 0.707106781186547524400844362104849039L;
constexpr Long kInvSqrt2Pi = 0.398942280401432677939946059934381868L;

Long std_normal_density(Long x) { return kInvSqrt2Pi * std::exp(-0.5L * x * x); }

/// e^ε·b without overflow (b ≥ 0; e^ε alone overflows beyond ε ≈ 11356).
Long times_exp(Long b, Long eps) { return b > 0 ? std::exp(eps + std::log(b)) : 0; }

/// Mills ratio R(y) = Φ(−y)/φ(y) for y ≥ 0, from below (the caller subtracts it). Beyond 100 the
/// asymptotic series 1/y·Σ (−1)^n (2n−1)!!/y^{2n} stopped after a negative term (n = 5): an
/// alternating series with falling terms, so the partial sum is below R, by ≤ 10395/y^13.
Long mills_ratio_below(Long y) {
  if (y < 100) return 0.5L * std::erfc(y * kSqrtHalf) / std_normal_density(y);
  const Long inv2 = 1 / (y * y);
  Long term = 1, sum = 1;
  for (int n = 1; n <= 5; ++n) {
    term *= -(2 * n - 1) * inv2;
    sum += term;
  }
  return sum / y;
}

/// The GDP hockey stick δ = Φ(a) − e^ε Φ(b), a = −ε/μ + μ/2, b = a − μ (Balle & Wang 2018,
/// Thm 8; Dong, Roth & Su 2019, Cor. 2.13), as Φ(a) − φ(a)·R(−b): e^ε Φ(b) = φ(a)·R(−b) since
/// (b² − a²)/2 = ε, so no e^ε is ever formed (ε = 5·10^9 at σ = 10^-5). Returns an upper bound.
Long gdp_delta_long(Long mu, Long eps) {
  const Long a = mu / 2 - eps / mu;
  if (a < -150) return std::numeric_limits<double>::denorm_min();  // Φ(a) < 10^-4890
  const Long y = mu - a;                                            // −b ≥ μ/2 > 0
  const Long tail = 0.5L * std::erfc(-a * kSqrtHalf);
  const Long hedge = std_normal_density(a) * mills_ratio_below(y);
  // Rounding: erfc, exp and the quotients are accurate to a few ulps (64u covers them and the
  // arguments' own rounding, ~u·a² and ~u·y²); the inputs a and y carry an absolute error
  // ≤ 2u(μ + ε/μ + 1), which moves Φ(a) and φ(a) by a relative ≤ (|a| + 1)·that and R(y) by
  // ≤ (y + 1)·that below 100 (|d log R/dy| ≤ y + 1), ≤ 2/y·that beyond (R ≈ 1/y). The margin
  // is taken against the sum of the two terms, so the cancellation between them is covered.
  const Long input_error = 2 * kUnit * (mu + eps / mu + 1);
  const Long sensitivity = std::abs(a) + 1 + (y < 100 ? y + 1 : 1);
  const Long relative = 64 * kUnit * (1 + a * a + (y < 100 ? y * y : 0)) + 4 * sensitivity * input_error;
  const Long margin = (tail + hedge) * relative + 1e-20L * hedge;  // the series' truncation ≤ 1e-20·R
  return std::clamp(tail - hedge + margin, Long(0), Long(1));
}

/// μ of a composition of Gaussians only (μ² = Σ T_i/z_i², Dong, Roth & Su 2019, Cor. 3.3),
/// rounded up; nullopt if some part is not a Gaussian.
std::optional<double> gaussian_mu(const std::vector<Mechanism>& parts) {
  if (parts.empty()) return std::nullopt;
  Long inv = 0;
  for (const auto& m : parts) {
    const double z = gaussian_equivalent(m);
    if (!(z > 0)) return std::nullopt;
    inv += static_cast<Long>(m.times) / (static_cast<Long>(z) * z);
  }
  return up_to_double(std::sqrt(inv) * (1 + 8 * kUnit * static_cast<Long>(parts.size() + 2)));
}

/// Gaussians with (0, δ_i) parts (declared ε = 0: a bound that fails with probability δ_i, such
/// as a random walk's visit count): μ of the Gaussians and δ₀ = 1 − Π(1 − δ_i)^{T_i}, rounded up.
/// The (0, δ) pair is dominated by "reveal with probability δ, else nothing", so the composition's
/// hockey stick is exactly δ₀ + (1 − δ₀)·δ_μ(ε). nullopt without such a part, or with another kind.
struct GaussiansAndFailures {
  double mu = 0;
  double failure = 0;
};
std::optional<GaussiansAndFailures> gaussians_and_failures(const std::vector<Mechanism>& parts) {
  std::vector<Mechanism> gaussians;
  Long log_survive = 0;
  bool failures = false;
  for (const auto& m : parts) {
    if (m.kind == MechanismKind::kDeclared && m.epsilon == 0 && m.delta > 0) {
      log_survive += static_cast<Long>(m.times) * std::log1p(-static_cast<Long>(m.delta));
      failures = true;
    } else {
      gaussians.push_back(m);
    }
  }
  if (!failures || gaussians.empty()) return std::nullopt;
  const auto mu = gaussian_mu(gaussians);
  if (!mu) return std::nullopt;
  const Long failure = -std::expm1(log_survive) * (1 + 64 * kUnit * static_cast<Long>(parts.size() + 2));
  return GaussiansAndFailures{*mu, std::min(1.0, up_to_double(failure))};
}

// --- two-valued losses ±ε₀: binomial sums --------------------------------------------------

/// Compositions of n parts each with loss ±ε₀, +ε₀ with probability p = e^ε₀/(1 + e^ε₀) under P:
/// geometric (discrete Laplace), declared pure ε (its worst pair is binary randomized response,
/// Kairouz, Oh & Viswanath 2015), binary randomized response.
struct TwoPoint {
  double eps0 = 0;
  std::uint64_t n = 0;
};

/// Up to 10^6 uses a sweep over the binomial costs ≤ ~30 ms; beyond it the accountants answer.
constexpr std::uint64_t kMaxBinomialUses = 1'000'000;

/// ε₀ of a part whose loss is ±ε₀; with `dominated`, also of an ε₀-DP part whose loss is not
/// two-valued (Laplace): binary randomized response with ε₀ dominates every ε₀-DP pair
/// (Kairouz, Oh & Viswanath 2015), so the binomial bounds its composition, not exactly.
double two_point_epsilon(const Mechanism& m, bool dominated) {
  switch (m.kind) {
    // The exponential mechanism is also ε-bounded-range, which RDP uses (tighter than this pair).
    case MechanismKind::kLaplace:
    case MechanismKind::kExponential: return dominated ? m.epsilon : 0;
    case MechanismKind::kGeometric: return m.epsilon;
    case MechanismKind::kDeclared: return m.delta == 0 ? m.epsilon : 0;
    case MechanismKind::kRandomizedResponse:
      return m.values == 2 && m.keep > 0.5 && m.keep < 1 ? std::log(m.keep) - std::log1p(-m.keep) : 0;
    default: return 0;
  }
}

std::optional<TwoPoint> two_point(const std::vector<Mechanism>& parts, bool dominated = false) {
  TwoPoint t;
  for (const auto& m : parts) {
    const double e = two_point_epsilon(m, dominated);
    if (!(e > 0) || e > 700 || (t.n > 0 && e != t.eps0)) return std::nullopt;
    t.eps0 = e;
    t.n += m.times;
    if (t.n > kMaxBinomialUses) return std::nullopt;
  }
  if (t.n == 0) return std::nullopt;
  return t;
}

/// The binomial sweep: from the top loss nε₀ down, A = P[L ≥ l_i] and B = Q[L ≥ l_i] (Q's
/// weights are P's times e^{−l}); on [l_i − 2ε₀, l_i) the hockey stick is exactly A − e^ε·B.
/// `visit(A, B, lo, hi)` sees each piece and returns true to stop. A is rounded up and B down
/// by the relative error of the log-binomial weights (lgamma and the products: ~n·log n ulps).
template <class Visit>
void sweep_two_point(const TwoPoint& t, Visit visit) {
  const Long n = static_cast<Long>(t.n), e0 = t.eps0;
  const Long log_p = -std::log1p(std::exp(-e0)), log_q = -std::log1p(std::exp(e0));  // p, 1 − p
  const Long log_n_fact = std::lgamma(n + 1);
  const Long slack = 64 * kUnit * (n * (std::log(n + 1) + std::abs(log_p) + std::abs(log_q) + e0) + 16);
  Long a = 0, b = 0;
  for (std::uint64_t i = t.n + 1; i-- > 0;) {
    const Long k = static_cast<Long>(i), loss = (2 * k - n) * e0;
    if (loss <= 0) break;
    const Long log_w = log_n_fact - std::lgamma(k + 1) - std::lgamma(n - k + 1) + k * log_p + (n - k) * log_q;
    a += std::exp(log_w);
    b += std::exp(log_w - loss);
    const Long lo = std::max(Long(0), loss - 2 * e0);
    if (visit(a * (1 + slack), b * (1 - slack), lo, loss)) return;
  }
}

std::optional<double> two_point_delta(const TwoPoint& t, double eps) {
  Long out = 0;
  sweep_two_point(t, [&](Long a, Long b, Long lo, Long hi) {
    if (eps >= hi) return true;  // the pieces above ε are summed: stop at the one holding ε
    out = a - times_exp(b, eps);
    return eps >= lo;
  });
  return std::min(1.0, up_to_double(out * (1 + 1e-15L)));
}

double two_point_epsilon_at(const TwoPoint& t, double delta) {
  double eps = 0;
  sweep_two_point(t, [&](Long a, Long b, Long lo, Long hi) {
    if (a - times_exp(b, lo) <= delta) return false;  // the whole piece meets δ: go lower
    // A − e^ε B = δ inside (lo, hi]: ε = log((A − δ)/B), rounded up.
    const Long e = b > 0 ? std::log((a - delta) / b) : hi;
    eps = up(up_to_double(std::clamp(e, lo, hi) * (1 + 4 * kUnit) + 4 * kUnit), 1e-12);
    return true;
  });
  return eps;
}

// --- one Poisson-subsampled Gaussian step under add/remove ----------------------------------

/// The step's noise multiplier z and rate q when `parts` is exactly one use of a
/// Poisson-subsampled Gaussian under add/remove with 0 < q < 1 (q = 1 is a plain Gaussian).
std::optional<std::pair<double, double>> one_subsampled_step(const std::vector<Mechanism>& parts) {
  if (parts.size() != 1) return std::nullopt;
  const Mechanism& m = parts[0];
  if (m.kind != MechanismKind::kSubsampledGaussian || m.times != 1 || m.neighbouring != Neighbouring::kAddRemove ||
      m.sampling != Sampling::kPoisson || !(m.sampling_rate > 0 && m.sampling_rate < 1) || !(m.noise_multiplier > 0))
    return std::nullopt;
  return std::make_pair(m.noise_multiplier, m.sampling_rate);
}

/// δ(ε) of one step, P = (1 − q)·N(0, 1) + q·N(s, 1) against Q = N(0, 1), s = 1/z, as the larger
/// of its two directions, each reduced exactly to a Gaussian hockey stick (Balle, Barthe &
/// Gaboardi 2018, "Privacy amplification by subsampling", Thm 2, advanced joint convexity; the
/// add direction is the same identity applied to Q against P):
///   δ(P‖Q)(ε) = q·δ_s(ε₁),                 ε₁ = log(1 + (e^ε − 1)/q);
///   δ(Q‖P)(ε) = (1 − e^ε(1 − q))·δ_s(ε₂),  ε₂ = −log(1 + (e^{−ε} − 1)/q), when e^{−ε} > 1 − q,
/// with δ_s the hockey stick of N(s, 1) against N(0, 1) (s-GDP, symmetric). δ_s falls with its ε,
/// so ε₁, ε₂ are rounded down and s up; the factor of the add direction is rounded up.
Long subsampled_step_delta(double z, double q, double eps) {
  const Long s = (1 / static_cast<Long>(z)) * (1 + 4 * kUnit), lq = q, le = eps;
  const Long down = 1 - 16 * kUnit;
  // ε₁ = ε − log q + log(1 − (1 − q)e^{−ε}) beyond ε = 1, so e^ε never overflows (ε of 10^5 at
  // noise 10^-3; e^ε is infinite in long double beyond 11356).
  const Long eps1 = (le > 1 ? le - std::log(lq) + std::log1p(-(1 - lq) * std::exp(-le)) : std::log1p(std::expm1(le) / lq)) * down;
  const Long remove = lq * gdp_delta_long(s, eps1) * (1 + 16 * kUnit);
  const Long c = 1 + std::expm1(-le) / lq;  // e^{−ε₂}
  if (!(c > 0)) return std::min(Long(1), remove);  // ε ≥ −log(1 − q): no add direction
  const Long factor = lq * std::exp(le) - std::expm1(le);  // 1 − e^ε(1 − q)
  const Long factor_up = std::max(Long(0), factor + 16 * kUnit * (lq * std::exp(le) + std::expm1(le)));
  // Near ε = −log(1 − q) c loses its digits: δ_s ≤ 1 bounds the add direction by its factor.
  if (!(c > 16 * kUnit)) return std::min(Long(1), std::max(remove, factor_up));
  const Long eps2 = std::max(Long(0), -std::log(c) * down - 16 * kUnit);
  const Long add = factor_up * gdp_delta_long(s, eps2) * (1 + 16 * kUnit);
  return std::min(Long(1), std::max(remove, add));
}

/// The smallest ε ≥ 0 (to a relative 1e-13, rounded up) at which one step's δ(ε) ≤ δ.
double subsampled_step_epsilon(double z, double q, double delta) {
  auto delta_at = [&](double e) { return up_to_double(subsampled_step_delta(z, q, e)); };
  if (delta_at(0) <= delta) return 0;
  double lo = 0, hi = 1;
  for (int i = 0; i < 4000 && delta_at(hi) > delta; ++i) lo = hi, hi *= 2;
  if (delta_at(hi) > delta) return kInf;
  for (int i = 0; i < 2000 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    (delta_at(mid) <= delta ? hi : lo) = mid;
  }
  return up(hi, 1e-12);
}

/// The probability that a record is used at all by Poisson-subsampled parts under add/remove,
/// 1 − Π(1 − q_i)^{T_i}, rounded up; nullopt unless every part is such a part. When the record
/// is not sampled the two outputs have the same law, so the total variation (δ at ε = 0) is at
/// most this probability.
}  // namespace

std::optional<double> probability_used(const std::vector<Mechanism>& parts) {
  if (parts.empty()) return std::nullopt;
  Long log_unused = 0;
  for (const auto& m : parts) {
    if (m.kind != MechanismKind::kSubsampledGaussian || m.neighbouring != Neighbouring::kAddRemove) return std::nullopt;
    log_unused += static_cast<Long>(m.times) * std::log1p(-static_cast<Long>(m.sampling_rate));
  }
  return std::min(1.0, up_to_double(-std::expm1(log_unused) * (1 + 64 * kUnit * static_cast<Long>(parts.size() + 2))));
}

namespace {

std::string laplace_words(const LaplaceComposition& lc) {
  return "exact: " + std::to_string(lc.uses()) + (lc.uses() == 1 ? " Laplace mechanism of epsilon " : " Laplace mechanisms of epsilon ") + format_general(lc.eps0(), 6) +
         ", their composed loss piecewise exponential-polynomial (point masses and Bernstein pieces, "
         "dp/laplace_composition.cpp)";
}

EpsilonResult exact_result(double value, double delta, std::string how) {
  EpsilonResult r;
  r.infinite = std::isinf(value);
  r.value = value;
  r.delta = delta;
  r.accountant = Accountant::kPld;
  r.how = std::move(how);
  return r;
}

}  // namespace

double gdp_delta(double mu, double epsilon) {
  if (!(mu > 0)) return 0;
  if (std::isinf(mu)) return 1;
  return std::min(1.0, up_to_double(gdp_delta_long(mu, epsilon)));
}

double gdp_epsilon(double mu, double delta) {
  if (!(mu > 0)) return 0;
  if (std::isinf(mu) || !(delta > 0)) return kInf;
  if (gdp_delta(mu, 0) <= delta) return 0;
  // δ(ε) ≤ Φ(a), so ε = μ²/2 + μ·Φ⁻¹(1 − δ) is near the answer, and at most 2× too small there.
  const double z = delta < 0.5 ? std::sqrt(2.0) * boost::math::erfc_inv(2 * std::max(delta, 1e-300)) : 0.0;
  double lo = 0, hi = std::max(mu * mu / 2 + mu * z, 1e-300);
  for (int i = 0; i < 4000 && gdp_delta(mu, hi) > delta; ++i) lo = hi, hi = hi * 2 + 1e-300;
  if (gdp_delta(mu, hi) > delta) return kInf;
  for (int i = 0; i < 2000 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (gdp_delta(mu, mid) <= delta) hi = mid;
    else lo = mid;
  }
  return up(hi, 1e-12);
}

std::optional<EpsilonResult> closed_form_epsilon(const std::vector<Mechanism>& parts, double delta) {
  if (!(delta > 0 && delta < 1)) return std::nullopt;
  if (auto mu = gaussian_mu(parts)) {
    return exact_result(gdp_epsilon(*mu, delta), delta,
                        "exact: the Gaussians compose to mu-GDP, mu " + format_general(*mu, 6) +
                            " (Dong-Roth-Su 2019), analytic hockey stick of Balle-Wang 2018 Thm 8");
  }
  if (auto mixed = gaussians_and_failures(parts); mixed && mixed->failure < delta) {
    // δ₀ + (1 − δ₀)·δ_μ(ε) ≤ δ: the Gaussians at (δ − δ₀)/(1 − δ₀), rounded down.
    const double rest = std::nextafter((delta - mixed->failure) / (1 - mixed->failure) * (1 - 1e-15), 0.0);
    return exact_result(gdp_epsilon(mixed->mu, rest), delta,
                        "exact: the Gaussians compose to mu-GDP, mu " + format_general(mixed->mu, 6) + ", with " +
                            format_general(mixed->failure, 6) +
                            " of delta for the bounds that may fail ((0, delta) parts: delta0 + (1 - delta0)·delta_mu)");
  }
  if (auto used = probability_used(parts); used && *used <= delta) {
    return exact_result(0, delta, "exact: the record is sampled at all with probability at most " + format_general(*used, 6) +
                                      " <= delta, so epsilon 0 holds");
  }
  if (auto step = one_subsampled_step(parts)) {
    return exact_result(subsampled_step_epsilon(step->first, step->second, delta), delta,
                        "exact: one Poisson-subsampled Gaussian step, each direction a Gaussian hockey stick by "
                        "advanced joint convexity (Balle-Barthe-Gaboardi 2018 Thm 2)");
  }
  if (auto t = two_point(parts)) {
    return exact_result(two_point_epsilon_at(*t, delta), delta,
                        "exact: " + std::to_string(t->n) + " losses of +-" + format_general(t->eps0, 6) +
                            " compose to a binomial (Kairouz-Oh-Viswanath 2015 Thm 3.3)");
  }
  if (auto lc = laplace_composition(parts)) {
    return exact_result(lc->epsilon(delta), delta, laplace_words(*lc));
  }
  return std::nullopt;
}

std::optional<EpsilonResult> dominated_binomial_epsilon(const std::vector<Mechanism>& parts, double delta) {
  if (!(delta > 0 && delta < 1) || two_point(parts)) return std::nullopt;  // exact ones are answered above
  auto t = two_point(parts, true);
  if (!t) return std::nullopt;
  return exact_result(two_point_epsilon_at(*t, delta), delta,
                      "binomial bound: " + std::to_string(t->n) + " parts of pure epsilon " + format_general(t->eps0, 6) +
                          ", each dominated by randomized response (Kairouz-Oh-Viswanath 2015 Thm 3.3)");
}

std::optional<DeltaResult> closed_form_delta(const std::vector<Mechanism>& parts, double epsilon) {
  if (!(epsilon >= 0)) return std::nullopt;
  DeltaResult r;
  r.accountant = Accountant::kPld;
  if (auto mu = gaussian_mu(parts)) {
    r.value = gdp_delta(*mu, epsilon);
    r.how = "exact: mu-GDP hockey stick, mu " + format_general(*mu, 6) + " (Balle-Wang 2018 Thm 8)";
    return r;
  }
  if (auto mixed = gaussians_and_failures(parts)) {
    const Long d = static_cast<Long>(mixed->failure) + (1 - static_cast<Long>(mixed->failure)) * gdp_delta(mixed->mu, epsilon);
    r.value = std::min(1.0, up_to_double(d * (1 + 8 * kUnit)));
    r.how = "exact: mu-GDP hockey stick, mu " + format_general(mixed->mu, 6) + ", with " +
            format_general(mixed->failure, 6) + " for the bounds that may fail (delta0 + (1 - delta0)·delta_mu)";
    return r;
  }
  if (auto step = one_subsampled_step(parts)) {
    r.value = std::min(1.0, up_to_double(subsampled_step_delta(step->first, step->second, epsilon)));
    r.how = "exact: one Poisson-subsampled Gaussian step (Balle-Barthe-Gaboardi 2018 Thm 2)";
    return r;
  }
  if (auto t = two_point(parts)) {
    r.value = *two_point_delta(*t, epsilon);
    r.how = "exact: binomial sum of " + std::to_string(t->n) + " losses of +-" + format_general(t->eps0, 6);
    return r;
  }
  if (auto lc = laplace_composition(parts)) {
    r.value = lc->delta(epsilon);
    r.how = laplace_words(*lc);
    return r;
  }
  return std::nullopt;
}

}  // namespace privflow::dp::detail
