// Utility requirements (docs/language.md, "Utility requirements"): `require error(X) <= B
// [relative] [at confidence C]` bounds the (1 − β) half-width of a release's error
// (analyzer/error_model.cpp), absolute or relative to its expected true value. No coalition:
// the error is the same for every reader. Its fix turns the release's noise toward less noise,
// and is offered only if every privacy requirement that holds still holds with it.
#include <cmath>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/detail/error_model.hpp"
#include "analyzer/search.hpp"
#include "analyzer/wording.hpp"

namespace privflow::analyzer::detail {
namespace {

/// The figure a utility requirement compares: the half-width, or its ratio to the expected value.
std::optional<double> utility_figure(const flow::Requirement& r, const ReleaseError& e) {
  if (!e.modelled) return std::nullopt;
  if (!r.relative) return e.half_width;
  return e.relative;
}


/// The least factor in [1, 4096] (to 0.5 %) for which `ok` holds, by doubling then bisection.
std::optional<double> least_factor(const std::function<bool(double)>& ok) {
  double lo = 1, hi = 2;
  while (hi <= 4096 && !ok(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi > 4096) return std::nullopt;
  while (hi / lo > 1.005) {
    const double mid = std::sqrt(lo * hi);
    if (ok(mid)) hi = mid; else lo = mid;
  }
  return hi;
}

}  // namespace

bool Analyzer::utility_holds(const flow::Requirement& r, const flow::Graph& g) {
  const ReleaseError e = release_error(g, r.artifact, beta_of(g.confidence_of(&r)));
  const auto figure = utility_figure(r, e);
  return figure && std::isfinite(*figure) && Rational(*figure) <= r.bound;
}

std::vector<std::string> Analyzer::utilities_broken(const flow::Graph& changed) const {
  std::vector<std::string> broken;
  for (std::size_t i = 0; i < graph_.requirements.size(); ++i) {
    const auto& r = graph_.requirements[i];
    if (r.measure != flow::Measure::kError) continue;
    if (utility_holds(r, graph_) && !utility_holds(changed.requirements[i], changed)) broken.push_back(r.name);
  }
  return broken;
}

Verdict Analyzer::utility(const flow::Requirement& r) const {
  Verdict v;
  v.bound = r.bound;
  v.method = Method::kBound;
  const double beta = beta_of(graph_.confidence_of(&r));
  const ReleaseError e = release_error(graph_, r.artifact, beta);
  const flow::Artifact& x = graph_.artifacts[r.artifact];
  v.explanation.add(steps::release_error(x, e), x.span.line);
  if (e.modelled) v.explanation.add(steps::error_model(e.how));
  const auto figure = utility_figure(r, e);
  if (!figure) {
    v.status = Status::kUndecided;
    v.reason = e.modelled ? "the expected true value of " + x.name + " is not known (declare the data's rows and a field's range)"
                          : e.how;
    return v;
  }
  v.value = *figure;
  v.status = std::isfinite(*figure) && Rational(*figure) <= r.bound ? Status::kHolds : Status::kViolated;
  if (v.status == Status::kViolated && search_fixes_ && !out_of_time()) v.fix = utility_fix(r, v.fix_edit);
  return v;
}

std::string Analyzer::utility_fix(const flow::Requirement& r, std::optional<FixEdit>& edit) const {
  const flow::Id ri = static_cast<flow::Id>(&r - graph_.requirements.data());
  // The aggregate's noise is its release's.
  flow::Id release = r.artifact;
  if (graph_.artifacts[release].kind == flow::ComputeKind::kAggregate) release = graph_.artifacts[release].inputs[0].artifact;
  const flow::Artifact& x = graph_.artifacts[release];
  const auto turn = flow::parameter_to_turn(x);
  if (!turn) return "";
  // Less noise: the opposite of the direction that protects more.
  const bool divide = turn->direction == flow::Protects::kRaising;
  auto with = [&](double factor) {
    flow::Graph changed = graph_;
    scale_param(changed, release, turn->key, rational_up(factor), divide);
    return changed;
  };
  const auto factor = least_factor([&](double f) { return utility_holds(graph_.requirements[ri], with(f)); });
  auto it = x.params.find(turn->key);
  const std::string name = it != x.params.end() && it->second.param != flow::kNone
                               ? graph_.params[it->second.param].name
                               : flow::param_name(turn->key) + std::string(" of ") + x.name;
  if (!factor) return "no change of " + name + " within a factor of 4096 meets it: use another mechanism or more data";
  const flow::Graph changed = with(*factor);
  const Rational value = changed.value(changed.artifacts[release].params.at(turn->key));
  // Rounded towards less noise (the way that helps utility): what the edit writes, and what
  // the privacy requirements are re-checked with.
  const std::string written = divide ? format_down(value, 3) : format_up(value, 3);
  const std::string change = name + (divide ? " ≤ " : " ≥ ") + written;
  flow::Graph edited = graph_;
  const Rational w = parse_number(written).value_or(value);
  auto& pv = edited.artifacts[release].params[turn->key];
  if (pv.param != flow::kNone) {
    edited.params[pv.param].value = w;
  } else {
    pv.expr.reset();
    pv.literal = w;
  }
  // A fix that breaks a privacy requirement that holds is not offered (issue #22).
  Options quiet = options_;
  quiet.suggest_fixes = false;
  const Analysis after = Analyzer(edited, quiet).run();
  std::vector<std::string> broken;
  for (std::size_t i = 0; i < graph_.requirements.size(); ++i) {
    const auto& other = graph_.requirements[i];
    if (other.measure == flow::Measure::kError || i >= after.verdicts.size()) continue;
    if (after.verdicts[i].status == Status::kHolds) continue;
    Analyzer before(graph_, quiet);
    if (before.run_one(other).status == Status::kHolds) broken.push_back(other.name);
  }
  if (!broken.empty()) return "no value meets both: " + change + " would meet it but break " + join(broken, ", ");
  // One value to write, inside the param's declared range: a SARIF fix too.
  if (it != x.params.end() && utility_holds(graph_.requirements[ri], edited)) {
    bool in_range = true;
    if (it->second.param != flow::kNone) {
      const auto& p = graph_.params[it->second.param];
      in_range = !((p.hi && w > *p.hi) || (p.lo && w < *p.lo));
    }
    if (in_range && (edit = fix_edit(graph_, it->second, written))) edit->description = change;
  }
  return change;
}

Verdict Analyzer::run_one(const flow::Requirement& r) const {
  if (r.measure == flow::Measure::kError) return utility(r);
  if (r.measure == flow::Measure::kForbid) return forbid(r);
  const flow::Coalition& target = r.adversary != flow::kNone ? graph_.adversaries[r.adversary].coalition : r.coalition;
  Coalition base = fixed_part(target);
  if (target.choose == 0) return evaluate(r, base, false);
  auto eval = [&](const Coalition& c) { return evaluate(r, c, false); };
  return search_worst(graph_, target, base, eval, options_, r.data);
}

}  // namespace privflow::analyzer::detail
