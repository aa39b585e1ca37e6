// The expressions of `map` (docs/language.md, "Expressions (inside map)"): names resolved to
// fields or enumeration values, and every operator type-checked.
#include <algorithm>

#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

using WrittenOp = ast::Expr::Op;
using Op = flow::Expr::Op;
using Type = flow::Expr::Type;

std::string type_name(const flow::Expr& expr, const flow::Data& data) {
  switch (expr.type) {
    case Type::kInt: return "int";
    case Type::kBool: return "bool";
    case Type::kEnum:
      return expr.field < data.fields.size() ? "a value of " + quoted(data.fields[expr.field].name) : "an enum value";
  }
  return "?";
}

flow::Expr leaf(Op op, Type type, std::int64_t value, Id field, flow::Span span) {
  flow::Expr expr;
  expr.op = op;
  expr.type = type;
  expr.value = value;
  expr.field = field;
  expr.span = span;
  return expr;
}

bool same_type(const flow::Expr& a, const flow::Expr& b) {
  return a.type == b.type && (a.type != Type::kEnum || a.field == b.field);
}

/// A name that is neither a field nor a bool literal: an enumeration value, to be looked up
/// in the field it is compared with.
bool is_bare_value(const CheckContext& context, const ast::Expr& written, Id data) {
  if (written.op != WrittenOp::kIdent) return false;
  const std::string& name = written.ident.name;
  return name != "true" && name != "false" && context.graph.data[data].field_index(name) == kNone;
}

/// Checks two operands whose enumeration values resolve against each other (the branches of
/// `if`, the sides of `=` and `!=`): a bare value is checked after the other side.
std::pair<std::optional<flow::Expr>, std::optional<flow::Expr>> check_pair(CheckContext& context, const ast::Expr& left,
                                                                           const ast::Expr& right, Id data,
                                                                           bool share_enum) {
  std::optional<flow::Expr> x, y;
  auto hint = [&](const std::optional<flow::Expr>& other) {
    return share_enum && other && other->type == Type::kEnum ? other->field : kNone;
  };
  if (share_enum && is_bare_value(context, left, data) && !is_bare_value(context, right, data)) {
    y = check_expr(context, right, data, kNone);
    x = check_expr(context, left, data, hint(y));
  } else {
    x = check_expr(context, left, data, kNone);
    y = check_expr(context, right, data, hint(x));
  }
  return {std::move(x), std::move(y)};
}

std::optional<flow::Expr> check_int(CheckContext& context, const ast::Expr& written) {
  std::string digits;
  for (char ch : written.number.text)
    if (ch != '_') digits.push_back(ch);
  if (digits.size() > 13 || std::stoll(digits) > context.limits.max_int) {
    context.error(written, "integer " + shown_literal(written.number.text) + " is too large (at most " +
                               std::to_string(context.limits.max_int) + ")");
    return std::nullopt;
  }
  return leaf(Op::kInt, Type::kInt, std::stoll(digits), kNone, context.span(written));
}

/// A value of the enumerated fields of the data, when exactly one field has it.
std::optional<flow::Expr> check_enum_value(CheckContext& context, const ast::Expr& written, const flow::Data& data) {
  const std::string& name = written.ident.name;
  std::vector<Id> owners;
  std::int64_t index = 0;
  for (Id i = 0; i < data.fields.size(); ++i) {
    if (data.fields[i].type != flow::FieldType::kEnum) continue;
    const auto& values = data.fields[i].values;
    auto it = std::find(values.begin(), values.end(), name);
    if (it != values.end()) {
      owners.push_back(i);
      index = it - values.begin();
    }
  }
  if (owners.size() == 1) return leaf(Op::kEnum, Type::kEnum, index, owners[0], context.span(written));
  if (owners.size() > 1) {
    context.error(written, "value " + quoted(name) + " belongs to several fields of " + quoted(data.name) +
                               ": compare it with one of them");
    return std::nullopt;
  }
  std::vector<std::string> candidates;
  for (const auto& field : data.fields) {
    candidates.push_back(field.name);
    if (field.type == flow::FieldType::kEnum) candidates.insert(candidates.end(), field.values.begin(), field.values.end());
  }
  context.error(written, quoted(name) + " is neither a field of " + quoted(data.name) +
                             " nor a value of one of its fields" + suggest(name, candidates));
  return std::nullopt;
}

std::optional<flow::Expr> check_name(CheckContext& context, const ast::Expr& written, Id data_index, Id enum_hint) {
  const flow::Data& data = context.graph.data[data_index];
  const flow::Span span = context.span(written);
  const std::string& name = written.ident.name;
  Id field_index = data.field_index(name);
  if (field_index != kNone) {
    const flow::Field& field = data.fields[field_index];
    Type type = field.type == flow::FieldType::kInt ? Type::kInt : field.type == flow::FieldType::kBool ? Type::kBool : Type::kEnum;
    return leaf(Op::kField, type, 0, field_index, span);
  }
  if (name == "true" || name == "false") return leaf(Op::kBool, Type::kBool, name == "true", kNone, span);
  if (enum_hint != kNone) {
    const auto& values = data.fields[enum_hint].values;
    auto it = std::find(values.begin(), values.end(), name);
    if (it != values.end()) return leaf(Op::kEnum, Type::kEnum, it - values.begin(), enum_hint, span);
    context.error(written, quoted(name) + " is not a value of " + quoted(data.fields[enum_hint].name) +
                               suggest_or_list(name, values));
    return std::nullopt;
  }
  return check_enum_value(context, written, data);
}

