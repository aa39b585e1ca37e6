// The RDP accountant of a Composition: the per-part curves, their sum, and ε at δ.
#include <algorithm>
#include <cmath>

#include "dp/detail/composition.hpp"
#include "dp/detail/numeric.hpp"
#include "dp/rdp.hpp"

namespace privflow::dp::detail {

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
      case MechanismKind::kDiscreteGaussian: v = rdp::discrete_gaussian(m.sigma, m.shift, a); break;
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

}  // namespace

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
  r.how = "rdp, optimal order " + format_general(c.order) + " (conversion of Canonne-Kamath-Steinke 2020)";
  if (s.extra_delta > 0) r.how += ", declared delta " + format_general(s.extra_delta) + " set aside";
  return r;
}

}  // namespace privflow::dp::detail
