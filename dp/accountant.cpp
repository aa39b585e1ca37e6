#include "dp/accountant.hpp"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <locale>
#include <sstream>

#include "dp/detail/numeric.hpp"
#include "dp/pld.hpp"
#include "dp/rdp.hpp"

namespace privflow::dp {

using detail::kInf;

std::string_view to_string(Accountant a) {
  switch (a) {
    case Accountant::kRdp: return "rdp";
    case Accountant::kPld: return "pld";
    case Accountant::kAuto: return "auto";
  }
  return "auto";
}

// ------------------------------------------------------------------------------------------
// Mechanism

namespace {
Mechanism pure_kind(MechanismKind k, double eps) {
  Mechanism m;
  m.kind = k;
  m.epsilon = eps;
  return m;
}
Mechanism pure_kind(MechanismKind k, const Rational& eps) {
  Mechanism m = pure_kind(k, to_double_up(eps));
  m.exact_epsilon = eps;
  return m;
}
std::string num(double x) {
  std::ostringstream o;
  o.imbue(std::locale::classic());  // a decimal point whatever the global locale
  o.precision(6);
  o << x;
  return o.str();
}
constexpr std::uint64_t kMaxTimes = 1000000000000ULL;  // 10^12
// Memory and time guard of the PLD grid: 2^19 bins is ~0.15 s a query in Release and a few
// seconds under ASan (the reference cases need at most ~420k); beyond it the grid is coarsened,
// still sound (an ε of 214 at grid 1e-4 took 2 s).
constexpr double kMaxPldBins = 1 << 19;
}  // namespace

Mechanism Mechanism::laplace(double e) { return pure_kind(MechanismKind::kLaplace, e); }
Mechanism Mechanism::laplace(const Rational& e) { return pure_kind(MechanismKind::kLaplace, e); }
Mechanism Mechanism::laplace_scale(double scale, double sensitivity) {
  // ε = s/b, rounded up.
  double e = sensitivity / scale;
  return pure_kind(MechanismKind::kLaplace, std::isfinite(e) ? std::nextafter(e, kInf) : e);
}
Mechanism Mechanism::geometric(double e) { return pure_kind(MechanismKind::kGeometric, e); }
Mechanism Mechanism::geometric(const Rational& e) { return pure_kind(MechanismKind::kGeometric, e); }
Mechanism Mechanism::exponential(double e) { return pure_kind(MechanismKind::kExponential, e); }
Mechanism Mechanism::exponential(const Rational& e) { return pure_kind(MechanismKind::kExponential, e); }
Mechanism Mechanism::gaussian(double z) {
  Mechanism m;
  m.kind = MechanismKind::kGaussian;
  m.noise_multiplier = z;
  return m;
}
Mechanism Mechanism::gaussian_sigma(double sigma, double sensitivity) {
  // z = σ/s rounded down (less noise = more loss: the safe side).
  double z = sigma / sensitivity;
  return gaussian(std::isfinite(z) && z > 0 ? std::nextafter(z, 0.0) : z);
}
Mechanism Mechanism::randomized_response_keep(double keep, std::uint64_t k) {
  Mechanism m;
  m.kind = MechanismKind::kRandomizedResponse;
  m.keep = keep;
  m.values = k;
  const double r = (1 - keep) / static_cast<double>(k > 1 ? k - 1 : 1);
  m.epsilon = (keep > 0 && r > 0) ? detail::up(std::log(keep) - std::log(r), 1e-14) : kInf;
  return m;
}
Mechanism Mechanism::randomized_response(double e, std::uint64_t k) {
  Mechanism m;
  m.kind = MechanismKind::kRandomizedResponse;
  m.epsilon = e;
  m.values = k;
  // keep = e^ε/(e^ε + k − 1), rounded up (a larger keep leaks more).
  m.keep = std::nextafter(1.0 / (1.0 + static_cast<double>(k - 1) * std::exp(-e)), 1.0);
  return m;
}
Mechanism Mechanism::randomized_response(const Rational& e, std::uint64_t k) {
  Mechanism m = randomized_response(to_double_up(e), k);
  m.exact_epsilon = e;
  return m;
}
Mechanism Mechanism::subsampled_gaussian(double z, double q) {
  Mechanism m;
  m.kind = MechanismKind::kSubsampledGaussian;
  m.noise_multiplier = z;
  m.sampling_rate = q;
  return m;
}
Mechanism Mechanism::declared(double e, double d) {
  Mechanism m = pure_kind(MechanismKind::kDeclared, e);
  m.delta = d;
  return m;
}
Mechanism Mechanism::declared(const Rational& e, double d) {
  Mechanism m = pure_kind(MechanismKind::kDeclared, e);
  m.delta = d;
  return m;
}
Mechanism Mechanism::zcdp(double rho) {
  Mechanism m;
  m.kind = MechanismKind::kZcdp;
  m.rho = rho;
  return m;
}
Mechanism Mechanism::repeated(std::uint64_t t) const {
  Mechanism m = *this;
  if (t != 0 && m.times > 1000000000000000000ULL / t) m.times = 1000000000000000001ULL;
  else m.times *= t;
  return m;
}
Mechanism Mechanism::with(Neighbouring n) const {
  Mechanism m = *this;
  m.neighbouring = n;
  return m;
}

bool Mechanism::is_pure() const {
  switch (kind) {
    case MechanismKind::kLaplace:
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential:
    case MechanismKind::kRandomizedResponse: return true;
    case MechanismKind::kDeclared: return delta == 0;
    default: return false;
  }
}

std::string Mechanism::describe() const {
  std::string s;
  switch (kind) {
    case MechanismKind::kLaplace: s = "laplace(eps=" + num(epsilon) + ")"; break;
    case MechanismKind::kGeometric: s = "geometric(eps=" + num(epsilon) + ")"; break;
    case MechanismKind::kExponential: s = "exponential(eps=" + num(epsilon) + ")"; break;
    case MechanismKind::kGaussian: s = "gaussian(z=" + num(noise_multiplier) + ")"; break;
    case MechanismKind::kRandomizedResponse:
      s = "randomized_response(keep=" + num(keep) + ", k=" + std::to_string(values) + ")";
      break;
    case MechanismKind::kSubsampledGaussian:
      s = "subsampled_gaussian(z=" + num(noise_multiplier) + ", q=" + num(sampling_rate) + ")";
      break;
    case MechanismKind::kDeclared: s = "declared(eps=" + num(epsilon) + ", delta=" + num(delta) + ")"; break;
    case MechanismKind::kZcdp: s = "zcdp(rho=" + num(rho) + ")"; break;
  }
  if (times != 1) s += " x " + std::to_string(times);
  return s;
}

std::optional<std::string> validate(const Mechanism& m) {
  auto finite_nonneg = [](double x) { return std::isfinite(x) && x >= 0; };
  if (m.times < 1 || m.times > kMaxTimes) return "times must be between 1 and 10^12";
  switch (m.kind) {
    case MechanismKind::kLaplace:
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential:
      if (!finite_nonneg(m.epsilon)) return "epsilon must be finite and >= 0";
      if (m.exact_epsilon && sgn(*m.exact_epsilon) < 0) return "epsilon must be >= 0";
      return std::nullopt;
    case MechanismKind::kDeclared:
      if (!finite_nonneg(m.epsilon)) return "epsilon must be finite and >= 0";
      if (!(m.delta >= 0 && m.delta < 1)) return "delta must be in [0, 1)";
      return std::nullopt;
    case MechanismKind::kGaussian:
      if (!(std::isfinite(m.noise_multiplier) && m.noise_multiplier > 0)) return "noise multiplier (sigma/sensitivity) must be > 0 and finite";
      return std::nullopt;
    case MechanismKind::kSubsampledGaussian:
      if (!(std::isfinite(m.noise_multiplier) && m.noise_multiplier > 0)) return "noise multiplier must be > 0 and finite";
      if (!(m.sampling_rate > 0 && m.sampling_rate <= 1)) return "sampling rate must be in (0, 1]";
      return std::nullopt;
    case MechanismKind::kRandomizedResponse:
      if (m.values < 2) return "randomized response needs at least 2 values";
      if (!(m.keep > 1.0 / static_cast<double>(m.values) && m.keep < 1)) return "keep probability must be in (1/k, 1)";
      if (!finite_nonneg(m.epsilon) || m.epsilon == 0) return "epsilon must be finite and > 0";
      return std::nullopt;
    case MechanismKind::kZcdp:
      if (!finite_nonneg(m.rho)) return "rho must be finite and >= 0";
      return std::nullopt;
  }
  return "unknown mechanism";
}

// ------------------------------------------------------------------------------------------
// Per-part curves

namespace {

/// RDP curve of one use of `m` on the default orders. Declared δ is handled separately.
std::vector<double> rdp_curve(const Mechanism& m) {
  const auto& orders = rdp::default_orders();
  std::vector<double> out(orders.size());
  const bool replace = m.neighbouring == Neighbouring::kReplace;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const double a = orders[i];
    double v = kInf;
    switch (m.kind) {
      case MechanismKind::kLaplace: v = rdp::laplace(m.epsilon, a); break;
      case MechanismKind::kGeometric:  // its loss takes the two values ±ε with RR weights
      case MechanismKind::kDeclared: v = rdp::pure(m.epsilon, a); break;
      case MechanismKind::kExponential: v = rdp::exponential(m.epsilon, a); break;
      case MechanismKind::kGaussian: v = rdp::gaussian(m.noise_multiplier, a); break;
      case MechanismKind::kRandomizedResponse: v = rdp::randomized_response(m.keep, m.values, a); break;
      case MechanismKind::kZcdp: v = rdp::zcdp(m.rho, a); break;
      case MechanismKind::kSubsampledGaussian:
        // Under replace, no amplification is claimed: the Gaussian with sensitivity 2.
        v = replace ? rdp::gaussian(m.noise_multiplier / 2, a)
                    : rdp::subsampled_gaussian(m.noise_multiplier, m.sampling_rate, a);
        break;
    }
    out[i] = v;
  }
  return out;
}

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

std::string fmt_g(double x, int digits = 4) {
  std::ostringstream o;
  o.imbue(std::locale::classic());  // a decimal point whatever the global locale
  o.precision(digits);
  o << x;
  return o.str();
}

}  // namespace

