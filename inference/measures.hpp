#pragma once
// What an adversary believes about a secret (one position of a record's joint value) after
// observing a channel's output: exact posteriors, Bayes and g-vulnerability, multiplicative
// and min-entropy leakage, Bayes capacity. The QIF definitions follow Alvim, Chatzikokolakis,
// McIver, Morgan, Palamidessi, Smith, "The Science of Quantitative Information Flow" (2020).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "base/rational.hpp"
#include "inference/bayes_net.hpp"
#include "inference/channel.hpp"
#include "inference/result.hpp"

namespace privflow::inference {

/// The joint of (secret, output) after pushing a prior through a channel, kept in integer
/// form so that large channels need integer multiply-adds only:
///   P(secret = s, output = y) = mass(s, y) / class_scale[s],   P(y) = total(y) / scale,
/// with scale = lcm of the class scales. Only outputs of positive probability and secret
/// values of positive joint mass are stored. Use the member functions rather than the raw
/// integers where possible.
struct Observation {
  struct Output {
    std::uint64_t y = 0;  ///< channel output index
    mpz_class total;      ///< P(y) = total / scale
    /// (secret value, mass), secret ascending, masses > 0; P(s, y) = mass / class_scale[s].
    std::vector<std::pair<std::uint64_t, mpz_class>> mass;
  };
  std::uint64_t secret_size = 0;
  Distribution prior;                  ///< the secret's prior marginal (exact)
  std::vector<mpz_class> class_scale;  ///< per secret value (1 where the value has no mass)
  mpz_class scale;                     ///< lcm of class_scale
  std::vector<mpz_class> lift;         ///< scale / class_scale[s]
  std::vector<Output> outputs;         ///< outputs ascending

  /// mass · scale / class_scale[s]: the mass over the common `scale`.
  mpz_class lifted(std::uint64_t s, const mpz_class& mass) const;
  /// P(secret = s, output = outputs[i].y) exactly.
  Rational joint_probability(std::size_t i, std::uint64_t s) const;
  /// P(output = outputs[i].y) exactly.
  Rational output_probability(std::size_t i) const;
  /// The exact posterior P(secret = v | outputs[i].y).
  Rational posterior(std::size_t i, std::uint64_t v) const;
  /// The whole posterior after outputs[i] (dense, secret_size entries).
  Distribution posterior_distribution(std::size_t i) const;
};

/// Pushes `prior` (over channel.inputs() tuples) through `channel`, keeping the secret =
/// position `secret_pos` of prior.domain. Fails when the channel's input count differs from
/// the prior's domain, when more than `max_cells` (secret, output) pairs or row entries would
/// be handled, or when the exact numbers would grow too large (priors and channel rows whose
/// denominators share no factors make exact masses thousands of digits long).
Result<Observation> observe(const Joint& prior, const Channel& channel, std::size_t secret_pos,
                            std::uint64_t max_cells = kDefaultMaxCells);

/// What an adversary who sees the fields `observed` of a record in the clear (linked: as one
/// tuple) can infer about the field `secret`, through the network's correlations: the joint of
/// {secret} ∪ observed (ancestors only), a projection channel, then observe(). Seeing the
/// secret itself is allowed (the posterior is then 1 on the true value).
Result<Observation> observe_fields(const BayesNet& net, FieldId secret, const std::vector<FieldId>& observed,
                                   std::uint64_t max_cells = kDefaultMaxCells);

/// The largest exact posterior of (secret = v) over outputs of positive probability, and
/// the index into Observation::outputs where it is reached (the prior and npos when no
/// output is possible).
struct MaxPosterior {
  Rational value;
  std::size_t output = static_cast<std::size_t>(-1);
};
MaxPosterior max_posterior(const Observation& obs, std::uint64_t v);

/// Prior Bayes vulnerability V(π) = max_s π(s): the adversary's best one-try guess. Exact.
Rational prior_vulnerability(const Observation& obs);
/// Posterior Bayes vulnerability V(π ▷ C) = Σ_y max_s P(s, y). Exact; never below V(π).
Rational posterior_vulnerability(const Observation& obs);
/// Multiplicative Bayes leakage V(π ▷ C) / V(π) (>= 1). Exact.
Rational multiplicative_leakage(const Observation& obs);

/// A number of bits: an upper bound, exact when `exact`.
struct Bits {
  Rational value;      ///< >= the true value (equal when exact)
  bool exact = false;  ///< true when the ratio was a power of 2 (including 0 bits)
};
/// log2 of a positive rational, rounded UP (exact when q is a power of 2).
Bits log2_up(const Rational& q);
/// Min-entropy leakage log2(V(π ▷ C) / V(π)) in bits, rounded up; exactly 0 when nothing
/// is learnt (Smith 2009, "On the foundations of quantitative information flow").
Bits min_entropy_leakage(const Observation& obs);

/// A gain function g(w, s) >= 0 over `guesses` guesses w (Alvim et al. 2012, "Measuring
/// information leakage using generalized gain functions").
struct GainFunction {
  std::uint64_t guesses = 0;
  std::function<Rational(std::uint64_t guess, std::uint64_t secret)> gain;
};
/// Prior g-vulnerability max_w Σ_s π(s) g(w, s). Exact. Cost guesses × secret_size.
Rational prior_g_vulnerability(const Observation& obs, const GainFunction& g);
/// Posterior g-vulnerability Σ_y max_w Σ_s P(s, y) g(w, s). Exact.
Rational posterior_g_vulnerability(const Observation& obs, const GainFunction& g);
/// "Guess within distance d" for an integer secret (value index i stands for lo + i):
/// gain 1 when |w − s| <= d. Prior / posterior vulnerability computed with sliding windows
/// (linear in the observation's size). Exact.
Rational prior_vulnerability_within(const Observation& obs, std::uint64_t d);
Rational posterior_vulnerability_within(const Observation& obs, std::uint64_t d);

/// Multiplicative Bayes capacity of a channel: Σ_y max_x C(x, y), the largest
/// multiplicative Bayes leakage over all priors on its inputs, reached by the uniform
/// prior (Braun, Chatzikokolakis, Palamidessi 2009, "Quantitative notions of leakage for
/// one-try attacks"). Exact. Fails above max_cells row entries.
Result<Rational> bayes_capacity(const Channel& channel, std::uint64_t max_cells = kDefaultMaxCells);

/// The local-DP ε of an exact channel, rounded UP: max over outputs of
/// ln(max_x C(x, y) / min_x C(x, y)); infinite (nullopt) when some output has probability 0
/// for one input and not for another. Fails above max_cells entries.
Result<std::optional<Rational>> channel_epsilon_up(const Channel& channel,
                                                   std::uint64_t max_cells = kDefaultMaxCells);

}  // namespace privflow::inference
