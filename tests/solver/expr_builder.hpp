#pragma once
// Builds flow::Data and flow::Expr values by hand for solver tests (the parser is elsewhere).
#include <string>
#include <vector>

#include "flow/graph.hpp"

namespace privflow::solver::testing {

using flow::Expr;
using Op = Expr::Op;
using Type = Expr::Type;

inline flow::Field int_field(std::string name, std::int64_t lo, std::int64_t hi) {
  flow::Field f;
  f.name = std::move(name);
  f.type = flow::FieldType::kInt;
  f.lo = lo;
  f.hi = hi;
  return f;
}

inline flow::Field enum_field(std::string name, std::vector<std::string> values) {
  flow::Field f;
  f.name = std::move(name);
  f.type = flow::FieldType::kEnum;
  f.values = std::move(values);
  return f;
}

inline flow::Field bool_field(std::string name) {
  flow::Field f;
  f.name = std::move(name);
  f.type = flow::FieldType::kBool;
  f.values = {"false", "true"};
  return f;
}

inline flow::Data make_data(std::vector<flow::Field> fields) {
  flow::Data d;
  d.name = "people";
  d.fields = std::move(fields);
  return d;
}

inline Expr lit(std::int64_t v) {
  Expr e;
  e.op = Op::kInt;
  e.type = Type::kInt;
  e.value = v;
  return e;
}

inline Expr boolean(bool v) {
  Expr e;
  e.op = Op::kBool;
  e.type = Type::kBool;
  e.value = v ? 1 : 0;
  return e;
}

/// The enumeration value `value` of the enum field `field_name`.
inline Expr enum_value(const flow::Data& d, const std::string& field_name, const std::string& value) {
  Expr e;
  e.op = Op::kEnum;
  e.type = Type::kEnum;
  e.field = d.field_index(field_name);
  const auto& values = d.fields[e.field].values;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) e.value = static_cast<std::int64_t>(i);
  return e;
}

inline Expr field(const flow::Data& d, const std::string& name) {
  Expr e;
  e.op = Op::kField;
  e.field = d.field_index(name);
  switch (d.fields[e.field].type) {
    case flow::FieldType::kInt: e.type = Type::kInt; break;
    case flow::FieldType::kEnum: e.type = Type::kEnum; break;
    case flow::FieldType::kBool: e.type = Type::kBool; break;
  }
  return e;
}

inline Type result_type(Op op, const Expr& first) {
  switch (op) {
    case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod: case Op::kNeg: return Type::kInt;
    default: return Type::kBool;
  }
}

inline Expr unary(Op op, Expr a) {
  Expr e;
  e.op = op;
  e.type = result_type(op, a);
  e.children.push_back(std::move(a));
  return e;
}

inline Expr binary(Op op, Expr a, Expr b) {
  Expr e;
  e.op = op;
  e.type = result_type(op, a);
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

inline Expr if_then_else(Expr c, Expr t, Expr f) {
  Expr e;
  e.op = Op::kIf;
  e.type = t.type;
  e.field = t.field;
  e.children.push_back(std::move(c));
  e.children.push_back(std::move(t));
  e.children.push_back(std::move(f));
  return e;
}

}  // namespace privflow::solver::testing
