// Composition (dp/accountant.hpp): its parts, its caches, and the questions asked of it (ε at
// δ, δ at ε, the loss quantile, the membership advantage). The accountants' steps are in
// dp/rdp_composition.cpp and dp/pld_composition.cpp.
#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <locale>
#include <sstream>

#include "dp/accountant.hpp"
#include "dp/detail/closed_form.hpp"
#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"
#include "dp/rdp.hpp"

namespace privflow::dp {

using detail::gaussian_delta;
using detail::gaussian_equivalent;
using detail::infinite_result;
using detail::kInf;
using detail::pld_cache_for;
using detail::pld_epsilon;
using detail::pld_loss_tail;
using detail::RdpState;
using detail::rdp_epsilon;

namespace detail {

std::string format_general(double x, int digits) {
  std::ostringstream o;
  o.imbue(std::locale::classic());  // a decimal point whatever the global locale
  o.precision(digits);
  o << x;
  return o.str();
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

}  // namespace detail

using detail::format_general;

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

const detail::RdpState& Composition::rdp_cached() const {
  if (!rdp_cache_) rdp_cache_ = std::make_shared<detail::RdpState>(detail::rdp_state(parts_));
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
  // Closed forms first (dp/detail/closed_form.hpp): exact, so no grid or order search can beat them.
  if (a != Accountant::kRdp) {
    if (auto exact = detail::closed_form_epsilon(parts_, delta)) return exact->value <= pure ? *exact : pure_result(Accountant::kPld);
  }
  std::optional<EpsilonResult> best;
  if (a == Accountant::kRdp || a == Accountant::kAuto) best = rdp_epsilon(rdp_cached(), delta);
  if (a == Accountant::kPld || a == Accountant::kAuto) {
    const auto* c = pld_cache_for(parts_, pld_options, pld_cache_);
    if (c->adaptive ? c->available : detail::pld_fixed(*c)) {
      EpsilonResult p = pld_epsilon(*c, delta);
      if (!best || (!p.infinite && (best->infinite || p.value < best->value))) best = p;
    } else if (!best) {
      best = rdp_epsilon(rdp_cached(), delta);
      best->how += " (the pld accountant cannot represent this composition: zCDP parts or too wide a range)";
    }
  }
  if (a != Accountant::kRdp) {  // the optimal composition of pure parts bounds Laplace's too
    auto bound = detail::dominated_binomial_epsilon(parts_, delta);
    if (bound && (best->infinite || bound->value < best->value)) best = bound;
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
  if (a != Accountant::kRdp) {
    if (auto exact = detail::closed_form_delta(parts_, epsilon)) return *exact;
  }
  double best = 1;
  const detail::PldCache* c = a == Accountant::kRdp ? nullptr : pld_cache_for(parts_, pld_options, pld_cache_);
  const bool use_pld = c && detail::pld_fixed(*c);
  if (a != Accountant::kPld || !use_pld) {
    const RdpState& s = rdp_cached();
    const auto d = rdp::to_delta(rdp::default_orders(), s.curve, epsilon);
    best = std::min(1.0, d.delta + s.extra_delta - d.delta * s.extra_delta);
    out.accountant = Accountant::kRdp;
    out.how = "rdp, optimal order " + format_general(d.order);
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
                                 : std::max(c->remove.delta(epsilon), fixed_add(*c).delta(epsilon));
    if (d < best || a == Accountant::kPld) {
      best = d;
      out.accountant = Accountant::kPld;
      out.how = c->analytic ? "pld, exact Gaussian" : "pld, loss grid " + format_general(c->grid);
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
    r.how = "rdp tail bound, order " + format_general(t.order);
    if (a == Accountant::kPld) r.how += " (pld bounds delta(eps), not the loss quantile)";
  } else {
    r.value = kInf;
  }
  if (a != Accountant::kRdp) {
    const auto* c = pld_cache_for(parts_, pld_options, pld_cache_);
    if (c->available) {
      const auto t = pld_loss_tail(*c, delta);
      if (t.value < r.value) r = t;
    }
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

namespace detail {

EpsilonResult pld_loss_tail(const PldCache& c, double delta) {
  // For ε < ε': δ(ε) = E_P[(1 − e^{ε−L})⁺] ≥ (1 − e^{ε−ε'})·P[L > ε'], so with δ(ε) ≤ f·δ,
  // P[L > ε − log(1 − f)] ≤ δ. This holds for every pair the PLD's pair dominates (a bound
  // on δ(ε) is all it needs), and f is chosen over the whole profile.
  EpsilonResult best = infinite_result(delta, Accountant::kPld, "pld: no finite loss quantile");
  for (double f : {0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.003, 0.001}) {
    const EpsilonResult e = pld_epsilon(c, f * delta);
    if (e.infinite) continue;
    const double v = detail::up(e.value - std::log1p(-f), 1e-12);
    if (v < best.value) {
      best = e;
      best.value = v;
      best.delta = delta;
      best.how = "pld: epsilon at delta " + format_general(f * delta, 3) +
                 " plus log(1/(1 - " + format_general(f, 3) + ")) bounds the loss quantile (" + e.how + ")";
    }
  }
  best.infinite = std::isinf(best.value);
  return best;
}

}  // namespace detail

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

}  // namespace privflow::dp
