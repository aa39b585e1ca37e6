// The error model of every kind (analyzer/detail/error_model.hpp; docs/concepts.md, "The error of
// a release"). Each figure is an upper bound, rounded up: a too-small error is optimistic advice.
#include "analyzer/detail/error_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "analyzer/detail/network.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "dp/error.hpp"
#include "dp/local_randomizers.hpp"
#include "dp/network.hpp"
#include "flow/catalogue.hpp"

namespace privflow::analyzer::detail {
namespace {

using K = flow::ParamKey;
using C = flow::ComputeKind;

std::string num(double x) { return format_double_up(x, 4); }

/// x·y rounded up.
double mul_up(double x, double y) {
  const double z = x * y;
  return std::isfinite(z) && z != 0 ? std::nextafter(z, std::numeric_limits<double>::infinity()) : z;
}

/// The sensitivity the noise is calibrated to: the declared one (default 1), raised to the one
/// derived from the input when larger (as the privacy profile does, analyzer/release_profile.cpp).
Rational noise_sensitivity(const flow::Graph& g, const flow::Artifact& x, bool l2) {
  Rational s = g.param(x, K::kSensitivity).value_or(Rational(1));
  if (auto derived = flow::derived_sensitivity(g, x, l2); derived && derived->value > s) s = derived->value;
  return s;
}

/// The mean of a numeric field under its prior (uniform over [lo, hi] when none).
std::optional<double> field_mean(const flow::Field& f) {
  if (f.type == flow::FieldType::kEnum || f.parent != flow::kNone) return std::nullopt;
  const double lo = f.type == flow::FieldType::kBool ? 0 : static_cast<double>(f.lo);
  const double hi = f.type == flow::FieldType::kBool ? 1 : static_cast<double>(f.hi);
  if (f.prior.empty() || f.prior[0].empty()) return (lo + hi) / 2;
  double mean = 0;
  for (std::size_t i = 0; i < f.prior[0].size(); ++i) mean += (lo + static_cast<double>(i)) * f.prior[0][i].get_d();
  return mean;
}

/// The smallest prior probability of a field's values (uniform: 1/k), with the value's name.
std::optional<std::pair<double, std::string>> rarest_value(const flow::Field& f) {
  if (f.parent != flow::kNone) return std::nullopt;
  const std::uint64_t k = f.domain_size();
  if (k == 0) return std::nullopt;
  if (f.prior.empty() || f.prior[0].empty()) return std::make_pair(1.0 / static_cast<double>(k), std::string("each value"));
  std::size_t best = 0;
  for (std::size_t i = 1; i < f.prior[0].size(); ++i)
    if (f.prior[0][i] < f.prior[0][best]) best = i;
  return std::make_pair(f.prior[0][best].get_d(), f.name + " = " + f.value_name(best));
}

/// The expected true value a noise mechanism's input has, where the data's rows and the field's
/// range (or prior) make it known: a count (rows), a sum or a field read directly (rows × its
/// mean), a mean, or a histogram's smallest expected cell.
void set_expected(const flow::Graph& g, const flow::Artifact& x, ReleaseError& e) {
  if (x.inputs.size() != 1) return;
  const flow::Input& in = x.inputs[0];
  const flow::Artifact* stat = in.kind == flow::Input::Kind::kArtifact ? &g.artifacts[in.artifact] : nullptr;
  const flow::Input& base = stat ? (stat->inputs.empty() ? in : stat->inputs[0]) : in;
  if (base.data == flow::kNone || base.data >= g.data.size()) return;
  const flow::Data& d = g.data[base.data];
  if (d.rows == 0) return;
  const double rows = static_cast<double>(d.rows);
  const flow::Field* f = base.kind == flow::Input::Kind::kField ? &d.fields[base.field] : nullptr;
  const C kind = stat ? stat->kind : (f ? (f->type == flow::FieldType::kEnum ? C::kHistogram : C::kSum) : C::kCount);
  if (kind == C::kCount && (!stat || (!stat->inputs.empty() && stat->inputs[0].kind == flow::Input::Kind::kData))) {
    e.expected = rows;
    e.expected_what = "the row count of " + d.name;
  } else if ((kind == C::kSum || kind == C::kMean) && f) {
    if (auto mean = field_mean(*f)) {
      e.expected = kind == C::kSum ? rows * *mean : *mean;
      e.expected_what = std::string(kind == C::kSum ? "the expected sum of " : "the expected mean of ") + d.name + "." + f->name;
    }
  } else if (kind == C::kHistogram && f) {
    if (auto rare = rarest_value(*f)) {
      e.expected = rows * rare->first;
      e.expected_what = "the smallest expected count (" + rare->second + ")";
    }
  }
  if (e.expected && *e.expected != 0) e.relative = mul_up(e.half_width, 1 / std::fabs(*e.expected) * (1 + 1e-15));
}

void set_figure(ReleaseError& e, const dp::error::Figure& f) {
  e.modelled = std::isfinite(f.sd) && std::isfinite(f.half_width);
  e.sd = f.sd;
  e.half_width = f.half_width;
}

/// The count of reports a local randomizer's estimate is over: the data's rows.
double reports(const flow::Graph& g, const flow::Artifact& x) {
  if (x.inputs.empty() || x.inputs[0].data >= g.data.size()) return 0;
  return static_cast<double>(g.data[x.inputs[0].data].rows);
}

/// The rows one instance of `at` holds of `data` (a partition of it), else all of them.
std::uint64_t rows_per_instance(const flow::Graph& g, flow::Id data, const flow::Agent& at) {
  const flow::Data& d = g.data[data];
  for (const auto& h : at.holds)
    if (h.data == data && h.partitioned && at.population && at.count > 0) return std::max<std::uint64_t>(1, d.rows / at.count);
  return d.rows;
}

/// A frequency's error relative to the rarest value's expected frequency.
void set_rarest_frequency(const flow::Graph& g, const flow::Artifact& x, ReleaseError& e) {
  const flow::Input& in = x.inputs[0];
  if (in.kind != flow::Input::Kind::kField || !e.modelled) return;
  if (auto rare = rarest_value(g.data[in.data].fields[in.field])) {
    e.expected = rare->first;
    e.expected_what = "the smallest expected frequency (" + rare->second + ")";
    e.relative = mul_up(e.half_width, 1 / rare->first * (1 + 1e-15));
  }
}

/// A local randomizer's frequency estimate (Wang et al. 2017, Theorem 2; dp/error.hpp), over
/// the data's rows as reports; relative to the rarest value's expected frequency.
void frequency_error(const flow::Graph& g, const flow::Artifact& x, double s_true, double s_other, double beta,
                     const std::string& model, ReleaseError& e) {
  const double n = reports(g, x);
  e.quantity = "the estimated frequency of a value";
  e.unit = "(fraction of the reports)";
  if (n <= 0) {
    e.how = model + ": the data declares no rows, so the number of reports is unknown";
    return;
  }
  set_figure(e, dp::error::frequency(s_true, s_other, n, beta));
  e.how = model + " over " + std::to_string(static_cast<std::uint64_t>(n)) +
          " reports: the frequency estimator's variance (Wang et al. 2017, Theorem 2), worst case over the true "
          "frequency; the interval by Bernstein's inequality";
  set_rarest_frequency(g, x, e);
}

/// Gaussian noise on a gradient sum, as a multiple of the clipping norm C.
void gradient_error(double sd_over_c, double beta, const std::string& model, ReleaseError& e) {
  e.quantity = "each coordinate of the noisy gradient";
  e.unit = "× the clipping norm C";
  set_figure(e, dp::error::gaussian(sd_over_c, beta));
  e.how = model;
}

void noise_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  e.quantity = "the released value";
  switch (x.kind) {
    case C::kLaplace: {
      const Rational sens = noise_sensitivity(g, x, false);
      Rational b = g.param(x, K::kScale) ? *g.param(x, K::kScale) : Rational(sens / g.param(x, K::kEpsilon).value_or(Rational(1)));
      b.canonicalize();
      set_figure(e, dp::error::laplace(to_double_up(b), beta));
      e.how = "Laplace noise of scale " + format_up(b, 4) + ": sd √2·b, P(|noise| > b·ln(1/β)) = β";
      break;
    }
    case C::kGeometric: {
      Rational ratio = g.param(x, K::kEpsilon).value_or(Rational(1)) / noise_sensitivity(g, x, false);
      ratio.canonicalize();
      set_figure(e, dp::error::geometric(to_double_down(ratio), beta));
      e.how = "two-sided geometric noise, alpha = e^-(epsilon/sensitivity) = e^-" + format_down(ratio, 4) +
              ": P(|noise| > k) = 2·alpha^(k+1)/(1 + alpha)";
      break;
    }
    case C::kGaussian: {
      const double sigma = to_double_up(g.param(x, K::kSigma).value_or(Rational(0)));
      set_figure(e, dp::error::gaussian(sigma, beta));
      const flow::Agent& at = g.agents[x.at];
      e.how = "Gaussian noise of sd " + num(sigma) +
              (x.distributed && at.population ? " in the sum of all " + std::to_string(at.count) + " shares" : "") +
              ": half-width sigma·Φ⁻¹(1 − β/2)";
      break;
    }
    case C::kDiscreteGaussian: {
      const double sigma = to_double_up(g.param(x, K::kSigma).value_or(Rational(0)));
      set_figure(e, dp::error::discrete_gaussian(sigma, beta));
      e.how = "discrete Gaussian N_Z(0, " + num(sigma) + "²): its variance and tail summed exactly";
      break;
    }
    default: break;
  }
  set_expected(g, x, e);
}

/// A selection's error (exponential, report_noisy_max, top_k, sparse_vector): the chosen
/// output's shortfall from the best score, over the `candidates` the spec states (dp/error.hpp).
void selection_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  const std::string kind = flow::kind_name(x.kind);
  const auto candidates = g.param(x, K::kCandidates);
  if (!candidates) {
    e.how = kind + ": a selection's error depends on how many " +
            (x.kind == C::kSparseVector ? "queries it looks at" : "outputs it chooses among") +
            "; add `candidates: N` to the compute for its figure";
    return;
  }
  const double m = to_double_up(*candidates);
  const double eps = to_double_down(g.param(x, K::kEpsilon).value_or(Rational(0)));
  if (!(eps > 0)) {
    e.how = kind + ": no epsilon";
    return;
  }
  const double sens = x.kind == C::kExponential ? 1.0 : to_double_up(noise_sensitivity(g, x, false));
  e.unit = x.kind == C::kExponential ? "× the score's sensitivity Δ" : "(in the scores' units)";
  e.quantity = "the chosen output's shortfall from the best score";
  const std::string over = " over " + num(m) + " candidates";
  switch (x.kind) {
    case C::kExponential:
      set_figure(e, dp::error::exponential_selection(1 / eps * (1 + 1e-15), m, 1, beta));
      e.how = "exponential mechanism" + over + ", P(r) ∝ exp(ε·u(r)/(2Δ)), ε " + num(eps) +
              ": shortfall ≤ (2Δ/ε)·ln((|R| − 1)/β) (Dwork & Roth 2014, Thm 3.11, Cor. 3.12)";
      return;
    case C::kReportNoisyMax: {
      const double b = 2 * sens / eps * (1 + 1e-15);
      set_figure(e, dp::error::report_noisy_max(b, m, beta));
      e.how = "report noisy max" + over + ", Laplace noise of scale b = 2·sensitivity/ε = " + num(b) +
              " on each: a union bound over the others of P(Z_j − Z_best > α) = ½e^(−α/b)(1 + α/(2b)) (the "
              "difference of two Laplace noises; Dwork & Roth 2014, Sec. 3.3)";
      return;
    }
    case C::kTopK: {
      const double k = g.param(x, K::kK).value_or(Rational(1)).get_d();
      if (k > m) {
        e.how = "top_k: k " + num(k) + " is more than the " + num(m) + " candidates";
        return;
      }
      set_figure(e, dp::error::exponential_selection(sens / eps * (1 + 1e-15), m, k, beta));
      e.quantity = "each returned item's shortfall from the k-th best score";
      e.how = "one-shot top-" + num(k) + over + " with Gumbel noise of scale 2·sensitivity/ε, the same output as " +
              num(k) + " peeling exponential mechanisms of ε " + num(eps) +
              " (Durfee & Rogers 2019, Thm 1): each within (2Δ/ε)·ln(k(|R| − 1)/β) of the k-th best (Dwork & Roth "
              "2014, Thm 3.11, a union bound over the k steps)";
      return;
    }
    case C::kSparseVector: {
      const double c = g.param(x, K::kAnswers).value_or(Rational(1)).get_d();
      // The split privflow accounts (analyzer/release_profile.cpp): ε₁ : ε₂ = 1 : (2c)^(2/3).
      const double share = 1 / (1 + std::cbrt(4 * c * c));
      const double eps1 = eps * share * (1 - 1e-15), eps2 = eps * (1 - share) * (1 - 1e-15);
      const double b1 = sens / eps1, b2 = 2 * c * sens / eps2;
      set_figure(e, dp::error::sparse_vector(b1, b2, m, beta));
      e.quantity = "each answer against the threshold T (above: the query ≥ T − α; below: ≤ T + α)";
      e.how = "sparse vector" + over + " queries (Lyu, Su & Li 2017, Alg. 1): threshold noise Lap(" + num(b1) +
              "), query noise Lap(" + num(b2) +
              "); a wrong answer needs |ν − ρ| > α (Dwork & Roth 2014, Thm 3.24), the union bound over the queries "
              "taken given ρ and integrated exactly";
      return;
    }
    default: return;
  }
}

