#pragma once
// privflow's privacy accountant: mechanisms, heterogeneous composition, and the questions the
// analyzer asks of a composition (ε at δ, δ at ε, loss quantile, membership advantage).
//
// Soundness contract: every ε, δ, probability and advantage returned here is an UPPER bound
// on the true value (rounded towards +∞), never NaN; an unbounded result is the explicit
// state `infinite = true`. Inputs out of range are refused with a message (never thrown).
//
// Two accountants, both upper bounds:
//  - RDP (Rényi DP; Mironov 2017), on dp_accounting's default order grid, converted to
//    (ε, δ) by Canonne–Kamath–Steinke 2020 Prop. 12 / Balle et al. 2020 Thm 21.
//  - PLD (privacy loss distributions; Meiser–Mohammadi 2018, Koskela et al. 2020), each part
//    discretised pessimistically by "connect the dots" (Doroshenko et al. 2022) so that the
//    discrete pair dominates the true pair, composed by FFT (kissfft), tails counted as δ.
//  `auto` runs both and answers with the smaller ε (the minimum of two upper bounds).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/rational.hpp"

namespace privflow::dp {

/// Which datasets are neighbours. Laplace, Gaussian and randomized response take their
/// sensitivity with respect to the chosen relation (the caller states it). The subsampled
/// Gaussian's noise multiplier is relative to the clip norm, its add/remove sensitivity;
/// under replace the two records' gradients may be 2 apart, and the profile is the
/// substitution pair of Zhu, Dong & Wang 2022 (PLD; RDP by Mironov's weak triangle inequality).
enum class Neighbouring { kAddRemove, kReplace };

/// How DP-SGD forms its batches: Poisson sampling (each record independently with rate q) or
/// fixed-size batches (B records drawn without replacement from n: rate q = B/n).
enum class Sampling { kPoisson, kFixedSize };

/// Which accountant to use. kAuto = both, the smaller ε.
enum class Accountant { kRdp, kPld, kAuto };
std::string_view to_string(Accountant a);

enum class MechanismKind {
  kLaplace,             ///< ε per use = sensitivity / scale (pure)
  kGeometric,           ///< discrete Laplace, ε per use (pure)
  kExponential,         ///< exponential mechanism, ε per use (pure and ε-bounded-range)
  kGaussian,            ///< noise multiplier z = sigma / sensitivity
  kRandomizedResponse,  ///< k-ary randomized response: keep probability or ε, k values
  kSubsampledGaussian,  ///< subsampled Gaussian (one DP-SGD step): z, rate q, Poisson or fixed-size
  kDeclared,            ///< a declared (ε, δ) guarantee
  kZcdp,                ///< a declared ρ-zCDP guarantee
  kDiscreteGaussian,    ///< integer noise N_Z(0, σ²), integer sensitivity Δ (Canonne, Kamath & Steinke 2020)
  kSubsampledLaplace,   ///< Laplace on a Poisson sample (rate q), add/remove: ε the amplified pure ε, inner_epsilon the Laplace's
  kSubsampledRandomizedResponse,  ///< RR sent with probability q (absence visible): pure ε unchanged, δ(ε) scaled by q
};

/// One mechanism applied `times` times (independently, adaptively composed). A value type.
/// Build it with the factories below, which fill the derived fields; then `validate`.
struct Mechanism {
  MechanismKind kind = MechanismKind::kDeclared;
  double epsilon = 0;                     ///< per-use ε (pure kinds, RR, declared)
  std::optional<Rational> exact_epsilon;  ///< per-use ε exactly, when given as a rational
  double delta = 0;                       ///< declared δ per use
  double noise_multiplier = 0;            ///< gaussian / subsampled gaussian
  double sampling_rate = 1;               ///< subsampled gaussian: rate q in (0, 1] (B/n when fixed-size)
  double keep = 0;                        ///< RR: probability of reporting the true value
  std::uint64_t values = 2;               ///< RR: number of values k ≥ 2
  double rho = 0;                         ///< zCDP ρ per use
  std::uint64_t times = 1;                ///< number of uses, up to 10^12 (never looped)
  Neighbouring neighbouring = Neighbouring::kAddRemove;
  Sampling sampling = Sampling::kPoisson;  ///< subsampled gaussian: how the batch is drawn
  double sigma = 0;                       ///< discrete gaussian: σ of N_Z(0, σ²)
  std::uint64_t shift = 1;                ///< discrete gaussian: the integer sensitivity Δ
  double inner_epsilon = 0;               ///< subsampled laplace: the Laplace's ε = sensitivity / scale, before sampling
  double replace_shift = 1;               ///< subsampled laplace, replace-one: c = replace-one sensitivity / add-remove one − 1, in [0, 1]

