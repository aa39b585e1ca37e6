#pragma once
// The catalogue of computations (docs/language.md, "The catalogue of computations"): for every
// kind its spelling, what it means, whether its output is a release, the inputs it takes, its
// parameters (typed keys, meaning, range, default), which of them are required or exclude each
// other, and which one the fix search turns. The checker, the accounting, the fix search, the
// editor grammars' test and the docs' table all read it (tests/docs/catalogue_test.cpp holds
// the docs to it).
//
// Later layers attach their own knowledge of a kind without flow/ depending on them: they keep
// a table or a switch indexed by ComputeKind (the privacy profile: analyzer/release_profile.cpp
// `release_profile`, over dp/), and tests/docs/catalogue_test.cpp checks that every release kind has one.
// Hover text is `description`.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "base/rational.hpp"

namespace privflow::flow {

enum class ComputeKind {
  // private mechanisms: their output is a release
  kLaplace, kGeometric, kGaussian, kRandomizedResponse, kExponential, kDpsgd, kDeclared, kDiscreteGaussian,
  kTreeAggregation, kMatrixFactorization, kSparseVector, kReportNoisyMax, kTopK,
  kRappor, kUnaryEncoding, kLocalHashing, kHadamardResponse, kCountMeanSketch,
  kGossip, kTokenWalk, kDecentralizedSgd,  // protocols among a population on its topology (docs/language.md, "Topologies")
  // deterministic computations
  kMap, kSelect, kCount, kSum, kMean, kHistogram, kAggregate, kTrain, kPseudonymize,
};
inline constexpr std::size_t kComputeKindCount = 30;
static_assert(static_cast<std::size_t>(ComputeKind::kPseudonymize) + 1 == kComputeKindCount);

/// A parameter of a computation, written `name: value`. In alphabetical order of the spelling,
/// so that Artifact::params iterates as it did when it was keyed by the spelling.
enum class ParamKey {
  kAnswers, kBatchSize, kCandidates, kCoefficients, kDelta, kDistributed, kEpochs, kEpsilon, kErrorSd, kF, kHashes, kK,
  kKeep, kMinSeparation, kNoiseMultiplier, kP, kQ, kRho, kRounds, kSampling, kSamplingRate, kScale, kSensitivity, kSigma, kSteps, kTimes,
  kTreeCompletion, kWidth,
};
inline constexpr std::size_t kParamKeyCount = 28;
static_assert(static_cast<std::size_t>(ParamKey::kWidth) + 1 == kParamKeyCount);

/// The values a parameter accepts.
enum class Range {
  kPositive,         // > 0
  kWholeAtLeastOne,  // 1, 2, 3, …
  kRate,             // (0, 1]
  kBelowOne,         // [0, 1)
  kKeepProbability,  // [0, 1], and above 1/k for an input of k values
  kFlag,             // true or false (not a number)
  kBatching,         // poisson, fixed_size or shuffle (not a number): how dpsgd draws its batches
  kNumberList,       // `[c0, c1, …]`: one or more numbers (Artifact::lists), each a parameter expression
};

/// Most elements of a list parameter (`coefficients: [...]`): a banded strategy's bands, as
/// `privflow account matrix-factorization --coefficients` accepts them.
inline constexpr std::size_t kMaxListItems = 100000;

/// How DP-SGD draws its batches (docs/language.md, "dpsgd"): Poisson sampling (each record
/// independently with probability q), fixed-size batches drawn without replacement, or a
/// random permutation per epoch cut into batches (shuffling: no amplification by sampling).
enum class Batching { kPoisson, kFixedSize, kShuffle };
/// `poisson`, `fixed_size`, `shuffle`.
const char* batching_name(Batching batching);

struct ParamInfo {
  ParamKey key;
  const char* name;          // the spec's spelling
  Range range;
  const char* meaning;       // one line, with its unit
  const char* default_text;  // as docs/language.md shows it; nullptr: none shown
};

/// What a computation takes as positional inputs.
enum class InputShape {
  kDataAndExpression,  // map(D, expr)
  kDataAndFields,      // select(D, f1, f2, …)
  kDataOrArtifact,     // one data or artifact
  kNumericField,       // one field D.f of int or bool type
  kField,              // one field D.f
  kArtifact,           // one artifact
  kFiniteField,        // one field D.f, whose values are the mechanism's domain
  kAnyInputs,          // one or more data, fields or artifacts
};

/// A rule over the parameters written for one computation.
struct ParamRule {
  enum class Kind {
    kRequired,  // `first` must be written; with `second`, exactly one of the two
    kOnlyWith,  // `first` only together with `second` (which is in a kRequired pair)
  };
  Kind kind;
  ParamKey first;
  std::optional<ParamKey> second;
};

/// Which way a parameter protects more: noise grows with a scale, a loss shrinks with ε.
enum class Protects { kRaising, kLowering };

/// A parameter the fix search may turn, and the direction that protects more.
struct FixTurn {
  ParamKey key;
  Protects direction;
};

/// The kind of guarantee a computation's output carries. A release is any kind but kNone.
enum class Guarantee {
  kNone,              // a deterministic computation: its output is not a release
  kPureEpsilon,       // ε-DP on every use, with δ = 0 (laplace, geometric, exponential)
  kLocalPureEpsilon,  // ε-local DP on the reported value itself (randomized_response)
  kApproximate,       // (ε, δ) from its noise (gaussian, dpsgd)
  kDeclared,          // as written: pure when it has neither `delta` nor `rho`
};

struct KindInfo {
  ComputeKind kind;
  const char* name;         // the spec's spelling
  const char* description;  // one line (hover text)
  Guarantee guarantee;      // kNone: not a release
  InputShape inputs;
  std::vector<ParamKey> params;  // accepted, in the order messages list them
  std::vector<ParamRule> rules;  // checked in this order
  std::vector<FixTurn> fix;      // the first one written is turned
};

/// Every kind, in ComputeKind order.
const std::array<KindInfo, kComputeKindCount>& catalogue();
const KindInfo& kind_info(ComputeKind kind);
/// The kind spelt `name`, or nullptr.
const KindInfo* find_kind(std::string_view name);

/// Every parameter, in ParamKey order.
const std::array<ParamInfo, kParamKeyCount>& parameters();
const ParamInfo& param_info(ParamKey key);
const char* param_name(ParamKey key);

/// True for the protocols run among the members of a population on its communication graph
/// (gossip, token_walk, decentralized_sgd): what a coalition of members sees is their messages (dp/network.hpp).
bool is_network_protocol(ComputeKind kind);
/// True for the private mechanisms (laplace … declared): their output is a release.
bool is_private(ComputeKind kind);
/// True for the mechanisms a single record holder can apply to its own record with a pure ε
/// (the ε0-LDP randomizers that shuffling amplifies): kPureEpsilon and kLocalPureEpsilon kinds.
bool is_local_randomizer(ComputeKind kind);
/// The spec's spelling (`randomized_response`, `dpsgd`, …).
const char* kind_name(ComputeKind kind);

/// What a kind's inputs must be, as messages say it ("one field: D.field").
const char* input_shape_text(InputShape shape);
/// Whether `value` is in `range` (kFlag: never; kKeepProbability: its [0, 1] part).
bool in_range(Range range, const Rational& value);
/// What a value outside `range` breaks, after the parameter's name ("must be positive").
const char* range_violation(Range range);

struct Artifact;
/// The parameter the fix search turns for `mechanism`: the first of its kind's `fix` list that
/// is written (a `laplace` with `scale` turns the scale, one with `epsilon` its ε).
std::optional<FixTurn> parameter_to_turn(const Artifact& mechanism);
/// True when `mechanism` is a central pure-ε release whose `epsilon` composes by basic
/// composition: a kPureEpsilon kind, or `declared` with neither `delta` nor `rho`.
bool is_pure_epsilon_release(const Artifact& mechanism);

}  // namespace privflow::flow
