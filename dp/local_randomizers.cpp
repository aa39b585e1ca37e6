#include "dp/local_randomizers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/rational.hpp"

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

namespace {

/// The parts every answer shares: `times` reports of one value compose to times·ε, rounded up.
Answer base(double one, std::uint64_t times, std::uint64_t reports) {
  Answer a;
  a.one = one, a.times = times, a.reports = reports;
  const double x = one * static_cast<double>(times);
  a.all = std::isfinite(x) ? std::nextafter(x, kInf) : x;
  return a;
}

std::string text_up(double x) { return std::isfinite(x) ? format_double_up(x, 6) : "inf"; }

}  // namespace

Answer rappor_answer(const Rappor& r, std::uint64_t times, std::uint64_t reports) {
  Answer a = base(rappor_epsilon_one(r), times, reports);
  a.permanent = rappor_epsilon_permanent(r);
  a.all = rappor_epsilon(r, times);
  if (reports) a.variance = rappor_variance(r, static_cast<double>(reports));
  a.how = "RAPPOR (Erlingsson, Pihur & Korolova 2014): one report h*ln(q*(1-p*)/(p*(1-q*))), q* = " +
          text_up(rappor_q_star(r)) + ", p* = " + text_up(rappor_p_star(r)) +
          "; reports of the same value at most the permanent response's 2h*ln((1-f/2)/(f/2))";
  if (a.variance) a.how += "; variance per Bloom bit, Wang et al. 2017 Thm 2";
  return a;
}

Answer unary_answer(double epsilon, UnaryVariant variant, std::uint64_t times, std::uint64_t reports) {
  const bool optimized = variant == UnaryVariant::kOptimized;
  const double q = optimized ? 0.5 : sue_q(epsilon), p = optimized ? oue_p(epsilon) : 1 - q;
  Answer a = base(epsilon, times, reports);
  if (reports) a.variance = unary_variance(p, q, static_cast<double>(reports));
  a.how = optimized ? "optimized unary encoding (Wang et al. 2017, Sec. 4.4): q = 1/2, p = 1/(e^epsilon + 1)"
                    : "symmetric unary encoding (basic RAPPOR; Wang et al. 2017, Sec. 4.3): q = e^(epsilon/2)/(e^(epsilon/2) + 1)";
  if (a.variance) a.how += "; variance Wang et al. 2017 Thm 2";
  return a;
}

Answer unary_answer(double p, double q, std::uint64_t times, std::uint64_t reports) {
  Answer a = base(unary_epsilon(p, q), times, reports);
  if (reports) a.variance = unary_variance(p, q, static_cast<double>(reports));
  a.how = "unary encoding (Wang et al. 2017, Thm 3): epsilon = ln(q(1-p)/(p(1-q)))";
  if (a.variance) a.how += "; variance Wang et al. 2017 Thm 2";
  return a;
}

Answer local_hashing_answer(double epsilon, std::optional<std::uint64_t> range, std::uint64_t times,
                            std::uint64_t reports) {
  const std::uint64_t g = range ? *range : olh_range(epsilon);
  Answer a = base(epsilon, times, reports);
  if (reports) a.variance = olh_variance(epsilon, g, static_cast<double>(reports));
  a.how = "local hashing onto " + std::to_string(g) + " values (Wang et al. 2017, Sec. 4.4" +
          (range ? ")" : ": optimized, g = e^epsilon + 1 rounded)") + ", randomized response on the hash";
  return a;
}

Answer hadamard_answer(double epsilon, std::uint64_t times, std::uint64_t reports) {
  Answer a = base(epsilon, times, reports);
  if (reports) a.variance = hadamard_variance(epsilon, static_cast<double>(reports));
  a.how = "Hadamard response (Acharya, Sun & Zhang 2019): the value's codeword half w.p. e^epsilon/(e^epsilon + 1)";
  return a;
}

Answer count_mean_sketch_answer(double epsilon, std::uint64_t width, std::uint64_t hashes, std::uint64_t times,
                                std::uint64_t reports) {
  Answer a = base(epsilon, times, reports);
  if (reports) a.variance = cms_variance(epsilon, width, hashes, static_cast<double>(reports));
  a.how = "Apple's count-mean sketch (2017): width " + std::to_string(width) + ", " + std::to_string(hashes) +
          " hash functions, each entry flipped w.p. 1/(1 + e^(epsilon/2))";
  if (a.variance)
    a.how += "; variance with the other reports on distinct values, plus (m/(m-1))^2 (m-1)/(k m^2) per pair of "
             "reports of one other value";
  return a;
}

}  // namespace privflow::dp::ldp