  static Mechanism laplace(double epsilon);
  static Mechanism laplace(const Rational& epsilon);
  /// Laplace with scale b and L1 sensitivity s: ε = s / b.
  static Mechanism laplace_scale(double scale, double sensitivity = 1.0);
  static Mechanism geometric(double epsilon);
  static Mechanism geometric(const Rational& epsilon);
  static Mechanism exponential(double epsilon);
  static Mechanism exponential(const Rational& epsilon);
  static Mechanism gaussian(double noise_multiplier);
  /// Gaussian with standard deviation sigma and L2 sensitivity s: z = sigma / s.
  static Mechanism gaussian_sigma(double sigma, double sensitivity = 1.0);
  /// k-ary RR reporting the true value w.p. keep, each other w.p. (1−keep)/(k−1).
  static Mechanism randomized_response_keep(double keep, std::uint64_t k);
  /// k-ary RR with ε per use: keep = e^ε / (e^ε + k − 1).
  static Mechanism randomized_response(double epsilon, std::uint64_t k);
  static Mechanism randomized_response(const Rational& epsilon, std::uint64_t k);
  static Mechanism subsampled_gaussian(double noise_multiplier, double sampling_rate);
  static Mechanism declared(double epsilon, double delta = 0);
  static Mechanism declared(const Rational& epsilon, double delta = 0);
  static Mechanism zcdp(double rho);
  /// The discrete Gaussian: an integer query plus N_Z(0, σ²), whose mass at x ∈ ℤ is
  /// ∝ e^{−x²/(2σ²)}; `sensitivity` Δ is an integer ≥ 1. Its tight profile is the pair
  /// (N_Z(0, σ²), N_Z(Δ, σ²)) (Canonne, Kamath & Steinke 2020, Thm 7).
  static Mechanism discrete_gaussian(double sigma, std::uint64_t sensitivity = 1);
  /// Laplace of ε on a Poisson sample of rate q (dp/pld_subsampled.cpp), add/remove relation:
  /// the pairs (q·P + (1−q)·Q, Q) and (Q, q·P + (1−q)·Q) of Zhu, Dong & Wang 2022 (Thm 11) with
  /// (P, Q) the Laplace pair; `epsilon` becomes the amplified pure ε log(1 + q(e^ε − 1)) (Balle,
  /// Barthe & Gaboardi 2018, Thm 8), rounded up, which every pure path (RDP, sums) uses.
  static Mechanism subsampled_laplace(double epsilon, double sampling_rate);
  /// The same under replace-one (a value question on add/remove data): the record x replaced by
  /// x', each within the add/remove sensitivity Δ of the rest's output and (1 + c)Δ of each
  /// other, c in [0, 1]. Its pairs are (q·Lap(−Δ) + (1−q)·Lap(0), q·Lap(cΔ) + (1−q)·Lap(0)) and
  /// their reverse (dp/subsampled.cpp); `epsilon` the smaller of `pure_epsilon` and the pair's
  /// largest loss.
  static Mechanism subsampled_laplace_replace(double epsilon, double sampling_rate, double shift, double pure_epsilon);
  /// The same for a Laplace of ε per use whose two records' outputs are at most `factor`·Δ apart
  /// (f in [1, 2]: shift f − 1), its pure ε the smallest of log(1 + q(e^{fε} − 1)) (Balle, Barthe &
  /// Gaboardi 2018, Thm 2), twice log(1 + q(e^ε − 1)) (Thm 8: x removed, then x' added) and fε;
  /// every figure rounded up. One definition for a spec's sampled laplace and `account laplace`.
  static Mechanism sampled_laplace_replace(const Rational& epsilon, double sampling_rate, const Rational& factor);
  /// Randomized response sent with probability q, independently of the value (a Poisson sample
  /// whose absence is seen): the pair (q·RR(v) + (1−q)·⊥, q·RR(v') + (1−q)·⊥), exact. Its pure ε
  /// is RR's (a sent report carries it all); its δ(ε) is q times RR's (joint convexity).
  static Mechanism subsampled_randomized_response(const Mechanism& rr, double sampling_rate);
  /// This mechanism on a Poisson sample of rate q: laplace, randomized response and gaussian
  /// (→ subsampled_gaussian) have a subsampled form; q ≥ 1 or another kind returns it unchanged.
  Mechanism poisson_sampled(double sampling_rate) const;

