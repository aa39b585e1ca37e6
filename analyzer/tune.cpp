#include "analyzer/tune.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "base/rational.hpp"
#include "solver/optimize.hpp"

namespace privflow::analyzer {
namespace {

/// The analysis of `graph` with some params set to other values.
struct Runner {
  const flow::Graph& base;
  const TuneOptions& options;
  std::vector<flow::Id> selected;  // requirement indices that must hold
  unsigned analyses = 0;

  Analysis at(const std::vector<std::pair<flow::Id, Rational>>& values) {
    flow::Graph g = base;
    for (const auto& [p, v] : values) g.params[p].value = v;
    ++analyses;
    return analyze(g, options.analysis);
  }
  /// Every selected requirement holds (undecided is not holding).
  bool all_hold(const Analysis& a) const {
    for (flow::Id i : selected)
      if (i >= a.verdicts.size() || a.verdicts[i].status != Status::kHolds) return false;
    return true;
  }
  bool any_undecided(const Analysis& a) const {
    for (flow::Id i : selected)
      if (i < a.verdicts.size() && a.verdicts[i].status == Status::kUndecided) return true;
    return false;
  }
  std::vector<TuneMargin> margins(const Analysis& a) const {
    std::vector<TuneMargin> out;
    for (flow::Id i : selected) {
      if (i >= a.verdicts.size()) continue;
      const Verdict& v = a.verdicts[i];
      TuneMargin m;
      m.name = v.name;
      m.status = v.status;
      m.value = v.value;
      m.value_text = v.value ? v.value_text : "unbounded";
      m.bound = v.bound;
      m.bound_text = format_exact(v.bound);
      if (v.value && v.status != Status::kUndecided) {
        // bound - value with the value rounded up and the bound rounded down.
        double d = to_double_down(v.bound) - *v.value;
        m.margin = std::nextafter(d, -HUGE_VAL);
      }
      out.push_back(std::move(m));
    }
    return out;
  }
};

/// Larger is worse: a figure per selected requirement (unbounded = +inf; undecided = NaN).
std::vector<double> figures(const Runner& r, const Analysis& a) {
  std::vector<double> out;
  for (flow::Id i : r.selected) {
    const Verdict& v = a.verdicts[i];
    if (v.status == Status::kUndecided)
      out.push_back(std::nan(""));
    else
      out.push_back(v.value ? *v.value : HUGE_VAL);
  }
  return out;
}

/// 10^floor(log10(x)) for a positive rational (a decimal grid step not above x).
Rational decimal_step(const Rational& x) {
  Rational step = 1;
  while (step > x) step /= 10;
  while (step * 10 <= x) step *= 10;
  return step;
}

Rational floor_to(const Rational& x, const Rational& step) {
  mpz_class q = x.get_num() * step.get_den();
  mpz_class d = x.get_den() * step.get_num();
  mpz_class f;
  mpz_fdiv_q(f.get_mpz_t(), q.get_mpz_t(), d.get_mpz_t());
  Rational r(f);
  r *= step;
  r.canonicalize();
  return r;
}

bool select_requirements(const flow::Graph& g, const TuneOptions& options, std::vector<flow::Id>& out, std::string& error) {
  if (options.requirements.empty()) {
    for (flow::Id i = 0; i < g.requirements.size(); ++i) out.push_back(i);
    return true;
  }
  for (const auto& name : options.requirements) {
    auto it = std::find_if(g.requirements.begin(), g.requirements.end(), [&](const flow::Requirement& r) { return r.name == name; });
    if (it == g.requirements.end()) {
      error = "no requirement named '" + name + "'";
      return false;
    }
    out.push_back(static_cast<flow::Id>(it - g.requirements.begin()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return true;
}

}  // namespace

TuneResult tune(const flow::Graph& graph, const std::string& name, const TuneOptions& options) {
  TuneResult res;
  res.param = name;
  const flow::Id p = graph.find_param(name);
  if (p == flow::kNone) {
    res.message = "no param named '" + name + "'";
    return res;
  }
  const flow::Param& param = graph.params[p];
  if (!param.lo || !param.hi) {
    res.message = "param '" + name + "' has no range: declare it as `param " + name + " = v in [lo, hi]`";
    return res;
  }
  res.lo = *param.lo;
  res.hi = *param.hi;
  Runner run{graph, options, {}, 0};
  if (!select_requirements(graph, options, run.selected, res.message)) return res;
  if (run.selected.empty()) {
    res.message = "the spec has no requirement to meet";
    return res;
  }
  Rational span = res.hi - res.lo;
  res.tolerance = options.tolerance ? *options.tolerance : (span > 0 ? decimal_step(span / 1000) : Rational(1));
  if (res.tolerance <= 0) {
    res.message = "the tolerance must be positive";
    return res;
  }

  // The probe grid: monotone in which direction?
  const unsigned probes = std::max(2u, options.probes);
  std::vector<Rational> grid;
  std::vector<Analysis> at_grid;
  for (unsigned i = 0; i < probes; ++i) {
    Rational v = res.lo + span * Rational(i) / Rational(probes - 1);
    v.canonicalize();
    grid.push_back(v);
    at_grid.push_back(run.at({{p, v}}));
  }
  int direction = 0;  // +1: figures grow with the value (a budget); -1: they shrink (noise)
  for (std::size_t r = 0; r < run.selected.size(); ++r) {
    int dir_r = 0;
    for (unsigned i = 0; i + 1 < probes; ++i) {
      double a = figures(run, at_grid[i])[r], b = figures(run, at_grid[i + 1])[r];
      if (std::isnan(a) || std::isnan(b) || a == b) continue;
      int d = b > a ? 1 : -1;
      if (dir_r != 0 && d != dir_r) {
        res.outcome = TuneOutcome::kNotMonotone;
        res.message = "requirement '" + graph.requirements[run.selected[r]].name + "' is not monotone in " + name +
                      " on the probe grid (it rises and falls between " + format_exact(res.lo) + " and " +
                      format_exact(res.hi) + "): refusing to tune it";
        res.analyses = run.analyses;
        return res;
      }
      dir_r = d;
    }
    if (dir_r != 0 && direction != 0 && dir_r != direction) {
      res.outcome = TuneOutcome::kNotMonotone;
      res.message = "requirements pull " + name + " in opposite directions (" +
                    graph.requirements[run.selected[r]].name + " disagrees): no single best end; refusing to tune it";
      res.analyses = run.analyses;
      return res;
    }
    if (dir_r != 0) direction = dir_r;
  }
  if (direction == 0) {
    res.outcome = TuneOutcome::kNoEffect;
    res.message = "no selected requirement depends on " + name + " in [" + format_exact(res.lo) + ", " + format_exact(res.hi) + "]";
    res.value = param.value;
    res.value_text = format_exact(param.value);
    res.requirements = run.margins(at_grid.front());
    res.analyses = run.analyses;
    return res;
  }
  res.larger_is_private = direction < 0;
  // `safe` is the most private end, `bold` the least private one (the utility end).
  const std::size_t safe_i = res.larger_is_private ? probes - 1 : 0;
  const std::size_t bold_i = res.larger_is_private ? 0 : probes - 1;
  const Analysis& safe_a = at_grid[safe_i];
  if (!run.all_hold(safe_a)) {
    res.outcome = run.any_undecided(safe_a) ? TuneOutcome::kUndecided : TuneOutcome::kNone;
    res.value = grid[safe_i];
    res.value_text = format_exact(grid[safe_i]);
    res.requirements = run.margins(safe_a);
    res.message = res.outcome == TuneOutcome::kNone
                      ? "no value of " + name + " in [" + format_exact(res.lo) + ", " + format_exact(res.hi) +
                            "] meets every requirement: even " + res.value_text + " (the most private end) does not"
                      : "undecided at the most private end " + res.value_text;
    res.analyses = run.analyses;
    return res;
  }
  // Bracket: the grid point nearest the bold end that holds, and its neighbour that fails.
  Rational good = grid[safe_i], bad;
  bool have_bad = false;
  Analysis good_a = safe_a;
  if (res.larger_is_private) {
    for (std::size_t i = probes - 1; i-- > 0;) {
      if (run.all_hold(at_grid[i])) {
        good = grid[i];
        good_a = at_grid[i];
      } else {
        bad = grid[i];
        have_bad = true;
        break;
      }
    }
  } else {
    for (std::size_t i = 1; i < probes; ++i) {
      if (run.all_hold(at_grid[i])) {
        good = grid[i];
        good_a = at_grid[i];
      } else {
        bad = grid[i];
        have_bad = true;
        break;
      }
    }
  }
  (void)bold_i;
  // Bisect on the decimal grid of the tolerance between good (holds) and bad (fails).
  if (have_bad) {
    const Rational& step = res.tolerance;
    for (;;) {
      Rational a = good < bad ? good : bad, b = good < bad ? bad : good;
      // Grid points strictly inside (a, b).
      Rational first = floor_to(a, step) + step;
      Rational last = floor_to(b, step);
      if (last == b) last -= step;
      if (first > last) break;
      Rational mid = floor_to((first + last) / 2, step);
      if (mid < first) mid = first;
      Analysis m = run.at({{p, mid}});
      if (run.all_hold(m)) {
        good = mid;
        good_a = std::move(m);
      } else {
        bad = mid;
      }
    }
  }
  // The final full analysis at the answer (the same value: deterministic, run again as the
  // certificate the report prints).
  Analysis final_a = run.at({{p, good}});
  res.value = good;
  res.value_text = format_exact(good);
  res.requirements = run.margins(final_a);
  res.analyses = run.analyses;
  if (!run.all_hold(final_a)) {
    res.outcome = TuneOutcome::kUndecided;
    res.message = "the final analysis at " + res.value_text + " does not confirm every requirement";
    return res;
  }
  res.outcome = TuneOutcome::kFound;
  std::string what = res.larger_is_private ? "the least noise" : "the largest budget";
  res.message = name + " = " + res.value_text + ": " + what + " in [" + format_exact(res.lo) + ", " + format_exact(res.hi) +
                "] that meets every requirement" +
                (have_bad ? " (to within " + format_exact(res.tolerance) + "; " + format_exact(bad) + " fails)"
                          : " (the end of the range)") +
                ", verified by a full analysis";
  return res;
}

TuneAllResult tune_all(const flow::Graph& graph, const std::vector<std::string>& names, const TuneOptions& options) {
  TuneAllResult res;
  Runner run{graph, options, {}, 0};
  if (!select_requirements(graph, options, run.selected, res.message)) return res;
  // The params: pure ε parameters (epsilon of laplace, geometric, exponential, declared
  // without delta), each with a range.
  std::set<flow::Id> pure_uses, other_uses;
  for (const auto& x : graph.artifacts) {
    for (const auto& [key, pv] : x.params) {
      if (pv.param == flow::kNone) continue;
      bool pure = key == flow::ParamKey::kEpsilon &&
                  (x.kind == flow::ComputeKind::kLaplace || x.kind == flow::ComputeKind::kGeometric ||
                   x.kind == flow::ComputeKind::kExponential ||
                   (x.kind == flow::ComputeKind::kDeclared && !x.params.count(flow::ParamKey::kDelta) && !x.params.count(flow::ParamKey::kRho)));
      (pure ? pure_uses : other_uses).insert(pv.param);
    }
  }
  std::vector<flow::Id> ps;
  if (names.empty()) {
    for (flow::Id p : pure_uses)
      if (!other_uses.count(p) && graph.params[p].lo && graph.params[p].hi) ps.push_back(p);
  } else {
    for (const auto& n : names) {
      flow::Id p = graph.find_param(n);
      if (p == flow::kNone) {
        res.message = "no param named '" + n + "'";
        return res;
      }
      if (!pure_uses.count(p) || other_uses.count(p)) {
        res.message = "param '" + n + "' is not a pure epsilon (--all tunes the epsilon of laplace, geometric, exponential and pure declared releases)";
        return res;
      }
      if (!graph.params[p].lo || !graph.params[p].hi) {
        res.message = "param '" + n + "' has no range";
        return res;
      }
      ps.push_back(p);
    }
  }
  if (ps.empty()) {
    res.message = "no pure-epsilon param with a range to tune";
    return res;
  }
  // Linear model of each dp requirement: value(x) = b + Σ a_i x_i, measured at the lower
  // ends and one step up each param, and checked at the upper ends (exact rationals).
  auto exact_value = [](const Verdict& v) -> std::optional<Rational> {
    if (!v.exact || !v.value) return std::nullopt;
    return parse_number(v.value_text);
  };
  std::vector<std::pair<flow::Id, Rational>> low, high;
  for (flow::Id p : ps) {
    low.emplace_back(p, *graph.params[p].lo);
    high.emplace_back(p, *graph.params[p].hi);
  }
  Analysis a0 = run.at(low);
  std::vector<Analysis> ai;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    auto v = low;
    v[i].second = *graph.params[ps[i]].hi;
    ai.push_back(run.at(v));
  }
  Analysis a1 = run.at(high);
  solver::LinearProgram lp;
  for (flow::Id p : ps) lp.variables.push_back({graph.params[p].name, *graph.params[p].lo, *graph.params[p].hi, 1});
  // Each dp requirement whose observed releases (at the lower ends) are all pure ε: basic
  // composition bounds its ε by Σ times·copies·ε_i (Dwork & Roth 2014, Thm 3.16), linear in
  // the params: a sufficient (conservative) constraint. Others are left to the final check.
  (void)a1;
  (void)ai;
  (void)exact_value;
  for (flow::Id r : run.selected) {
    const auto& req = graph.requirements[r];
    if (req.measure != flow::Measure::kDp || r >= a0.verdicts.size()) continue;
    const Verdict& v0 = a0.verdicts[r];
    if (v0.releases.empty()) continue;
    std::vector<Rational> coeff(ps.size(), Rational(0));
    Rational constant = 0;
    bool pure = true;
    for (const auto& t : v0.releases) {
      if (t.artifact >= graph.artifacts.size()) {
        pure = false;
        break;
      }
      const auto& x = graph.artifacts[t.artifact];
      bool pure_kind = x.kind == flow::ComputeKind::kLaplace || x.kind == flow::ComputeKind::kGeometric ||
                       x.kind == flow::ComputeKind::kExponential ||
                       (x.kind == flow::ComputeKind::kDeclared && !x.params.count(flow::ParamKey::kDelta) && !x.params.count(flow::ParamKey::kRho));
      auto it = x.params.find(flow::ParamKey::kEpsilon);
      if (!pure_kind || it == x.params.end()) {
        pure = false;
        break;
      }
      Rational uses(static_cast<unsigned long>(graph.times(x) * t.copies));
      auto pos = std::find(ps.begin(), ps.end(), it->second.param);
      if (it->second.param != flow::kNone && pos != ps.end())
        coeff[static_cast<std::size_t>(pos - ps.begin())] += uses;
      else
        constant += uses * graph.value(it->second);
    }
    if (!pure) continue;
    lp.constraints.push_back({coeff, req.bound - constant});
  }
  solver::Session session(solver::Limits{options.analysis.solver_timeout_ms, 5'000'000});
  auto sol = solver::maximize_linear(session, lp);
  if (sol.result.status != solver::SolveStatus::kSat) {
    res.outcome = sol.result.status == solver::SolveStatus::kUnsat ? TuneOutcome::kNone : TuneOutcome::kUndecided;
    res.message = sol.result.status == solver::SolveStatus::kUnsat
                      ? "no values in the ranges meet the linear (pure epsilon) requirements"
                      : "Z3 optimize: " + sol.result.reason;
    res.requirements = run.margins(a0);
    res.analyses = run.analyses;
    return res;
  }
  std::vector<std::pair<flow::Id, Rational>> chosen;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    // Rounded down to 4 significant digits (smaller ε is more private), kept in range.
    Rational v = sol.values[i];
    Rational step = decimal_step(v > 0 ? v : Rational(1)) / 1000;
    Rational r = floor_to(v, step);
    if (r < *graph.params[ps[i]].lo) r = *graph.params[ps[i]].lo;
    chosen.emplace_back(ps[i], r);
    res.values.emplace_back(graph.params[ps[i]].name, r);
  }
  Analysis fin = run.at(chosen);
  res.requirements = run.margins(fin);
  res.analyses = run.analyses;
  if (!run.all_hold(fin)) {
    res.outcome = run.any_undecided(fin) ? TuneOutcome::kUndecided : TuneOutcome::kNone;
    res.message = "the values that maximise the sum of epsilon under the pure requirements do not meet every "
                  "requirement in the full analysis (a requirement that is not linear in them fails)";
    return res;
  }
  res.outcome = TuneOutcome::kFound;
  res.message = "the largest sum of epsilon that meets every requirement (Z3 optimize over " +
                std::to_string(lp.constraints.size()) + " linear requirement(s)), verified by a full analysis";
  return res;
}

}  // namespace privflow::analyzer
