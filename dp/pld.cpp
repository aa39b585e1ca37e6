#include "dp/pld.hpp"

#include <kissfft/kissfft.hh>

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <complex>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "dp/numeric.hpp"

namespace privflow::dp::pld {
namespace {

using detail::kInf;
using cpx = std::complex<double>;

/// Standard normal mass of (a, b], computed on the side that avoids cancellation.
double normal_mass(double a, double b) {
  if (!(b > a)) return 0;
  constexpr double r = 0.70710678118654752440;
  if (a >= 0) return 0.5 * (std::erfc(a * r) - std::erfc(b * r));
  if (b <= 0) return 0.5 * (std::erfc(-b * r) - std::erfc(-a * r));
  return 1.0 - 0.5 * std::erfc(-a * r) - 0.5 * std::erfc(b * r);
}

/// z such that the standard normal upper tail beyond z is `tail`.
double normal_tail_point(double tail) { return std::sqrt(2.0) * boost::math::erfc_inv(2.0 * tail); }

// Subsampled Gaussian, remove direction: L(x) = log(1 − q + q·e^{(2x−1)/(2z²)}), increasing.
double sg_loss(double x, double z, double q) {
  return std::log1p(q * std::expm1((2 * x - 1) / (2 * z * z)));
}
// Its inverse; −∞ below the infimum log(1 − q), +∞ at +∞.
double sg_x(double loss, double z, double q) {
  if (loss == kInf) return kInf;
  if (loss == -kInf) return -kInf;
  const double u = std::expm1(loss) + q;
  if (!(u > 0)) return -kInf;
  return z * z * (std::log(u) - std::log(q)) + 0.5;
}

std::size_t fast_size(std::size_t n) {
  std::size_t best = 1;
  while (best < n) best *= 2;
  for (std::size_t p2 = 1; p2 < best; p2 *= 2)
    for (std::size_t p3 = p2; p3 < best; p3 *= 3)
      for (std::size_t p5 = p3; p5 < best; p5 *= 5)
        if (p5 >= n && p5 < best) best = p5;
  return best;
}

std::shared_ptr<const kissfft<double>> plan(std::size_t n, bool inverse) {
  static std::mutex mu;
  static std::map<std::pair<std::size_t, bool>, std::shared_ptr<const kissfft<double>>> plans;
  std::lock_guard<std::mutex> lock(mu);
  auto& p = plans[{n, inverse}];
  if (!p) {
    if (plans.size() > 16) plans.clear();  // bounded cache; holders keep their plan alive
    auto made = std::make_shared<const kissfft<double>>(n, inverse);
    plans[{n, inverse}] = made;
    return made;
  }
  return p;
}

inline cpx mul(cpx a, cpx b) {  // plain product (no C99 Annex G inf/NaN recovery: none occur)
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

cpx power(cpx z, std::uint64_t t) {  // repeated squaring
  cpx r(1, 0);
  while (t) {
    if (t & 1) r = mul(r, z);
    t >>= 1;
    if (t) {
      z = mul(z, z);
      if (z.real() * z.real() + z.imag() * z.imag() < 1e-300) return t ? cpx(0, 0) : r;  // |z|^(2k) underflows: z^t ≈ 0
    }
  }
  return r;
}

}  // namespace

Pld discretize(const CellFn& cell, double lo, double hi, double h) {
  Pld out;
  out.h = h;
  std::int64_t i_lo = static_cast<std::int64_t>(std::floor(lo / h));
  std::int64_t i_hi = static_cast<std::int64_t>(std::ceil(hi / h));
  if (i_hi <= i_lo) i_hi = i_lo + 1;
  const std::size_t n = static_cast<std::size_t>(i_hi - i_lo + 1);
  out.offset = i_lo;
  out.pmf.assign(n, 0.0);
  const double eh = std::expm1(h);
  // Bottom cell (−∞, ε_lo]: likelihood ratios in [0, e^{ε_lo}]: its P-mass goes to ε_lo.
  out.pmf[0] += std::max(0.0, cell(-kInf, i_lo * h).p);
  for (std::size_t j = 0; j + 1 < n; ++j) {
    const double a = static_cast<double>(i_lo + static_cast<std::int64_t>(j)) * h;
    const double b = static_cast<double>(i_lo + static_cast<std::int64_t>(j) + 1) * h;
    const CellMass c = cell(a, b);
    if (!(c.p > 0)) continue;
    if (!(c.q > 0)) {  // underflowed Q-mass: all at the upper end (pessimistic)
      out.pmf[j + 1] += c.p;
      continue;
    }
    // Split into atoms at a and b keeping P- and Q-mass: θ = Q-share of the upper atom.
    const double theta = std::clamp((c.p * std::exp(-a) / c.q - 1.0) / eh, 0.0, 1.0);
    const double pb = std::min(c.p, theta * c.q * std::exp(b));
    out.pmf[j + 1] += pb;
    out.pmf[j] += c.p - pb;
  }
  // Top cell (ε_hi, +∞]: ratios in [e^{ε_hi}, ∞]: atom at ε_hi and the rest at +∞.
  const double top_loss = static_cast<double>(i_hi) * h;
  const CellMass c = cell(top_loss, kInf);
  const double pk = std::min(std::max(c.p, 0.0), std::max(c.q, 0.0) * std::exp(top_loss));
  out.pmf[n - 1] += pk;
  out.inf_mass = std::max(0.0, c.p - pk);
  return out;
}

Pld gaussian(double z, double h, double tail) {
  // L ~ N(μ, 2μ) under P and N(−μ, 2μ) under Q, μ = 1/(2z²) (Balle & Wang 2018, Lemma 3).
  const double mu = 1.0 / (2 * z * z), s = 1.0 / z, zt = normal_tail_point(tail);
  CellFn cell = [=](double a, double b) {
    return CellMass{normal_mass((a - mu) / s, (b - mu) / s), normal_mass((a + mu) / s, (b + mu) / s)};
  };
  return discretize(cell, mu - zt * s, mu + zt * s, h);
}

Pld laplace(double eps, double h) {
  // P = Lap(0, 1/ε), Q = Lap(1, 1/ε): L = ε(|x−1| − |x|) ∈ [−ε, ε], atoms at ±ε.
  auto fp = [eps](double l) {  // P(L ≤ l)
    if (l < -eps) return 0.0;
    if (l >= eps) return 1.0;
    const double s = 0.5 * (1 - l / eps);
    return 0.5 * std::exp(-s * eps);
  };
  auto fq = [eps](double l) {
    if (l < -eps) return 0.0;
    if (l >= eps) return 1.0;
    const double s = 0.5 * (1 - l / eps);
    return 1.0 - 0.5 * std::exp(-(1 - s) * eps);
  };
  CellFn cell = [=](double a, double b) {
    return CellMass{std::max(0.0, fp(b) - fp(a)), std::max(0.0, fq(b) - fq(a))};
  };
  return discretize(cell, -eps, eps, h);
}

Pld discrete(const std::vector<std::pair<double, double>>& atoms, double h) {
  double lo = kInf, hi = -kInf;
  for (auto [l, p] : atoms) {
    if (p <= 0 || l == kInf) continue;
    lo = std::min(lo, l);
    hi = std::max(hi, l);
  }
  if (lo == kInf) lo = hi = 0;
  CellFn cell = [atoms](double a, double b) {
    CellMass m;
    for (auto [l, p] : atoms) {
      if (l > a && l <= b) {
        m.p += p;
        if (l != kInf) m.q += p * std::exp(-l);
      }
    }
    return m;
  };
  return discretize(cell, lo, hi, h);
}

Pld randomized_response(double keep, std::uint64_t k, double h) {
  const double r = (1 - keep) / static_cast<double>(k - 1);
  const double eps = std::log(keep) - std::log(r);
  std::vector<std::pair<double, double>> atoms{{eps, keep}, {-eps, r}};
  if (k > 2) atoms.push_back({0.0, (static_cast<double>(k) - 2) * r});
  return discrete(atoms, h);
}

Pld pure(double eps, double h) {
  const double keep = 1.0 / (1.0 + std::exp(-eps));
  return discrete({{eps, keep}, {-eps, 1 - keep}}, h);
}

Pld declared(double eps, double delta, double h) {
  const double keep = 1.0 / (1.0 + std::exp(-eps));
  return discrete({{kInf, delta}, {eps, (1 - delta) * keep}, {-eps, (1 - delta) * (1 - keep)}}, h);
}

namespace {
/// 0.5·erfc(|x|/√2) = min(Φ(x), 1 − Φ(x)): the one value a grid point contributes.
double normal_tail(double x) { return 0.5 * std::erfc(std::abs(x) * 0.70710678118654752440); }
/// Standard normal mass of (a, b] from the points' tails (same cancellation-free sides as
/// normal_mass).
double mass_from_tails(double a, double ta, double b, double tb) {
  if (!(b > a)) return 0;
  if (a >= 0) return std::max(0.0, ta - tb);
  if (b <= 0) return std::max(0.0, tb - ta);
  return std::max(0.0, 1.0 - ta - tb);
}
/// Per-point values of the mixture pair, cached from one cell to the next (cells share ends).
struct SgPoint {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double u0 = 0, t0 = 0, u1 = 0, t1 = 0;  // x/z and (x−1)/z, and their tails
};
}  // namespace

Pld subsampled_gaussian(double z, double q, bool remove, double h, double tail) {
  const double zt = normal_tail_point(tail);
  // One grid point's values; x is the Gaussian statistic at which the loss equals `loss`.
  auto point = [z, q](double x) {
    SgPoint p;
    p.u0 = x / z;
    p.u1 = (x - 1) / z;
    p.t0 = normal_tail(p.u0);
    p.t1 = normal_tail(p.u1);
    return p;
  };
  if (remove) {
    // P = (1−q)N(0,z²) + qN(1,z²), Q = N(0,z²).
    SgPoint last;
    CellFn cell = [=](double a, double b) mutable {
      const SgPoint pa = (a == last.loss) ? last : point(sg_x(a, z, q));
      SgPoint pb = point(sg_x(b, z, q));
      pb.loss = b;
      last = pb;
      const double qm = mass_from_tails(pa.u0, pa.t0, pb.u0, pb.t0);
      return CellMass{(1 - q) * qm + q * mass_from_tails(pa.u1, pa.t1, pb.u1, pb.t1), qm};
    };
    return discretize(cell, sg_loss(-zt * z, z, q), sg_loss(1 + zt * z, z, q), h);
  }
  // P = N(0,z²), Q = mixture; L = −L_remove(x), decreasing in x: L ∈ (a,b] ⇔ x ∈ [x(−b), x(−a)).
  SgPoint last;
  CellFn cell = [=](double a, double b) mutable {
    const SgPoint pa = (a == last.loss) ? last : point(sg_x(-a, z, q));  // upper x end
    SgPoint pb = point(sg_x(-b, z, q));                                  // lower x end
    pb.loss = b;
    last = pb;
    const double pm = mass_from_tails(pb.u0, pb.t0, pa.u0, pa.t0);
    return CellMass{pm, (1 - q) * pm + q * mass_from_tails(pb.u1, pb.t1, pa.u1, pa.t1)};
  };
  return discretize(cell, -sg_loss(zt * z, z, q), -sg_loss(-zt * z, z, q), h);
}

namespace {

using Parts = std::vector<std::pair<const Pld*, std::uint64_t>>;

/// log Σ_k pmf_k e^{t·ε_k} for one part, by a multiplicative recurrence from the largest term.
double log_mgf(const Pld& p, double t) {
  std::size_t first = 0, last = p.pmf.size();
  while (first < last && !(p.pmf[first] > 0)) ++first;
  while (last > first && !(p.pmf[last - 1] > 0)) --last;
  if (first == last) return -kInf;
  const double r = std::exp(-std::abs(t) * p.h);
  double s = 0, f = 1;
  if (t >= 0) {
    for (std::size_t k = last; k-- > first;) s += p.pmf[k] * f, f *= r;
    return t * static_cast<double>(p.offset + static_cast<std::int64_t>(last - 1)) * p.h + std::log(s);
  }
  for (std::size_t k = first; k < last; ++k) s += p.pmf[k] * f, f *= r;
  return t * static_cast<double>(p.offset + static_cast<std::int64_t>(first)) * p.h + std::log(s);
}

struct Range {
  std::int64_t base = 0, lo = 0, hi = 0;
  double inf_mass = 0, truncated = 0;
};

Range composed_range(const Parts& parts, double tail) {
  Range g;
  double max_idx = 0, log_finite = 0;
  const double h = parts.front().first->h;
  for (auto [p, t] : parts) {
    g.base += p->offset * static_cast<std::int64_t>(t);
    max_idx += static_cast<double>(p->pmf.size() - 1) * static_cast<double>(t);
    log_finite += static_cast<double>(t) * std::log1p(-std::min(p->inf_mass, 1.0));
  }
  g.inf_mass = -std::expm1(log_finite);
  // Chernoff: P(S ≥ u) ≤ M(t)e^{−tu} for t > 0, P(S ≤ u) ≤ M(−t)e^{tu}; M of the
  // (sub-probability) discretised parts, so the bound covers the discrete S exactly.
  const double log_tail = std::log(tail);
  double lower = -kInf, upper = kInf;
  static const double ts[] = {0.05, 0.15, 0.4, 0.7, 1, 1.5, 2.2, 3.2, 4.5, 6.5, 9, 13, 20, 32, 64, 200};
  for (int sign : {1, -1}) {
    for (double t0 : ts) {
      const double t = sign * t0;
      double lm = 0;
      for (auto [p, times] : parts) lm += static_cast<double>(times) * log_mgf(*p, t);
      if (sign > 0) upper = std::min(upper, (lm - log_tail) / t);
      else lower = std::max(lower, (lm - log_tail) / t);
    }
  }
  const double nat_hi = static_cast<double>(g.base) + max_idx;
  const double lo = std::max(static_cast<double>(g.base), std::floor(lower / h) - 1);
  double hi = std::min(nat_hi, std::ceil(upper / h) + 1);
  if (hi < lo) hi = lo;
  g.lo = static_cast<std::int64_t>(lo);
  g.hi = static_cast<std::int64_t>(hi);
  g.truncated = (lo > static_cast<double>(g.base) ? tail : 0.0) + (hi < nat_hi ? tail : 0.0);
  return g;
}

void place(const Pld& p, std::size_t n, std::vector<double>& out) {
  std::fill(out.begin(), out.end(), 0.0);
  for (std::size_t k = 0, pos = 0; k < p.pmf.size(); ++k, pos = pos + 1 == n ? 0 : pos + 1) out[pos] += p.pmf[k];
}

Composed extract(const std::vector<double>& vals, std::size_t n, const Range& g, double h) {
  Composed out;
  out.h = h;
  double most_negative = 0, largest = 0;
  for (double v : vals) most_negative = std::min(most_negative, v), largest = std::max(largest, v);
  const auto need = static_cast<std::size_t>(g.hi - g.lo + 1);
  out.offset = g.lo;
  out.pmf.assign(need, 0.0);
  const auto nn = static_cast<std::int64_t>(n);
  for (std::int64_t a = g.lo; a <= g.hi; ++a) {
    const std::int64_t pos = (((a - g.base) % nn) + nn) % nn;
    out.pmf[static_cast<std::size_t>(a - g.lo)] = std::max(0.0, vals[static_cast<std::size_t>(pos)]);
  }
  // Round-off: the FFT noise floor (the most negative output, or 2^-50·log2(n) of the largest
  // value), counted once per bucket of the range. An estimate, not a proof.
  const double floor_est = std::max(-most_negative, std::ldexp(largest, -50) * std::log2(static_cast<double>(n)));
  out.truncated = g.truncated;
  out.roundoff = floor_est * static_cast<double>(need);
  out.inf_mass = g.inf_mass + out.truncated + out.roundoff;
  out.finalize();
  return out;
}

}  // namespace

double composed_bins(const Parts& parts, double tail) {
  if (parts.empty()) return 1;
  const Range g = composed_range(parts, tail);
  return static_cast<double>(g.hi - g.lo + 1);
}

Composed compose(const Parts& parts, double tail) {
  if (parts.empty()) {
    Composed out;
    out.pmf = {1.0};
    out.finalize();
    return out;
  }
  return compose_pair(parts, parts, tail).first;
}

std::pair<Composed, Composed> compose_pair(const Parts& first, const Parts& second, double tail) {
  const double h = first.front().first->h;
  const Range g1 = composed_range(first, tail), g2 = composed_range(second, tail);
  const bool same = &first == &second;
  const auto need = static_cast<std::size_t>(std::max(g1.hi - g1.lo, g2.hi - g2.lo) + 1);
  const std::size_t n = fast_size(std::max<std::size_t>(need, 2));
  const auto fwd = plan(n, false);
  // Work buffers are reused across calls (per thread) to avoid page-faulting fresh memory.
  thread_local std::vector<cpx> acc1, acc2, z, spec;
  thread_local std::vector<double> x1, x2;
  acc1.assign(n, cpx(1, 0));
  acc2.assign(same ? 0 : n, cpx(1, 0));
  z.resize(n);
  spec.resize(n);
  x1.resize(n);
  x2.resize(n);
  const std::size_t parts = std::max(first.size(), second.size());
  for (std::size_t i = 0; i < parts; ++i) {
    // Two real sequences in one complex FFT: z = x1 + i·x2.
    const bool has1 = i < first.size(), has2 = !same && i < second.size();
    if (has1) place(*first[i].first, n, x1); else std::fill(x1.begin(), x1.end(), 0.0);
    if (has2) place(*second[i].first, n, x2); else std::fill(x2.begin(), x2.end(), 0.0);
    for (std::size_t k = 0; k < n; ++k) z[k] = cpx(x1[k], x2[k]);
    fwd->transform(z.data(), spec.data());
    for (std::size_t f = 0; f < n; ++f) {
      const cpx a = spec[f], b = std::conj(spec[f == 0 ? 0 : n - f]);
      if (has1) acc1[f] = mul(acc1[f], power(0.5 * (a + b), first[i].second));
      if (has2) acc2[f] = mul(acc2[f], power(cpx(0, -0.5) * (a - b), second[i].second));
    }
  }
  // Both results are real: one inverse FFT of acc1 + i·acc2.
  for (std::size_t f = 0; f < n; ++f) z[f] = same ? acc1[f] : acc1[f] + cpx(0, 1) * acc2[f];
  plan(n, true)->transform(z.data(), spec.data());
  const double inv_n = 1.0 / static_cast<double>(n);
  for (std::size_t k = 0; k < n; ++k) x1[k] = spec[k].real() * inv_n, x2[k] = spec[k].imag() * inv_n;
  Composed c1 = extract(x1, n, g1, h);
  Composed c2 = same ? c1 : extract(x2, n, g2, h);
  return {std::move(c1), std::move(c2)};
}

void Composed::finalize() {
  const std::size_t n = pmf.size();
  tail_p_.assign(n + 1, 0.0);
  tail_c_.assign(n + 1, 0.0);
  const double eh = std::exp(-h);
  for (std::size_t j = n; j-- > 0;) {
    tail_p_[j] = tail_p_[j + 1] + pmf[j];
    tail_c_[j] = pmf[j] + eh * tail_c_[j + 1];
  }
}

double Composed::delta(double epsilon) const {
  const std::size_t n = pmf.size();
  // first index j with ε_j > ε
  const double pos = std::floor(epsilon / h) - static_cast<double>(offset) + 1;
  std::size_t j = pos <= 0 ? 0 : (pos >= static_cast<double>(n) ? n : static_cast<std::size_t>(pos));
  double d = inf_mass;
  if (j < n) {
    const double ej = static_cast<double>(offset + static_cast<std::int64_t>(j)) * h;
    d += tail_p_[j] - std::exp(epsilon - ej) * tail_c_[j];
  }
  return std::clamp(detail::up(d, 1e-12), 0.0, 1.0);
}

double Composed::epsilon(double target) const {
  if (inf_mass > target) return kInf;
  const std::size_t n = pmf.size();
  auto d_at = [&](std::size_t j) {  // δ(ε_j) = m + A_{j+1} − e^{−h}C_{j+1}
    return inf_mass + tail_p_[j + 1] - std::exp(-h) * tail_c_[j + 1];
  };
  // smallest j with δ(ε_j) ≤ target (δ is decreasing; δ(ε_{n−1}) = m ≤ target)
  std::size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (d_at(mid) <= target) hi = mid;
    else lo = mid + 1;
  }
  const std::size_t j = lo;
  const double ej = static_cast<double>(offset + static_cast<std::int64_t>(j)) * h;
  // On (ε_{j−1}, ε_j]: δ(ε) = m + A_j − e^{ε − ε_j} C_j.
  const double num = inf_mass + tail_p_[j] - target;
  double eps;
  if (tail_c_[j] <= 0 || num <= 0) eps = j == 0 ? -kInf : ej - h;
  else eps = std::min(ej, ej + std::log(num / tail_c_[j]));
  if (j > 0) eps = std::max(eps, ej - h);
  if (!(eps > 0)) return 0.0;
  return detail::up(eps, 1e-12) + 1e-12;
}

}  // namespace privflow::dp::pld