namespace detail {
struct PldCache {
  double h = 0, tail = 0;  // the options asked for
  double grid = 0;         // the grid used (may be exact for lattice losses, or coarser when huge)
  bool lattice = false, coarsened = false;
  bool available = true;
  bool analytic = false;   // only Gaussians: the exact hockey-stick of one Gaussian
  double z = 0;            // its noise multiplier
  pld::Composed remove, add;
};
}  // namespace detail

namespace {

/// δ(ε) of the Gaussian mechanism with noise multiplier z, exactly (Balle & Wang 2018, Thm 8):
/// Φ(−εz + 1/(2z)) − e^ε Φ(−εz − 1/(2z)); rounded up.
double gaussian_delta(double z, double eps) {
  const double r = 0.70710678118654752440;
  const double a = -eps * z + 0.5 / z, b = -eps * z - 0.5 / z;
  const double d = 0.5 * std::erfc(-a * r) - std::exp(eps + std::log(0.5 * std::erfc(-b * r)));
  return std::clamp(d * (1 + 1e-9) + 1e-300, 0.0, 1.0);
}

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

/// The per-use noise multiplier when `m` is exactly a Gaussian mechanism, else 0.
double gaussian_equivalent(const Mechanism& m) {
  if (m.kind == MechanismKind::kGaussian) return m.noise_multiplier;
  if (m.kind == MechanismKind::kSubsampledGaussian) {
    if (m.neighbouring == Neighbouring::kReplace) return m.noise_multiplier / 2;
    if (m.sampling_rate >= 1) return m.noise_multiplier;
  }
  return 0;
}

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

Composition::Composition() = default;
Composition::~Composition() = default;
Composition::Composition(const Composition& o)
    : pld_options(o.pld_options), parts_(o.parts_), pld_cache_(o.pld_cache_), rdp_cache_(o.rdp_cache_) {}
Composition& Composition::operator=(const Composition& o) {
  pld_options = o.pld_options;
  parts_ = o.parts_;
  pld_cache_ = o.pld_cache_;
  rdp_cache_ = o.rdp_cache_;
  return *this;
}
Composition::Composition(Composition&&) noexcept = default;
Composition& Composition::operator=(Composition&&) noexcept = default;

bool Composition::add(const Mechanism& m, std::string* error) {
  if (auto e = validate(m)) {
    if (error) *error = *e;
    return false;
  }
  parts_.push_back(m);
  pld_cache_.reset();
  rdp_cache_.reset();
  return true;
}

bool Composition::all_pure() const {
  return std::all_of(parts_.begin(), parts_.end(), [](const Mechanism& m) { return m.is_pure(); });
}

std::optional<Rational> Composition::exact_pure_epsilon() const {
  Rational sum = 0;
  for (const auto& m : parts_) {
    if (!m.is_pure() || !m.exact_epsilon) return std::nullopt;
    Rational t(static_cast<double>(m.times));  // times ≤ 10^12: exact in a double
    sum += t * *m.exact_epsilon;
  }
  sum.canonicalize();
  return sum;
}

double Composition::pure_epsilon_up() const {
  if (!all_pure()) return kInf;
  if (auto q = exact_pure_epsilon()) return to_double_up(*q);
  double s = 0;
  for (const auto& m : parts_) s += static_cast<double>(m.times) * m.epsilon;
  return detail::up(s, 1e-14);
}

namespace {

}  // namespace
namespace detail {
struct RdpState {
  std::vector<double> curve;
  double extra_delta = 0;  // 1 − Π(1 − δ_i)^{T_i} of declared (ε, δ) parts
};
}  // namespace detail
namespace {
using detail::RdpState;

RdpState rdp_state(const std::vector<Mechanism>& parts) {
  RdpState s;
  s.curve.assign(rdp::default_orders().size(), 0.0);
  double log_keep = 0;
  for (const auto& m : parts) {
    const auto c = rdp_curve(m);
    for (std::size_t i = 0; i < c.size(); ++i) s.curve[i] += static_cast<double>(m.times) * c[i];
    if (m.kind == MechanismKind::kDeclared && m.delta > 0)
      log_keep += static_cast<double>(m.times) * std::log1p(-m.delta);
  }
  s.extra_delta = std::min(1.0, detail::up(-std::expm1(log_keep), 1e-12));
  return s;
}

EpsilonResult infinite_result(double delta, Accountant a, std::string how) {
  EpsilonResult r;
  r.infinite = true;
  r.value = kInf;
  r.delta = delta;
  r.accountant = a;
  r.how = std::move(how);
  return r;
}

}  // namespace

namespace {
EpsilonResult rdp_epsilon(const RdpState& s, double delta) {
  // (ε, δ_rdp) for the rest and δ_extra for declared parts: 1 − (1−δ_rdp)(1−δ_extra) ≤ δ.
  const double eff = -std::expm1(std::log1p(-delta) - std::log1p(-s.extra_delta));
  if (!(eff > 0)) return infinite_result(delta, Accountant::kRdp, "rdp: delta is not above the declared deltas");
  const auto c = rdp::to_epsilon(rdp::default_orders(), s.curve, eff);
  if (std::isinf(c.epsilon)) return infinite_result(delta, Accountant::kRdp, "rdp: no order gives a finite bound");
  EpsilonResult r;
  r.value = c.epsilon;
  r.delta = delta;
  r.accountant = Accountant::kRdp;
  r.order = c.order;
  r.how = "rdp, optimal order " + fmt_g(c.order) + " (conversion of Canonne-Kamath-Steinke 2020)";
  if (s.extra_delta > 0) r.how += ", declared delta " + fmt_g(s.extra_delta) + " set aside";
  return r;
}
}  // namespace

static const detail::PldCache* pld_cache_for(const std::vector<Mechanism>& parts, const PldOptions& o,
                                             std::shared_ptr<detail::PldCache>& cache) {
  if (cache && cache->h == o.discretization && cache->tail == o.tail_mass) return cache.get();
  auto c = std::make_shared<detail::PldCache>();
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

namespace {
EpsilonResult pld_epsilon(const detail::PldCache& c, double delta) {
  if (c.analytic) {
    EpsilonResult r;
    r.value = gaussian_epsilon(c.z, delta);
    r.infinite = std::isinf(r.value);
    r.delta = delta;
    r.accountant = Accountant::kPld;
    r.how = "pld of the composed Gaussian (noise multiplier " + fmt_g(c.z) + "), exact hockey-stick (Balle-Wang 2018)";
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
  r.how = "pld, loss grid " + fmt_g(c.grid) + (c.coarsened ? " (coarsened: huge range)" : c.lattice ? " (the losses' lattice: exact)" : "") +
          ", tail mass " + fmt_g(r.tail_mass, 3) + " counted in delta";
  return r;
}
}  // namespace

const detail::RdpState& Composition::rdp_cached() const {
  if (!rdp_cache_) rdp_cache_ = std::make_shared<detail::RdpState>(rdp_state(parts_));
  return *rdp_cache_;
}

EpsilonResult Composition::epsilon(double delta, Accountant a) const {
  if (!(delta >= 0 && delta < 1)) return infinite_result(delta, a == Accountant::kPld ? Accountant::kPld : Accountant::kRdp, "delta must be in [0, 1)");
  const Accountant shown = a == Accountant::kPld ? Accountant::kPld : Accountant::kRdp;
  if (parts_.empty()) {
    EpsilonResult r;
    r.exact = Rational(0);
    r.delta = delta;
    r.accountant = shown;
    r.how = "nothing released";
    return r;
  }
  // Basic composition (Dwork-Roth 2014, Thm 3.16) over pure and declared parts:
  // (Σ T·ε, 1 − Π(1 − δ_i)^T) — exact when every ε is rational.
  double pure = pure_epsilon_up();
  std::optional<Rational> pure_exact = exact_pure_epsilon();
  const bool basic_ok = std::all_of(parts_.begin(), parts_.end(), [](const Mechanism& m) {
    return m.is_pure() || m.kind == MechanismKind::kDeclared;
  });
  if (basic_ok && std::isinf(pure) && delta >= rdp_cached().extra_delta) {
    Rational sum = 0;
    double s = 0;
    bool exact = true;
    for (const auto& m : parts_) {
      s += static_cast<double>(m.times) * m.epsilon;
      if (m.exact_epsilon) sum += Rational(static_cast<double>(m.times)) * *m.exact_epsilon;
      else exact = false;
    }
    if (exact) {
      sum.canonicalize();
      pure_exact = sum;
      pure = to_double_up(sum);
    } else {
      pure = detail::up(s, 1e-14);
    }
  }
  auto pure_result = [&](Accountant who) {
    EpsilonResult r;
    r.value = pure;
    r.exact = pure_exact;
    r.delta = delta;
    r.accountant = who;
    r.how = "sum of epsilons (basic composition, Dwork-Roth 2014 Thm 3.16)";
    return r;
  };
  if (delta == 0) {
    if (std::isinf(pure)) return infinite_result(0, shown, "at delta 0 only pure mechanisms have a finite epsilon");
    return pure_result(shown);
  }
  std::optional<EpsilonResult> best;
  if (a == Accountant::kRdp || a == Accountant::kAuto) best = rdp_epsilon(rdp_cached(), delta);
  if (a == Accountant::kPld || a == Accountant::kAuto) {
    const auto* c = pld_cache_for(parts_, pld_options, pld_cache_);
    if (c->available) {
      EpsilonResult p = pld_epsilon(*c, delta);
      if (!best || (!p.infinite && (best->infinite || p.value < best->value))) best = p;
    } else if (!best) {
      best = rdp_epsilon(rdp_cached(), delta);
      best->how += " (the pld accountant cannot represent this composition: zCDP parts or too wide a range)";
    }
  }
  if (!std::isinf(pure) && (best->infinite || pure < best->value)) return pure_result(best->accountant);
  return *best;
}

DeltaResult Composition::delta(double epsilon, Accountant a) const {
  DeltaResult out;
  out.accountant = a == Accountant::kPld ? Accountant::kPld : Accountant::kRdp;
  if (!(epsilon >= 0) || std::isnan(epsilon)) {
    out.how = "epsilon must be >= 0";
    return out;
  }
  if (parts_.empty() || (epsilon >= pure_epsilon_up())) {
    out.value = 0;
    out.how = parts_.empty() ? "nothing released" : "sum of pure epsilons";
    return out;
  }
  double best = 1;
  const detail::PldCache* c = a == Accountant::kRdp ? nullptr : pld_cache_for(parts_, pld_options, pld_cache_);
  const bool use_pld = c && c->available;
  if (a != Accountant::kPld || !use_pld) {
    const RdpState& s = rdp_cached();
    const auto d = rdp::to_delta(rdp::default_orders(), s.curve, epsilon);
    best = std::min(1.0, d.delta + s.extra_delta - d.delta * s.extra_delta);
    out.accountant = Accountant::kRdp;
    out.how = "rdp, optimal order " + fmt_g(d.order);
    // Basic composition of pure and declared parts: δ ≤ 1 − Π(1 − δ_i)^T once ε ≥ Σ T·ε_i.
    const bool basic = std::all_of(parts_.begin(), parts_.end(), [](const Mechanism& m) {
      return m.is_pure() || m.kind == MechanismKind::kDeclared;
    });
    if (basic) {
      double sum = 0;
      for (const auto& m : parts_) sum += static_cast<double>(m.times) * m.epsilon;
      if (epsilon >= detail::up(sum, 1e-12) && s.extra_delta < best) {
        best = s.extra_delta;
        out.how = "basic composition of declared guarantees";
      }
    }
  }
  if (use_pld) {
    const double d = c->analytic ? gaussian_delta(c->z, epsilon)
                                 : std::max(c->remove.delta(epsilon), c->add.delta(epsilon));
    if (d < best || a == Accountant::kPld) {
      best = d;
      out.accountant = Accountant::kPld;
      out.how = c->analytic ? "pld, exact Gaussian" : "pld, loss grid " + fmt_g(c->grid);
    }
  }
  out.value = best;
  return out;
}

EpsilonResult Composition::loss_quantile(double delta, Accountant a) const {
  if (!(delta > 0 && delta < 1)) return infinite_result(delta, Accountant::kRdp, "delta must be in (0, 1)");
  const double pure = pure_epsilon_up();
  EpsilonResult r;
  r.delta = delta;
  r.accountant = Accountant::kRdp;
  const RdpState& s = rdp_cached();
  const double eff = delta - s.extra_delta;
  if (eff > 0) {
    const auto t = rdp::tail_epsilon(rdp::default_orders(), s.curve, eff);
    r.value = t.epsilon;
    r.order = t.order;
    r.how = "rdp tail bound, order " + fmt_g(t.order);
    if (a == Accountant::kPld) r.how += " (pld bounds delta(eps), not the loss quantile)";
  } else {
    r.value = kInf;
  }
  if (pure < r.value) {
    r.value = pure;
    r.exact = exact_pure_epsilon();
    r.how = "sum of pure epsilons: the loss never exceeds it";
  }
  // Only Gaussians: the loss is exactly N(μ, 2μ) with μ = 1/(2z²) (Balle & Wang 2018).
  double inv = 0;
  bool gaussian_only = !parts_.empty();
  for (const auto& m : parts_) {
    const double z = gaussian_equivalent(m);
    if (z > 0) inv += static_cast<double>(m.times) / (z * z);
    else gaussian_only = false;
  }
  if (gaussian_only) {
    const double mu = inv / 2;
    const double v = detail::up(mu + std::sqrt(2 * mu) * std::sqrt(2.0) * boost::math::erfc_inv(2 * delta), 1e-12);
    if (v < r.value) {
      r.value = v;
      r.order = 0;
      r.how = "exact quantile of the Gaussian privacy loss N(mu, 2mu)";
    }
  }
  r.infinite = std::isinf(r.value);
  return r;
}

double Composition::advantage(Accountant a) const {
  if (parts_.empty()) return 0;
  auto f = [&](double e) {
    const double d = delta(e, a).value;
    return std::min(1.0, (std::expm1(e) + 2 * d) / (std::exp(e) + 1));
  };
  double best = f(0);
  const double pure = pure_epsilon_up();
  if (!std::isinf(pure)) best = std::min(best, std::tanh(pure / 2));
  // Any ε gives a valid bound; scan a grid then refine around the best point.
  double best_e = 0;
  for (int i = 1; i <= 60; ++i) {
    const double e = 0.005 * std::pow(1.12, i);
    if (std::tanh(e / 2) >= best) break;
    const double v = f(e);
    if (v < best) best = v, best_e = e;
  }
  for (double step = best_e * 0.1; step > 1e-4 && best_e > 0; step *= 0.5) {
    for (double e : {best_e - step, best_e + step}) {
      if (e <= 0) continue;
      const double v = f(e);
      if (v < best) best = v, best_e = e;
    }
  }
  return std::min(1.0, detail::up(best, 1e-12));
}

// ------------------------------------------------------------------------------------------
// Amplification

std::optional<double> shuffle_epsilon_closed_form(double e0, std::uint64_t n, double delta) {
  if (!(std::isfinite(e0) && e0 >= 0) || n < 1 || !(delta > 0 && delta < 1)) return std::nullopt;
  const double dn = static_cast<double>(n);
  if (n >= 2 && e0 <= std::log(dn / (16 * std::log(2 / delta)))) {
    const double ee = std::exp(e0);  // expm1: e^ε0 − 1 of a tiny ε0 is not 0
    const double v = std::log1p(std::expm1(e0) / (ee + 1) * (8 * std::sqrt(ee * std::log(4 / delta)) / std::sqrt(dn) + 8 * ee / dn));
    return std::min(e0, detail::up(v, 1e-12));
  }
  return e0;
}

double distributed_noise_multiplier(double z, std::uint64_t honest, std::uint64_t parties) {
  if (parties == 0 || honest == 0 || !(z > 0)) return 0;
  const double v = z * std::sqrt(static_cast<double>(std::min(honest, parties)) / static_cast<double>(parties));
  return std::nextafter(v, 0.0);
}

EpsDelta group_privacy(double e, double d, std::uint64_t g) {
  const double k = static_cast<double>(g);
  EpsDelta r;
  r.epsilon = detail::up(k * e, 1e-14);
  r.delta = d == 0 ? 0 : std::min(1.0, detail::up(k * std::exp((k - 1) * e) * d, 1e-12));
  return r;
}

// ------------------------------------------------------------------------------------------
// Calibration

namespace {

/// Bisection on a parameter x in (0, ∞) where ε(x) is decreasing (noise) or increasing
/// (per-use ε), starting from a point believed good. Returns the end of the final bracket
/// that meets the target (so the answer is certified by the accountant that computed it).
template <class MakeFn>
CalibrationResult search(MakeFn make, bool decreasing, double target, double delta, Accountant a, double tol,
                         const PldOptions& pld, double start, double step, int max_walk = 200) {
  CalibrationResult out;
  auto eval = [&](double x) {
    Composition c;
    c.pld_options = pld;
    for (const auto& m : make(x)) c.add(m);
    return c.epsilon(delta, a);
  };
  auto ok = [&](const EpsilonResult& r) { return !r.infinite && r.value <= target; };
  auto toward_bad = [&](double x) { return decreasing ? x / step : x * step; };
  auto toward_good = [&](double x) { return decreasing ? x * step : x / step; };
  double good = start, bad = start;
  EpsilonResult rg = eval(good);
  int guard = 0;
  if (ok(rg)) {
    while (true) {
      bad = toward_bad(good);
      EpsilonResult rb = eval(bad);
      if (!ok(rb)) break;
      good = bad, rg = rb;
      if (++guard > max_walk) {  // out of steps: the last good point is certified all the same
        out.found = true;
        out.value = good;
        out.achieved = rg;
        out.how = "walk of " + std::to_string(max_walk) + " steps; " + rg.how;
        return out;
      }
    }
  } else {
    while (true) {
      bad = good;
      good = toward_good(good);
      rg = eval(good);
      if (ok(rg)) break;
      if (++guard > max_walk) return out;
    }
  }
  while (std::abs(good - bad) > tol * std::max(good, bad)) {
    const double mid = 0.5 * (good + bad);
    EpsilonResult rm = eval(mid);
    if (ok(rm)) good = mid, rg = rm;
    else bad = mid;
  }
  out.found = true;
  out.value = good;
  out.achieved = rg;
  out.how = "bisection to relative tolerance " + fmt_g(tol) + "; " + rg.how;
  return out;
}

/// Calibration with any accountant. PLD: start from the RDP answer (PLD is tighter), search
/// on a 10× coarser grid first (each answer still certified), then refine on the asked grid.
template <class MakeFn>
CalibrationResult bisect(MakeFn make, bool decreasing, double target, double delta, Accountant a, double tol,
                         const PldOptions& pld) {
  CalibrationResult rdp = search(make, decreasing, target, delta, Accountant::kRdp, tol, pld, 1.0, 2.0);
  if (a == Accountant::kRdp) return rdp;
  double start = rdp.found ? rdp.value : 1.0;
  PldOptions coarse = pld;
  coarse.discretization = pld.discretization * 10;
  // The coarse PLD walk takes at most 60 steps (1.1^60 ~ 300x; PLD is tighter than RDP, so its
  // answer lies near RDP's), and the fine grid runs only when the coarse one found an answer:
  // a PLD that cannot certify any noise (a loss below its grid) otherwise cost 400 long
  // compositions (`account dpsgd --epsilon 1e-12 --steps 1e12 --accountant pld`: 14 s; fuzz_account).
  CalibrationResult c = search(make, decreasing, target, delta, Accountant::kPld, tol, coarse, start, 1.1, 60);
  if (c.found) start = c.value;
  // The fine walk is short: the coarse answer is certified already, the fine grid only improves it.
  CalibrationResult p = c.found ? search(make, decreasing, target, delta, Accountant::kPld, tol, pld, start, 1.004, 12) : c;
  if (!p.found && c.found) p = c;
  if (a == Accountant::kPld) return p;
  // auto: the better of two certified answers
  if (!p.found) return rdp;
  if (!rdp.found) return p;
  const bool pld_better = decreasing ? p.value < rdp.value : p.value > rdp.value;
  return pld_better ? p : rdp;
}

}  // namespace

CalibrationResult calibrate_dpsgd(double target, double delta, double q, std::uint64_t steps, Accountant a, double tol, const PldOptions& pld) {
  return bisect([&](double z) { return std::vector<Mechanism>{Mechanism::subsampled_gaussian(z, q).repeated(steps)}; },
                true, target, delta, a, tol, pld);
}
CalibrationResult calibrate_gaussian(double target, double delta, std::uint64_t times, Accountant a, double tol, const PldOptions& pld) {
  return bisect([&](double z) { return std::vector<Mechanism>{Mechanism::gaussian(z).repeated(times)}; }, true, target, delta, a, tol, pld);
}
CalibrationResult calibrate_laplace(double target, double delta, std::uint64_t times, Accountant a, double tol, const PldOptions& pld) {
  return bisect([&](double b) { return std::vector<Mechanism>{Mechanism::laplace_scale(b).repeated(times)}; }, true, target, delta, a, tol, pld);
}
CalibrationResult calibrate_epsilon_per_use(double target, double delta, std::uint64_t times, MechanismKind kind, std::uint64_t k,
                                            Accountant a, double tol, const PldOptions& pld) {
  return bisect(
      [&](double e) {
        Mechanism m;
        switch (kind) {
          case MechanismKind::kGeometric: m = Mechanism::geometric(e); break;
          case MechanismKind::kExponential: m = Mechanism::exponential(e); break;
          case MechanismKind::kRandomizedResponse: m = Mechanism::randomized_response(e, k); break;
          case MechanismKind::kDeclared: m = Mechanism::declared(e); break;
          default: m = Mechanism::laplace(e); break;
        }
        return std::vector<Mechanism>{m.repeated(times)};
      },
      false, target, delta, a, tol, pld);
}

}  // namespace privflow::dp
