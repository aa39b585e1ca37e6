// The Z3 encoding of a `map` expression (solver/detail/encoder.hpp), with the semantics of
// solver/map_count.hpp: floor division and modulo, short-circuit `and`, `or` and `if`.
#include "solver/detail/encoder.hpp"

#include <string>

namespace privflow::solver::detail {

using Op = flow::Expr::Op;

Encoder::Encoder(z3::context& ctx, const flow::Data& data, const std::vector<flow::Id>& fields)
    : ctx_(ctx), data_(data), vars_(ctx) {
  slot_.assign(data.fields.size(), kNoSlot);
  for (std::size_t j = 0; j < fields.size(); ++j) {
    slot_[fields[j]] = j;
    std::string name = "f";
    name += std::to_string(fields[j]);
    vars_.push_back(ctx.int_const(name.c_str()));
  }
}

z3::expr Encoder::division_by_zero(const Expr& e, const z3::expr& path) {
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

z3::expr Encoder::any(const z3::expr& a, const z3::expr& b) {
  if (a.is_false()) return b;
  if (b.is_false()) return a;
  return a || b;
}

z3::expr Encoder::floor_div(const z3::expr& a, const z3::expr& b, const Expr& divisor) {
  if (divisor.op == Op::kInt && divisor.value > 0) return a / b;
  if (divisor.op == Op::kInt && divisor.value < 0) return (-a) / (-b);
  return z3::ite(b >= 0, a / b, (-a) / (-b));
}

z3::expr Encoder::encode(const Expr& e) {
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

void add_box(z3::solver& s, const Encoder& enc, const Box& box) {
  for (std::size_t j = 0; j < box.size(); ++j) {
    z3::expr x = enc.var(j);
    s.add(x >= s.ctx().int_val(static_cast<int64_t>(box[j].first)));
    s.add(x <= s.ctx().int_val(static_cast<int64_t>(box[j].second)));
  }
}

}  // namespace privflow::solver::detail
