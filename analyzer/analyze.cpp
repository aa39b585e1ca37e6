// The analysis: requirements' verdicts, the leakage matrix and findings (docs/language.md, "How the analysis works" and "Findings").
#include <algorithm>
#include <cmath>
#include <set>

#include "analyzer/accounting.hpp"
#include "analyzer/analysis.hpp"
#include "analyzer/beliefs.hpp"
#include "analyzer/findings.hpp"
#include "analyzer/knowledge.hpp"
#include "analyzer/search.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "inference/dp_bounds.hpp"
#include "inference/format.hpp"
#include "solver/map_count.hpp"

namespace privflow::analyzer {
namespace {

using detail::Observation;
using detail::Question;
using detail::Step;

std::string fmt_value(double x) { return format_double_up(x, 4); }

/// log2 rounded up of a positive double (with a relative margin for the libm call); exact for
/// a power of two (a binary field's cap is 1 bit, not 1.001).
double log2_up(double x) {
  int exponent = 0;
  if (std::frexp(x, &exponent) == 0.5) return exponent - 1;
  double l = std::log2(x);
  return l + std::fabs(l) * 1e-12 + 1e-15;
}

void add_steps(Derivation& node, const std::vector<Step>& steps) {
  for (const auto& s : steps) node.add(s.text, s.line);
}

/// A posterior or leakage figure with its derivation (see Analyzer::belief).
struct BeliefFigure {
  std::string error;  // non-empty: undecided, with this reason
  double value = 0;
  std::string text;
  bool exact = false;
  std::string method;
  Derivation node;  // its children go into the verdict's explanation
  std::vector<ReleaseTerm> releases;
};

/// The exact channel's parts: the views of the record's fields and the exact randomized
/// responses, under `parent`.
void explain_exact_channel(Derivation& parent, const flow::Graph& g, const flow::Data& d,
                           const std::vector<detail::RecordView>& views, const std::vector<detail::ExactRr>& rr,
                           bool exact) {
  Derivation& node = parent.add("exact channel: what the coalition sees of the record through select, map, statistics and randomized response");
  for (const auto& view : views) {
    std::vector<std::string> names;
    for (flow::Id f : view.fields) names.push_back(d.fields[f].name);
    std::string what = view.kind == detail::RecordView::Kind::kMap ? "map reading " : "fields ";
    std::string from = view.artifact != flow::kNone ? " (" + g.artifacts[view.artifact].name + ")" : "";
    node.add(what + join(names, ", ") + from, view.artifact != flow::kNone ? g.artifacts[view.artifact].span.line : 0);
  }
  for (const auto& e : rr)
    node.add("randomized response on " + d.fields[e.field].name + " with keep " + format_exact(e.keep) +
                 (e.times > 1 ? " x " + std::to_string(e.times) : "") +
                 (e.through_sum ? " (seen through a sum or a shuffle: its own channel bounds it)" : ""),
             g.artifacts[e.artifact].span.line);
  if (!exact) node.add("a map is bounded by the fields it reads (an upper bound)");
}

class Analyzer {
 public:
  Analyzer(const flow::Graph& g, const Options& o)
      : g_(g), options_(with_deadline(o)), accountant_(o.accountant.value_or(g.settings.accountant)), maps_(g),
        search_fixes_(o.suggest_fixes) {}

  Analysis run();
  LeakageMap leakage_map(const Coalition& observer) const;

  /// The verdict of one requirement against one concrete coalition.
  /// `with_fix`: also search for the smallest change that fixes a violation (costly: only for
  /// the verdict that is reported, not for every coalition a search tries).
  Verdict evaluate(const flow::Requirement& r, const Coalition& c, bool with_fix = true) const;

 private:
  double delta_of(const flow::Requirement& r) const { return to_double_down(g_.delta_of(r)); }
  Coalition fixed_part(const flow::Coalition& c) const;
  Verdict forbid(const flow::Requirement& r) const;
  void explain_observation(Verdict& v, const Observation& obs, const flow::Requirement& r) const;
  /// V_prior of the requirement's field: the prior of its likeliest value (0 when uniform, where
  /// the cap is log2 k anyway, or too large to list).
  Rational prior_vulnerability(const flow::Requirement& r) const;
  /// The releases of `acc` as derivation nodes under `parent`, each with its route.
  void explain_releases(Derivation& parent, const detail::Accounted& acc, const char* title, const Observation& obs) const;
  /// The posterior or leakage of requirement `r` from the coalition's exact channel (views,
  /// randomized response with `keep`) and the loss of `releases`; `summed_rr_exact`: RR seen
  /// through a sum or a shuffle counts through its own channel (else through its epsilon).
  BeliefFigure belief(const flow::Requirement& r, const Observation& obs, const std::vector<detail::ReleaseUse>& releases,
                      bool summed_rr_exact) const;
  void finish(Verdict& v, const flow::Requirement& r) const;
  std::string suggest_fix(const Verdict& v, const Observation& obs, const flow::Requirement& r, const Coalition& c) const;
  LeakageCell cell(flow::Id data, const std::string& observer, const Observation& obs) const;

  /// The options with the time budget's end fixed (from now, unless a caller already did).
  static Options with_deadline(Options o) {
    if (o.time_budget_ms > 0 && !o.deadline)
      o.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.time_budget_ms);
    return o;
  }
  bool out_of_time() const { return options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline; }

