#include "solver/map_count.hpp"

#include <catch2/catch.hpp>

#include "expr_builder.hpp"
#include "solver/session.hpp"

using namespace privflow::solver;
using namespace privflow::solver::testing;

namespace {

MapLimits solver_only() {
  MapLimits l;
  l.max_enumeration = 0;
  return l;
}

std::vector<long> preimages(const MapCount& m) {
  std::vector<long> out;
  for (const auto& c : m.classes) out.push_back(c.preimage.get_si());
  return out;
}

std::vector<std::string> names(const MapCount& m) {
  std::vector<std::string> out;
  for (const auto& c : m.classes) out.push_back(c.name);
  return out;
}

}  // namespace

TEST_CASE("evaluate: floor division and floor modulo", "[solver][map]") {
  auto d = make_data({int_field("a", -100, 100), int_field("b", -100, 100)});
  struct Case {
    std::int64_t a, b, quotient, remainder;
  };
  const Case cases[] = {{7, 2, 3, 1},    {-7, 2, -4, 1}, {7, -2, -4, -1}, {-7, -2, 3, -1},
                        {6, 3, 2, 0},    {-6, 3, -2, 0}, {0, -5, 0, 0},   {-1, 7, -1, 6},
                        {1, -7, -1, -6}, {99, 10, 9, 9}};
  Expr q = binary(Op::kDiv, field(d, "a"), field(d, "b"));
  Expr r = binary(Op::kMod, field(d, "a"), field(d, "b"));
  for (const Case& c : cases) {
    INFO(c.a << " / " << c.b);
    CHECK(*evaluate(q, {c.a, c.b}) == c.quotient);
    CHECK(*evaluate(r, {c.a, c.b}) == c.remainder);
  }
  const Expr* where = nullptr;
  CHECK_FALSE(evaluate(q, {5, 0}, &where).has_value());
  CHECK(where == &q);
  CHECK_FALSE(evaluate(q, {5}).has_value());  // a read field missing from the record
}

TEST_CASE("age / 10 over int[0, 120]: 13 classes", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("zip", 0, 99999), int_field("age", 0, 120)});
  Expr e = binary(Op::kDiv, field(d, "age"), lit(10));
  for (const MapLimits& limits : {MapLimits{}, solver_only()}) {
    MapCount m = count_map(session, d, e, limits);
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(m.read_fields == std::vector<privflow::flow::Id>{1});
    CHECK(m.radix == std::vector<std::uint64_t>{121});
    CHECK(m.tuples == 121);
    CHECK(m.output_count() == 13);
    CHECK(preimages(m) == std::vector<long>{10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 1});
    CHECK(names(m).front() == "0");
    CHECK(names(m).back() == "12");
    CHECK(m.max_preimage() == 10);
    CHECK(m.min_preimage() == 1);
    if (m.method == MapMethod::kEnumeration) {
      REQUIRE(m.function.size() == 121);
      for (std::uint64_t i = 0; i < 121; ++i) CHECK(m.function[i] == i / 10);
    } else {
      CHECK(m.function.empty());
    }
  }
}

TEST_CASE("zip / 10 over int[0, 99999]: 10000 classes of 10", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("zip", 0, 99999)});
  Expr e = binary(Op::kDiv, field(d, "zip"), lit(10));
  for (const MapLimits& limits : {MapLimits{}, solver_only()}) {
    MapCount m = count_map(session, d, e, limits);
    REQUIRE(m.status == MapStatus::kExact);
    REQUIRE(m.output_count() == 10000);
    for (std::size_t i = 0; i < m.classes.size(); ++i) {
      if (m.classes[i].value != static_cast<long>(i) || m.classes[i].preimage != 10) FAIL("class " << i);
    }
  }
}

TEST_CASE("if age >= 65 then 1 else 0", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("age", 0, 120)});
  Expr e = if_then_else(binary(Op::kGe, field(d, "age"), lit(65)), lit(1), lit(0));
  MapCount m = count_map(session, d, e);
  REQUIRE(m.status == MapStatus::kExact);
  CHECK(names(m) == std::vector<std::string>{"0", "1"});
  CHECK(preimages(m) == std::vector<long>{65, 56});
  // The same threshold on a domain of 10^9 through the solver path.
  auto big = make_data({int_field("x", 0, 999'999'999)});
  Expr t = if_then_else(binary(Op::kGe, field(big, "x"), lit(650'000'000)), lit(1), lit(0));
  MapCount b = count_map(session, big, t);
  REQUIRE(b.status == MapStatus::kExact);
  CHECK(b.method == MapMethod::kSolver);
  CHECK(preimages(b) == std::vector<long>{650'000'000, 350'000'000});
}

