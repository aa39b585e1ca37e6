// The PLD accountant of a Composition: the per-part PLDs, their composition (with the exact
// shortcuts for Gaussians and for lattice losses) and ε at δ.
#include <algorithm>
#include <cmath>
#include <string>

#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp::detail {

namespace {

// Memory and time guard of the PLD grid: 2^19 bins is ~0.15 s a query in Release and a few
// seconds under ASan (the reference cases need at most ~420k); beyond it the grid is coarsened,
// still sound (an ε of 214 at grid 1e-4 took 2 s).
constexpr double kMaxPldBins = 1 << 19;
// The adaptive refinement stops before a grid of more points than this (~0.05 s a level): the
// DP-SGD cases of tests/dp/data reach the 0.1 % bracket below it, and a calibration asks many.
constexpr double kAdaptiveBins = 1 << 17;

struct PartPlds {
  pld::Pld remove, add;
  bool symmetric = true;
  bool available = true;
};

/// The noise multiplier of one DP-SGD step relative to the sensitivity its pair is written
/// for (the clip norm): fixed-size batches move the batch's sum by up to 2 clip norms when a
/// drawn record is swapped for another (see subsampled_gaussian_rdp, dp/rdp_composition.cpp).
double step_noise(const Mechanism& m) {
  return m.sampling == Sampling::kFixedSize ? m.noise_multiplier / 2 : m.noise_multiplier;
}

/// One DP-SGD step's PLDs. A whole batch (q = 1) is a Gaussian: sensitivity 1 under Poisson
/// add/remove, else 2. Replace-one: the symmetric substitution pair; below z = 0.05 its loss
/// range overflows the inverse's logarithms, and the Gaussian with sensitivity 2, which
/// dominates it (joint convexity), is used instead.
PartPlds subsampled_gaussian_plds(const Mechanism& m, double h, double tail, pld::Side side) {
  PartPlds p;
  const double z = step_noise(m), q = m.sampling_rate;
  const bool replace = m.neighbouring == Neighbouring::kReplace;
  if (q >= 1) {
    p.remove = pld::gaussian(replace || m.sampling == Sampling::kFixedSize ? m.noise_multiplier / 2 : z, h, tail, side);
  } else if (replace) {
    p.remove = z < 0.05 ? pld::gaussian(z / 2, h, tail, side) : pld::subsampled_gaussian_replace(z, q, h, tail, side);
  } else {
    p.remove = pld::subsampled_gaussian(z, q, true, h, tail, side);
    p.add = pld::subsampled_gaussian(z, q, false, h, tail, side);
    p.symmetric = false;
  }
  return p;
}

PartPlds part_pld(const Mechanism& m, const PldOptions& o, pld::Side side) {
  PartPlds p;
  const double h = o.discretization, tail = o.tail_mass;
  switch (m.kind) {
    case MechanismKind::kLaplace: p.remove = pld::laplace(m.epsilon, h, side); break;
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential: p.remove = pld::pure(m.epsilon, h, side); break;
    case MechanismKind::kDeclared: p.remove = pld::declared(m.epsilon, m.delta, h, side); break;
    case MechanismKind::kGaussian: p.remove = pld::gaussian(m.noise_multiplier, h, tail, side); break;
    case MechanismKind::kRandomizedResponse: p.remove = pld::randomized_response(m.keep, m.values, h, side); break;
    case MechanismKind::kZcdp: p.available = false; break;
    case MechanismKind::kDiscreteGaussian: p.remove = pld::discrete_gaussian(m.sigma, m.shift, h, tail, side); break;
    case MechanismKind::kSubsampledGaussian: p = subsampled_gaussian_plds(m, h, tail, side); break;
    case MechanismKind::kSubsampledLaplace:
      // Both directions of Zhu, Dong & Wang 2022, Thm 11 (dp/subsampled.cpp); q = 1 is Laplace.
      if (m.sampling_rate >= 1) {
        const bool replace = m.neighbouring == Neighbouring::kReplace;
        p.remove = pld::laplace(replace ? detail::up(m.inner_epsilon * (1 + m.replace_shift), 1e-15) : m.inner_epsilon,
                                h, side);
        break;
      }
      if (m.neighbouring == Neighbouring::kReplace) {
        p.remove = pld::subsampled_laplace_replace(m.inner_epsilon, m.sampling_rate, m.replace_shift, true, h, side);
        p.add = pld::subsampled_laplace_replace(m.inner_epsilon, m.sampling_rate, m.replace_shift, false, h, side);
        p.symmetric = false;
        break;
      }
      p.remove = pld::subsampled_laplace(m.inner_epsilon, m.sampling_rate, true, h, side);
      p.add = pld::subsampled_laplace(m.inner_epsilon, m.sampling_rate, false, h, side);
      p.symmetric = false;
      break;
    case MechanismKind::kSubsampledRandomizedResponse:
      p.remove = pld::subsampled_randomized_response(m.keep, m.values, m.sampling_rate, h, side);
      break;
  }
  return p;
}

}  // namespace