/// What one record adds to the input of a noise on a Poisson sample: at most `bound` in absolute
/// value; `binomial` when it adds 0 or 1 (a count, a histogram's cell, a sum of a bool), so the
/// sampled value is Bin(c, q) for a true value c ≤ rows.
struct RecordShare {
  double bound = 1, rows = 0;
  bool binomial = false;
};

/// A count, a histogram or a sum of a numeric field over data with rows; else nullopt.
std::optional<RecordShare> record_share(const flow::Graph& g, const flow::Artifact& x) {
  if (x.inputs.size() != 1) return std::nullopt;
  const flow::Input& in = x.inputs[0];
  const flow::Artifact* stat = in.kind == flow::Input::Kind::kArtifact ? &g.artifacts[in.artifact] : nullptr;
  const flow::Input& base = stat ? (stat->inputs.empty() ? in : stat->inputs[0]) : in;
  if (base.data == flow::kNone || base.data >= g.data.size() || g.data[base.data].rows == 0) return std::nullopt;
  const flow::Data& d = g.data[base.data];
  const double rows = static_cast<double>(d.rows);
  const C kind = stat ? stat->kind : (base.kind == flow::Input::Kind::kData ? C::kCount : C::kSum);
  if (kind == C::kCount || kind == C::kHistogram) return RecordShare{1, rows, true};
  if (kind != C::kSum || base.kind != flow::Input::Kind::kField) return std::nullopt;
  const flow::Field& f = d.fields[base.field];
  if (f.type == flow::FieldType::kEnum || f.parent != flow::kNone) return std::nullopt;
  if (f.type == flow::FieldType::kBool || (f.lo == 0 && f.hi == 1)) return RecordShare{1, rows, true};
  return RecordShare{std::max(std::fabs(static_cast<double>(f.lo)), std::fabs(static_cast<double>(f.hi))), rows, false};
}

