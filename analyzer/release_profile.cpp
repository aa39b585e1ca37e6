// The privacy profile of one release use (analyzer/detail/release_profile.hpp): for every kind
// of the catalogue, the dp::Mechanism its parameters make, and the words that explain them.
#include "analyzer/detail/release_profile.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/detail/local_randomizers.hpp"
#include "analyzer/detail/network.hpp"
#include "analyzer/detail/subsampling.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <limits>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "dp/tree_aggregation.hpp"
#include "flow/param_expr.hpp"

namespace privflow::analyzer::detail {
namespace {

std::uint64_t ceil_to_u64(const Rational& q) {
  mpz_class n = q.get_num() / q.get_den();
  if (Rational(n) < q) n += 1;
  return n.fits_ulong_p() ? n.get_ui() : UINT64_MAX;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

std::string fmt_down(double x) {
  if (!std::isfinite(x)) return format_double(x);
  return format_down(Rational(x), 4);
}

/// The sensitivity a noise mechanism is accounted with: the declared one (default 1), raised
/// to the one derived from its input (flow::derived_sensitivity) when that is larger, so a
/// declared value below the truth is never used (analyzer/findings.cpp warns where it is).
struct Sensitivity {
  Rational value;
  Rational factor = 1;  // value / declared: how much an `epsilon` calibration understates
  std::string note;     // said in the release's parameters when it differs from the declared
};

Sensitivity sensitivity(const flow::Graph& g, const flow::Artifact& x, bool l2) {
  Sensitivity s;
  const auto declared = g.param(x, flow::ParamKey::kSensitivity);
  s.value = declared.value_or(Rational(1));
  const auto derived = flow::derived_sensitivity(g, x, l2);
  if (!derived || derived->value <= s.value) return s;
  // Without a declared sensitivity an `epsilon` is taken as calibrated to the true one.
  if (declared) s.factor = derived->value / s.value;
  s.factor.canonicalize();
  s.value = derived->value;
  s.note = "sensitivity " + format_exact(s.value) + " (" + derived->why + (declared ? ", above the declared " + format_exact(*declared) : "") + ")";
  return s;
}

/// How much further one record moves a noise mechanism's input when it is replaced rather than
/// added or removed (a value question on add/remove data), relative to `s`, the sensitivity the
/// noise is accounted with: the replace-one sensitivity derived from the input over s when it
/// can be derived (a count: 1, a sum of int[0, R]: 1, a histogram: 2 or √2 in L2), else 2 (group
/// privacy of 2 records, Dwork & Roth 2014, Thm 2.2). Never above 2, never below 1.
struct ReplaceFactor {
  Rational factor = 2;
  std::string note = "group privacy of 2 records";
};
ReplaceFactor replace_factor(const flow::Graph& g, const flow::Artifact& x, bool l2, const Sensitivity& s) {
  ReplaceFactor out;
  const auto derived = flow::derived_sensitivity(g, x, l2, flow::Neighbouring::kReplace);
  if (!derived || !(s.value > 0)) return out;
  Rational f = derived->value / s.value;
  f.canonicalize();
  out.factor = f < 1 ? Rational(1) : f < 2 ? f : Rational(2);
  out.note = "replace-one sensitivity " + format_exact(derived->value) + ", " + derived->why;
  return out;
}

/// The number of records an instance of `agent` holds of `data` (for q = batch_size / rows).
std::uint64_t rows_at(const flow::Graph& g, flow::Id data, flow::Id agent) {
  const auto& d = g.data[data];
  const auto& a = g.agents[agent];
  for (const auto& h : a.holds)
    if (h.data == data && h.partitioned && a.population && a.count > 0) return std::max<std::uint64_t>(1, d.rows / a.count);
  return std::max<std::uint64_t>(1, d.rows);
}

/// One release use as its privacy profile reads it: the artifact, its parameters (by the
/// catalogue's keys, flow/catalogue.hpp), and the question it answers.
struct Release {
  const flow::Graph& g;
  const flow::Artifact& x;
  flow::Id data;
  const ReleaseUse& use;
  bool add_remove;  // the data's own neighbouring relation
  bool to_replace;  // a value question under add/remove: converted to replace-one
  std::uint64_t times;
  std::optional<Rational> param(flow::ParamKey key) const { return g.param(x, key); }
};

/// Laplace, geometric and exponential: pure ε, calibrated by `epsilon` or by `scale`.
bool build_pure_noise(const Release& r, ReleaseProfile& b) {
  Rational eps;
  const Sensitivity sens = sensitivity(r.g, r.x, false);
  if (auto e = r.param(flow::ParamKey::kEpsilon)) {
    // An epsilon is the user's calibration, unless it names a sensitivity that is too small.
    eps = *e * sens.factor;
    eps.canonicalize();
  } else if (auto s = r.param(flow::ParamKey::kScale)) {
    eps = sens.value / *s;
    eps.canonicalize();
  } else {
    b.error = "no epsilon or scale";
    return false;
  }
  if (!sens.note.empty()) b.sensitivity_note = sens.note;
  std::string replace_note;
  const Rational eps_add_remove = eps;
  Rational factor = 1;
  if (r.to_replace) {
    const ReplaceFactor f = replace_factor(r.g, r.x, false, sens);
    factor = f.factor;
    eps *= f.factor;
    eps.canonicalize();
    replace_note = " (replace-one: " + format_exact(f.factor) + "x, " + f.note + ")";
  }
  b.epsilon_per_use = eps;
  const dp::Mechanism one = r.x.kind == flow::ComputeKind::kLaplace     ? dp::Mechanism::laplace(eps)
                            : r.x.kind == flow::ComputeKind::kGeometric ? dp::Mechanism::geometric(eps)
                                                                        : dp::Mechanism::exponential(eps);
  b.mechanism = one.repeated(r.times);
  b.pure_local = true;
  b.parameters = "epsilon " + format_up(eps, 4) + replace_note;
  const auto rate = r.param(flow::ParamKey::kSamplingRate);
  if (r.x.kind == flow::ComputeKind::kLaplace && rate && *rate < 1) {
    // On a Poisson sample (analyzer/subsampling.cpp); not a local randomizer any more.
    const SampledProfile s = sampled_laplace(eps_add_remove, factor, *rate, {r.add_remove, r.to_replace});
    b.mechanism = s.mechanism.repeated(r.times);
    b.parameters += s.words;
    b.epsilon_per_use.reset();
    b.pure_local = false;
  }
  return true;
}

/// The selection mechanisms, each pure ε over one run (`times` runs compose):
/// - sparse vector, Lyu, Su & Li 2017, Alg. 1 and Thm 2: the threshold's noise Lap(Δ/ε₁) and
///   each query's Lap(2cΔ/ε₂) make any number of queries with c answers above it ε₁ + ε₂ = ε;
///   the split shown is their Sec. 4.2 optimum ε₁ : ε₂ = 1 : (2c)^{2/3} (it only moves accuracy);
/// - report noisy max with Lap(2Δ/ε) on each query: ε (Dwork & Roth 2014, Sec. 3.3);
/// - one-shot top-k with Gumbel noise: the same output as k peeling exponential mechanisms of ε
///   each (Durfee & Rogers 2019, Thm 1), so their bounded-range composition.
bool build_selection(const Release& r, ReleaseProfile& b) {
  const Sensitivity sens = sensitivity(r.g, r.x, false);
  Rational eps = r.param(flow::ParamKey::kEpsilon).value_or(Rational(0)) * sens.factor;
  eps.canonicalize();
  if (!(eps > 0)) {
    b.error = "no epsilon";
    return false;
  }
  if (!sens.note.empty()) b.sensitivity_note = sens.note;
  std::string replace_note;
  if (r.to_replace) {  // group privacy over the two records a replacement touches
    const ReplaceFactor f = replace_factor(r.g, r.x, false, sens);
    eps *= f.factor;
    eps.canonicalize();
    replace_note = " (replace-one: " + format_exact(f.factor) + "x, " + f.note + ")";
  }
  b.epsilon_per_use = eps;
  b.pure_local = true;
  switch (r.x.kind) {
    case flow::ComputeKind::kSparseVector: {
      const std::uint64_t c = r.g.param(r.x, flow::ParamKey::kAnswers).value_or(Rational(1)).get_num().get_ui();
      const double share = 1 / (1 + std::cbrt(4.0 * static_cast<double>(c) * static_cast<double>(c)));
      b.mechanism = dp::Mechanism::declared(eps).repeated(r.times);
      b.parameters = "epsilon " + format_up(eps, 4) + " = threshold " + format_double_up(to_double_up(eps) * share, 4) +
                     " + queries " + format_double_up(to_double_up(eps) * (1 - share), 4) + ", " + std::to_string(c) +
                     (c == 1 ? " answer" : " answers") + " (Lyu, Su & Li 2017, Thm 2)" + replace_note;
      return true;
    }
    case flow::ComputeKind::kTopK: {
      const std::uint64_t k = r.g.param(r.x, flow::ParamKey::kK).value_or(Rational(1)).get_num().get_ui();
      b.mechanism = dp::Mechanism::exponential(eps).repeated(saturating_mul(k, r.times));
      b.parameters = "epsilon " + format_up(eps, 4) + " per selection, k " + std::to_string(k) +
                     " (k exponential mechanisms: Durfee & Rogers 2019, Thm 1)" + replace_note;
      return true;
    }
    default:
      b.mechanism = dp::Mechanism::declared(eps).repeated(r.times);
      b.parameters = "epsilon " + format_up(eps, 4) + " (Laplace noise of scale 2·sensitivity/epsilon)" + replace_note;
      return true;
  }
}

/// Randomized response: its guarantee is on the reported value itself (local, replace-one by
/// nature), over the k values of its input field.
bool build_randomized_response(const Release& r, ReleaseProfile& b) {
  std::uint64_t k = 2;
  const flow::Artifact& x = r.x;
  if (!x.inputs.empty() && x.inputs[0].kind == flow::Input::Kind::kField)
    k = r.g.data[x.inputs[0].data].fields[x.inputs[0].field].domain_size();
  if (auto keep = r.param(flow::ParamKey::kKeep)) {
    double keep_up = to_double_up(*keep);
    b.mechanism = dp::Mechanism::randomized_response_keep(keep_up, k).repeated(r.times);
    b.parameters = "keep " + format_exact(*keep) + ", " + std::to_string(k) + " values";
  } else if (auto e = r.param(flow::ParamKey::kEpsilon)) {
    b.mechanism = dp::Mechanism::randomized_response(*e, k).repeated(r.times);
    b.epsilon_per_use = *e;
    b.parameters = "epsilon " + format_up(*e, 4) + ", " + std::to_string(k) + " values";
  } else {
    b.error = "no keep or epsilon";
    return false;
  }
  b.pure_local = true;
  if (const auto rate = r.param(flow::ParamKey::kSamplingRate); rate && *rate < 1) {
    const SampledProfile s = sampled_randomized_response(b.mechanism, *rate);  // still ε-local DP
    b.mechanism = s.mechanism;
    b.parameters += s.words;
  }
  return true;
}

/// DP-SGD over shuffled batches (`sampling: shuffle`): each epoch is a random permutation cut
/// into batches, so a record is in exactly one batch per epoch and nothing is amplified by
/// sampling (Chua et al. 2024, "How Private are DP-SGD Implementations?"). The sound analysis:
/// the Gaussian of noise multiplier z (z/2 for replace-one, where the record's gradient is
/// swapped, not removed) composed once per epoch the record takes part in: ceil(epochs), or
/// ceil(steps · q) when steps are given (an epoch is at least 1/q steps).
void build_shuffled_batches(const Release& r, ReleaseProfile& b, double z, bool sgd_replace, const std::string& noise,
                            const Rational& q, std::uint64_t steps) {
  std::uint64_t epochs = 1;
  if (auto e = r.param(flow::ParamKey::kEpochs))
    epochs = ceil_to_u64(*e);
  else
    epochs = std::max<std::uint64_t>(1, ceil_to_u64(Rational(q * Rational(static_cast<unsigned long>(steps)))));
  epochs = saturating_mul(epochs, r.use.copies);
  b.mechanism = dp::Mechanism::gaussian(sgd_replace ? z / 2 : z).repeated(epochs);
  b.parameters = noise + ", shuffled batches (batch fraction " + format_compact(q) + "): each record in one batch " +
                 "per epoch, " + std::to_string(epochs) + (epochs == 1 ? " epoch" : " epochs") +
                 ", no amplification by sampling";
}

/// DP-SGD's steps: subsampled at q = sampling_rate (or batch_size / rows), for `steps` (or
/// epochs / q) steps. `noise` is the text of its noise so far.
void build_dpsgd_steps(const Release& r, ReleaseProfile& b, double z, bool sgd_replace, const std::string& noise) {
  std::uint64_t rows = rows_at(r.g, r.data, r.x.at);
  Rational q = r.param(flow::ParamKey::kSamplingRate).value_or(Rational(0));
  if (auto batch = r.param(flow::ParamKey::kBatchSize)) {
    q = *batch / Rational(static_cast<unsigned long>(std::min<std::uint64_t>(rows, ULONG_MAX)));
    q.canonicalize();
    if (q > 1) q = 1;
  }
  std::uint64_t steps = 1;
  if (auto s = r.param(flow::ParamKey::kSteps)) {
    steps = ceil_to_u64(*s);
  } else if (auto e = r.param(flow::ParamKey::kEpochs)) {
    steps = q > 0 ? ceil_to_u64(*e / q) : 1;
  }
  double q_up = std::min(1.0, to_double_up(q));
  if (r.x.batching == flow::Batching::kShuffle) {
    build_shuffled_batches(r, b, z, sgd_replace, noise, q, steps);
    return;
  }
  steps = saturating_mul(steps, r.use.copies);
  b.mechanism = dp::Mechanism::subsampled_gaussian(z, q_up);
  if (sgd_replace) b.mechanism = b.mechanism.with(dp::Neighbouring::kReplace);
  const bool fixed_size = r.x.batching == flow::Batching::kFixedSize;
  // Fixed-size batches drawn without replacement: the replace-one relation, where one batch's
  // sum moves by up to two clip norms (dp::Sampling::kFixedSize; docs/language.md, "dpsgd").
  if (fixed_size) b.mechanism = b.mechanism.with(dp::Sampling::kFixedSize);
  b.mechanism = b.mechanism.repeated(steps);
  b.parameters = noise + ", sampling rate " + format_compact(q) +
                 (fixed_size ? " (fixed-size batches, without replacement: replace-one)" : "") + ", " +
                 std::to_string(steps) + " steps";
}

/// Gaussian noise and DP-SGD: a noise multiplier, shared by a population when distributed.
void build_gaussian(const Release& r, ReleaseProfile& b) {
  const flow::Artifact& x = r.x;
  const flow::Agent& at = r.g.agents[x.at];
  const bool sgd = x.kind == flow::ComputeKind::kDpsgd;
  // Computation uses directed roundings of the exact parameters; text shows them as written.
  Rational z_exact;
  ReplaceFactor replace;
  if (sgd) {
    z_exact = r.param(flow::ParamKey::kNoiseMultiplier).value_or(Rational(0));
  } else {
    const Sensitivity sens = sensitivity(r.g, x, true);
    z_exact = r.param(flow::ParamKey::kSigma).value_or(Rational(0)) / sens.value;
    z_exact.canonicalize();
    b.sensitivity_note = sens.note;
    if (r.to_replace) replace = replace_factor(r.g, x, true, sens);
  }
  double z = to_double_down(z_exact);
  std::string noise = "noise multiplier " + format_exact(z_exact);
  const ReleaseUse& use = r.use;
  if (x.distributed && at.population && at.count > 1) {
    double shared = dp::distributed_noise_multiplier(z, use.shares, at.count);
    if (use.shares >= at.count)
      noise += " shared by " + std::to_string(at.count) + ", all in the sum";
    else
      noise += " shared by " + std::to_string(at.count) + " → " + std::to_string(use.shares) +
               (use.shares == 1 ? " honest share: " : " honest shares: ") + fmt_down(shared);
    b.amplification = use.shares == 1 ? "the coalition sees the target's own share of the noise"
                                      : "secure sum: " + std::to_string(use.shares) + " honest shares of the noise";
    z = shared;
  }
  // DP-SGD clips each record's gradient to the unit its noise multiplier is measured in:
  // that is the add/remove sensitivity. Replacing a record (data declared `neighbouring:
  // replace`, or a value question) swaps one clipped gradient for another: the accountant's
  // substitution pair (dp::Neighbouring::kReplace; Zhu, Dong & Wang 2022), amplified by the
  // subsampling as tightly as add/remove is.
  const bool sgd_replace = sgd && (r.to_replace || !r.add_remove);
  if (sgd_replace) noise += " (replace-one: one clipped gradient swapped for another)";
  if (sgd) {
    build_dpsgd_steps(r, b, z, sgd_replace, noise);
    return;
  }
  if (const auto rate = r.param(flow::ParamKey::kSamplingRate); rate && *rate < 1) {
    // On a Poisson sample (analyzer/subsampling.cpp): z is over the add/remove sensitivity.
    if (const auto s = sampled_gaussian(z, *rate, {r.add_remove, r.to_replace})) {
      b.mechanism = s->mechanism.repeated(r.times);
      b.parameters = noise + s->words + (r.times > 1 ? ", " + std::to_string(r.times) + " times" : "");
      return;
    }
    noise += ", Poisson sample of rate " + format_compact(*rate) + " (not amplified: replace-one data)";
  }
  if (r.to_replace) {
    // z = sigma / sensitivity: the replace-one sensitivity is factor times the one used.
    z = to_double_down(Rational(z) / replace.factor);
    noise += " (replace-one: sensitivity " + format_exact(replace.factor) + "x, " + replace.note + ")";
  }
  b.mechanism = dp::Mechanism::gaussian(z).repeated(r.times);
  b.parameters = noise + (r.times > 1 ? ", " + std::to_string(r.times) + " times" : "");
}

/// A declared guarantee: zCDP with `rho`, else (ε, δ) with `epsilon` and `delta` (default 0).
void build_declared(const Release& r, ReleaseProfile& b) {
  if (auto rho = r.param(flow::ParamKey::kRho)) {
    double zcdp_rho = to_double_up(*rho) * (r.to_replace ? 4 : 1);  // zCDP group privacy: g²ρ
    b.mechanism = dp::Mechanism::zcdp(zcdp_rho).repeated(r.times);
    b.parameters = "rho " + format_compact(*rho) + (r.to_replace ? " (replace-one: 4x)" : "") + " (declared)";
    return;
  }
  Rational eps = r.param(flow::ParamKey::kEpsilon).value_or(Rational(0));
  auto delta_exact = r.param(flow::ParamKey::kDelta);
  double delta = to_double_up(delta_exact.value_or(Rational(0)));
  if (r.to_replace) {
    if (delta == 0) {
      eps *= 2;
      b.mechanism = dp::Mechanism::declared(eps, 0).repeated(r.times);
    } else {
      auto gp = dp::group_privacy(to_double_up(eps), delta, 2);
      b.mechanism = dp::Mechanism::declared(gp.epsilon, gp.delta).repeated(r.times);
    }
  } else {
    b.mechanism = dp::Mechanism::declared(eps, delta).repeated(r.times);
  }
  if (delta == 0) {
    b.pure_local = true;
    b.epsilon_per_use = eps;
  }
  b.parameters = "epsilon " + format_up(eps, 4) +
                 (delta > 0 && delta_exact ? ", delta " + format_compact(*delta_exact) : "") + " (declared)";
}

/// The discrete Gaussian: integer noise, so its sensitivity Δ is a whole number; a fractional
/// one (declared or derived) is rounded up, which only adds loss (δ(ε) of the pair grows with
/// the shift: tests/dp/discrete_gaussian_test.cpp checks it on exact sums). Replace-one under add/remove doubles Δ, as for the Gaussian.
void build_discrete_gaussian(const Release& r, ReleaseProfile& b) {
  const Sensitivity sens = sensitivity(r.g, r.x, false);
  b.sensitivity_note = sens.note;
  const Rational sigma = r.param(flow::ParamKey::kSigma).value_or(Rational(0));
  std::uint64_t shift = ceil_to_u64(sens.value);
  std::string text = "sigma " + format_exact(sigma);
  if (Rational(static_cast<unsigned long>(shift)) != sens.value)
    text += ", sensitivity " + std::to_string(shift) + " (" + format_exact(sens.value) + " rounded up)";
  else if (sens.note.empty())  // else `build` appends the note, which names it
    text += ", sensitivity " + std::to_string(shift);
  if (r.to_replace) {
    shift = saturating_mul(shift, 2);
    text += " (replace-one: sensitivity " + std::to_string(shift) + ")";
  }
  b.mechanism = dp::Mechanism::discrete_gaussian(to_double_down(sigma), shift).repeated(r.times);
  b.parameters = text;
}

/// DP-FTRL's noise (dp/tree_aggregation.hpp): the Gaussian mechanism of the linear map's L2
/// sensitivity `sensitivity_squared` (in clipping norms, zero-gradient replacement) at noise
/// multiplier `noise_multiplier`. Replace-one (one real gradient for another, the data's
/// relation or a value question) doubles the sensitivity: z / 2.
void build_linear_gaussian(const Release& r, ReleaseProfile& b, const Rational& sensitivity_squared, std::string text) {
  const Rational z = r.param(flow::ParamKey::kNoiseMultiplier).value_or(Rational(0));
  Rational squared = sensitivity_squared;
  if (r.to_replace || !r.add_remove) {
    squared *= 4;
    text += " (replace-one: one clipped gradient for another, sensitivity 2x)";
  }
  b.mechanism = dp::Mechanism::gaussian(dp::effective_noise_multiplier(z, squared)).repeated(r.times);
  b.parameters = "noise multiplier " + format_exact(z) + ", " + text;
}

/// Tree aggregation (Kairouz et al. 2021): `epochs` trees (rounded up) of `steps` leaves.
void build_tree_aggregation(const Release& r, ReleaseProfile& b) {
  const std::uint64_t steps = ceil_to_u64(r.param(flow::ParamKey::kSteps).value_or(Rational(1)));
  const std::uint64_t trees = ceil_to_u64(r.param(flow::ParamKey::kEpochs).value_or(Rational(1)));
  const bool completion = r.x.tree_completion;
  const std::uint64_t nodes = dp::tree_nodes_per_leaf(steps, completion);
  const Rational squared = dp::tree_sensitivity_squared(steps, trees, completion);
  std::string text = std::to_string(steps) + " steps per tree, " + std::to_string(trees) +
                     (trees == 1 ? " tree" : " trees") + (completion ? " (completed)" : "") + ": sensitivity √" +
                     format_exact(squared) + " (" + std::to_string(nodes) + " nodes per leaf" +
                     (trees > 1 ? " × " + std::to_string(trees) + " trees" : "") + ", Kairouz et al. 2021 App. D)";
  build_linear_gaussian(r, b, squared, std::move(text));
}

/// A matrix-factorisation mechanism: the Gaussian of its strategy's sensitivity.
bool build_matrix_factorization(const Release& r, ReleaseProfile& b) {
  StrategySensitivity s = strategy_sensitivity(r.g, r.x);
  if (!s.error.empty()) {
    b.error = s.error;
    return false;
  }
  build_linear_gaussian(r, b, s.squared, std::move(s.text));
  return true;
}

/// The local randomizers for frequency estimation (analyzer/detail/local_randomizers.hpp): ε-local
/// DP on the reported value itself, like randomized response, so no replace-one conversion.
/// RAPPOR's repeated reports of one value are capped by its permanent response's ε∞.
bool build_local_randomizer(const Release& r, ReleaseProfile& b) {
  // The cap holds for one instance's reports (one permanent response): each instance that
  // holds the record keeps its own, so the copies compose.
  const LocalProfile profile = local_randomizer_profile(r.g, r.x, r.g.times(r.x));
  if (!profile.error.empty()) {
    b.error = profile.error;
    return false;
  }
  if (!profile.composes) {
    b.mechanism = dp::Mechanism::declared(profile.epsilon_total, 0).repeated(r.use.copies);
  } else if (profile.exact_epsilon) {
    b.mechanism = dp::Mechanism::declared(*profile.exact_epsilon, 0).repeated(r.times);
    b.epsilon_per_use = *profile.exact_epsilon;
  } else {
    b.mechanism = dp::Mechanism::declared(profile.epsilon_per_report, 0).repeated(r.times);
  }
  b.parameters = profile.parameters;
  b.pure_local = true;
  return true;
}

/// Gossip and token walks among a population's members (analyzer/network.cpp): the μ of the
/// coalition's view as a Gaussian. `sensitivity` is a member's clipped contribution (raised to
/// the derived one); replace-one swaps one contribution for another, at most twice as far.
bool build_network(const Release& r, ReleaseProfile& b) {
  const Sensitivity sens = sensitivity(r.g, r.x, true);
  b.sensitivity_note = sens.note;
  Rational clip = sens.value;
  std::string replace_note;
  if (r.to_replace || !r.add_remove) {
    const ReplaceFactor f = replace_factor(r.g, r.x, true, sens);
    clip *= f.factor;
    clip.canonicalize();
    replace_note = " (replace-one: clip " + format_exact(f.factor) + "x, " + f.note + ")";
  }
  const NetworkProfile p = network_profile(r.g, r.x, r.use, to_double_up(clip),
                                           to_double_down(r.param(flow::ParamKey::kSigma).value_or(Rational(0))), r.times);
  if (!p.error.empty()) {
    b.error = p.error;
    return false;
  }
  b.mechanism = p.mechanism;
  if (p.tail) b.tail = p.tail->repeated(r.times);
  b.parameters = p.parameters + replace_note;
  b.network = p.view;
  if (!p.pairwise.empty()) b.network.push_back(steps::pairwise_network_dp(p.pairwise));
  return true;
}

}  // namespace

namespace {

/// A rational as a fraction (`381/64`, `3`) when short, else as format_exact writes it.
std::string fraction_text(const Rational& q) {
  const std::string num = q.get_num().get_str(), den = q.get_den().get_str();
  if (num.size() + den.size() > 16) return format_exact(q);
  return den == "1" ? num : num + "/" + den;
}

/// √q as a derivation shows it: `√(381/64) = 2.43990`, the decimal rounded up; a fraction
/// too long to read (from an irrational coefficient) is left out.
std::string root_text(const Rational& q) {
  const double root = std::nextafter(std::sqrt(to_double_up(q)), std::numeric_limits<double>::infinity());
  const bool readable = q.get_num().get_str().size() + q.get_den().get_str().size() <= 16;
  return (readable ? "√(" + fraction_text(q) + ") = " : "") + format_double_up(root, 6);
}

/// A coefficient as the spec wrote it: `3/8`, `c`, `sqrt(2)/2`.
std::string coefficient_text(const flow::Graph& g, const flow::ParamValue& c) {
  if (c.expr) return flow::expr_text(*c.expr, g.params);
  if (c.param != flow::kNone) return g.params[c.param].name;
  return fraction_text(c.literal);
}

/// The bands as written, the first 8 and the count of the rest.
std::string bands_text(const flow::Graph& g, const std::vector<flow::ParamValue>& bands) {
  std::string text = "[";
  for (std::size_t i = 0; i < bands.size() && i < 8; ++i) text += (i ? ", " : "") + coefficient_text(g, bands[i]);
  if (bands.size() > 8) text += ", ... " + std::to_string(bands.size() - 8) + " more";
  return text + "]";
}

}  // namespace

StrategySensitivity strategy_sensitivity(const flow::Graph& g, const flow::Artifact& x) {
  StrategySensitivity out;
  const auto& bands = g.list(x, flow::ParamKey::kCoefficients);
  if (bands.empty()) {
    const Rational s = g.param(x, flow::ParamKey::kSensitivity).value_or(Rational(1));
    out.squared = s * s;
    out.squared.canonicalize();
    out.text = "strategy sensitivity " + format_exact(s) + " (declared)";
    return out;
  }
  // |c| bounded above (an irrational coefficient's interval): the squares only grow.
  dp::BandedToeplitz strategy;
  for (const auto& c : bands) strategy.coefficients.push_back(g.magnitude(c));
  auto steps = g.param(x, flow::ParamKey::kSteps);
  strategy.steps = steps ? ceil_to_u64(*steps) : std::numeric_limits<std::uint64_t>::max();  // unbounded
  strategy.participations = ceil_to_u64(g.param(x, flow::ParamKey::kEpochs).value_or(Rational(1)));
  auto separation = g.param(x, flow::ParamKey::kMinSeparation);
  strategy.min_separation = separation ? ceil_to_u64(*separation) : strategy.steps;  // one participation: as the CLI
  auto squared = dp::banded_toeplitz_sensitivity_squared(strategy, &out.error);
  if (!squared) return out;
  out.squared = *squared;
  const std::uint64_t k = strategy.participations;
  out.text = "banded Toeplitz strategy " + bands_text(g, bands) + ", " + std::to_string(k) +
             (k == 1 ? " participation" : " participations") +
             (k > 1 ? " at least " + std::to_string(strategy.min_separation) + " steps apart" : "") +
             (steps ? " in " + std::to_string(strategy.steps) + " steps" : "") + ": sensitivity " +
             root_text(out.squared) +
             " (the columns of a participation pattern have disjoint rows; Choquette-Choo et al. 2023, Thm 2)";
  return out;
}

/// The privacy profile of one release use. Every kind of the catalogue has a case here (no
/// `default`, so that a new kind without its profile is a compiler warning, and
/// tests/docs/catalogue_test.cpp analyses one release of every kind).
ReleaseProfile release_profile(const flow::Graph& g, flow::Id data, const ReleaseUse& use, Question question) {
  const flow::Artifact& x = g.artifacts[use.artifact];
  const bool add_remove = g.data[data].neighbouring == flow::Neighbouring::kAddRemove;
  const Release release{g, x, data, use, add_remove, question == Question::kValue && add_remove,
                        saturating_mul(g.times(x), use.copies)};
  ReleaseProfile b;
  switch (x.kind) {
    case flow::ComputeKind::kLaplace:
    case flow::ComputeKind::kGeometric:
    case flow::ComputeKind::kExponential:
      if (!build_pure_noise(release, b)) return b;
      break;
    case flow::ComputeKind::kRandomizedResponse:
      if (!build_randomized_response(release, b)) return b;
      break;
    case flow::ComputeKind::kGaussian:
    case flow::ComputeKind::kDpsgd: build_gaussian(release, b); break;
    case flow::ComputeKind::kDeclared: build_declared(release, b); break;
    case flow::ComputeKind::kDiscreteGaussian: build_discrete_gaussian(release, b); break;
    case flow::ComputeKind::kTreeAggregation: build_tree_aggregation(release, b); break;
    case flow::ComputeKind::kMatrixFactorization:
      if (!build_matrix_factorization(release, b)) return b;
      break;
    case flow::ComputeKind::kSparseVector:
    case flow::ComputeKind::kReportNoisyMax:
    case flow::ComputeKind::kTopK:
      if (!build_selection(release, b)) return b;
      break;
    case flow::ComputeKind::kRappor:
    case flow::ComputeKind::kUnaryEncoding:
    case flow::ComputeKind::kLocalHashing:
    case flow::ComputeKind::kHadamardResponse:
    case flow::ComputeKind::kCountMeanSketch:
      if (!build_local_randomizer(release, b)) return b;
      break;
    case flow::ComputeKind::kGossip:
    case flow::ComputeKind::kTokenWalk:
    case flow::ComputeKind::kDecentralizedSgd:
      if (!build_network(release, b)) return b;
      break;
    case flow::ComputeKind::kMap:
    case flow::ComputeKind::kSelect:
    case flow::ComputeKind::kCount:
    case flow::ComputeKind::kSum:
    case flow::ComputeKind::kMean:
    case flow::ComputeKind::kHistogram:
    case flow::ComputeKind::kAggregate:
    case flow::ComputeKind::kTrain:
    case flow::ComputeKind::kPseudonymize:
      b.error = "not a private mechanism";
      return b;
  }
  const std::uint64_t times = release.times;
  if (times > 1 && x.kind != flow::ComputeKind::kDpsgd && x.kind != flow::ComputeKind::kGaussian)
    b.parameters += ", " + std::to_string(times) + " times";
  if (!b.sensitivity_note.empty()) b.parameters += ", " + b.sensitivity_note;
  if (use.copies > 1) b.parameters += " (" + std::to_string(use.copies) + " instances' releases)";
  return b;
}

}  // namespace privflow::analyzer::detail
