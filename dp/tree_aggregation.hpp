#pragma once
// DP-FTRL's noise: the L2 sensitivity of the linear map a record's clipped gradients go through
// before Gaussian noise is added (tree aggregation, banded Toeplitz matrix factorisation). The
// release is then the Gaussian mechanism of that sensitivity: with noise multiplier z (noise
// standard deviation over the clipping norm) it is μ-GDP with μ = sensitivity / z, which
// Mechanism::gaussian(z / sensitivity) accounts exactly (dp/closed_form.cpp) and by RDP.
//
// Sensitivities are in units of the clipping norm under "replace with the zero-gradient record"
// (Kairouz et al. 2021, Sec. 2: dp_accounting's NeighboringRelation.REPLACE_SPECIAL); replacing
// one real record by another doubles them. Results are exact (rationals); callers round the
// noise multiplier z / sensitivity down.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/rational.hpp"

namespace privflow::dp {

/// The tree nodes one leaf (one step's gradient) enters in a tree over `steps` leaves, the
/// most over all leaves: the dyadic nodes of the levels whose nodes fit in the tree. Online
/// tree aggregation releases a node once its 2^h leaves are in, so the levels 0 … ⌊log2 T⌋
/// (⌊log2 T⌋ + 1 = ⌈log2 (T + 1)⌉ nodes, the depth dp_accounting's
/// _compute_rdp_single_epoch_tree_aggregation uses); with the tree completion trick the tree
/// is padded to 2^⌈log2 T⌉ leaves and the root is released too: ⌈log2 T⌉ + 1 nodes
/// (Kairouz et al. 2021, "Practical and Private (Deep) Learning without Sampling or
/// Shuffling", Sec. 4 and App. D). `steps` ≥ 1.
std::uint64_t tree_nodes_per_leaf(std::uint64_t steps, bool completion);

/// The squared sensitivity of `trees` trees (restarts: one per epoch) of `steps` leaves each, a
/// record in at most one leaf per tree: each tree is an independent Gaussian release, so the
/// squares add (Gaussian composition: μ² = Σ μ_i², Dong, Roth & Su 2019, Cor. 3.3).
Rational tree_sensitivity_squared(std::uint64_t steps, std::uint64_t trees, bool completion);

/// A lower-triangular banded Toeplitz strategy C of a matrix mechanism over `steps` steps:
/// C[i][j] = coefficients[i − j] for 0 ≤ i − j < bands (= coefficients.size()), else 0.
/// A record takes part in at most `participations` steps, any two at least `min_separation`
/// apart (the (k, b)-participation of Choquette-Choo et al. 2023).
struct BandedToeplitz {
  std::vector<Rational> coefficients;
  std::uint64_t steps = 1;
  std::uint64_t participations = 1;
  std::uint64_t min_separation = 1;
};

/// The squared sensitivity max over participation patterns π of ‖C·1_π‖² of a banded Toeplitz
/// strategy, exactly, when bands ≤ min_separation: then the columns of a pattern have disjoint
/// rows, ‖Σ_{j∈π} C_j g_j‖² = Σ_{j∈π} ‖C_j‖² ‖g_j‖² whatever the gradients' directions
/// (Choquette-Choo et al. 2023, "(Amplified) Banded Matrix Factorization", Thm 2), and the
/// column norms fall with j (a late column is cut off by the last step), so the pattern
/// 0, b, 2b, … is the largest. `error` says why not (bands above the separation, bad sizes).
std::optional<Rational> banded_toeplitz_sensitivity_squared(const BandedToeplitz& strategy, std::string* error = nullptr);

/// The noise multiplier of the equivalent unit-sensitivity Gaussian, z / √(sensitivity²),
/// rounded down (the smaller noise: the larger loss).
double effective_noise_multiplier(const Rational& z, const Rational& sensitivity_squared);

}  // namespace privflow::dp
