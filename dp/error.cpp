// The error of a noisy release (dp/error.hpp).
#include "dp/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>

namespace privflow::dp::error {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// x, raised past the few ulps of error of the libm call that computed it.
double up(double x) {
  if (!std::isfinite(x) || x == 0) return x;
  return std::nextafter(x * (1 + 16 * std::numeric_limits<double>::epsilon()), kInf);
}

/// The largest σ whose discrete Gaussian mass is summed term by term.
constexpr double kLargestSummedSigma = 1e4;

}  // namespace

double two_sided_normal_quantile(double beta) {
  const boost::math::normal_distribution<double> standard(0, 1);
  return up(boost::math::quantile(boost::math::complement(standard, beta / 2)));
}

Figure laplace(double scale, double beta) {
  return Figure{up(std::sqrt(2.0) * scale), up(scale * std::log(1 / beta))};
}

Figure gaussian(double sigma, double beta) { return Figure{up(sigma), up(sigma * two_sided_normal_quantile(beta))}; }

Figure geometric(double epsilon_over_sensitivity, double beta) {
  const double alpha = std::exp(-epsilon_over_sensitivity);
  const double one_minus = -std::expm1(-epsilon_over_sensitivity);
  Figure f;
  f.sd = up(std::sqrt(2 * alpha) / one_minus);
  // Least whole k ≥ 0 with 2α^{k+1}/(1 + α) ≤ β; checked at the candidate and one below, so that
  // the rounding of the logarithms cannot make it too small.
  const double tail_at = std::log(beta * (1 + alpha) / 2) / std::log(alpha) - 1;
  double k = std::max(0.0, std::ceil(tail_at) - 1);
  auto tail = [&](double kk) { return 2 * std::pow(alpha, kk + 1) / (1 + alpha); };
  while (up(tail(k)) > beta) k += 1;
  f.half_width = k;
  return f;
}

Figure discrete_gaussian(double sigma, double beta) {
  if (sigma > kLargestSummedSigma) {
    // Canonne, Kamath & Steinke 2020, Proposition 19 and Proposition 25 (both tails).
    return Figure{up(sigma), std::ceil(up(sigma * two_sided_normal_quantile(beta))) + 1};
  }
  // Mass at k ∝ e^{−k²/(2σ²)}, summed outward from 0 until the terms vanish.
  const long double s2 = static_cast<long double>(sigma) * sigma;
  const long double cutoff = 40 * static_cast<long double>(sigma) + 40;
  long double total = 1, second = 0;
  for (long double k = 1; k <= cutoff; k += 1) {
    const long double w = std::exp(-k * k / (2 * s2));
    total += 2 * w;
    second += 2 * k * k * w;
  }
  Figure f;
  f.sd = up(static_cast<double>(std::sqrt(second / total)));
  // Least whole w with P(|X| > w) ≤ β: accumulate P(|X| ≤ w) until 1 − it is at most β, with a
  // relative margin for the summation's rounding.
  long double inside = 1 / total;
  long double w = 0;
  const long double margin = 1e-12L;
  while (1 - inside > static_cast<long double>(beta) * (1 - margin) - margin && w < cutoff) {
    w += 1;
    inside += 2 * std::exp(-w * w / (2 * s2)) / total;
  }
  f.half_width = static_cast<double>(w);
  return f;
}

Figure frequency(double support_true, double support_other, double n, double beta) {
  const double gap = support_true - support_other;
  if (!(gap > 0) || !(n > 0)) return Figure{kInf, kInf};
  // Per report: its share (1[supports] − s_o)/(s_t − s_o) has variance s(1 − s)/gap², s ∈ {s_t, s_o}.
  const double per_report =
      std::max(support_true * (1 - support_true), support_other * (1 - support_other)) / (gap * gap);
  Figure f;
  f.sd = up(std::sqrt(per_report / n));
  // Bernstein: P(|mean − E| ≥ t) ≤ 2·exp(−n t² / (2(v + M t/3))), v = per_report, M = 1/gap.
  // Solving 2·exp(·) = β for t: n t² − (2 L M / 3) t − 2 L v = 0 with L = ln(2/β).
  const double L = std::log(2 / beta);
  const double b = 2 * L / (3 * gap);
  f.half_width = up((b + std::sqrt(b * b + 8 * n * L * per_report)) / (2 * n));
  return f;
}

