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

struct TuneOptions {
  Options analysis;
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
struct TuneAllResult {
  TuneOutcome outcome = TuneOutcome::kInvalid;
  std::vector<std::pair<std::string, Rational>> values;
  std::vector<TuneMargin> requirements;
  std::string message;
  unsigned analyses = 0;
};
TuneAllResult tune_all(const flow::Graph& graph, const std::vector<std::string>& params, const TuneOptions& options = {});

}  // namespace privflow::analyzer