/// laplace or gaussian on a Poisson sample of rate q: the estimate (sampled value + noise)/q.
void sampled_error(const flow::Graph& g, const flow::Artifact& x, const Rational& rate, double beta, ReleaseError& e) {
  const std::string kind = flow::kind_name(x.kind);
  const std::string head = kind + " on a Poisson sample of rate " + format_exact(rate);
  const auto share = record_share(g, x);
  if (x.kind == C::kRandomizedResponse) {
    e.how = head + ": the frequency estimate over a sample (its size random) has no error model yet";
    return;
  }
  if (!share) {
    e.how = head + ": the estimate's error includes the sample's own; it is modelled for a count, a histogram or a "
                   "sum of a numeric field over data with `rows`, which this input is not";
    return;
  }
  const double q = to_double_down(rate);
  ReleaseError noise;
  noise_error(g, x, beta, noise);
  if (!noise.modelled) return;
  const auto noise_at = [&](double b) {
    ReleaseError at;
    noise_error(g, x, b, at);
    return at.half_width;
  };
  set_figure(e, dp::error::poisson_sampled(share->rows, share->bound, q, share->binomial, noise.sd, noise_at, beta));
  e.quantity = "the estimate (the sample's value + noise) / " + format_exact(rate);
  e.how = head + " of at most " + std::to_string(static_cast<std::uint64_t>(share->rows)) + " rows, each adding " +
          (share->binomial ? "0 or 1" : "at most " + num(share->bound)) +
          ": the sampling error, worst case over a true value of at most that many rows (variance rows·" +
          num(share->bound) + "²·(1 − q)/q; " +
          (share->binomial ? "the smaller of Bernstein's and the Berry–Esseen bound (Shevtsova 2011)"
                           : "Bernstein's inequality") +
          " for its share of β), plus the noise over q (" + noise.how + ", for the rest of β)";
  set_expected(g, x, e);
}

