#pragma once
// The privacy profile and the exact channel of the local randomizers for frequency estimation
// (rappor, unary_encoding, local_hashing, hadamard_response, count_mean_sketch; dp/local_randomizers.hpp
// has the formulas and their sources).
#include <cstdint>
#include <optional>
#include <string>

#include "base/rational.hpp"
#include "flow/graph.hpp"
#include "inference/channel.hpp"

namespace privflow::analyzer::detail {

struct LocalProfile {
  double epsilon_per_report = 0;  // rounded up
  double epsilon_total = 0;       // `times` reports of the same value, rounded up
  bool composes = true;           // false: epsilon_total is RAPPOR's ε∞ cap, not times·ε
  std::optional<Rational> exact_epsilon;  // when ε is written as a number
  std::string parameters;         // as reports show them
  std::string error;
};

/// The ε of one report and of `times` reports of `x`, one of the local randomizers.
LocalProfile local_randomizer_profile(const flow::Graph& g, const flow::Artifact& x, std::uint64_t times);

/// True for rappor and unary_encoding with f, p, q written as numbers, on a field small enough
/// for bit_channel (at most 4096 outputs): their channel is exact.
bool has_exact_bit_channel(const flow::Graph& g, const flow::Artifact& x);

/// The channel of rappor or unary_encoding on the field at `pos` of `input` (a field of
/// `values` values): each value sets `hashes` bits of its own (no collisions, the case the
/// paper's ε is for), each bit reported as 1 w.p. q* (set) or p* (not set). With `permanent`,
/// the channel of the permanent response alone (each bit kept w.p. 1 − f/2), which every
/// number of reports is post-processing of. nullopt when the outputs would be too many.
std::optional<inference::Channel> bit_channel(const flow::Graph& g, const flow::Artifact& x,
                                              const inference::Domain& input, std::size_t pos, bool permanent);

}  // namespace privflow::analyzer::detail