  /// The same mechanism used `t` more-fold (times *= t). Saturates at 10^18 (then invalid).
  Mechanism repeated(std::uint64_t t) const;
  Mechanism with(Neighbouring n) const;
  Mechanism with(Sampling s) const;

  /// True when it is ε-DP with δ = 0 and finite ε (laplace, geometric, exponential, RR,
  /// declared with δ = 0).
  bool is_pure() const;
  /// Short human text, e.g. "gaussian(z=1.1) x 1000".
  std::string describe() const;
};

/// nullopt when the mechanism is valid; else why not (ranges: ε ≥ 0 finite, 0 ≤ δ < 1,
/// z > 0, 0 < q ≤ 1, 1/k < keep < 1... , k ≥ 2, ρ ≥ 0, 1 ≤ times ≤ 10^12).
std::optional<std::string> validate(const Mechanism& m);

/// An ε answer. `value` is an upper bound (rounded up); `infinite` when no finite bound exists.
struct EpsilonResult {
  bool infinite = false;
  double value = 0;
  std::optional<Rational> exact;  ///< the same bound as an exact rational, when it is a sum of
                                  ///< rational per-use ε (basic composition; tight at δ = 0)
  double delta = 0;               ///< the δ it holds at
  Accountant accountant = Accountant::kRdp;  ///< who answered (kRdp or kPld; never kAuto)
  std::string how;                ///< e.g. "rdp, order 8.1" or "pld, grid 1e-4, tail 3e-15"
  double order = 0;               ///< RDP: the optimal order (0 if not RDP)
  double discretization = 0;      ///< PLD: grid step of the loss
  double tail_mass = 0;           ///< PLD: mass counted directly as δ (∞ loss + truncation)
};

/// A δ answer (an upper bound in [0, 1]).
struct DeltaResult {
  double value = 1;
  Accountant accountant = Accountant::kRdp;
  std::string how;
};

/// The trade-off of the best membership or reconstruction test (dp/tradeoff.cpp): an upper bound
/// on the true-positive rate any test between neighbouring datasets reaches at false-positive
/// rate `fpr` (f-DP, Dong, Roth & Su 2019), whichever dataset is the null hypothesis.
struct TradeoffResult {
  double fpr = 0;
  double tpr = 1;  ///< upper bound in [fpr, 1], rounded up
  Accountant accountant = Accountant::kRdp;  ///< who answered (kRdp or kPld; never kAuto)
  std::string how;
  std::string curve;  ///< reconstruction_tpr: "add/remove" or "replace-one", the curve that gave it
};

/// PLD accuracy knobs. Results stay sound (upper bounds) whatever they are.
///
/// `adaptive` (`privflow account` sets it; the library's default is the fixed grid, which the
/// analyzer uses): an ε at δ is computed coarse to fine (dp/pld_composition.cpp):
/// the grid step starts coarse and shrinks until the certified bracket — the pessimistic
/// (connect-the-dots) ε above, an optimistic (post-processed) ε below — is within
/// `tolerance` of the answer (relative), which is always the upper end; the truncated tail
/// is chosen from δ (at most `tail_mass`, and far below δ·tolerance), so small δ never meets
/// a tail that swallows it. δ(ε) queries, and ε queries when `adaptive` is false, use the
/// fixed grid `discretization` and tail `tail_mass`.
struct PldOptions {
  double discretization = 1e-4;  ///< fixed grid step of the privacy loss (nats)
  double tail_mass = 1e-15;      ///< truncated probability mass per side (added to δ); adaptive: the largest
  double tolerance = 1e-3;       ///< adaptive: relative width of the certified bracket at which refining stops
  bool adaptive = false;         ///< choose the grid and tail from the question (ε at δ)
};

namespace detail {
struct PldCache;
struct RdpState;
}

/// A heterogeneous composition of mechanisms. Add parts, then ask questions. Queries cache
/// the RDP curve and the composed PLD (not thread-safe: use one Composition per thread).
class Composition {
 public:
  Composition();
  ~Composition();
  Composition(const Composition&);
  Composition& operator=(const Composition&);
  Composition(Composition&&) noexcept;
  Composition& operator=(Composition&&) noexcept;