/// Apple's count-mean sketch: the estimated frequency of a value (dp/error.hpp).
void cms_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  e.quantity = "the estimated frequency of a value";
  e.unit = "(fraction of the reports)";
  const auto width = g.param(x, K::kWidth);
  const double n = reports(g, x);
  if (!width || *width < 2 || n <= 0) {
    e.how = std::string("count_mean_sketch: the estimator's variance depends on ") +
            (n <= 0 ? "the number of reports: the data declares no rows" : "the sketch's width; add `width: m` (at least 2)");
    return;
  }
  const double eps = to_double_up(g.param(x, K::kEpsilon).value_or(Rational(0)));
  const std::uint64_t m = width->get_num().get_ui();
  const std::uint64_t k = g.param(x, K::kHashes).value_or(Rational(1)).get_num().get_ui();
  const double variance = dp::ldp::cms_variance(eps, m, k, n, 0, n * (n - 1));
  set_figure(e, dp::error::count_mean_sketch(eps, static_cast<double>(m), static_cast<double>(k), n, variance, beta));
  e.how = "count-mean sketch of width " + std::to_string(m) + " and " + std::to_string(k) + " hash functions over " +
          std::to_string(static_cast<std::uint64_t>(n)) +
          " reports (Apple Differential Privacy Team 2017): the de-biased estimator's variance, worst case over the "
          "other values (all one value: its hash collisions add up); the interval by Bernstein's inequality over "
          "the hash functions (modelled as random) at β/2 and over the reports at β/2";
  set_rarest_frequency(g, x, e);
}

