#include "solver/session.hpp"

#include <catch2/catch.hpp>

using privflow::solver::Limits;
using privflow::solver::Session;
using privflow::solver::SolveStatus;

TEST_CASE("a session answers sat and unsat", "[solver][session]") {
  Session session;
  struct Case {
    const char* smtlib;
    SolveStatus expected;
  };
  const Case cases[] = {
      {"(declare-const x Int) (assert (> x 3)) (assert (< x 5))", SolveStatus::kSat},
      {"(declare-const x Int) (assert (> x 3)) (assert (< x 4))", SolveStatus::kUnsat},
      {"(declare-const x Int) (assert (= (div x 0) 7)) (assert (= x 1))", SolveStatus::kSat},
      {"(declare-const p Bool) (assert (and p (not p)))", SolveStatus::kUnsat},
  };
  for (const Case& c : cases) {
    INFO(c.smtlib);
    CHECK(session.check_smtlib(c.smtlib).status == c.expected);
  }
  CHECK(session.queries() == 4);
  CHECK(session.unknowns() == 0);
}

TEST_CASE("a Z3 exception becomes unknown with its first line", "[solver][session]") {
  Session session;
  auto r = session.check_smtlib("(assert (> y 3))");  // y undeclared
  CHECK(r.status == SolveStatus::kUnknown);
  CHECK_FALSE(r.reason.empty());
  CHECK(r.reason.find('\n') == std::string::npos);
  CHECK(session.unknowns() == 1);
}

TEST_CASE("the resource limit makes a hard query unknown, deterministically", "[solver][session]") {
  // Factoring a 60-bit semiprime with nonlinear integer arithmetic: hopeless within the limit.
  const char* factoring =
      "(declare-const x Int) (declare-const y Int) (assert (> x 1)) (assert (> y 1))"
      "(assert (= (* x y) 1000000016000000063))";
  Session session(Limits{0, 20'000});
  for (int run = 0; run < 2; ++run) {
    auto r = session.check_smtlib(factoring);
    CHECK(r.status == SolveStatus::kUnknown);
    CHECK(r.reason == "max. resource limit exceeded");
  }
  // The limit is per query, not per session: an easy query afterwards still succeeds.
  CHECK(session.check_smtlib("(declare-const x Int) (assert (= (* x x) 49))").status == SolveStatus::kSat);
  session.set_limits(Limits{0, 0});
  CHECK(session.limits().rlimit == 0);
}

TEST_CASE("a wall-clock timeout is accepted as a parameter", "[solver][session]") {
  Session session(Limits{60'000, 0});
  CHECK(session.check_smtlib("(declare-const x Int) (assert (= (* 3 x) 12))").status == SolveStatus::kSat);
  CHECK(session.limits().timeout_ms == 60'000);
}

// The private Z3 side is for solver/*.cpp; its tests may look at it.
#include "solver/detail/session_impl.hpp"

TEST_CASE("optimization runs under the same limits and boundary", "[solver][session]") {
  Session session;
  auto& z = session.impl();
  z3::optimize opt(z.ctx);
  z.configure(opt);
  z3::expr x = z.ctx.int_const("x"), y = z.ctx.int_const("y");
  opt.add(x + y <= 10 && x >= 0 && y >= 0 && x - y <= 4);
  z3::optimize::handle h = opt.maximize(x);
  REQUIRE(z.check(opt).status == SolveStatus::kSat);
  CHECK(opt.upper(h).get_numeral_int64() == 7);
  CHECK(session.queries() == 1);

  Session tight(Limits{0, 1});
  auto& t = tight.impl();
  z3::optimize hard(t.ctx);
  t.configure(hard);
  z3::expr a = t.ctx.int_const("a"), b = t.ctx.int_const("b");
  hard.add(a > 1 && b > 1 && a * b == t.ctx.int_val("1000000016000000063"));
  hard.maximize(a);
  auto r = t.check(hard);
  CHECK(r.status == SolveStatus::kUnknown);
  CHECK_FALSE(r.reason.empty());
  CHECK(tight.unknowns() == 1);
}
