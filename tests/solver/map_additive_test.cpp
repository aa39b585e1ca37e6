// Additive maps (solver/map_count.hpp, AdditiveForm): the form found in an expression, and the
// count by convolution against closed forms (binomial and multinomial coefficients) and against
// enumeration of the same expression.
#include "solver/map_count.hpp"

#include <catch2/catch.hpp>

#include "expr_builder.hpp"
#include "solver/session.hpp"

using namespace privflow::solver;
using namespace privflow::solver::testing;

namespace {

/// n boolean likes l0..l{n-1}.
privflow::flow::Data likes(int n) {
  std::vector<privflow::flow::Field> fields;
  for (int i = 0; i < n; ++i) fields.push_back(bool_field(std::string("l").append(std::to_string(i))));
  return make_data(fields);
}

/// (if l_first then 1 else 0) + … over `count` likes.
Expr count_of(const privflow::flow::Data& d, int first, int count) {
  Expr sum = if_then_else(field(d, std::string("l").append(std::to_string(first))), lit(1), lit(0));
  for (int i = first + 1; i < first + count; ++i)
    sum = binary(Op::kAdd, std::move(sum), if_then_else(field(d, std::string("l").append(std::to_string(i))), lit(1), lit(0)));
  return sum;
}

mpz_class choose(unsigned long n, unsigned long k) {
  mpz_class c;
  mpz_bin_uiui(c.get_mpz_t(), n, k);
  return c;
}

}  // namespace

TEST_CASE("additive map: a count of 40 likes has 41 classes of binomial size", "[solver][map][additive]") {
  Session session;
  const auto d = likes(40);
  const MapCount m = count_map(session, d, count_of(d, 0, 40));
  REQUIRE(m.status == MapStatus::kExact);
  CHECK(m.method == MapMethod::kAdditive);
  REQUIRE(m.output_count() == 41);
  for (unsigned long k = 0; k <= 40; ++k) {
    CHECK(m.classes[k].value == k);
    CHECK(m.classes[k].preimage == choose(40, k));
  }
  CHECK(m.tuples == mpz_class(1) << 40);
  CHECK(m.function.empty());
}

TEST_CASE("additive map: a threshold and the sign of a difference of two counts", "[solver][map][additive]") {
  Session session;
  const auto d = likes(30);
  // if count >= 20 then 1 else 0: the upper tail of the binomial.
  const MapCount high = count_map(session, d, if_then_else(binary(Op::kGe, count_of(d, 0, 30), lit(20)), lit(1), lit(0)));
  REQUIRE(high.status == MapStatus::kExact);
  CHECK(high.method == MapMethod::kAdditive);
  mpz_class tail = 0;
  for (unsigned long k = 20; k <= 30; ++k) tail += choose(30, k);
  REQUIRE(high.output_count() == 2);
  CHECK(high.classes[1].preimage == tail);
  CHECK(high.classes[0].preimage == (mpz_class(1) << 30) - tail);
  // Bands of one score written twice: if count >= 20 then 2 else if count <= 10 then 0 else 1.
  const MapCount bands = count_map(
      session, d,
      if_then_else(binary(Op::kGe, count_of(d, 0, 30), lit(20)), lit(2),
                   if_then_else(binary(Op::kLe, count_of(d, 0, 30), lit(10)), lit(0), lit(1))));
  REQUIRE(bands.status == MapStatus::kExact);
  CHECK(bands.method == MapMethod::kAdditive);
  mpz_class low = 0;
  for (unsigned long k = 0; k <= 10; ++k) low += choose(30, k);
  REQUIRE(bands.output_count() == 3);
  CHECK(bands.classes[0].preimage == low);
  CHECK(bands.classes[2].preimage == tail);
  CHECK(bands.classes[1].preimage == (mpz_class(1) << 30) - low - tail);
  // A product of two scores is no sum; nine distinct scores are more than the form takes.
  CHECK_FALSE(additive_form(d, binary(Op::kAdd, binary(Op::kMul, count_of(d, 0, 3), count_of(d, 3, 3)), lit(0))));
  CHECK(additive_form(d, if_then_else(binary(Op::kGe, count_of(d, 0, 3), lit(2)), lit(1),
                                      if_then_else(binary(Op::kGe, count_of(d, 3, 3), lit(2)), lit(2), lit(0)))));
  Expr nine = lit(0);
  for (int i = 0; i < 9; ++i) nine = if_then_else(binary(Op::kGe, count_of(d, 3 * i, 2), lit(2)), lit(i + 1), std::move(nine));
  CHECK_FALSE(additive_form(d, nine));
  // (#likes among the first 15) > (#likes among the last 15): Σ_{a > b} C(15,a)·C(15,b).
  const MapCount more = count_map(session, d, binary(Op::kGt, count_of(d, 0, 15), count_of(d, 15, 15)));
  REQUIRE(more.status == MapStatus::kExact);
  CHECK(more.method == MapMethod::kAdditive);
  mpz_class greater = 0;
  for (unsigned long a = 0; a <= 15; ++a)
    for (unsigned long b = 0; b < a; ++b) greater += choose(15, a) * choose(15, b);
  REQUIRE(more.output_count() == 2);
  CHECK(more.classes[0].name == "false");
  CHECK(more.classes[1].name == "true");
  CHECK(more.classes[1].preimage == greater);
}

