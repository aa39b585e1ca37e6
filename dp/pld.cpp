// Privacy loss distributions of single mechanisms on a grid (dp/pld.hpp): each pessimistic
// (its δ(ε) an upper bound) or optimistic (a lower bound), the two sides of one discretisation.
// Their composition is dp/pld_fft.cpp.
#include "dp/pld.hpp"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "dp/detail/numeric.hpp"

namespace privflow::dp::pld {
namespace {

using detail::kInf;

double normal_mass(double a, double b) {
  if (!(b > a)) return 0;
  constexpr double r = 0.70710678118654752440;
  if (a >= 0) return 0.5 * (std::erfc(a * r) - std::erfc(b * r));
  if (b <= 0) return 0.5 * (std::erfc(-b * r) - std::erfc(-a * r));
  return 1.0 - 0.5 * std::erfc(-a * r) - 0.5 * std::erfc(b * r);
}

/// The rounding error of a difference of normal tails, relative to the larger tail involved
/// (erfc to a few ulps, the subtraction one more): 9 ulps.
constexpr double kTailsError = 2e-15;
/// The largest value normal_mass(a, b) subtracts: the tail nearer a or b, or 1 across 0.
double normal_scale(double a, double b) {
  constexpr double r = 0.70710678118654752440;
  if (!(b > a)) return 0;
  if (a >= 0) return 0.5 * std::erfc(a * r);
  if (b <= 0) return 0.5 * std::erfc(-b * r);
  return 1;
}

/// z such that the standard normal upper tail beyond z is `tail`.
double normal_tail_point(double tail) { return std::sqrt(2.0) * boost::math::erfc_inv(2.0 * tail); }

// Subsampled Gaussian, remove direction: L(x) = log(1 − q + q·e^{(2x−1)/(2z²)}), increasing.
double sg_loss(double x, double z, double q) {
  return std::log1p(q * std::expm1((2 * x - 1) / (2 * z * z)));
}
// Its inverse; −∞ below the infimum log(1 − q), +∞ at +∞ (log_q = log q, hoisted by callers).
double sg_x(double loss, double z, double q, double log_q) {
  if (loss == kInf) return kInf;
  if (loss == -kInf) return -kInf;
  const double m = std::expm1(loss);
  // log((e^L − 1 + q)/q): log1p keeps a loss of 1e-17 against q = 1e-9 (the difference of two
  // logs lost it: its absolute error |log q|·ulp is relative 1e-7 there).
  if (m > -0.5 * q) return z * z * std::log1p(m / q) + 0.5;
  const double u = m + q;
  if (!(u > 0)) return -kInf;
  return z * z * (std::log(u) - log_q) + 0.5;
}

}  // namespace

namespace {

/// The optimistic side: a randomised post-processing of the true pair whose output
/// likelihood ratios are exactly grid points, so its δ(ε) is a lower bound (for one use and,
/// applied to every use, for any composition: post-processing never adds information).
/// Cells are centred on the grid points, (ε_k − h/2, ε_k + h/2] (the bottom one from −∞, the
/// top one to +∞). Merging a cell into one output keeps its masses; its ratio is then within
/// O(h²) of e^{ε_k} for a smooth loss, on either side. Above: the output is emitted at ε_k
/// (rounding its loss down, which only lowers δ). Below: the fraction α of the next cell
/// (whose ratio is above e^{ε_k}) that brings the mixture's ratio to exactly e^{ε_k} is mixed
/// in (α = O(h); the rest of that cell keeps its ratio). So every output mixes neighbouring
/// cells only and the error is of second order in h, like connect the dots on the other side.
/// When no such fraction exists (a steep drop, an atom at the top) the cell is split at ε_k:
/// its upper part lifts what it can of its lower part to e^{ε_k}, and the rest of the lower
/// part is rounded down to ε_{k−1} (or, at the bottom, dropped: loss −∞, no δ).
Pld discretize_optimistic(const CellFn& cell, std::int64_t i_lo, std::size_t n, double h) {
  Pld out;
  out.h = h;
  out.offset = i_lo;
  out.pmf.assign(n, 0.0);
  auto point = [&](std::size_t k) { return static_cast<double>(i_lo + static_cast<std::int64_t>(k)) * h; };
  auto low_end = [&](std::size_t k) { return k == 0 ? -kInf : point(k) - 0.5 * h; };
  auto high_end = [&](std::size_t k) { return k + 1 == n ? kInf : point(k) + 0.5 * h; };
  // The optimistic side takes the rounding the other way (P-mass down, Q-mass up), so that it
  // stays below the true ε and the bracket's "within" claim holds.
  auto masses = [&](double a, double b, double fraction) {
    const CellMass c = cell(a, b);
    return CellMass{std::max(c.p - c.error, 0.0) * fraction, (std::max(c.q, 0.0) + c.error) * fraction};
  };
  CellMass here = masses(low_end(0), high_end(0), 1.0);
  double here_fraction = 1;  // of cell k still unassigned (the rest lifted cell k−1)
  for (std::size_t k = 0; k < n; ++k) {
    CellMass next = k + 1 < n ? masses(low_end(k + 1), high_end(k + 1), 1.0) : CellMass{};
    double next_fraction = 1;
    const double w = std::exp(-point(k));  // ratio e^{ε_k} ⇔ w·p − q = 0
    const double excess = w * here.p - here.q;
    const double surplus = w * next.p - next.q;  // of the next cell, with respect to ε_k
    if (excess >= 0) {
      out.pmf[k] += here.p;
    } else if (k + 1 < n && surplus > 0 && -excess <= surplus) {
      const double alpha = -excess / surplus;
      out.pmf[k] += here.p + alpha * next.p;
      next.p *= 1 - alpha, next.q *= 1 - alpha;
      next_fraction = 1 - alpha;
    } else {  // split at ε_k: the upper part lifts a share β of the lower one
      const double split = std::nextafter(point(k), -kInf);  // an atom at ε_k goes up
      const CellMass lower = masses(low_end(k), split, here_fraction);
      const CellMass upper = masses(split, high_end(k), here_fraction);
      const double deficit = lower.q - w * lower.p, lift = w * upper.p - upper.q;
      const double beta = deficit > 0 ? std::clamp(lift / deficit, 0.0, 1.0) : 1.0;
      out.pmf[k] += upper.p + beta * lower.p;
      if (k > 0) out.pmf[k - 1] += (1 - beta) * lower.p;
    }
    here = next;
    here_fraction = next_fraction;
  }
  return out;
}

}  // namespace

Pld discretize(const CellFn& cell, double lo, double hi, double h, Side side) {
  Pld out;
  out.h = h;
  // A loss range no grid can hold (a pure epsilon of 1e300, noise near 0) would overflow the
  // cell index (undefined behaviour, found by UBSan) or exhaust memory: all mass at +inf
  // instead, which is sound (epsilon = inf); the RDP and exact pure answers remain.
  constexpr double kMaxCells = 1 << 22;  // a part wider than 2^22 cells (a Laplace of ε 210 at 1e-4) goes to RDP
  if (!(std::isfinite(lo / h) && std::isfinite(hi / h) && (hi - lo) / h <= kMaxCells)) {
    out.pmf.assign(1, 0.0);
    out.inf_mass = 1;
    return out;
  }
  std::int64_t i_lo = static_cast<std::int64_t>(std::floor(lo / h));
  std::int64_t i_hi = static_cast<std::int64_t>(std::ceil(hi / h));
  if (i_hi <= i_lo) i_hi = i_lo + 1;
  const std::size_t n = static_cast<std::size_t>(i_hi - i_lo + 1);
  if (side == Side::kOptimistic) return discretize_optimistic(cell, i_lo, n, h);
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
    // Split into atoms at a and b keeping P- and Q-mass: the upper atom's P-mass is
    // (p·e^{−a} − q)·e^b/(e^h − 1). It rests on the difference of p and q, and each carries an
    // absolute rounding error up to c.error: so p is taken that much larger and q that
    // much smaller (more mass up is always pessimistic: δ(ε) = E_P[(1 − e^{ε−L})₊] grows
    // with L). Without it, losses of 1e-17 (noise 1e9, q 1e-9) put every cell's mass at its
    // lower end and claimed ε = 0.
    const double upper = ((c.p + c.error) * std::exp(-a) - std::max(c.q - c.error, 0.0)) * std::exp(b) / eh;
    const double pb = std::clamp(upper, 0.0, c.p);
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

Pld gaussian(double z, double h, double tail, Side side) {
  // L ~ N(μ, 2μ) under P and N(−μ, 2μ) under Q, μ = 1/(2z²) (Balle & Wang 2018, Lemma 3).
  const double mu = 1.0 / (2 * z * z), s = 1.0 / z, zt = normal_tail_point(tail);
  CellFn cell = [=](double a, double b) {
    return CellMass{normal_mass((a - mu) / s, (b - mu) / s), normal_mass((a + mu) / s, (b + mu) / s),
                    kTailsError * std::max(normal_scale((a - mu) / s, (b - mu) / s), normal_scale((a + mu) / s, (b + mu) / s))};
  };
  return discretize(cell, mu - zt * s, mu + zt * s, h, side);
}

Pld laplace(double eps, double h, Side side) {
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
  return discretize(cell, -eps, eps, h, side);
}

Pld discrete(const std::vector<std::pair<double, double>>& atoms, double h, Side side) {
  double lo = kInf, hi = -kInf;
  for (auto [l, p] : atoms) {
    if (p <= 0 || l == kInf) continue;
    lo = std::min(lo, l);
    hi = std::max(hi, l);
  }
  if (lo == kInf) lo = hi = 0;
  // The optimistic side keeps the atoms at +∞ there (they are exact; its sweep would round them down).
  const bool keep_inf_apart = side == Side::kOptimistic;
  double inf_mass = 0;
  CellFn cell = [atoms, keep_inf_apart](double a, double b) {
    CellMass m;
    for (auto [l, p] : atoms) {
      if (l > a && l <= b && !(keep_inf_apart && l == kInf)) {
        m.p += p;
        if (l != kInf) m.q += p * std::exp(-l);
      }
    }
    return m;
  };
  for (auto [l, p] : atoms)
    if (l == kInf && p > 0) inf_mass += p;
  Pld out = discretize(cell, lo, hi, h, side);
  if (keep_inf_apart) out.inf_mass += inf_mass;
  return out;
}

Pld randomized_response(double keep, std::uint64_t k, double h, Side side) {
  const double r = (1 - keep) / static_cast<double>(k - 1);
  const double eps = std::log(keep) - std::log(r);
  std::vector<std::pair<double, double>> atoms{{eps, keep}, {-eps, r}};
  if (k > 2) atoms.push_back({0.0, (static_cast<double>(k) - 2) * r});
  return discrete(atoms, h, side);
}

Pld pure(double eps, double h, Side side) {
  const double keep = 1.0 / (1.0 + std::exp(-eps));
  return discrete({{eps, keep}, {-eps, 1 - keep}}, h, side);
}

Pld declared(double eps, double delta, double h, Side side) {
  const double keep = 1.0 / (1.0 + std::exp(-eps));
  return discrete({{kInf, delta}, {eps, (1 - delta) * keep}, {-eps, (1 - delta) * (1 - keep)}}, h, side);
}

namespace {
/// 0.5·erfc(|x|/√2) = min(Φ(x), 1 − Φ(x)): the one value a grid point contributes.
double normal_tail(double x) { return 0.5 * std::erfc(std::abs(x) * 0.70710678118654752440); }
/// The largest tail a mass from tails subtracts: ta (both ends above 0), tb (both below), or 1.
double tails_scale(double a, double ta, double b, double tb) {
  if (!(b > a)) return 0;
  if (a >= 0) return ta;
  if (b <= 0) return tb;
  return 1;
}
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

Pld subsampled_gaussian(double z, double q, bool remove, double h, double tail, Side side) {
  const double zt = normal_tail_point(tail), log_q = std::log(q);
  // One grid point's values; x is the Gaussian statistic at which the loss equals `loss`.
  auto point = [z](double x) {
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
      const SgPoint pa = (a == last.loss) ? last : point(sg_x(a, z, q, log_q));
      SgPoint pb = point(sg_x(b, z, q, log_q));
      pb.loss = b;
      last = pb;
      const double qm = mass_from_tails(pa.u0, pa.t0, pb.u0, pb.t0);
      const double err = kTailsError * std::max(tails_scale(pa.u0, pa.t0, pb.u0, pb.t0), tails_scale(pa.u1, pa.t1, pb.u1, pb.t1));
      return CellMass{(1 - q) * qm + q * mass_from_tails(pa.u1, pa.t1, pb.u1, pb.t1), qm, err};
    };
    return discretize(cell, sg_loss(-zt * z, z, q), sg_loss(1 + zt * z, z, q), h, side);
  }
  // P = N(0,z²), Q = mixture; L = −L_remove(x), decreasing in x: L ∈ (a,b] ⇔ x ∈ [x(−b), x(−a)).
  SgPoint last;
  CellFn cell = [=](double a, double b) mutable {
    const SgPoint pa = (a == last.loss) ? last : point(sg_x(-a, z, q, log_q));  // upper x end
    SgPoint pb = point(sg_x(-b, z, q, log_q));                                  // lower x end
    pb.loss = b;
    last = pb;
    const double pm = mass_from_tails(pb.u0, pb.t0, pa.u0, pa.t0);
    const double err = kTailsError * std::max(tails_scale(pb.u0, pb.t0, pa.u0, pa.t0), tails_scale(pb.u1, pb.t1, pa.u1, pa.t1));
    return CellMass{pm, (1 - q) * pm + q * mass_from_tails(pb.u1, pb.t1, pa.u1, pa.t1), err};
  };
  return discretize(cell, -sg_loss(zt * z, z, q), -sg_loss(-zt * z, z, q), h, side);
}

namespace {
/// log(1 − q + q·e^a) without overflow or cancellation.
double log_mix(double a, double q) {
  if (a > 0) return a + std::log(q) + std::log1p((1 - q) / q * std::exp(-a));
  return std::log1p(q * std::expm1(a));
}
/// The replace-one loss L(x) = log(P/Q) at the Gaussian statistic x (s = 1/(2z²)):
/// log(1 − q + q·e^{−(2x+1)s}) − log(1 − q + q·e^{(2x−1)s}); decreasing in x, L(0) = 0.
double sg_replace_loss(double x, double s, double q) { return log_mix(-(2 * x + 1) * s, q) - log_mix((2 * x - 1) * s, q); }
/// Its inverse. With w = e^{2xs} the loss equation is the quadratic w² + βw − e^{−L} = 0,
/// β = (1−q)(1 − e^{−L})e^s/q, whose positive root is w = e^{−L/2 − asinh(β e^{L/2}/2)}; so
/// x = (−L/2 − asinh ρ)·z² with ρ = β e^{L/2}/2, evaluated in logs (ρ overflows for small z).
double sg_replace_x(double loss, double s, double q) {
  if (loss == kInf) return -kInf;
  if (loss == -kInf) return kInf;
  if (loss == 0) return 0;
  const double log_rho = std::log1p(-q) + std::log(std::abs(std::expm1(-loss))) + s + loss / 2 - std::log(2 * q);
  const double magnitude = log_rho > 300 ? log_rho + std::log(2.0) : std::asinh(std::exp(log_rho));
  const double asinh_rho = loss > 0 ? magnitude : -magnitude;
  return (-loss / 2 - asinh_rho) / (2 * s);
}
/// Per-point values of the replace-one pair: x standardised around −1, 0 and +1, and tails.
struct ReplacePoint {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double u[3] = {0, 0, 0}, t[3] = {0, 0, 0};  // (x+1)/z, x/z, (x−1)/z
};
}  // namespace

Pld subsampled_gaussian_replace(double z, double q, double h, double tail, Side side) {
  // P = q·N(−1,z²) + (1−q)·N(0,z²), Q = q·N(1,z²) + (1−q)·N(0,z²): the dominating pair of the
  // Poisson-subsampled Gaussian under substitution (Zhu, Dong & Wang 2022, "Optimal accounting
  // of differential privacy via characteristic function", dominating pairs of subsampled
  // mechanisms; dp_accounting's REPLACE_ONE pair is the same). Sensitivity 1 = the clip norm:
  // the two records' gradients are up to 2 apart, each up to 1 from the rest's sum. It is symmetric (x → −x swaps P and Q), so one direction is the whole profile.
  const double s = 1 / (2 * z * z), zt = normal_tail_point(tail);
  auto point = [z](double x) {
    ReplacePoint p;
    for (int i = 0; i < 3; ++i) {
      p.u[i] = (x + 1 - i) / z;
      p.t[i] = normal_tail(p.u[i]);
    }
    return p;
  };
  // L ∈ (a, b] ⇔ x ∈ [x(b), x(a)): `a` gives the upper x end, `b` the lower.
  ReplacePoint last;
  auto compute = [=](double a, double b) mutable {
    const ReplacePoint up = (a == last.loss) ? last : point(sg_replace_x(a, s, q));
    ReplacePoint low = point(sg_replace_x(b, s, q));
    low.loss = b;
    last = low;
    double m[3];
    double err = 0;
    for (int i = 0; i < 3; ++i) {
      m[i] = mass_from_tails(low.u[i], low.t[i], up.u[i], up.t[i]);
      err = std::max(err, kTailsError * tails_scale(low.u[i], low.t[i], up.u[i], up.t[i]));
    }
    return CellMass{q * m[0] + (1 - q) * m[1], q * m[2] + (1 - q) * m[1], err};
  };
  // The pair is symmetric (x → −x swaps P and Q, and L(−x) = −L(x)), so the cell (−b, −a] has
  // the P- and Q-masses of (a, b] swapped (the pair has no atoms: open or closed ends are
  // alike). Both discretisations ask for the cells in increasing order, with ends that are
  // exact negatives of their mirrors' (i·h and i·h ± h/2 round symmetrically): each cell below
  // 0 is kept as its mirror, on a stack whose top is then the next cell above 0 to be asked,
  // and only exact matches are read. About half of the cells cost no erfc at all.
  struct Mirror {
    double a, b;
    CellMass mass;
  };
  // Reused across calls (per thread): fresh memory would cost more in page faults than it saves.
  static thread_local std::vector<Mirror> mirrors;
  mirrors.clear();
  CellFn cell = [=](double a, double b) mutable {
    if (a >= 0) {
      while (!mirrors.empty() && mirrors.back().a < a) mirrors.pop_back();  // never asked (split cells)
      if (!mirrors.empty() && mirrors.back().a == a && mirrors.back().b == b) {
        const CellMass m = mirrors.back().mass;
        mirrors.pop_back();
        return m;
      }
      return compute(a, b);
    }
    const CellMass c = compute(a, b);
    if (b <= 0 && std::isfinite(a)) mirrors.push_back({-b, -a, CellMass{c.q, c.p, c.error}});
    return c;
  };
  // P's mass beyond x = zt·z (upper) and below −1 − zt·z (lower) is at most `tail` each.
  return discretize(cell, sg_replace_loss(zt * z, s, q), sg_replace_loss(-1 - zt * z, s, q), h, side);
}

}  // namespace privflow::dp::pld
