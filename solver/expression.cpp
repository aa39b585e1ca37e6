// Expressions of `map`: their validation, the fields they read, and their evaluation on one
// record (solver/map_count.hpp; docs/language.md, "Expressions").
#include <algorithm>
#include <climits>

#include "solver/detail/expression.hpp"
#include "solver/map_count.hpp"

namespace privflow::solver {

namespace detail {

using Op = flow::Expr::Op;

namespace {

std::size_t arity(Op op) {
  switch (op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: case Op::kField: return 0;
    case Op::kNeg: case Op::kNot: return 1;
    case Op::kIf: return 3;
    default: return 2;
  }
}

bool is_true(std::int64_t v) { return v != 0; }

}  // namespace

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

EvalStatus eval64(const Expr& e, const std::int64_t* rec, std::int64_t& out, const Expr** division) {
  switch (e.op) {
    case Op::kInt: case Op::kEnum: case Op::kBool: out = e.value; return EvalStatus::kOk;
    case Op::kField: out = rec[e.field]; return EvalStatus::kOk;
    case Op::kNeg: {
      std::int64_t a;
      if (EvalStatus r = eval64(e.children[0], rec, a, division); r != EvalStatus::kOk) return r;
      if (a == INT64_MIN) return EvalStatus::kOverflow;
      out = -a;
      return EvalStatus::kOk;
    }
    case Op::kNot: {
      std::int64_t a;
      if (EvalStatus r = eval64(e.children[0], rec, a, division); r != EvalStatus::kOk) return r;
      out = is_true(a) ? 0 : 1;
      return EvalStatus::kOk;
    }
    case Op::kAnd: case Op::kOr: {
      std::int64_t a;
      if (EvalStatus r = eval64(e.children[0], rec, a, division); r != EvalStatus::kOk) return r;
      if (is_true(a) == (e.op == Op::kOr)) { out = is_true(a) ? 1 : 0; return EvalStatus::kOk; }
      std::int64_t b;
      if (EvalStatus r = eval64(e.children[1], rec, b, division); r != EvalStatus::kOk) return r;
      out = is_true(b) ? 1 : 0;
      return EvalStatus::kOk;
    }
    case Op::kIf: {
      std::int64_t c;
      if (EvalStatus r = eval64(e.children[0], rec, c, division); r != EvalStatus::kOk) return r;
      return eval64(e.children[is_true(c) ? 1 : 2], rec, out, division);
    }
    default: break;
  }
  std::int64_t a, b;
  if (EvalStatus r = eval64(e.children[0], rec, a, division); r != EvalStatus::kOk) return r;
  if (EvalStatus r = eval64(e.children[1], rec, b, division); r != EvalStatus::kOk) return r;
  switch (e.op) {
    case Op::kAdd: return __builtin_add_overflow(a, b, &out) ? EvalStatus::kOverflow : EvalStatus::kOk;
    case Op::kSub: return __builtin_sub_overflow(a, b, &out) ? EvalStatus::kOverflow : EvalStatus::kOk;
    case Op::kMul: return __builtin_mul_overflow(a, b, &out) ? EvalStatus::kOverflow : EvalStatus::kOk;
    case Op::kDiv: case Op::kMod: {
      if (b == 0) {
        if (division) *division = &e;
        return EvalStatus::kDivZero;
      }
      if (b == -1) {  // avoids INT64_MIN / -1
        if (e.op == Op::kMod) { out = 0; return EvalStatus::kOk; }
        if (a == INT64_MIN) return EvalStatus::kOverflow;
        out = -a;
        return EvalStatus::kOk;
      }
      std::int64_t q = a / b, r = a % b;
      if (r != 0 && ((r < 0) != (b < 0))) { --q; r += b; }  // floor semantics
      out = e.op == Op::kDiv ? q : r;
      return EvalStatus::kOk;
    }
    case Op::kEq: out = a == b; return EvalStatus::kOk;
    case Op::kNe: out = a != b; return EvalStatus::kOk;
    case Op::kLt: out = a < b; return EvalStatus::kOk;
    case Op::kLe: out = a <= b; return EvalStatus::kOk;
    case Op::kGt: out = a > b; return EvalStatus::kOk;
    case Op::kGe: out = a >= b; return EvalStatus::kOk;
    default: return EvalStatus::kOverflow;  // unreachable after validation; the mpz path decides
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

mpz_class box_size(const Box& box) {
  mpz_class n = 1;
  for (auto [lo, hi] : box) n *= width(lo, hi);
  return n;
}

}  // namespace detail

using detail::eval_mpz;
using detail::Expr;
using Op = flow::Expr::Op;

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

}  // namespace privflow::solver