double bernstein_half_width(double total_variance, double bound, double beta) {
  // 2·exp(−t²/(2(V + M t/3))) = β  ⇔  t² − (2LM/3)·t − 2LV = 0, L = ln(2/β).
  const double L = std::log(2 / beta);
  const double b = 2 * L * bound / 3;
  return up((b + std::sqrt(b * b + 8 * L * total_variance)) / 2);
}

namespace {

/// The least α (to a relative 1e-12, then rounded up) with tail(α) ≤ β, tail decreasing; α = 0
/// when tail(0) ≤ β already.
template <class Tail>
double solve_tail(Tail tail, double scale, double beta) {
  if (tail(0.0) <= beta) return 0;
  double lo = 0, hi = scale;
  while (tail(hi) > beta) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = (lo + hi) / 2;
    (tail(mid) > beta ? lo : hi) = mid;
  }
  return up(hi);
}

/// The root mean square bound of a shortfall with P(X > α) ≤ min(1, C·e^{−α/s}): for C ≥ 1,
/// with a₀ = s·ln C, ∫ 2α·min(1, C e^{−α/s}) dα = a₀² + 2s(a₀ + s) = (a₀ + s)² + s²; for C < 1, 2Cs².
double rms_of_exponential_tail(double constant, double s) {
  if (constant < 1) return up(s * std::sqrt(2 * constant));
  const double a0 = s * std::log(constant);
  return up(std::sqrt((a0 + s) * (a0 + s) + s * s));
}

}  // namespace

Figure exponential_selection(double sensitivity_over_epsilon, double candidates, double selections, double beta) {
  if (candidates <= 1) return Figure{0, 0};
  const double s = 2 * sensitivity_over_epsilon;
  Figure f;
  f.half_width = up(s * std::log((candidates - 1) * selections / beta));
  f.half_width = std::max(0.0, f.half_width);
  f.sd = rms_of_exponential_tail(candidates - 1, s);
  return f;
}

Figure report_noisy_max(double scale, double candidates, double beta) {
  if (candidates <= 1) return Figure{0, 0};
  const double b = scale;
  // Checked with a relative margin for the rounding of exp and the products.
  auto tail = [&](double a) { return (candidates - 1) * 0.5 * std::exp(-a / b) * (1 + a / (2 * b)) * (1 + 1e-12); };
  Figure f;
  f.half_width = solve_tail(tail, b, beta);
  // ½e^{−x}(1 + x/2) ≤ ½e^{−x/2}: the tail is at most ((m − 1)/2)·e^{−a/(2b)}.
  f.sd = rms_of_exponential_tail((candidates - 1) / 2, 2 * b);
  return f;
}

Figure sparse_vector(double threshold_scale, double query_scale, double queries, double beta) {
  const double b1 = threshold_scale, b2 = query_scale, k = std::max(1.0, queries);
  // r0 = α − b2·ln k: below it, k·e^{−(α − r)/b2} < 1. With |ρ| ~ Exp(b1):
  // P = ∫_0^{r0} k e^{−(α−r)/b2} e^{−r/b1}/b1 dr + e^{−r0/b1}
  //   = (e^{−r0/b1} − e^{−r0/b2})/(b1·λ) + e^{−r0/b1},  λ = 1/b2 − 1/b1 (λ → 0: (r0/b1 + 1)e^{−r0/b1}).
  auto tail = [&](double alpha) {
    const double r0 = alpha - b2 * std::log(k);
    if (r0 <= 0) return 1.0;
    const double lambda = 1 / b2 - 1 / b1;
    double p;
    if (std::fabs(lambda) * r0 < 1e-6) p = (r0 / b1 + 1) * std::exp(-r0 / b1);
    else p = (std::exp(-r0 / b1) - std::exp(-r0 / b2)) / (b1 * lambda) + std::exp(-r0 / b1);
    return p * (1 + 1e-12);
  };
  Figure f;
  f.half_width = solve_tail(tail, b1 + b2, beta);
  f.sd = up(std::sqrt(2 * b1 * b1 + 2 * b2 * b2));
  return f;
}

