// The PLD accountant of a Composition: the per-part PLDs, their composition (with the exact
// shortcuts for Gaussians and for lattice losses) and ε at δ.
#include <algorithm>
#include <cmath>

#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp::detail {

namespace {

// Memory and time guard of the PLD grid: 2^19 bins is ~0.15 s a query in Release and a few
// seconds under ASan (the reference cases need at most ~420k); beyond it the grid is coarsened,
// still sound (an ε of 214 at grid 1e-4 took 2 s).
constexpr double kMaxPldBins = 1 << 19;

struct PartPlds {
  pld::Pld remove, add;
  bool symmetric = true;
  bool available = true;
};

PartPlds part_pld(const Mechanism& m, const PldOptions& o) {
  PartPlds p;
  const double h = o.discretization, tail = o.tail_mass;
  switch (m.kind) {
    case MechanismKind::kLaplace: p.remove = pld::laplace(m.epsilon, h); break;
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential: p.remove = pld::pure(m.epsilon, h); break;
    case MechanismKind::kDeclared: p.remove = pld::declared(m.epsilon, m.delta, h); break;
    case MechanismKind::kGaussian: p.remove = pld::gaussian(m.noise_multiplier, h, tail); break;
    case MechanismKind::kRandomizedResponse: p.remove = pld::randomized_response(m.keep, m.values, h); break;
    case MechanismKind::kZcdp: p.available = false; break;
    case MechanismKind::kDiscreteGaussian: p.remove = pld::discrete_gaussian(m.sigma, m.shift, h, tail); break;
    case MechanismKind::kSubsampledGaussian:
      if (m.neighbouring == Neighbouring::kReplace || m.sampling_rate >= 1) {
        const double z = m.neighbouring == Neighbouring::kReplace ? m.noise_multiplier / 2 : m.noise_multiplier;
        p.remove = pld::gaussian(z, h, tail);
      } else {
        p.remove = pld::subsampled_gaussian(m.noise_multiplier, m.sampling_rate, true, h, tail);
        p.add = pld::subsampled_gaussian(m.noise_multiplier, m.sampling_rate, false, h, tail);
        p.symmetric = false;
      }
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
    if (hi > 1e6) return kInf;
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
  if (m.kind == MechanismKind::kSubsampledGaussian) {
    if (m.neighbouring == Neighbouring::kReplace) return m.noise_multiplier / 2;
    if (m.sampling_rate >= 1) return m.noise_multiplier;
  }
  return 0;
}


namespace {

/// ε of the two loss atoms ±ε of a lattice mechanism (its PLD has atoms only at 0, ±ε, +∞).
double lattice_epsilon(const Mechanism& m) {
  switch (m.kind) {
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential:
    case MechanismKind::kDeclared: return m.epsilon;
    case MechanismKind::kRandomizedResponse: {
      const double r = (1 - m.keep) / static_cast<double>(m.values - 1);
      return std::log(m.keep) - std::log(r);  // as pld::randomized_response computes it
    }
    default: return 0;
  }
}

}  // namespace

const PldCache* pld_cache_for(const std::vector<Mechanism>& parts, const PldOptions& o,
                              std::shared_ptr<PldCache>& cache) {
  if (cache && cache->h == o.discretization && cache->tail == o.tail_mass) return cache.get();
  auto c = std::make_shared<PldCache>();
  c->h = o.discretization;
  c->tail = o.tail_mass;
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
  double grid = o.discretization;
  double common = -1;
  for (const auto& m : rest) {
    const double e = lattice_epsilon(m);
    if (e <= 0 || (common >= 0 && e != common)) {
      common = 0;
      break;
    }
    common = e;
  }
  if (common > 0) grid = common, c->lattice = true;
  PldOptions eff = o;
  for (int attempt = 0; attempt < 12; ++attempt) {
    eff.discretization = grid;
    std::vector<PartPlds> plds;
    plds.reserve(rest.size());
    for (const auto& m : rest) plds.push_back(part_pld(m, eff));
    // A part whose loss range no grid holds (pld::discretize put all its mass at +inf, e.g.
    // laplace epsilon 1e300) has no finite PLD to compose: leave it to RDP.
    for (const auto& p : plds)
      if (p.remove.inf_mass >= 1 || (!p.symmetric && p.add.inf_mass >= 1)) {
        c->available = false;
        return (cache = c).get();
      }
    std::vector<std::pair<const pld::Pld*, std::uint64_t>> rem, add;
    bool any_asym = false;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      rem.push_back({&plds[i].remove, rest[i].times});
      add.push_back({plds[i].symmetric ? &plds[i].remove : &plds[i].add, rest[i].times});
      any_asym = any_asym || !plds[i].symmetric;
    }
    // Memory guard: a coarser grid is still sound, only less tight.
    const double bins = std::max(pld::composed_bins(rem, o.tail_mass), any_asym ? pld::composed_bins(add, o.tail_mass) : 0.0);
    if (bins > kMaxPldBins) {
      if (attempt == 11) {  // cannot fit: leave it to RDP rather than exhaust memory
        c->available = false;
        return (cache = c).get();
      }
      grid *= bins / kMaxPldBins * 1.05;
      c->coarsened = true;
      continue;
    }
    if (any_asym) {
      auto both = pld::compose_pair(rem, add, o.tail_mass);
      c->remove = std::move(both.first);
      c->add = std::move(both.second);
    } else {
      c->remove = pld::compose(rem, o.tail_mass);
      c->add = c->remove;
    }
    break;
  }
  c->grid = grid;
  return (cache = c).get();
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
  const double e = std::max(c.remove.epsilon(delta), c.add.epsilon(delta));
  if (std::isinf(e)) return infinite_result(delta, Accountant::kPld, "pld: delta is below the mass of infinite loss");
  EpsilonResult r;
  r.value = e;
  r.delta = delta;
  r.accountant = Accountant::kPld;
  r.discretization = c.grid;
  r.tail_mass = std::max(c.remove.inf_mass, c.add.inf_mass);
  r.how = "pld, loss grid " + format_general(c.grid) + (c.coarsened ? " (coarsened: huge range)" : c.lattice ? " (the losses' lattice: exact)" : "") +
          ", tail mass " + format_general(r.tail_mass, 3) + " counted in delta";
  return r;
}

}  // namespace privflow::dp::detail
