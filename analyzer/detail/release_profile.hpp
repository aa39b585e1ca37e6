#pragma once
// The privacy profile of one release use: the dp::Mechanism that its kind and parameters make
// (each kind of flow/catalogue.hpp has its case in analyzer/release_profile.cpp), with the words
// that explain it in a derivation.
#include <optional>
#include <string>
#include <vector>

#include "analyzer/detail/accounting.hpp"
#include "base/rational.hpp"
#include "dp/accountant.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail {

struct ReleaseProfile {
  dp::Mechanism mechanism;
  std::optional<dp::Mechanism> tail;  // a (0, δ) part composed with it (a random walk's visit bound)
  std::string parameters;     // the parameters as the derivation words them
  std::string amplification;  // how shuffling or sampling amplified it, in words
  std::vector<std::string> network;  // a protocol among members: what the coalition saw, pairwise network DP
  std::string error;          // why the release cannot be accounted (empty when it can)
  bool pure_local = false;     // a pure ε mechanism (usable as an LDP randomizer)
  std::optional<Rational> epsilon_per_use;  // pure ones
  std::string sensitivity_note;  // "sensitivity 1000000 (the sum of income, int[0, 1000000])"
};

/// A matrix_factorization's strategy sensitivity (in clipping norms, zero-gradient replacement):
/// as written (`sensitivity`), or computed for the banded Toeplitz strategy of `coefficients`
/// by dp::banded_toeplitz_sensitivity_squared, the function `privflow account
/// matrix-factorization` uses. `error` is set when it cannot be computed.
struct StrategySensitivity {
  Rational squared;
  std::string text;  // how it was obtained, for the derivation and `explain`
  std::string error;
};
StrategySensitivity strategy_sensitivity(const flow::Graph& g, const flow::Artifact& x);

/// The profile of `use` of data set `data`, for `question` (its error, when the release cannot be
/// accounted, in `error`).
ReleaseProfile release_profile(const flow::Graph& g, flow::Id data, const ReleaseUse& use, Question question);

}  // namespace privflow::analyzer::detail