TEST_CASE("enum comparisons and enum-valued outputs", "[solver][map]") {
  Session session;
  auto d = make_data({enum_field("diagnosis", {"flu", "covid", "cancer"}), bool_field("smoker")});
  SECTION("diagnosis = cancer") {
    Expr e = binary(Op::kEq, field(d, "diagnosis"), enum_value(d, "diagnosis", "cancer"));
    MapCount m = count_map(session, d, e);
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(m.type == Type::kBool);
    CHECK(names(m) == std::vector<std::string>{"false", "true"});
    CHECK(preimages(m) == std::vector<long>{2, 1});
    CHECK(m.function == std::vector<std::uint64_t>{0, 0, 1});
  }
  SECTION("if smoker then diagnosis else flu") {
    Expr e = if_then_else(field(d, "smoker"), field(d, "diagnosis"), enum_value(d, "diagnosis", "flu"));
    MapCount m = count_map(session, d, e);
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(m.type == Type::kEnum);
    CHECK(m.read_fields == std::vector<privflow::flow::Id>{0, 1});
    CHECK(names(m) == std::vector<std::string>{"flu", "covid", "cancer"});
    CHECK(preimages(m) == std::vector<long>{4, 1, 1});
    // tuple index = diagnosis·2 + smoker (first read field most significant)
    CHECK(m.function == std::vector<std::uint64_t>{0, 0, 0, 1, 0, 2});
    CHECK(m.digits_of(5) == std::vector<std::uint64_t>{2, 1});
  }
  SECTION("diagnosis >= covid (declaration order)") {
    Expr e = binary(Op::kGe, field(d, "diagnosis"), enum_value(d, "diagnosis", "covid"));
    MapCount m = count_map(session, d, e, solver_only());
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(preimages(m) == std::vector<long>{1, 2});
  }
}

TEST_CASE("x % 7 and x / -3 with negative ranges", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("x", -10, 10)});
  struct Case {
    Expr e;
    std::vector<std::string> values;
    std::vector<long> counts;
  };
  const Case cases[] = {
      {binary(Op::kMod, field(d, "x"), lit(7)), {"0", "1", "2", "3", "4", "5", "6"}, {3, 3, 3, 3, 3, 3, 3}},
      {binary(Op::kMod, field(d, "x"), lit(-7)), {"-6", "-5", "-4", "-3", "-2", "-1", "0"}, {3, 3, 3, 3, 3, 3, 3}},
      // floor(x / -3): x = 10 → -4 (truncation would give -3), x = -10 → 3 (Euclidean: 4)
      {binary(Op::kDiv, field(d, "x"), lit(-3)),
       {"-4", "-3", "-2", "-1", "0", "1", "2", "3"},
       {1, 3, 3, 3, 3, 3, 3, 2}},
  };
  for (const Case& c : cases) {
    for (const MapLimits& limits : {MapLimits{}, solver_only()}) {
      MapCount m = count_map(session, d, c.e, limits);
      REQUIRE(m.status == MapStatus::kExact);
      CHECK(names(m) == c.values);
      CHECK(preimages(m) == c.counts);
    }
  }
}

