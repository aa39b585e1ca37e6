#pragma once
// Closed intervals of rationals for numbers that are not rationals: sqrt, exp and ln of a
// rational are computed with MPFR, each end rounded outwards, so the true value is always
// inside [lo, hi]. A point interval (lo == hi) is an exact value.
#include "base/rational.hpp"

namespace privflow {

struct Interval {
  Rational lo, hi;
  bool exact() const { return lo == hi; }
  static Interval point(const Rational& q) { return {q, q}; }
};

/// Bits of the MPFR computations: each irrational end is within 2^-120 (relative) of the
/// true value, far below every figure privflow prints.
inline constexpr long kIntervalPrecision = 128;

Interval operator+(const Interval& a, const Interval& b);
Interval operator-(const Interval& a, const Interval& b);
Interval operator-(const Interval& a);
Interval operator*(const Interval& a, const Interval& b);
/// Requires that b does not contain 0.
Interval operator/(const Interval& a, const Interval& b);

/// √x over [lo, hi], lo >= 0: exact for squares of rationals (√(9/4) = 3/2).
Interval sqrt(const Interval& x);
/// e^x: exact only at x = 0. Requires hi <= 700 (e^700 ≈ 1e304; larger does not fit a double).
Interval exp(const Interval& x);
/// ln x over [lo, hi], lo > 0: exact only at x = 1.
Interval ln(const Interval& x);

}  // namespace privflow
