// Amplification by shuffling: the numerical bound of Feldman, McMillan & Talwar 2021 (Thm 3.2)
// against its definition summed term by term, against the exact privacy of shuffled binary
// randomized response (a lower bound on any sound answer), and for monotonicity.
#include <mpfr.h>

#include <boost/math/distributions/binomial.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dp/accountant.hpp"

using namespace privflow::dp;

namespace {

using Real = long double;

Real log_binom_pmf(Real n, Real k, Real p) {
  if (k < 0 || k > n) return -INFINITY;
  const Real logp = p == 0 ? (k == 0 ? 0 : -INFINITY) : k * std::log(p);
  const Real logq = p == 1 ? (k == n ? 0 : -INFINITY) : (n - k) * std::log1p(-p);
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) + logp + logq;
}

/// The definition: Σ_c Bin(n−1, e^−ε0)(c) · Σ_k max(P_c(k) − e^ε Q_c(k), 0), both directions.
Real brute_force_delta(double e0, std::uint64_t n, double eps) {
  const Real q = std::exp(-Real(e0)), alpha = 1 / (1 + q), beta = q / (1 + q), ee = std::exp(Real(eps));
  Real forward = 0, backward = 0;
  for (Real c = 0; c <= Real(n - 1); ++c) {
    const Real w = std::exp(log_binom_pmf(Real(n - 1), c, q));
    Real f = 0, b = 0;
    for (Real k = 0; k <= c + 1; ++k) {
      const Real lo = std::exp(log_binom_pmf(c, k - 1, 0.5L)), hi = std::exp(log_binom_pmf(c, k, 0.5L));
      const Real p = alpha * lo + beta * hi, qq = beta * lo + alpha * hi;
      f += std::max(p - ee * qq, Real(0));
      b += std::max(qq - ee * p, Real(0));
    }
    forward += w * f;
    backward += w * b;
  }
  return std::max(forward, backward);
}

/// Exact δ(ε) of shuffled binary randomized response (keep e^ε0/(e^ε0+1)) on the neighbours
/// (0, 0, …, 0) and (1, 0, …, 0): the number of ones is all the shuffled output says. Any
/// sound bound for ε0-LDP reports must be at least this.
Real binary_rr_delta(double e0, std::uint64_t n, double eps) {
  const Real r = 1 / (1 + std::exp(Real(e0))), ee = std::exp(Real(eps)), m = Real(n - 1);
  const Real mu = m * r, sigma = std::sqrt(m * r * (1 - r));
  Real d0 = 0, d1 = 0;
  for (Real y = std::max(Real(0), std::floor(mu - 40 * sigma)); y <= std::min(m + 1, mu + 40 * sigma + 2); ++y) {
    const Real a = std::exp(log_binom_pmf(m, y, r)), b = std::exp(log_binom_pmf(m, y - 1, r));
    const Real p0 = a * (1 - r) + b * r, p1 = a * r + b * (1 - r);
    d0 += std::max(p1 - ee * p0, Real(0));
    d1 += std::max(p0 - ee * p1, Real(0));
  }
  return std::max(d0, d1);
}

/// The Bin(n, p) pmf at k in 256-bit arithmetic (p taken exactly as the double it is).
double mpfr_binomial_pmf(double n, double k, double p) {
  mpfr_t a, b, c, r, t;
  mpfr_inits2(256, a, b, c, r, t, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(a, n + 1, MPFR_RNDN), mpfr_lngamma(a, a, MPFR_RNDN);
  mpfr_set_d(b, k + 1, MPFR_RNDN), mpfr_lngamma(b, b, MPFR_RNDN);
  mpfr_set_d(c, n - k + 1, MPFR_RNDN), mpfr_lngamma(c, c, MPFR_RNDN);
  mpfr_sub(r, a, b, MPFR_RNDN), mpfr_sub(r, r, c, MPFR_RNDN);
  mpfr_set_d(t, p, MPFR_RNDN), mpfr_log(t, t, MPFR_RNDN), mpfr_mul_d(t, t, k, MPFR_RNDN), mpfr_add(r, r, t, MPFR_RNDN);
  mpfr_set_d(t, p, MPFR_RNDN), mpfr_ui_sub(t, 1, t, MPFR_RNDN), mpfr_log(t, t, MPFR_RNDN);
  mpfr_mul_d(t, t, n - k, MPFR_RNDN), mpfr_add(r, r, t, MPFR_RNDN);
  mpfr_exp(r, r, MPFR_RNDN);
  const double out = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clears(a, b, c, r, t, static_cast<mpfr_ptr>(nullptr));
  return out;
}

}  // namespace

