// The trade-off curve of a Composition (dp/accountant.hpp, Composition::tpr_at_fpr): the highest
// true-positive rate that any test between two neighbouring datasets reaches at a given
// false-positive rate. It answers the membership measure (TPR at a low FPR) and, asked at the
// prior's baseline κ, the reconstruction measure (Hayes, Mahloujifar & Balle 2023).
//
// Every (ε, δ(ε)) point of the composed privacy profile bounds every test: with α its FPR and
// β = 1 − TPR, (ε, δ)-DP gives β ≥ 1 − δ − e^ε·α and β ≥ e^−ε·(1 − δ − α) (Kairouz, Oh &
// Viswanath 2015; Dong, Roth & Su 2019, Prop. 2.12 builds the trade-off function from the whole
// profile this way). So TPR(F) ≤ min over ε of min(e^ε·F + δ(ε), 1 − e^−ε·(1 − δ(ε) − F)), and
// every ε tried is itself a sound bound. For the PLD accountant's discrete dominating pair,
// e^ε·F + δ(ε) at ε = the Neyman–Pearson threshold (the loss at which the Q-mass counted from
// the largest loss down reaches F, the +∞ atom being P-only) is exactly that pair's best test,
// randomised at the boundary: δ(ε) = Σ_{l>ε} p_l(1 − e^{ε−l}) + p_∞ gives
// e^ε·F + δ(ε) = p_∞ + Σ_{l>ε} p_l + e^ε·(F − Σ_{l>ε} p_l e^−l). Minimising over ε finds that
// threshold without reading the PLD's internals, and stays sound where the FFT's round-off makes
// the discrete masses inexact (δ(ε) carries that error, the threshold does not need to).
// The Gaussian mechanism's curve is exact: TPR(F) = Φ(Φ⁻¹(F) + μ), μ = 1/z for noise multiplier
// z, and composed Gaussians are one Gaussian with μ² = Σ T_i/z_i² (Dong, Roth & Su 2019,
// Cor. 2.13 and Cor. 3.3).
#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>

#include "dp/accountant.hpp"
#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp {
namespace {

using detail::format_general;

/// Φ(Φ⁻¹(F) + μ), rounded up (erfc and erfc_inv are accurate to a few ulps: 1e-10 covers them).
double gaussian_tpr(double mu, double fpr) {
  if (fpr <= 0) return 0;
  if (fpr >= 1) return 1;
  const double sqrt2 = 1.41421356237309504880;
  const double threshold = -sqrt2 * boost::math::erfc_inv(2 * fpr);  // Φ⁻¹(F)
  const double tpr = 0.5 * std::erfc(-(threshold + mu) / sqrt2);
  return std::min(1.0, detail::up(tpr, 1e-10) + 1e-300);
}

/// μ of the composition when every part is exactly a Gaussian mechanism, else 0; rounded up
/// (more signal is the safe side).
double gaussian_mu(const std::vector<Mechanism>& parts) {
  double inv = 0;
  for (const auto& m : parts) {
    const double z = detail::gaussian_equivalent(m);
    if (z <= 0) return 0;
    inv += static_cast<double>(m.times) / (z * z);
  }
  return detail::up(std::sqrt(inv), 1e-14);
}

/// One line of the (ε, δ) region as a bound on TPR at FPR F, rounded up:
/// `upper` is β ≥ 1 − δ − e^ε α (TPR ≤ e^ε F + δ), else β ≥ e^−ε (1 − δ − α).
double region_line(bool upper, double epsilon, double delta, double fpr) {
  const double v = upper ? std::exp(epsilon) * fpr + delta : 1 - std::exp(-epsilon) * std::max(0.0, 1 - delta - fpr);
  return detail::up(v, 1e-12) + 1e-300;
}

struct Scan {
  double tpr = 1;
  double epsilon = 0;
  Accountant accountant = Accountant::kRdp;
  std::string how;
  bool upper = true;  // which line of the region answered
};

/// Lowers `best` to the smallest bound of one line over ε in [0, hi] for one accountant: a grid,
/// then golden-section refinement around the best grid point (each line is unimodal in ε for a
/// fixed pair), plus the pure sum where the profile reaches δ = 0. Every point tried is a
/// sound bound; the smallest is kept.
void scan_line(const Composition& c, double fpr, Accountant a, bool upper, double hi, Scan& best) {
  auto try_at = [&](double eps) {
    if (!(eps >= 0) || std::isinf(eps)) return best.tpr;
    const DeltaResult d = c.delta(eps, a);
    const double v = region_line(upper, eps, d.value, fpr);
    if (v < best.tpr) best = {v, eps, d.accountant, d.how, upper};
    return v;
  };
  const double pure = c.pure_epsilon_up();
  if (std::isfinite(pure)) hi = std::min(hi, pure), try_at(pure);
  hi = std::max(hi, 1e-6);
  constexpr int kGrid = 256;
  double at_best = 0, value_best = HUGE_VAL;
  for (int i = 0; i <= kGrid; ++i) {
    const double eps = hi * i / kGrid, v = try_at(eps);
    if (v < value_best) value_best = v, at_best = eps;
  }
  double lo = std::max(0.0, at_best - hi / kGrid), top = std::min(hi, at_best + hi / kGrid);
  const double ratio = 0.61803398874989484820;
  for (int i = 0; i < 80 && top - lo > 1e-12 * std::max(1.0, top); ++i) {
    const double x1 = top - ratio * (top - lo), x2 = lo + ratio * (top - lo);
    if (try_at(x1) <= try_at(x2)) top = x2;
    else lo = x1;
  }
}

/// The smallest region bound over the profile of one accountant. The upper line is useful up to
/// ε = ln(1/F) (beyond it e^ε F > 1); the lower line, which answers for large F (the tests whose
/// threshold is a negative loss), up to where 1 − e^−ε alone reaches the best bound so far.
Scan scan_profile(const Composition& c, double fpr, Accountant a) {
  Scan best;
  scan_line(c, fpr, a, true, fpr > 0 ? std::log(1 / fpr) : 60.0, best);
  scan_line(c, fpr, a, false, best.tpr < 1 ? std::min(60.0, -std::log1p(-best.tpr)) : 60.0, best);
  return best;
}

}  // namespace

