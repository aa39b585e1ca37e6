#pragma once
// The error of a noisy release (issue #22, docs/concepts.md "The error of a release"): the
// noise's standard deviation and the half-width w of the interval that holds the error with
// probability at least 1 − β, for the noise distributions of the catalogue. Each half-width is
// exact for its distribution and rounded UP (a too-small error figure is optimistic advice);
// each standard deviation is rounded up too.
#include <cstdint>
#include <functional>

namespace privflow::dp::error {

struct Figure {
  double sd = 0;          // standard deviation of the error (upper bound)
  double half_width = 0;  // P(|error| > half_width) ≤ β
};

/// Laplace noise of scale b: sd √2·b; P(|X| > w) = e^{−w/b}, so w = b·ln(1/β).
Figure laplace(double scale, double beta);
/// Gaussian noise N(0, σ²): sd σ; w = σ·Φ⁻¹(1 − β/2) (Boost.Math's normal quantile).
Figure gaussian(double sigma, double beta);
/// The two-sided geometric distribution P(k) ∝ α^|k|, α = e^{−ε/Δ} (Ghosh, Roughgarden &
/// Sundararajan 2009): Var = 2α/(1 − α)²; P(|X| > k) = 2α^{k+1}/(1 + α), so the least whole
/// k with 2α^{k+1}/(1 + α) ≤ β.
Figure geometric(double epsilon_over_sensitivity, double beta);
/// The discrete Gaussian N_Z(0, σ²) (Canonne, Kamath & Steinke 2020): the variance and the least
/// whole w with P(|X| > w) ≤ β, by summing the mass exactly (σ ≤ 10⁴); beyond, their
/// Proposition 19 (Var ≤ σ²) and Proposition 25 (P(X ≥ m) ≤ P(N(0, σ²) ≥ m − 1)) bound both.
Figure discrete_gaussian(double sigma, double beta);

/// A frequency oracle's estimate of one value's frequency (fraction of n reports), from the
/// probabilities that a report supports the value when its sender holds it (s_t) and when she
/// holds another (s_o). Wang, Blocki, Li & Jha 2017 (USENIX Security), Theorem 2: the count's
/// variance n·s_o(1 − s_o)/(s_t − s_o)² + c·(1 − s_t − s_o)/(s_t − s_o); the sd here is its
/// worst case over the true count c ∈ [0, n], divided by n. The half-width is Bernstein's
/// inequality for the n independent reports (each moves the estimate by at most 1/(n(s_t − s_o))):
/// sound for every n, where the normal approximation z·sd is not.
Figure frequency(double support_true, double support_other, double n, double beta);

/// Bernstein's inequality for a sum of independent zero-mean terms of total variance V, each at
/// most M in absolute value: P(|sum| ≥ t) ≤ 2·exp(−t²/(2(V + M·t/3))); the t where that is β.
double bernstein_half_width(double total_variance, double bound, double beta);

/// A selection's error: the chosen output's shortfall from the best score, in the score's units.
/// half_width: P(shortfall > half_width) ≤ β; sd: an upper bound on the shortfall's root mean
/// square (so on its standard deviation), ∫ 2α·min(1, tail(α)) dα for the tail bound used.
///
/// The exponential mechanism P(r) ∝ exp(ε·u(r)/(2Δ)) over `candidates` outputs: P(shortfall ≥ α)
/// ≤ (|R| − 1)·e^{−εα/(2Δ)} (Dwork & Roth 2014, Thm 3.11, with at most |R| − 1 outputs short of
/// the best), so α = (2Δ/ε)·ln((|R| − 1)/β) (their Cor. 3.12 with |R| − 1 for |R|). `selections`
/// peeling runs (top-k: Durfee & Rogers 2019, Thm 1) share β by a union bound: each returned
/// item is then within α of the k-th best score.
Figure exponential_selection(double sensitivity_over_epsilon, double candidates, double selections, double beta);
/// Report noisy max with Lap(b) on each of m scores (b = 2Δ/ε): choosing j over the best * needs
/// Z_j − Z_* > u_* − u_j, and the difference of two Laplace(b) has P(D > a) = ½e^{−a/b}(1 + a/(2b)),
/// so by a union bound over the m − 1 others P(shortfall > a) ≤ (m − 1)·½e^{−a/b}(1 + a/(2b)).
Figure report_noisy_max(double scale, double candidates, double beta);
/// Sparse vector (AboveThreshold, Lyu, Su & Li 2017, Alg. 1): threshold noise ρ ~ Lap(b1), query
/// noise ν_i ~ Lap(b2). Over `queries` queries, a wrong answer needs |ν_i − ρ| > α (Dwork & Roth
/// 2014, Def. 3.9 and Thm 3.24's argument); the union bound over the queries is taken given ρ
/// and integrated over ρ exactly: P ≤ E[min(1, k·e^{−(α − |ρ|)/b2})], solved for α. sd: the
/// root mean square of ν_i − ρ, √(2b1² + 2b2²).
Figure sparse_vector(double threshold_scale, double query_scale, double queries, double beta);

/// An unbiased estimate on a Poisson sample of rate q: (Σ_{sampled} x_i + noise)/q, each record
/// contributing |x_i| ≤ M, at most `rows` records. Error = sampling part + noise/q; the sampling
/// part is a sum of independent terms x_i(B_i − q)/q, each |·| ≤ M·max(q, 1 − q)/q, of total
/// variance ≤ rows·M²(1 − q)/q (the worst case: every record there, at |x_i| = M). β is split
/// between the two parts (the best of a few splits; each is sound): the noise's half-width for its
/// share (`noise_half_width(β')`, already over q's units: divided here) plus the sampling part's:
/// Bernstein's inequality, and for a count (`unit_records`: every x_i = 1) also the Berry–Esseen
/// bound for c i.i.d. Bernoulli terms (Shevtsova 2011, C ≤ 0.4748), 2(1 − Φ(t/σ_c)) + 2Cρ/(σ₁³√c),
/// the smaller of the two taken for every true count c ≤ rows (over a geometric grid of c,
/// each cell bounded at its ends: both bounds are monotone in c term by term).
Figure poisson_sampled(double rows, double record_bound, double q, bool unit_records, double noise_sd,
                       const std::function<double(double)>& noise_half_width, double beta);

/// Apple's count-mean sketch, width m, k hash functions, n reports: the estimated frequency of a
/// value. Given the hash functions, the n reports are independent: each moves the estimate by at
/// most c·m/((m − 1)n) from its mean (c = (e^{ε/2} + 1)/(e^{ε/2} − 1)) and has variance at most
/// (m/(m − 1))²((c² − 1)/4 + γ_i)/n², γ_i the share of rows where its value collides with the
/// estimated one. Over random hash functions the bias (m/(m − 1))·Σ w_v(γ_v − 1/m) is a sum of
/// independent terms (each row, each other value), of total variance ≤ (1/m)(1 − 1/m)/k, each
/// ≤ 1/k: Bernstein at β/2 bounds it, and on that event Σγ ≤ n(1/m + t). The reports' part is
/// Bernstein at β/2. `variance`: the worst case of cms_variance (dp/local_randomizers.hpp).
Figure count_mean_sketch(double epsilon, double width, double hashes, double n, double variance, double beta);

/// Φ⁻¹(1 − β/2), rounded up.
double two_sided_normal_quantile(double beta);

}  // namespace privflow::dp::error
