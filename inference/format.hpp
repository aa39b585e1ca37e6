#pragma once
// Printing inference results: exact fractions when short, else decimals rounded up.
#include <string>

#include "base/rational.hpp"
#include "inference/measures.hpp"

namespace privflow::inference {

/// An exact probability as `1/4` or `0.25` when short (<= 11 characters), else a decimal with
/// `digits` significant digits rounded UP (`0.3334`).
std::string format_probability(const Rational& q, int digits = 4);
/// Bits: exact values as above (`0`, `2`), bounds as decimals rounded up (`0.07039`).
std::string format_bits(const Bits& bits, int digits = 4);

}  // namespace privflow::inference
