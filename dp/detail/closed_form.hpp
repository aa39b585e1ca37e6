#pragma once
// Internal to dp/ (not installed): exact answers for the compositions that have a closed form,
// asked by Composition::epsilon / delta before any grid (dp/closed_form.cpp).
//  - only Gaussians (also heterogeneous): the composition is μ-GDP with μ² = Σ T_i / z_i²
//    (Dong, Roth & Su 2019, Cor. 3.3), whose hockey stick is Balle & Wang 2018, Thm 8;
//  - only parts whose privacy loss takes the two values ±ε₀ (geometric, declared pure ε, binary
//    randomized response, one common ε₀): the composed loss is (2I − k)ε₀ with
//    I binomial, so δ(ε) is a binomial sum (Kairouz, Oh & Viswanath 2015, Thm 3.3 form);
//  - only Poisson-subsampled parts when δ is at least the probability that the record is used:
//    ε = 0.
//  - one Poisson-subsampled Gaussian step under add/remove: each direction of its hockey stick
//    is a Gaussian one by advanced joint convexity (Balle, Barthe & Gaboardi 2018, Thm 2).
//  - only Laplace mechanisms of one common ε₀, up to 150 uses: their composed loss is point
//    masses and exponential-polynomial pieces, kept exactly (dp/detail/laplace_composition.hpp).
// Every answer is an upper bound, rounded up; nullopt when the composition has no closed form.
#include <optional>
#include <vector>

#include "dp/accountant.hpp"

namespace privflow::dp::detail {

/// ε at δ > 0 from a closed form, or nullopt.
std::optional<EpsilonResult> closed_form_epsilon(const std::vector<Mechanism>& parts, double delta);
/// An upper bound, not exact, for pure parts of one common ε₀ that are not two-valued (Laplace,
/// exponential):
/// the binomial of binary randomized response, which dominates every ε₀-DP pair (Kairouz, Oh &
/// Viswanath 2015, optimal composition). Tight for tiny ε₀; the accountants may beat it.
std::optional<EpsilonResult> dominated_binomial_epsilon(const std::vector<Mechanism>& parts, double delta);
/// δ at ε ≥ 0 from a closed form, or nullopt.
std::optional<DeltaResult> closed_form_delta(const std::vector<Mechanism>& parts, double epsilon);

/// 1 − Π(1 − q_i)^{T_i} when every part is a Poisson-subsampled Gaussian under add/remove: the
/// probability that the record is used at all, so δ at ε = 0 (rounded up); else nullopt.
std::optional<double> probability_used(const std::vector<Mechanism>& parts);

/// δ(ε) of μ-GDP: Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2), rounded up; stable at huge ε and tiny δ.
double gdp_delta(double mu, double epsilon);
/// The smallest ε ≥ 0 (to a relative 1e-12, rounded up) with gdp_delta(μ, ε) ≤ δ.
double gdp_epsilon(double mu, double delta);

}  // namespace privflow::dp::detail
