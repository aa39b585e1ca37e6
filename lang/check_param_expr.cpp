// Parameter expressions (docs/language.md, "Parameter expressions"): names resolved to params,
// calls to sqrt, exp and ln, numbers read exactly; then evaluated once (flow/param_expr.hpp) so
// that division by zero, ln of a non-positive number and the like are located here.
#include <string>
#include <vector>

#include "flow/param_expr.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> kNames = {"sqrt", "exp", "ln"};
  return kNames;
}

std::optional<flow::ParamExpr::Op> function_op(const std::string& name) {
  if (name == "sqrt") return flow::ParamExpr::Op::kSqrt;
  if (name == "exp") return flow::ParamExpr::Op::kExp;
  if (name == "ln") return flow::ParamExpr::Op::kLn;
  return std::nullopt;
}

std::optional<flow::ParamExpr::Op> operator_op(ast::Arith::Op op) {
  switch (op) {
    case ast::Arith::Op::kNeg: return flow::ParamExpr::Op::kNeg;
    case ast::Arith::Op::kAdd: return flow::ParamExpr::Op::kAdd;
    case ast::Arith::Op::kSub: return flow::ParamExpr::Op::kSub;
    case ast::Arith::Op::kMul: return flow::ParamExpr::Op::kMul;
    case ast::Arith::Op::kDiv: return flow::ParamExpr::Op::kDiv;
    case ast::Arith::Op::kNumber:
    case ast::Arith::Op::kName:
    case ast::Arith::Op::kCall: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<flow::ParamExpr> lower_param_expr(CheckContext& context, const ast::Arith& written) {
  flow::ParamExpr e;
  e.span = context.span(written);
  switch (written.op) {
    case ast::Arith::Op::kNumber:
      e.op = flow::ParamExpr::Op::kNumber;
      if (!context.number(written.number, e.number)) return std::nullopt;
      return e;
    case ast::Arith::Op::kName:
      e.op = flow::ParamExpr::Op::kParam;
      e.param = context.resolve(written.ident, DeclKind::kParam);
      if (e.param == kNone) return std::nullopt;
      return e;
    case ast::Arith::Op::kCall: {
      auto op = function_op(written.ident.name);
      if (!op) {
        std::string suggestion = suggest(written.ident.name, function_names());
        context.error(written.ident, "unknown function " + quoted(written.ident.name) +
                                         (suggestion.empty() ? " (the functions are sqrt, exp and ln)" : suggestion));
        return std::nullopt;
      }
      e.op = *op;
      break;
    }
    default: e.op = *operator_op(written.op); break;
  }
  bool complete = true;
  for (const auto& child : written.children) {
    auto lowered = lower_param_expr(context, child);  // every operand, so that each error is reported
    if (lowered)
      e.children.push_back(std::move(*lowered));
    else
      complete = false;
  }
  if (!complete) return std::nullopt;
  return e;
}

std::optional<Interval> evaluate_param_expr(CheckContext& context, const flow::ParamExpr& e) {
  flow::ParamEvaluation v = flow::evaluate(e, context.graph.params);
  if (!v.value) context.diags.error(v.span.begin, v.span.end, v.error);
  return v.value;
}

}  // namespace privflow::lang::detail
