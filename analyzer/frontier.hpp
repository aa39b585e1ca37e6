#pragma once
// `privflow frontier`: a param swept over its declared range, the spec analysed again at each
// value, recording every selected requirement's measure and the error of the release the param
// governs: the frontier between privacy and utility (issue #22 item 4). Like `tune`, the
// analysis is a black box here; report/frontier.cpp draws the result.
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

struct FrontierOptions {
  Options analysis;
  /// Requirements to record (names); empty: every requirement of the spec.
  std::vector<std::string> requirements;
  /// Values spaced evenly (or geometrically, see `scale`), both ends included (the current and
  /// the tuned value are added).
  unsigned points = 25;
  /// kAuto: geometric spacing and a logarithmic axis when the range spans two decades or more
  /// (0 < lo, 100·lo ≤ hi), where even spacing would leave the small values one point or two.
  enum class Scale { kAuto, kLinear, kLog } scale = Scale::kAuto;
  /// Also find the boundary value `privflow tune` gives (its analyses share the time budget).
  bool tune = true;
};

/// The most points a sweep takes (docs/limits.md).
inline constexpr unsigned kMaxFrontierPoints = 201;

/// One requirement at one point of the sweep.
struct FrontierMeasure {
  Status status = Status::kUndecided;
  std::optional<double> value;  // an upper bound, as the verdict holds it; nullopt: unbounded or undecided
  std::string value_text;       // as every report words it (rounded up)
  std::string reason;           // undecided: why
};

/// What the x axis shows.
enum class FrontierAxis {
  kParam,    // the param's value (no release it governs has an error figure)
  kError,    // the error half-width of the release the param governs
  kUtility,  // the figure of a selected `require error(X)` on such a release (its bound drawn)
};

struct FrontierPoint {
  Rational value;
  std::string value_text;  // exact decimal
  bool current = false;    // the spec's own value
  bool tuned = false;      // the boundary `tune` found
  bool analysed = false;   // false: see `why_not` (a parameter expression has no value here)
  std::string why_not;
  std::vector<FrontierMeasure> measures;  // one per Frontier::requirements
  std::optional<double> x;                // the x axis's figure here (nullopt: none)
  std::string x_text;                     // its words (an error figure, rounded up)
  bool holds = false;                     // every selected requirement holds
};

struct Frontier {
  /// False: nothing was swept; `message` says why, and `where` is the param's declaration
  /// when the fault is there (line 0: none).
  bool valid = false;
  std::string message;
  flow::Span where;
  std::string param;
  Rational lo, hi, current;
  std::vector<flow::Id> requirements;  // selected, in spec order
  FrontierAxis axis = FrontierAxis::kParam;
  flow::Id x_artifact = flow::kNone;     // kError, kUtility: whose error is on the x axis
  flow::Id x_requirement = flow::kNone;  // kUtility
  double beta = 0.05;                    // the x axis's error confidence 1 − β
  bool x_relative = false;               // kUtility with `relative`: a fraction
  std::string x_quantity, x_unit;        // kError, kUtility: ReleaseError's words ("the released value", "")
  std::vector<FrontierPoint> points;     // ascending in the param's value
  bool log_scale = false;                // geometric spacing; the chart's x axis is logarithmic
  std::optional<Rational> tuned;
  std::string tune_message;              // `tune`'s one line (why there is no boundary, too)
  bool out_of_time = false;              // the time budget ran out: the sweep is incomplete
  unsigned analyses = 0;
};

/// Sweeps `param`. Invalid (with a message that suggests a close name) for an unknown param
/// or requirement, a param without a range, or no requirement to record.
Frontier frontier(const flow::Graph& graph, const std::string& param, const FrontierOptions& options = {});

}  // namespace privflow::analyzer
