#pragma once
// Internal to dp/ (not installed): the two caches of a Composition and the RDP and PLD steps
// that fill and read them (dp/rdp_composition.cpp, dp/pld_composition.cpp), used by
// dp/composition.cpp and dp/calibration.cpp.
#include <memory>
#include <string>
#include <vector>

#include "dp/accountant.hpp"
#include "dp/pld.hpp"

namespace privflow::dp::detail {

/// The composed PLD of a Composition for one choice of PldOptions. The grids are built when
/// a question needs them (the members below `rest` are filled lazily, hence mutable).
struct PldCache {
  double h = 0, tail = 0;  // the options asked for
  double tolerance = 0;
  bool adaptive = false;
  bool lattice = false;
  bool available = true;
  bool analytic = false;   // only Gaussians: the exact hockey-stick of one Gaussian
  double z = 0;            // its noise multiplier
  double lattice_grid = 0; // lattice losses: the common ε (a grid on which the PLD is exact)
  std::vector<Mechanism> rest;  // the parts composed on a grid (Gaussians merged into one)
  // The fixed grid (h, tail): δ(ε) queries, and ε queries when not adaptive (pld_fixed).
  mutable bool fixed_built = false;
  mutable double grid = 0;  // the grid used (may be exact for lattice losses, or coarser when huge)
  mutable bool coarsened = false;
  mutable pld::Composed remove, add;  // add: empty when the parts are symmetric (fixed_add)
  mutable bool fixed_symmetric = false;
  // Adaptive ε answers already given, by δ.
  mutable std::vector<std::pair<double, EpsilonResult>> answers;
};

/// The fixed grid's add direction: the remove one when the parts are symmetric (not copied: the
/// copy of its three arrays was a fifth of a replace-one DP-SGD query, issue #18 item 6).
inline const pld::Composed& fixed_add(const PldCache& c) { return c.fixed_symmetric ? c.remove : c.add; }

/// The composed RDP curve of a Composition on rdp::default_orders().
struct RdpState {
  std::vector<double> curve;
  double extra_delta = 0;  // 1 − Π(1 − δ_i)^{T_i} of declared (ε, δ) parts
  // When every part's RDP has a closed form at every order (checked against `curve`), the parts,
  // so that the conversion can search the order continuously (dp/rdp_composition.cpp).
  std::vector<Mechanism> smooth_parts;
  std::vector<Mechanism> parts;  // all of them: orders below the grid's first (rdp_composition.cpp)
};

/// x with `digits` significant digits (as printf's %g), a decimal point whatever the locale.
std::string format_general(double x, int digits = 4);
/// The answer "no finite ε", with why.
EpsilonResult infinite_result(double delta, Accountant a, std::string how);

// RDP (dp/rdp_composition.cpp).
RdpState rdp_state(const std::vector<Mechanism>& parts);
EpsilonResult rdp_epsilon(const RdpState& s, double delta);

// PLD (dp/pld_composition.cpp).
/// δ(ε) of the Gaussian mechanism with noise multiplier z, exactly, rounded up.
double gaussian_delta(double z, double eps);
/// The per-use noise multiplier when `m` is exactly a Gaussian mechanism, else 0.
double gaussian_equivalent(const Mechanism& m);
/// The composed PLD of `parts` for options `o`, from `cache` when it was built for them.
const PldCache* pld_cache_for(const std::vector<Mechanism>& parts, const PldOptions& o,
                              std::shared_ptr<PldCache>& cache);
/// ε at δ (adaptive or on the fixed grid, as the options said); +∞ when no grid holds the range.
EpsilonResult pld_epsilon(const PldCache& c, double delta);
/// An ε with P[loss > ε] ≤ delta from the PLD's δ(ε) (dp/composition.cpp): the best of
/// ε(f·δ) − log(1 − f) over a few f. An upper bound on the loss quantile of every dominated pair.
EpsilonResult pld_loss_tail(const PldCache& c, double delta);
/// Builds the fixed grid when not built yet; false when it cannot (then use RDP).
bool pld_fixed(const PldCache& c);

}  // namespace privflow::dp::detail