TEST_CASE("Boost.Math's binomial pmf stays within the margin dp/shuffle.cpp gives it", "[dp][shuffle]") {
  // dp/shuffle.cpp widens every binomial value by max(1e-10, 8·n·2^-64) relative; the error
  // grows with n (1.5e-8 at 10^12 trials), so a Boost.Math that grew worse would show here.
  for (double n : {1e3, 1e6, 1e9, 3.7e11, 1e12})
    for (double p : {0.5, std::exp(-1.0), 1e-3, 0.9})
      for (double z : {-4.0, 0.0, 3.0, 10.0}) {
        const double k = std::floor(n * p + z * std::sqrt(n * p * (1 - p)));
        if (k < 0 || k > n) continue;
        const double got = boost::math::pdf(boost::math::binomial_distribution<double>(n, p), k);
        const double want = mpfr_binomial_pmf(n, k, p);
        INFO("n " << n << " p " << p << " k " << k);
        CHECK(std::abs(got - want) <= std::max(1e-10, 8 * n * 0x1p-64) / 4 * want);
      }
}

TEST_CASE("the numerical shuffle bound is its definition, summed term by term", "[dp][shuffle]") {
  for (std::uint64_t n : {1ULL, 2ULL, 20ULL, 300ULL})
    for (double e0 : {0.5, 2.0, 5.0})
      for (double fraction : {0.0, 0.1, 0.5, 0.9}) {
        const double eps = fraction * e0;
        const auto got = shuffle_delta(e0, n, eps);
        REQUIRE(got);
        const Real want = brute_force_delta(e0, n, eps);
        INFO("n " << n << " e0 " << e0 << " eps " << eps << ": " << *got << " vs " << double(want));
        CHECK(*got >= want);  // an upper bound
        CHECK(*got <= want * (1 + 1e-6) + 1e-14);  // the margins on Boost.Math values: ~1e-7
      }
}

TEST_CASE("counting clones in blocks bounds the per-count sum from above, closely", "[dp][shuffle]") {
  // 10^6 senders: the ±12σ window holds more than 4096 clone counts, so blocks are used. The
  // reference sums every count within ±6σ exactly, from the definition.
  for (double e0 : {1.0, 3.0})
    for (double eps : {0.005, 0.01}) {
      const std::uint64_t n = 1000000;
      const Real q = std::exp(-Real(e0)), alpha = 1 / (1 + q), beta = q / (1 + q), ee = std::exp(Real(eps));
      const Real m = Real(n - 1), mu = m * q, sigma = std::sqrt(m * q * (1 - q));
      Real want = 0;
      for (Real c = std::floor(mu - 6 * sigma); c <= mu + 6 * sigma; ++c) {
        Real inner = 0;  // Σ_k max(P_c − e^ε Q_c, 0), from just below the threshold upwards
        const Real t = (c + 1) * (ee * alpha - beta) / ((alpha - beta) * (1 + ee));
        Real k = std::max(Real(0), std::floor(t) - 1);
        Real lo = std::exp(log_binom_pmf(c, k - 1, 0.5L)), hi = std::exp(log_binom_pmf(c, k, 0.5L));
        for (; k <= c + 1; ++k) {
          const Real v = alpha * lo + beta * hi - ee * (beta * lo + alpha * hi);
          if (v > 0) inner += v;
          if (k > t + 1 && v < inner * 1e-15) break;  // the rest of the tail is negligible
          lo = hi;                          // b(k) becomes b(k+1−1)
          hi = hi * (c - k) / (k + 1);      // b(k+1) = b(k)·(c−k)/(k+1)
        }
        want += std::exp(log_binom_pmf(m, c, q)) * inner;
      }
      const double got = *shuffle_delta(e0, n, eps);
      INFO("e0 " << e0 << " eps " << eps << ": " << got << " vs " << double(want));
      CHECK(got >= want);
      CHECK(got <= want * 1.05 + 1e-30);  // below μ − 12σ clones (mass ~1e-33) δ_c ≤ 1 is used
    }
}

