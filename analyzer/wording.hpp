#pragma once
// The one place that turns a verdict's numbers and enums into words. Every output uses it:
// the verdict line and derivation root (the analysis itself), text, Markdown, HTML, JSON,
// SARIF, `privflow explain`, the diagram overlay and the library API. Requirements as written
// (measure, bound, δ, inline coalitions) are worded by flow/describe.hpp, which viz/ uses too.
//
// Conventions (docs/language.md, "Requirements"): comparisons use `≤` and `>`; a value is
// printed as the analysis holds it — an exact fraction when exact, else rounded UP to 4
// significant digits, never to nearest; `at delta D` follows a value only where δ enters it
// (dp, posterior, advantage) and the value is neither unbounded nor exact (an exact dp value
// keeps it: it is exact at that δ).
#include <optional>
#include <string>

#include "analyzer/analysis.hpp"
#include "base/rational.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

/// "rdp", "pld", "pure", "exact", "bound", "exposed", "holds", "none", "forbid"; "" when unset.
const char* method_name(Method method);
/// "error", "warning" or "note".
const char* severity_name(Severity severity);
/// "private", "exposed" or "holds".
const char* cell_status_name(CellStatus status);
/// The unit of a measure's value: "epsilon", "probability", "bits" or "fraction".
const char* unit_name(flow::Measure measure);

/// The value alone: `41.7`, `15/53`, `0.3334` (a long exact fraction rounded up),
/// `unbounded`, `no crossing` (a forbid rule nobody crosses).
std::string value_text(const Verdict& verdict);

/// The value as printed, as a number, when it is exact (`15/53`, or a long fraction rounded
/// up): what the verdict compares with the bound, so a line never reads `0.3334 ≤ 0.3333`.
std::optional<Rational> printed_value(const Verdict& verdict);

/// The value with its unit: `epsilon 5.193`, `15/26`, `0.04148 bits`,
/// `epsilon unbounded (exposed)`, `no crossing`.
std::string value_with_unit(const flow::Requirement& requirement, const Verdict& verdict);

/// Whether the comparison states `at delta D` (see the conventions above).
bool states_delta(const flow::Requirement& requirement, const Verdict& verdict);

/// The comparison of a decided verdict: `epsilon 5.193 > 2 at delta 1e-5`, `15/26 ≤ 0.5`,
/// `0.4855 ≤ 0.5 bits`.
std::string comparison(const flow::Graph& graph, const flow::Requirement& requirement, const Verdict& verdict);

/// The (worst) coalition: `server + hospital[1..14]`, `nobody`.
std::string coalition_text(const flow::Graph& graph, const Verdict& verdict);

/// Who the verdict is about: the (worst) coalition, or for a forbid rule the agents that cross
/// it (`server, analyst`; `nobody`).
std::string who_text(const flow::Graph& graph, const Verdict& verdict);

/// The adversary's name, else the (worst) coalition the verdict was evaluated against.
std::string target_text(const flow::Graph& graph, const Verdict& verdict);

/// The verdict without location or status:
/// `dp(patients) against insider: epsilon 41.7 > 2 at delta 1e-5`,
/// `forbid health from EU to US unless epsilon ≤ 3: crossed by server (epsilon 6.81 > 3)`.
std::string headline(const flow::Graph& graph, const flow::Requirement& requirement, const Verdict& verdict);

/// A release's error in words: `±11.99 at 95 % (sd 5.657), 0.1199 % of the smallest expected
/// count (income = high) (10000)`, or `no error figure: …` with the reason.
std::string error_text(const ReleaseError& error);
/// The confidence 1 − β as a percentage: `95 %`.
std::string confidence_text(double beta);

/// An ε upper bound: 4 significant digits rounded up; `unbounded` for +inf (or NaN).
std::string epsilon_text(double epsilon);

// The numbers beside the words, for the JSON report and the library API.

/// An ε as a number: the decimal `epsilon_text` prints (an upper bound); nullopt when unbounded.
std::optional<double> epsilon_number(std::optional<double> epsilon);
/// A bound the user wrote: the nearest double to an exact decimal, else rounded down (safe).
double bound_number(const Rational& bound);
/// The spec's δ as the nearest double, never below the δ the analysis used (`used`).
double delta_number(const Rational& spec_delta, double used);

/// What one leakage-matrix cell says: `0.4271`, `exposed`, `holds`, `nothing`, `unbounded`.
std::string cell_text(const LeakageCell& cell);

}  // namespace privflow::analyzer