  /// Adds a part; false (with `error` set) when `validate` refuses it.
  bool add(const Mechanism& m, std::string* error = nullptr);
  const std::vector<Mechanism>& parts() const { return parts_; }
  bool empty() const { return parts_.empty(); }

  PldOptions pld_options;

  /// True when every part is pure ε-DP (then ε at δ = 0 is finite).
  bool all_pure() const;
  /// Σ times·ε over pure parts, exact, when every part is pure and given as a rational.
  std::optional<Rational> exact_pure_epsilon() const;
  /// Σ times·ε rounded up (a valid ε at every δ ≥ 0); +∞ when some part is not pure.
  double pure_epsilon_up() const;

  /// Smallest ε the accountant can certify at `delta` (0 ≤ delta < 1): an upper bound.
  /// At δ = 0 only pure compositions are finite (answered exactly when possible).
  EpsilonResult epsilon(double delta, Accountant a = Accountant::kAuto) const;
  /// δ(ε): an upper bound on the hockey-stick divergence at ε ≥ 0.
  DeltaResult delta(double epsilon, Accountant a = Accountant::kAuto) const;
  /// An ε with P[privacy loss > ε] ≤ delta (tail bound of the loss, used for posteriors):
  /// the smallest of the RDP tail bound min_α exp((α−1)(RDP(α) − ε)) (Mironov 2017 Prop. 10 /
  /// Markov), the PLD's profile (P[L > ε'] ≤ δ(ε)/(1 − e^{ε−ε'}), over a few ε: kPld, kAuto),
  /// the exact Gaussian quantile, and the pure sum when all parts are pure.
  EpsilonResult loss_quantile(double delta, Accountant a = Accountant::kAuto) const;
  /// Membership-inference advantage bound: min over ε ≥ 0 of (e^ε − 1 + 2δ(ε)) / (e^ε + 1)
  /// (Humphries et al. 2023 / Kairouz et al. 2015 region); ≤ δ(0) and ≤ 1. Upper bound.
  double advantage(Accountant a = Accountant::kAuto) const;
  /// Highest TPR of any test at FPR `fpr` in [0, 1] (dp/tradeoff.cpp): the smallest of
  /// min over ε of e^ε·F + δ(ε) and 1 − e^−ε·(1 − δ(ε) − F) (the (ε, δ) region of every ε on
  /// the composed profile; Dong, Roth & Su 2019, Prop. 2.12), exact Φ(Φ⁻¹(F) + μ) for Gaussians.
  /// Reconstruction (Hayes, Mahloujifar & Balle 2023) asks it at F = κ, the prior's baseline.
  TradeoffResult tpr_at_fpr(double fpr, Accountant a = Accountant::kAuto) const;

