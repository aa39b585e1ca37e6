#include "dp/rdp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "dp/detail/numeric.hpp"

namespace privflow::dp::rdp {
namespace {

using detail::kInf;
using detail::log_add;
using detail::log_erfc;

// Relative margin on every returned divergence: the sums below are accurate to ~1e-13.
constexpr double kRdpMargin = 1e-10;

double log_a_integer(double z, double q, long alpha) {
  // A_α = Σ_k C(α,k) (1−q)^{α−k} q^k exp((k²−k)/(2z²))  (MTZ 2019, Sec. 3.2). The binomial
  // weights sum to 1, so A_α − 1 = Σ_{k≥2} C(α,k) (1−q)^{α−k} q^k expm1((k²−k)/(2z²)): every
  // term is ≥ 0 and computed to a few ulps, and log A_α = log1p(A_α − 1). Summing A_α itself
  // loses everything below 1e-16 (z = 1.49e8, q = 0.5: A_38 − 1 = 7.9e-15 came out as 0, and
  // 10^12 steps of it claimed ε = 0 where the true RDP bound is 0.0093).
  const double lq = std::log(q), l1q = std::log1p(-q), inv2z2 = 1.0 / (2.0 * z * z);
  double log_excess = -kInf, log_comb = std::log(static_cast<double>(alpha));  // log C(α, 1)
  for (long k = 2; k <= alpha; ++k) {
    log_comb += std::log(static_cast<double>(alpha - k + 1) / static_cast<double>(k));
    const double kk = static_cast<double>(k), x = (kk * kk - kk) * inv2z2;
    const double log_expm1 = x < 1 ? std::log(std::expm1(x)) : x + std::log1p(-std::exp(-x));
    log_excess = log_add(log_excess, log_comb + kk * lq + (alpha - kk) * l1q + log_expm1);
  }
  return log_excess < 0 ? std::log1p(std::exp(log_excess)) : log_excess + std::log1p(std::exp(-log_excess));
}

/// log(½·erfc((i − z0)/(√2 z))) for i = 0, 1, …: the same for every order of one (z, q), so it
/// is kept per thread for the last (z, q) and grown on demand (the RDP curve asks ~150 orders).
double half_erfc_term(double z, double q, double z0, int i) {
  thread_local double cached_z = 0, cached_q = -1;
  thread_local std::vector<double> terms;
  if (z != cached_z || q != cached_q) {
    cached_z = z, cached_q = q;
    terms.clear();
  }
  while (static_cast<int>(terms.size()) <= i)
    terms.push_back(std::log(0.5) + log_erfc((static_cast<double>(terms.size()) - z0) / (std::sqrt(2.0) * z)));
  return terms[static_cast<std::size_t>(i)];
}

double log_a_fractional(double z, double q, double alpha) {
  // MTZ 2019, Sec. 3.3: A_α = A0 + A1, integrals over (−∞, z0] and [z0, ∞), each expanded as a
  // binomial series in i. Summing |C(α,i)|-weighted terms (all added) over-approximates.
  const double lq = std::log(q), l1q = std::log1p(-q), z2 = z * z;
  const double z0 = z2 * std::log(1.0 / q - 1.0) + 0.5;
  const double sq2z = std::sqrt(2.0) * z;
  double log_a0 = -kInf, log_a1 = -kInf, last0 = -kInf, last1 = -kInf;
  double log_comb = 0;  // log |C(α, i)|
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) log_comb += std::log(std::abs((alpha - i + 1) / static_cast<double>(i)));
    const double di = i, j = alpha - di;
    const double t0 = log_comb + di * lq + j * l1q;
    const double t1 = log_comb + j * lq + di * l1q;
    const double e0 = half_erfc_term(z, q, z0, i);
    const double e1 = std::log(0.5) + log_erfc((z0 - j) / sq2z);
    const double s0 = t0 + (di * di - di) / (2 * z2) + e0;
    const double s1 = t1 + (j * j - j) / (2 * z2) + e1;
    log_a0 = log_add(log_a0, s0);
    log_a1 = log_add(log_a1, s1);
    // Stop when both series fall and their terms are below e^-30 of the larger partial sum
    // (so of the total, too). The terms fall only polynomially far out, but every |term| is
    // added: beyond i > α the signed series alternates, and the negative terms already counted
    // with the wrong sign outweigh the dropped tail by far (tests/dp checks the result against
    // quadrature of the defining integral); 1e-11 is a further margin.
    if (s0 < last0 && s1 < last1 && std::max(s0, s1) < std::max(log_a0, log_a1) - 30) {
      return log_add(log_a0, log_a1) + 1e-11;
    }
    last0 = s0;
    last1 = s1;
  }
  return kInf;  // no convergence: no bound at this order
}