TEST_CASE("division by zero: a witness, or a proof that none is reached", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("x", 0, 10), int_field("y", -5, 5)});
  Expr x_minus_3 = binary(Op::kSub, field(d, "x"), lit(3));
  Expr direct = binary(Op::kDiv, lit(100), x_minus_3);
  direct.span.line = 4;
  direct.span.column = 17;

  MapCount m = count_map(session, d, direct);
  REQUIRE(m.status == MapStatus::kDivisionByZero);
  CHECK(m.witness == std::vector<std::int64_t>{3});
  CHECK(m.division.line == 4);
  CHECK(m.division.column == 17);

  DivisionCheck by_solver = find_division_by_zero(session, d, direct, solver_only());
  REQUIRE(by_solver.status == SolveStatus::kSat);
  CHECK(by_solver.witness == std::vector<std::int64_t>{3});
  CHECK(by_solver.division.column == 17);

  // Guarded by `if` or by `and`: never reached.
  Expr guarded_if = if_then_else(binary(Op::kNe, field(d, "x"), lit(3)), direct, lit(0));
  Expr guarded_and = binary(Op::kAnd, binary(Op::kNe, field(d, "x"), lit(3)), binary(Op::kGt, direct, lit(5)));
  Expr guarded_or = binary(Op::kOr, binary(Op::kEq, field(d, "x"), lit(3)), binary(Op::kGt, direct, lit(5)));
  for (const Expr* e : {&guarded_if, &guarded_and, &guarded_or}) {
    CHECK(find_division_by_zero(session, d, *e).status == SolveStatus::kUnsat);
    CHECK(find_division_by_zero(session, d, *e, solver_only()).status == SolveStatus::kUnsat);
    CHECK(count_map(session, d, *e, solver_only()).status == MapStatus::kExact);
  }
  // A modulo by a product that is zero only when y = 0 and x is odd... reached: x·y = 0.
  Expr mod = binary(Op::kMod, field(d, "x"), binary(Op::kMul, field(d, "x"), field(d, "y")));
  MapCount mm = count_map(session, d, mod);
  REQUIRE(mm.status == MapStatus::kDivisionByZero);
  CHECK(mm.witness == std::vector<std::int64_t>{0, -5});  // the first tuple in index order
  DivisionCheck ms = find_division_by_zero(session, d, mod, solver_only());
  REQUIRE(ms.status == SolveStatus::kSat);
  CHECK(ms.witness.size() == 2);
  CHECK((ms.witness[0] == 0 || ms.witness[1] == 0));

  // On a domain of 10^9 only the solver can find the one bad input.
  auto big = make_data({int_field("x", 0, 999'999'999)});
  Expr far = binary(Op::kDiv, lit(100), binary(Op::kSub, field(big, "x"), lit(123'456'789)));
  MapCount fm = count_map(session, big, far);
  REQUIRE(fm.status == MapStatus::kDivisionByZero);
  CHECK(fm.method == MapMethod::kSolver);
  CHECK(fm.witness == std::vector<std::int64_t>{123'456'789});
}

TEST_CASE("a constant expression reads nothing", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("x", 0, 10)});
  MapCount m = count_map(session, d, binary(Op::kAdd, lit(3), lit(4)));
  REQUIRE(m.status == MapStatus::kExact);
  CHECK(m.read_fields.empty());
  CHECK(m.tuples == 1);
  CHECK(names(m) == std::vector<std::string>{"7"});
  CHECK(m.function == std::vector<std::uint64_t>{0});
}