 private:
  const detail::RdpState& rdp_cached() const;
  std::vector<Mechanism> parts_;
  mutable std::shared_ptr<detail::PldCache> pld_cache_;
  mutable std::shared_ptr<detail::RdpState> rdp_cache_;
};

/// Reconstruction success (Hayes, Mahloujifar & Balle 2023) at the prior's baseline κ for the
/// composition of `parts` (dp/tradeoff.cpp): the TPR at FPR κ of the replace-one curve and, when
/// every part is add/remove, of the add/remove curve (reference: the run without the target,
/// their Thm 2), whichever is smaller; `curve` names it. Parts declared replace keep replace-one.
TradeoffResult reconstruction_tpr(const std::vector<Mechanism>& parts, double kappa, Accountant a,
                                  const PldOptions& pld = {});

// ---------------------------------------------------------------------------------------
// Amplification and transformations.

/// Privacy amplification by shuffling (dp/shuffle.cpp): n senders each apply an ε0-LDP
/// randomizer and the receiver sees the shuffled multiset. Every answer is an upper bound;
/// nullopt for out-of-range inputs (ε0 < 0 or not finite, n = 0, δ outside (0, 1)).
///
/// Closed form of Feldman–McMillan–Talwar 2021 ("Hiding among the clones", Thm 3.1):
/// ε = log(1 + (e^ε0 − 1)/(e^ε0 + 1)·(8·sqrt(e^ε0·log(4/δ))/sqrt(n) + 8e^ε0/n)) when
/// ε0 ≤ log(n / (16 log(2/δ))); otherwise ε0 (post-processing).
std::optional<double> shuffle_epsilon_closed_form(double local_epsilon, std::uint64_t senders, double delta);
/// Their numerical bound (Thm 3.2): the shuffled output is a post-processing of the pair
/// P = (A+Δ, C−A+1−Δ), Q = (A+1−Δ, C−A+Δ) with C ~ Bin(n−1, e^−ε0) clones, A ~ Bin(C, ½) and
/// Δ ~ Bern(e^ε0/(e^ε0+1)); this returns an upper bound on their hockey-stick divergence
/// δ(ε) = sup_S P(S) − e^ε Q(S), which is at most the shuffled output's. nullopt as above or
/// for ε < 0.
std::optional<double> shuffle_delta(double local_epsilon, std::uint64_t senders, double epsilon);
/// The smallest ε (to a relative 1e-9, rounded up) with shuffle_delta(ε) ≤ δ, for the largest
/// point ≤ n of a fixed grid (all counts to 64, then 32 per octave): the answer never grows
/// with n, at a cost of at most 1.1 %. Answers are remembered (pure function of the inputs).
std::optional<double> shuffle_epsilon_numerical(double local_epsilon, std::uint64_t senders, double delta);
/// The smaller of the two (each is an upper bound), never above ε0.
std::optional<double> shuffle_epsilon(double local_epsilon, std::uint64_t senders, double delta);

/// Effective noise multiplier when n parties each add Gaussian noise with multiplier
/// z/sqrt(n) (total z) and only h are honest: z·sqrt(h/n). A lower bound on the noise
/// (so privacy computed from it is an upper bound on ε).
double distributed_noise_multiplier(double z, std::uint64_t honest, std::uint64_t parties);

/// Group privacy for groups of g records (Dwork–Roth 2014, Thm 2.2 and its (ε,δ) form,
/// Vadhan 2017 Lemma 2.2): (g·ε, g·e^{(g−1)ε}·δ). Upper bounds (δ capped at 1).
struct EpsDelta {
  double epsilon = 0;
  double delta = 0;
};
EpsDelta group_privacy(double epsilon, double delta, std::uint64_t group_size);

// ---------------------------------------------------------------------------------------
// Calibration: monotone bisection to a relative tolerance; the returned noise always meets
// the target (it is the conservative end of the final bracket).

struct CalibrationResult {
  bool found = false;
  double value = 0;            ///< the noise multiplier (or scale, or per-use ε)
  EpsilonResult achieved;      ///< ε actually certified at the returned value
  std::string how;
};

/// Smallest noise multiplier z (to relative tolerance `tol`) such that DP-SGD with
/// sampling rate q over `steps` steps is (target_epsilon, delta)-DP under relation `n`.
CalibrationResult calibrate_dpsgd(double target_epsilon, double delta, double sampling_rate,
                                  std::uint64_t steps, Accountant a = Accountant::kAuto,
                                  double tol = 1e-3, const PldOptions& pld = {},
                                  Neighbouring n = Neighbouring::kAddRemove, Sampling s = Sampling::kPoisson);
/// Smallest Gaussian noise multiplier for `times` uses.
CalibrationResult calibrate_gaussian(double target_epsilon, double delta, std::uint64_t times,
                                     Accountant a = Accountant::kAuto, double tol = 1e-3,
                                     const PldOptions& pld = {});
/// Smallest Laplace scale (sensitivity 1) for `times` uses.
CalibrationResult calibrate_laplace(double target_epsilon, double delta, std::uint64_t times,
                                    Accountant a = Accountant::kAuto, double tol = 1e-3,
                                    const PldOptions& pld = {});
/// Largest per-use ε of a pure mechanism family (given by a factory) for `times` uses.
CalibrationResult calibrate_epsilon_per_use(double target_epsilon, double delta,
                                            std::uint64_t times, MechanismKind kind,
                                            std::uint64_t rr_values = 2,
                                            Accountant a = Accountant::kAuto, double tol = 1e-3,
                                            const PldOptions& pld = {});

}  // namespace privflow::dp