/// log(½·erfc(x)) in long double: erfcl while it is a normal number, beyond the asymptotic
/// series cut after its second term (relative error below 2/x⁶: the next term's size).
long double log_half_erfc(long double x) {
  if (x < 100) return std::log(0.5L * std::erfc(x));
  const long double x2 = x * x;
  return -x2 - std::log(x) - 0.5L * std::log(3.14159265358979323846L) - std::log(2.0L) + std::log1p(-0.5L / x2 + 0.75L / (x2 * x2));
}
/// A bound on the relative error of exp(log_half_erfc(x)) (erfcl within 64 ulps, the
/// logarithms' rounding, or the asymptotic series' truncation).
long double log_half_erfc_error(long double x) {
  constexpr long double u = std::numeric_limits<long double>::epsilon() / 2;
  return x < 100 ? 80 * u : 8 * u * x * x + 2 / (x * x * x * x * x * x);
}

/// An upper bound on A_α − 1 at a fractional α from the SIGNED series of MTZ 2019, Sec. 3.3, in
/// long double: the |binomial| series above is 6 % high near α = 1 (z 1.1, q 0.01, α 1.0005),
/// which huge step counts multiply (issue #17), and the chord is r(2) there. Why a partial sum bounds A_α from above: on
/// each side of the split z0 the integrand is c(x)^α·(1 + w(x))^α with c, w ≥ 0, and Taylor's
/// theorem with integral remainder gives (1 + w)^α − Σ_{i≤N} C(α,i)w^i =
/// C(α,N+1)(N+1)∫_0^w (w−t)^N (1+t)^{α−N−1} dt, of the sign of C(α, N + 1) for EVERY w ≥ 0 (so
/// the split's rounding costs nothing). The sum is cut where C(α, N + 1) < 0, after its terms
/// fell below 1e-6 of A_α − 1 (or after 4000 terms); each term's rounding (its exponent's
/// pieces, erfcl, the coefficient's recurrence) and the summation's are bounded and added.
long double a_excess_signed(double z, double q, double alpha) {
  using L = long double;
  constexpr L u = std::numeric_limits<L>::epsilon() / 2;
  const L a = alpha, zz = static_cast<L>(z) * z, lq = std::log(static_cast<L>(q)), l1q = std::log1p(-static_cast<L>(q));
  const L z0 = zz * (l1q - lq) + 0.5L, sq2z = std::sqrt(2.0L) * z;
  L sum = 0, abs_sum = 0, err = 0, coef = 1, best = std::numeric_limits<L>::infinity();  // coef = C(α, i)
  for (int i = 0; i < 4000; ++i) {
    if (i > 0) coef *= (a - (i - 1)) / i;  // relative error ≤ 3u per step: (3i + 2)u at step i
    const L di = i, j = a - di;
    const L pieces0[] = {(a - di) * l1q, di * lq, (di * di - di) / (2 * zz)};
    const L pieces1[] = {di * l1q, j * lq, (j * j - j) / (2 * zz)};
    const L x0 = pieces0[0] + pieces0[1] + pieces0[2], x1 = pieces1[0] + pieces1[1] + pieces1[2];
    const L arg0 = (di - z0) / sq2z, arg1 = (z0 - j) / sq2z;
    const L e0 = log_half_erfc(arg0), e1 = log_half_erfc(arg1);
    const L t0 = coef * std::exp(x0 + e0);
    const L t1 = coef * std::exp(x1 + e1);
    sum += t0 + t1;
    abs_sum += std::abs(t0) + std::abs(t1);
    // Relative error of a term: exp of an exponent off by 8u of its pieces (log ½erfc's value
    // among them: the logarithm's and the sum's rounding); the coefficient's
    // (3i + 2)u; log ½erfc (see there), its argument off by Δ ≤ 8u(|arg| + (i + |z0| + α)/(√2 z)),
    // which moves erfc by the factor e^{(2|arg| + 2 + Δ)Δ} at most (|d log erfc/dx| ≤ 2|x| + 2).
    auto size = [](const L (&p)[3]) { return std::abs(p[0]) + std::abs(p[1]) + std::abs(p[2]); };
    auto erfc_error = [&](L arg) {
      const L d = 8 * u * (std::abs(arg) + (di + std::abs(z0) + a) / sq2z);
      return log_half_erfc_error(arg) + std::expm1((2 * std::abs(arg) + 2 + d) * d);
    };
    err += std::abs(t0) * (8 * u * (size(pieces0) + std::abs(e0) + 1) + (3 * di + 16) * u + erfc_error(arg0)) +
           std::abs(t1) * (8 * u * (size(pieces1) + std::abs(e1) + 1) + (3 * di + 16) * u + erfc_error(arg1)) +
           2 * std::numeric_limits<L>::min();  // a term that underflowed
    if (!std::isfinite(sum) || !std::isfinite(err)) return std::numeric_limits<L>::infinity();
    if (coef * (a - di) < 0 && di > a) {  // C(α, i + 1) = C(α, i)·(α − i)/(i + 1) < 0
      // Summation: (i + 2) additions, each within u of the running total.
      const L excess = (sum - 1) + 2 * (err + (di + 2) * u * abs_sum);
      best = std::min(best, excess);
      if (std::abs(t0) + std::abs(t1) <= 1e-6L * std::max(sum - 1, L(1e-300))) break;
    }
  }
  return best;
}

