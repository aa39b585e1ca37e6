#include "flow/catalogue.hpp"

#include "flow/graph.hpp"

namespace privflow::flow {

const std::array<ParamInfo, kParamKeyCount>& parameters() {
  using K = ParamKey;
  using R = Range;
  static const std::array<ParamInfo, kParamKeyCount> table = {{
      {K::kAnswers, "answers", R::kWholeAtLeastOne,
       "sparse vector: the queries found above the threshold before it stops (c)", "1"},
      {K::kBatchSize, "batch_size", R::kWholeAtLeastOne,
       "records in a step's batch: the sampling rate is batch_size / rows", nullptr},
      {K::kCandidates, "candidates", R::kWholeAtLeastOne,
       "a selection's error only: the outputs it chooses among (exponential, report_noisy_max, top_k) or the "
       "queries it looks at (sparse_vector)",
       nullptr},
      {K::kCoefficients, "coefficients", R::kNumberList,
       "a banded Toeplitz strategy's bands c0, c1, …, in a list: its sensitivity is computed (Choquette-Choo et al. "
       "2023, Thm 2)",
       nullptr},
      {K::kDelta, "delta", R::kBelowOne, "the δ of a declared (ε, δ) guarantee", "0"},
      {K::kDistributed, "distributed", R::kFlag,
       "the noise is the total over a population's instances, each adding its share", "false"},
      {K::kEpochs, "epochs", R::kPositive, "passes over the data (dpsgd: steps = ceil(epochs · rows / batch_size); tree_aggregation: trees; "
       "matrix_factorization: a record's participations), rounded up where a count is meant", nullptr},
      {K::kEpsilon, "epsilon", R::kPositive, "the privacy loss ε of one application", nullptr},
      {K::kErrorSd, "error_sd", R::kPositive,
       "declared only: the standard deviation of the release's error, in its units (an assumption, not checked)",
       nullptr},
      {K::kF, "f", R::kBelowOne,
       "RAPPOR's permanent randomized response: each Bloom bit is replaced by a fair coin with probability f",
       nullptr},
      {K::kHashes, "hashes", R::kWholeAtLeastOne, "hash functions: the Bloom filter bits a value sets (rappor), the sketch rows (count_mean_sketch)", "1"},
      {K::kK, "k", R::kWholeAtLeastOne, "top-k: the number of items selected", nullptr},
      {K::kKeep, "keep", R::kKeepProbability, "the probability of reporting the true value", nullptr},
      {K::kMinSeparation, "min_separation", R::kWholeAtLeastOne,
       "matrix_factorization: the fewest steps between two participations of a record (b)", nullptr},
      {K::kNoiseMultiplier, "noise_multiplier", R::kPositive,
       "the Gaussian noise's standard deviation over the clipping norm", nullptr},
      {K::kP, "p", R::kBelowOne, "the probability of reporting 1 for a 0 bit", nullptr},
      {K::kQ, "q", R::kRate, "the probability of reporting 1 for a 1 bit", "1/2"},
      {K::kRho, "rho", R::kPositive, "the ρ of a declared zero-concentrated DP guarantee", nullptr},
      {K::kRounds, "rounds", R::kWholeAtLeastOne,
       "gossip: synchronous averaging steps after the noise is added, each member sending to its neighbours",
       nullptr},
      {K::kSampling, "sampling", R::kBatching,
       "how batches are drawn: poisson, fixed_size (without replacement) or shuffle (one permutation per epoch)",
       "poisson"},
      {K::kSamplingRate, "sampling_rate", R::kRate,
       "the chance that a record is in a step's batch (dpsgd), or in the Poisson sample a laplace, gaussian or "
       "randomized_response release sees",
       nullptr},
      {K::kScale, "scale", R::kPositive, "the noise's scale b: ε = sensitivity / b", nullptr},
      {K::kSensitivity, "sensitivity", R::kPositive,
       "how far one record moves the input: derived from it where it says, else 1", nullptr},
      {K::kSigma, "sigma", R::kPositive, "the noise's standard deviation", nullptr},
      {K::kSteps, "steps", R::kWholeAtLeastOne,
       "training steps (dpsgd: each a subsampled Gaussian release; tree_aggregation: leaves per tree; "
       "decentralized_sgd: each member's noisy gradient steps; matrix_factorization: rounds, default unbounded), or the "
       "noisy visits of token_walk's token",
       nullptr},
      {K::kTimes, "times", R::kWholeAtLeastOne, "independent applications, composed", "1"},
      {K::kTreeCompletion, "tree_completion", R::kFlag,
       "each tree is padded to a power of 2 leaves and its root released: one node more per leaf", "false"},
      {K::kWidth, "width", R::kWholeAtLeastOne,
       "count_mean_sketch's error only: the sketch's width m, the buckets a hash maps a value to", nullptr},
  }};
  return table;
}

const std::array<KindInfo, kComputeKindCount>& catalogue() {
  using C = ComputeKind;
  using K = ParamKey;
  using S = InputShape;
  constexpr auto required = ParamRule::Kind::kRequired;
  constexpr auto only_with = ParamRule::Kind::kOnlyWith;
  constexpr auto up = Protects::kRaising;
  constexpr auto down = Protects::kLowering;
  using G = Guarantee;
  static const std::array<KindInfo, kComputeKindCount> table = {{
      {C::kLaplace, "laplace", "Laplace noise: pure ε = sensitivity / scale", G::kPureEpsilon, S::kAnyInputs,
       {K::kEpsilon, K::kScale, K::kSensitivity, K::kTimes, K::kSamplingRate},
       {{required, K::kEpsilon, K::kScale}},
       {{K::kScale, up}, {K::kEpsilon, down}}},
      {C::kGeometric, "geometric", "two-sided geometric noise (the discrete Laplace): pure ε", G::kPureEpsilon, S::kAnyInputs,
       {K::kEpsilon, K::kSensitivity, K::kTimes},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kGaussian, "gaussian", "Gaussian noise of standard deviation sigma: noise multiplier sigma / sensitivity",
       G::kApproximate, S::kAnyInputs,
       {K::kSigma, K::kSensitivity, K::kTimes, K::kDistributed, K::kSamplingRate},
       {{required, K::kSigma, std::nullopt}},
       {{K::kSigma, up}}},
      {C::kRandomizedResponse, "randomized_response",
       "reports a field's true value with probability keep, else another value: ε-local DP", G::kLocalPureEpsilon,
       S::kFiniteField,
       {K::kEpsilon, K::kKeep, K::kTimes, K::kSamplingRate},
       {{required, K::kEpsilon, K::kKeep}},
       {{K::kEpsilon, down}}},
      {C::kExponential, "exponential", "the exponential mechanism, choosing an output by its score: pure ε", G::kPureEpsilon,
       S::kAnyInputs,
       {K::kEpsilon, K::kTimes, K::kCandidates},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kDpsgd, "dpsgd", "differentially private SGD: Poisson-subsampled Gaussian, composed over the steps", G::kApproximate,
       S::kAnyInputs,
       {K::kNoiseMultiplier, K::kSamplingRate, K::kBatchSize, K::kSteps, K::kEpochs, K::kDistributed, K::kSampling},
       {{required, K::kNoiseMultiplier, std::nullopt},
        {required, K::kSamplingRate, K::kBatchSize},
        {required, K::kSteps, K::kEpochs}},
       {{K::kNoiseMultiplier, up}}},
      {C::kDeclared, "declared", "a guarantee you declare (ε, δ or ρ): an assumption in every report", G::kDeclared,
       S::kAnyInputs,
       {K::kEpsilon, K::kDelta, K::kRho, K::kTimes, K::kErrorSd},
       {{required, K::kEpsilon, K::kRho}, {only_with, K::kDelta, K::kEpsilon}},
       {{K::kEpsilon, down}}},
      {C::kDiscreteGaussian, "discrete_gaussian",
       "integer noise from the discrete Gaussian N_Z(0, sigma²) (Canonne, Kamath & Steinke 2020): tight (ε, δ)",
       G::kApproximate,
       S::kAnyInputs,
       {K::kSigma, K::kSensitivity, K::kTimes},
       {{required, K::kSigma, std::nullopt}},
       {{K::kSigma, up}}},
      {C::kTreeAggregation, "tree_aggregation",
       "DP-FTRL's tree aggregation (Kairouz et al. 2021): Gaussian noise on each tree node, one tree per epoch",
       G::kApproximate, S::kAnyInputs,
       {K::kNoiseMultiplier, K::kSteps, K::kEpochs, K::kTreeCompletion},
       {{required, K::kNoiseMultiplier, std::nullopt}, {required, K::kSteps, std::nullopt}},
       {{K::kNoiseMultiplier, up}}},
      {C::kMatrixFactorization, "matrix_factorization",
       "a matrix-factorisation mechanism (banded MF, Choquette-Choo et al. 2023): Gaussian noise of the strategy's sensitivity",
       G::kApproximate, S::kAnyInputs,
       {K::kNoiseMultiplier, K::kSensitivity, K::kCoefficients, K::kSteps, K::kEpochs, K::kMinSeparation, K::kTimes},
       {{required, K::kNoiseMultiplier, std::nullopt},
        {required, K::kSensitivity, K::kCoefficients},
        {only_with, K::kSteps, K::kCoefficients},
        {only_with, K::kEpochs, K::kCoefficients},
        {only_with, K::kMinSeparation, K::kCoefficients}},
       {{K::kNoiseMultiplier, up}}},
      {C::kSparseVector, "sparse_vector",
       "sparse vector (AboveThreshold): the first `answers` queries above a noisy threshold: pure ε = ε₁ + ε₂ "
       "(Lyu, Su & Li 2017)",
       G::kPureEpsilon, S::kAnyInputs,
       {K::kEpsilon, K::kAnswers, K::kSensitivity, K::kTimes, K::kCandidates},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kReportNoisyMax, "report_noisy_max",
       "report noisy max: the index of the largest query after Laplace noise of scale 2·sensitivity/ε: pure ε",
       G::kPureEpsilon, S::kAnyInputs,
       {K::kEpsilon, K::kSensitivity, K::kTimes, K::kCandidates},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kTopK, "top_k",
       "one-shot top-k with Gumbel noise: k exponential mechanisms (Durfee & Rogers 2019): pure ε each, k·ε in all",
       G::kPureEpsilon, S::kAnyInputs,
       {K::kEpsilon, K::kK, K::kSensitivity, K::kTimes, K::kCandidates},
       {{required, K::kEpsilon, std::nullopt}, {required, K::kK, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kRappor, "rappor",
       "RAPPOR (Erlingsson, Pihur & Korolova 2014): a Bloom filter of the value, permanent and instantaneous "
       "randomized response: ε-local DP",
       G::kLocalPureEpsilon, S::kFiniteField,
       {K::kF, K::kP, K::kQ, K::kHashes, K::kTimes},
       {{required, K::kF, std::nullopt}, {required, K::kP, std::nullopt}, {required, K::kQ, std::nullopt}},
       {{K::kF, up}}},
      {C::kUnaryEncoding, "unary_encoding",
       "unary encoding (Wang et al. 2017): the value one-hot, each bit randomized; OUE by epsilon: ε-local DP",
       G::kLocalPureEpsilon, S::kFiniteField,
       {K::kEpsilon, K::kP, K::kQ, K::kTimes},
       {{required, K::kEpsilon, K::kP}, {only_with, K::kQ, K::kP}},
       {{K::kEpsilon, down}}},
      {C::kLocalHashing, "local_hashing",
       "optimized local hashing (Wang et al. 2017): a hash of the value, randomized: ε-local DP",
       G::kLocalPureEpsilon, S::kFiniteField,
       {K::kEpsilon, K::kTimes},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kHadamardResponse, "hadamard_response",
       "Hadamard response (Acharya, Sun & Zhang 2019): a Hadamard codeword of the value, randomized: ε-local DP",
       G::kLocalPureEpsilon, S::kFiniteField,
       {K::kEpsilon, K::kTimes},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kCountMeanSketch, "count_mean_sketch",
       "Apple's count-mean sketch (2017): a hashed one-hot vector, each entry flipped: ε-local DP",
       G::kLocalPureEpsilon, S::kFiniteField,
       {K::kEpsilon, K::kHashes, K::kTimes, K::kWidth},
       {{required, K::kEpsilon, std::nullopt}},
       {{K::kEpsilon, down}}},
      {C::kGossip, "gossip",
       "gossip averaging on the population's topology: each member adds Gaussian noise sigma to its clipped value, "
       "then averages with its neighbours for `rounds` steps (Muffliato)",
       G::kApproximate, S::kDataOrArtifact,
       {K::kSigma, K::kRounds, K::kSensitivity, K::kTimes},
       {{required, K::kSigma, std::nullopt}, {required, K::kRounds, std::nullopt}},
       {{K::kSigma, up}}},
      {C::kTokenWalk, "token_walk",
       "a token walking the population's topology for `steps` visits: each visited member adds its clipped value "
       "and Gaussian noise sigma",
       G::kApproximate, S::kDataOrArtifact,
       {K::kSigma, K::kSteps, K::kSensitivity, K::kTimes},
       {{required, K::kSigma, std::nullopt}, {required, K::kSteps, std::nullopt}},
       {{K::kSigma, up}}},
      {C::kDecentralizedSgd, "decentralized_sgd",
       "decentralized SGD on the population's topology: `steps` local steps on a clipped gradient with Gaussian "
       "noise sigma, each followed by gossip averaging with the neighbours",
       G::kApproximate, S::kDataOrArtifact,
       {K::kSigma, K::kSteps, K::kSensitivity, K::kTimes},
       {{required, K::kSigma, std::nullopt}, {required, K::kSteps, std::nullopt}},
       {{K::kSigma, up}}},
      {C::kMap, "map", "a function of each record's fields", G::kNone, S::kDataAndExpression, {}, {}, {}},
      {C::kSelect, "select", "the listed fields of every record, in the clear", G::kNone, S::kDataAndFields, {}, {}, {}},
      {C::kCount, "count", "the exact number of records", G::kNone, S::kDataOrArtifact, {}, {}, {}},
      {C::kSum, "sum", "the exact sum of a numeric field", G::kNone, S::kNumericField, {}, {}, {}},
      {C::kMean, "mean", "the exact mean of a numeric field", G::kNone, S::kNumericField, {}, {}, {}},
      {C::kHistogram, "histogram", "the exact count of each value of a field", G::kNone, S::kField, {}, {}, {}},
      {C::kAggregate, "aggregate", "an artifact from all instances of a population, combined at one agent", G::kNone,
       S::kArtifact, {}, {}, {}},
      {C::kTrain, "train", "a model trained without privacy: it can memorise its input", G::kNone, S::kAnyInputs, {}, {},
       {}},
      {C::kPseudonymize, "pseudonymize", "identifiers replaced: still personal data, and still linkable", G::kNone,
       S::kAnyInputs, {}, {}, {}},
  }};
  return table;
}

const KindInfo& kind_info(ComputeKind kind) { return catalogue()[static_cast<std::size_t>(kind)]; }

const KindInfo* find_kind(std::string_view name) {
  for (const auto& info : catalogue())
    if (info.name && name == info.name) return &info;  // (a row left out has no name: tests/docs/catalogue_test.cpp)
  return nullptr;
}

const ParamInfo& param_info(ParamKey key) { return parameters()[static_cast<std::size_t>(key)]; }
const char* param_name(ParamKey key) { return param_info(key).name; }

bool is_network_protocol(ComputeKind kind) {
  return kind == ComputeKind::kGossip || kind == ComputeKind::kTokenWalk || kind == ComputeKind::kDecentralizedSgd;
}
bool is_private(ComputeKind kind) { return kind_info(kind).guarantee != Guarantee::kNone; }
bool is_local_randomizer(ComputeKind kind) {
  const Guarantee g = kind_info(kind).guarantee;
  return g == Guarantee::kPureEpsilon || g == Guarantee::kLocalPureEpsilon;
}
const char* kind_name(ComputeKind kind) { return kind_info(kind).name; }

const char* input_shape_text(InputShape shape) {
  switch (shape) {
    case InputShape::kDataAndExpression: return "a data and an expression: map(D, expr)";
    case InputShape::kDataAndFields: return "a data and its fields: select(D, f1, f2, ...)";
    case InputShape::kDataOrArtifact: return "one input";
    case InputShape::kNumericField:
    case InputShape::kField: return "one field: D.field";
    case InputShape::kArtifact: return "one artifact";
    case InputShape::kFiniteField: return "one input D.field of a finite type";
    case InputShape::kAnyInputs: return "at least one input";
  }
  return "?";
}

bool in_range(Range range, const Rational& value) {
  switch (range) {
    case Range::kPositive: return value > 0;
    case Range::kWholeAtLeastOne: return value.get_den() == 1 && value >= 1;
    case Range::kRate: return value > 0 && value <= 1;
    case Range::kBelowOne: return value >= 0 && value < 1;
    case Range::kKeepProbability: return value >= 0 && value <= 1;
    case Range::kFlag: return false;
    case Range::kBatching: return false;
    case Range::kNumberList: return false;
  }
  return false;
}

const char* range_violation(Range range) {
  switch (range) {
    case Range::kPositive: return "must be positive";
    case Range::kWholeAtLeastOne: return "must be a whole number of at least 1";
    case Range::kRate: return "must be in (0, 1]";
    case Range::kBelowOne: return "must be in [0, 1)";
    case Range::kKeepProbability: return "is a probability and must be in [0, 1]";
    case Range::kFlag: return "must be true or false";
    case Range::kBatching: return "must be poisson, fixed_size or shuffle";
    case Range::kNumberList: return "is a list of numbers, e.g. [1, 1/2, 3/8]";
  }
  return "?";
}

const char* batching_name(Batching batching) {
  switch (batching) {
    case Batching::kPoisson: return "poisson";
    case Batching::kFixedSize: return "fixed_size";
    case Batching::kShuffle: return "shuffle";
  }
  return "?";
}

std::optional<FixTurn> parameter_to_turn(const Artifact& mechanism) {
  for (const FixTurn& turn : kind_info(mechanism.kind).fix)
    if (mechanism.params.count(turn.key)) return turn;
  return std::nullopt;
}

bool is_pure_epsilon_release(const Artifact& mechanism) {
  switch (kind_info(mechanism.kind).guarantee) {
    case Guarantee::kPureEpsilon: return true;
    case Guarantee::kDeclared:
      return !mechanism.params.count(ParamKey::kDelta) && !mechanism.params.count(ParamKey::kRho);
    case Guarantee::kNone:
    case Guarantee::kLocalPureEpsilon:
    case Guarantee::kApproximate: return false;
  }
  return false;
}

}  // namespace privflow::flow
