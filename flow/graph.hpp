#pragma once
// The flow graph: the typed model of a spec that every pass after the front end reads.
// It owns its data, holds no pointers into the AST, refers to nodes by index, and keeps
// populations symbolic (`agent phone[1000000]` is one Agent with count 1000000).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "flow/catalogue.hpp"

namespace privflow::flow {

using Id = std::uint32_t;  // index into the matching vector of Graph
inline constexpr Id kNone = static_cast<Id>(-1);

/// Where a node was written: byte offsets [begin, end) and the 1-based line and column
/// of `begin` (a tab counts as one column).
struct Span {
  std::uint32_t begin = 0, end = 0;
  std::uint32_t line = 0, column = 0;
};

enum class Trust { kTrusted, kHonest, kCurious, kMalicious };
enum class Neighbouring { kAddRemove, kReplace };
enum class AccountantKind { kAuto, kRdp, kPld };

struct Settings {
  Rational delta = make_rational(1, 100000);
  AccountantKind accountant = AccountantKind::kAuto;
  Span span;  // of the settings statement (zero when absent)
  /// `confidence: C`: the probability 1 − β with which error figures hold (default 0.95).
  std::optional<Rational> confidence;
};

struct Region {
  std::string name;
  Span span;
};

struct Category {
  std::string name;
  bool special = false;
  Span span;
};

/// `param NAME = value in [lo, hi]`. Computations refer to params by Id (ParamValue), so
/// that `tune` can change `value` and analyse again.
struct Param {
  std::string name;
  Rational value;
  std::optional<Rational> lo, hi;
  Span span;        // the statement
  Span value_span;  // its value (what a fix replaces)
};

// ---------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------

enum class FieldType { kEnum, kInt, kBool };

struct Field {
  std::string name;
  FieldType type = FieldType::kEnum;
  /// Value names of an enum field in declaration order; for bool {"false", "true"};
  /// empty for int fields (their values are lo..hi).
  std::vector<std::string> values;
  std::int64_t lo = 0, hi = 0;  // int fields only
  /// Index (into Data::fields) of the enumerated field this one is `given`, or kNone.
  Id parent = kNone;
  /// The prior. Without a parent: one row over this field's values (empty = uniform).
  /// With a parent: one row per parent value, in the parent's value order; each row
  /// sums to exactly 1 and has one entry per value of this field.
  std::vector<std::vector<Rational>> prior;
  std::string category;  // empty when none
  Span span;

  /// Number of values: enum/bool their count, int hi - lo + 1.
  std::uint64_t domain_size() const;
  /// Display name of value index i (an enum name, "true"/"false", or the integer).
  std::string value_name(std::uint64_t i) const;
};

struct Data {
  std::string name, title;
  std::uint64_t rows = 0;  // 0 when not declared
  std::string category;    // empty when none
  Neighbouring neighbouring = Neighbouring::kAddRemove;
  std::vector<Field> fields;
  Span span;

