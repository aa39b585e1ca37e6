#pragma once
// Local randomizers for frequency estimation: each user randomizes her own value and sends the
// report, so the guarantee is ε-local DP on the value itself. For each: its exact ε (rounded up)
// and the variance of its frequency estimator over n reports (Wang, Blocki, Li & Jha 2017,
// "Locally Differentially Private Protocols for Frequency Estimation", USENIX Security: the
// "pure protocol" variance of their Theorem 2; the utility side uses it).
//
// Notation (RAPPOR's, Erlingsson, Pihur & Korolova 2014): a bit of the encoded value is
// reported as 1 with probability q when it is 1 and p when it is 0 (Wang et al. call them p and
// q the other way round). Every ε and variance is an upper bound, rounded up.
#include <cstdint>
#include <optional>
#include <string>

namespace privflow::dp::ldp {

/// RAPPOR over a Bloom filter with `hashes` (h) hash functions: permanent randomized response
/// with f, instantaneous randomized response with p and q. Probabilities in [0, 1].
struct Rappor {
  double f = 0.5;
  double p = 0.5;
  double q = 0.75;
  std::uint64_t hashes = 2;
  std::uint64_t bits = 128;  // k, the Bloom filter's size (utility only)
};

/// P(report bit = 1 | true Bloom bit = 1) and (= 0) after both steps (Erlingsson et al. 2014,
/// §3.2: q* = ½f(p + q) + (1 − f)q, p* = ½f(p + q) + (1 − f)p).
double rappor_q_star(const Rappor& r);
double rappor_p_star(const Rappor& r);
/// ε∞ = 2h·ln((1 − f/2)/(f/2)): what the permanent response reveals, a bound for any number of
/// reports of the same value (Erlingsson et al. 2014, Theorem 1). +∞ when f = 0.
double rappor_epsilon_permanent(const Rappor& r);
/// ε₁ = h·ln(q*(1 − p*) / (p*(1 − q*))): one report (Erlingsson et al. 2014, §4, "ε₁"). +∞
/// when a step is deterministic.
double rappor_epsilon_one(const Rappor& r);
/// `reports` reports of the same value: min(reports·ε₁, ε∞) (they are post-processing of the
/// permanent response).
double rappor_epsilon(const Rappor& r, std::uint64_t reports);

/// Unary encoding: the value one-hot over d bits, each bit reported as 1 w.p. q (its 1) or p
/// (a 0). ε = ln(q(1 − p) / (p(1 − q))) (Wang et al. 2017, Theorem 3). SUE (basic RAPPOR):
/// q = e^{ε/2}/(e^{ε/2} + 1), p = 1 − q. OUE: q = 1/2, p = 1/(e^ε + 1) (their §4.4).
double unary_epsilon(double p, double q);
double oue_p(double epsilon);
double sue_q(double epsilon);

/// Optimized local hashing's range g = ⌊e^ε + 1⌉ (Wang et al. 2017, §4.4: g = e^ε + 1, rounded).
std::uint64_t olh_range(double epsilon);

/// The variance of the count estimate of one value over n reports, from the two probabilities
/// that a report "supports" it when the user holds it (support_true) and when she holds another
/// value (support_other); `count` is the value's true count (0: the approximate variance Var*
/// of Wang et al. 2017, Eq. (6), which the other counts dominate). Wang et al. 2017, Theorem 2:
///   Var = n·s_o(1 − s_o)/(s_t − s_o)² + count·(1 − s_t − s_o)/(s_t − s_o).
double pure_protocol_variance(double support_true, double support_other, double n, double count = 0);

/// Var* of each protocol's count estimate (count = 0), n reports:
double rappor_variance(const Rappor& r, double n);  // per Bloom bit (basic RAPPOR, h = 1, k = d)
double unary_variance(double p, double q, double n);  // OUE: 4e^ε/(e^ε − 1)²·n
double olh_variance(double epsilon, std::uint64_t g, double n);  // (e^ε − 1 + g)²/((e^ε − 1)²(g − 1))·n
/// Hadamard response (Acharya, Sun & Zhang 2019, AISTATS): the report falls in the value's half
/// of the Hadamard codewords w.p. e^ε/(e^ε + 1), another value's w.p. 1/2:
/// Var* = (e^ε + 1)²/(e^ε − 1)²·n.
double hadamard_variance(double epsilon, double n);
/// Apple's count-mean sketch (Apple Differential Privacy Team 2017, "Learning with Privacy at
/// Scale"): a ±1 vector of width m with the value's bucket under one of k hashes set, each
/// entry flipped w.p. 1/(1 + e^{ε/2}); ε-LDP. The de-biased estimate
/// f̂ = m/(m − 1)·((1/k)Σ_j M[j, h_j(d)] − n/m), hashes uniform, has
/// Var = (m/(m − 1))²·(n(c² − 1)/4 + (n − count)(m − 1)/m² + P·(m − 1)/(k·m²)),
/// c = (e^{ε/2} + 1)/(e^{ε/2} − 1), P = Σ over the other values of n_v(n_v − 1) (the reports of
/// one value that share a row collide together; 0 when the other values are all distinct).
/// Derived here from the estimator; a Monte Carlo run (20 000 sketches, m = 16, k = 4, ε = 2)
/// gave 515 ± 5 against 509.9 (tests/dp/data/local_randomizers.json).
double cms_variance(double epsilon, std::uint64_t width, std::uint64_t hashes, double n, double count = 0,
                    double other_pairs = 0);

/// What `privflow account rappor|unary-encoding|…` and the Python package answer for one
/// randomizer: ε of one report, of `times` reports of the same value, RAPPOR's ε∞, the variance
/// of one value's count over `reports` reports (when reports > 0), and how, in words.
struct Answer {
  double one = 0, all = 0;
  std::uint64_t times = 1, reports = 0;
  std::optional<double> permanent, variance;
  std::string how;
};
/// The parameters are checked by the caller (probabilities in [0, 1], q above p, ε in (0, 700],
/// a range and a width of at least 2).
Answer rappor_answer(const Rappor& r, std::uint64_t times, std::uint64_t reports);
enum class UnaryVariant { kOptimized, kSymmetric };  // OUE, SUE
Answer unary_answer(double epsilon, UnaryVariant variant, std::uint64_t times, std::uint64_t reports);
Answer unary_answer(double p, double q, std::uint64_t times, std::uint64_t reports);
/// range: nullopt for optimized local hashing's olh_range(ε).
Answer local_hashing_answer(double epsilon, std::optional<std::uint64_t> range, std::uint64_t times,
                            std::uint64_t reports);
Answer hadamard_answer(double epsilon, std::uint64_t times, std::uint64_t reports);
Answer count_mean_sketch_answer(double epsilon, std::uint64_t width, std::uint64_t hashes, std::uint64_t times,
                                std::uint64_t reports);

}  // namespace privflow::dp::ldp