/// ‖W^rounds·e_i‖₂ (W symmetric, so the i-th row of W^rounds), by `rounds` sparse products;
/// nullopt past `budget` multiply-adds.
std::optional<long double> gossip_row_norm(const dp::network::Graph& graph, std::uint64_t i, std::uint64_t rounds,
                                           std::uint64_t& budget) {
  std::unordered_map<std::uint64_t, long double> v{{i, 1.0L}};
  for (std::uint64_t r = 0; r < rounds; ++r) {
    std::unordered_map<std::uint64_t, long double> next;
    for (const auto& [j, value] : v) {
      long double stay = 1;
      for (std::uint64_t l : graph.neighbours(j)) {
        const long double w = graph.weight(j, l);
        next[l] += w * value;
        stay -= w;
        if (budget-- == 0) return std::nullopt;
      }
      next[j] += stay * value;
    }
    v = std::move(next);
  }
  long double sq = 0;
  for (const auto& [j, value] : v) sq += value * value;
  return std::sqrt(sq);
}

/// gossip: the privacy noise in a member's output after `rounds` steps, σ·‖e_iᵀW^rounds‖₂, the
/// largest over the members (one member on the symmetric topologies: every row is alike).
void gossip_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  namespace net = dp::network;
  const flow::Agent& at = g.agents[x.at];
  const double sigma = to_double_up(g.param(x, K::kSigma).value_or(Rational(0)));
  const std::uint64_t rounds = g.param(x, K::kRounds).value_or(Rational(1)).get_num().get_ui();
  e.quantity = "the privacy noise in a member's output";
  if (!at.topology || !at.population || net::topology_error(network_topology(at))) {
    e.how = "gossip: the population has no valid topology";
    return;
  }
  const net::Graph graph(network_topology(at));
  const auto kind = graph.topology().kind;
  const bool symmetric = kind == net::TopologyKind::kRing || kind == net::TopologyKind::kTorus ||
                         kind == net::TopologyKind::kComplete;
  std::uint64_t budget = 5'000'000;  // a few tens of ms: the analysis runs many times in a fix search
  long double largest = 0;
  bool bounded = false;
  if (kind == net::TopologyKind::kComplete && rounds >= 1) {
    largest = 1 / std::sqrt(static_cast<long double>(at.count));  // W = J/n: every row is 1/n
  } else {
    for (std::uint64_t i = 0; i < (symmetric ? 1 : at.count); ++i) {
      const auto norm = gossip_row_norm(graph, i, rounds, budget);
      if (!norm) {
        largest = 1;  // ‖W^r e_i‖₂ ≤ ‖W‖₂^r ≤ 1 (W doubly stochastic and symmetric)
        bounded = true;
        break;
      }
      largest = std::max(largest, *norm);
    }
  }
  const double factor = static_cast<double>(largest) * (1 + 1e-12);
  set_figure(e, dp::error::gaussian(mul_up(sigma, std::min(1.0, factor)), beta));
  e.how = "gossip on the " + net::describe(graph.topology()) + " for " + std::to_string(rounds) +
          " rounds: a member's output carries sigma·‖e_iᵀW^rounds‖₂ = " + num(sigma) + " × " +
          num(std::min(1.0, factor)) +
          (bounded ? " (the bound 1: the graph is too large to multiply out)"
                   : symmetric ? " (every member alike on this topology)" : " (the largest over the members)") +
          " of Gaussian noise; the consensus error (its distance from the true average) is not privacy's cost and "
          "is not included";
}

