// Calibration (dp/accountant.hpp): the noise (or per-use ε) that meets a target ε, by a
// monotone bisection whose answer is certified by the accountant that computed it.
#include <algorithm>
#include <cmath>
#include <optional>

#include "dp/accountant.hpp"
#include "dp/detail/closed_form.hpp"
#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp {

using detail::format_general;

namespace {

/// Where a search starts and how far it may walk before the bisection.
struct Walk {
  double start = 1.0;
  double step = 2.0;          ///< the first stride (it grows)
  int max_walk = 200;         ///< steps before giving up (or, walking away, stopping there)
  int infinite_walk = 4;      ///< steps towards more noise when the answers are ∞
  bool only_cheap_pld = false;  ///< give up at a PLD that was coarsened or unavailable (auto)
};

/// Bisection on a parameter x in (0, ∞) where ε(x) is decreasing (noise) or increasing
/// (per-use ε), starting from a point believed good. Returns the end of the final bracket
/// that meets the target (so the answer is certified by the accountant that computed it).
template <class MakeFn>
CalibrationResult search(MakeFn make, bool decreasing, double target, double delta, Accountant a, double tol,
                         const PldOptions& pld, const Walk& w) {
  const double start = w.start, step = w.step;
  const int max_walk = w.max_walk;
  const bool only_cheap_pld = w.only_cheap_pld;
  CalibrationResult out;
  bool expensive = false;  // a PLD that was coarsened or unavailable: give up (only_cheap_pld)
  auto eval = [&](double x) {
    Composition c;
    c.pld_options = pld;
    for (const auto& m : make(x)) c.add(m);
    EpsilonResult r = c.epsilon(delta, a);
    // Coarsened: a grid above the one asked for that is not the losses' own lattice (exact).
    const bool coarsened = r.discretization > 1.5 * pld.discretization && r.how.find("lattice") == std::string::npos;
    if (only_cheap_pld && (r.accountant != Accountant::kPld || coarsened)) expensive = true;
    return r;
  };
  auto ok = [&](const EpsilonResult& r) { return !expensive && !r.infinite && r.value <= target; };
  auto infinite = [](const EpsilonResult& r) { return r.infinite || std::isinf(r.value); };
  // The walk's step grows (squared after every 8 steps): a start that is far off (RDP at
  // δ = 1e-30 answers noise 1e28 where 1062 is enough) is left in a few dozen evaluations.
  double stride = step;
  int taken = 0;
  auto grow = [&] {
    if (++taken % 8 == 0 && stride < 1e100) stride *= stride;
  };
  auto toward_bad = [&](double x) { return decreasing ? x / stride : x * stride; };
  auto toward_good = [&](double x) { return decreasing ? x * stride : x / stride; };
  double good = start, bad = start;
  EpsilonResult rg = eval(good);
  int guard = 0;
  if (ok(rg)) {
    while (true) {
      bad = toward_bad(good);
      EpsilonResult rb = eval(bad);
      if (!ok(rb)) break;
      good = bad, rg = rb;
      grow();
      if (++guard > max_walk) {  // out of steps: the last good point is certified all the same
        out.found = true;
        out.value = good;
        out.achieved = rg;
        out.how = "walk of " + std::to_string(max_walk) + " steps; " + rg.how;
        return out;
      }
    }
  } else {
    // The start is the RDP answer, certified: a PLD that cannot certify it would only find a
    // worse one (and a PLD that answers ∞ there is costly: 0.6 s an evaluation at 10^12 steps).
    if (only_cheap_pld) return out;
    if (infinite(rg) && w.infinite_walk == 0) return out;
    while (true) {
      bad = good;
      good = toward_good(good);
      rg = eval(good);
      if (ok(rg)) break;
      grow();
      // An infinite answer is the ∞-loss mass of a grid that cannot hold this composition (10^12
      // steps): more noise rarely cures it, and each try costs ~0.25 s (fuzz_account timed out).
      const int walk = infinite(rg) ? std::min(max_walk, w.infinite_walk) : max_walk;
      if (++guard > walk || expensive) return out;
    }
  }
  while (std::abs(good - bad) > tol * std::max(good, bad) && !expensive) {
    // geometric while the bracket spans more than a factor 2, then arithmetic
    const double lo = std::min(good, bad), hi = std::max(good, bad);
    const double mid = hi > 2 * lo && lo > 0 ? std::sqrt(lo) * std::sqrt(hi) : 0.5 * (good + bad);
    EpsilonResult rm = eval(mid);
    if (ok(rm)) good = mid, rg = rm;
    else bad = mid;
  }
  // `good` is certified here (by a PLD evaluated before any costly one), even when the search
  // stopped at a costly PLD: its answer stands, so auto is not left with a far worse RDP start
  // (`dpsgd --epsilon 0.01 --sampling-rate 1e-6 --delta 1e-30` answered noise 1e24 for 1.9).
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
  CalibrationResult rdp = search(make, decreasing, target, delta, Accountant::kRdp, tol, pld, Walk{});
  if (a == Accountant::kRdp) return rdp;
  double start = rdp.found ? rdp.value : 1.0;
  // The grid follows the target: a loss step of 1/500 of the target ε (a grid of 1e-4 cannot
  // certify ε = 1e-3 near tight: `dpsgd --epsilon 1e-3` gave 43× too much noise).
  PldOptions fine = pld;
  if (target > 0) fine.discretization = std::min(pld.discretization, std::max(target / 500, 1e-9));
  PldOptions coarse = fine;
  coarse.discretization = fine.discretization * 10;
  // Under auto, a PLD that must be coarsened (a huge loss range: ε of hundreds, noise far below
  // 1, 10^12 steps) costs ~0.15 s an evaluation and is no tighter than RDP there: the search
  // gives up and RDP answers (`dpsgd --epsilon 1000` took 3.7 s, `--steps 1e12` 2.2 s).
  const bool cheap = a == Accountant::kAuto && rdp.found;
  // The coarse PLD walk takes at most 60 steps (1.1^60 ~ 300x; PLD is tighter than RDP, so its
  // answer lies near RDP's), and the fine grid runs only when the coarse one found an answer:
  // a PLD that cannot certify any noise (a loss below its grid) otherwise cost 400 long
  // compositions (`account dpsgd --epsilon 1e-12 --steps 1e12 --accountant pld`: 14 s; fuzz_account).
  // A PLD that answers ∞ at RDP's answer cannot hold this composition (10^12 steps, ε = 1e-12):
  // more noise than RDP's answer could only certify a worse one, so the walk does not start.
  const int infinite_walk = rdp.found ? 0 : 4;
  CalibrationResult c = search(make, decreasing, target, delta, Accountant::kPld, tol, coarse,
                               Walk{start, 1.1, 60, infinite_walk, cheap});
  if (c.found) start = c.value;
  // The fine walk is short: the coarse answer is certified already, the fine grid only improves it.
  CalibrationResult p = c.found ? search(make, decreasing, target, delta, Accountant::kPld, tol, fine,
                                         Walk{start, 1.01, 40, infinite_walk, cheap})
                                : c;
  if (!p.found && c.found) p = c;
  if (a == Accountant::kPld) {
    if (!p.found && rdp.found)
      p.how = "the PLD accountant could not certify the target at or near RDP's answer " +
              format_general(rdp.value, 6) + "; --accountant rdp or auto answers it";
    return p;
  }
  // auto: the better of two certified answers
  if (!p.found) return rdp;
  if (!rdp.found) return p;
  const bool pld_better = decreasing ? p.value < rdp.value : p.value > rdp.value;
  return pld_better ? p : rdp;
}

/// Gaussians by their closed form (dp/detail/closed_form.hpp): T uses of noise z are μ-GDP with
/// μ = √T/z, and δ_μ(ε) grows with μ, so the largest μ meeting (target, δ) is found by bisection
/// (to a relative 1e-12) and z = √T/μ rounded up; the answer is certified by Composition::epsilon
/// (nudged up by 1e-9 if rounding put it a hair above the target). nullopt if no μ meets it.
std::optional<CalibrationResult> calibrate_gaussian_exact(double target, double delta, std::uint64_t times) {
  auto ok = [&](double mu) { return detail::gdp_delta(mu, target) <= delta; };
  double good = 1, bad = 1;
  if (ok(good)) {
    while (ok(bad) && bad < 1e300) good = bad, bad *= 2;
  } else {
    while (!ok(good) && good > 1e-300) bad = good, good /= 2;
  }
  if (!ok(good) || ok(bad)) return std::nullopt;
  while (bad - good > 1e-12 * good) {
    const double mid = good + (bad - good) / 2;
    if (mid <= good || mid >= bad) break;
    (ok(mid) ? good : bad) = mid;
  }
  double z = detail::up(std::sqrt(static_cast<double>(times)) / good, 1e-12);
  for (int attempt = 0; attempt < 8; ++attempt, z = detail::up(z, 1e-9)) {
    Composition c;
    if (!c.add(Mechanism::gaussian(z).repeated(times))) return std::nullopt;
    EpsilonResult r = c.epsilon(delta, Accountant::kPld);
    if (r.infinite || r.value > target) continue;
    CalibrationResult out;
    out.found = true;
    out.value = z;
    out.how = "exact: the largest mu-GDP meeting the target, mu " + format_general(good, 8) + "; " + r.how;
    out.achieved = std::move(r);
    return out;
  }
  return std::nullopt;
}

}  // namespace