TEST_CASE("shuffled binary randomized response is never more private than the bound says", "[dp][shuffle]") {
  struct Case {
    double e0;
    std::uint64_t n;
    double delta;
  };
  for (const Case& k : {Case{1, 100000, 1e-6}, Case{2, 10000, 1e-6}, Case{0.5, 1000, 1e-5}, Case{4, 100000, 1e-8},
                        Case{8, 1000000, 1e-6}}) {
    const auto eps = shuffle_epsilon_numerical(k.e0, k.n, k.delta);
    REQUIRE(eps);
    INFO("e0 " << k.e0 << " n " << k.n << " delta " << k.delta << ": epsilon " << *eps);
    CHECK(binary_rr_delta(k.e0, k.n, *eps) <= k.delta);  // sound
    CHECK(binary_rr_delta(k.e0, k.n, *eps / 2.5) > k.delta);  // and within 2.5x of a lower bound
    CHECK(*shuffle_delta(k.e0, k.n, *eps) <= k.delta);  // the answer is certified
    const auto closed = shuffle_epsilon_closed_form(k.e0, k.n, k.delta);
    CHECK(*eps <= *closed);
    CHECK(*shuffle_epsilon(k.e0, k.n, k.delta) == std::min(*eps, *closed));
  }
}

TEST_CASE("the shuffle bound is monotone and total", "[dp][shuffle]") {
  double last = 2;
  for (double eps = 0; eps <= 2; eps += 0.05) {  // δ(ε) non-increasing
    const double d = *shuffle_delta(2, 10000, eps);
    CHECK(d <= last);
    last = d;
  }
  CHECK(*shuffle_delta(2, 10000, 2) == 0);  // the ratio never exceeds e^ε0
  double prev = 10;
  for (std::uint64_t n = 10; n <= 100000000; n *= 10) {  // more senders, smaller ε
    const double e = *shuffle_epsilon_numerical(2, n, 1e-6);
    CHECK(e <= prev);
    prev = e;
  }
  // Never larger for one more sender, even where the gain is a hair (ε0 0.75, a handful of
  // senders) or where blocks are used (the grid beyond 4096): the coalition search trades
  // members of a population against honest senders and relies on it.
  for (double e0 : {0.75, 3.0}) {
    prev = e0;
    for (std::uint64_t n = 1; n <= 40; ++n) {
      const double e = *shuffle_epsilon(e0, n, 1e-6);
      INFO("e0 " << e0 << " n " << n);
      CHECK(e <= prev);
      prev = e;
    }
  }
  prev = 10;
  for (std::uint64_t n = 4000; n <= 400000; n = n * 21 / 20) {
    const double e = *shuffle_epsilon(1, n, 1e-6);
    INFO("n " << n);
    CHECK(e <= prev);
    prev = e;
  }
  prev = 0;
  for (double e0 : {0.1, 0.5, 1.0, 2.0, 4.0, 8.0}) {  // a larger local ε, a larger central ε
    const double e = *shuffle_epsilon_numerical(e0, 10000, 1e-6);
    CHECK(e >= prev);
    CHECK(e <= e0);
    prev = e;
  }
  CHECK(*shuffle_epsilon_numerical(0, 100, 1e-6) == 0);
  const double one = *shuffle_epsilon_numerical(1, 1, 1e-6);  // a single sender: nothing to hide among
  CHECK(one <= 1);
  CHECK(one >= 1 - 1e-5);
  const double huge_local = *shuffle_epsilon_numerical(1000, 1000, 1e-6);
  CHECK(huge_local <= 1000);
  CHECK(huge_local >= 999);
  const double population = *shuffle_epsilon_numerical(1, 1000000000000ULL, 1e-9);
  CHECK(population > 0);
  CHECK(population < *shuffle_epsilon_closed_form(1, 1000000000000ULL, 1e-9));
  CHECK_FALSE(shuffle_delta(1, 0, 0.5));
  CHECK_FALSE(shuffle_delta(-1, 10, 0.5));
  CHECK_FALSE(shuffle_delta(1, 10, -0.5));
  CHECK_FALSE(shuffle_epsilon_numerical(1, 10, 0));
  CHECK_FALSE(shuffle_epsilon_numerical(std::nan(""), 10, 1e-6));
}