/// declared: the error the spec states with `error_sd`, an assumption, with Chebyshev's interval.
void declared_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  const auto sd = g.param(x, K::kErrorSd);
  if (!sd) {
    e.how = "declared: a guarantee without a stated mechanism has no error model; add `error_sd: s` to state its "
            "error (an assumption)";
    return;
  }
  const double s = to_double_up(*sd);
  e.modelled = true;
  e.sd = s;
  e.half_width = mul_up(s, 1 / std::sqrt(beta) * (1 + 1e-15));
  e.quantity = "the released value, as declared";
  e.how = "declared by the spec, not checked: error sd " + format_exact(*sd) +
          " (an assumption); the half-width sd/√β by Chebyshev's inequality, which holds whatever the error's "
          "distribution";
}

/// The error of one release (one application of it; `times` applications each have it).
void mechanism_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  const auto param = [&](K key) { return g.param(x, key); };
  const auto param_d = [&](K key, double fallback) { return param(key) ? param(key)->get_d() : fallback; };
  // A Poisson sample (sampling_rate on laplace, gaussian, randomized_response): the estimate's
  // error includes the sample's own; the noise alone would be an optimistic figure.
  if (x.kind != C::kDpsgd && param(K::kSamplingRate) && *param(K::kSamplingRate) < 1) {
    sampled_error(g, x, *param(K::kSamplingRate), beta, e);
    return;
  }
  switch (x.kind) {
    case C::kLaplace:
    case C::kGeometric:
    case C::kGaussian:
    case C::kDiscreteGaussian: noise_error(g, x, beta, e); return;
    case C::kRandomizedResponse: {
      const std::uint64_t k = x.inputs.empty() || x.inputs[0].kind != flow::Input::Kind::kField
                                  ? 2
                                  : g.data[x.inputs[0].data].fields[x.inputs[0].field].domain_size();
      double keep = 0;
      if (param(K::kKeep)) keep = to_double_down(*param(K::kKeep));
      else keep = std::exp(param_d(K::kEpsilon, 0)) / (std::exp(param_d(K::kEpsilon, 0)) + static_cast<double>(k) - 1);
      frequency_error(g, x, keep, (1 - keep) / static_cast<double>(k < 2 ? 1 : k - 1), beta,
                      "randomized response over " + std::to_string(k) + " values, keep " + num(keep), e);
      return;
    }
    case C::kRappor: {
      dp::ldp::Rappor r;
      r.f = param_d(K::kF, 0.5);
      r.p = param_d(K::kP, 0.5);
      r.q = param_d(K::kQ, 0.5);
      frequency_error(g, x, dp::ldp::rappor_q_star(r), dp::ldp::rappor_p_star(r), beta,
                      "RAPPOR, per Bloom bit (q* and p*, Erlingsson et al. 2014, §3.2)", e);
      return;
    }
    case C::kUnaryEncoding: {
      const double eps = param_d(K::kEpsilon, 0);
      const double p = param(K::kP) ? param_d(K::kP, 0) : dp::ldp::oue_p(eps);
      const double q = param(K::kP) ? param_d(K::kQ, 0.5) : 0.5;
      frequency_error(g, x, q, p, beta, "unary encoding (q " + num(q) + ", p " + num(p) + ")", e);
      return;
    }
    case C::kLocalHashing: {
      const double eps = param_d(K::kEpsilon, 0);
      const double gr = static_cast<double>(dp::ldp::olh_range(eps));
      frequency_error(g, x, std::exp(eps) / (std::exp(eps) + gr - 1), 1 / gr, beta,
                      "optimized local hashing (range " + num(gr) + ")", e);
      return;
    }
    case C::kHadamardResponse: {
      const double eps = param_d(K::kEpsilon, 0);
      frequency_error(g, x, std::exp(eps) / (std::exp(eps) + 1), 0.5, beta, "Hadamard response", e);
      return;
    }
    case C::kDpsgd: {
      double z = to_double_up(param(K::kNoiseMultiplier).value_or(Rational(0)));
      // One instance's update: its own share of a distributed noise, over its own batch.
      const flow::Agent& at = g.agents[x.at];
      if (x.distributed && at.population && at.count > 1) z /= std::sqrt(static_cast<double>(at.count)) * (1 - 1e-15);
      double batch = param_d(K::kBatchSize, 0);
      if (batch == 0 && !x.inputs.empty() && x.inputs[0].data < g.data.size())
        batch = param_d(K::kSamplingRate, 0) * static_cast<double>(rows_per_instance(g, x.inputs[0].data, at));
      if (!(batch > 0)) {
        e.how = "DP-SGD: the expected batch size is unknown (declare the data's rows)";
        return;
      }
      gradient_error(z / batch * (1 + 1e-15), beta,
                     "DP-SGD: noise of sd " + num(z) + "·C (noise_multiplier·C, or an instance's share of it) on a batch of " + num(batch) +
                         " expected records, so sd " + num(z / batch) + "·C in the averaged gradient",
                     e);
      e.quantity = "each coordinate of the averaged gradient";
      return;
    }
    case C::kTreeAggregation: {
      const double z = to_double_up(param(K::kNoiseMultiplier).value_or(Rational(0)));
      const double steps = param_d(K::kSteps, 1);
      const double levels = std::ceil(std::log2(steps)) + 1;
      gradient_error(z * std::sqrt(levels) * (1 + 1e-15), beta,
                     "tree aggregation: noise multiplier " + num(z) + " on each node; a prefix sum over " + num(steps) +
                         " steps adds at most " + num(levels) + " nodes (one per level)",
                     e);
      e.quantity = "each coordinate of a prefix sum of gradients";
      return;
    }
    case C::kMatrixFactorization: {
      // The noise on C·G has sd noise_multiplier·C (the catalogue's meaning, the one the privacy
      // profile's μ = sensitivity / noise_multiplier assumes); the strategy's sensitivity is in μ, not here.
      const double z = to_double_up(param(K::kNoiseMultiplier).value_or(Rational(0)));
      gradient_error(z * (1 + 1e-15), beta,
                     "matrix factorisation: noise multiplier " + num(z) +
                         " on each row of the strategy; the decoder is not in the spec, so this is the error before it",
                     e);
      e.quantity = "each coordinate of a noisy strategy row";
      return;
    }
    case C::kTokenWalk: {
      // The final token: the sum of the visited members' values and of `steps` noises.
      const double sigma = to_double_up(param(K::kSigma).value_or(Rational(0)));
      const double steps = param_d(K::kSteps, 1);
      set_figure(e, dp::error::gaussian(sigma * std::sqrt(steps) * (1 + 1e-15), beta));
      e.how = "token walk: the final token carries " + num(steps) + " noises of sd " + num(sigma) +
              ", sd sigma·√steps; half-width sd·Φ⁻¹(1 − β/2)";
      e.quantity = "the final token (a sum of the visited members' values)";
      return;
    }
    case C::kDecentralizedSgd: {
      const Rational clip = g.param(x, K::kSensitivity).value_or(Rational(1));
      const double z = to_double_up(param(K::kSigma).value_or(Rational(0)) / clip);
      gradient_error(z * (1 + 1e-15), beta,
                     "decentralized SGD: each member's gradient carries noise of sd sigma = " + num(z) +
                         "·C (C the clipping norm, sensitivity) at every step, before the gossip averages it",
                     e);
      e.quantity = "each coordinate of a member's noisy gradient";
      return;
    }
    case C::kGossip: gossip_error(g, x, beta, e); return;
    case C::kCountMeanSketch: cms_error(g, x, beta, e); return;
    case C::kExponential:
    case C::kSparseVector:
    case C::kReportNoisyMax:
    case C::kTopK: selection_error(g, x, beta, e); return;
    case C::kDeclared: declared_error(g, x, beta, e); return;
    case C::kMap:
    case C::kSelect:
    case C::kCount:
    case C::kSum:
    case C::kMean:
    case C::kHistogram:
    case C::kAggregate:
    case C::kTrain:
    case C::kPseudonymize: e.how = "not a release"; return;
  }
}

