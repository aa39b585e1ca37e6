// Brute force against the solver path on random small expressions (deterministic seed).
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <random>

#include "expr_builder.hpp"
#include "solver/map_count.hpp"
#include "solver/session.hpp"

using namespace privflow::solver;
using namespace privflow::solver::testing;

namespace {

class Generator {
 public:
  Generator(const privflow::flow::Data& d, std::uint32_t seed) : d_(d), rng_(seed) {}

  Expr any() {
    int k = pick(10);
    return k < 7 ? int_expr(4) : k < 9 ? bool_expr(4) : enum_expr(3);
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  Expr int_expr(int depth) {
    int k = depth <= 0 ? pick(3) : pick(12);
    switch (k) {
      case 0: return lit(pick(11) - 5);
      case 1: return field(d_, "a");
      case 2: return field(d_, "b");
      case 3: return unary(Op::kNeg, int_expr(depth - 1));
      case 4: return binary(Op::kAdd, int_expr(depth - 1), int_expr(depth - 1));
      case 5: return binary(Op::kSub, int_expr(depth - 1), int_expr(depth - 1));
      case 6: return binary(Op::kMul, int_expr(depth - 1), int_expr(depth - 1));
      case 7: case 8: return binary(Op::kDiv, int_expr(depth - 1), int_expr(depth - 1));
      case 9: case 10: return binary(Op::kMod, int_expr(depth - 1), int_expr(depth - 1));
      default: return if_then_else(bool_expr(depth - 1), int_expr(depth - 1), int_expr(depth - 1));
    }
  }

  Expr bool_expr(int depth) {
    static const Op comparisons[] = {Op::kEq, Op::kNe, Op::kLt, Op::kLe, Op::kGt, Op::kGe};
    int k = depth <= 0 ? pick(2) : pick(9);
    switch (k) {
      case 0: return field(d_, "d");
      case 1: return boolean(pick(2) == 1);
      case 2: return unary(Op::kNot, bool_expr(depth - 1));
      case 3: return binary(Op::kAnd, bool_expr(depth - 1), bool_expr(depth - 1));
      case 4: return binary(Op::kOr, bool_expr(depth - 1), bool_expr(depth - 1));
      case 5: case 6: return binary(comparisons[pick(6)], int_expr(depth - 1), int_expr(depth - 1));
      case 7: return binary(comparisons[pick(6)], enum_expr(depth - 1), enum_expr(depth - 1));
      default: return if_then_else(bool_expr(depth - 1), bool_expr(depth - 1), bool_expr(depth - 1));
    }
  }

  Expr enum_expr(int depth) {
    static const char* colours[] = {"red", "green", "blue"};
    int k = depth <= 0 ? pick(2) : pick(3);
    switch (k) {
      case 0: return field(d_, "c");
      case 1: return enum_value(d_, "c", colours[pick(3)]);
      default: return if_then_else(bool_expr(depth - 1), enum_expr(depth - 1), enum_expr(depth - 1));
    }
  }

  const privflow::flow::Data& d_;
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("brute force, enumeration and Z3 agree on random expressions", "[solver][map][random]") {
  auto d = make_data({int_field("a", -4, 5), int_field("b", 0, 6), enum_field("c", {"red", "green", "blue"}),
                      bool_field("d")});
  Generator gen(d, 20261122u);
  Session session;
  MapLimits by_solver;
  by_solver.max_enumeration = 0;
  by_solver.leaf_tuples = 1;  // make Z3 decide almost every box
  by_solver.additive = false;
  MapLimits by_scores;  // maps of additive scores by convolution (solver/map_additive.cpp)
  by_scores.max_enumeration = 0;
  int exact = 0, division = 0, additive = 0;
  std::uint64_t queries = 0;
  for (int i = 0; i < 400; ++i) {
    Expr e = gen.any();
    INFO("expression #" << i);
    MapCount en = count_map(session, d, e);
    MapCount z3 = count_map(session, d, e, by_solver);
    REQUIRE(en.method == MapMethod::kEnumeration);
    REQUIRE(z3.method == MapMethod::kSolver);
    // Where the expression is a map of additive scores, their convolution must agree too.
    const MapCount sc = count_map(session, d, e, by_scores);
    if (sc.method == MapMethod::kAdditive) {
      ++additive;
      REQUIRE(sc.status == MapStatus::kExact);
      REQUIRE(en.status == MapStatus::kExact);
      REQUIRE(sc.classes.size() == en.classes.size());
      for (std::size_t k = 0; k < sc.classes.size(); ++k) {
        CHECK(sc.classes[k].value == en.classes[k].value);
        CHECK(sc.classes[k].preimage == en.classes[k].preimage);
      }
    }
    REQUIRE(z3.status != MapStatus::kUndecided);
    REQUIRE(en.status == z3.status);
    queries += z3.solver_queries;

    // Brute force with the public evaluator, in tuple index order.
    std::map<mpz_class, long> brute;
    bool divides_by_zero = false;
    std::vector<mpz_class> outputs;
    const std::uint64_t n = en.tuples.get_ui();
    for (std::uint64_t t = 0; t < n; ++t) {
      std::vector<std::uint64_t> digits = en.digits_of(t);
      std::vector<std::int64_t> record(d.fields.size(), 0);
      for (std::size_t j = 0; j < digits.size(); ++j) {
        const auto& f = d.fields[en.read_fields[j]];
        record[en.read_fields[j]] = static_cast<std::int64_t>(digits[j]) + (f.type == privflow::flow::FieldType::kInt ? f.lo : 0);
      }
      auto v = evaluate(e, record);
      if (!v) { divides_by_zero = true; break; }
      ++brute[*v];
      outputs.push_back(*v);
    }
    REQUIRE(divides_by_zero == (en.status == MapStatus::kDivisionByZero));
    if (divides_by_zero) {
      ++division;
      // Both witnesses really divide by zero.
      for (const MapCount* m : {&en, &z3}) {
        std::vector<std::int64_t> record(d.fields.size(), 0);
        for (std::size_t j = 0; j < m->read_fields.size(); ++j) record[m->read_fields[j]] = m->witness[j];
        CHECK_FALSE(evaluate(e, record).has_value());
      }
      continue;
    }
    ++exact;
    REQUIRE(en.classes.size() == brute.size());
    REQUIRE(z3.classes.size() == brute.size());
    std::size_t k = 0;
    for (const auto& [value, count] : brute) {
      CHECK(en.classes[k].value == value);
      CHECK(en.classes[k].preimage == count);
      CHECK(z3.classes[k].value == value);
      CHECK(z3.classes[k].preimage == count);
      CHECK(z3.classes[k].name == en.classes[k].name);
      ++k;
    }
    for (std::uint64_t t = 0; t < n; ++t)
      if (en.classes[en.function[t]].value != outputs[t]) FAIL("function differs at tuple " << t);
  }
  // The sample must exercise both outcomes and make Z3 work.
  CHECK(exact > 150);
  CHECK(division > 100);
  CHECK(queries > 1000);
  CHECK(additive >= 15);
}

TEST_CASE("enumeration and Z3 agree on wider domains", "[solver][map][random]") {
  // 401 · 101 · 3 · 2 tuples: boxes are proved constant by intervals or by Z3 before leaves.
  auto d = make_data({int_field("a", -200, 200), int_field("b", -50, 50), enum_field("c", {"red", "green", "blue"}),
                      bool_field("d")});
  Generator gen(d, 7u);
  Session session;
  MapLimits by_solver;
  by_solver.max_enumeration = 0;
  by_solver.leaf_tuples = 16;
  by_solver.max_queries = 4000;
  int exact = 0, undecided = 0;
  for (int i = 0; i < 60; ++i) {
    Expr e = gen.any();
    INFO("expression #" << i);
    MapCount en = count_map(session, d, e);
    REQUIRE(en.method == MapMethod::kEnumeration);
    if (en.status == MapStatus::kDivisionByZero) {
      CHECK(find_division_by_zero(session, d, e, by_solver).status == SolveStatus::kSat);
      continue;
    }
    MapCount z3 = count_map(session, d, e, by_solver);
    if (z3.status == MapStatus::kUndecided) {
      ++undecided;
      CHECK(z3.classes.empty());
      continue;
    }
    ++exact;
    REQUIRE(z3.status == MapStatus::kExact);
    REQUIRE(z3.classes.size() == en.classes.size());
    for (std::size_t k = 0; k < en.classes.size(); ++k) {
      CHECK(z3.classes[k].value == en.classes[k].value);
      CHECK(z3.classes[k].preimage == en.classes[k].preimage);
    }
  }
  CHECK(exact >= 20);
}

TEST_CASE("ill-typed trees (a front-end bug) still agree, never crash", "[solver][map][random]") {
  // Bools used as integers and integers as conditions: every layer reads a bool as 0/1 and
  // an integer condition as "non-zero", so enumeration and Z3 must still agree.
  auto d = make_data({int_field("a", -3, 3), bool_field("d"), enum_field("c", {"red", "green", "blue"})});
  std::mt19937 rng(99u);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  static const Op binaries[] = {Op::kAdd, Op::kSub, Op::kMul, Op::kDiv, Op::kMod, Op::kEq, Op::kNe, Op::kLt,
                                Op::kLe,  Op::kGt,  Op::kGe,  Op::kAnd, Op::kOr};
  std::function<Expr(int)> any = [&](int depth) -> Expr {
    int k = depth <= 0 ? pick(4) : pick(8);
    switch (k) {
      case 0: return lit(pick(5) - 2);
      case 1: return field(d, "a");
      case 2: return field(d, "d");
      case 3: return field(d, "c");
      case 4: return unary(pick(2) == 0 ? Op::kNeg : Op::kNot, any(depth - 1));
      case 5: return if_then_else(any(depth - 1), any(depth - 1), any(depth - 1));
      default: return binary(binaries[pick(13)], any(depth - 1), any(depth - 1));
    }
  };
  Session session;
  MapLimits by_solver;
  by_solver.max_enumeration = 0;
  by_solver.leaf_tuples = 1;
  int exact = 0;
  for (int i = 0; i < 150; ++i) {
    Expr e = any(4);
    INFO("expression #" << i);
    MapCount en = count_map(session, d, e);
    MapCount z3 = count_map(session, d, e, by_solver);
    REQUIRE(z3.status == en.status);
    if (en.status != MapStatus::kExact) continue;
    ++exact;
    REQUIRE(z3.classes.size() == en.classes.size());
    for (std::size_t k = 0; k < en.classes.size(); ++k) {
      CHECK(z3.classes[k].value == en.classes[k].value);
      CHECK(z3.classes[k].preimage == en.classes[k].preimage);
    }
  }
  CHECK(exact > 50);
}
