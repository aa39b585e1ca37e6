#pragma once
// PRIVATE to solver/*.cpp: the one header that includes z3++.h. Never include it from another
// folder, nor from a public solver/ header (public headers never include z3++.h: Z3 stays in solver/).
#include <z3++.h>

#include <string>

#include "solver/session.hpp"

namespace privflow::solver::detail {

struct SessionImpl {
  /// First member, so that it is destroyed last: every expr, solver and model points into it.
  z3::context ctx;
  Limits limits;
  std::uint64_t queries = 0;
  std::uint64_t unknowns = 0;
  std::uint64_t work = 0;  // resource units spent by checks ("rlimit count" deltas)

  /// Applies the session's limits to a solver (call once after creating it, and again
  /// after set_limits).
  void configure(z3::solver& solver);
  /// solver.check() with z3::exception caught and mapped to kUnknown ("canceled" can arrive
  /// as an exception: Z3#1607, #2425). Counts the query and the resource units it spent.
  SolveResult check(z3::solver& solver);

  /// The same for optimization (worst-case searches): limits, exceptions, counting.
  void configure(z3::optimize& optimize);
  SolveResult check(z3::optimize& optimize);
};

/// Z3's context-wide "rlimit count" statistic as seen through `solver` (0 if absent).
std::uint64_t rlimit_count(z3::solver& solver);

/// The first line of a Z3 message (an unknown-parameter error lists every parameter).
std::string first_line(const std::string& text);

}  // namespace privflow::solver::detail
