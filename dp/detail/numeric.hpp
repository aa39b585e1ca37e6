#pragma once
// Internal numeric helpers of dp/: log-space arithmetic and directed safety margins.
#include <cmath>
#include <limits>

namespace privflow::dp::detail {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// log(e^a + e^b), exact to a few ulps; -inf is zero.
inline double log_add(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -kInf) return a;
  return a + std::log1p(std::exp(b - a));
}

/// log(erfc(x)), accurate for large x (asymptotic expansion beyond 25, where erfc underflows).
inline double log_erfc(double x) {
  if (x < 25.0) return std::log(std::erfc(x));
  const double x2 = x * x;
  // erfc(x) = e^{-x²}/(x√π)·(1 − 1/(2x²) + 3/(4x⁴) − …); the truncated alternating series
  // with the next term positive is an upper bound.
  return -x2 - std::log(x) - 0.5 * std::log(M_PI) + std::log1p(-0.5 / x2 + 0.75 / (x2 * x2));
}

/// Rounds a computed loss-like quantity up by a relative margin that dominates the floating-point
/// error of the computations in dp/ (documented per use); +inf and 0 stay as they are.
inline double up(double x, double relative = 1e-9) {
  if (!(x > 0) || std::isinf(x)) return x < 0 ? x - std::abs(x) * relative : x;
  return std::nextafter(x + x * relative, kInf);
}

/// A long double rounded up to a double (the result of a computation whose margin was added in
/// long double); 0 below zero, +inf stays, and NaN (a computation that failed) is +inf.
inline double up_to_double(long double x) {
  if (std::isnan(x)) return kInf;
  if (!(x > 0)) return 0;
  const double d = static_cast<double>(x);
  return static_cast<long double>(d) >= x ? d : std::nextafter(d, kInf);
}

}  // namespace privflow::dp::detail
