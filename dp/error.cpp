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

}  // namespace privflow::dp::error
