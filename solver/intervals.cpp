// Interval arithmetic over a box of the read fields' domain (solver/detail/expression.hpp): a
// cheap sound over-approximation of an expression's values, which proves a box constant
// without asking the solver.
#include <algorithm>

#include "solver/detail/expression.hpp"

namespace privflow::solver::detail {

using Op = flow::Expr::Op;

Interval range(const mpz_class& lo, const mpz_class& hi) { return {false, lo, hi}; }

namespace {

Interval point(long v) { return {false, v, v}; }
Interval bottom() { return {true, 0, 0}; }
Interval join(const Interval& a, const Interval& b) {
  if (a.empty) return b;
  if (b.empty) return a;
  return {false, std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}
bool may_be_true(const Interval& a) { return !a.empty && (a.lo != 0 || a.hi != 0); }
bool may_be_false(const Interval& a) { return !a.empty && a.lo <= 0 && a.hi >= 0; }

mpz_class fdiv(const mpz_class& a, const mpz_class& b) {
  mpz_class q;
  mpz_fdiv_q(q.get_mpz_t(), a.get_mpz_t(), b.get_mpz_t());
  return q;
}
mpz_class fmod(const mpz_class& a, const mpz_class& b) {
  mpz_class r;
  mpz_fdiv_r(r.get_mpz_t(), a.get_mpz_t(), b.get_mpz_t());
  return r;
}

/// floor(a / b) for a in [alo, ahi], b in [blo, bhi] with 0 outside [blo, bhi]: floor is
/// monotone and a/b is monotone in each argument on a sign-constant box, so corners bound it.
Interval div_corners(const Interval& a, const mpz_class& blo, const mpz_class& bhi) {
  mpz_class c[4] = {fdiv(a.lo, blo), fdiv(a.lo, bhi), fdiv(a.hi, blo), fdiv(a.hi, bhi)};
  return range(*std::min_element(c, c + 4), *std::max_element(c, c + 4));
}

Interval mod_part(const Interval& a, const mpz_class& blo, const mpz_class& bhi) {
  if (blo == bhi && fdiv(a.lo, blo) == fdiv(a.hi, blo)) return range(fmod(a.lo, blo), fmod(a.hi, blo));
  if (blo > 0) {
    Interval r = range(0, bhi - 1);
    if (a.lo >= 0 && a.hi < r.hi) r.hi = a.hi;  // a >= 0, b > 0: 0 <= a % b <= a
    return r;
  }
  Interval r = range(blo + 1, 0);
  if (a.hi <= 0 && a.lo > r.lo) r.lo = a.lo;  // a <= 0, b < 0: a <= a % b <= 0
  return r;
}

}  // namespace

Interval interval(const Expr& e, const std::vector<Interval>& field_iv) {
  switch (e.op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: return point(static_cast<long>(e.value));
    case Op::kField: return field_iv[e.field];
    case Op::kNeg: {
      Interval a = interval(e.children[0], field_iv);
      return a.empty ? a : range(-a.hi, -a.lo);
    }
    case Op::kNot: {
      Interval a = interval(e.children[0], field_iv);
      if (a.empty) return a;
      return range(may_be_true(a) ? 0 : 1, may_be_false(a) ? 1 : 0);
    }
    case Op::kAnd: case Op::kOr: {
      Interval a = interval(e.children[0], field_iv);
      if (a.empty) return a;
      const bool is_or = e.op == Op::kOr;
      Interval result = (is_or ? may_be_true(a) : may_be_false(a)) ? point(is_or ? 1 : 0) : bottom();
      if (is_or ? may_be_false(a) : may_be_true(a)) {
        Interval b = interval(e.children[1], field_iv);
        if (!b.empty) result = join(result, range(may_be_false(b) ? 0 : 1, may_be_true(b) ? 1 : 0));
      }
      return result;
    }
    case Op::kIf: {
      Interval c = interval(e.children[0], field_iv);
      Interval result = bottom();
      if (may_be_true(c)) result = join(result, interval(e.children[1], field_iv));
      if (may_be_false(c)) result = join(result, interval(e.children[2], field_iv));
      return result;
    }
    default: break;
  }
  Interval a = interval(e.children[0], field_iv);
  Interval b = interval(e.children[1], field_iv);
  if (a.empty || b.empty) return bottom();
  switch (e.op) {
    case Op::kAdd: return range(a.lo + b.lo, a.hi + b.hi);
    case Op::kSub: return range(a.lo - b.hi, a.hi - b.lo);
    case Op::kMul: {
      mpz_class c[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
      return range(*std::min_element(c, c + 4), *std::max_element(c, c + 4));
    }
    case Op::kDiv: case Op::kMod: {
      Interval result = bottom();
      const bool is_div = e.op == Op::kDiv;
      if (b.lo < 0) {  // negative divisors
        mpz_class hi = std::min(b.hi, mpz_class(-1));
        result = join(result, is_div ? div_corners(a, b.lo, hi) : mod_part(a, b.lo, hi));
      }
      if (b.hi > 0) {  // positive divisors
        mpz_class lo = std::max(b.lo, mpz_class(1));
        result = join(result, is_div ? div_corners(a, lo, b.hi) : mod_part(a, lo, b.hi));
      }
      return result;  // a zero divisor is unreachable (checked before intervals are used)
    }
    case Op::kEq:
      if (a.lo == a.hi && b.lo == b.hi && a.lo == b.lo) return point(1);
      if (a.hi < b.lo || b.hi < a.lo) return point(0);
      return range(0, 1);
    case Op::kNe:
      if (a.lo == a.hi && b.lo == b.hi && a.lo == b.lo) return point(0);
      if (a.hi < b.lo || b.hi < a.lo) return point(1);
      return range(0, 1);
    case Op::kLt: return a.hi < b.lo ? point(1) : a.lo >= b.hi ? point(0) : range(0, 1);
    case Op::kLe: return a.hi <= b.lo ? point(1) : a.lo > b.hi ? point(0) : range(0, 1);
    case Op::kGt: return a.lo > b.hi ? point(1) : a.hi <= b.lo ? point(0) : range(0, 1);
    case Op::kGe: return a.lo >= b.hi ? point(1) : a.hi < b.lo ? point(0) : range(0, 1);
    default: return range(0, 1);
  }
}

}  // namespace privflow::solver::detail