TEST_CASE("integers are mathematical: no overflow", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("x", 999'999'999'998, 1'000'000'000'000)});
  Expr x = field(d, "x");
  Expr fourth = binary(Op::kMul, binary(Op::kMul, x, x), binary(Op::kMul, x, x));
  MapCount m = count_map(session, d, fourth);
  REQUIRE(m.status == MapStatus::kExact);
  REQUIRE(m.output_count() == 3);
  CHECK(m.classes.back().value == mpz_class("1000000000000000000000000000000000000000000000000"));
  // (x·x·x·x) / x^3 brings it back into int64: same class as the plain x.
  Expr back = binary(Op::kDiv, fourth, binary(Op::kMul, binary(Op::kMul, x, x), x));
  MapCount b = count_map(session, d, back);
  REQUIRE(b.status == MapStatus::kExact);
  CHECK(names(b) == std::vector<std::string>{"999999999998", "999999999999", "1000000000000"});
}

TEST_CASE("large domains through the solver", "[solver][map]") {
  Session session;
  auto d = make_data({int_field("x", 0, 1'000'000'000), int_field("y", 0, 9)});
  SECTION("x / 10^8: 11 classes") {
    MapCount m = count_map(session, d, binary(Op::kDiv, field(d, "x"), lit(100'000'000)));
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(m.method == MapMethod::kSolver);
    std::vector<long> expected(10, 100'000'000);
    expected.push_back(1);
    CHECK(preimages(m) == expected);
    CHECK(m.solver_queries > 0);
    CHECK(m.solver_work > 0);
    CHECK(session.work() >= m.solver_work);
  }
  SECTION("x % 7 and (x / 10) % 10: periods proved by Z3, one period counted") {
    // 10^9 + 1 = 7·142857143: every residue 142857143 times.
    MapCount m = count_map(session, d, binary(Op::kMod, field(d, "x"), lit(7)));
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(names(m) == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6"});
    for (const auto& c : m.classes) CHECK(c.preimage == 142'857'143);
    // the tens digit: 10^9 + 1 values, x = 10^9 adds one more 0
    MapCount t = count_map(session, d, binary(Op::kMod, binary(Op::kDiv, field(d, "x"), lit(10)), lit(10)));
    REQUIRE(t.status == MapStatus::kExact);
    std::vector<long> expected(10, 100'000'000);
    expected[0] += 1;
    CHECK(preimages(t) == expected);
    // x % 7 - y % 3 over both fields: 7·3 residue pairs, weights multiply
    MapCount xy = count_map(session, d,
                            binary(Op::kSub, binary(Op::kMod, field(d, "x"), lit(7)), binary(Op::kMod, field(d, "y"), lit(3))));
    REQUIRE(xy.status == MapStatus::kExact);
    CHECK(names(xy).front() == "-2");
    CHECK(names(xy).back() == "6");
    mpz_class total = 0;
    for (const auto& c : xy.classes) total += c.preimage;
    CHECK(total == xy.tuples);
    // value 6 = x%7 = 6 and y%3 = 0: 142857143 · |{0, 3, 6, 9}| = 571428572
    CHECK(xy.classes.back().preimage == 571'428'572);
  }
  SECTION("x - x + y: interval arithmetic cannot see it, Z3 can") {
    Expr e = binary(Op::kAdd, binary(Op::kSub, field(d, "x"), field(d, "x")), field(d, "y"));
    MapCount m = count_map(session, d, e);
    REQUIRE(m.status == MapStatus::kExact);
    CHECK(m.output_count() == 10);
    for (const auto& c : m.classes) CHECK(c.preimage == 1'000'000'001);
    CHECK(m.tuples == mpz_class("10000000010"));
  }
}

TEST_CASE("limits give undecided, never a guess", "[solver][map]") {
  auto d = make_data({int_field("x", 0, 999'999'999), int_field("y", 1, 1'000'000)});
  SECTION("x < y needs too many boxes along the diagonal") {
    Session session;
    MapLimits limits;
    limits.max_queries = 50;
    Expr e = if_then_else(binary(Op::kLt, field(d, "x"), field(d, "y")), lit(1), lit(0));
    MapCount m = count_map(session, d, e, limits);
    CHECK(m.status == MapStatus::kUndecided);
    CHECK(m.reason.rfind("limit reached", 0) == 0);
    CHECK(m.classes.empty());
  }
  SECTION("a budget of solver work") {
    Session session;
    MapLimits limits;
    limits.max_solver_work = 1000;
    Expr e = if_then_else(binary(Op::kLt, field(d, "x"), field(d, "y")), lit(1), lit(0));
    MapCount m = count_map(session, d, e, limits);
    CHECK(m.status == MapStatus::kUndecided);
    CHECK(m.reason == "limit reached: more than 1000 solver resource units");
    CHECK(m.solver_work >= 1000);
  }
  SECTION("x / 10 has too many outputs") {
    Session session;
    MapLimits limits;
    limits.max_classes = 100;
    MapCount m = count_map(session, d, binary(Op::kDiv, field(d, "x"), lit(10)), limits);
    CHECK(m.status == MapStatus::kUndecided);
    CHECK(m.reason == "limit reached: more than 100 distinct outputs");
  }
  SECTION("a tiny resource limit") {
    Session session(Limits{0, 1});
    Expr e = binary(Op::kDiv, field(d, "x"), field(d, "y"));  // nonlinear
    MapCount m = count_map(session, d, e);
    CHECK(m.status == MapStatus::kUndecided);
    CHECK(m.reason.find("max. resource limit exceeded") != std::string::npos);
    CHECK(m.solver_queries >= 1);
  }
  SECTION("a malformed tree") {
    Session session;
    Expr bad = binary(Op::kAdd, field(d, "x"), lit(1));
    bad.children.pop_back();
    MapCount m = count_map(session, d, bad);
    CHECK(m.status == MapStatus::kUndecided);
    CHECK(m.reason == "malformed expression: operator with a wrong number of operands");
  }
}
