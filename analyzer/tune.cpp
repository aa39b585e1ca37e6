#include "analyzer/tune.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/tune_runner.hpp"
#include "analyzer/wording.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "flow/catalogue.hpp"
#include "flow/param_expr.hpp"
#include "solver/optimize.hpp"

namespace privflow::analyzer {
namespace {

using detail::Runner;
using detail::decimal_step;
using detail::floor_to;
using detail::select_requirements;

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

/// Which way the selected requirements' figures move with the param on the probe grid: +1 they
/// grow with its value (a budget), -1 they shrink (noise), 0 none depends on it; nullopt (with
/// the outcome and message in `res`) when one rises and falls or two pull in opposite directions.
std::optional<int> direction_on_grid(const Runner& run, const std::vector<Analysis>& at_grid, const std::string& name,
                                     TuneResult& res) {
  const std::size_t probes = at_grid.size();
  int direction = 0;  // +1: figures grow with the value (a budget); -1: they shrink (noise)
  for (std::size_t r = 0; r < run.selected.size(); ++r) {
    int dir_r = 0;
    for (std::size_t i = 0; i + 1 < probes; ++i) {
      double a = figures(run, at_grid[i])[r], b = figures(run, at_grid[i + 1])[r];
      if (std::isnan(a) || std::isnan(b) || a == b) continue;
      int d = b > a ? 1 : -1;
      if (dir_r != 0 && d != dir_r) {
        res.outcome = TuneOutcome::kNotMonotone;
        res.message = "requirement '" + run.base.requirements[run.selected[r]].name + "' is not monotone in " + name +
                      " on the probe grid (it rises and falls between " + format_exact(res.lo) + " and " +
                      format_exact(res.hi) + "): refusing to tune it";
        return std::nullopt;
      }
      dir_r = d;
    }
    if (dir_r != 0 && direction != 0 && dir_r != direction) {
      res.outcome = TuneOutcome::kNotMonotone;
      res.message = "requirements pull " + name + " in opposite directions (" +
                    run.base.requirements[run.selected[r]].name + " disagrees): no single best end; refusing to tune it";
      return std::nullopt;
    }
    if (dir_r != 0) direction = dir_r;
  }
  return direction;
}

/// Bisects on the decimal grid of `step` between `good` (holds, analysed as `good_analysis`) and
/// `bad` (fails), moving both toward each other until no grid point lies strictly between.
void bisect(Runner& run, flow::Id param, const Rational& step, Rational& good, Analysis& good_analysis, Rational& bad) {
  for (;;) {
    Rational a = good < bad ? good : bad, b = good < bad ? bad : good;
    // Grid points strictly inside (a, b).
    Rational first = floor_to(a, step) + step;
    Rational last = floor_to(b, step);
    if (last == b) last -= step;
    if (first > last) break;
    Rational mid = floor_to((first + last) / 2, step);
    if (mid < first) mid = first;
    Analysis m = run.at({{param, mid}});
    if (run.out_of_time) break;  // the caller reports it
    if (run.all_hold(m)) {
      good = mid;
      good_analysis = std::move(m);
    } else {
      bad = mid;
    }
  }
}

/// From the most private end of the grid (`safe_i`, which holds) toward the least private one:
/// the last point that holds, bisected against the first that fails, and confirmed by a final
/// full analysis, which also checks the utility requirements at the answer.
void settle(Runner& run, flow::Id p, const std::string& name, const std::vector<Rational>& grid,
            const std::vector<Analysis>& at_grid, std::size_t safe_i, TuneResult& res) {
  const Analysis& safe_a = at_grid[safe_i];
  // Bracket: walking from the safe end toward the bold end, the last grid point that holds and
  // the first that fails.
  Rational good = grid[safe_i], bad;
  bool have_bad = false;
  Analysis good_a = safe_a;
  for (std::size_t step = 1; step < grid.size(); ++step) {
    const std::size_t i = res.larger_is_private ? grid.size() - 1 - step : step;
    if (run.all_hold(at_grid[i])) {
      good = grid[i];
      good_a = at_grid[i];
    } else {
      bad = grid[i];
      have_bad = true;
      break;
    }
  }
  if (have_bad) bisect(run, p, res.tolerance, good, good_a, bad);
  // The final full analysis at the answer (the same value: deterministic, run again as the
  // certificate the report prints).
  Analysis final_a = run.at({{p, good}});
  res.value = good;
  res.value_text = format_exact(good);
  res.requirements = run.margins(final_a);
  res.analyses = run.analyses;
  if (!run.all_hold(final_a)) {
    if (run.stopped(res.outcome, res.message)) return;
    res.outcome = TuneOutcome::kUndecided;
    res.message = "the final analysis at " + res.value_text + " does not confirm every requirement";
    return;
  }
  res.requirements = run.margins(final_a, true);
  if (const auto failing = run.failing_utilities(final_a); !failing.empty()) {
    // The privacy requirements' least private value is the best any utility requirement can get.
    res.outcome = TuneOutcome::kNone;
    res.message = "no value of " + name + " in [" + format_exact(res.lo) + ", " + format_exact(res.hi) +
                  "] meets every requirement: the privacy requirements need " + name +
                  (res.larger_is_private ? " ≥ " : " ≤ ") + res.value_text + ", and there " + join(failing, ", ") +
                  (failing.size() == 1 ? " fails" : " fail");
    return;
  }
  res.outcome = TuneOutcome::kFound;
  std::string what = res.larger_is_private ? "the least noise" : "the largest budget";
  res.message = name + " = " + res.value_text + ": " + what + " in [" + format_exact(res.lo) + ", " + format_exact(res.hi) +
                "] that meets every requirement" +
                (have_bad ? " (to within " + format_exact(res.tolerance) + "; " + format_exact(bad) + " fails)"
                          : " (the end of the range)") +
                ", verified by a full analysis";
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
  Runner run(graph, options);
  if (!select_requirements(graph, options, run.selected, res.message)) return res;
  if (run.selected.empty()) {
    res.message = "the spec has no requirement to meet";
    return res;
  }
  // Utility requirements are checked at the answer, not searched (unless they are all there is).
  for (flow::Id i : run.selected)
    if (graph.requirements[i].measure == flow::Measure::kError) run.utilities.push_back(i);
  if (run.utilities.size() == run.selected.size()) run.utilities.clear();
  for (flow::Id i : run.utilities) run.selected.erase(std::find(run.selected.begin(), run.selected.end(), i));
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
  if (run.stopped(res.outcome, res.message)) {
    res.analyses = run.analyses;
    return res;
  }
  const std::optional<int> direction = direction_on_grid(run, at_grid, name, res);
  if (!direction) {
    res.analyses = run.analyses;
    return res;
  }
  if (*direction == 0) {
    res.outcome = TuneOutcome::kNoEffect;
    res.message = "no selected requirement depends on " + name + " in [" + format_exact(res.lo) + ", " + format_exact(res.hi) + "]";
    res.value = param.value;
    res.value_text = format_exact(param.value);
    res.requirements = run.margins(at_grid.front());
    res.analyses = run.analyses;
    return res;
  }
  res.larger_is_private = *direction < 0;
  // `safe` is the most private end, `bold` the least private one (the utility end).
  const std::size_t safe_i = res.larger_is_private ? probes - 1 : 0;
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
  settle(run, p, name, grid, at_grid, safe_i, res);
  return res;
}

namespace {

/// The params `tune --all` tunes: those `names` (each must be a pure ε with a range), or, with no
/// names, every pure ε param with a range; false with `message` when a name is not one.
bool pure_epsilon_params(const flow::Graph& graph, const std::vector<std::string>& names, std::vector<flow::Id>& ps,
                         std::string& message) {
  // The params: pure ε parameters (flow::is_pure_epsilon_release: epsilon of laplace,
  // geometric, exponential, declared without delta), each with a range.
  std::set<flow::Id> pure_uses, other_uses;
  for (const auto& x : graph.artifacts) {
    for (const auto& [key, pv] : x.params) {
      // A param inside an expression is not linear in the constraints: tuned only one at a time.
      if (pv.expr)
        for (flow::Id used : flow::params_in(*pv.expr)) other_uses.insert(used);
      if (pv.param == flow::kNone) continue;
      bool pure = key == flow::ParamKey::kEpsilon && flow::is_pure_epsilon_release(x);
      (pure ? pure_uses : other_uses).insert(pv.param);
    }
  }
  if (names.empty()) {
    for (flow::Id p : pure_uses)
      if (!other_uses.count(p) && graph.params[p].lo && graph.params[p].hi) ps.push_back(p);
  } else {
    for (const auto& n : names) {
      flow::Id p = graph.find_param(n);
      if (p == flow::kNone) {
        message = "no param named '" + n + "'";
        return false;
      }
      if (!pure_uses.count(p) || other_uses.count(p)) {
        message = "param '" + n + "' is not a pure epsilon (--all tunes the epsilon of laplace, geometric, exponential and pure declared releases; "
                  "--minimize variance allocates noise and counts too)";
        return false;
      }
      if (!graph.params[p].lo || !graph.params[p].hi) {
        message = "param '" + n + "' has no range";
        return false;
      }
      ps.push_back(p);
    }
  }
  return true;
}

/// The linear constraints of the selected dp requirements on the params `ps`, from the analysis
/// `a0` at their lower ends.
void add_pure_constraints(const flow::Graph& graph, const Runner& run, const Analysis& a0, const std::vector<flow::Id>& ps,
                          solver::LinearProgram& lp) {
  // Each dp requirement whose observed releases (at the lower ends) are all pure ε: basic
  // composition bounds its ε by Σ times·copies·ε_i (Dwork & Roth 2014, Thm 3.16), linear in
  // the params: a sufficient (conservative) constraint. Others are left to the final check.
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
      bool pure_kind = flow::is_pure_epsilon_release(x);
      auto it = x.params.find(flow::ParamKey::kEpsilon);
      if (!pure_kind || it == x.params.end()) {
        pure = false;
        break;
      }
      Rational uses(static_cast<unsigned long>(graph.times(x) * t.copies));
      uses *= graph.param(x, flow::ParamKey::kK).value_or(Rational(1));  // top_k: k selections each
      auto pos = std::find(ps.begin(), ps.end(), it->second.param);
      if (it->second.param != flow::kNone && pos != ps.end())
        coeff[static_cast<std::size_t>(pos - ps.begin())] += uses;
      else
        constant += uses * graph.value(it->second);
    }
    if (!pure) continue;
    lp.constraints.push_back({coeff, req.bound - constant});
  }
}

/// x rounded up to 4 significant digits (the grid tune_all rounds its answer down to).
Rational ceil_to_digits(const Rational& x) {
  const Rational step = decimal_step(x > 0 ? x : Rational(1)) / 1000;
  Rational r = floor_to(x, step);
  if (r < x) r += step;
  r.canonicalize();
  return r;
}

/// Each utility requirement on a pure-ε release whose ε is one of the params: its error falls
/// as that ε grows and depends on no other param, so it holds from a least value on, found by
/// bisection of the error model (Analyzer::utility_holds) to 2^-40 of the range and rounded
/// up to 4 significant digits. A constraint −ε_p ≤ −v; the full analysis checks the answer.
/// False, with `message`, when one fails even at the param's upper end.
bool add_utility_constraints(const flow::Graph& graph, const Runner& run, const std::vector<flow::Id>& ps,
                             solver::LinearProgram& lp, std::string& message) {
  for (flow::Id r : run.selected) {
    const auto& req = graph.requirements[r];
    if (req.measure != flow::Measure::kError || req.artifact >= graph.artifacts.size()) continue;
    const auto& x = graph.artifacts[req.artifact];
    auto it = x.params.find(flow::ParamKey::kEpsilon);
    if (!flow::is_pure_epsilon_release(x) || it == x.params.end()) continue;
    auto pos = std::find(ps.begin(), ps.end(), it->second.param);
    if (it->second.param == flow::kNone || pos == ps.end()) continue;
    const flow::Param& p = graph.params[*pos];
    flow::Graph g = graph;
    auto holds_at = [&](const Rational& v) {
      g.params[*pos].value = v;
      return detail::Analyzer::utility_holds(req, g);
    };
    Rational lo = *p.lo, hi = *p.hi;
    if (holds_at(lo)) continue;
    if (!holds_at(hi)) {
      message = "requirement '" + req.name + "' (the error of " + x.name + ") fails even at " + p.name + " = " +
                format_exact(hi) + ", the upper end of its range";
      return false;
    }
    for (int i = 0; i < 40; ++i) {
      Rational mid = (lo + hi) / 2;
      mid.canonicalize();
      (holds_at(mid) ? hi : lo) = mid;
    }
    Rational least = std::min(ceil_to_digits(hi), *p.hi);
    std::vector<Rational> coeff(ps.size(), Rational(0));
    coeff[static_cast<std::size_t>(pos - ps.begin())] = -1;
    lp.constraints.push_back({coeff, -least});
  }
  return true;
}

}  // namespace

