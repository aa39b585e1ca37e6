#pragma once
// Noise releases on a Poisson sample (`sampling_rate` on laplace, gaussian and
// randomized_response; docs/language.md, "The catalogue of computations"): their dp profile.
#include <optional>
#include <string>

#include "base/rational.hpp"
#include "dp/accountant.hpp"

namespace privflow::analyzer::detail {

/// A noise release's profile once sampled, and the words its parameters add.
struct SampledProfile {
  dp::Mechanism mechanism;  // one use (the caller repeats it)
  std::string words;
};

/// The question the release answers: the data's relation and whether a value question turns it
/// into replace-one (analyzer/release_profile.cpp, Release::to_replace).
struct SampledQuestion {
  bool add_remove = true;  // the data's own relation
  bool to_replace = false;
};

/// Laplace of pure ε (add/remove sensitivity; `replace_factor` the replace-one sensitivity over
/// it) on a Poisson sample of rate q < 1.
SampledProfile sampled_laplace(const Rational& epsilon, const Rational& replace_factor, const Rational& q,
                               SampledQuestion question);
/// Gaussian of noise multiplier z (σ over the add/remove sensitivity) on a Poisson sample of
/// rate q < 1; nullopt when the sample cannot be used (then the Gaussian of z as it is).
std::optional<SampledProfile> sampled_gaussian(double z, const Rational& q, SampledQuestion question);
/// Randomized response (as built) sent with probability q < 1.
SampledProfile sampled_randomized_response(const dp::Mechanism& rr, const Rational& q);

}  // namespace privflow::analyzer::detail