TradeoffResult Composition::tpr_at_fpr(double fpr, Accountant a) const {
  TradeoffResult r;
  r.fpr = fpr;
  r.accountant = a == Accountant::kPld ? Accountant::kPld : Accountant::kRdp;
  if (!(fpr >= 0) || std::isnan(fpr)) {
    r.how = "the false-positive rate must be in [0, 1]";
    return r;
  }
  if (fpr >= 1) {
    r.how = "every test reaches TPR 1 at FPR 1";
    return r;
  }
  if (parts_.empty()) {
    r.tpr = fpr;
    r.how = "nothing released: no test beats guessing";
    return r;
  }
  std::optional<Scan> best;
  auto consider = [&](Scan s) {
    if (!best || s.tpr < best->tpr) best = std::move(s);
  };
  if (a == Accountant::kRdp || a == Accountant::kAuto) consider(scan_profile(*this, fpr, Accountant::kRdp));
  if (a == Accountant::kPld || a == Accountant::kAuto) {
    consider(scan_profile(*this, fpr, Accountant::kPld));
    if (const double mu = gaussian_mu(parts_); mu > 0) {
      Scan exact{gaussian_tpr(mu, fpr), 0, Accountant::kPld,
                 "trade-off of the composed Gaussian, exact: Phi(Phi^-1(F) + mu), mu " + format_general(mu) +
                     " (Dong-Roth-Su 2019)",
                 true};
      if (exact.tpr <= best->tpr) best = std::move(exact);
    }
  }
  r.tpr = std::clamp(best->tpr, fpr, 1.0);
  r.accountant = best->accountant;
  if (r.tpr >= 1) {
    r.how = "no point of the composed profile bounds the true-positive rate below 1 at this false-positive rate";
    return r;
  }
  r.how = best->how.rfind("trade-off", 0) == 0
              ? best->how
              : std::string(best->upper ? "min over epsilon of e^epsilon F + delta(epsilon)"
                                        : "min over epsilon of 1 - e^-epsilon (1 - delta(epsilon) - F)") +
                    " on the composed profile (f-DP, Dong-Roth-Su 2019), at epsilon " + format_general(best->epsilon) +
                    " (" + best->how + ")";
  return r;
}

/// Hayes et al. 2023 bound success by E_z ν_z[R = z] with E_z μ[R = z] ≤ κ for any reference
/// μ that does not depend on the target's value: M(D₋ ∪ {z₀}) (replace-one) or their own M(D₋)
/// (add/remove; the add/remove profile covers both orders of the pair). Both are sound.
TradeoffResult reconstruction_tpr(const std::vector<Mechanism>& parts, double kappa, Accountant a,
                                  const PldOptions& pld) {
  Composition replaced, removed;
  replaced.pld_options = removed.pld_options = pld;
  bool add_remove = true;
  for (const auto& m : parts) {
    replaced.add(m.with(Neighbouring::kReplace));
    removed.add(m);
    add_remove = add_remove && m.neighbouring == Neighbouring::kAddRemove;
  }
  TradeoffResult r = replaced.tpr_at_fpr(kappa, a);
  r.curve = "replace-one";
  if (!add_remove) {
    r.how = "replace-one trade-off (the mechanism is declared replace): " + r.how;
    return r;
  }
  TradeoffResult u = removed.tpr_at_fpr(kappa, a);
  if (u.tpr >= r.tpr) {
    r.how = "replace-one trade-off (the add/remove one gives more): " + r.how;
    return r;
  }
  u.curve = "add/remove";
  u.how = "add/remove trade-off, reference the run without the target (Hayes-Mahloujifar-Balle 2023, Thm 2): " + u.how;
  return u;
}

}  // namespace privflow::dp