/// δ(ε) of the Gaussian mechanism with noise multiplier z, exactly (Balle & Wang 2018, Thm 8):
/// Φ(−εz + 1/(2z)) − e^ε Φ(−εz − 1/(2z)); rounded up.
double gaussian_delta(double z, double eps) {
  const double r = 0.70710678118654752440;
  const double a = -eps * z + 0.5 / z, b = -eps * z - 0.5 / z;
  const double d = 0.5 * std::erfc(-a * r) - std::exp(eps + std::log(0.5 * std::erfc(-b * r)));
  return std::clamp(d * (1 + 1e-9) + 1e-300, 0.0, 1.0);
}


namespace {

/// Smallest ε ≥ 0 with gaussian_delta(z, ε) ≤ δ, by bisection; the returned end satisfies it.
double gaussian_epsilon(double z, double delta) {
  if (gaussian_delta(z, 0) <= delta) return 0;
  double lo = 0, hi = 1;
  while (gaussian_delta(z, hi) > delta) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return kInf;  // a huge ε (σ 1e-5: 5e9) is still finite
  }
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (gaussian_delta(z, mid) <= delta) hi = mid;
    else lo = mid;
  }
  return detail::up(hi, 1e-12);
}


}  // namespace

/// The per-use noise multiplier when `m` is exactly a Gaussian mechanism, else 0.
double gaussian_equivalent(const Mechanism& m) {
  if (m.kind == MechanismKind::kGaussian) return m.noise_multiplier;
  if (m.kind == MechanismKind::kSubsampledGaussian && m.sampling_rate >= 1)
    return m.neighbouring == Neighbouring::kAddRemove && m.sampling == Sampling::kPoisson ? m.noise_multiplier
                                                                                         : m.noise_multiplier / 2;
  return 0;
}


namespace {

/// ε of the two loss atoms ±ε of a lattice mechanism (its PLD has atoms only at 0, ±ε, +∞).
double lattice_epsilon(const Mechanism& m) {
  switch (m.kind) {
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential:
    case MechanismKind::kDeclared: return m.epsilon;
    case MechanismKind::kRandomizedResponse:
    case MechanismKind::kSubsampledRandomizedResponse: {  // its absent report is at loss 0
      const double r = (1 - m.keep) / static_cast<double>(m.values - 1);
      return std::log(m.keep) - std::log(r);  // as pld::randomized_response computes it
    }
    default: return 0;
  }
}

}  // namespace