  /// Index of a field by name, or kNone.
  Id field_index(const std::string& name) const;
};

// ---------------------------------------------------------------------------------------
// Agents
// ---------------------------------------------------------------------------------------

struct Holding {
  Id data = kNone;
  bool partitioned = false;  // `holds: D by partition`
  Span span;
};

/// `topology: ring`, `complete`, `star`, `torus(a, b)`, `random_regular(d, seed)` or
/// `edges({i, j}, …)`: the communication graph among a population's members, numbered 0 … n−1
/// (docs/language.md, "Topologies"). The protocols that run on it are flow::is_network_protocol.
inline constexpr std::uint64_t kMaxExplicitTopology = 1'000'000;  // random_regular and edges are stored
struct Topology {
  enum class Kind { kRing, kComplete, kTorus, kRandomRegular, kStar, kEdges } kind = Kind::kRing;
  std::uint64_t rows = 0, columns = 0;  // torus
  std::uint64_t degree = 0, seed = 0;   // random_regular
  std::vector<std::pair<std::uint64_t, std::uint64_t>> edges;  // edges
  Span span;
};

struct Agent {
  std::string name, title;
  bool population = false;  // declared as `agent A[n]`
  std::uint64_t count = 1;  // n for a population
  Trust trust = Trust::kCurious;
  Id region = kNone;  // index into Graph::regions, or kNone
  std::vector<Holding> holds;
  std::optional<Topology> topology;  // populations only
  Span span;
};

// ---------------------------------------------------------------------------------------
// Computations (each makes one artifact, at every instance of its agent)
// ---------------------------------------------------------------------------------------

// The kinds and their parameters: flow/catalogue.hpp.

/// One input of a computation: a whole data set, one field of it (`D.f`), or an artifact.
struct Input {
  enum class Kind { kData, kField, kArtifact } kind = Kind::kData;
  Id data = kNone;      // kData, kField
  Id field = kNone;     // kField: index into Data::fields
  Id artifact = kNone;  // kArtifact: index into Graph::artifacts
  Span span;
};

struct ParamExpr;  // flow/param_expr.hpp

/// A numeric parameter: a literal, a reference to a `param`, or an expression of both
/// (docs/language.md, "Parameter expressions").
struct ParamValue {
  Rational literal;
  Id param = kNone;  // index into Graph::params when written as a param name
  Span span;
  /// Written as an expression: re-evaluated by Graph::value (so that `tune` may change the
  /// params in it); `literal` holds its value when checked.
  std::shared_ptr<const ParamExpr> expr;
  /// An irrational value is rounded to the end of its interval that protects less: up for ε,
  /// down for noise (flow::rounds_up, flow/param_expr.hpp).
  bool round_up = true;
};

/// An expression of `map` (docs/language.md, "Expressions"), type-checked by the front end.
struct Expr {
  enum class Op {
    kInt,       // integer literal `value`
    kEnum,      // enumeration value: `field` is the field whose type it belongs to, `value` its index
    kBool,      // `true`/`false` literal: value 0 or 1
    kField,     // a field of the mapped data: `field`
    kNeg, kNot,
    kAdd, kSub, kMul, kDiv, kMod,   // `/` is floor division
    kEq, kNe, kLt, kLe, kGt, kGe,
    kAnd, kOr,
    kIf,        // children: condition, then, else
  };
  enum class Type { kInt, kBool, kEnum };
  Op op = Op::kInt;
  Type type = Type::kInt;
  std::int64_t value = 0;
  Id field = kNone;  // kField; kEnum (the enum's field); also set on enum-typed results
  std::vector<Expr> children;
  Span span;
};

struct Artifact {
  std::string name;
  Id at = kNone;  // agent that computes it
  ComputeKind kind = ComputeKind::kMap;
  std::vector<Input> inputs;
  std::vector<Id> selected;  // kSelect: field indices of inputs[0].data, in written order
  std::optional<Expr> expr;  // kMap: the expression over inputs[0].data's fields
  /// Numeric parameters as written (flow/catalogue.hpp lists each kind's). Absent ones take
  /// the catalogue's defaults (see the accessors in graph.cpp).
  std::map<ParamKey, ParamValue> params;
  /// List parameters as written (`coefficients: [1, 1/2, 3/8]`), each element a numeric
  /// parameter; never a tuning target (the fix search and `tune` turn `params` only).
  std::map<ParamKey, std::vector<ParamValue>> lists;
  bool distributed = false;  // `distributed: true` (gaussian, dpsgd)
  bool tree_completion = false;  // `tree_completion: true` (tree_aggregation)
  Batching batching = Batching::kPoisson;  // `sampling: ...` (dpsgd)
  Span span;
};

// ---------------------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------------------

struct Channel {
  // kNetworkShuffle: the senders, a population with a topology, pass the reports along random
  // walks among themselves before each hands what it holds to the receiver (Liew et al. 2022).
  enum class Kind { kPlain, kEncrypted, kSecureAggregation, kShuffler, kNetworkShuffle } kind = Kind::kPlain;
  std::uint64_t threshold = 0;    // secure aggregation
  std::uint64_t min_clients = 0;  // secure aggregation; defaults to threshold
  Id shuffler = kNone;            // shuffler agent
  std::uint64_t walk_steps = 0;   // network_shuffle: the lazy random walk's steps
  Span span;
};

struct Flow {
  Id artifact = kNone;
  Id from = kNone;  // the sending agent (explicit `from`, else the artifact's agent)
  Id to = kNone;
  Channel channel;
  Span span;
};

// ---------------------------------------------------------------------------------------
// Adversaries and requirements
// ---------------------------------------------------------------------------------------

/// `server` (all instances of the agent) or `14 of hospital`.
struct Member {
  Id agent = kNone;
  std::uint64_t count = 1;  // instances taken; for a bare name, the agent's whole count
  bool all = true;          // a bare name
  Span span;
};

/// `{fixed members} + any K of {candidates}`.
struct Coalition {
  std::vector<Member> fixed;
  std::uint64_t choose = 0;    // K; 0 when there is no `any` part
  std::vector<Id> candidates;  // agents the K further instances are drawn from
  std::uint64_t distance = 0;  // `at distance >= D`: members of a topology's population D hops or more from the target (0: anywhere)
  Span span;
};

struct Adversary {
  std::string name;
  Coalition coalition;
  Span span;
};

enum class Measure { kDp, kPosterior, kAdvantage, kLeakage, kReidentification, kMembership, kReconstruction, kForbid, kError };
const char* measure_name(Measure measure);

struct Requirement {
  std::string name;    // as written, or `line<N>` when unnamed
  bool named = false;
  Measure measure = Measure::kDp;
  Id data = kNone;
  Id field = kNone;              // posterior, leakage, reconstruction
  std::optional<Rational> fpr;   // membership: the false-positive rate of `at fpr F`, in (0, 1)
  std::uint64_t value = 0;       // posterior: index of the value in the field's domain
  std::vector<Id> fields;        // reidentification: the quasi-identifier fields
  // target: a named adversary, or an inline coalition
  Id adversary = kNone;
  Coalition coalition;           // used when adversary == kNone (not for forbid)
  // bound
  Rational bound;
  bool bound_is_epsilon = false;  // written `epsilon X`
  bool bound_in_bits = false;     // written `X bits`
  std::optional<Rational> delta;  // `at delta D`
  // forbid CAT from R1 to R2 [unless epsilon <= e]
  Id category = kNone;
  Id from_region = kNone, to_region = kNone;
  std::optional<Rational> unless_epsilon;
  // error(ARTIFACT) <= X [relative] [at confidence C]: a utility requirement (no coalition)
  Id artifact = kNone;               // the release whose error is bounded
  bool relative = false;             // the bound is relative to the expected true value
  std::optional<Rational> confidence;  // `at confidence C`, in (0, 1)
  Span span;
};

// ---------------------------------------------------------------------------------------

struct Graph {
  std::string file;  // the spec's path as given (for messages)
  std::string pipeline, title;
  Span pipeline_span;
  Settings settings;
  std::vector<Region> regions;
  std::vector<Category> categories;
  std::vector<Param> params;
  std::vector<Data> data;
  std::vector<Agent> agents;
  std::vector<Artifact> artifacts;
  std::vector<Flow> flows;
  std::vector<Adversary> adversaries;
  std::vector<Requirement> requirements;