namespace {

/// An upper bound on max over c ≤ rows of P(|Bin(c, q) − cq| > t): on each cell [a, b] of a
/// geometric grid of c, min(Bernstein at b, Berry–Esseen's normal part at b + its error at a).
double binomial_tail_over_counts(double rows, double q, double t) {
  const double v1 = q * (1 - q);
  const double rho = v1 * (q * q + (1 - q) * (1 - q));  // E|B − q|³
  const double be = 2 * 0.4748 * rho / (v1 * std::sqrt(v1));
  const double m = std::max(q, 1 - q);
  const boost::math::normal_distribution<double> standard(0, 1);
  auto bernstein = [&](double c) { return 2 * std::exp(-t * t / (2 * (c * v1 + m * t / 3))); };
  double worst = 0;
  for (double a = 1; a <= rows;) {
    const double b = std::min(rows, std::floor(a * 1.01) + 1);
    const double normal = 2 * boost::math::cdf(boost::math::complement(standard, t / std::sqrt(b * v1)));
    worst = std::max(worst, std::min(bernstein(b), normal + be / std::sqrt(a)));
    a = b + 1;
  }
  return up(worst * (1 + 1e-9));
}

/// The least t (to 1e-9 relative, rounded up) with tail(t) ≤ beta, tail decreasing in t.
template <class Tail>
double solve_decreasing(Tail tail, double start, double beta) {
  double lo = 0, hi = start;
  while (tail(hi) > beta) hi *= 2;
  while (hi - lo > 1e-9 * hi) {
    const double mid = (lo + hi) / 2;
    (tail(mid) > beta ? lo : hi) = mid;
  }
  return up(hi);
}

}  // namespace

Figure poisson_sampled(double rows, double record_bound, double q, bool unit_records, double noise_sd,
                       const std::function<double(double)>& noise_half_width, double beta) {
  if (!(q > 0) || !(rows >= 0)) return Figure{kInf, kInf};
  const double sampling_variance = rows * record_bound * record_bound * (1 - q) / q;
  const double term_bound = record_bound * std::max(q, 1 - q) / q;
  Figure f;
  f.sd = up(std::sqrt(sampling_variance + noise_sd * noise_sd / (q * q)));
  if (q >= 1 || rows == 0) {
    f.half_width = up(noise_half_width(beta) / q);
    return f;
  }
  f.half_width = kInf;
  for (double share : {0.5, 0.7, 0.8, 0.9, 0.95, 0.98}) {
    const double b_sample = beta * share;
    double t = bernstein_half_width(sampling_variance, term_bound, b_sample);
    if (unit_records) {
      // In counts of the sample (before dividing by q).
      const double counts = solve_decreasing([&](double x) { return binomial_tail_over_counts(rows, q, x); },
                                             std::sqrt(rows * q * (1 - q)) + 1, b_sample);
      t = std::min(t, up(counts / q));
    }
    f.half_width = std::min(f.half_width, up(t + noise_half_width(beta - b_sample) / q));
  }
  return f;
}

Figure count_mean_sketch(double epsilon, double width, double hashes, double n, double variance, double beta) {
  if (!(width >= 2) || !(n > 0) || !(hashes >= 1)) return Figure{kInf, kInf};
  const double m = width, k = hashes;
  const double e = std::exp(epsilon / 2);
  const double c = (e + 1) / (e - 1);
  const double stretch = m / (m - 1);
  // The hash functions' part: Σ_v w_v(γ_v − 1/m), Bernstein at β/2.
  const double t_hash = bernstein_half_width((1 / m) * (1 - 1 / m) / k, 1 / k, beta / 2);
  // The reports' part given the hashes, on that event.
  const double per_report = stretch * stretch * ((c * c - 1) / 4 + 1 / m + t_hash);
  const double t_reports = bernstein_half_width(per_report / n, stretch * c / n, beta / 2);
  Figure f;
  f.sd = up(std::sqrt(variance) / n);
  f.half_width = up(stretch * t_hash + t_reports);
  return f;
}

}  // namespace privflow::dp::error
