#pragma once
// The error model of every kind (docs/concepts.md, "The error of a release"): like the privacy
// profile (analyzer/release_profile.cpp `release_profile`), one `case` per catalogue kind, over dp/error.hpp.
// Internal: not installed.
#include <vector>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail {

/// The error of artifact `x` (a release, or an aggregate of one) at confidence 1 − beta.
/// Not `modelled` (with the reason in `how`) for a kind without an error model or an artifact
/// that is neither.
ReleaseError release_error(const flow::Graph& g, flow::Id x, double beta);

/// Whether artifact `x` has an error figure to show: a release, or an aggregate of one.
bool has_error(const flow::Graph& g, flow::Id x);

/// Every release's and aggregate's error at the settings' confidence, in artifact order.
std::vector<ReleaseError> release_errors(const flow::Graph& g);

/// β = 1 − confidence, rounded down: a smaller β gives the wider interval, the safe side.
double beta_of(const Rational& confidence);

}  // namespace privflow::analyzer::detail
