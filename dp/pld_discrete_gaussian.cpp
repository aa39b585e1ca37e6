// The privacy loss distribution of the discrete Gaussian mechanism (Canonne, Kamath & Steinke
// 2020, "The Discrete Gaussian for Differential Privacy"), built from its atoms.
//
// P = N_Z(0, σ²) and Q = N_Z(Δ, σ²) for an integer Δ ≥ 1: P(x) = w(x)/Z with w(x) = e^{−x²/(2σ²)}
// and Z = Σ_{y∈ℤ} w(y), and Q(x) = w(x − Δ)/Z (the same Z, since Δ is an integer). The loss
//   L(x) = log P(x)/Q(x) = ((x − Δ)² − x²)/(2σ²) = Δ(Δ − 2x)/(2σ²)
// falls as x grows; δ(ε) = Σ_x [P(x) − e^ε Q(x)]_+ is CKS 2020 Thm 7. The pair is symmetric
// (x ↦ Δ − x swaps P and Q), so one PLD serves both directions.
#include <boost/math/special_functions/erf.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dp/detail/numeric.hpp"
#include "dp/pld.hpp"

namespace privflow::dp::pld {
namespace {

using detail::kInf;

// 2^27 atoms (σ up to ~6·10^6 at a tail of 1e-15) take about a second; beyond, the RDP curve answers.
constexpr double kMaxAtoms = 1 << 27;
// Atoms between exact re-seedings of the recurrences below.
constexpr std::int64_t kReseed = 256;
// Relative margin over the rounding of the summed masses (≤ 2^24 terms, each ~1e-16).
constexpr double kMassMargin = 1e-12;
// Cells wider than discretize's own guard are refused there too (all mass at +∞).
constexpr double kMaxCells = 1 << 22;

Pld all_infinite(double h) {
  Pld out;
  out.h = h;
  out.pmf.assign(1, 0.0);
  out.inf_mass = 1;
  return out;
}

/// The truncation K: Σ_{|x|>K} w(x) ≤ 2∫_K^∞ w(t) dt = σ√(2π)·erfc(K/(σ√2)) (w falls on x > 0, so
/// w(x) ≤ ∫_{x−1}^x w), and since Z ≥ w(0) = 1 that bounds the P-mass beyond K as well.
double truncation(double sigma, double tail) {
  const double arg = std::min(1.0, tail / (sigma * std::sqrt(2 * M_PI)));
  return std::max(1.0, std::ceil(sigma * std::sqrt(2.0) * boost::math::erfc_inv(arg)));
}

}  // namespace

Pld discrete_gaussian(double sigma, std::uint64_t sensitivity, double h, double tail, Side side) {
  if (!(sigma > 0) || !std::isfinite(sigma) || sensitivity < 1) return all_infinite(h);
  const double d = static_cast<double>(sensitivity), two_var = 2 * sigma * sigma;
  const double k = truncation(sigma, tail);
  const double lo = d * (d - 2 * k) / two_var, hi = d * (d + 2 * k) / two_var;  // L(K), L(−K)
  if (2 * k + 1 > kMaxAtoms || !std::isfinite(lo / h) || !std::isfinite(hi / h) || (hi - lo) / h > kMaxCells)
    return all_infinite(h);
  // Masses are divided by a lower bound on Z (and raised by kMassMargin), so they are above the
  // true ones, P and Q alike, which raises every δ(ε) = Σ [P − e^ε Q]_+ and stays pessimistic.
  // The bound: the truncated sum Z_K = Σ_{|x|≤K} w(x) (summed from the smallest terms up) for a
  // few atoms; else σ√(2π) ≤ Z, by Poisson summation Z = σ√(2π)·(1 + 2Σ_{k≥1} e^{−2π²σ²k²})
  // (a relative gap below 1e-30 once K > 4096, i.e. σ > 500).
  const auto n = static_cast<std::int64_t>(k);
  double z_low = sigma * std::sqrt(2 * M_PI) * (1 - 1e-15);
  if (n <= 4096) {
    long double z_k = 0;
    for (std::int64_t x = n; x >= 1; --x) z_k += 2 * std::exp(-static_cast<long double>(x) * x / two_var);
    z_low = static_cast<double>(z_k + 1) * (1 - 1e-15);
  }
  const double scale = (1 + kMassMargin) / z_low;
  const double beyond = sigma * std::sqrt(2 * M_PI) * std::erfc(k / (sigma * std::sqrt(2.0)));
  // Cells (i·h, (i+1)·h] for i_lo ≤ i < i_hi as discretize numbers them, plus the cell below
  // and the one above (which also holds the truncated P-mass at loss +∞).
  const auto i_lo = static_cast<std::int64_t>(std::floor(lo / h));
  auto i_hi = static_cast<std::int64_t>(std::ceil(hi / h));
  if (i_hi <= i_lo) i_hi = i_lo + 1;
  std::vector<CellMass> cells(static_cast<std::size_t>(i_hi - i_lo));
  CellMass below, above{detail::up(beyond, 1e-9), 0.0};
  // w(x + 1) = w(x)·r(x) with r(x + 1) = r(x)·e^{−1/σ²}, and the same for w(x − Δ): two
  // products an atom instead of two exponentials, re-seeded exactly every kReseed atoms so the
  // relative error stays below kReseed·4·2^−53 ≈ 1e-13, inside kMassMargin.
  const double step = std::exp(-2 / two_var);
  double p = 0, q = 0, rp = 0, rq = 0;
  for (std::int64_t x = -n; x <= n; ++x) {
    const double xd = static_cast<double>(x);
    if ((x + n) % kReseed == 0) {
      p = std::exp(-xd * xd / two_var) * scale;
      q = std::exp(-(xd - d) * (xd - d) / two_var) * scale;
      rp = std::exp(-(2 * xd + 1) / two_var);
      rq = std::exp(-(2 * (xd - d) + 1) / two_var);
    }
    const double loss = d * (d - 2 * xd) / two_var;
    CellMass* cell = &above;
    if (loss <= static_cast<double>(i_lo) * h) {
      cell = &below;
    } else if (loss <= static_cast<double>(i_hi) * h) {
      const auto i = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(loss / h)) - 1, i_lo, i_hi - 1);
      cell = &cells[static_cast<std::size_t>(i - i_lo)];
    }
    cell->p += p;
    cell->q += q;
    p *= rp;
    q *= rq;
    rp *= step;
    rq *= step;
  }
  CellFn lookup = [&](double a, double b) {
    if (a == -kInf) return below;
    if (b == kInf) return above;
    const auto i = std::clamp<std::int64_t>(std::llround(a / h), i_lo, i_hi - 1);
    return cells[static_cast<std::size_t>(i - i_lo)];
  };
  // The optimistic side (the lower end of the adaptive bracket, never an answer) reads the same
  // atoms: their masses are within 1e-12 relative of the true ones, far inside any tolerance.
  return discretize(lookup, lo, hi, h, side);
}

}  // namespace privflow::dp::pld
