#pragma once
// What `tune` (analyzer/tune.cpp) and the budget allocation (analyzer/tune_allocate.cpp) share:
// the analysis at changed param values under one time budget, and the requirement selection.
// Internal: not installed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/tune.hpp"
#include "analyzer/wording.hpp"
#include "base/rational.hpp"
#include "flow/graph.hpp"
#include "flow/param_expr.hpp"

namespace privflow::analyzer::detail {

/// The analysis of `graph` with some params set to other values. The time budget covers the
/// whole tune: its end is fixed once, and no analysis starts after it (`out_of_time`).
struct Runner {
  Runner(const flow::Graph& graph, const TuneOptions& tune_options) : base(graph), options(tune_options.analysis) {
    if (options.time_budget_ms > 0 && !options.deadline)
      options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.time_budget_ms);
  }
  const flow::Graph& base;
  Options options;
  std::vector<flow::Id> selected;  // requirement indices that must hold
  /// Utility requirements (error(X) <= B): they pull the other way (less noise), so the search
  /// runs on the privacy requirements and the answer is then checked against these (issue #22).
  std::vector<flow::Id> utilities;
  unsigned analyses = 0;
  bool out_of_time = false;  // an analysis was refused: the budget was spent

  /// The analysis at `values`; once the budget is spent, an empty analysis (nothing holds) and
  /// `out_of_time` set, which the callers turn into kUndecided.
  Analysis at(const std::vector<std::pair<flow::Id, Rational>>& values) {
    if (options.deadline && std::chrono::steady_clock::now() >= *options.deadline) out_of_time = true;
    if (out_of_time) return {};
    flow::Graph g = base;
    for (const auto& [p, v] : values) g.params[p].value = v;
    // A parameter expression that has no value here (`1 / (sigma - 2)` at sigma = 2): nothing
    // holds at this point, as for a refused analysis.
    for (const auto& x : g.artifacts)
      for (const auto& entry : x.params)
        if (entry.second.expr && !flow::evaluate(*entry.second.expr, g.params).value) return {};
    ++analyses;
    return analyze(g, options);
  }
  /// Fills `outcome` and `message` when the budget ran out (an analysis may have been cut by it,
  /// or refused); true then.
  bool stopped(TuneOutcome& outcome, std::string& message) {
    if (options.deadline && std::chrono::steady_clock::now() >= *options.deadline) out_of_time = true;
    if (!out_of_time) return false;
    outcome = TuneOutcome::kUndecided;
    message = "the time budget ran out after " + std::to_string(analyses) + " analyses";
    return true;
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
  /// The utility requirements that do not hold in `a`, by name.
  std::vector<std::string> failing_utilities(const Analysis& a) const {
    std::vector<std::string> out;
    for (flow::Id i : utilities)
      if (i >= a.verdicts.size() || a.verdicts[i].status != Status::kHolds) out.push_back(base.requirements[i].name);
    return out;
  }
  std::vector<TuneMargin> margins(const Analysis& a, bool with_utilities = false) const {
    std::vector<TuneMargin> out;
    std::vector<flow::Id> ids = selected;
    if (with_utilities) ids.insert(ids.end(), utilities.begin(), utilities.end());
    for (flow::Id i : ids) {
      if (i >= a.verdicts.size()) continue;
      const Verdict& v = a.verdicts[i];
      TuneMargin m;
      m.name = v.name;
      m.status = v.status;
      m.value = v.value;
      m.value_text = value_text(v);
      m.bound = v.bound;
      m.bound_text = format_exact(v.bound);
      // A forbid rule that holds has value 0 ("no crossing"), not its crossings' epsilon: no margin.
      const bool forbid = base.requirements[i].measure == flow::Measure::kForbid;
      if (v.value && v.status != Status::kUndecided && !forbid) {
        // bound - value with the value rounded up and the bound rounded down.
        double d = to_double_down(v.bound) - *v.value;
        m.margin = d == 0 ? 0.0 : std::nextafter(d, -HUGE_VAL);  // exactly at the bound: no margin, not a negative one
      }
      out.push_back(std::move(m));
    }
    return out;
  }
};

/// 10^floor(log10(x)) for a positive rational (a decimal grid step not above x).
inline Rational decimal_step(const Rational& x) {
  Rational step = 1;
  while (step > x) step /= 10;
  while (step * 10 <= x) step *= 10;
  return step;
}

inline Rational floor_to(const Rational& x, const Rational& step) {
  mpz_class q = x.get_num() * step.get_den();
  mpz_class d = x.get_den() * step.get_num();
  mpz_class f;
  mpz_fdiv_q(f.get_mpz_t(), q.get_mpz_t(), d.get_mpz_t());
  Rational r(f);
  r *= step;
  r.canonicalize();
  return r;
}

inline bool select_requirements(const flow::Graph& g, const TuneOptions& options, std::vector<flow::Id>& out, std::string& error) {
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

}  // namespace privflow::analyzer::detail