TuneAllResult tune_all(const flow::Graph& graph, const std::vector<std::string>& names, const TuneOptions& options) {
  if (options.objective != Objective::kSumEpsilon) return allocate(graph, names, options);
  TuneAllResult res;
  res.method = "Z3 optimize";
  Runner run(graph, options);
  if (!select_requirements(graph, options, run.selected, res.message)) return res;
  std::vector<flow::Id> ps;
  if (!pure_epsilon_params(graph, names, ps, res.message)) return res;
  if (ps.empty()) {
    res.message = "no pure-epsilon param with a range to tune";
    return res;
  }
  // A linear program over the params (maximise their sum), its constraints read from one
  // analysis at the lower ends; the answer is then checked by a full analysis.
  std::vector<std::pair<flow::Id, Rational>> low;
  for (flow::Id p : ps) low.emplace_back(p, *graph.params[p].lo);
  Analysis a0 = run.at(low);
  if (run.stopped(res.outcome, res.message)) {
    res.analyses = run.analyses;
    return res;
  }
  solver::LinearProgram lp;
  for (flow::Id p : ps) lp.variables.push_back({graph.params[p].name, *graph.params[p].lo, *graph.params[p].hi, 1});
  add_pure_constraints(graph, run, a0, ps, lp);
  if (!add_utility_constraints(graph, run, ps, lp, res.message)) {
    res.outcome = TuneOutcome::kNone;
    res.requirements = run.margins(a0);
    res.analyses = run.analyses;
    return res;
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
    if (run.stopped(res.outcome, res.message)) return res;
    res.outcome = run.any_undecided(fin) ? TuneOutcome::kUndecided : TuneOutcome::kNone;
    res.message = "the values that maximise the sum of epsilon under the pure requirements do not meet every "
                  "requirement in the full analysis (a requirement that is not linear in them fails)";
    return res;
  }
  res.outcome = TuneOutcome::kFound;
  Rational sum = 0;
  for (const auto& [name, v] : res.values) sum += v;
  res.objective = to_double_down(sum);  // a budget: the sum printed is not above the true one
  res.message = "the largest sum of epsilon that meets every requirement (Z3 optimize over " +
                std::to_string(lp.constraints.size()) + " linear requirement(s)), verified by a full analysis";
  return res;
}

}  // namespace privflow::analyzer