bool gaussian_family(C kind) {
  return kind == C::kGaussian || kind == C::kDpsgd || kind == C::kTreeAggregation || kind == C::kMatrixFactorization;
}

/// An aggregate of a release over a population's instances: the error carried forward. A
/// distributed noise is already the total; local reports already count every instance; other
/// Gaussian noises add up over the n instances (sd·√n, still Gaussian).
void aggregate_error(const flow::Graph& g, flow::Id xi, double beta, ReleaseError& e) {
  const flow::Artifact& x = g.artifacts[xi];
  const flow::Id src = x.inputs[0].artifact;
  const flow::Artifact& r = g.artifacts[src];
  ReleaseError inner = release_error(g, src, beta);
  e = inner;
  e.artifact = xi;
  e.from = src;
  const flow::Agent& at = g.agents[r.at];
  const bool local = flow::kind_info(r.kind).guarantee == flow::Guarantee::kLocalPureEpsilon;
  if (!inner.modelled || !at.population || at.count <= 1 || (r.distributed && r.kind != C::kDpsgd) || local) {
    if (inner.modelled) e.how = "carried forward from " + r.name + ": " + inner.how;
    return;
  }
  const double n = static_cast<double>(at.count);
  e.expected.reset();
  e.relative.reset();
  if (r.kind == C::kDpsgd) {
    // The model averages the n instances' updates: each one's noise is independent (a
    // distributed noise's shares too), so the average's sd is one update's over √n.
    set_figure(e, dp::error::gaussian(mul_up(inner.sd, 1 / std::sqrt(n) * (1 + 1e-15)), beta));
    e.quantity = "each coordinate of the averaged model update";
    e.how = "the average of " + std::to_string(at.count) + " independent updates of " + r.name + " (sd / √" +
            std::to_string(at.count) + "): " + inner.how;
    return;
  }
  if (!gaussian_family(r.kind)) {
    e.modelled = false;
    e.how = "the sum of " + std::to_string(at.count) + " independent " + flow::kind_name(r.kind) +
            " noises has no closed-form interval";
    return;
  }
  set_figure(e, dp::error::gaussian(mul_up(inner.sd, std::sqrt(n) * (1 + 1e-15)), beta));
  e.how = "the sum of " + std::to_string(at.count) + " independent Gaussian noises from " + r.name + " (sd × √" +
          std::to_string(at.count) + "): " + inner.how;
}

}  // namespace

