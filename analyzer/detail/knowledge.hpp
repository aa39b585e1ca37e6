#pragma once
// What a coalition can learn about one record: the propagation of the target record of a
// data set through computations and channels (docs/language.md, "How the analysis works", steps 1-4).
//
// Populations are never enumerated. Relative to a coalition C, the instances of a population
// P fall in two classes: the target's instance (the one holding the worst-case record when the
// data is partitioned at P, never in C) and the others (all alike by symmetry; c of them in C).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail {

enum class Copy : std::uint8_t { kSingle, kTarget, kOther };

/// One statement on the way from the record to an observer (for explanations).
struct Step {
  std::uint32_t line = 0;
  std::string text;
  std::uint32_t column = 0;  // of the statement (code-scanning paths); 0 when unknown
};

/// Steps as a verdict carries them (analysis.hpp: RouteStep).
std::vector<RouteStep> route_of(const std::vector<Step>& steps);

/// A deterministic per-record view of the target: its fields through select / D / pseudonymize
/// (kFields), a `map` expression (kMap).
struct RecordView {
  enum class Kind : std::uint8_t { kFields, kMap } kind = Kind::kFields;
  flow::Id artifact = flow::kNone;  // the map / select artifact (kNone: the data read whole)
  std::vector<flow::Id> fields;     // kFields: fields seen; kMap: fields the expression reads
  bool operator==(const RecordView& o) const {
    return kind == o.kind && artifact == o.artifact && fields == o.fields;
  }
};

/// A release (a private mechanism applied to the record or a deterministic function of it)
/// as it reaches an observer.
struct ReleaseUse {
  flow::Id artifact = flow::kNone;
  Copy copy = Copy::kSingle;
  std::uint64_t copies = 1;          // distinct instances' releases of the record
  std::uint64_t shares = 1;          // distributed noise: honest contributions in the sum seen (1: its own)
  std::uint64_t shuffled_among = 0;  // > 0: seen only inside a shuffle of this many honest senders
  double shuffle_mixing = 0;         // a network shuffle: the n walks' total distance from stationary (added to δ)
  std::string shuffle_mixing_words;  // and where that distance comes from (λ*, π_min, steps)
  std::string shuffle_refused;       // a network shuffle that amplifies nothing here, and why
  bool individually = true;          // seen as the instance's own output (not summed or shuffled)
  std::vector<flow::Id> reads;       // the record's fields its input depends on (sorted; empty: none)
  // A protocol among a population's members (flow::is_network_protocol): the target's
  // contribution reaches every member through the messages. `network_members`: members of
  // the population in the coalition, who saw their messages (placed at worst); `network_outputs`:
  // the members' outputs reached the coalition through a send; `network_everyone`: the other
  // members' own contributions read the target record too (it is not partitioned).
  std::uint64_t network_members = 0;
  std::uint64_t network_distance = 0;  // the coalition's members are this many hops or more from the target (0: anywhere)
  bool network_outputs = false;
  bool network_everyone = false;
  std::vector<Step> route;           // how it reaches the observer (first route found)
};

/// What an artifact (as held by one agent, one instance class) reveals of the target record.
/// An exact statistic (count, sum, …, aggregate, train, a secure sum or shuffle of exact
/// values) reveals the record to whoever knows every other record: it sets `stats` (membership
/// is exposed) and keeps, as `views`, the record's fields it reads — the same views the
/// statistic's opened inputs would give, so opening it never raises a figure.
struct Knowledge {
  bool stats = false;  // an exact statistic of the record (count, sum, …, aggregate, train)
  std::vector<RecordView> views;
  std::vector<ReleaseUse> releases;
  std::vector<Step> exposure_path;  // path of the first deterministic dependency

  bool deterministic() const { return stats || !views.empty(); }
  bool empty() const { return !deterministic() && releases.empty(); }
  /// Union (what is seen through both). `cap` bounds merged `copies` of kOther releases.
  void merge(const Knowledge& other, std::uint64_t cap = UINT64_MAX);
};

/// The coalition's whole view of one data set's target record.
struct Observation {
  LossKind kind = LossKind::kNothing;
  Knowledge seen;                 // union over every member of what it holds
  std::vector<Step> holds_path;   // kHoldsData: which member holds it
  std::string holds_reason;
};

/// Propagates the target record of `data` through the graph and collects what `coalition`
/// observes. Linear in the size of the graph; independent of population sizes.
Observation observe(const flow::Graph& g, flow::Id data, const Coalition& coalition);

/// The observations of one data set's record by many coalitions of a single agent instance
/// (the leakage matrix, forbid). The coalition changes the propagation only through secure
/// sums, shuffles and populations' honest counts; for any other agent the one propagation of
/// the empty coalition serves, and its view is read off the holdings at that agent. So
/// 10,000 services cost one propagation, not 10,000.
class SingleObserver {
 public:
  SingleObserver(const flow::Graph& g, flow::Id data);
  ~SingleObserver();
  SingleObserver(const SingleObserver&) = delete;
  SingleObserver& operator=(const SingleObserver&) = delete;
  /// What one instance of `agent` observes: observe(g, data, {1 of agent}).
  Observation observe(flow::Id agent);

 private:
  struct Shared;
  std::unique_ptr<Shared> shared_;
};

/// What each artifact (at its own agent; the target's instance for a population) and each
/// flow (as received) reveals of the target record, for a coalition (which decides the
/// amplification of secure sums and shuffles). For diagrams.
struct Trace {
  std::vector<Knowledge> artifacts;  // by artifact id
  std::vector<Knowledge> flows;      // by flow index
  bool holds = false;                // the coalition holds the data
};
Trace trace(const flow::Graph& g, flow::Id data, const Coalition& coalition);

/// A statement's short description for explanations: "compute update at hospital = dpsgd(…)".
std::string describe_artifact(const flow::Graph& g, flow::Id artifact);
std::string describe_flow(const flow::Graph& g, const flow::Flow& f);

}  // namespace privflow::analyzer::detail
