// Parameter expressions (docs/language.md, "Parameter expressions"): the grammar, exact
// rational evaluation, directed intervals around irrational values, the safe rounding of each
// parameter, the located errors, and a whole spec whose param is changed (as `tune` does).
//
// Reference values of the irrational cases: mpmath 1.x at 40 digits (mp.dps = 40), computed
// with /usr/bin/python3 -c "from mpmath import *; mp.dps=40; print(2*sqrt(2)+1)" and alike:
//   2*sqrt(2)+1    = 3.828427124746190097603377448419396157139
//   ln(3)          = 1.098612288668109691395245236922525704647
//   exp(1)         = 2.718281828459045235360287471352662497757
//   sqrt(2)/ln(10) = 0.6141851463713754274855109828641766931851
//   exp(-1/2)      = 0.6065306597126334236037995349911804534419
#include <catch2/catch.hpp>

#include "base/interval.hpp"
#include "flow/param_expr.hpp"
#include "lang_test_util.hpp"

namespace privflow::lang {
namespace {

using testing::first_error;
using testing::load;

Rational r(const char* text) { return *parse_number(text); }

const std::string kBase =
    "param base = 2 in [1.5, 8]\n"
    "data people { rows: 1000  field age: int[0, 99] }\n"
    "agent clinic { trust: curious, holds: people }\n"
    "agent server { trust: curious }\n"
    "compute n at clinic = count(people)\n";

/// The parameter `key` of the artifact `r` of a spec made of kBase and `compute r ...`.
struct Lowered {
  std::optional<flow::Graph> graph;
  std::string rendered;
  const flow::ParamValue* value = nullptr;
};

Lowered lower_release(const std::string& compute, flow::ParamKey key) {
  auto l = load(kBase + compute + "\nsend r to server\n");
  Lowered out{std::move(l.graph), l.rendered, nullptr};
  if (!out.graph) return out;
  flow::Id x = out.graph->find_artifact("r");
  if (x == flow::kNone) return out;
  auto it = out.graph->artifacts[x].params.find(key);
  if (it != out.graph->artifacts[x].params.end()) out.value = &it->second;
  return out;
}

}  // namespace

TEST_CASE("parameter expressions parse with the usual precedence", "[lang][param_expr]") {
  auto l = lower_release("compute r at clinic = declared(n, rho: 2.56 * 104)", flow::ParamKey::kRho);
  INFO(l.rendered);
  REQUIRE(l.graph);
  REQUIRE(l.value);
  REQUIRE(l.value->expr);
  CHECK(l.value->literal == r("266.24"));  // the tryout's case: exact
  CHECK(flow::expr_text(*l.value->expr, l.graph->params) == "2.56 * 104");

  struct Case {
    const char* written;
    const char* value;  // exact
    const char* text;   // expr_text: the fewest parentheses, the same meaning
  };
  const Case cases[] = {
      {"1 + 2 * 3", "7", "1 + 2 * 3"},
      {"(1 + 2) * 3", "9", "(1 + 2) * 3"},
      {"10 - 4 - 3", "3", "10 - 4 - 3"},
      {"10 - (4 - 3)", "9", "10 - (4 - 3)"},
      {"1 / 3 / 2", "1/6", "1 / 3 / 2"},
      {"1/3 / 2", "1/6", "1/3 / 2"},  // `1/3` with no spaces is one number literal
      {"base / 3", "2/3", "base / 3"},
      {"-base + 5", "3", "-base + 5"},
      {"base * -2 + 10", "6", "base * -2 + 10"},
      {"sqrt(9/4) * base", "3", "sqrt(2.25) * base"},
      {"exp(0) + ln(1)", "1", "exp(0) + ln(1)"},
      {"50_000 / (base * 1e3)", "25", "50000 / (base * 1000)"},
  };
  for (const auto& c : cases) {
    INFO(c.written);
    auto e = lower_release(std::string("compute r at clinic = declared(n, epsilon: ") + c.written + ")",
                           flow::ParamKey::kEpsilon);
    INFO(e.rendered);
    REQUIRE(e.value);
    CHECK(e.value->literal == r(c.value));
    REQUIRE(e.value->expr);
    CHECK(flow::expr_text(*e.value->expr, e.graph->params) == c.text);
  }
}

TEST_CASE("a lone number or param stays what it was", "[lang][param_expr]") {
  auto number = lower_release("compute r at clinic = declared(n, epsilon: 0.5)", flow::ParamKey::kEpsilon);
  REQUIRE(number.value);
  CHECK_FALSE(number.value->expr);
  CHECK(number.value->literal == r("0.5"));
  auto param = lower_release("compute r at clinic = declared(n, epsilon: base)", flow::ParamKey::kEpsilon);
  REQUIRE(param.value);
  CHECK_FALSE(param.value->expr);
  CHECK(param.value->param == param.graph->find_param("base"));
}

TEST_CASE("irrational values: intervals contain the mpmath value and round the safe way", "[lang][param_expr]") {
  struct Case {
    const char* written;
    const char* mpmath;  // 40 digits (header)
  };
  const Case cases[] = {
      {"base * sqrt(2) + 1", "3.828427124746190097603377448419396157139"},
      {"ln(3)", "1.098612288668109691395245236922525704647"},
      {"exp(1)", "2.718281828459045235360287471352662497757"},
      {"sqrt(2) / ln(10)", "0.6141851463713754274855109828641766931851"},
      {"exp(-1/2)", "0.6065306597126334236037995349911804534419"},
  };
  for (const auto& c : cases) {
    INFO(c.written);
    const Rational truth = r(c.mpmath);
    // Noise rounds down, ε rounds up: each is on its safe side of the true value, within 1e-11.
    auto sigma = lower_release(std::string("compute r at clinic = gaussian(n, sigma: ") + c.written + ")",
                               flow::ParamKey::kSigma);
    INFO(sigma.rendered);
    REQUIRE(sigma.value);
    REQUIRE(sigma.value->expr);
    CHECK_FALSE(sigma.value->round_up);
    const Rational tolerance = truth * r("1e-11");
    CHECK(sigma.value->literal <= truth - r("1e-40"));
    CHECK(sigma.value->literal >= truth - tolerance);
    auto eps = lower_release(std::string("compute r at clinic = laplace(n, epsilon: ") + c.written + ")",
                             flow::ParamKey::kEpsilon);
    REQUIRE(eps.value);
    CHECK(eps.value->round_up);
    CHECK(eps.value->literal >= truth + r("1e-40"));
    CHECK(eps.value->literal <= truth + tolerance);
    // The interval itself holds the mpmath value.
    auto v = flow::evaluate(*eps.value->expr, eps.graph->params);
    REQUIRE(v.value);
    CHECK(v.value->lo < truth);
    CHECK(v.value->hi > truth);
    CHECK(v.value->hi - v.value->lo < truth * r("1e-30"));
  }
}

TEST_CASE("the sensitivity rounds up, except beside an epsilon", "[lang][param_expr]") {
  auto gauss = lower_release("compute r at clinic = gaussian(n, sigma: 3, sensitivity: sqrt(2))",
                             flow::ParamKey::kSensitivity);
  REQUIRE(gauss.value);
  CHECK(gauss.value->round_up);
  CHECK(gauss.value->literal * gauss.value->literal > 2);
  auto laplace = lower_release("compute r at clinic = laplace(n, epsilon: 1, sensitivity: sqrt(2))",
                               flow::ParamKey::kSensitivity);
  REQUIRE(laplace.value);
  CHECK_FALSE(laplace.value->round_up);
  CHECK(laplace.value->literal * laplace.value->literal < 2);
  auto scale = lower_release("compute r at clinic = laplace(n, scale: 2, sensitivity: sqrt(2))",
                             flow::ParamKey::kSensitivity);
  REQUIRE(scale.value);
  CHECK(scale.value->round_up);
}

TEST_CASE("interval arithmetic keeps rationals exact and contains the truth", "[base][interval]") {
  const Interval two = Interval::point(Rational(2));
  CHECK(sqrt(Interval::point(r("9/4"))).exact());
  CHECK(sqrt(Interval::point(r("9/4"))).lo == r("3/2"));
  const Interval root = sqrt(two);
  CHECK_FALSE(root.exact());
  CHECK(root.lo * root.lo < 2);
  CHECK(root.hi * root.hi > 2);
  const Interval product = root * root;  // contains 2, not exact
  CHECK(product.lo < 2);
  CHECK(product.hi > 2);
  const Interval negated = -root;
  CHECK(negated.hi == -root.lo);
  const Interval quotient = Interval::point(Rational(1)) / Interval{Rational(2), Rational(4)};
  CHECK(quotient.lo == r("1/4"));
  CHECK(quotient.hi == r("1/2"));
  CHECK(ln(exp(Interval::point(Rational(0)))).exact());
}

TEST_CASE("errors in parameter expressions are located", "[lang][param_expr][diagnostics]") {
  const std::string release = "compute r at clinic = laplace(n, epsilon: ";
  CHECK(first_error(kBase + release + "1 / (base - 2))") == "6:48: division by zero");
  CHECK(first_error(kBase + release + "ln(base - 2))") == "6:46: ln of a number that is not positive");
  CHECK(first_error(kBase + release + "sqrt(1 - base))") == "6:48: sqrt of a negative number");
  CHECK(first_error(kBase + release + "exp(1000))") == "6:43: exp of more than 690 is beyond 1e300");
  CHECK(first_error(kBase + release + "2 * bsae)") == "6:47: param 'bsae' is not declared; did you mean 'base'?");
  CHECK(first_error(kBase + release + "log(2))") == "6:43: unknown function 'log' (the functions are sqrt, exp and ln)");
  CHECK(first_error(kBase + release + "foo(2))") == "6:43: unknown function 'foo' (the functions are sqrt, exp and ln)");
  CHECK(first_error(kBase + release + "base - 2)") == "6:43: epsilon must be positive, not base - 2 = 0");
  CHECK(first_error(kBase + release + "1e200 * 1e200)") == "6:43: the value is beyond 1e300");
  CHECK(first_error(kBase + "compute r at clinic = dpsgd(people, noise_multiplier: 1, sampling_rate: 0.01, steps: "
                            "10 * sqrt(2))")
            .rfind("6:", 0) == 0);  // irrational steps: not a whole number
}

TEST_CASE("list parameters: each element a number, a param or an expression; located errors",
          "[lang][param_expr][list]") {
  auto l = load(kBase + "compute r at clinic = matrix_factorization(n, noise_multiplier: 4, coefficients: [1, "
                        "base / 4, 3/8, sqrt(2) / 4], steps: 2000, epochs: 4, min_separation: 500)\nsend r to server\n");
  INFO(l.rendered);
  REQUIRE(l.graph);
  const flow::Artifact& x = l.graph->artifacts[l.graph->find_artifact("r")];
  const auto& bands = l.graph->list(x, flow::ParamKey::kCoefficients);
  REQUIRE(bands.size() == 4);
  CHECK(l.graph->value(bands[0]) == 1);
  CHECK(bands[1].expr);
  CHECK(l.graph->value(bands[1]) == r("1/2"));
  CHECK(l.graph->value(bands[2]) == r("3/8"));
  // sqrt(2)/4 = 0.3535533905932737622004221810524245196424 (mpmath): its magnitude rounds up.
  CHECK(l.graph->magnitude(bands[3]) >= r("0.3535533905932737622004221810524245196424"));
  CHECK(l.graph->magnitude(bands[3]) <= r("0.353553390595"));
  CHECK(x.params.count(flow::ParamKey::kCoefficients) == 0);  // a list is never a tuning target

  auto error_of = [](const std::string& arguments) {
    return first_error(kBase + "compute r at clinic = matrix_factorization(n, noise_multiplier: 4, " + arguments +
                       ")\n");
  };
  CHECK(error_of("coefficients: []") == "6:82: coefficients needs at least one number, e.g. [1, 1/2, 3/8]");
  CHECK(error_of("coefficients: 2") == "6:82: coefficients is a list of numbers, e.g. [1, 1/2, 3/8], not one value");
  CHECK(error_of("coefficients: [1], steps: [2]") == "6:94: steps takes one number, not a list");
  CHECK(error_of("coefficients: [1, nope]") == "6:86: param 'nope' is not declared");
  // Too many bands: the limit of `privflow account matrix-factorization --coefficients`.
  std::string many = "coefficients: [1";
  for (std::size_t i = 0; i < flow::kMaxListItems; ++i) many += ", 0";
  CHECK(error_of(many + "]") == "6:82: coefficients has 100001 elements; at most 100000 are accepted");
  CHECK(error_of("coefficients: [1, 1, 1], epochs: 2, min_separation: 2").find("3 bands, more than min_separation 2") !=
        std::string::npos);
}

TEST_CASE("a param inside an expression is re-read when it changes, as tune changes it", "[lang][param_expr]") {
  auto l = lower_release("compute r at clinic = gaussian(n, sigma: base * 3 / 2)", flow::ParamKey::kSigma);
  REQUIRE(l.graph);
  REQUIRE(l.value);
  flow::Graph g = *l.graph;
  const auto& pv = g.artifacts[g.find_artifact("r")].params.at(flow::ParamKey::kSigma);
  CHECK(g.value(pv) == 3);
  g.params[g.find_param("base")].value = 4;
  CHECK(g.value(pv) == 6);
  auto used = flow::params_in(*pv.expr);
  REQUIRE(used.size() == 1);
  CHECK(used[0] == g.find_param("base"));
}

}  // namespace privflow::lang