namespace {

/// A composition of `rest` on one grid, both directions.
struct Level {
  pld::Composed remove, add;  // add: only when the parts are asymmetric (see add_side)
  bool symmetric = true;
  double grid = 0;
  bool coarsened = false;
  bool ok = true;  // false: no grid within the memory guard holds it (or a part's range)
};

/// Composes `rest` on grid h (coarsened by the memory guard when the composed range needs more
/// than kMaxPldBins points; `fixed_grid`: never, the lattice grid is exact). `part_tail`: the
/// truncation of each part; `tail`: of the composition (per side).
Level compose_level(const std::vector<Mechanism>& rest, double h, double part_tail, double tail, pld::Side side,
                    bool fixed_grid = false, pld::Precision precision = pld::Precision::kDouble) {
  Level out;
  PldOptions eff;
  eff.tail_mass = part_tail;
  double grid = h;
  for (int attempt = 0; attempt < 12; ++attempt) {
    eff.discretization = grid;
    std::vector<PartPlds> plds;
    plds.reserve(rest.size());
    for (const auto& m : rest) plds.push_back(part_pld(m, eff, side));
    // A part whose loss range no grid holds (pld::discretize put all its mass at +inf, e.g.
    // laplace epsilon 1e300) has no finite PLD to compose: leave it to RDP.
    for (const auto& p : plds)
      if (p.remove.inf_mass >= 1 || (!p.symmetric && p.add.inf_mass >= 1)) {
        out.ok = false;
        return out;
      }
    std::vector<std::pair<const pld::Pld*, std::uint64_t>> rem, add;
    bool any_asym = false;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      rem.push_back({&plds[i].remove, rest[i].times});
      add.push_back({plds[i].symmetric ? &plds[i].remove : &plds[i].add, rest[i].times});
      any_asym = any_asym || !plds[i].symmetric;
    }
    // Memory guard: a coarser grid is still sound, only less tight.
    const double bins = std::max(pld::composed_bins(rem, tail), any_asym ? pld::composed_bins(add, tail) : 0.0);
    if (bins > kMaxPldBins && !fixed_grid) {
      if (attempt == 11) break;  // cannot fit: leave it to RDP rather than exhaust memory
      grid *= bins / kMaxPldBins * 1.05;
      out.coarsened = true;
      continue;
    }
    const bool optimistic = side == pld::Side::kOptimistic;
    if (any_asym) {
      auto both = pld::compose_pair(rem, add, tail, optimistic, precision);
      out.remove = std::move(both.first);
      out.add = std::move(both.second);
      out.symmetric = false;
    } else {
      out.remove = pld::compose(rem, tail, optimistic, precision);
    }
    out.grid = grid;
    return out;
  }
  out.ok = false;
  return out;
}

/// The add direction's composition: the remove one for symmetric parts (not copied: a copy of
/// its arrays cost page faults at every level).
const pld::Composed& add_side(const Level& l) { return l.symmetric ? l.remove : l.add; }

double level_epsilon(const Level& l, double delta) { return std::max(l.remove.epsilon(delta), add_side(l).epsilon(delta)); }

EpsilonResult grid_result(double eps, double delta, double grid, double tail_mass, const std::string& grid_words) {
  if (std::isinf(eps)) return infinite_result(delta, Accountant::kPld, "pld: delta is below the mass of infinite loss");
  EpsilonResult r;
  r.value = eps;
  r.delta = delta;
  r.accountant = Accountant::kPld;
  r.discretization = grid;
  r.tail_mass = tail_mass;
  r.how = "pld, loss grid " + format_general(grid) + grid_words + ", tail mass " + format_general(tail_mass, 3) +
          " counted in delta";
  return r;
}

/// The composed tail (per side) for a question at δ: at most the option's, and so far below
/// δ·tolerance that it moves ε by much less than the tolerance; a power of 2 so that nearby
/// δ share it.
double tail_for(double delta, const PldCache& c) {
  const double want = delta * c.tolerance * 1e-3;
  if (!(want > 0)) return c.tail;
  return std::min(c.tail, std::max(std::exp2(std::floor(std::log2(want))), 1e-300));
}

double total_times(const std::vector<Mechanism>& rest) {
  double t = 0;
  for (const auto& m : rest) t += static_cast<double>(m.times);
  return std::max(t, 1.0);
}

/// True when the round-off bound (counted in δ) moves ε at δ by more than a quarter of the
/// tolerance: ε at δ against ε at δ + round-off (the same grid without that charge).
bool round_off_matters(const Level& l, double delta, double tolerance) {
  const double roundoff = std::max(l.remove.roundoff, add_side(l).roundoff);
  const double with = level_epsilon(l, delta), without = level_epsilon(l, delta + roundoff);
  return std::isinf(with) || with - without > 0.25 * tolerance * with;
}

