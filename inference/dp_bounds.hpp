#pragma once
// From differential-privacy losses to what an adversary can believe. ε is irrational under
// exp, so these use MPFR with directed rounding; each result is an exact rational that is
// an UPPER bound on the true value (the safe direction for what an adversary achieves).
#include <cstdint>
#include <utility>
#include <vector>

#include "base/rational.hpp"
#include "inference/measures.hpp"

namespace privflow::inference {

/// e^ε rounded up (ε >= 0). For display and tests.
Rational exp_up(const Rational& epsilon);
/// e^ε rounded down.
Rational exp_down(const Rational& epsilon);

/// Most an adversary can believe that the target has a property of prior probability
/// `prior` after a release of privacy loss ε (ε the loss exceeded with probability at most
/// δ): e^ε·π / (e^ε·π + 1 − π), rounded up. Bayes' rule with a likelihood ratio of at most
/// e^ε (the Bayesian reading of DP: Kasiviswanathan & Smith 2014, "On the 'semantics' of
/// differential privacy"). Monotone in π and ε; 0 and 1 are fixed points.
Rational posterior_bound_up(const Rational& prior, const Rational& epsilon);

/// An exact posterior `posterior` (from finite channels) combined with releases of total
/// loss ε: the posterior odds are multiplied by at most e^ε. Same formula as
/// posterior_bound_up with π = the exact posterior; rounded up.
Rational combine_with_release_up(const Rational& posterior, const Rational& epsilon);

/// Membership-inference advantage TPR − FPR of any test against an (ε, δ)-DP mechanism:
/// at most (e^ε − 1 + 2δ) / (e^ε + 1): the largest TPR − FPR allowed by the hypothesis-testing
/// characterisation of (ε, δ)-DP (Kairouz, Oh, Viswanath 2015: TPR <= e^ε FPR + δ and
/// 1 − FPR <= e^ε (1 − TPR) + δ), reached where the two lines meet. Rounded up, capped at 1.
Rational advantage_bound_up(const Rational& epsilon, const Rational& delta);
/// The same minimised over the points (ε_i, δ(ε_i)) of a privacy profile (each point is a
/// valid guarantee, so the least bound holds). 1 for an empty profile.
Rational advantage_bound_up(const std::vector<std::pair<Rational, Rational>>& profile);

/// Min-entropy leakage bound of an ε-DP release about a field of k values:
/// min(ε·log2(e), log2(k)) bits, rounded up. An ε-DP channel has multiplicative Bayes capacity
/// Σ_y max_x C(x,y) <= Σ_y e^ε C(x0,y) = e^ε, and any channel at most k (cf. Alvim et al. 2011,
/// "On the relation between differential privacy and quantitative information flow").
/// Exact (k a power of 2) only for the cap.
Bits leakage_bound_up(const Rational& epsilon, std::uint64_t k);

/// Min-entropy leakage of exact finite channels (`exact` bits) combined with releases whose
/// loss between any two values of the record is at most ε: each release multiplies the
/// posterior Bayes vulnerability by at most e^ε (its likelihoods differ by at most e^ε across
/// inputs), so leakage <= exact + ε·log2(e), and never above log2(k). Rounded up.
Bits combine_leakage_up(const Bits& exact, const Rational& epsilon, std::uint64_t k);

/// An interval [lo, hi] of short decimals (12 significant digits) containing the keep
/// probability e^ε / (e^ε + k − 1) of k-ary randomized response at ε, for channels given by
/// `epsilon` rather than an exact `keep`. Every channel entry is affine in keep, so a posterior
/// after a given output is a linear-fractional function of each keep and Bayes vulnerability a
/// convex one: their maxima over a box of keeps are reached at its vertices. Evaluating the
/// exact measures at every vertex (2^m for m such channels) and taking the largest is an upper
/// bound for the true keeps.
std::pair<Rational, Rational> rr_keep_interval(const Rational& epsilon, std::uint64_t k);

/// Multiplicative Bayes capacity of k-ary randomized response at ε: k·e^ε / (e^ε + k − 1),
/// rounded up (closed form of Σ_y max_x C(x, y)).
Rational rr_capacity_up(const Rational& epsilon, std::uint64_t k);

}  // namespace privflow::inference