  const flow::Graph& g_;
  const Options options_;
  flow::AccountantKind accountant_;
  mutable detail::Cache cache_;
  mutable detail::Maps maps_;
  bool search_fixes_;  // off inside the trials of a fix search
};

Coalition Analyzer::fixed_part(const flow::Coalition& fc) const { return fixed_coalition(g_, fc); }

void Analyzer::explain_observation(Verdict& v, const Observation& obs, const flow::Requirement& r) const {
  const auto& d = g_.data[r.data];
  Derivation& target = v.explanation.add("target: the worst-case record of " + d.name + " held by no member of the coalition",
                                         d.span.line);
  switch (obs.kind) {
    case LossKind::kHoldsData:
      target.add("the coalition holds the data: " + obs.holds_reason, obs.holds_path.empty() ? 0 : obs.holds_path[0].line);
      break;
    case LossKind::kExposedStats:
    case LossKind::kExposedRecord: {
      Derivation& e = target.add(obs.kind == LossKind::kExposedStats
                                     ? "exposed: an exact statistic of the record reaches the coalition"
                                     : "exposed: the record's own fields reach the coalition in the clear");
      add_steps(e, obs.seen.exposure_path);
      break;
    }
    case LossKind::kNothing:
      target.add("nothing the coalition observes depends on the record");
      break;
    case LossKind::kPrivate:
      break;
  }
}

void Analyzer::explain_releases(Derivation& parent, const detail::Accounted& acc, const char* title,
                                const Observation& obs) const {
  if (acc.terms.empty()) return;
  Derivation& node = parent.add(title);
  for (const auto& t : acc.terms) {
    const auto& x = g_.artifacts[t.artifact];
    Derivation& rel = node.add("release " + x.name + " (" + t.mechanism + " at " + g_.agents[x.at].name + ", line " +
                                   std::to_string(x.span.line) + "): " + t.parameters + "; epsilon alone " +
                                   fmt_value(t.epsilon_alone),
                               x.span.line);
    if (!t.amplification.empty()) rel.add("amplification: " + t.amplification);
    // How it reaches the coalition: the route of its first observation.
    for (const auto& use : obs.seen.releases) {
      if (use.artifact != t.artifact) continue;
      for (std::size_t i = 1; i < use.route.size(); ++i) rel.add("then " + use.route[i].text, use.route[i].line);
      break;
    }
  }
  for (const auto& n : acc.notes) node.add(n);
}

Rational Analyzer::prior_vulnerability(const flow::Requirement& r) const {
  const flow::Field& f = g_.data[r.data].fields[r.field];
  if (f.parent == flow::kNone && (f.prior.empty() || f.prior[0].empty())) return Rational(0);  // uniform: log2 k
  const auto b = detail::exact_leakage(g_, maps_, r.data, {}, {}, r.field);
  return b.error.empty() ? b.prior : Rational(0);
}

BeliefFigure Analyzer::belief(const flow::Requirement& r, const Observation& obs,
                              const std::vector<detail::ReleaseUse>& releases, bool summed_rr_exact) const {
  BeliefFigure out;
  const bool posterior = r.measure == flow::Measure::kPosterior;
  const flow::Data& d = g_.data[r.data];
  const double delta = delta_of(r);
  const std::uint64_t k = d.fields[r.field].domain_size();
  const auto rr = detail::exact_rr(g_, r.data, releases, summed_rr_exact);
  std::vector<flow::Id> exact_ids;
  bool rr_bound = false;  // some RR is seen only through a sum: its channel is an upper bound
  for (const auto& e : rr) {
    exact_ids.push_back(e.artifact);
    rr_bound = rr_bound || e.through_sum;
  }
  // The posterior grows with the loss quantile, the leakage with epsilon at delta.
  detail::Figure quantile;
  if (posterior)
    quantile = [&](const dp::Composition& c) {
      const auto e = cache_.loss_quantile(c, delta, accountant_);
      return e.infinite ? HUGE_VAL : e.value;
    };
  auto acc = detail::account(g_, r.data, releases, Question::kValue, delta, cache_, accountant_, exact_ids, quantile);
  if (!acc.error.empty()) {
    out.error = acc.error;
    return out;
  }
  explain_releases(out.node, acc, "releases observed (their loss multiplies the posterior odds)", obs);
  out.releases = acc.terms;
  const bool has_exact = !obs.seen.views.empty() || !rr.empty();
  detail::Belief exact;
  if (has_exact || posterior) {
    exact = posterior ? detail::exact_posterior(g_, maps_, r.data, obs.seen.views, rr, r.field, r.value)
                      : detail::exact_leakage(g_, maps_, r.data, obs.seen.views, rr, r.field);
    if (!exact.error.empty()) {
      out.error = "exact inference: " + exact.error;
      return out;
    }
  }
  if (has_exact) explain_exact_channel(out.node, g_, d, obs.seen.views, rr, exact.exact);
  // The releases' loss: the epsilon exceeded with probability at most delta (posterior), or
  // the (epsilon, delta) bound on the channel's capacity e^eps + (k - 1) delta (leakage).
  double eps = 0;
  if (!acc.terms.empty()) {
    auto e = posterior ? cache_.loss_quantile(acc.composition, delta, accountant_)
                       : cache_.epsilon(acc.composition, delta, accountant_);
    eps = e.infinite ? HUGE_VAL : e.value;
    out.node.add(std::string(posterior ? "loss exceeded with probability at most delta: " : "composition: ") +
                 fmt_value(eps) + " (" + e.how + ")");
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
    out.text = out.exact ? inference::format_probability(p) : format_up(p, 4);
    out.method = out.exact ? "exact" : "bound";
    out.node.add("prior P(" + d.fields[r.field].name + " = " + d.fields[r.field].value_name(r.value) +
                 ") = " + inference::format_probability(prior));
    if (!acc.terms.empty())
      out.node.add("posterior ≤ e^eps·p / (e^eps·p + 1 − p) with p = " +
                   (has_exact ? "the exact posterior " + inference::format_probability(exact.value) : "the prior"));
    return out;
  }
  // Min-entropy leakage never exceeds log2(1 / V_prior): a sure guess is the most there is
  // (log2 k for a uniform prior). The exact part reaching it leaves the releases nothing.
  inference::Bits cap = inference::log2_up(Rational(static_cast<unsigned long>(std::min<std::uint64_t>(k, ULONG_MAX))));
  std::string cap_text = "log2 of the field's " + std::to_string(k) + " values";
  const Rational v_prior = has_exact ? exact.prior : prior_vulnerability(r);
  if (v_prior > 0) {
    const Rational inverse = 1 / v_prior;
    const auto sure = inference::log2_up(inverse);
    if (sure.value < cap.value) cap = sure, cap_text = "log2(1 / " + inference::format_probability(v_prior) + "), a sure guess";
  }
  const double cap_bits = to_double_up(cap.value);
  const bool full = has_exact && exact.exact && exact.how == "exact" && !rr_bound && cap.exact && exact.value >= cap.value;
  double bits = has_exact ? to_double_up(exact.value) : 0;
  if (!acc.terms.empty() && !full)
    bits += std::isfinite(eps) ? log2_up(std::exp(eps) * (1 + 1e-12) + static_cast<double>(k - 1) * delta) : HUGE_VAL;
  const bool capped = bits >= cap_bits && !full;
  bits = std::min(bits, cap_bits);
  // Exact channel: the bits are exact, or their logarithm rounded up at 4 digits.
  const bool exact_channel = (acc.terms.empty() || full) && exact.exact && !capped && !rr_bound;
  const bool exact_bits = exact_channel && exact.how == "exact";
  out.value = bits;
  out.text = exact_bits ? format_exact(exact.value) : format_double_up(bits, 4);
  if (exact_channel && !exact_bits) out.text = format_up(exact.value, 4);
  out.exact = exact_bits;
  out.method = exact_channel ? "exact" : "bound";
  if (capped) out.node.add("capped at " + cap_text);
  return out;
}

Verdict Analyzer::evaluate(const flow::Requirement& r, const Coalition& c, bool with_fix) const {
  Verdict v;
  v.coalition = c;
  v.coalition_text = describe(g_, c);
  v.bound = r.bound;
  v.delta = delta_of(r);
  v.delta_text = format_compact(g_.delta_of(r));
  const double delta = v.delta;
  const flow::Data& d = g_.data[r.data];
  Observation obs = detail::observe(g_, r.data, c);
  v.loss = obs.kind;
  explain_observation(v, obs, r);

  std::optional<Rational> exact_value;  // the value itself when exact (compared exactly)
  auto set_value = [&](double value, std::string text, bool exact, std::string method) {
    v.value = value;
    if (exact) exact_value = parse_number(text);  // exact texts are fractions or short decimals
    v.value_text = std::move(text);
    v.exact = exact;
    v.method = std::move(method);
  };
  auto releases_node = [&](const detail::Accounted& acc, const char* title) {
    explain_releases(v.explanation, acc, title, obs);
    v.releases = acc.terms;
  };

  // The observed releases accounted for a question, drawn in the explanation; nullopt (and the
  // verdict undecided) when one of them cannot be accounted.
  auto accounted = [&](Question question, const char* title, const std::vector<flow::Id>& exact = {},
                       const detail::Figure& figure = {}) -> std::optional<detail::Accounted> {
    auto acc = detail::account(g_, r.data, obs.seen.releases, question, delta, cache_, accountant_, exact, figure);
    if (!acc.error.empty()) {
      v.status = Status::kUndecided;
      v.reason = acc.error;
      return std::nullopt;
    }
    releases_node(acc, title);
    return acc;
  };
  const std::uint64_t k = r.field != flow::kNone ? d.fields[r.field].domain_size() : 0;
  switch (r.measure) {
    case flow::Measure::kDp: {
      if (obs.kind == LossKind::kHoldsData || obs.kind == LossKind::kExposedStats || obs.kind == LossKind::kExposedRecord) {
        v.value.reset();
        v.value_text = "unbounded";
        v.method = obs.kind == LossKind::kHoldsData ? "holds" : "exposed";
        break;
      }
      auto acc = accounted(Question::kMembership, "releases observed (composed sequentially)");
      if (!acc) return v;
      auto eps = cache_.epsilon(acc->composition, delta, accountant_);
      // A pure composition's exact sum is the answer when no accountant beats it.
      auto pure_sum = acc->composition.exact_pure_epsilon();
      if (pure_sum && (eps.infinite || !std::isfinite(eps.value) || Rational(eps.value) >= *pure_sum)) eps.exact = pure_sum;
      if (eps.infinite && !eps.exact) {
        v.value.reset();
        v.value_text = "unbounded";
        v.method = "bound";
      } else if (eps.exact) {
        set_value(to_double_up(*eps.exact), format_exact(*eps.exact), true, acc->terms.empty() ? "none" : "pure");
      } else {
        set_value(eps.value, fmt_value(eps.value), false, dp::to_string(eps.accountant).data());
      }
      v.explanation.add("composition: " + std::to_string(acc->terms.size()) + " release(s), " + eps.how);
      break;
    }
    case flow::Measure::kAdvantage: {
      if (obs.kind != LossKind::kPrivate && obs.kind != LossKind::kNothing) {
        set_value(1, "1", true, obs.kind == LossKind::kHoldsData ? "holds" : "exposed");
        break;
      }
      auto acc = accounted(Question::kMembership, "releases observed (composed sequentially)", {},
                           [&](const dp::Composition& c) { return cache_.advantage(c, accountant_); });
      if (!acc) return v;
      if (acc->terms.empty()) {
        set_value(0, "0", true, "none");
        break;
      }
      double adv = cache_.advantage(acc->composition, accountant_);
      set_value(adv, fmt_value(adv), false, "bound");
      v.explanation.add("advantage: min over epsilon of (e^epsilon - 1 + 2 delta(epsilon)) / (e^epsilon + 1) over the composed privacy profile");
      break;
    }
    case flow::Measure::kPosterior:
    case flow::Measure::kLeakage: {
      const bool posterior = r.measure == flow::Measure::kPosterior;
      if (obs.kind == LossKind::kHoldsData) {
        if (posterior)
          set_value(1, "1", true, "holds");
        else {
          auto bits = inference::log2_up(Rational(static_cast<unsigned long>(std::min<std::uint64_t>(k, ULONG_MAX))));
          set_value(to_double_up(bits.value), bits.exact ? format_exact(bits.value) : format_up(bits.value, 4), bits.exact,
                    "holds");
        }
        break;
      }
      // A statistic exposes the fields it reads (obs.seen.views), as its opened inputs would.
      const auto releases = detail::relevant_releases(g_, r.data, r.field, obs.seen.releases);
      BeliefFigure fig = belief(r, obs, releases, true);
      // Randomized response seen only through a sum or a shuffle: its own channel is an upper
      // bound (the sum is post-processing of it), and so is its amplified epsilon: the smaller.
      if (detail::has_summed_rr(g_, r.data, releases)) {
        BeliefFigure alt = belief(r, obs, releases, false);
        if (alt.error.empty() && (!fig.error.empty() || alt.value < fig.value)) fig = std::move(alt);
      }
      if (!fig.error.empty()) {
        v.status = Status::kUndecided;
        v.reason = fig.error;
        return v;
      }
      set_value(fig.value, fig.text, fig.exact, fig.method);
      for (auto& child : fig.node.children) v.explanation.children.push_back(std::move(child));
      v.releases = fig.releases;
      if (const std::size_t dropped = obs.seen.releases.size() - releases.size(); dropped > 0)
        v.explanation.add(std::to_string(dropped) + " release use(s) read only fields independent of " +
                          d.fields[r.field].name + ": they tell nothing about it");
      break;
    }
    case flow::Measure::kReidentification: {
      // A statistic exposes the fields it reads (obs.seen.views), as its opened inputs would.
      bool sees_all = obs.kind == LossKind::kHoldsData;
      auto b = detail::reidentification(g_, maps_, r.data, obs.seen.views, r.fields, sees_all);
      if (!b.error.empty()) {
        v.status = Status::kUndecided;
        v.reason = "re-identification: " + b.error;
        return v;
      }
      set_value(to_double_up(b.value), b.exact ? inference::format_probability(b.value) : format_up(b.value, 4), b.exact,
                sees_all ? "holds" : (obs.seen.views.empty() ? "none" : "exact"));
      if (!b.how.empty()) v.explanation.add("cells: " + b.how);
      v.explanation.add("expected fraction of unique records: sum over cells of p·(1 − p)^(rows − 1)");
      break;
    }
    case flow::Measure::kForbid:
      break;
  }

  // The verdict: holds only when the upper bound is within the user's bound.
  bool within = false;
  // (an infinite double, e.g. an exact ε beyond double range, cannot become a Rational: not within)
  if (v.value) within = exact_value ? *exact_value <= r.bound : std::isfinite(*v.value) && Rational(*v.value) <= r.bound;
  v.status = within ? Status::kHolds : Status::kViolated;
  if (v.status == Status::kViolated && with_fix && !out_of_time()) v.fix = suggest_fix(v, obs, r, c);
  return v;
}

namespace {

/// The spec's spelling of a numeric parameter: the param's name when it is one.
std::string param_text(const flow::Graph& g, const flow::Artifact& x, flow::ParamKey name) {
  auto it = x.params.find(name);
  if (it != x.params.end() && it->second.param != flow::kNone) return g.params[it->second.param].name;
  return flow::param_name(name) + std::string(" of ") + x.name;
}

/// Multiplies (or divides) one parameter of an artifact in a copy of the graph.
void scale_param(flow::Graph& g, flow::Id artifact, flow::ParamKey name, const Rational& factor, bool divide) {
  auto& pv = g.artifacts[artifact].params[name];
  Rational value = g.value(pv);
  Rational scaled = divide ? Rational(value / factor) : Rational(value * factor);
  scaled.canonicalize();
  if (pv.param != flow::kNone)
    g.params[pv.param].value = scaled;
  else
    pv.literal = scaled;
}

}  // namespace

std::string Analyzer::suggest_fix(const Verdict& v, const Observation& obs, const flow::Requirement& r,
                                  const Coalition& c) const {
  if (obs.kind == LossKind::kHoldsData)
    return "no mechanism protects data its holder sees: keep " + obs.holds_reason.substr(0, obs.holds_reason.find(' ')) +
           " out of the coalition, or do not give it " + g_.data[r.data].name;
  if (obs.kind == LossKind::kExposedStats || obs.kind == LossKind::kExposedRecord) {
    // The last statement on the exposure path is where a private mechanism is missing.
    const auto& path = obs.seen.exposure_path;
    if (!path.empty())
      return "release it through a private mechanism (or not at all) before it reaches the coalition: " + path.back().text +
             (path.back().line ? " (line " + std::to_string(path.back().line) + ")" : "");
    return "";
  }
  if (!search_fixes_ || v.releases.empty()) return "";
  const flow::Id ri = static_cast<flow::Id>(&r - g_.requirements.data());
  // Trials use RDP first (fast, an upper bound on the others: what it accepts holds), then
  // the spec's accountant where RDP is too coarse to decide.
  Options fast = options_;
  fast.accountant = flow::AccountantKind::kRdp;
  // Out of time, a trial counts as failed: every fix given is still one that was checked.
  auto holds_with = [&](const flow::Graph& changed) {
    if (out_of_time()) return false;
    Analyzer trial(changed, fast);
    trial.search_fixes_ = false;
    if (trial.evaluate(changed.requirements[ri], c).status == Status::kHolds) return true;
    if (accountant_ == flow::AccountantKind::kRdp) return false;
    Analyzer accurate(changed, options_);
    accurate.search_fixes_ = false;
    return accurate.evaluate(changed.requirements[ri], c).status == Status::kHolds;
  };
  std::vector<std::string> fixes;

  // 1. Secure aggregation the coalition breaks open or starves: a threshold above its members
  //    and the fewest min_clients that keep enough honest shares in the sum.
  for (std::size_t fi = 0; fi < g_.flows.size(); ++fi) {
    const auto& f = g_.flows[fi];
    if (f.channel.kind != flow::Channel::Kind::kSecureAggregation || !c.contains(f.to)) continue;
    const auto& sender = g_.agents[f.from];
    std::uint64_t members = c.count(f.from), n = sender.count;
    if (members + 1 > n) continue;
    std::uint64_t threshold = std::max<std::uint64_t>(f.channel.threshold, members + 1);
    auto with = [&](std::uint64_t min_clients) {
      flow::Graph changed = g_;
      changed.flows[fi].channel.threshold = std::min(threshold, min_clients);
      changed.flows[fi].channel.min_clients = min_clients;
      return changed;
    };
    std::uint64_t lo = std::max<std::uint64_t>(threshold, f.channel.min_clients ? f.channel.min_clients : f.channel.threshold);
    if (lo > n || !holds_with(with(n))) continue;
    std::uint64_t hi = n;  // holds at hi; find the least
    while (lo < hi) {
      std::uint64_t mid = lo + (hi - lo) / 2;
      if (holds_with(with(mid))) hi = mid; else lo = mid + 1;
    }
    std::uint64_t current = f.channel.min_clients ? f.channel.min_clients : f.channel.threshold;
    std::string where = " on " + g_.artifacts[f.artifact].name + " (line " + std::to_string(f.span.line) + ")";
    if (hi <= current)
      fixes.push_back("threshold ≥ " + std::to_string(std::min(threshold, hi)) + where);
    else
      fixes.push_back("min_clients ≥ " + std::to_string(hi) + " with threshold ≥ " + std::to_string(std::min(threshold, hi)) + where);
  }

  // 2. More noise on the binding release (or a smaller ε): the least factor, to 3 digits.
  const ReleaseTerm* top = &v.releases[0];
  for (const auto& t : v.releases)
    if (t.epsilon_alone > top->epsilon_alone) top = &t;
  const auto& x = g_.artifacts[top->artifact];
  const auto turn = flow::parameter_to_turn(x);  // the catalogue's choice (flow/catalogue.hpp)
  const flow::ParamKey name = turn ? turn->key : flow::ParamKey::kEpsilon;
  const bool divide = turn && turn->direction == flow::Protects::kLowering;  // ε-like parameters shrink, noise grows
  if (turn) {
    auto with = [&](double factor) {
      flow::Graph changed = g_;
      scale_param(changed, top->artifact, name, rational_up(factor), divide);
      return changed;
    };
    double lo = 1, hi = 2;
    while (hi <= 4096 && !holds_with(with(hi))) {
      lo = hi;
      hi *= 2;
    }
    if (hi <= 4096) {
      while (hi / lo > 1.005) {
        double mid = std::sqrt(lo * hi);
        if (holds_with(with(mid))) hi = mid; else lo = mid;
      }
      flow::Graph changed = with(hi);
      Rational value = changed.value(changed.artifacts[top->artifact].params[name]);
      std::string fix = param_text(g_, x, name) + (divide ? " ≤ " + format_down(value, 3) : " ≥ " + format_up(value, 3));
      auto it = x.params.find(name);
      if (it != x.params.end() && it->second.param != flow::kNone) {
        const auto& p = g_.params[it->second.param];
        if ((p.hi && value > *p.hi) || (p.lo && value < *p.lo))
          fix += " (outside its declared range [" + format_exact(p.lo.value_or(0)) + ", " + format_exact(p.hi.value_or(0)) + "])";
      }
      fixes.push_back(fix);
    }
  }
  if (fixes.empty()) return "reduce what " + x.name + " releases (more noise, fewer uses), or keep it from the coalition";
  return join(fixes, ", or ");
}

void Analyzer::finish(Verdict& v, const flow::Requirement& r) const {
  v.requirement = static_cast<flow::Id>(&r - g_.requirements.data());
  v.name = r.name;
  v.measure = r.measure;
  std::string measure = flow::measure_name(r.measure);
  std::string subject;
  const flow::Data* d = r.data != flow::kNone ? &g_.data[r.data] : nullptr;
  switch (r.measure) {
    case flow::Measure::kPosterior:
      subject = d->name + "." + d->fields[r.field].name + " = " + d->fields[r.field].value_name(r.value);
      break;
    case flow::Measure::kLeakage:
      subject = d->name + "." + d->fields[r.field].name;
      break;
    case flow::Measure::kReidentification: {
      std::vector<std::string> names;
      for (flow::Id f : r.fields) names.push_back(d->fields[f].name);
      subject = d->name + " by {" + join(names, ", ") + "}";
      break;
    }
    case flow::Measure::kForbid:
      break;
    default:
      subject = d->name;
  }
  if (r.measure != flow::Measure::kForbid) {
    std::string target = v.adversary.empty() ? v.coalition_text : v.adversary;
    std::string bound = r.bound_is_epsilon ? "epsilon " + format_exact(r.bound) : format_exact(r.bound) + (r.bound_in_bits ? " bits" : "");
    std::string value = v.value ? v.value_text : "unbounded";
    const char* op = v.status == Status::kHolds ? "≤" : ">";
    v.explanation.text = measure + "(" + subject + ") against " + target + ": " +
                         (v.status == Status::kUndecided ? "undecided" : value + " " + op + " " + bound);
    if (v.reason.empty())
      v.reason = v.status == Status::kUndecided ? "undecided"
                 : (r.measure == flow::Measure::kDp ? "epsilon " : "") + value + " " + op + " " + format_exact(r.bound) +
                       (r.measure == flow::Measure::kDp || r.measure == flow::Measure::kPosterior ||
                                r.measure == flow::Measure::kAdvantage
                            ? " at delta " + v.delta_text
                            : (r.measure == flow::Measure::kLeakage ? " bits" : ""));
  }
}

Verdict Analyzer::forbid(const flow::Requirement& r) const {
  Verdict v;
  v.bound = r.unless_epsilon.value_or(Rational(0));
  v.delta = delta_of(r);
  v.delta_text = format_compact(g_.delta_of(r));
  v.method = "forbid";
  const std::string cat = r.category != flow::kNone ? g_.categories[r.category].name : "?";
  const std::string from = r.from_region != flow::kNone ? g_.regions[r.from_region].name : "?";
  const std::string to = r.to_region != flow::kNone ? g_.regions[r.to_region].name : "?";
  v.explanation.text = "forbid " + cat + " from " + from + " to " + to +
                       (r.unless_epsilon ? " unless epsilon ≤ " + format_exact(*r.unless_epsilon) : "");
  double worst = 0;
  bool unbounded = false;
  for (flow::Id di = 0; di < g_.data.size(); ++di) {
    const auto& d = g_.data[di];
    bool of_category = d.category == cat ||
                       std::any_of(d.fields.begin(), d.fields.end(), [&](const flow::Field& f) { return f.category == cat; });
    if (!of_category) continue;
    bool held_in_from = std::any_of(g_.agents.begin(), g_.agents.end(), [&](const flow::Agent& a) {
      return a.region == r.from_region &&
             std::any_of(a.holds.begin(), a.holds.end(), [&](const flow::Holding& h) { return h.data == di; });
    });
    if (!held_in_from) continue;
    Derivation& dnode = v.explanation.add(d.name + " (" + cat + ") is held in " + from, d.span.line);
    detail::SingleObserver single(g_, di);
    for (flow::Id a = 0; a < g_.agents.size(); ++a) {
      if (g_.agents[a].region != r.to_region) continue;
      Observation obs = single.observe(a);
      Crossing x;
      x.observer = g_.agents[a].name + (g_.agents[a].population ? "[i]" : "");
      // An agent that holds records of the data (a partition too) has them in its region.
      for (const auto& h : g_.agents[a].holds)
        if (h.data == di && obs.kind != LossKind::kHoldsData) {
          obs.kind = LossKind::kHoldsData;
          obs.holds_path = {Step{h.span.line, g_.agents[a].name + " holds " + (h.partitioned ? "a partition of " : "") + d.name}};
        }
      if (obs.kind == LossKind::kNothing) continue;
      if (obs.kind == LossKind::kHoldsData) {
        x.reason = "holds the data";
        for (const auto& s : obs.holds_path) x.path.push_back(s.text);
      } else if (obs.kind == LossKind::kExposedRecord || obs.kind == LossKind::kExposedStats) {
        x.reason = "exposed";
        for (const auto& s : obs.seen.exposure_path) x.path.push_back(s.line ? s.text + " (line " + std::to_string(s.line) + ")" : s.text);
      } else {
        auto acc = detail::account(g_, di, obs.seen.releases, Question::kMembership, v.delta, cache_, accountant_);
        if (!acc.error.empty()) {
          v.status = Status::kUndecided;
          v.reason = acc.error;
          return v;
        }
        auto eps = cache_.epsilon(acc.composition, v.delta, accountant_);
        double e = eps.infinite ? HUGE_VAL : (eps.exact ? to_double_up(*eps.exact) : eps.value);
        bool within = r.unless_epsilon && !eps.infinite &&
                      (eps.exact ? *eps.exact <= *r.unless_epsilon : std::isfinite(e) && Rational(e) <= *r.unless_epsilon);
        if (std::isfinite(e)) x.epsilon = e;
        if (within) {
          dnode.add(x.observer + " in " + to + " sees it with epsilon " + fmt_value(e) + " (allowed)", g_.agents[a].span.line);
          continue;
        }
        x.reason = "epsilon " + fmt_value(e) + (r.unless_epsilon ? " > " + format_exact(*r.unless_epsilon) : " > 0");
        for (const auto& use : obs.seen.releases)
          if (!use.route.empty()) {
            for (const auto& s : use.route) x.path.push_back(s.line ? s.text + " (line " + std::to_string(s.line) + ")" : s.text);
            break;
          }
      }
      if (!x.epsilon) unbounded = true; else worst = std::max(worst, *x.epsilon);
      Derivation& o = dnode.add(x.observer + " in " + to + ": " + x.reason, g_.agents[a].span.line);
      for (const auto& s : x.path) o.add(s);
      v.crossings.push_back(std::move(x));
    }
  }
  v.status = v.crossings.empty() ? Status::kHolds : Status::kViolated;
  if (v.crossings.empty()) {
    v.value = 0;
    v.value_text = "no crossing";
    v.reason = "no agent in " + to + " observes " + cat + " data held in " + from +
               (r.unless_epsilon ? " with epsilon above " + format_exact(*r.unless_epsilon) : "");
  } else {
    if (unbounded) v.value.reset(); else v.value = worst;
    v.value_text = unbounded ? "unbounded" : fmt_value(worst);
    std::vector<std::string> names;
    for (const auto& x : v.crossings) names.push_back(x.observer + " (" + x.reason + ")");
    v.reason = cat + " data crosses from " + from + " to " + to + ": " + join(names, ", ");
    v.fix = "release it to " + to + " only through private mechanisms" +
            (r.unless_epsilon ? " with epsilon ≤ " + format_exact(*r.unless_epsilon) : "") + ", or keep it in " + from;
    std::vector<std::string> holders;
    for (const auto& x : v.crossings)
      if (x.reason == "holds the data") holders.push_back(x.observer);
    if (!holders.empty()) v.fix = "keep the data itself out of " + to + " (held by " + join(holders, ", ") + "), and " + v.fix;
  }
  return v;
}

LeakageCell Analyzer::cell(flow::Id data, const std::string& observer, const Observation& obs) const {
  LeakageCell cell;
  cell.data = data;
  cell.observer = observer;
  cell.delta = to_double_down(g_.settings.delta);
  cell.loss = obs.kind;
  switch (obs.kind) {
    case LossKind::kHoldsData: cell.status = "holds"; break;
    case LossKind::kExposedRecord:
    case LossKind::kExposedStats: cell.status = "exposed"; break;
    case LossKind::kNothing:
      cell.status = "private";
      cell.epsilon = 0;
      break;
    case LossKind::kPrivate: {
      cell.status = "private";
      auto acc = detail::account(g_, data, obs.seen.releases, Question::kMembership, cell.delta, cache_, accountant_);
      if (!acc.error.empty()) break;  // unbounded: no figure
      auto eps = cache_.epsilon(acc.composition, cell.delta, accountant_);
      if (!eps.infinite) cell.epsilon = eps.exact ? to_double_up(*eps.exact) : eps.value;
      break;
    }
  }
  return cell;
}

LeakageMap Analyzer::leakage_map(const Coalition& observer) const {
  LeakageMap map;
  map.delta = to_double_down(g_.settings.delta);
  auto rank = [](const ElementLeak& e) {
    switch (e.loss) {
      case LossKind::kHoldsData: return 4;
      case LossKind::kExposedRecord:
      case LossKind::kExposedStats: return 3;
      case LossKind::kPrivate: return 2;
      case LossKind::kNothing: return 1;
    }
    return 0;
  };
  auto worse = [&](ElementLeak& into, const ElementLeak& e) {
    if (rank(e) > rank(into) || (rank(e) == rank(into) && e.epsilon && (!into.epsilon || *e.epsilon > *into.epsilon)))
      into = e;
  };
  auto leak_of = [&](flow::Id data, const detail::Knowledge& k) {
    ElementLeak e;
    if (k.deterministic()) {
      e.loss = k.stats ? LossKind::kExposedStats : LossKind::kExposedRecord;
    } else if (!k.releases.empty()) {
      e.loss = LossKind::kPrivate;
      auto acc = detail::account(g_, data, k.releases, Question::kMembership, map.delta, cache_, accountant_);
      if (acc.error.empty()) {
        auto eps = cache_.epsilon(acc.composition, map.delta, accountant_);
        if (!eps.infinite) e.epsilon = eps.exact ? to_double_up(*eps.exact) : eps.value;
      }
    }
    return e;
  };
  for (flow::Id d = 0; d < g_.data.size(); ++d) {
    auto t = detail::trace(g_, d, observer);
    for (flow::Id x = 0; x < t.artifacts.size(); ++x)
      if (!t.artifacts[x].empty()) worse(map.artifacts[x], leak_of(d, t.artifacts[x]));
    for (flow::Id f = 0; f < t.flows.size(); ++f)
      if (!t.flows[f].empty()) worse(map.flows[f], leak_of(d, t.flows[f]));
    auto c = cell(d, "", detail::observe(g_, d, observer));
    if (c.loss != LossKind::kNothing) worse(map.data[d], ElementLeak{c.loss, c.epsilon});
  }
  for (flow::Id a = 0; a < g_.agents.size(); ++a) {
    if (!observer.contains(a)) continue;
    for (const auto& h : g_.agents[a].holds) map.seen_data.insert(h.data);
  }
  for (flow::Id x = 0; x < g_.artifacts.size(); ++x)
    if (observer.contains(g_.artifacts[x].at)) map.seen_artifacts.insert(x);
  for (flow::Id f = 0; f < g_.flows.size(); ++f)
    if (observer.contains(g_.flows[f].to)) {
      map.seen_flows.insert(f);
      map.seen_artifacts.insert(g_.flows[f].artifact);
    }
  return map;
}

Analysis Analyzer::run() {
  Analysis a;
  for (const auto& r : g_.requirements) {
    Verdict v;
    if (out_of_time()) {
      // Never `holds` for what was not analysed.
      v.status = Status::kUndecided;
      v.reason = "not analysed: the time budget of " + std::to_string(options_.time_budget_ms) + " ms was spent";
      v.bound = r.bound;
      if (r.measure != flow::Measure::kForbid) {
        v.delta = delta_of(r);
        v.delta_text = format_compact(g_.delta_of(r));
        if (r.adversary != flow::kNone) v.adversary = g_.adversaries[r.adversary].name;
        else v.coalition_text = describe(g_, fixed_part(r.coalition));
      }
      v.explanation.add(v.reason);
      finish(v, r);
      a.verdicts.push_back(std::move(v));
      continue;
    }
    if (r.measure == flow::Measure::kForbid) {
      v = forbid(r);
    } else {
      const flow::Coalition& target =
          r.adversary != flow::kNone ? g_.adversaries[r.adversary].coalition : r.coalition;
      Coalition base = fixed_part(target);
      if (target.choose == 0) {
        v = evaluate(r, base);
      } else {
        auto eval = [&](const Coalition& c) { return evaluate(r, c, false); };
        v = search_worst(g_, target, base, eval, options_, r.data);
        if (v.status == Status::kViolated && search_fixes_ && !out_of_time()) v.fix = evaluate(r, v.coalition).fix;
      }
      if (r.adversary != flow::kNone) v.adversary = g_.adversaries[r.adversary].name;
      v.explanation.children.insert(v.explanation.children.begin(),
                                    Derivation{"coalition: " + v.coalition_text, target.span.line, {}});
    }
    finish(v, r);
    a.verdicts.push_back(std::move(v));
  }

  // The leakage matrix: each data against each agent alone, and all curious and malicious
  // agents together.
  for (flow::Id d = 0; d < g_.data.size(); ++d) {
    detail::SingleObserver single(g_, d);
    for (flow::Id ag = 0; ag < g_.agents.size(); ++ag) a.leakage.push_back(cell(d, g_.agents[ag].name, single.observe(ag)));
    Coalition all;
    all.taken.assign(g_.agents.size(), 0);
    for (flow::Id ag = 0; ag < g_.agents.size(); ++ag)
      if (g_.agents[ag].trust == flow::Trust::kCurious || g_.agents[ag].trust == flow::Trust::kMalicious)
        all.taken[ag] = g_.agents[ag].count;
    if (!all.empty()) a.leakage.push_back(cell(d, "curious+malicious", detail::observe(g_, d, all)));
  }
  a.findings = collect_findings(g_);
  // "Division by zero is an error found by analysis" (docs/language.md, "Expressions"): any record reaching it.
  for (flow::Id x = 0; x < g_.artifacts.size(); ++x) {
    if (g_.artifacts[x].kind != flow::ComputeKind::kMap) continue;
    const auto& mc = maps_.count(x);
    if (mc.status != solver::MapStatus::kDivisionByZero) continue;
    const auto& d = g_.data[g_.artifacts[x].inputs[0].data];
    std::vector<std::string> values;
    for (std::size_t j = 0; j < mc.read_fields.size() && j < mc.witness.size(); ++j) {
      const auto& f = d.fields[mc.read_fields[j]];
      std::string v = f.type == flow::FieldType::kInt ? std::to_string(mc.witness[j])
                                                       : f.value_name(static_cast<std::uint64_t>(mc.witness[j]));
      values.push_back(f.name + " = " + v);
    }
    a.findings.push_back(Finding{"error", mc.division.line ? mc.division : g_.artifacts[x].span,
                                 "division by zero in map '" + g_.artifacts[x].name + "' for a record with " + join(values, ", ")});
  }
  std::stable_sort(a.findings.begin(), a.findings.end(),
                   [](const Finding& l, const Finding& r) { return l.span.begin < r.span.begin; });
  a.assumptions = collect_assumptions(g_);
  return a;
}

}  // namespace

