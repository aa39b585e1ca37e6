#pragma once
// Saturating counts of cells, outcomes and count vectors: a product that would pass 2^64 - 1
// stays there, so a limit compared against it still refuses.
#include <cstdint>
#include <limits>

namespace privflow::inference::detail {

inline constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();

inline std::uint64_t mul_sat(std::uint64_t a, std::uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}

}  // namespace privflow::inference::detail
