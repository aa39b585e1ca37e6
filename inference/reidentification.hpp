#pragma once
// Re-identification risk from quasi-identifiers: how many records are unique on the cells
// an adversary sees in the clear. Cells are grouped by equal probability so that 10^10
// cells cost what a handful of groups do; powers are computed as exp((N−1)·log1p(−p)) in
// MPFR with directed rounding, never as floating-point pow.
#include <cstdint>
#include <vector>

#include "base/rational.hpp"
#include "inference/bayes_net.hpp"
#include "inference/result.hpp"

namespace privflow::inference {

/// `count` cells, each of probability `probability` (exact).
struct CellGroup {
  Rational probability;
  mpz_class count;
};

/// Groups of the cells of independent fields (the product of their priors), merged by equal
/// probability, ascending by probability, zero-probability cells dropped. Fails when more than
/// `max_groups` distinct probabilities would arise.
Result<std::vector<CellGroup>> cell_groups_independent(const std::vector<Distribution>& fields,
                                                       std::uint64_t max_groups = 1'000'000);
/// The same from each field's own groups (so a uniform field of 10^9 values is one group,
/// never a vector of 10^9 probabilities).
Result<std::vector<CellGroup>> cell_groups_product(const std::vector<std::vector<CellGroup>>& fields,
                                                   std::uint64_t max_groups = 1'000'000);
/// The single group of a uniform field of k values: {1/k, k}.
std::vector<CellGroup> uniform_groups(std::uint64_t k);
/// Groups of an exact joint distribution's cells (for correlated fields).
std::vector<CellGroup> cell_groups(const Joint& joint);
/// Groups of one distribution's cells.
std::vector<CellGroup> cell_groups(const Distribution& distribution);

/// Cell groups of the quasi-identifier `fields` of a record, from the network's priors.
/// Fields whose ancestries (themselves and their `given` ancestors) are disjoint are
/// independent (d-separated) and multiply as groups, so a uniform field of 10^9 values stays
/// one group; fields that share an ancestor are enumerated through their exact joint (within
/// `max_cells`). Fails on an invalid network or above the limits.
Result<std::vector<CellGroup>> quasi_identifier_groups(const BayesNet& net, const std::vector<FieldId>& fields,
                                                       std::uint64_t max_cells = kDefaultMaxCells,
                                                       std::uint64_t max_groups = 1'000'000);

struct Reidentification {
  /// Expected fraction of the `rows` records that are unique on the cells:
  /// Σ_c p_c (1 − p_c)^(rows − 1) (records drawn independently from the cells' distribution;
  /// cf. Sweeney 2002, Rocher et al. 2019). An UPPER bound (MPFR, rounded up); exact when
  /// rows <= 2.
  Rational unique_fraction;
  /// Prosecutor risk: 1 / the smallest expected cell size rows·p_min, capped at 1 (El Emam &
  /// Dankar 2008). Exact.
  Rational prosecutor_risk;
};

/// Re-identification measures for `rows` records over the cell groups. Fails when the groups'
/// probabilities do not sum to exactly 1.
Result<Reidentification> reidentification(const std::vector<CellGroup>& groups, std::uint64_t rows);

}  // namespace privflow::inference