// Every curve that reaches here belongs to a mechanism that leaks something (zero-loss cases
// return 0 before): its true RDP is positive, so a value that underflowed to 0 is raised to the
// least positive double. Otherwise 0 would claim δ(0) = TV = 0 and advantage 0.
double finish(double v) {
  if (std::isnan(v)) return kInf;
  return std::max(detail::up(std::max(v, 0.0), kRdpMargin), std::numeric_limits<double>::denorm_min());
}

// The closed forms below subtract terms of size ~αε to leave a divergence of size ~αε²: their
// rounding error is absolute (a few ulps of the terms), so a relative margin cannot cover it
// when ε is small. `scale` is the size of the terms; 1e-15 is 4.5 ulps of it. Every ε-DP
// mechanism is also (α, αε²/2)-RDP (Bun & Steinke 2016, Prop. 3.3), which is stable and nearly
// tight exactly where the closed forms are not.
double closed_form(double v, double scale, double eps, double alpha) {
  return finish(std::min(v + 1e-15 * scale, alpha * eps * eps / 2));
}

}  // namespace

const std::vector<double>& default_orders() {
  static const std::vector<double> orders = [] {
    std::vector<double> o;
    for (int x = 1; x < 100; ++x) o.push_back(1.0 + x / 10.0);
    for (int a = 11; a < 64; ++a) o.push_back(a);
    for (double a : {128.0, 256.0, 512.0, 1024.0}) o.push_back(a);
    return o;
  }();
  return orders;
}

double gaussian(double z, double alpha) {
  if (!(z > 0)) return kInf;
  return finish(alpha / (2.0 * z * z));
}

double laplace(double eps, double alpha) {
  if (eps == 0) return 0;
  if (std::isinf(eps)) return kInf;
  const double a = alpha;
  const double l = std::log1p((a - 1) * std::expm1(eps * (1 - 2 * a)) / (2 * a - 1)) / (a - 1);
  return closed_form(eps + l, eps + std::abs(l), eps, a);
}

double randomized_response(double keep, std::uint64_t k, double alpha) {
  const double r = (1.0 - keep) / static_cast<double>(k - 1);
  if (keep <= r) return 0;  // no information
  if (r <= 0) return kInf;
  // D_α(P‖Q) for P = (keep, r, r…), Q = (r, keep, r…): Σ p^α q^{1−α}.
  const double a = alpha, lk = std::log(keep), lr = std::log(r);
  double s = log_add(a * lk + (1 - a) * lr, a * lr + (1 - a) * lk);
  if (k > 2) s = log_add(s, std::log(static_cast<double>(k - 2)) + lr);
  const double scale = (a * (std::abs(lk) + std::abs(lr)) + std::abs(lr) + std::log(static_cast<double>(k))) / (a - 1);
  return closed_form(s / (a - 1), scale, lk - lr, a);
}

