// Mechanisms (dp/accountant.hpp): the factories, which fill the derived fields with the
// rounding on the safe side, their validation and their short text.
#include <algorithm>
#include <cmath>
#include <locale>
#include <sstream>

#include "dp/accountant.hpp"
#include "dp/detail/numeric.hpp"

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
std::string describe_number(double x) {
  std::ostringstream o;
  o.imbue(std::locale::classic());  // a decimal point whatever the global locale
  o.precision(6);
  o << x;
  return o.str();
}
constexpr std::uint64_t kMaxTimes = 1000000000000ULL;  // 10^12
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
Mechanism Mechanism::discrete_gaussian(double sigma, std::uint64_t sensitivity) {
  Mechanism m;
  m.kind = MechanismKind::kDiscreteGaussian;
  m.sigma = sigma;
  m.shift = sensitivity;
  return m;
}
Mechanism Mechanism::subsampled_laplace(double e, double q) {
  Mechanism m;
  m.kind = MechanismKind::kSubsampledLaplace;
  m.inner_epsilon = e;
  m.sampling_rate = q;
  // log(1 + q(e^ε − 1)) (Balle, Barthe & Gaboardi 2018, Thm 8), rounded up; ε itself at q = 1.
  m.epsilon = q >= 1 ? e : std::min(e, detail::up(std::log1p(q * std::expm1(e)), 1e-14));
  return m;
}
Mechanism Mechanism::subsampled_laplace_replace(double e, double q, double shift, double pure_epsilon) {
  Mechanism m = subsampled_laplace(e, q);
  m.neighbouring = Neighbouring::kReplace;
  m.replace_shift = std::clamp(shift, 0.0, 1.0);
  // The pair's largest loss, at x ≤ −Δ: log((q·e^ε + 1 − q)/(q·e^{−cε} + 1 − q)), rounded up.
  const double top = std::log1p(q * std::expm1(e)) - std::log1p(q * std::expm1(-m.replace_shift * e));
  m.epsilon = std::min(pure_epsilon, detail::up(top, 1e-13));
  return m;
}
Mechanism Mechanism::sampled_laplace_replace(const Rational& epsilon, double q, const Rational& factor) {
  // log(1 + q(e^ε − 1)), rounded up (a relative 1e-13 covers log1p and expm1's few ulps).
  auto amplified_up = [q](double e) {
    const double v = std::log1p(q * std::expm1(e));
    return std::isfinite(v) ? std::nextafter(v * (1 + 1e-13), kInf) : v;
  };
  Rational replaced = epsilon * factor, shift = factor - 1;
  replaced.canonicalize();
  shift.canonicalize();
  const double e = to_double_up(epsilon), joint = amplified_up(to_double_up(replaced));
  const double pure = std::min({joint, std::nextafter(2 * amplified_up(e), kInf), to_double_up(replaced)});
  return subsampled_laplace_replace(e, q, to_double_up(shift), pure);
}
Mechanism Mechanism::subsampled_randomized_response(const Mechanism& rr, double q) {
  Mechanism m = rr;
  m.kind = MechanismKind::kSubsampledRandomizedResponse;
  m.sampling_rate = q;
  return m;
}
Mechanism Mechanism::poisson_sampled(double q) const {
  if (q >= 1) return *this;
  Mechanism m = *this;
  switch (kind) {
    case MechanismKind::kLaplace: m = subsampled_laplace(epsilon, q); break;
    case MechanismKind::kRandomizedResponse: m = subsampled_randomized_response(*this, q); break;
    case MechanismKind::kGaussian: m = subsampled_gaussian(noise_multiplier, q); break;
    default: return *this;
  }
  m.times = times;
  m.neighbouring = neighbouring;
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

Mechanism Mechanism::with(Sampling s) const {
  Mechanism m = *this;
  m.sampling = s;
  return m;
}

bool Mechanism::is_pure() const {
  switch (kind) {
    case MechanismKind::kLaplace:
    case MechanismKind::kGeometric:
    case MechanismKind::kExponential:
    case MechanismKind::kRandomizedResponse:
    case MechanismKind::kSubsampledLaplace:
    case MechanismKind::kSubsampledRandomizedResponse: return true;
    case MechanismKind::kDeclared: return delta == 0;
    default: return false;
  }
}

std::string Mechanism::describe() const {
  std::string s;
  switch (kind) {
    case MechanismKind::kLaplace: s = "laplace(eps=" + describe_number(epsilon) + ")"; break;
    case MechanismKind::kGeometric: s = "geometric(eps=" + describe_number(epsilon) + ")"; break;
    case MechanismKind::kExponential: s = "exponential(eps=" + describe_number(epsilon) + ")"; break;
    case MechanismKind::kGaussian: s = "gaussian(z=" + describe_number(noise_multiplier) + ")"; break;
    case MechanismKind::kRandomizedResponse:
      s = "randomized_response(keep=" + describe_number(keep) + ", k=" + std::to_string(values) + ")";
      break;
    case MechanismKind::kSubsampledGaussian:
      s = "subsampled_gaussian(z=" + describe_number(noise_multiplier) + ", q=" + describe_number(sampling_rate) +
          (sampling == Sampling::kFixedSize ? ", fixed-size" : "") +
          (neighbouring == Neighbouring::kReplace ? ", replace-one" : "") + ")";
      break;
    case MechanismKind::kDeclared: s = "declared(eps=" + describe_number(epsilon) + ", delta=" + describe_number(delta) + ")"; break;
    case MechanismKind::kZcdp: s = "zcdp(rho=" + describe_number(rho) + ")"; break;
    case MechanismKind::kDiscreteGaussian:
      s = "discrete_gaussian(sigma=" + describe_number(sigma) + ", sensitivity=" + std::to_string(shift) + ")";
      break;
    case MechanismKind::kSubsampledLaplace:
      s = "subsampled_laplace(eps=" + describe_number(inner_epsilon) + ", q=" + describe_number(sampling_rate) +
          (neighbouring == Neighbouring::kReplace ? ", replace-one x" + describe_number(1 + replace_shift) : "") + ")";
      break;
    case MechanismKind::kSubsampledRandomizedResponse:
      s = "subsampled_randomized_response(keep=" + describe_number(keep) + ", k=" + std::to_string(values) +
          ", q=" + describe_number(sampling_rate) + ")";
      break;
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
    case MechanismKind::kDiscreteGaussian:
      if (!(std::isfinite(m.sigma) && m.sigma > 0)) return "sigma must be > 0 and finite";
      if (m.shift < 1 || m.shift > kMaxTimes) return "sensitivity must be a whole number between 1 and 10^12";
      return std::nullopt;
    case MechanismKind::kSubsampledLaplace:
      if (!finite_nonneg(m.inner_epsilon) || !finite_nonneg(m.epsilon)) return "epsilon must be finite and >= 0";
      if (!(m.sampling_rate > 0 && m.sampling_rate <= 1)) return "sampling rate must be in (0, 1]";
      return std::nullopt;
    case MechanismKind::kSubsampledRandomizedResponse:
      if (m.values < 2) return "randomized response needs at least 2 values";
      if (!(m.keep > 1.0 / static_cast<double>(m.values) && m.keep < 1)) return "keep probability must be in (1/k, 1)";
      if (!finite_nonneg(m.epsilon) || m.epsilon == 0) return "epsilon must be finite and > 0";
      if (!(m.sampling_rate > 0 && m.sampling_rate <= 1)) return "sampling rate must be in (0, 1]";
      return std::nullopt;
  }
  return "unknown mechanism";
}

}  // namespace privflow::dp