double beta_of(const Rational& confidence) { return to_double_down(Rational(1 - confidence)); }

bool has_error(const flow::Graph& g, flow::Id x) {
  const flow::Artifact& a = g.artifacts[x];
  if (flow::is_private(a.kind)) return true;
  return a.kind == C::kAggregate && !a.inputs.empty() && a.inputs[0].kind == flow::Input::Kind::kArtifact &&
         a.inputs[0].artifact < g.artifacts.size() && flow::is_private(g.artifacts[a.inputs[0].artifact].kind);
}

ReleaseError release_error(const flow::Graph& g, flow::Id x, double beta) {
  ReleaseError e;
  e.artifact = x;
  e.beta = beta;
  if (x >= g.artifacts.size() || !has_error(g, x)) {
    e.how = "not a release";
    return e;
  }
  if (g.artifacts[x].kind == C::kAggregate) {
    aggregate_error(g, x, beta, e);
    return e;
  }
  mechanism_error(g, g.artifacts[x], beta, e);
  return e;
}

std::vector<ReleaseError> release_errors(const flow::Graph& g) {
  std::vector<ReleaseError> out;
  const double beta = beta_of(g.confidence_of());
  for (flow::Id x = 0; x < g.artifacts.size(); ++x)
    if (has_error(g, x)) out.push_back(release_error(g, x, beta));
  return out;
}

}  // namespace privflow::analyzer::detail