double pure(double eps, double alpha) {
  if (eps == 0) return 0;
  if (std::isinf(eps)) return kInf;
  // binary RR with keep = e^ε/(1+e^ε): (αε + log(1+e^{ε(1−2α)}) − log(1+e^ε))/(α−1).
  const double a = alpha;
  const double v = (a * eps + log_add(0, eps * (1 - 2 * a)) - log_add(0, eps)) / (a - 1);
  return std::min(closed_form(v, (a * eps + 2 + eps) / (a - 1), eps, a), finish(eps));
}

double exponential(double eps, double alpha) {
  if (eps == 0) return 0;
  const double r = eps / std::expm1(eps);
  const double xi = r - 1 - std::log(r) - eps * eps / 8;
  const double scale = r + 1 + std::abs(std::log(r)) + eps * eps * alpha;
  return std::min(finish(xi + eps * eps / 8 * alpha + 1e-15 * scale), pure(eps, alpha));
}

double zcdp(double rho, double alpha) { return finish(rho * alpha); }

double discrete_gaussian(double sigma, std::uint64_t sensitivity, double alpha) {
  // Σ_x P(x)^α Q(x)^{1−α} = e^{α(α−1)Δ²/(2σ²)}·Σ_x e^{−(x−(1−α)Δ)²/(2σ²)}/Z by completing the
  // square, and the shifted sum is at most Z (CKS 2020, Prop. 5).
  if (!(sigma > 0)) return kInf;
  const double d = static_cast<double>(sensitivity);
  return finish(alpha * d * d / (2.0 * sigma * sigma));
}

double subsampled_gaussian(double z, double q, double alpha) {
  if (q == 0) return 0;
  if (!(z > 0)) return kInf;
  if (q >= 1) return gaussian(z, alpha);
  if (alpha == std::floor(alpha)) return finish(log_a_integer(z, q, static_cast<long>(alpha)) / (alpha - 1));
  // log A_α = log E_Q[(P/Q)^α] is convex in α, so between the whole orders n and n + 1 it is at
  // most the chord (log A_1 = 0). The chord is stable where the series is not: the series'
  // margin of 1e-11 is absolute, far above log A_α itself when the noise is huge.
  const double n = std::floor(alpha), w = alpha - n;
  const double low = n < 2 ? 0.0 : log_a_integer(z, q, static_cast<long>(n));
  const double chord = (1 - w) * low + w * log_a_integer(z, q, static_cast<long>(n) + 1);
  return finish(std::min(log_a_fractional(z, q, alpha), detail::up(chord, kRdpMargin)) / (alpha - 1));
}

double subsampled_gaussian_off_grid(double z, double q, double alpha) {
  const double grid = subsampled_gaussian(z, q, alpha);
  if (!(q > 0 && q < 1 && z > 0 && alpha < 2) || alpha == std::floor(alpha)) return grid;
  const long double excess = a_excess_signed(z, q, alpha);
  if (!(excess >= 0) || !std::isfinite(excess)) return grid;
  return std::min(grid, finish(detail::up_to_double(std::log1p(excess) * (1 + 1e-15L)) / (alpha - 1)));
}

double subsampled_gaussian_replace(double z, double q, double alpha) {
  if (q == 0) return 0;
  if (!(z > 0) || !(alpha > 1)) return kInf;
  // With q = 1 the pair is N(−1, z²) vs N(1, z²): the Gaussian with sensitivity 2. It is also
  // the pair every q is a post-processing of (joint convexity), so it bounds every q.
  const double whole = gaussian(z / 2, alpha);
  if (q >= 1) return whole;
  // Substitution = removal then addition through the dataset R without the record: Mironov
  // 2017, Prop. 11 (weak triangle inequality) with p = q = 2 gives
  // D_α(P‖Q) ≤ (α − ½)/(α − 1)·D_{2α}(P‖R) + D_{2α−1}(R‖Q), and the add/remove curve bounds
  // both directions (Mironov, Talwar & Zhang 2019, Thm 5).
  const double removal = subsampled_gaussian(z, q, 2 * alpha), addition = subsampled_gaussian(z, q, 2 * alpha - 1);
  const double chained = finish((alpha - 0.5) / (alpha - 1) * removal + addition);
  return std::min(whole, chained);
}