CalibrationResult calibrate_dpsgd(double target, double delta, double q, std::uint64_t steps, Accountant a, double tol,
                                  const PldOptions& pld, Neighbouring n, Sampling s) {
  // When δ covers the probability that the record is ever sampled, every noise meets any target
  // (ε = 0): the answer is no noise at all, not the end of a long walk towards it. (Poisson
  // sampling only: with fixed-size batches under add/remove the other records' draws differ too.)
  const std::vector<Mechanism> one{Mechanism::subsampled_gaussian(1, q).repeated(steps)};
  if (auto used = detail::probability_used(one); s == Sampling::kPoisson && used && *used <= delta && a != Accountant::kRdp) {
    CalibrationResult out;
    out.found = true;
    out.value = 0;
    out.achieved.delta = delta;
    out.achieved.accountant = Accountant::kPld;
    out.achieved.how = "exact: the record is sampled at all with probability at most " + format_general(*used, 6);
    out.how = "any noise meets the target: " + out.achieved.how + " <= delta";
    return out;
  }
  return bisect([&](double z) { return std::vector<Mechanism>{Mechanism::subsampled_gaussian(z, q).with(n).with(s).repeated(steps)}; },
                true, target, delta, a, tol, pld);
}
CalibrationResult calibrate_gaussian(double target, double delta, std::uint64_t times, Accountant a, double tol, const PldOptions& pld) {
  if (a != Accountant::kRdp)  // the closed form is exact: neither RDP nor a grid can beat it
    if (auto exact = calibrate_gaussian_exact(target, delta, times)) return *exact;
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
