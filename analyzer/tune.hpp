#pragma once
// `privflow tune`: the best value of a `param` for which every requirement holds (issue #6
// part 2). The analysis is a black box here: the param's value is changed in a copy of the
// graph and `analyze` runs again. "Best" is the least private end the requirements allow:
// the least noise, or the largest budget — whichever way the requirements are monotone.
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

/// What `tune` with several params optimises (docs/concepts.md, "Allocating a budget").
enum class Objective {
  kSumEpsilon,        // the largest sum of pure-ε params (Z3 optimize; the default of --all)
  kVariance,          // the least Σ w·variance of the releases the params' noise enters
  kMaxRelativeError,  // the least largest relative error (half-width / expected value) among them
};

struct TuneOptions {
  Options analysis;
  Objective objective = Objective::kSumEpsilon;
  /// Weights of releases in the variance objective, by release name (absent: 1).
  std::vector<std::pair<std::string, Rational>> weights;
  /// Requirements to meet (names); empty: every requirement of the spec.
  std::vector<std::string> requirements;
  /// The answer is within this distance of the boundary (nullopt: a decimal grid step near
  /// (hi - lo) / 1000). Values are searched on the decimal grid of this step.
  std::optional<Rational> tolerance;
  /// Points of the probe grid on which monotonicity is checked (both ends included).
  unsigned probes = 5;
};

/// A requirement at the tuned value, as the final full analysis gives it.
struct TuneMargin {
  std::string name;
  Status status = Status::kUndecided;
  std::optional<double> value;  // upper bound (nullopt: unbounded)
  std::string value_text;
  Rational bound;
  std::string bound_text;
  /// bound - value, rounded down (the safe side); nullopt when unbounded or undecided.
  std::optional<double> margin;
};

enum class TuneOutcome {
  kFound,        // `value` meets every requirement (verified by a full analysis)
  kNone,         // no value in the range does (margins at the most private end)
  kNotMonotone,  // refused: a requirement is not monotone in the param on the probe grid
  kNoEffect,     // refused: no requirement depends on the param
  kUndecided,    // an analysis was undecided where the answer depends on it
  kInvalid,      // unknown param, no range, unknown requirement name
};

struct TuneResult {
  TuneOutcome outcome = TuneOutcome::kInvalid;
  std::string param;
  Rational value;             // the tuned value (kFound), else the value the margins are at
  std::string value_text;     // exact decimal
  Rational lo, hi;
  Rational tolerance;
  /// True when a larger value is more private (noise); false when smaller is (a budget).
  bool larger_is_private = true;
  std::vector<TuneMargin> requirements;
  std::string message;        // one line: what was found or why not
  unsigned analyses = 0;      // full analyses run
};

/// Tunes one param. Sound: `kFound` only when a full analysis at `value` has every selected
/// requirement holding; the boundary lies within `tolerance` beyond it.
TuneResult tune(const flow::Graph& graph, const std::string& param, const TuneOptions& options = {});

/// Several pure-ε params at once (`--all`): the requirements on dp with pure releases are
/// linear in them (basic composition, Dwork & Roth 2014 Thm 3.16), so Z3 `optimize` maximises
/// the sum of the params under them; the result is rounded down (smaller ε is more private)
/// and verified by a full analysis. `params` empty: every param with a range.
/// One release in the objective at the answer: its weight and its figure (variance, or
/// relative error), upper bounds from the error model.
struct ObjectiveTerm {
  std::string release;
  Rational weight = 1;
  double figure = 0;
};

struct TuneAllResult {
  TuneOutcome outcome = TuneOutcome::kInvalid;
  std::vector<std::pair<std::string, Rational>> values;
  /// The objective at `values` (kVariance: Σ w·variance; kMaxRelativeError: the largest
  /// relative error; kSumEpsilon: the sum), rounded up; nullopt when not found.
  std::optional<double> objective;
  std::vector<ObjectiveTerm> terms;
  /// How the answer was reached: "closed form (…)", "search (…)", "Z3 optimize".
  std::string method;
  std::vector<TuneMargin> requirements;
  std::string message;
  unsigned analyses = 0;
};
/// Dispatches on `options.objective`: kSumEpsilon is the linear program above; the others are
/// `allocate`.
TuneAllResult tune_all(const flow::Graph& graph, const std::vector<std::string>& params, const TuneOptions& options = {});

/// Budget allocation (issue #22 item 3): noise params (`sigma`, `scale`, `noise_multiplier`),
/// budgets (pure `epsilon`) and counts (`steps`, `epochs`, `times`) at once, minimising
/// `options.objective` under every selected requirement. A closed form (Laplace under basic
/// composition, Gaussians under Gaussian DP, equal relative errors for the max) or the spec's
/// own values give a direction in the noise space; one scalar along it is bisected against the
/// full analysis, each param is then lowered alone, and pairs trade noise while the objective
/// falls. Sound: kFound only when a full analysis at the printed values has every selected
/// requirement holding. `params` empty: every param with a range that such a key uses.
TuneAllResult allocate(const flow::Graph& graph, const std::vector<std::string>& params, const TuneOptions& options = {});

}  // namespace privflow::analyzer
