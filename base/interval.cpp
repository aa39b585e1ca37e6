#include "base/interval.hpp"

#include <mpfr.h>

#include <algorithm>

namespace privflow {
namespace {

/// An MPFR number of kIntervalPrecision bits, freed on scope exit.
struct Mpfr {
  mpfr_t value;
  Mpfr() { mpfr_init2(value, kIntervalPrecision); }
  ~Mpfr() { mpfr_clear(value); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
};

/// The finite MPFR number as an exact rational (mantissa · 2^exponent).
Rational to_rational(const mpfr_t x) {
  if (mpfr_zero_p(x)) return Rational(0);
  mpz_class mantissa;
  const mpfr_exp_t exponent = mpfr_get_z_2exp(mantissa.get_mpz_t(), x);
  Rational q(mantissa);
  if (exponent >= 0)
    mpq_mul_2exp(q.get_mpq_t(), q.get_mpq_t(), static_cast<mp_bitcnt_t>(exponent));
  else
    mpq_div_2exp(q.get_mpq_t(), q.get_mpq_t(), static_cast<mp_bitcnt_t>(-exponent));
  q.canonicalize();
  return q;
}

using MpfrFn = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);

/// fn(q) rounded towards -inf (down) or +inf; the argument itself is rounded the same way,
/// which is safe because sqrt, exp and ln are increasing.
Rational directed(MpfrFn fn, const Rational& q, bool up) {
  const mpfr_rnd_t rnd = up ? MPFR_RNDU : MPFR_RNDD;
  Mpfr x, y;
  mpfr_set_q(x.value, q.get_mpq_t(), rnd);
  fn(y.value, x.value, rnd);
  return to_rational(y.value);
}

bool is_square(const mpz_class& n) { return mpz_perfect_square_p(n.get_mpz_t()) != 0; }

}  // namespace

Interval operator+(const Interval& a, const Interval& b) { return {a.lo + b.lo, a.hi + b.hi}; }
Interval operator-(const Interval& a, const Interval& b) { return {a.lo - b.hi, a.hi - b.lo}; }
Interval operator-(const Interval& a) { return {-a.hi, -a.lo}; }

Interval operator*(const Interval& a, const Interval& b) {
  const Rational p[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
  return {*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
}

Interval operator/(const Interval& a, const Interval& b) {
  // 1/b over an interval without 0 is [1/hi, 1/lo].
  Rational inv_lo = 1 / b.hi, inv_hi = 1 / b.lo;
  return a * Interval{inv_lo, inv_hi};
}

Interval sqrt(const Interval& x) {
  if (x.exact() && is_square(x.lo.get_num()) && is_square(x.lo.get_den())) {
    mpz_class num, den;
    mpz_sqrt(num.get_mpz_t(), x.lo.get_num_mpz_t());
    mpz_sqrt(den.get_mpz_t(), x.lo.get_den_mpz_t());
    return Interval::point(Rational(num, den));
  }
  return {directed(mpfr_sqrt, x.lo, false), directed(mpfr_sqrt, x.hi, true)};
}

Interval exp(const Interval& x) {
  if (x.exact() && x.lo == 0) return Interval::point(Rational(1));
  return {directed(mpfr_exp, x.lo, false), directed(mpfr_exp, x.hi, true)};
}

Interval ln(const Interval& x) {
  if (x.exact() && x.lo == 1) return Interval::point(Rational(0));
  return {directed(mpfr_log, x.lo, false), directed(mpfr_log, x.hi, true)};
}

}  // namespace privflow
