// Amplification and transformations (dp/accountant.hpp): the closed form of amplification by
// shuffling (the numerical bound is in dp/shuffle.cpp), distributed noise, group privacy.
#include <algorithm>
#include <cmath>

#include "dp/accountant.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp {

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
}  // namespace privflow::dp
