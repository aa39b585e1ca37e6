// Calibration (dp/accountant.hpp): the noise (or per-use ε) that meets a target ε, by a
// monotone bisection whose answer is certified by the accountant that computed it.
#include <algorithm>
#include <cmath>

#include "dp/accountant.hpp"
#include "dp/detail/composition.hpp"

namespace privflow::dp {

using detail::format_general;

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
  out.how = "bisection to relative tolerance " + format_general(tol) + "; " + rg.how;
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