TEST_CASE("additive map: weighted int terms equal enumeration", "[solver][map][additive]") {
  Session session;
  const auto d = make_data({int_field("a", -5, 20), int_field("b", 0, 9), int_field("c", 1, 30), bool_field("x")});
  // 3 - 2·(a / 4) + b·5 - c % 7 + (if x then 4 else 0), banded by / 3: every step additive.
  Expr score = binary(Op::kSub, lit(3), binary(Op::kMul, lit(2), binary(Op::kDiv, field(d, "a"), lit(4))));
  score = binary(Op::kAdd, std::move(score), binary(Op::kMul, field(d, "b"), lit(5)));
  score = binary(Op::kSub, std::move(score), binary(Op::kMod, field(d, "c"), lit(7)));
  score = binary(Op::kAdd, std::move(score), if_then_else(field(d, "x"), lit(4), lit(0)));
  const Expr e = binary(Op::kDiv, std::move(score), lit(3));
  const auto form = additive_form(d, e);
  REQUIRE(form);
  CHECK(form->terms.size() == 4);
  MapLimits no_enumeration;
  no_enumeration.max_enumeration = 0;
  const MapCount by_score = count_map(session, d, e, no_enumeration);
  const MapCount by_listing = count_map(session, d, e);
  REQUIRE(by_score.status == MapStatus::kExact);
  CHECK(by_score.method == MapMethod::kAdditive);
  REQUIRE(by_listing.method == MapMethod::kEnumeration);
  REQUIRE(by_score.output_count() == by_listing.output_count());
  for (std::size_t i = 0; i < by_score.classes.size(); ++i) {
    CHECK(by_score.classes[i].value == by_listing.classes[i].value);
    CHECK(by_score.classes[i].preimage == by_listing.classes[i].preimage);
  }
}

TEST_CASE("additive map: what is not a sum of one-field terms is left to the other paths", "[solver][map][additive]") {
  Session session;
  const auto d = make_data({int_field("a", 0, 2000), int_field("b", 0, 2000)});
  CHECK_FALSE(additive_form(d, binary(Op::kMul, field(d, "a"), field(d, "b"))));
  CHECK_FALSE(additive_form(d, if_then_else(binary(Op::kGt, field(d, "a"), lit(3)), field(d, "b"), lit(0))));
  // A division by zero inside a term: the general count finds and locates it.
  const Expr divides = binary(Op::kAdd, binary(Op::kDiv, lit(100), field(d, "a")), field(d, "b"));
  CHECK_FALSE(additive_form(d, divides));
  const MapCount m = count_map(session, d, divides);
  CHECK(m.status == MapStatus::kDivisionByZero);
  // So does a division of the score: (a + b) / (a + b - 7) reaches 0 at a + b = 7.
  const Expr outer = binary(Op::kDiv, lit(1), binary(Op::kSub, binary(Op::kAdd, field(d, "a"), field(d, "b")), lit(7)));
  const MapCount o = count_map(session, d, outer);
  CHECK(o.status == MapStatus::kDivisionByZero);
  CHECK(find_division_by_zero(session, d, outer).status == SolveStatus::kSat);
  CHECK(find_division_by_zero(session, d, binary(Op::kAdd, field(d, "a"), field(d, "b"))).status == SolveStatus::kUnsat);
}

TEST_CASE("additive map: the largest of three counts (several scores)", "[solver][map][additive]") {
  // if C > P and C > N then 2 else if P > N then 0 else 1, over three counts of 10 likes each:
  // three scores (C - P, C - N, P - N); each class's size is a sum of products of binomials.
  Session session;
  const auto d = likes(30);
  const Expr c = count_of(d, 0, 10), p = count_of(d, 10, 10), n = count_of(d, 20, 10);
  const Expr e = if_then_else(binary(Op::kAnd, binary(Op::kGt, c, p), binary(Op::kGt, c, n)), lit(2),
                              if_then_else(binary(Op::kGt, p, n), lit(0), lit(1)));
  const auto form = additive_form(d, e);
  REQUIRE(form);
  CHECK(form->offset.size() == 3);
  const MapCount m = count_map(session, d, e);
  REQUIRE(m.status == MapStatus::kExact);
  CHECK(m.method == MapMethod::kAdditive);
  mpz_class expected[3] = {0, 0, 0};
  for (unsigned long i = 0; i <= 10; ++i)
    for (unsigned long j = 0; j <= 10; ++j)
      for (unsigned long k = 0; k <= 10; ++k)
        expected[i > j && i > k ? 2 : j > k ? 0 : 1] += choose(10, i) * choose(10, j) * choose(10, k);
  REQUIRE(m.output_count() == 3);
  for (int v = 0; v < 3; ++v) CHECK(m.classes[static_cast<std::size_t>(v)].preimage == expected[v]);
}
