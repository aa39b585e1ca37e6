#pragma once
// Internal to solver/ (not installed): the steps of count_map (solver/map_count.hpp) shared by
// its enumeration path (solver/map_count.cpp) and its solver path (solver/map_count_solver.cpp).
#include <gmpxx.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "solver/detail/expression.hpp"
#include "solver/detail/session_impl.hpp"
#include "solver/map_count.hpp"

namespace privflow::solver::detail {

/// The read fields of an expression, their radices, the number of tuples and the whole box.
struct ReadDomain {
  std::vector<flow::Id> fields;
  std::vector<std::uint64_t> radix;
  mpz_class tuples = 1;
  Box box;
};
ReadDomain read_domain(const flow::Data& data, const Expr& expr);

/// A record of `data` with the read `fields` set to `values` (the others 0).
std::vector<std::int64_t> record_of(const flow::Data& data, const std::vector<flow::Id>& fields,
                                    const std::vector<std::int64_t>& values);

/// Z3 search for a reachable division by zero over the whole domain.
DivisionCheck solver_division_check(SessionImpl& session, const flow::Data& data, const Expr& expr,
                                    const ReadDomain& domain);

/// `m` with status kUndecided and `reason`, and no classes.
MapCount undecided(MapCount m, std::string reason);

/// The classes of `totals` (output value -> preimage), ascending by value.
void fill_classes(MapCount& m, const flow::Data& data, const Expr& expr,
                  const std::map<mpz_class, mpz_class>& totals);

/// The count of an additive map (AdditiveForm) by convolving its terms; nullopt when it has no
/// additive form, a term or a score divides by zero, or the scores pass the limits.
std::optional<MapCount> count_additive(const flow::Data& data, const Expr& expr, MapCount m, const MapLimits& limits);

/// The solver path of count_map: periodic reduction, then boxes proved constant or enumerated.
MapCount count_by_solver(SessionImpl& session, const flow::Data& data, const Expr& expr, MapCount m,
                         const ReadDomain& domain, const MapLimits& limits);

}  // namespace privflow::solver::detail
