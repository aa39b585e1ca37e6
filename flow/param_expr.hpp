#pragma once
// Parameter expressions (docs/language.md, "Parameter expressions"): a numeric parameter of a
// computation may be written as `+ - * /`, parentheses, `sqrt`, `exp` and `ln` over numbers
// and params. The value is exact (a rational) while every step is rational, and otherwise a
// closed interval (base/interval.hpp) that contains the true value; the parameter then takes
// the end that protects less (rounds_up), so that every figure stays an upper bound.
#include <optional>
#include <string>
#include <vector>

#include "base/interval.hpp"
#include "flow/graph.hpp"

namespace privflow::flow {

struct ParamExpr {
  enum class Op { kNumber, kParam, kNeg, kAdd, kSub, kMul, kDiv, kSqrt, kExp, kLn };
  Op op = Op::kNumber;
  Rational number;   // kNumber
  Id param = kNone;  // kParam: index into Graph::params
  std::vector<ParamExpr> children;
  Span span;
};

/// The value of an expression, or why it has none (division by zero, ln of a non-positive
/// number, a value beyond 1e300) and the sub-expression at fault.
struct ParamEvaluation {
  std::optional<Interval> value;
  std::string error;
  Span span;
};

/// Evaluates `e` with the params' current values.
ParamEvaluation evaluate(const ParamExpr& e, const std::vector<Param>& params);

/// Whether an irrational value of parameter `key` is rounded up (true) or down: the safe way
/// is the one that protects less, so the analysis never credits more privacy than the exact
/// value gives. ε, δ, ρ, rates, batch sizes, steps, epochs, times and keep round up; noise
/// (sigma, scale, noise_multiplier) rounds down. The sensitivity rounds up, except beside an
/// `epsilon`, where a smaller declared sensitivity makes the effective ε larger
/// (docs/language.md, "Sensitivity"): there it rounds down.
bool rounds_up(ParamKey key, bool beside_epsilon);

/// The value a parameter takes: exact, or the end of the interval given by `up`, rounded
/// further that way to 12 significant digits.
Rational settle(const Interval& value, bool up);

/// The params `e` reads, each once, in order of first use.
std::vector<Id> params_in(const ParamExpr& e);

/// The expression as a spec writes it, with the params' names and the fewest parentheses.
std::string expr_text(const ParamExpr& e, const std::vector<Param>& params);

}  // namespace privflow::flow
