#include "analyzer/frontier.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "analyzer/tune.hpp"
#include "analyzer/wording.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "flow/catalogue.hpp"
#include "flow/param_expr.hpp"

namespace privflow::analyzer {
namespace frontier_impl {  // named: the unity build shares one anonymous namespace per batch

/// "no param named 'nosie'; did you mean 'noise'?" (or the declared names).
std::string unknown(const std::string& what, const std::string& name, const std::vector<std::string>& names) {
  std::string message = "no " + what + " named '" + name + "'";
  if (auto close = closest_match(name, names)) return message + "; did you mean '" + *close + "'?";
  if (names.empty()) return message + " (the spec declares none)";
  return message + " (declared: " + join(names, ", ") + ")";
}

bool select(const flow::Graph& g, const std::vector<std::string>& wanted, std::vector<flow::Id>& out, std::string& error) {
  std::vector<std::string> names;
  for (const auto& r : g.requirements) names.push_back(r.name);
  for (const auto& name : wanted) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      error = unknown("requirement", name, names);
      return false;
    }
    out.push_back(static_cast<flow::Id>(it - names.begin()));
  }
  if (wanted.empty())
    for (flow::Id i = 0; i < g.requirements.size(); ++i) out.push_back(i);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return true;
}

/// x rounded to the nearest multiple of `step` (a grid value's short decimal).
Rational round_to(const Rational& x, const Rational& step) {
  Rational q = x / step + Rational(1, 2);
  mpz_class f;
  mpz_fdiv_q(f.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  Rational r(f);
  r *= step;
  r.canonicalize();
  return r;
}

/// `n` values evenly spaced over [lo, hi], each rounded to 4 significant digits of the span
/// (the ends exact), with the extra values; ascending, without repeats.
std::vector<Rational> grid(const Rational& lo, const Rational& hi, unsigned n, const std::vector<Rational>& extra) {
  const Rational span = hi - lo;
  Rational step = 1;  // 10^floor(log10(span)) / 1000
  if (span > 0) {
    while (step > span) step /= 10;
    while (step * 10 <= span) step *= 10;
    step /= 1000;
  }
  std::vector<Rational> values = extra;
  for (unsigned i = 0; i < n; ++i) {
    Rational v = i == 0 ? lo : i + 1 == n ? hi : round_to(lo + span * Rational(i) / Rational(n - 1), step);
    values.push_back(std::clamp(v, lo, hi));
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

/// `n` values geometrically spaced over [lo, hi] (0 < lo < hi), each rounded to 4 significant
/// digits of itself (to a whole number when both ends are whole; the ends exact), with the
/// extra values; ascending, without repeats.
std::vector<Rational> log_grid(const Rational& lo, const Rational& hi, unsigned n, const std::vector<Rational>& extra) {
  std::vector<Rational> values = extra;
  const bool whole_ends = lo.get_den() == 1 && hi.get_den() == 1;
  const double a = std::log(lo.get_d()), b = std::log(hi.get_d());
  for (unsigned i = 0; i < n; ++i) {
    if (i == 0 || i + 1 == n) {
      values.push_back(i == 0 ? lo : hi);
      continue;
    }
    const double v = std::exp(a + (b - a) * i / (n - 1));
    Rational step = 1;  // 10^(floor(log10 v) - 3)
    for (int e = static_cast<int>(std::floor(std::log10(v))) - 3; e > 0; --e) step *= 10;
    for (int e = static_cast<int>(std::floor(std::log10(v))) - 3; e < 0; ++e) step /= 10;
    if (whole_ends && step < 1) step = 1;  // a count (steps in [10, 10^5]) stays whole
    values.push_back(std::clamp(round_to(Rational(v), step), lo, hi));
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

bool use_log_scale(const Rational& lo, const Rational& hi, FrontierOptions::Scale scale) {
  if (lo <= 0 || hi <= lo) return false;  // a logarithmic axis needs positive values
  if (scale == FrontierOptions::Scale::kLog) return true;
  return scale == FrontierOptions::Scale::kAuto && hi >= lo * 100;
}

/// The artifacts whose parameters read the param (directly or in an expression).
std::vector<flow::Id> governed(const flow::Graph& g, flow::Id p) {
  std::vector<flow::Id> out;
  for (flow::Id a = 0; a < g.artifacts.size(); ++a)
    for (const auto& entry : g.artifacts[a].params) {
      const auto& pv = entry.second;
      const auto used = pv.expr ? flow::params_in(*pv.expr) : std::vector<flow::Id>{};
      if (pv.param == p || std::find(used.begin(), used.end(), p) != used.end()) {
        out.push_back(a);
        break;
      }
    }
  return out;
}

const ReleaseError* error_of(const Analysis& a, flow::Id artifact) {
  for (const auto& e : a.errors)
    if (e.artifact == artifact) return &e;
  return nullptr;
}

}  // namespace frontier_impl

namespace frontier_impl {

/// One value of the sweep: the analysis there, or why there is none.
struct Probe {
  std::optional<Analysis> analysis;
  std::string why_not;
};

Probe analyse_at(const flow::Graph& base, flow::Id p, const Rational& v, const Options& options, Frontier& f) {
  if (options.deadline && std::chrono::steady_clock::now() >= *options.deadline) f.out_of_time = true;
  if (f.out_of_time) return {std::nullopt, "not analysed: the time budget ran out"};
  flow::Graph g = base;
  g.params[p].value = v;
  for (const auto& x : g.artifacts)
    for (const auto& entry : x.params)
      if (entry.second.expr && !flow::evaluate(*entry.second.expr, g.params).value)
        return {std::nullopt, "a parameter expression of " + x.name + " has no value here"};
  ++f.analyses;
  Analysis a = analyze(g, options);
  // The budget may have ended inside this analysis, leaving requirements undecided for want of
  // time: the sweep is then incomplete, not a chart of those gaps.
  if (options.deadline && std::chrono::steady_clock::now() >= *options.deadline) f.out_of_time = true;
  for (const auto& finding : a.findings)
    if (finding.severity == Severity::kError) return {std::nullopt, finding.message};
  return {std::move(a), ""};
}

FrontierMeasure measure_of(const Verdict& v) {
  FrontierMeasure m;
  m.status = v.status;
  if (v.status == Status::kUndecided) {
    m.value_text = "undecided";
    m.reason = v.reason;
    return m;
  }
  // A forbid rule nobody crosses reads 0, which is no ε of anyone's: no value to plot.
  const bool no_crossing = v.measure == flow::Measure::kForbid && v.crossings.empty();
  if (v.value && std::isfinite(*v.value) && !no_crossing) m.value = *v.value;
  m.value_text = value_text(v);
  return m;
}

FrontierPoint point_at(const Frontier& f, const Rational& v, const Probe& probe) {
  FrontierPoint pt;
  pt.value = v;
  pt.value_text = format_exact(v);
  pt.current = v == f.current;
  pt.tuned = f.tuned && v == *f.tuned;
  pt.analysed = probe.analysis.has_value();
  pt.why_not = probe.why_not;
  pt.holds = pt.analysed;
  for (flow::Id r : f.requirements) {
    FrontierMeasure m;
    if (pt.analysed && r < probe.analysis->verdicts.size()) {
      m = measure_of(probe.analysis->verdicts[r]);
    } else {
      m.value_text = "not analysed";
      m.reason = probe.why_not;
    }
    pt.holds = pt.holds && m.status == Status::kHolds;
    pt.measures.push_back(std::move(m));
  }
  return pt;
}

/// The x axis: a selected utility requirement on a release the param governs, else the error
/// of such a release, else the param itself. Only with a privacy requirement to plot against it.
void choose_axis(const flow::Graph& g, flow::Id p, const std::vector<Probe>& probes, Frontier& f) {
  const bool privacy = std::any_of(f.requirements.begin(), f.requirements.end(),
                                   [&](flow::Id r) { return g.requirements[r].measure != flow::Measure::kError; });
  if (!privacy) return;
  const auto gov = governed(g, p);
  auto governs = [&](flow::Id a) {
    const auto& x = g.artifacts[a];
    const bool aggregate_of = x.kind == flow::ComputeKind::kAggregate && !x.inputs.empty() &&
                              std::count(gov.begin(), gov.end(), x.inputs[0].artifact) > 0;
    return std::count(gov.begin(), gov.end(), a) > 0 || aggregate_of;
  };
  for (flow::Id r : f.requirements) {
    const auto& req = g.requirements[r];
    if (req.measure != flow::Measure::kError || req.artifact >= g.artifacts.size() || !governs(req.artifact)) continue;
    f.axis = FrontierAxis::kUtility;
    f.x_requirement = r;
    f.x_artifact = req.artifact;
    f.x_relative = req.relative;
    f.beta = to_double_down(Rational(1 - g.confidence_of(&req)));
    for (const auto& probe : probes)
      if (const ReleaseError* e = probe.analysis ? error_of(*probe.analysis, req.artifact) : nullptr; e && e->modelled) {
        f.x_quantity = e->quantity;
        f.x_unit = e->unit;
        break;
      }
    return;
  }
  for (flow::Id a : gov)
    for (const auto& probe : probes)
      if (const ReleaseError* e = probe.analysis ? error_of(*probe.analysis, a) : nullptr; e && e->modelled) {
        f.axis = FrontierAxis::kError;
        f.x_artifact = a;
        f.beta = e->beta;
        f.x_quantity = e->quantity;
        f.x_unit = e->unit;
        return;
      }
}

void fill_x(const Probe& probe, const Frontier& f, FrontierPoint& pt) {
  switch (f.axis) {
    case FrontierAxis::kParam:
      pt.x = pt.value.get_d();
      pt.x_text = pt.value_text;
      return;
    case FrontierAxis::kUtility: {
      const auto at = std::find(f.requirements.begin(), f.requirements.end(), f.x_requirement) - f.requirements.begin();
      const FrontierMeasure& m = pt.measures[static_cast<std::size_t>(at)];
      pt.x = m.value;
      pt.x_text = m.value ? m.value_text : "no figure";
      return;
    }
    case FrontierAxis::kError: {
      const ReleaseError* e = probe.analysis ? error_of(*probe.analysis, f.x_artifact) : nullptr;
      if (e && e->modelled && std::isfinite(e->half_width)) pt.x = e->half_width;
      pt.x_text = pt.x ? format_double_up(*pt.x, 4) : (e ? e->how : probe.why_not);
      return;
    }
  }
}

}  // namespace frontier_impl

namespace frontier_impl {

/// The checks before any analysis; false (with f.message, f.where) when the sweep cannot start.
bool prepare(const flow::Graph& graph, const std::string& name, const FrontierOptions& options, Frontier& f, flow::Id& p) {
  p = graph.find_param(name);
  if (p == flow::kNone) {
    std::vector<std::string> names;
    for (const auto& q : graph.params) names.push_back(q.name);
    f.message = unknown("param", name, names);
    return false;
  }
  const flow::Param& param = graph.params[p];
  if (!param.lo || !param.hi) {
    f.message = "param '" + name + "' has no range: declare it as `param " + name + " = " + format_exact(param.value) +
                " in [lo, hi]` to sweep it";
    f.where = param.span;
    return false;
  }
  if (!select(graph, options.requirements, f.requirements, f.message)) return false;
  if (f.requirements.empty()) {
    f.message = "the spec has no requirement to record";
    return false;
  }
  f.lo = *param.lo;
  f.hi = *param.hi;
  f.current = param.value;
  return true;
}

}  // namespace frontier_impl

Frontier frontier(const flow::Graph& graph, const std::string& name, const FrontierOptions& options) {
  using namespace frontier_impl;
  Frontier f;
  f.param = name;
  flow::Id p = flow::kNone;
  if (!prepare(graph, name, options, f, p)) return f;
  Options analysis = options.analysis;
  analysis.suggest_fixes = false;  // a point needs its measures, not the fixes of its violations
  if (analysis.time_budget_ms > 0 && !analysis.deadline)
    analysis.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(analysis.time_budget_ms);
  if (options.tune) {
    TuneOptions t;
    t.analysis = analysis;
    t.requirements = options.requirements;
    const TuneResult r = tune(graph, name, t);
    f.analyses += r.analyses;
    f.tune_message = r.message;
    if (r.outcome == TuneOutcome::kFound) f.tuned = r.value;
  }
  std::vector<Rational> extra;
  if (f.current >= f.lo && f.current <= f.hi) extra.push_back(f.current);
  if (f.tuned) extra.push_back(*f.tuned);
  const unsigned n = std::clamp(options.points, 2u, kMaxFrontierPoints);
  std::vector<Probe> probes;
  f.log_scale = use_log_scale(f.lo, f.hi, options.scale);
  const std::vector<Rational> values = f.log_scale ? log_grid(f.lo, f.hi, n, extra) : grid(f.lo, f.hi, n, extra);
  for (const Rational& v : values) probes.push_back(analyse_at(graph, p, v, analysis, f));
  for (std::size_t i = 0; i < values.size(); ++i) f.points.push_back(point_at(f, values[i], probes[i]));
  choose_axis(graph, p, probes, f);
  for (std::size_t i = 0; i < values.size(); ++i) fill_x(probes[i], f, f.points[i]);
  f.valid = true;
  return f;
}

}  // namespace privflow::analyzer
