#include "solver/map_count.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <unordered_map>
#include <utility>

#include "solver/detail/session_impl.hpp"

namespace privflow::solver {

namespace {

using flow::Expr;
using Op = flow::Expr::Op;

/// Deepest expression tree accepted (every pass below recurses on it).
constexpr std::size_t kMaxDepth = 4096;

// ---------------------------------------------------------------------------------------
// Validation: the front end type-checks, but a count must never crash on a malformed tree.
// ---------------------------------------------------------------------------------------

std::size_t arity(Op op) {
  switch (op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: case Op::kField: return 0;
    case Op::kNeg: case Op::kNot: return 1;
    case Op::kIf: return 3;
    default: return 2;
  }
}

std::optional<std::string> malformed(const Expr& root, const flow::Data& data) {
  std::vector<std::pair<const Expr*, std::size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [e, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxDepth) return "expression nested deeper than " + std::to_string(kMaxDepth);
    if (e->children.size() != arity(e->op)) return "operator with a wrong number of operands";
    if (e->op == Op::kField) {
      if (e->field >= data.fields.size()) return "field index out of range";
      const flow::Field& f = data.fields[e->field];
      if (f.type == flow::FieldType::kInt && f.lo > f.hi) return "field '" + f.name + "' has an empty range";
      if (f.type == flow::FieldType::kEnum && f.values.empty()) return "field '" + f.name + "' has no values";
    }
    for (const Expr& c : e->children) stack.push_back({&c, depth + 1});
  }
  return std::nullopt;
}

/// Value range of a field in "value space": lo..hi for int, 0..k-1 for enum and bool.
std::pair<std::int64_t, std::int64_t> value_range(const flow::Field& f) {
  switch (f.type) {
    case flow::FieldType::kInt: return {f.lo, f.hi};
    case flow::FieldType::kBool: return {0, 1};
    case flow::FieldType::kEnum: return {0, static_cast<std::int64_t>(f.values.size()) - 1};
  }
  return {0, 0};
}

mpz_class width(std::int64_t lo, std::int64_t hi) {
  mpz_class w(static_cast<long>(hi));
  w -= static_cast<long>(lo);
  w += 1;
  return w;
}

// ---------------------------------------------------------------------------------------
// Evaluation: a fast int64 evaluator that reports overflow, and the exact mpz reference.
// Both evaluate operands left to right and short-circuit `and`, `or`, `if` identically, so
// they find the same division by zero first.
// ---------------------------------------------------------------------------------------

enum class Ev : std::uint8_t { kOk, kOverflow, kDivZero };

bool is_true(std::int64_t v) { return v != 0; }

Ev eval64(const Expr& e, const std::int64_t* rec, std::int64_t& out, const Expr** division) {
  switch (e.op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: out = e.value; return Ev::kOk;
    case Op::kField: out = rec[e.field]; return Ev::kOk;
    case Op::kNeg: {
      std::int64_t a;
      if (Ev r = eval64(e.children[0], rec, a, division); r != Ev::kOk) return r;
      if (a == INT64_MIN) return Ev::kOverflow;
      out = -a;
      return Ev::kOk;
    }
    case Op::kNot: {
      std::int64_t a;
      if (Ev r = eval64(e.children[0], rec, a, division); r != Ev::kOk) return r;
      out = is_true(a) ? 0 : 1;
      return Ev::kOk;
    }
    case Op::kAnd: case Op::kOr: {
      std::int64_t a;
      if (Ev r = eval64(e.children[0], rec, a, division); r != Ev::kOk) return r;
      if (is_true(a) == (e.op == Op::kOr)) { out = is_true(a) ? 1 : 0; return Ev::kOk; }
      std::int64_t b;
      if (Ev r = eval64(e.children[1], rec, b, division); r != Ev::kOk) return r;
      out = is_true(b) ? 1 : 0;
      return Ev::kOk;
    }
    case Op::kIf: {
      std::int64_t c;
      if (Ev r = eval64(e.children[0], rec, c, division); r != Ev::kOk) return r;
      return eval64(e.children[is_true(c) ? 1 : 2], rec, out, division);
    }
    default: break;
  }
  std::int64_t a, b;
  if (Ev r = eval64(e.children[0], rec, a, division); r != Ev::kOk) return r;
  if (Ev r = eval64(e.children[1], rec, b, division); r != Ev::kOk) return r;
  switch (e.op) {
    case Op::kAdd: return __builtin_add_overflow(a, b, &out) ? Ev::kOverflow : Ev::kOk;
    case Op::kSub: return __builtin_sub_overflow(a, b, &out) ? Ev::kOverflow : Ev::kOk;
    case Op::kMul: return __builtin_mul_overflow(a, b, &out) ? Ev::kOverflow : Ev::kOk;
    case Op::kDiv: case Op::kMod: {
      if (b == 0) {
        if (division) *division = &e;
        return Ev::kDivZero;
      }
      if (b == -1) {  // avoids INT64_MIN / -1
        if (e.op == Op::kMod) { out = 0; return Ev::kOk; }
        if (a == INT64_MIN) return Ev::kOverflow;
        out = -a;
        return Ev::kOk;
      }
      std::int64_t q = a / b, r = a % b;
      if (r != 0 && ((r < 0) != (b < 0))) { --q; r += b; }  // floor semantics
      out = e.op == Op::kDiv ? q : r;
      return Ev::kOk;
    }
    case Op::kEq: out = a == b; return Ev::kOk;
    case Op::kNe: out = a != b; return Ev::kOk;
    case Op::kLt: out = a < b; return Ev::kOk;
    case Op::kLe: out = a <= b; return Ev::kOk;
    case Op::kGt: out = a > b; return Ev::kOk;
    case Op::kGe: out = a >= b; return Ev::kOk;
    default: return Ev::kOverflow;  // unreachable after validation; the mpz path decides
  }
}

bool eval_mpz(const Expr& e, const std::vector<std::int64_t>& rec, mpz_class& out, const Expr** division) {
  switch (e.op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: out = static_cast<long>(e.value); return true;
    case Op::kField: out = static_cast<long>(rec[e.field]); return true;
    case Op::kNeg:
      if (!eval_mpz(e.children[0], rec, out, division)) return false;
      out = -out;
      return true;
    case Op::kNot:
      if (!eval_mpz(e.children[0], rec, out, division)) return false;
      out = out == 0 ? 1 : 0;
      return true;
    case Op::kAnd: case Op::kOr: {
      mpz_class a;
      if (!eval_mpz(e.children[0], rec, a, division)) return false;
      if ((a != 0) == (e.op == Op::kOr)) { out = a != 0 ? 1 : 0; return true; }
      if (!eval_mpz(e.children[1], rec, a, division)) return false;
      out = a != 0 ? 1 : 0;
      return true;
    }
    case Op::kIf: {
      mpz_class c;
      if (!eval_mpz(e.children[0], rec, c, division)) return false;
      return eval_mpz(e.children[c != 0 ? 1 : 2], rec, out, division);
    }
    default: break;
  }
  mpz_class a, b;
  if (!eval_mpz(e.children[0], rec, a, division)) return false;
  if (!eval_mpz(e.children[1], rec, b, division)) return false;
  switch (e.op) {
    case Op::kAdd: out = a + b; return true;
    case Op::kSub: out = a - b; return true;
    case Op::kMul: out = a * b; return true;
    case Op::kDiv: case Op::kMod:
      if (b == 0) {
        if (division) *division = &e;
        return false;
      }
      if (e.op == Op::kDiv) mpz_fdiv_q(out.get_mpz_t(), a.get_mpz_t(), b.get_mpz_t());
      else mpz_fdiv_r(out.get_mpz_t(), a.get_mpz_t(), b.get_mpz_t());
      return true;
    case Op::kEq: out = a == b ? 1 : 0; return true;
    case Op::kNe: out = a != b ? 1 : 0; return true;
    case Op::kLt: out = a < b ? 1 : 0; return true;
    case Op::kLe: out = a <= b ? 1 : 0; return true;
    case Op::kGt: out = a > b ? 1 : 0; return true;
    case Op::kGe: out = a >= b ? 1 : 0; return true;
    default: out = 0; return true;
  }
}

// ---------------------------------------------------------------------------------------
// Output classes met while enumerating.
// ---------------------------------------------------------------------------------------

class ClassTable {
 public:
  std::uint64_t id(std::int64_t v) {
    auto [it, fresh] = small_.try_emplace(v, values_.size());
    if (fresh) add(mpz_class(static_cast<long>(v)));
    return it->second;
  }
  std::uint64_t id(const mpz_class& v) {
    if (v.fits_slong_p()) return id(static_cast<std::int64_t>(v.get_si()));
    auto [it, fresh] = big_.try_emplace(v, values_.size());
    if (fresh) add(v);
    return it->second;
  }
  void count(std::uint64_t id) { ++counts_[id]; }
  std::size_t size() const { return values_.size(); }
  const std::vector<mpz_class>& values() const { return values_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }

 private:
  void add(const mpz_class& v) {
    values_.push_back(v);
    counts_.push_back(0);
  }
  std::unordered_map<std::int64_t, std::uint64_t> small_;
  std::map<mpz_class, std::uint64_t> big_;
  std::vector<mpz_class> values_;
  std::vector<std::uint64_t> counts_;
};

/// A box of the read fields' domain: per read position, an inclusive value range.
using Box = std::vector<std::pair<std::int64_t, std::int64_t>>;

mpz_class box_size(const Box& box) {
  mpz_class n = 1;
  for (auto [lo, hi] : box) n *= width(lo, hi);
  return n;
}

struct EnumerationOutcome {
  bool division_by_zero = false;
  std::vector<std::int64_t> witness;  // per read position
  const Expr* division = nullptr;
};

/// Enumerates every tuple of `box` (last read field fastest), calling sink(class id).
template <typename Sink>
EnumerationOutcome enumerate_box(const Expr& expr, const std::vector<flow::Id>& fields, std::size_t field_count,
                                 const Box& box, ClassTable& table, Sink&& sink) {
  EnumerationOutcome outcome;
  std::vector<std::int64_t> rec(field_count, 0);
  for (std::size_t j = 0; j < fields.size(); ++j) rec[fields[j]] = box[j].first;
  mpz_class exact;
  while (true) {
    std::int64_t v;
    const Expr* division = nullptr;
    Ev r = eval64(expr, rec.data(), v, &division);
    if (r == Ev::kOverflow) {
      r = eval_mpz(expr, rec, exact, &division) ? Ev::kOk : Ev::kDivZero;
      if (r == Ev::kOk) sink(table.id(exact));
    } else if (r == Ev::kOk) {
      sink(table.id(v));
    }
    if (r == Ev::kDivZero) {
      outcome.division_by_zero = true;
      outcome.division = division;
      for (flow::Id f : fields) outcome.witness.push_back(rec[f]);
      return outcome;
    }
    // odometer: the last read field runs fastest
    std::size_t j = fields.size();
    while (j > 0) {
      --j;
      std::int64_t& x = rec[fields[j]];
      if (x < box[j].second) { ++x; break; }
      x = box[j].first;
      if (j == 0) return outcome;
    }
    if (fields.empty()) return outcome;
  }
}

// ---------------------------------------------------------------------------------------
// Interval arithmetic over a box: a cheap sound over-approximation of an expression's values.
// `empty` means "not evaluated on any path" (e.g. a division whose divisor is 0 on the whole
// box: the division-by-zero check has shown that no input reaches it).
// ---------------------------------------------------------------------------------------

struct Iv {
  bool empty = false;
  mpz_class lo, hi;
};

Iv point(long v) { return {false, v, v}; }
Iv range(const mpz_class& lo, const mpz_class& hi) { return {false, lo, hi}; }
Iv bottom() { return {true, 0, 0}; }
Iv join(const Iv& a, const Iv& b) {
  if (a.empty) return b;
  if (b.empty) return a;
  return {false, std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}
bool may_be_true(const Iv& a) { return !a.empty && (a.lo != 0 || a.hi != 0); }
bool may_be_false(const Iv& a) { return !a.empty && a.lo <= 0 && a.hi >= 0; }

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
Iv div_corners(const Iv& a, const mpz_class& blo, const mpz_class& bhi) {
  mpz_class c[4] = {fdiv(a.lo, blo), fdiv(a.lo, bhi), fdiv(a.hi, blo), fdiv(a.hi, bhi)};
  return range(*std::min_element(c, c + 4), *std::max_element(c, c + 4));
}

Iv mod_part(const Iv& a, const mpz_class& blo, const mpz_class& bhi) {
  if (blo == bhi && fdiv(a.lo, blo) == fdiv(a.hi, blo)) return range(fmod(a.lo, blo), fmod(a.hi, blo));
  if (blo > 0) {
    Iv r = range(0, bhi - 1);
    if (a.lo >= 0 && a.hi < r.hi) r.hi = a.hi;  // a >= 0, b > 0: 0 <= a % b <= a
    return r;
  }
  Iv r = range(blo + 1, 0);
  if (a.hi <= 0 && a.lo > r.lo) r.lo = a.lo;  // a <= 0, b < 0: a <= a % b <= 0
  return r;
}

Iv interval(const Expr& e, const std::vector<Iv>& field_iv) {
  switch (e.op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: return point(static_cast<long>(e.value));
    case Op::kField: return field_iv[e.field];
    case Op::kNeg: {
      Iv a = interval(e.children[0], field_iv);
      return a.empty ? a : range(-a.hi, -a.lo);
    }
    case Op::kNot: {
      Iv a = interval(e.children[0], field_iv);
      if (a.empty) return a;
      return range(may_be_true(a) ? 0 : 1, may_be_false(a) ? 1 : 0);
    }
    case Op::kAnd: case Op::kOr: {
      Iv a = interval(e.children[0], field_iv);
      if (a.empty) return a;
      const bool is_or = e.op == Op::kOr;
      Iv result = (is_or ? may_be_true(a) : may_be_false(a)) ? point(is_or ? 1 : 0) : bottom();
      if (is_or ? may_be_false(a) : may_be_true(a)) {
        Iv b = interval(e.children[1], field_iv);
        if (!b.empty) result = join(result, range(may_be_false(b) ? 0 : 1, may_be_true(b) ? 1 : 0));
      }
      return result;
    }
    case Op::kIf: {
      Iv c = interval(e.children[0], field_iv);
      Iv result = bottom();
      if (may_be_true(c)) result = join(result, interval(e.children[1], field_iv));
      if (may_be_false(c)) result = join(result, interval(e.children[2], field_iv));
      return result;
    }
    default: break;
  }
  Iv a = interval(e.children[0], field_iv);
  Iv b = interval(e.children[1], field_iv);
  if (a.empty || b.empty) return bottom();
  switch (e.op) {
    case Op::kAdd: return range(a.lo + b.lo, a.hi + b.hi);
    case Op::kSub: return range(a.lo - b.hi, a.hi - b.lo);
    case Op::kMul: {
      mpz_class c[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
      return range(*std::min_element(c, c + 4), *std::max_element(c, c + 4));
    }
    case Op::kDiv: case Op::kMod: {
      Iv result = bottom();
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

// ---------------------------------------------------------------------------------------
// Z3 encoding over mathematical integers. Ints and enums are Int terms, bools are Bool terms.
// ---------------------------------------------------------------------------------------

class Encoder {
 public:
  Encoder(z3::context& ctx, const flow::Data& data, const std::vector<flow::Id>& fields)
      : ctx_(ctx), data_(data), vars_(ctx) {
    slot_.assign(data.fields.size(), kNoSlot);
    for (std::size_t j = 0; j < fields.size(); ++j) {
      slot_[fields[j]] = j;
      std::string name = "f";
      name += std::to_string(fields[j]);
      vars_.push_back(ctx.int_const(name.c_str()));
    }
  }

  z3::expr var(std::size_t position) const { return vars_[static_cast<int>(position)]; }

  /// The expression as an Int term (bools as 0/1).
  z3::expr as_int(const Expr& e) { return to_int(encode(e)); }

  /// A Bool term: some `/` or `%` on a path taken under `path` has a zero divisor.
  z3::expr division_by_zero(const Expr& e, const z3::expr& path) {
    switch (e.op) {
      case Op::kInt: case Op::kEnum: case Op::kBool: case Op::kField: return ctx_.bool_val(false);
      case Op::kAnd: case Op::kOr: {
        z3::expr a = to_bool(encode(e.children[0]));
        z3::expr guard = e.op == Op::kAnd ? a : !a;
        return any(division_by_zero(e.children[0], path), division_by_zero(e.children[1], path && guard));
      }
      case Op::kIf: {
        z3::expr c = to_bool(encode(e.children[0]));
        return any(division_by_zero(e.children[0], path),
                   any(division_by_zero(e.children[1], path && c), division_by_zero(e.children[2], path && !c)));
      }
      default: break;
    }
    z3::expr result = ctx_.bool_val(false);
    for (const Expr& c : e.children) result = any(result, division_by_zero(c, path));
    if (e.op == Op::kDiv || e.op == Op::kMod) {
      if (e.children[1].op == Op::kInt) {
        if (e.children[1].value == 0) result = any(result, path);
      } else {
        result = any(result, path && to_int(encode(e.children[1])) == 0);
      }
    }
    return result;
  }

 private:
  static constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);

  z3::expr any(const z3::expr& a, const z3::expr& b) {
    if (a.is_false()) return b;
    if (b.is_false()) return a;
    return a || b;
  }
  z3::expr to_int(const z3::expr& e) { return e.is_bool() ? z3::ite(e, ctx_.int_val(1), ctx_.int_val(0)) : e; }
  z3::expr to_bool(const z3::expr& e) { return e.is_bool() ? e : e != 0; }

  /// floor(a / b): SMT-LIB `div` is Euclidean, equal to floor for b > 0.
  z3::expr floor_div(const z3::expr& a, const z3::expr& b, const Expr& divisor) {
    if (divisor.op == Op::kInt && divisor.value > 0) return a / b;
    if (divisor.op == Op::kInt && divisor.value < 0) return (-a) / (-b);
    return z3::ite(b >= 0, a / b, (-a) / (-b));
  }

  z3::expr encode(const Expr& e) {
    switch (e.op) {
      case Op::kInt: case Op::kEnum: return ctx_.int_val(static_cast<int64_t>(e.value));
      case Op::kBool: return ctx_.bool_val(e.value != 0);
      case Op::kField: {
        z3::expr x = vars_[static_cast<int>(slot_[e.field])];
        return data_.fields[e.field].type == flow::FieldType::kBool ? x == 1 : x;
      }
      case Op::kNeg: return -to_int(encode(e.children[0]));
      case Op::kNot: return !to_bool(encode(e.children[0]));
      case Op::kAnd: return to_bool(encode(e.children[0])) && to_bool(encode(e.children[1]));
      case Op::kOr: return to_bool(encode(e.children[0])) || to_bool(encode(e.children[1]));
      case Op::kIf: {
        z3::expr c = to_bool(encode(e.children[0]));
        z3::expr t = encode(e.children[1]), f = encode(e.children[2]);
        if (t.is_bool() != f.is_bool()) { t = to_int(t); f = to_int(f); }
        return z3::ite(c, t, f);
      }
      default: break;
    }
    z3::expr a = encode(e.children[0]), b = encode(e.children[1]);
    if ((e.op == Op::kEq || e.op == Op::kNe) && a.is_bool() && b.is_bool()) return e.op == Op::kEq ? a == b : a != b;
    a = to_int(a);
    b = to_int(b);
    switch (e.op) {
      case Op::kAdd: return a + b;
      case Op::kSub: return a - b;
      case Op::kMul: return a * b;
      case Op::kDiv: return floor_div(a, b, e.children[1]);
      case Op::kMod: return a - b * floor_div(a, b, e.children[1]);
      case Op::kEq: return a == b;
      case Op::kNe: return a != b;
      case Op::kLt: return a < b;
      case Op::kLe: return a <= b;
      case Op::kGt: return a > b;
      case Op::kGe: return a >= b;
      default: return a;
    }
  }

  z3::context& ctx_;
  const flow::Data& data_;
  z3::expr_vector vars_;
  std::vector<std::size_t> slot_;
};

void add_box(z3::solver& s, const Encoder& enc, const Box& box) {
  for (std::size_t j = 0; j < box.size(); ++j) {
    z3::expr x = enc.var(j);
    s.add(x >= s.ctx().int_val(static_cast<int64_t>(box[j].first)));
    s.add(x <= s.ctx().int_val(static_cast<int64_t>(box[j].second)));
  }
}

// ---------------------------------------------------------------------------------------

struct Setup {
  std::vector<flow::Id> fields;
  std::vector<std::uint64_t> radix;
  mpz_class tuples = 1;
  Box box;
};

Setup setup(const flow::Data& data, const Expr& expr) {
  Setup s;
  s.fields = read_fields(expr);
  for (flow::Id f : s.fields) {
    auto [lo, hi] = value_range(data.fields[f]);
    s.box.push_back({lo, hi});
    mpz_class w = width(lo, hi);
    s.radix.push_back(w.fits_ulong_p() ? w.get_ui() : UINT64_MAX);
    s.tuples *= w;
  }
  return s;
}

std::vector<std::int64_t> record_of(const flow::Data& data, const std::vector<flow::Id>& fields,
                                    const std::vector<std::int64_t>& values) {
  std::vector<std::int64_t> rec(data.fields.size(), 0);
  for (std::size_t j = 0; j < fields.size(); ++j) rec[fields[j]] = values[j];
  return rec;
}

/// Z3 search for a reachable division by zero over the whole domain.
DivisionCheck solver_division_check(detail::SessionImpl& z, const flow::Data& data, const Expr& expr,
                                    const Setup& su) {
  DivisionCheck out;
  out.read_fields = su.fields;
  try {
    Encoder enc(z.ctx, data, su.fields);
    z3::expr condition = enc.division_by_zero(expr, z.ctx.bool_val(true));
    if (condition.is_false()) {
      out.status = SolveStatus::kUnsat;
      return out;
    }
    z3::solver s(z.ctx);
    z.configure(s);
    add_box(s, enc, su.box);
    s.add(condition);
    SolveResult r = z.check(s);
    out.status = r.status;
    out.reason = r.reason;
    if (r.status != SolveStatus::kSat) return out;
    z3::model m = s.get_model();
    for (std::size_t j = 0; j < su.fields.size(); ++j) {
      int64_t v = 0;
      z3::expr value = m.eval(enc.var(j), true);
      if (!value.is_numeral_i64(v)) v = su.box[j].first;
      out.witness.push_back(v);
    }
  } catch (const z3::exception& e) {
    out.status = SolveStatus::kUnknown;
    out.reason = detail::first_line(e.msg());
    return out;
  }
  // Confirm with the reference evaluator and locate the operator.
  const Expr* division = nullptr;
  mpz_class value;
  if (eval_mpz(expr, record_of(data, su.fields, out.witness), value, &division) || division == nullptr) {
    out.status = SolveStatus::kUnknown;
    out.reason = "internal: the solver's division-by-zero witness does not reproduce";
    out.witness.clear();
    return out;
  }
  out.division = division->span;
  return out;
}

MapCount undecided(MapCount m, std::string reason) {
  m.status = MapStatus::kUndecided;
  m.reason = std::move(reason);
  m.classes.clear();
  m.function.clear();
  return m;
}

void fill_classes(MapCount& m, const flow::Data& data, const Expr& expr,
                  const std::map<mpz_class, mpz_class>& totals) {
  for (const auto& [value, count] : totals) m.classes.push_back({value, output_name(data, expr, value), count});
}

MapCount count_by_enumeration(const flow::Data& data, const Expr& expr, MapCount m, const Setup& su) {
  m.method = MapMethod::kEnumeration;
  ClassTable table;
  const std::uint64_t n = su.tuples.get_ui();
  std::vector<std::uint64_t> function;
  function.reserve(n);
  EnumerationOutcome o = enumerate_box(expr, su.fields, data.fields.size(), su.box, table, [&](std::uint64_t id) {
    function.push_back(id);
    table.count(id);
  });
  if (o.division_by_zero) {
    m.status = MapStatus::kDivisionByZero;
    m.witness = o.witness;
    m.division = o.division->span;
    return m;
  }
  std::vector<std::uint64_t> order(table.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint64_t a, std::uint64_t b) { return table.values()[a] < table.values()[b]; });
  std::vector<std::uint64_t> rank(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    rank[order[i]] = i;
    const mpz_class& v = table.values()[order[i]];
    m.classes.push_back({v, output_name(data, expr, v), mpz_class(static_cast<unsigned long>(table.counts()[order[i]]))});
  }
  for (std::uint64_t& f : function) f = rank[f];
  m.function = std::move(function);
  m.status = MapStatus::kExact;
  return m;
}

/// Candidate periods: the lcm and the product of the literal divisors of `/` and `%`
/// (`x % 7` has period 7, `x / 10 % 10` period 100). Only candidates; each is proved by Z3.
std::vector<mpz_class> candidate_periods(const Expr& root) {
  mpz_class lcm = 1, product = 1;
  std::vector<const Expr*> stack{&root};
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    if ((e->op == Op::kDiv || e->op == Op::kMod) && e->children[1].op == Op::kInt && e->children[1].value != 0) {
      mpz_class d = static_cast<long>(e->children[1].value);
      d = abs(d);
      mpz_lcm(lcm.get_mpz_t(), lcm.get_mpz_t(), d.get_mpz_t());
      product *= d;
    }
    for (const Expr& c : e->children) stack.push_back(&c);
  }
  std::vector<mpz_class> out;
  if (lcm > 1) out.push_back(lcm);
  if (product != lcm) out.push_back(product);
  return out;
}

/// A box of the domain that stands for `weight` copies of itself (periodic reduction).
struct WeightedBox {
  Box box;
  mpz_class weight;
};

MapCount count_by_solver(detail::SessionImpl& z, const flow::Data& data, const Expr& expr, MapCount m,
                         const Setup& su, const MapLimits& limits) {
  m.method = MapMethod::kSolver;
  const std::uint64_t queries_before = z.queries;
  const std::uint64_t work_before = z.work;
  auto finish = [&](MapCount r) {
    r.solver_queries = z.queries - queries_before;
    r.solver_work = z.work - work_before;
    return r;
  };
  // Between queries: has this count used up its query or work budget?
  auto exhausted = [&]() -> std::optional<std::string> {
    if (z.queries - queries_before >= limits.max_queries)
      return "limit reached: more than " + std::to_string(limits.max_queries) + " solver queries";
    if (z.work - work_before >= limits.max_solver_work)
      return "limit reached: more than " + std::to_string(limits.max_solver_work) + " solver resource units";
    return std::nullopt;
  };

  DivisionCheck dz = solver_division_check(z, data, expr, su);
  if (dz.status == SolveStatus::kSat) {
    m.status = MapStatus::kDivisionByZero;
    m.witness = dz.witness;
    m.division = dz.division;
    return finish(m);
  }
  if (dz.status == SolveStatus::kUnknown) return finish(undecided(m, "division-by-zero check: " + dz.reason));

  std::map<mpz_class, mpz_class> totals;
  std::uint64_t leaf_work = 0;
  std::vector<Iv> field_iv(data.fields.size());
  try {
    Encoder enc(z.ctx, data, su.fields);
    z3::expr out = enc.as_int(expr);
    z3::solver s(z.ctx);
    z.configure(s);
    std::vector<WeightedBox> stack{{su.box, 1}};

    // Periodic reduction: if f(x + p·e_j) = f(x) whenever both tuples are in the domain
    // (proved: the negation is unsat), then f depends on x_j only through its residue, and
    // counting over one period of x_j with each residue weighted by how often it occurs
    // in [lo_j, hi_j] is exact: N_j = q·p + r values give r residues q + 1 times, the others q.
    std::vector<bool> periodic(su.fields.size(), false);
    for (const mpz_class& period : candidate_periods(expr)) {
      for (std::size_t j = 0; j < su.fields.size(); ++j) {
        if (periodic[j]) continue;
        if (data.fields[su.fields[j]].type != flow::FieldType::kInt) continue;
        const auto [lo, hi] = su.box[j];
        const mpz_class n = width(lo, hi);
        if (!period.fits_slong_p() || n < 2 * period) continue;
        if (exhausted()) break;
        const long p = period.get_si();
        z3::expr x = enc.var(j);
        z3::expr_vector from(z.ctx), to(z.ctx);
        from.push_back(x);
        to.push_back(x + z.ctx.int_val(static_cast<int64_t>(p)));
        z3::expr shifted = out;
        shifted = shifted.substitute(from, to);
        s.push();
        add_box(s, enc, su.box);
        s.add(x + z.ctx.int_val(static_cast<int64_t>(p)) <= z.ctx.int_val(static_cast<int64_t>(hi)));
        s.add(out != shifted);
        SolveResult r = z.check(s);
        s.pop();
        if (r.status != SolveStatus::kUnsat) continue;  // not periodic, or not proved: no reduction
        periodic[j] = true;
        mpz_class q, rem;
        mpz_fdiv_qr(q.get_mpz_t(), rem.get_mpz_t(), n.get_mpz_t(), period.get_mpz_t());
        std::vector<WeightedBox> reduced;
        for (const WeightedBox& wb : stack) {
          if (rem > 0) {
            WeightedBox more = wb;
            more.box[j] = {lo, lo + rem.get_si() - 1};
            more.weight *= q + 1;
            reduced.push_back(std::move(more));
          }
          WeightedBox rest = wb;
          rest.box[j] = {lo + rem.get_si(), lo + p - 1};
          rest.weight *= q;
          reduced.push_back(std::move(rest));
        }
        std::reverse(reduced.begin(), reduced.end());  // the stack pops the lowest first
        stack = std::move(reduced);
      }
    }

    while (!stack.empty()) {
      Box box = std::move(stack.back().box);
      const mpz_class weight = std::move(stack.back().weight);
      stack.pop_back();
      for (std::size_t j = 0; j < su.fields.size(); ++j)
        field_iv[su.fields[j]] = range(static_cast<long>(box[j].first), static_cast<long>(box[j].second));
      const mpz_class size = box_size(box);
      Iv iv = interval(expr, field_iv);
      if (!iv.empty && iv.lo == iv.hi) {  // constant on the box, proved without Z3
        totals[iv.lo] += size * weight;
      } else if (size <= limits.leaf_tuples) {
        leaf_work += size.get_ui();
        if (leaf_work > limits.max_leaf_work)
          return finish(undecided(m, "limit reached: more than " + std::to_string(limits.max_leaf_work) +
                                         " tuples enumerated in small boxes"));
        ClassTable table;
        EnumerationOutcome o = enumerate_box(expr, su.fields, data.fields.size(), box, table,
                                             [&](std::uint64_t id) { table.count(id); });
        if (o.division_by_zero) {  // the solver said none: believe the evaluator
          m.status = MapStatus::kDivisionByZero;
          m.witness = o.witness;
          m.division = o.division->span;
          return finish(m);
        }
        for (std::size_t i = 0; i < table.size(); ++i)
          totals[table.values()[i]] += mpz_class(static_cast<unsigned long>(table.counts()[i])) * weight;
      } else {
        // Is the box constant? Evaluate one corner, then ask for a tuple with another output.
        std::vector<std::int64_t> corner(su.fields.size());
        for (std::size_t j = 0; j < box.size(); ++j) corner[j] = box[j].first;
        mpz_class v0;
        const Expr* division = nullptr;
        if (!eval_mpz(expr, record_of(data, su.fields, corner), v0, &division)) {
          m.status = MapStatus::kDivisionByZero;
          m.witness = corner;
          m.division = division ? division->span : flow::Span{};
          return finish(m);
        }
        if (auto reason = exhausted()) return finish(undecided(m, *reason));
        s.push();
        add_box(s, enc, box);
        s.add(out != z.ctx.int_val(v0.get_str().c_str()));
        SolveResult r = z.check(s);
        if (r.status != SolveStatus::kSat) s.pop();
        if (r.status == SolveStatus::kUnknown) return finish(undecided(m, "solver: " + r.reason));
        if (r.status == SolveStatus::kUnsat) {
          totals[v0] += size * weight;
        } else {
          // Z3 found a tuple with another output. Walk from the corner to it one coordinate at
          // a time: the first coordinate whose change changes the output is one the output
          // depends on inside this box; bisect that side (the lower half is examined first).
          // Without such a coordinate (never expected), bisect the widest side.
          z3::model model = s.get_model();
          std::vector<std::int64_t> point = corner;
          std::size_t split = box.size();
          mpz_class previous = v0, next;
          for (std::size_t j = 0; j < box.size() && split == box.size(); ++j) {
            int64_t v = 0;
            if (!model.eval(enc.var(j), true).is_numeral_i64(v) || v == point[j]) continue;
            if (v < box[j].first || v > box[j].second) continue;
            point[j] = v;
            if (!eval_mpz(expr, record_of(data, su.fields, point), next, &division)) {
              m.status = MapStatus::kDivisionByZero;
              m.witness = point;
              m.division = division ? division->span : flow::Span{};
              return finish(m);
            }
            if (next != previous) split = j;
            previous = next;
          }
          if (split == box.size()) {
            mpz_class best = -1;
            for (std::size_t j = 0; j < box.size(); ++j) {
              mpz_class w = width(box[j].first, box[j].second);
              if (w > best) { best = w; split = j; }
            }
          }
          auto [lo, hi] = box[split];
          mpz_class mid_z = mpz_class(static_cast<long>(lo)) + mpz_class(static_cast<long>(hi));
          mpz_fdiv_q_2exp(mid_z.get_mpz_t(), mid_z.get_mpz_t(), 1);
          const std::int64_t mid = mid_z.get_si();
          Box upper = box;
          upper[split] = {mid + 1, hi};
          box[split] = {lo, mid};
          stack.push_back({std::move(upper), weight});
          stack.push_back({std::move(box), weight});
          s.pop();
        }
      }
      if (totals.size() > limits.max_classes)
        return finish(undecided(m, "limit reached: more than " + std::to_string(limits.max_classes) +
                                       " distinct outputs"));
    }
  } catch (const z3::exception& e) {
    return finish(undecided(m, "solver: " + detail::first_line(e.msg())));
  }
  fill_classes(m, data, expr, totals);
  m.status = MapStatus::kExact;
  return finish(m);
}

}  // namespace

// ---------------------------------------------------------------------------------------

std::vector<flow::Id> read_fields(const flow::Expr& expr) {
  std::vector<flow::Id> fields;
  std::vector<const Expr*> stack{&expr};
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    if (e->op == Op::kField) fields.push_back(e->field);
    for (const Expr& c : e->children) stack.push_back(&c);
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return fields;
}

std::optional<mpz_class> evaluate(const flow::Expr& expr, const std::vector<std::int64_t>& record,
                                  const flow::Expr** division) {
  if (division) *division = nullptr;
  for (flow::Id f : read_fields(expr))
    if (f >= record.size()) return std::nullopt;
  mpz_class out;
  const Expr* where = nullptr;
  if (!eval_mpz(expr, record, out, &where)) {
    if (division) *division = where;
    return std::nullopt;
  }
  return out;
}

std::string output_name(const flow::Data& data, const flow::Expr& expr, const mpz_class& value) {
  if (expr.type == Expr::Type::kBool) return value != 0 ? "true" : "false";
  if (expr.type == Expr::Type::kEnum && expr.field < data.fields.size() && value >= 0 &&
      value < static_cast<unsigned long>(data.fields[expr.field].values.size()))
    return data.fields[expr.field].values[value.get_ui()];
  return value.get_str();
}

std::vector<std::uint64_t> MapCount::digits_of(std::uint64_t index) const {
  std::vector<std::uint64_t> digits(radix.size());
  for (std::size_t j = radix.size(); j > 0; --j) {
    digits[j - 1] = index % radix[j - 1];
    index /= radix[j - 1];
  }
  return digits;
}

mpz_class MapCount::max_preimage() const {
  mpz_class best = 0;
  for (const OutputClass& c : classes) best = std::max(best, c.preimage);
  return best;
}

mpz_class MapCount::min_preimage() const {
  if (classes.empty()) return 0;
  mpz_class best = classes.front().preimage;
  for (const OutputClass& c : classes) best = std::min(best, c.preimage);
  return best;
}

MapCount count_map(Session& session, const flow::Data& data, const flow::Expr& expr, const MapLimits& limits) {
  MapCount m;
  m.type = expr.type;
  if (auto problem = malformed(expr, data)) return undecided(m, "malformed expression: " + *problem);
  Setup su = setup(data, expr);
  m.read_fields = su.fields;
  m.radix = su.radix;
  m.tuples = su.tuples;
  if (su.tuples <= limits.max_enumeration) return count_by_enumeration(data, expr, std::move(m), su);
  return count_by_solver(session.impl(), data, expr, std::move(m), su, limits);
}

DivisionCheck find_division_by_zero(Session& session, const flow::Data& data, const flow::Expr& expr,
                                    const MapLimits& limits) {
  DivisionCheck out;
  if (auto problem = malformed(expr, data)) {
    out.reason = "malformed expression: " + *problem;
    return out;
  }
  Setup su = setup(data, expr);
  if (su.tuples > limits.max_enumeration) return solver_division_check(session.impl(), data, expr, su);
  out.read_fields = su.fields;
  ClassTable table;
  EnumerationOutcome o =
      enumerate_box(expr, su.fields, data.fields.size(), su.box, table, [](std::uint64_t) {});
  out.status = o.division_by_zero ? SolveStatus::kSat : SolveStatus::kUnsat;
  if (o.division_by_zero) {
    out.witness = o.witness;
    out.division = o.division->span;
  }
  return out;
}

}  // namespace privflow::solver