/// ε at δ coarse to fine. Each level composes the pessimistic (connect-the-dots) and the
/// optimistic (post-processed) PLDs on one grid: their ε at δ bracket the true ε (Doroshenko
/// et al. 2022; dp/pld.hpp, Side). The next grid step follows the bracket: both errors are of
/// second order in h, so the width w(h) ≈ c·h² and h·√(tolerance·ε / w) reaches the
/// tolerance; a floor-limited answer (ε a few grid steps) jumps to ε/1000 at once. The answer
/// is the smallest upper end met (each one a sound bound).
EpsilonResult adaptive_epsilon(const PldCache& c, double delta) {
  const double tail = tail_for(delta, c);
  const double part_tail = std::max(tail / total_times(c.rest), 1e-300);
  if (c.lattice) {  // exact on its grid: only the tails and round-off to spend
    const Level l = compose_level(c.rest, c.lattice_grid, part_tail, tail, pld::Side::kPessimistic);
    if (!l.ok) return infinite_result(delta, Accountant::kPld, "pld: no grid holds this composition's range");
    return grid_result(level_epsilon(l, delta), delta, l.grid, std::max(l.remove.inf_mass, add_side(l).inf_mass),
                       l.coarsened ? " (coarsened: huge range)" : " (the losses' lattice: exact)");
  }
  double h = 1e-2;
  double upper = kInf, lower = -kInf, best_grid = 0, best_tail = 0;
  bool coarsened = false;
  pld::Precision precision = pld::Precision::kDouble;
  for (int level = 0, widen = 0; level < 16; ++level) {
    Level pess = compose_level(c.rest, h, part_tail, tail, pld::Side::kPessimistic, false, precision);
    // The round-off bound grows with the uses; where it is no longer small against δ, long
    // double forward transforms make it up to 2^11 times smaller, and where even the inverse's
    // share is too much, long double throughout (from then on; the first level is the
    // coarsest, so trying the next precision there costs little).
    while (pess.ok && precision != pld::Precision::kExtended && round_off_matters(pess, delta, c.tolerance)) {
      precision = precision == pld::Precision::kDouble ? pld::Precision::kMixed : pld::Precision::kExtended;
      pess = compose_level(c.rest, pess.grid, part_tail, tail, pld::Side::kPessimistic, true, precision);
    }
    if (!pess.ok) {  // a part's range is too wide for this grid: coarser (a few times), else give up
      if (++widen > 4 || upper < kInf) break;
      h *= 64;
      continue;
    }
    const double u = level_epsilon(pess, delta);
    if (u >= upper) break;  // finer grids no longer help: round-off (counted in δ) grows with them
    {
      upper = u;
      best_grid = pess.grid;
      best_tail = std::max(pess.remove.inf_mass, add_side(pess).inf_mass);
    }
    coarsened = pess.coarsened;
    if (upper == 0) break;  // δ(0) ≤ δ: exact
    const Level opt = compose_level(c.rest, pess.grid, part_tail, tail, pld::Side::kOptimistic, true, precision);
    if (opt.ok) lower = std::max(lower, level_epsilon(opt, delta));
    if (std::isinf(lower)) break;          // the true ε is infinite (∞-loss mass above δ)
    if (upper - lower <= c.tolerance * upper) break;
    if (pess.coarsened) break;             // no finer grid fits in memory
    const double width = upper - lower;
    double next = h * std::clamp(0.8 * std::sqrt(c.tolerance * upper / width), 1.0 / 32, 0.5);
    // A lower end at most half the upper: the grid is still far coarser than the losses (for
    // DP-SGD at q = 0.01 a step's losses are ~0.01 wide), and the width is not yet the c·h² the
    // rule above extrapolates. A quarter of the step finds that regime at a sixteenth of the
    // final level's cost (a sixteenth, as before, cost a third of it); a floor-limited answer
    // (ε a few grid steps) still jumps to ε/1000 at once.
    if (std::isfinite(upper) && !(lower > 0.5 * upper)) next = std::min(h / 4, upper / 1000);
    // Time guard: a finer grid only while the composition stays within kAdaptiveBins points
    // (the bins scale as 1/h); beyond, the answer is the best upper end so far.
    const double bins = static_cast<double>(std::max(pess.remove.pmf.size(), add_side(pess).pmf.size()));
    next = std::max(next, h * bins / kAdaptiveBins);
    if (!(next > 0) || next < h * 1e-6 || next > 0.9 * h) break;
    h = next;
  }
  // Both ends carry Composed::epsilon's absolute margin of 1e-12, so their closeness says
  // nothing about the true value where that margin is not small against the tolerance.
  const bool margin_small = 1e-12 <= 0.5 * c.tolerance * upper;
  std::string words = std::isfinite(lower) && upper - lower <= c.tolerance * upper && margin_small
                          ? " (adaptive: within " + format_general(100 * c.tolerance, 2) + " % of the true value)"
                          : coarsened ? " (adaptive, coarsened: huge range)" : " (adaptive)";
  if (!std::isfinite(upper)) return grid_result(kInf, delta, 0, 0, "");
  return grid_result(upper, delta, best_grid, best_tail, words);
}

}  // namespace

