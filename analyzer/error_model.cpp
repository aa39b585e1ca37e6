// The error model of every kind (analyzer/detail/error_model.hpp; docs/concepts.md, "The error of
// a release"). Each figure is an upper bound, rounded up: a too-small error is optimistic advice.
#include "analyzer/detail/error_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "dp/error.hpp"
#include "dp/local_randomizers.hpp"
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
  const flow::Input& in = x.inputs[0];
  if (in.kind == flow::Input::Kind::kField) {
    if (auto rare = rarest_value(g.data[in.data].fields[in.field])) {
      e.expected = rare->first;
      e.expected_what = "the smallest expected frequency (" + rare->second + ")";
      e.relative = mul_up(e.half_width, 1 / rare->first * (1 + 1e-15));
    }
  }
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

/// The error of one release (one application of it; `times` applications each have it).
void mechanism_error(const flow::Graph& g, const flow::Artifact& x, double beta, ReleaseError& e) {
  const auto param = [&](K key) { return g.param(x, key); };
  const auto param_d = [&](K key, double fallback) { return param(key) ? param(key)->get_d() : fallback; };
  // A Poisson sample (sampling_rate on laplace, gaussian, randomized_response): the estimate's
  // error includes the sample's own, which depends on the data; the noise alone would be an
  // optimistic figure, so none is given.
  if (x.kind != C::kDpsgd && param(K::kSamplingRate) && *param(K::kSamplingRate) < 1) {
    e.how = std::string(flow::kind_name(x.kind)) + " on a Poisson sample of rate " +
            format_exact(*param(K::kSamplingRate)) +
            ": the estimate's error includes the sample's own, which depends on the data the spec does not give";
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
      const double z = to_double_up(param(K::kNoiseMultiplier).value_or(Rational(0)));
      const double s = param_d(K::kSensitivity, 1);
      gradient_error(z * s * (1 + 1e-15), beta,
                     "matrix factorisation: noise multiplier " + num(z) + " times the strategy's sensitivity " + num(s) +
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
    case C::kGossip:
      e.how = "gossip: a member's output is a weighted average of the members' noisy values after `rounds` steps; its "
              "noise (between sigma/√n and sigma) and its distance from the true average depend on how fast the graph "
              "mixes and on the data, so no figure is given";
      return;
    case C::kCountMeanSketch:
      e.how = "count_mean_sketch: the sketch's width is not in the spec, and the estimator's variance depends on it";
      return;
    case C::kExponential:
    case C::kSparseVector:
    case C::kReportNoisyMax:
    case C::kTopK:
      e.how = std::string(flow::kind_name(x.kind)) +
              ": a selection's error depends on the scores' gap, which the spec does not state";
      return;
    case C::kDeclared: e.how = "declared: a guarantee without a stated mechanism has no error model"; return;
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
