// How long counting the outputs of a `map` takes, by domain size: prints a table.
// Domains 10^2 … 10^9 tuples; enumeration up to 2^20 tuples, the Z3 path above.
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "flow/graph.hpp"
#include "solver/map_count.hpp"
#include "solver/session.hpp"

namespace {

using privflow::flow::Data;
using privflow::flow::Expr;
using privflow::flow::Field;
using privflow::flow::FieldType;
using Op = Expr::Op;
namespace solver = privflow::solver;

Field int_field(const char* name, std::int64_t lo, std::int64_t hi) {
  Field f;
  f.name = name;
  f.type = FieldType::kInt;
  f.lo = lo;
  f.hi = hi;
  return f;
}

Expr lit(std::int64_t v) {
  Expr e;
  e.value = v;
  return e;
}
Expr var(privflow::flow::Id id) {
  Expr e;
  e.op = Op::kField;
  e.field = id;
  return e;
}
Expr node(Op op, std::vector<Expr> children, Expr::Type type = Expr::Type::kInt) {
  Expr e;
  e.op = op;
  e.type = type;
  e.children = std::move(children);
  return e;
}

struct Workload {
  const char* name;
  int fields;  // 1: x in [0, N-1]; 2: a, b in [0, sqrt(N)-1]
  std::function<Expr(std::int64_t n)> make;
};

const char* status_text(const solver::MapCount& m) {
  switch (m.status) {
    case solver::MapStatus::kExact: return "exact";
    case solver::MapStatus::kDivisionByZero: return "div-by-zero";
    case solver::MapStatus::kUndecided: return "undecided";
  }
  return "?";
}

}  // namespace

int main() {
  const std::vector<Workload> workloads = {
      {"if x >= N/3 then 1 else 0", 1,
       [](std::int64_t n) {
         return node(Op::kIf, {node(Op::kGe, {var(0), lit(n / 3)}, Expr::Type::kBool), lit(1), lit(0)});
       }},
      {"x / (N/16)", 1, [](std::int64_t n) { return node(Op::kDiv, {var(0), lit(n / 16)}); }},
      {"x * x / (N*N/8)", 1,
       [](std::int64_t n) { return node(Op::kDiv, {node(Op::kMul, {var(0), var(0)}), lit(n * (n / 8))}); }},
      {"x - x + x % 3 (needs Z3)", 1,
       [](std::int64_t n) {
         return node(Op::kAdd, {node(Op::kSub, {var(0), var(0)}), node(Op::kMod, {var(0), lit(3)})});
       }},
      {"(a + b) / (sqrt(N)/4)", 2,
       [](std::int64_t n) {
         auto r = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
         return node(Op::kDiv, {node(Op::kAdd, {var(0), var(1)}), lit(std::max<std::int64_t>(1, r / 4))});
       }},
      {"if a < b then 1 else 0", 2,
       [](std::int64_t n) {
         return node(Op::kIf, {node(Op::kLt, {var(0), var(1)}, Expr::Type::kBool), lit(1), lit(0)});
       }},
      {"x % 7", 1, [](std::int64_t n) { return node(Op::kMod, {var(0), lit(7)}); }},
  };

  // Wall time is what a user waits; CPU time is what the machine did (the dev machine is shared).
  std::printf("%-28s %12s %-10s %-10s %7s %7s %11s %9s %9s\n", "expression", "tuples", "method", "status",
              "classes", "queries", "z3 units", "wall ms", "cpu ms");
  for (const Workload& w : workloads) {
    for (std::int64_t n = 100; n <= 1'000'000'000; n *= 10) {
      Data d;
      d.name = "bench";
      if (w.fields == 1) {
        d.fields = {int_field("x", 0, n - 1)};
      } else {
        auto r = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
        d.fields = {int_field("a", 0, r - 1), int_field("b", 0, r - 1)};
      }
      Expr e = w.make(n);
      solver::Session session;
      auto start = std::chrono::steady_clock::now();
      std::clock_t cpu_start = std::clock();
      solver::MapCount m = solver::count_map(session, d, e);
      double cpu = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      std::printf("%-28s %12s %-10s %-10s %7zu %7llu %11llu %9.1f %9.1f%s%s\n", w.name, m.tuples.get_str().c_str(),
                  m.method == solver::MapMethod::kEnumeration ? "enumerate" : "z3", status_text(m),
                  m.output_count(), static_cast<unsigned long long>(m.solver_queries),
                  static_cast<unsigned long long>(m.solver_work), ms, cpu,
                  m.reason.empty() ? "" : "  ", m.reason.c_str());
    }
  }

  // Calibration: wall time of one query that exhausts the default resource limit.
  solver::Session session;
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  auto r = session.check_smtlib(
      "(declare-const x Int) (declare-const y Int) (assert (> x 1)) (assert (> y 1))"
      "(assert (= (* x y) 1000000016000000063))");
  double cpu = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("\none query at the default rlimit (%llu): %s (%s) after %.1f ms wall, %.1f ms cpu\n",
              static_cast<unsigned long long>(session.limits().rlimit), solver::status_name(r.status),
              r.reason.c_str(), ms, cpu);
  return 0;
}
