#pragma once
// Internal to solver/ (not installed): the Z3 encoding of a `map` expression over mathematical
// integers (solver/encoder.cpp). Ints and enums are Int terms, bools are Bool terms.
#include <z3++.h>

#include <vector>

#include "flow/graph.hpp"
#include "solver/detail/expression.hpp"

namespace privflow::solver::detail {

class Encoder {
 public:
  /// One Int variable per read field (`fields`, ascending), its position in `fields`.
  Encoder(z3::context& ctx, const flow::Data& data, const std::vector<flow::Id>& fields);

  z3::expr var(std::size_t position) const { return vars_[static_cast<int>(position)]; }

  /// The expression as an Int term (bools as 0/1).
  z3::expr as_int(const Expr& e) { return to_int(encode(e)); }

  /// A Bool term: some `/` or `%` on a path taken under `path` has a zero divisor.
  z3::expr division_by_zero(const Expr& e, const z3::expr& path);

 private:
  static constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);

  z3::expr any(const z3::expr& a, const z3::expr& b);
  z3::expr to_int(const z3::expr& e) { return e.is_bool() ? z3::ite(e, ctx_.int_val(1), ctx_.int_val(0)) : e; }
  z3::expr to_bool(const z3::expr& e) { return e.is_bool() ? e : e != 0; }
  /// floor(a / b): SMT-LIB `div` is Euclidean, equal to floor for b > 0.
  z3::expr floor_div(const z3::expr& a, const z3::expr& b, const Expr& divisor);
  z3::expr encode(const Expr& e);

  z3::context& ctx_;
  const flow::Data& data_;
  z3::expr_vector vars_;
  std::vector<std::size_t> slot_;
};

/// Bounds every variable of `enc` to its range in `box`.
void add_box(z3::solver& s, const Encoder& enc, const Box& box);

}  // namespace privflow::solver::detail
