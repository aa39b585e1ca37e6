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

/// True when `x`'s one report has an exact channel on its field (at most 4096 outputs for the
/// bit channels, 65536 cells for the others): rappor and unary_encoding with p and q written as
/// numbers; unary_encoding by epsilon (OUE); local_hashing on a field of at most g values;
/// hadamard_response; count_mean_sketch.
bool has_exact_local_channel(const flow::Graph& g, const flow::Artifact& x);

/// True when that channel is computed from e^ε rounded up (ε written as a number): the channel
/// is then more informative than the true one (each family is a garbling of itself at a larger
/// e^ε), its figures upper bounds within 2^-120.
bool local_channel_rounded(const flow::Graph& g, const flow::Artifact& x);

/// The multiplicative Bayes capacity of one report of local_hashing, g·e^ε/(e^ε + g − 1) with
/// e^ε rounded up, which bounds every hash of any family on any number of values (min-entropy
/// leakage through it is at most log2 of it for every prior and with any other views);
/// nullopt for the other kinds, or e^ε beyond e^700.
std::optional<Rational> hashing_capacity(const flow::Graph& g, const flow::Artifact& x);

/// The channel of one report of `x` on the field at `pos` of `input`:
/// - rappor, unary_encoding: each value sets `hashes` bits of its own (no collisions, the case
///   the paper's ε is for), each bit reported as 1 w.p. q* (set) or p* (not set; OUE: q* 1/2,
///   p* 1/(e^ε + 1) with e^ε rounded up); with
///   `permanent`, the channel of RAPPOR's permanent response alone (each bit kept w.p. 1 − f/2),
///   which every number of reports is post-processing of;
/// - count_mean_sketch: the same with one bit per value and q* = e^{ε/2}/(1 + e^{ε/2}),
///   p* = 1 − q* (every value in its own bucket: it bounds every hash's collisions for the
///   posterior and Bayes vulnerability, analyzer/local_randomizers.cpp says why);
/// - local_hashing: g-ary randomized response on the values (the worst hash, one bucket each:
///   sound for any hash family, analyzer/local_randomizers.cpp says why);
/// - hadamard_response: the K-output Hadamard channel.
/// nullopt when the channel would be too large.
std::optional<inference::Channel> local_channel(const flow::Graph& g, const flow::Artifact& x,
                                                const inference::Domain& input, std::size_t pos, bool permanent);

}  // namespace privflow::analyzer::detail