std::optional<flow::Expr> check_unary(CheckContext& context, const ast::Expr& written, Id data) {
  auto operand = check_expr(context, written.children[0], data, kNone);
  if (!operand) return std::nullopt;
  const bool negation = written.op == WrittenOp::kNeg;
  Type want = negation ? Type::kInt : Type::kBool;
  if (operand->type != want) {
    context.error(written.children[0], std::string(negation ? "unary '-'" : "'not'") + " needs " +
                                           (want == Type::kInt ? "an int" : "a bool") + ", not " +
                                           type_name(*operand, context.graph.data[data]));
    return std::nullopt;
  }
  flow::Expr result = leaf(negation ? Op::kNeg : Op::kNot, want, 0, kNone, context.span(written));
  result.children.push_back(std::move(*operand));
  return result;
}

std::optional<flow::Expr> check_if(CheckContext& context, const ast::Expr& written, Id data) {
  auto condition = check_expr(context, written.children[0], data, kNone);
  auto [x, y] = check_pair(context, written.children[1], written.children[2], data, true);
  if (!condition || !x || !y) return std::nullopt;
  const flow::Data& d = context.graph.data[data];
  if (condition->type != Type::kBool) {
    context.error(written.children[0], "the condition of 'if' must be a bool, not " + type_name(*condition, d));
    return std::nullopt;
  }
  if (!same_type(*x, *y)) {
    context.error(written, "the branches of 'if' have different types: " + type_name(*x, d) + " and " + type_name(*y, d));
    return std::nullopt;
  }
  flow::Expr result = leaf(Op::kIf, x->type, 0, x->type == Type::kEnum ? x->field : kNone, context.span(written));
  result.children.push_back(std::move(*condition));
  result.children.push_back(std::move(*x));
  result.children.push_back(std::move(*y));
  return result;
}

/// A binary operator: its lowered op, operand and result types, and its spelling.
struct Binary {
  Op op;
  Type operand, result;
  const char* symbol;
};

std::optional<Binary> binary_of(WrittenOp op) {
  switch (op) {
    case WrittenOp::kAdd: return Binary{Op::kAdd, Type::kInt, Type::kInt, "+"};
    case WrittenOp::kSub: return Binary{Op::kSub, Type::kInt, Type::kInt, "-"};
    case WrittenOp::kMul: return Binary{Op::kMul, Type::kInt, Type::kInt, "*"};
    case WrittenOp::kDiv: return Binary{Op::kDiv, Type::kInt, Type::kInt, "/"};
    case WrittenOp::kMod: return Binary{Op::kMod, Type::kInt, Type::kInt, "%"};
    case WrittenOp::kLt: return Binary{Op::kLt, Type::kInt, Type::kBool, "<"};
    case WrittenOp::kLe: return Binary{Op::kLe, Type::kInt, Type::kBool, "<="};
    case WrittenOp::kGt: return Binary{Op::kGt, Type::kInt, Type::kBool, ">"};
    case WrittenOp::kGe: return Binary{Op::kGe, Type::kInt, Type::kBool, ">="};
    case WrittenOp::kAnd: return Binary{Op::kAnd, Type::kBool, Type::kBool, "and"};
    case WrittenOp::kOr: return Binary{Op::kOr, Type::kBool, Type::kBool, "or"};
    // Equality compares any two operands of one type: the operand type is not fixed.
    case WrittenOp::kEq: return Binary{Op::kEq, Type{}, Type::kBool, "="};
    case WrittenOp::kNe: return Binary{Op::kNe, Type{}, Type::kBool, "!="};
    default: return std::nullopt;
  }
}

std::optional<flow::Expr> check_binary(CheckContext& context, const ast::Expr& written, Id data) {
  const ast::Expr& left = written.children[0];
  const ast::Expr& right = written.children[1];
  const bool comparison = written.op == WrittenOp::kEq || written.op == WrittenOp::kNe;
  auto [x, y] = check_pair(context, left, right, data, comparison);
  if (!x || !y) return std::nullopt;
  auto binary = binary_of(written.op);
  if (!binary) return std::nullopt;
  const flow::Data& d = context.graph.data[data];
  if (comparison) {
    if (!same_type(*x, *y)) {
      context.error(written, "cannot compare " + type_name(*x, d) + " with " + type_name(*y, d));
      return std::nullopt;
    }
  } else if (x->type != binary->operand || y->type != binary->operand) {
    const bool left_bad = x->type != binary->operand;
    context.error(left_bad ? left : right, std::string("'") + binary->symbol + "' needs " +
                                               (binary->operand == Type::kInt ? "ints" : "bools") + ", not " +
                                               type_name(left_bad ? *x : *y, d));
    return std::nullopt;
  }
  flow::Expr result = leaf(binary->op, binary->result, 0, kNone, context.span(written));
  result.children.push_back(std::move(*x));
  result.children.push_back(std::move(*y));
  return result;
}

}  // namespace

std::optional<flow::Expr> check_expr(CheckContext& context, const ast::Expr& written, Id data, Id enum_hint) {
  switch (written.op) {
    case WrittenOp::kInt: return check_int(context, written);
    case WrittenOp::kIdent: return check_name(context, written, data, enum_hint);
    case WrittenOp::kNeg:
    case WrittenOp::kNot: return check_unary(context, written, data);
    case WrittenOp::kIf: return check_if(context, written, data);
    default: return check_binary(context, written, data);
  }
}

}  // namespace privflow::lang::detail
