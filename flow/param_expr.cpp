#include "flow/param_expr.hpp"

#include <algorithm>
#include <cmath>

namespace privflow::flow {
namespace {

/// Values are kept within a double's range, as literals are (base/rational.hpp).
bool too_large(const Interval& v) {
  static const Rational kLimit(mpz_class("1" + std::string(301, '0')));
  return abs(v.lo) >= kLimit || abs(v.hi) >= kLimit;
}

/// e^700 ≈ 1.0e304 is beyond a double: exp of more is refused before it is computed.
const Rational& largest_exponent() {
  static const Rational kLargest(690);
  return kLargest;
}

ParamEvaluation fail(const ParamExpr& at, std::string why) { return {std::nullopt, std::move(why), at.span}; }

ParamEvaluation binary(const ParamExpr& e, const Interval& a, const Interval& b) {
  switch (e.op) {
    case ParamExpr::Op::kAdd: return {a + b, {}, {}};
    case ParamExpr::Op::kSub: return {a - b, {}, {}};
    case ParamExpr::Op::kMul: return {a * b, {}, {}};
    case ParamExpr::Op::kDiv:
      if (b.lo <= 0 && b.hi >= 0) return fail(e.children[1], "division by zero");
      return {a / b, {}, {}};
    default: return fail(e, "not a binary operator");
  }
}

ParamEvaluation call(const ParamExpr& e, const Interval& x) {
  switch (e.op) {
    case ParamExpr::Op::kNeg: return {-x, {}, {}};
    case ParamExpr::Op::kSqrt:
      if (x.lo < 0) return fail(e.children[0], "sqrt of a negative number");
      return {sqrt(x), {}, {}};
    case ParamExpr::Op::kExp:
      if (x.hi > largest_exponent()) return fail(e, "exp of more than 690 is beyond 1e300");
      return {exp(x), {}, {}};
    case ParamExpr::Op::kLn:
      if (x.lo <= 0) return fail(e.children[0], "ln of a number that is not positive");
      return {ln(x), {}, {}};
    default: return fail(e, "not a function");
  }
}

int precedence(ParamExpr::Op op) {
  switch (op) {
    case ParamExpr::Op::kAdd:
    case ParamExpr::Op::kSub: return 1;
    case ParamExpr::Op::kMul:
    case ParamExpr::Op::kDiv: return 2;
    case ParamExpr::Op::kNeg: return 3;
    default: return 4;
  }
}

void collect(const ParamExpr& e, std::vector<Id>& out) {
  if (e.op == ParamExpr::Op::kParam && std::find(out.begin(), out.end(), e.param) == out.end()) out.push_back(e.param);
  for (const auto& c : e.children) collect(c, out);
}

}  // namespace

ParamEvaluation evaluate(const ParamExpr& e, const std::vector<Param>& params) {
  ParamEvaluation result;
  switch (e.op) {
    case ParamExpr::Op::kNumber: result.value = Interval::point(e.number); break;
    case ParamExpr::Op::kParam:
      if (e.param >= params.size()) return fail(e, "unknown param");
      result.value = Interval::point(params[e.param].value);
      break;
    case ParamExpr::Op::kAdd:
    case ParamExpr::Op::kSub:
    case ParamExpr::Op::kMul:
    case ParamExpr::Op::kDiv: {
      ParamEvaluation a = evaluate(e.children[0], params);
      if (!a.value) return a;
      ParamEvaluation b = evaluate(e.children[1], params);
      if (!b.value) return b;
      result = binary(e, *a.value, *b.value);
      break;
    }
    case ParamExpr::Op::kNeg:
    case ParamExpr::Op::kSqrt:
    case ParamExpr::Op::kExp:
    case ParamExpr::Op::kLn: {
      ParamEvaluation x = evaluate(e.children[0], params);
      if (!x.value) return x;
      result = call(e, *x.value);
      break;
    }
  }
  if (result.value && too_large(*result.value)) return fail(e, "the value is beyond 1e300");
  return result;
}

bool rounds_up(ParamKey key, bool beside_epsilon) {
  switch (key) {
    case ParamKey::kNoiseMultiplier:
    case ParamKey::kScale:
    case ParamKey::kSigma:
    case ParamKey::kF:  // RAPPOR's permanent flip: more is more private
    case ParamKey::kP:  // the chance of a 1 for a 0 bit (below q): more is more private
    case ParamKey::kMinSeparation:  // farther apart, more participations cut off by the last step
      return false;
    case ParamKey::kSensitivity: return !beside_epsilon;
    case ParamKey::kBatchSize:
    case ParamKey::kDelta:
    case ParamKey::kDistributed:
    case ParamKey::kSampling:
    case ParamKey::kEpochs:
    case ParamKey::kEpsilon:
    case ParamKey::kKeep:
    case ParamKey::kRho:
    case ParamKey::kRounds:  // gossip: more steps, more messages seen
    case ParamKey::kSamplingRate:
    case ParamKey::kSteps:
    case ParamKey::kTimes:
    case ParamKey::kAnswers:
    case ParamKey::kK:
    case ParamKey::kHashes:
    case ParamKey::kQ:
    case ParamKey::kCandidates:  // the error model's: more candidates, a wider error
    case ParamKey::kErrorSd:
    case ParamKey::kWidth:
    case ParamKey::kCoefficients:  // read by their magnitude (Graph::magnitude) whatever this says
    case ParamKey::kTreeCompletion: return true;
  }
  return true;
}

Rational settle(const Interval& value, bool up) {
  if (value.exact()) return value.lo;
  // The chosen end, rounded outwards again to 12 significant digits, so that reports show
  // `3.82842712474`, not a 128-bit fraction; the value moves by at most 1e-11 (relative).
  const Rational& end = up ? value.hi : value.lo;
  if (end == 0) return end;
  const double magnitude = std::log10(std::fabs(end.get_d()));
  const long shift = 11 - static_cast<long>(std::floor(magnitude));
  mpz_class ten_power;
  mpz_ui_pow_ui(ten_power.get_mpz_t(), 10, static_cast<unsigned long>(shift >= 0 ? shift : -shift));
  Rational scale = shift >= 0 ? Rational(ten_power) : Rational(1) / Rational(ten_power);
  Rational scaled = end * scale;
  mpz_class whole;
  if (up)
    mpz_cdiv_q(whole.get_mpz_t(), scaled.get_num_mpz_t(), scaled.get_den_mpz_t());
  else
    mpz_fdiv_q(whole.get_mpz_t(), scaled.get_num_mpz_t(), scaled.get_den_mpz_t());
  Rational rounded = Rational(whole) / scale;
  rounded.canonicalize();
  return rounded;
}

std::vector<Id> params_in(const ParamExpr& e) {
  std::vector<Id> out;
  collect(e, out);
  return out;
}

namespace {

/// before + inner + after, appended in place (gcc 12 warns falsely on `"(" + std::string&&`:
/// GCC bug 105329).
std::string around(const char* before, const std::string& inner, const char* after) {
  std::string out(before);
  out += inner;
  out += after;
  return out;
}

}  // namespace

std::string expr_text(const ParamExpr& e, const std::vector<Param>& params) {
  auto operand = [&](const ParamExpr& child, bool right) {
    std::string text = expr_text(child, params);
    const int mine = precedence(e.op), theirs = precedence(child.op);
    // `a - (b - c)` and `a / (b * c)` keep their parentheses; `(a - b) - c` needs none.
    const bool wrap = theirs < mine || (right && theirs == mine);
    return wrap ? around("(", text, ")") : text;
  };
  switch (e.op) {
    case ParamExpr::Op::kNumber: return format_compact(e.number);
    case ParamExpr::Op::kParam: return e.param < params.size() ? params[e.param].name : "?";
    case ParamExpr::Op::kNeg: return around("-", operand(e.children[0], true), "");
    case ParamExpr::Op::kAdd: return operand(e.children[0], false) + " + " + operand(e.children[1], true);
    case ParamExpr::Op::kSub: return operand(e.children[0], false) + " - " + operand(e.children[1], true);
    case ParamExpr::Op::kMul: return operand(e.children[0], false) + " * " + operand(e.children[1], true);
    case ParamExpr::Op::kDiv: return operand(e.children[0], false) + " / " + operand(e.children[1], true);
    case ParamExpr::Op::kSqrt: return around("sqrt(", expr_text(e.children[0], params), ")");
    case ParamExpr::Op::kExp: return around("exp(", expr_text(e.children[0], params), ")");
    case ParamExpr::Op::kLn: return around("ln(", expr_text(e.children[0], params), ")");
  }
  return "?";
}

}  // namespace privflow::flow
