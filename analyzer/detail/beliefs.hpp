#pragma once
// From what a coalition sees of a record in the clear (select, map, the data itself) and through
// exact randomized response, to exact beliefs with inference/: posteriors, min-entropy leakage
// and re-identification cells (docs/language.md, "Requirements").
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/detail/knowledge.hpp"
#include "base/rational.hpp"
#include "flow/graph.hpp"
#include "inference/bayes_net.hpp"
#include "inference/factored.hpp"
#include "solver/map_count.hpp"
#include "solver/session.hpp"

namespace privflow::analyzer::detail {

/// What each `map` of the graph reveals (output classes from the solver), counted once per
/// analysis.
class Maps {
 public:
  explicit Maps(const flow::Graph& g);
  ~Maps();
  /// The output classes of map artifact `artifact` (kUndecided when it is not a map of data).
  const solver::MapCount& count(flow::Id artifact);
  /// Whether a record reaches a division or modulo by zero in map `artifact`: from its count
  /// when one was made, else without counting (a map of 1000 fields is not counted for it).
  solver::DivisionCheck division(flow::Id artifact);

 private:
  const flow::Graph& graph_;
  std::unique_ptr<solver::Session> session_;
  std::map<flow::Id, solver::MapCount> counts_;
};

/// A randomized-response release as an exact channel: `times` reports of one field (every
/// instance's copy and every repetition of the artifact, reporting the same value).
struct ExactRr {
  flow::Id artifact = flow::kNone;
  flow::Id field = flow::kNone;
  Rational keep;
  std::uint64_t times = 1;
  bool through_sum = false;  // seen only through a sum or a shuffle: the channel is an upper bound
  flow::ComputeKind kind = flow::ComputeKind::kRandomizedResponse;  // or rappor, unary_encoding
  bool permanent = false;    // rappor's repeated reports: its permanent response, an upper bound
  std::string label;         // what the explanation calls it ("randomized response on f with keep 3/5")
};

/// The randomized-response releases among `releases` that can be treated as exact channels:
/// on a field of `data`, `keep` given as a rational, few reports in all. An artifact is taken
/// whole (all its uses) or not at all, so that every copy is counted once, here or by the
/// accountant. Those seen through a sum or a shuffle only when `include_summed`.
std::vector<ExactRr> exact_rr(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases,
                              bool include_summed = true);

/// Whether some exact-able randomized response among `releases` is seen only through a sum.
bool has_summed_rr(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases);

/// The releases that may tell something about `field`: those whose input reads a field in its
/// `given` tree (fields in other trees are independent of it).
std::vector<ReleaseUse> relevant_releases(const flow::Graph& g, flow::Id data, flow::Id field,
                                          const std::vector<ReleaseUse>& releases);

/// The record's fields as a Bayesian network (field ids = flow field indices).
inference::BayesNet network_of(const flow::Data& d);

/// The factored engine's model of what the coalition sees of one field (inference/factored.hpp).
struct FactoredBelief {
  std::shared_ptr<const inference::FactoredModel> model;
  bool maps_bounded = false;  // a map was replaced by the fields it reads (an upper bound)
  std::vector<flow::Id> additive_maps;  // maps seen exactly as functions of an additive score
};

/// The factored model of `field` seen through the fields of `views` in the clear and the exact
/// randomized responses `rr`: nullopt when the record is not a forest, or a map is seen and
/// not `bound_maps` (then the joint table decides), or a view is too large for the engine.
std::optional<FactoredBelief> factored_model(const flow::Graph& g, flow::Id data, const std::vector<RecordView>& views,
                                             const std::vector<ExactRr>& rr, flow::Id field, bool bound_maps);

struct Belief {
  std::string error;   // non-empty: could not be computed exactly (size limit, …)
  Rational value;      // posterior probability, or bits (an upper bound; exact when `exact`)
  bool exact = true;   // false when a map was over-approximated by the fields it reads
  Rational prior;      // the prior of the value (posterior) or V(π) (leakage)
  std::string how;
  std::string bound;   // non-empty: why the exact channel's value is an upper bound (factored engine)
  bool map_bounded = false;  // the factored engine read a map as the fields it reads
  std::vector<flow::Id> additive_maps;  // maps computed exactly from their additive score
};

/// max over observations of P(field = value | what C sees through views and exact RR).
Belief exact_posterior(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                       const std::vector<ExactRr>& rr, flow::Id field, std::uint64_t value);

/// Min-entropy leakage of `field` in bits (rounded up) through views and exact RR.
Belief exact_leakage(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                     const std::vector<ExactRr>& rr, flow::Id field);

/// Posterior Bayes vulnerability of `field` through views and exact RR: the probability that the
/// best one-try guess of its value is right (value), with the prior's V(π) (prior). Exact, or an
/// upper bound when a map is bounded by the fields it reads.
Belief exact_vulnerability(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                           const std::vector<ExactRr>& rr, flow::Id field);

/// Expected fraction of the records unique on the quasi-identifiers as seen in the clear.
Belief reidentification(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                        const std::vector<flow::Id>& quasi_identifiers, bool sees_all);

}  // namespace privflow::analyzer::detail
