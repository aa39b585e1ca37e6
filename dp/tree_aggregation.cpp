#include "dp/tree_aggregation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace privflow::dp {
namespace {

/// ⌊log2 n⌋ for n ≥ 1.
std::uint64_t floor_log2(std::uint64_t n) {
  std::uint64_t h = 0;
  while (n >>= 1) ++h;
  return h;
}

Rational from_u64(std::uint64_t n) {
  mpz_class z;
  mpz_import(z.get_mpz_t(), 1, 1, sizeof n, 0, 0, &n);
  return Rational(z);
}

}  // namespace

std::uint64_t tree_nodes_per_leaf(std::uint64_t steps, bool completion) {
  steps = std::max<std::uint64_t>(steps, 1);
  const std::uint64_t below = floor_log2(steps);
  // Completion pads to 2^⌈log2 T⌉ leaves: one level more unless T is a power of 2.
  const bool power_of_two = (steps & (steps - 1)) == 0;
  return below + 1 + (completion && !power_of_two ? 1 : 0);
}

Rational tree_sensitivity_squared(std::uint64_t steps, std::uint64_t trees, bool completion) {
  return from_u64(tree_nodes_per_leaf(steps, completion)) * from_u64(std::max<std::uint64_t>(trees, 1));
}

std::optional<Rational> banded_toeplitz_sensitivity_squared(const BandedToeplitz& s, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<Rational> {
    if (error) *error = why;
    return std::nullopt;
  };
  const std::uint64_t bands = s.coefficients.size();
  if (bands == 0) return fail("a banded strategy needs at least one coefficient");
  if (s.steps == 0 || s.participations == 0 || s.min_separation == 0)
    return fail("steps, participations and the minimum separation must be at least 1");
  if (bands > s.min_separation)
    return fail("the strategy has " + std::to_string(bands) + " bands, more than the minimum separation " +
                std::to_string(s.min_separation) +
                ": participations can share rows (give the strategy's sensitivity instead)");
  // Column j has rows j … min(j + bands, steps) − 1: ‖C_j‖² = Σ_{i < min(bands, steps − j)} c_i².
  std::vector<Rational> prefix(bands + 1, Rational(0));
  for (std::uint64_t i = 0; i < bands; ++i) prefix[i + 1] = prefix[i] + s.coefficients[i] * s.coefficients[i];
  // The pattern 0, b, 2b, …: the columns j ≤ steps − bands are whole, and since bands ≤ b at
  // most one more (cut off by the last step) follows them; counted, not walked, so that many
  // participations over unbounded steps cost nothing.
  const std::uint64_t b = s.min_separation;
  const std::uint64_t whole =
      s.steps < bands ? 0 : std::min<std::uint64_t>(s.participations, (s.steps - bands) / b + 1);
  Rational total = prefix[bands] * Rational(mpz_class(std::to_string(whole)));
  if (whole < s.participations) {
    std::uint64_t j = 0;  // an overflow is past every step
    if (!__builtin_mul_overflow(whole, b, &j) && j < s.steps) total += prefix[std::min<std::uint64_t>(bands, s.steps - j)];
  }
  total.canonicalize();
  return total;
}

double effective_noise_multiplier(const Rational& z, const Rational& sensitivity_squared) {
  if (sgn(sensitivity_squared) <= 0) return std::numeric_limits<double>::infinity();
  Rational ratio = z * z / sensitivity_squared;
  ratio.canonicalize();
  // sqrt is correctly rounded; one step down makes it a lower bound of √(ratio).
  const double root = std::sqrt(to_double_down(ratio));
  return std::nextafter(root, 0.0);
}

}  // namespace privflow::dp
