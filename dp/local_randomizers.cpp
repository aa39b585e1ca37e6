#include "dp/local_randomizers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace privflow::dp::ldp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// x raised past the rounding error of the few operations that produced it (ε and variance
/// are upper bounds).
double up(double x) {
  if (!std::isfinite(x)) return x;
  return std::nextafter(x * (1 + 8 * std::numeric_limits<double>::epsilon()), kInf);
}

/// ln(a/b) for a, b ≥ 0, rounded up; +∞ when b = 0 < a.
double log_ratio(double a, double b) {
  if (b <= 0) return a > 0 ? kInf : 0;
  return up(std::log(a / b));
}

}  // namespace

double rappor_q_star(const Rappor& r) { return 0.5 * r.f * (r.p + r.q) + (1 - r.f) * r.q; }
double rappor_p_star(const Rappor& r) { return 0.5 * r.f * (r.p + r.q) + (1 - r.f) * r.p; }

double rappor_epsilon_permanent(const Rappor& r) {
  const double h = static_cast<double>(r.hashes);
  return up(2 * h * log_ratio(1 - r.f / 2, r.f / 2));
}

double rappor_epsilon_one(const Rappor& r) {
  const double qs = rappor_q_star(r);
  const double ps = rappor_p_star(r);
  // |ln|: the bound holds whichever of q*, p* is larger.
  const double a = std::max(qs * (1 - ps), ps * (1 - qs));
  const double b = std::min(qs * (1 - ps), ps * (1 - qs));
  return up(static_cast<double>(r.hashes) * log_ratio(a, b));
}

double rappor_epsilon(const Rappor& r, std::uint64_t reports) {
  const double one = rappor_epsilon_one(r);
  const double permanent = rappor_epsilon_permanent(r);
  const double composed = up(static_cast<double>(reports) * one);
  return std::min({composed, permanent, reports == 1 ? one : kInf});
}

double unary_epsilon(double p, double q) {
  const double a = std::max(q * (1 - p), p * (1 - q));
  const double b = std::min(q * (1 - p), p * (1 - q));
  return log_ratio(a, b);
}

double oue_p(double epsilon) { return 1 / (std::exp(epsilon) + 1); }
double sue_q(double epsilon) {
  const double e = std::exp(epsilon / 2);
  return e / (e + 1);
}

std::uint64_t olh_range(double epsilon) {
  const double g = std::round(std::exp(epsilon) + 1);
  return g < 2 ? 2 : g > 1e18 ? std::uint64_t{1000000000000000000} : static_cast<std::uint64_t>(g);
}

double pure_protocol_variance(double support_true, double support_other, double n, double count) {
  const double gap = support_true - support_other;
  if (gap <= 0) return kInf;
  return up(n * support_other * (1 - support_other) / (gap * gap) +
            std::max(0.0, count * (1 - support_true - support_other) / gap));
}

double rappor_variance(const Rappor& r, double n) {
  return pure_protocol_variance(rappor_q_star(r), rappor_p_star(r), n);
}

double unary_variance(double p, double q, double n) { return pure_protocol_variance(q, p, n); }

double olh_variance(double epsilon, std::uint64_t g, double n) {
  const double e = std::exp(epsilon);
  const double gg = static_cast<double>(g);
  return pure_protocol_variance(e / (e + gg - 1), 1 / gg, n);
}

double hadamard_variance(double epsilon, double n) {
  const double e = std::exp(epsilon);
  return pure_protocol_variance(e / (e + 1), 0.5, n);
}

double cms_variance(double epsilon, std::uint64_t width, std::uint64_t hashes, double n, double count,
                    double other_pairs) {
  const double e = std::exp(epsilon / 2);
  if (e <= 1 || width < 2 || hashes < 1) return kInf;
  const double c = (e + 1) / (e - 1);
  const double m = static_cast<double>(width);
  const double scale = m / (m - 1);
  const double collisions = other_pairs * (m - 1) / (static_cast<double>(hashes) * m * m);
  return up(scale * scale * (n * (c * c - 1) / 4 + std::max(0.0, n - count) * (m - 1) / (m * m) + collisions));
}

}  // namespace privflow::dp::ldp
