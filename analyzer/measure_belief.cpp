// The measures answered by inference on the record (docs/language.md, "Requirements"):
// posterior (of one value of a field) and leakage (min-entropy bits of a field), from the
// coalition's exact channel and the loss of the releases it observes.
#include <algorithm>
#include <climits>
#include <cmath>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/detail/local_randomizers.hpp"
#include "inference/dp_bounds.hpp"
#include "inference/format.hpp"

namespace privflow::analyzer::detail {
namespace {

/// log2 rounded up of a positive double (with a relative margin for the libm call); exact for
/// a power of two (a binary field's cap is 1 bit, not 1.001).
double log2_up(double x) {
  int exponent = 0;
  if (std::frexp(x, &exponent) == 0.5) return exponent - 1;
  double l = std::log2(x);
  return l + std::fabs(l) * 1e-12 + 1e-15;
}

/// The exact channel's parts: the views of the record's fields and the exact randomized
/// responses, under `parent`.
void explain_exact_channel(Derivation& parent, const flow::Graph& g, const flow::Data& d,
                           const std::vector<detail::RecordView>& views, const std::vector<detail::ExactRr>& rr,
                           const detail::Belief& belief, const flow::Field& secret) {
  Derivation& node = parent.add(steps::exact_channel());
  steps::add_exact_parts(node, g, d, views, rr);
  for (flow::Id m : belief.additive_maps) node.add(steps::additive_map(g, m, secret), g.artifacts[m].span.line);
  if ((!belief.exact && belief.bound.empty()) || belief.map_bounded) node.add(steps::map_bounded());
  if (!belief.bound.empty()) node.add(steps::upper_bound(belief.bound));
}

/// Local hashing's reports that have no exact channel here (more values than g, or several):
/// their number and the bits of their Bayes capacities (detail::hashing_capacity), rounded up.
struct HashedReports {
  std::vector<flow::Id> ids;
  std::uint64_t reports = 0;
  double bits = 0;
};

HashedReports hashed_reports(const flow::Graph& g, const std::vector<detail::ReleaseUse>& releases,
                             const std::vector<flow::Id>& exact_ids) {
  HashedReports out;
  for (const auto& use : releases) {
    const flow::Artifact& x = g.artifacts[use.artifact];
    if (std::find(exact_ids.begin(), exact_ids.end(), use.artifact) != exact_ids.end()) continue;
    auto capacity = detail::hashing_capacity(g, x);
    if (!capacity) continue;
    const double reports = static_cast<double>(use.copies) * static_cast<double>(g.times(x));  // no overflow
    out.ids.push_back(use.artifact);
    out.reports = reports >= 1e18 ? std::uint64_t{1000000000000000000} : out.reports + static_cast<std::uint64_t>(reports);
    out.bits += reports * to_double_up(inference::log2_up(*capacity).value);
  }
  if (out.bits > 0) out.bits = std::nextafter(out.bits * (1 + 1e-12), HUGE_VAL);
  return out;
}

}  // namespace

Rational Analyzer::prior_vulnerability(const flow::Requirement& r) const {
  const flow::Field& f = graph_.data[r.data].fields[r.field];
  if (f.parent == flow::kNone && (f.prior.empty() || f.prior[0].empty())) return Rational(0);  // uniform: log2 k
  const auto b = detail::exact_leakage(graph_, maps_, r.data, {}, {}, r.field);
  return b.error.empty() ? b.prior : Rational(0);
}

BeliefFigure Analyzer::belief(const flow::Requirement& r, const Observation& obs,
                              const std::vector<detail::ReleaseUse>& releases, bool summed_rr_exact) const {
  BeliefFigure out;
  const bool posterior = r.measure == flow::Measure::kPosterior;
  const flow::Data& d = graph_.data[r.data];
  const double delta = delta_of(r);
  const std::uint64_t k = d.fields[r.field].domain_size();
  const auto rr = detail::exact_rr(graph_, r.data, releases, summed_rr_exact);
  std::vector<flow::Id> exact_ids;
  bool rr_bound = false;  // some RR is seen only through a sum: its channel is an upper bound
  for (const auto& e : rr) {
    exact_ids.push_back(e.artifact);
    rr_bound = rr_bound || e.through_sum || e.permanent;
  }
  // The posterior grows with the loss quantile, the leakage with epsilon at delta.
  detail::Figure quantile;
  if (posterior)
    quantile = [&](const dp::Composition& c) {
      const auto e = cache_.loss_quantile(c, delta, accountant_);
      return e.infinite ? HUGE_VAL : e.value;
    };
  auto acc = detail::account(graph_, r.data, releases, Question::kValue, delta, cache_, accountant_, exact_ids, quantile);
  if (!acc.error.empty()) {
    out.error = acc.error;
    return out;
  }
  explain_releases(out.node, acc, steps::Combined::kPosteriorOdds, obs);
  out.releases = acc.terms;
  const bool has_exact = !obs.seen.views.empty() || !rr.empty();
  detail::Belief exact;
  if (has_exact || posterior) {
    exact = posterior ? detail::exact_posterior(graph_, maps_, r.data, obs.seen.views, rr, r.field, r.value)
                      : detail::exact_leakage(graph_, maps_, r.data, obs.seen.views, rr, r.field);
    if (!exact.error.empty()) {
      out.error = "exact inference: " + exact.error;
      return out;
    }
  }
  if (has_exact) explain_exact_channel(out.node, graph_, d, obs.seen.views, rr, exact, d.fields[r.field]);
  // The releases' loss: the epsilon exceeded with probability at most delta (posterior), or
  // the (epsilon, delta) bound on the channel's capacity e^eps + (k - 1) delta (leakage).
  double eps = 0;
  if (!acc.terms.empty()) {
    auto e = posterior ? cache_.loss_quantile(acc.composition, delta, accountant_)
                       : cache_.epsilon(acc.composition, delta, accountant_);
    eps = e.infinite ? HUGE_VAL : e.value;
    out.node.add(steps::replace_one_loss(posterior, eps, e.how));
  }
  if (posterior) {
    Rational prior = exact.prior;
    Rational p = has_exact ? exact.value : prior;
    // A certainty (0 or 1) is where no further release moves the odds.
    const bool settled = has_exact && exact.exact && !rr_bound && (p == 0 || p == 1);
    if (!acc.terms.empty() && !settled)
      p = std::isfinite(eps) ? inference::combine_with_release_up(p, rational_up(eps)) : Rational(p > 0 ? 1 : 0);
    out.exact = (acc.terms.empty() || settled) && exact.exact && !rr_bound;
    out.value = to_double_up(p);
    out.rational = p;
    out.method = out.exact ? Method::kExact : Method::kBound;
    out.node.add(steps::prior(d.fields[r.field], r.value, prior));
    if (!acc.terms.empty()) out.node.add(steps::posterior_formula(has_exact ? &exact.value : nullptr));
    return out;
  }
  // Min-entropy leakage never exceeds log2(1 / V_prior): a sure guess is the most there is
  // (log2 k for a uniform prior). The exact part reaching it leaves the releases nothing.
  inference::Bits cap = inference::log2_up(Rational(static_cast<unsigned long>(std::min<std::uint64_t>(k, ULONG_MAX))));
  std::string cap_text = steps::cap_values(k);
  const Rational v_prior = has_exact ? exact.prior : prior_vulnerability(r);
  if (v_prior > 0) {
    const Rational inverse = 1 / v_prior;
    const auto sure = inference::log2_up(inverse);
    if (sure.value < cap.value) cap = sure, cap_text = steps::cap_sure_guess(v_prior);
  }
  const double cap_bits = to_double_up(cap.value);
  const bool full = has_exact && exact.exact && exact.how == "exact" && !rr_bound && cap.exact && exact.value >= cap.value;
  double bits = has_exact ? to_double_up(exact.value) : 0;
  auto epsilon_bits = [&](double e) {
    return std::isfinite(e) ? log2_up(std::exp(e) * (1 + 1e-12) + static_cast<double>(k - 1) * delta) : HUGE_VAL;
  };
  double release_bits = acc.terms.empty() ? 0 : epsilon_bits(eps);
  // Local hashing without an exact channel: its reports' Bayes capacities instead of their ε
  // (V(π ▷ C1‖C2) ≤ V(π ▷ C1)·ML(C2)), with the other releases' ε, when that is smaller.
  if (const auto hashed = hashed_reports(graph_, releases, exact_ids); hashed.reports > 0 && !full) {
    std::vector<flow::Id> without = exact_ids;
    without.insert(without.end(), hashed.ids.begin(), hashed.ids.end());
    auto rest = detail::account(graph_, r.data, releases, Question::kValue, delta, cache_, accountant_, without, {});
    if (rest.error.empty()) {
      double rest_bits = 0;
      if (!rest.terms.empty()) {
        const auto e = cache_.epsilon(rest.composition, delta, accountant_);
        rest_bits = epsilon_bits(e.infinite ? HUGE_VAL : e.value);
      }
      if (rest_bits + hashed.bits < release_bits) {
        release_bits = rest_bits + hashed.bits;
        out.node.add(steps::hashing_capacity(hashed.reports, hashed.bits));
      }
    }
  }
  if (!acc.terms.empty() && !full) bits += release_bits;
  const bool capped = bits >= cap_bits && !full;
  bits = std::min(bits, cap_bits);
  // Exact channel: the bits are exact, or their logarithm rounded up at 4 digits.
  const bool exact_channel = (acc.terms.empty() || full) && exact.exact && !capped && !rr_bound;
  const bool exact_bits = exact_channel && exact.how == "exact";
  out.value = bits;
  if (exact_channel) out.rational = exact.value;  // exact bits, or printed rounded up from them
  out.exact = exact_bits;
  out.method = exact_channel ? Method::kExact : Method::kBound;
  if (capped) out.node.add(steps::capped(cap_text));
  return out;
}

bool Analyzer::evaluate_belief(Evaluation& e) const {
  const flow::Requirement& r = e.requirement;
  Verdict& v = e.verdict;
  const Observation& obs = e.observation;
  const flow::Data& d = graph_.data[r.data];
  const std::uint64_t k = r.field != flow::kNone ? d.fields[r.field].domain_size() : 0;
  const bool posterior = r.measure == flow::Measure::kPosterior;
  if (obs.kind == LossKind::kHoldsData) {
    if (posterior)
      e.set_value(1, Rational(1), true, Method::kHolds);
    else {
      auto bits = inference::log2_up(Rational(static_cast<unsigned long>(std::min<std::uint64_t>(k, ULONG_MAX))));
      e.set_value(to_double_up(bits.value), bits.value, bits.exact, Method::kHolds);
    }
    return true;
  }
  // A statistic exposes the fields it reads (obs.seen.views), as its opened inputs would.
  const auto releases = detail::relevant_releases(graph_, r.data, r.field, obs.seen.releases);
  BeliefFigure fig = belief(r, obs, releases, true);
  // Randomized response seen only through a sum or a shuffle: its own channel is an upper
  // bound (the sum is post-processing of it), and so is its amplified epsilon: the smaller.
  if (detail::has_summed_rr(graph_, r.data, releases)) {
    BeliefFigure alt = belief(r, obs, releases, false);
    if (alt.error.empty() && (!fig.error.empty() || alt.value < fig.value)) fig = std::move(alt);
  }
  if (!fig.error.empty()) {
    v.status = Status::kUndecided;
    v.reason = fig.error;
    return false;
  }
  e.set_value(fig.value, fig.rational, fig.exact, fig.method);
  for (auto& child : fig.node.children) v.explanation.children.push_back(std::move(child));
  v.releases = fig.releases;
  if (const std::size_t dropped = obs.seen.releases.size() - releases.size(); dropped > 0)
    v.explanation.add(steps::independent_releases(dropped, d.fields[r.field]));
  return true;
}

}  // namespace privflow::analyzer::detail