  // Lookups by name (kNone when absent).
  Id find_region(const std::string& name) const;
  Id find_category(const std::string& name) const;
  Id find_param(const std::string& name) const;
  Id find_data(const std::string& name) const;
  Id find_agent(const std::string& name) const;
  Id find_artifact(const std::string& name) const;
  Id find_adversary(const std::string& name) const;

  /// The current value of a parameter (its literal, or the param's value).
  Rational value(const ParamValue& p) const;
  /// An upper bound on |value| of a parameter: an irrational one's interval, whichever its
  /// sign, rounded away from zero (a sensitivity computed from squares needs it).
  Rational magnitude(const ParamValue& p) const;
  /// A list parameter of an artifact (empty when not written).
  const std::vector<ParamValue>& list(const Artifact& a, ParamKey key) const;
  /// A named parameter of an artifact, if written.
  std::optional<Rational> param(const Artifact& a, ParamKey key) const;
  /// The `times` of an artifact (default 1).
  std::uint64_t times(const Artifact& a) const;
  /// The δ of a requirement (its own, else settings.delta).
  Rational delta_of(const Requirement& r) const;
  /// The confidence 1 − β of an error figure: the requirement's own, else settings.confidence,
  /// else 95/100.
  Rational confidence_of(const Requirement* r = nullptr) const;
};

/// How far one record can move a noise mechanism's input, derived from the catalogue and the
/// field's declared range, under the data's own neighbouring relation: a field read directly
/// or a `sum` of it (add/remove: max(|lo|, |hi|); replace: hi − lo), a `mean` (hi − lo over
/// the rows its agent holds), a `histogram` (1; replace: 2, or √2 rounded up for Gaussian noise
/// with `l2`), a `count` (1). nullopt when it cannot be derived (an enumerated field, a
/// deeper computation): the declared sensitivity (default 1) is then taken as it is.
/// `relation` asks for another relation than the data's own (replace-one, for the target's value).
struct DerivedSensitivity {
  Rational value;
  std::string why;  // "the sum of income, int[0, 1000000]"
};
std::optional<DerivedSensitivity> derived_sensitivity(const Graph& g, const Artifact& mechanism, bool l2,
                                                      std::optional<Neighbouring> relation = std::nullopt);

}  // namespace privflow::flow