double sampled_without_replacement_gaussian(double z, double q, double alpha) {
  if (q == 0) return 0;
  if (!(z > 0) || !(alpha > 1)) return kInf;
  if (q >= 1) return gaussian(z, alpha);
  // RDP grows with the order, so a fractional order takes the next whole one's bound.
  const double whole = std::ceil(alpha);
  if (whole > 1e6) return kInf;
  const auto order = static_cast<long>(whole);
  // Wang, Balle & Kasiviswanathan 2019, Thm 9, for a base mechanism with RDP ε(j) = j/(2z²)
  // and ε(∞) = ∞: A = 1 + q²·C(α,2)·min(4(e^{ε(2)} − 1), 2e^{ε(2)})
  //                 + Σ_{j=3..α} q^j·C(α,j)·2·e^{(j−1)ε(j)}; the bound is log(A)/(α − 1).
  const double lq = std::log(q), e2 = 2 / (2 * z * z);
  double log_a = 0, log_comb = std::log(whole * (whole - 1) / 2);  // log C(α, 2)
  log_a = log_add(log_a, 2 * lq + log_comb + std::min(std::log(4.0) + e2 + std::log(-std::expm1(-e2)), e2 + std::log(2.0)));
  for (long j = 3; j <= order; ++j) {
    const double dj = static_cast<double>(j);
    log_comb += std::log((whole - dj + 1) / dj);
    log_a = log_add(log_a, dj * lq + log_comb + std::log(2.0) + (dj - 1) * dj / (2 * z * z));
  }
  return finish(log_a / (whole - 1));
}

EpsilonAtOrder to_epsilon(std::span<const double> orders, std::span<const double> rdp, double delta) {
  EpsilonAtOrder best{kInf, 0};
  if (!(delta > 0)) {
    bool all_zero = std::all_of(rdp.begin(), rdp.end(), [](double r) { return r == 0; });
    return all_zero ? EpsilonAtOrder{0, 0} : best;
  }
  for (std::size_t i = 0; i < orders.size() && i < rdp.size(); ++i) {
    const double a = orders[i], r = std::max(rdp[i], 0.0);
    if (std::isinf(r) || std::isnan(r)) continue;
    double eps;
    if (delta * delta + std::expm1(-r) > 0) {
      eps = 0;  // δ ≥ sqrt(1 − e^{−KL}) ≥ TV: ε = 0 holds (Pinsker-type bound)
    } else if (a > 1.01) {
      eps = r + std::log1p(-1 / a) - std::log(delta * a) / (a - 1);
    } else {
      continue;
    }
    if (eps < best.epsilon) best = {eps, a};
  }
  if (!std::isinf(best.epsilon)) best.epsilon = detail::up(std::max(best.epsilon, 0.0), kRdpMargin);
  return best;
}

DeltaAtOrder to_delta(std::span<const double> orders, std::span<const double> rdp, double epsilon) {
  DeltaAtOrder best{1, 0};
  double best_log = 0;
  for (std::size_t i = 0; i < orders.size() && i < rdp.size(); ++i) {
    const double a = orders[i], r = std::max(rdp[i], 0.0);
    if (std::isinf(r) || std::isnan(r)) continue;
    // TV ≤ sqrt(1 − e^{−KL}) ≤ sqrt(1 − e^{−r}) (Bretagnolle–Huber); −expm1 keeps tiny r exact.
    double ld = r == 0 ? -kInf : 0.5 * std::log(-std::expm1(-r));
    if (a > 1.01) ld = std::min(ld, (a - 1) * (r - epsilon + std::log1p(-1 / a)) - std::log(a));
    if (ld < best_log) {
      best_log = ld;
      best.order = a;
    }
  }
  best.delta = best_log == -kInf ? 0 : std::min(1.0, detail::up(std::exp(best_log), 1e-8));
  return best;
}

EpsilonAtOrder tail_epsilon(std::span<const double> orders, std::span<const double> rdp, double delta) {
  EpsilonAtOrder best{kInf, 0};
  if (!(delta > 0)) return best;
  for (std::size_t i = 0; i < orders.size() && i < rdp.size(); ++i) {
    const double a = orders[i], r = std::max(rdp[i], 0.0);
    if (std::isinf(r) || std::isnan(r) || a <= 1) continue;
    const double eps = r + std::log(1 / delta) / (a - 1);
    if (eps < best.epsilon) best = {eps, a};
  }
  if (!std::isinf(best.epsilon)) best.epsilon = detail::up(best.epsilon, kRdpMargin);
  return best;
}

}  // namespace privflow::dp::rdp
