#pragma once
// Linear optimisation over exact rationals with Z3 `optimize` (issue #6 part 2: budget
// allocation among pure-ε params, whose compositions are sums: Dwork & Roth 2014, Thm 3.16).
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "solver/session.hpp"

namespace privflow::solver {

/// maximise Σ weight_i · x_i subject to lo_i ≤ x_i ≤ hi_i and Σ_j coeff_j · x_j ≤ rhs for
/// every constraint. All numbers exact.
struct LinearProgram {
  struct Variable {
    std::string name;
    Rational lo, hi;
    Rational weight;
  };
  struct Constraint {
    std::vector<Rational> coeff;  // one per variable
    Rational rhs;
  };
  std::vector<Variable> variables;
  std::vector<Constraint> constraints;
};

struct LinearSolution {
  /// kSat: `values` is an optimum; kUnsat: no point meets the constraints; kUnknown: a limit
  /// or a Z3 failure (reason set).
  SolveResult result;
  std::vector<Rational> values;
};

/// Solves `lp` exactly under the session's limits.
LinearSolution maximize_linear(Session& session, const LinearProgram& lp);

}  // namespace privflow::solver