Derivation& Derivation::add(std::string child_text, std::uint32_t child_line) {
  children.push_back(Derivation{std::move(child_text), child_line, {}});
  return children.back();
}

bool Coalition::empty() const {
  return std::all_of(taken.begin(), taken.end(), [](std::uint64_t t) { return t == 0; });
}

const char* status_name(Status s) {
  switch (s) {
    case Status::kHolds: return "holds";
    case Status::kViolated: return "violated";
    case Status::kUndecided: return "undecided";
  }
  return "?";
}

const char* loss_kind_name(LossKind k) {
  switch (k) {
    case LossKind::kNothing: return "nothing";
    case LossKind::kPrivate: return "private";
    case LossKind::kExposedRecord: return "exposed";
    case LossKind::kExposedStats: return "exposed";
    case LossKind::kHoldsData: return "holds";
  }
  return "?";
}

namespace {

/// Members in a canonical order, independent of declaration order: single agents, then
/// populations, each by name.
std::vector<flow::Id> canonical_members(const flow::Graph& g, const Coalition& c) {
  std::vector<flow::Id> ids;
  for (flow::Id a = 0; a < g.agents.size() && a < c.taken.size(); ++a)
    if (c.taken[a] > 0) ids.push_back(a);
  std::sort(ids.begin(), ids.end(), [&](flow::Id x, flow::Id y) {
    const auto& ax = g.agents[x];
    const auto& ay = g.agents[y];
    if (ax.population != ay.population) return !ax.population;
    return ax.name < ay.name;
  });
  return ids;
}

}  // namespace