const PldCache* pld_cache_for(const std::vector<Mechanism>& parts, const PldOptions& o,
                              std::shared_ptr<PldCache>& cache) {
  if (cache && cache->h == o.discretization && cache->tail == o.tail_mass && cache->adaptive == o.adaptive &&
      cache->tolerance == o.tolerance)
    return cache.get();
  auto c = std::make_shared<PldCache>();
  c->h = o.discretization;
  c->tail = o.tail_mass;
  c->tolerance = o.tolerance > 0 ? o.tolerance : 1e-3;
  c->adaptive = o.adaptive;
  // Gaussians compose into one Gaussian: z^-2 = Σ T_i z_i^-2 (exact; Dong, Roth & Su 2019).
  double inv = 0;
  std::vector<Mechanism> rest;
  for (const auto& m : parts) {
    const double z = gaussian_equivalent(m);
    if (z > 0) inv += static_cast<double>(m.times) / (z * z);
    else rest.push_back(m);
    if (m.kind == MechanismKind::kZcdp) c->available = false;
  }
  if (!c->available) return (cache = c).get();
  if (rest.empty() && inv > 0) {
    c->analytic = true;
    c->z = std::nextafter(1 / std::sqrt(inv), 0.0);  // less noise: the safe side
    return (cache = c).get();
  }
  if (inv > 0) rest.push_back(Mechanism::gaussian(std::nextafter(1 / std::sqrt(inv), 0.0)));
  // Lattice losses (randomized response, geometric, declared …) with one common ε: a grid of
  // step ε puts every atom on a grid point, so the PLD is exact.
  double common = -1;
  for (const auto& m : rest) {
    const double e = lattice_epsilon(m);
    if (e <= 0 || (common >= 0 && e != common)) {
      common = 0;
      break;
    }
    common = e;
  }
  if (common > 0) c->lattice_grid = common, c->lattice = true;
  c->rest = std::move(rest);
  return (cache = c).get();
}

bool pld_fixed(const PldCache& c) {
  if (!c.available || c.analytic) return c.available;
  if (c.fixed_built) return c.grid > 0;
  c.fixed_built = true;
  const double h = c.lattice ? c.lattice_grid : c.h;
  Level l = compose_level(c.rest, h, c.tail, c.tail, pld::Side::kPessimistic);
  if (!l.ok) return false;  // grid stays 0: not available
  c.remove = std::move(l.remove);
  c.fixed_symmetric = l.symmetric;
  if (!l.symmetric) c.add = std::move(l.add);
  c.grid = l.grid;
  c.coarsened = l.coarsened;
  return true;
}

EpsilonResult pld_epsilon(const PldCache& c, double delta) {
  if (c.analytic) {
    EpsilonResult r;
    r.value = gaussian_epsilon(c.z, delta);
    r.infinite = std::isinf(r.value);
    r.delta = delta;
    r.accountant = Accountant::kPld;
    r.how = "pld of the composed Gaussian (noise multiplier " + format_general(c.z) + "), exact hockey-stick (Balle-Wang 2018)";
    return r;
  }
  if (c.adaptive) {
    for (const auto& [d, r] : c.answers)
      if (d == delta) return r;
    EpsilonResult r = adaptive_epsilon(c, delta);
    if (c.answers.size() >= 64) c.answers.erase(c.answers.begin());
    c.answers.emplace_back(delta, r);
    return r;
  }
  if (!pld_fixed(c)) return infinite_result(delta, Accountant::kPld, "pld: no grid holds this composition's range");
  const double e = std::max(c.remove.epsilon(delta), fixed_add(c).epsilon(delta));
  return grid_result(e, delta, c.grid, std::max(c.remove.inf_mass, fixed_add(c).inf_mass),
                     c.coarsened ? " (coarsened: huge range)" : c.lattice ? " (the losses' lattice: exact)" : "");
}

}  // namespace privflow::dp::detail
