#pragma once
// Internal (not installed API): RAII for MPFR numbers and exact conversion to rationals.
#include <mpfr.h>

#include "base/rational.hpp"

namespace privflow::inference::detail {

/// Working precision for directed-rounding computations, in bits.
inline constexpr mpfr_prec_t kPrecision = 192;

class Mpfr {
 public:
  explicit Mpfr(mpfr_prec_t prec = kPrecision) { mpfr_init2(x_, prec); }
  Mpfr(const Rational& q, mpfr_rnd_t rnd, mpfr_prec_t prec = kPrecision) {
    mpfr_init2(x_, prec);
    mpfr_set_q(x_, q.get_mpq_t(), rnd);
  }
  ~Mpfr() { mpfr_clear(x_); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
  mpfr_ptr get() { return x_; }
  mpfr_srcptr get() const { return x_; }
  /// The exact rational value (finite numbers only).
  Rational to_rational() const {
    Rational q;
    mpfr_get_q(q.get_mpq_t(), x_);
    return q;
  }

 private:
  mpfr_t x_;
};

}  // namespace privflow::inference::detail
