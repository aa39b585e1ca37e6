#include "solver/optimize.hpp"

#include "solver/detail/session_impl.hpp"

namespace privflow::solver {
namespace {

z3::expr real(z3::context& ctx, const Rational& q) {
  Rational c = q;
  c.canonicalize();
  return ctx.real_val(c.get_str().c_str());
}

/// A model's numeral as an exact rational (Z3 prints reals as `(/ 11.0 10.0)`: never parse that).
Rational numeral(const z3::expr& e) {
  std::string num = e.numerator().get_decimal_string(0);
  std::string den = e.denominator().get_decimal_string(0);
  Rational q(num + "/" + den);
  q.canonicalize();
  return q;
}

}  // namespace

LinearSolution maximize_linear(Session& session, const LinearProgram& lp) {
  LinearSolution out;
  auto& z = session.impl();
  try {
    z3::optimize opt(z.ctx);
    z.configure(opt);
    std::vector<z3::expr> x;
    for (std::size_t i = 0; i < lp.variables.size(); ++i) {
      std::string name = "x";  // appended: gcc 12 -O3 warns (-Wrestrict, falsely) on "x" + string
      name += std::to_string(i);
      x.push_back(z.ctx.real_const(name.c_str()));
      opt.add(x[i] >= real(z.ctx, lp.variables[i].lo));
      opt.add(x[i] <= real(z.ctx, lp.variables[i].hi));
    }
    for (const auto& c : lp.constraints) {
      z3::expr sum = z.ctx.real_val(0);
      for (std::size_t i = 0; i < x.size() && i < c.coeff.size(); ++i) sum = sum + real(z.ctx, c.coeff[i]) * x[i];
      opt.add(sum <= real(z.ctx, c.rhs));
    }
    z3::expr objective = z.ctx.real_val(0);
    for (std::size_t i = 0; i < x.size(); ++i) objective = objective + real(z.ctx, lp.variables[i].weight) * x[i];
    opt.maximize(objective);
    out.result = z.check(opt);
    if (out.result.status != SolveStatus::kSat) return out;
    z3::model m = opt.get_model();
    for (const auto& v : x) {
      z3::expr val = m.eval(v, true);
      if (!val.is_numeral()) {
        out.result = {SolveStatus::kUnknown, "the optimum is not a rational numeral"};
        out.values.clear();
        return out;
      }
      out.values.push_back(numeral(val));
    }
  } catch (const z3::exception& e) {
    out.result = {SolveStatus::kUnknown, detail::first_line(e.msg())};
    out.values.clear();
  }
  return out;
}

}  // namespace privflow::solver