std::string describe(const flow::Graph& g, const Coalition& c) {
  std::vector<std::string> parts;
  for (flow::Id a : canonical_members(g, c)) {
    std::uint64_t t = c.taken[a];
    const auto& agent = g.agents[a];
    if (!agent.population)
      parts.push_back(agent.name);
    else if (t == 1)
      parts.push_back(agent.name + "[1]");
    else
      parts.push_back(agent.name + "[1.." + std::to_string(t) + "]");
  }
  return parts.empty() ? "nobody" : join(parts, " + ");
}

std::vector<std::string> members(const flow::Graph& g, const Coalition& c) {
  std::vector<std::string> out;
  for (flow::Id a : canonical_members(g, c)) {
    std::uint64_t t = c.taken[a];
    const auto& agent = g.agents[a];
    if (!agent.population || t == agent.count)
      out.push_back(agent.name);
    else
      out.push_back(std::to_string(t) + " of " + agent.name);
  }
  return out;
}

int Analysis::exit_code() const {
  for (const auto& f : findings)
    if (f.severity == "error") return 2;
  bool undecided = false;
  for (const auto& v : verdicts) {
    if (v.status == Status::kViolated) return 1;
    if (v.status == Status::kUndecided) undecided = true;
  }
  return undecided ? 3 : 0;
}

Analysis analyze(const flow::Graph& graph, const Options& options) { return Analyzer(graph, options).run(); }

LeakageMap leakage_map(const flow::Graph& graph, const Coalition& observer, const Options& options) {
  return Analyzer(graph, options).leakage_map(observer);
}

Coalition fixed_coalition(const flow::Graph& graph, const flow::Coalition& coalition) {
  Coalition c;
  c.taken.assign(graph.agents.size(), 0);
  for (const auto& m : coalition.fixed) {
    if (m.agent >= graph.agents.size()) continue;
    std::uint64_t n = graph.agents[m.agent].count;
    c.taken[m.agent] = std::min(n, c.taken[m.agent] + (m.all ? n : m.count));
  }
  return c;
}

}  // namespace privflow::analyzer
