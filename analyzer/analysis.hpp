#pragma once
// The result of analysing a flow graph: one verdict per requirement with its derivation,
// the leakage matrix, findings and assumptions. Reports and diagrams read only this.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

/// A coalition as instance counts: taken[a] instances of agent a (0..count).
struct Coalition {
  std::vector<std::uint64_t> taken;
  std::uint64_t distance = 0;  // members of a topology's population at least this many hops from the target (0: anywhere)

  bool contains(flow::Id agent) const { return agent < taken.size() && taken[agent] > 0; }
  std::uint64_t count(flow::Id agent) const { return agent < taken.size() ? taken[agent] : 0; }
  bool empty() const;
};

/// "server + hospital[1..14]": instances named in order, populations as index ranges
/// (analyzer/coalition_text.cpp; analyzer/wording.hpp words the rest of a verdict).
std::string describe(const flow::Graph& g, const Coalition& c);
/// JSON-style member list: "server", "14 of hospital" (or "hospital" when all are taken).
std::vector<std::string> members(const flow::Graph& g, const Coalition& c);

enum class Status { kHolds, kViolated, kUndecided };
/// "holds", "violated", "undecided" (analyzer/wording.cpp).
const char* status_name(Status s);

/// One node of a verdict's derivation tree: coalition → observed artifacts → releases →
/// composition → conversion → bound. `line` points at the statement it speaks of (0: none).
struct Derivation {
  std::string text;
  std::uint32_t line = 0;
  std::vector<Derivation> children;

  Derivation& add(std::string child_text, std::uint32_t child_line = 0);
};

/// What a coalition learns about one data set's worst-case record.
enum class LossKind {
  kNothing,       // observes nothing that depends on the record
  kPrivate,       // only releases: a finite ε
  kExposedRecord, // observes the record's own fields (D itself, select, map, pseudonymize)
  kExposedStats,  // observes an exact statistic of it (count, sum, mean, histogram, aggregate, train)
  kHoldsData,     // holds the record itself
};
const char* loss_kind_name(LossKind k);

/// How a verdict's value was obtained (analyzer/wording.hpp names it: `method_name`).
enum class Method {
  kUnset,    // undecided before any value
  kNone,     // nothing observed
  kRdp,      // the RDP accountant
  kPld,      // the PLD accountant
  kPure,     // an exact sum of pure epsilons
  kExact,    // exact inference over a finite channel
  kBound,    // a sound bound (no accountant named)
  kExposed,  // the record reaches the coalition in the clear: unbounded
  kHolds,    // the coalition holds the data: unbounded
  kForbid,   // a forbid rule
};

/// One statement on the way from the target record to an observer (a computation or a send),
/// where it is written: for code-scanning paths (report/sarif.cpp). line 0: no statement.
struct RouteStep {
  std::uint32_t line = 0, column = 0;
  std::string text;  // "send update from hospital to server via secure_aggregation(threshold: 15)"
};

/// One release that a coalition observes, as it counts in the composition.
struct ReleaseTerm {
  flow::Id artifact = flow::kNone;
  std::string mechanism;         // "dpsgd", "laplace", …
  std::string parameters;        // effective parameters, e.g. "noise multiplier 0.246 (1 of 20 shares), q 0.01, 10000 steps"
  std::uint64_t copies = 1;      // distinct instances' releases of the record
  double epsilon_alone = 0;      // its own ε at the requirement's δ (upper bound; +inf if unbounded)
  double share = 0;              // its share of the composed ε (alone / sum of alone), for diagrams
  std::string amplification;     // "", "secure aggregation: 1 honest share of 20", "shuffled among 999986"
  /// A protocol among a population's members (gossip, token_walk): what the coalition saw of
  /// it, the μ of that view with its source, and the pairwise network DP by distance.
  std::vector<std::string> network;
  /// How it reaches the coalition: the mechanism's statement, then each send and computation
  /// that passes it on (the first route found, as the derivation shows it).
  std::vector<RouteStep> route;
};

/// A forbid rule's offender: an agent in the destination region and how the data got there.
struct Crossing {
  std::string observer;
  std::optional<double> epsilon;  // nullopt: unbounded (exposed or holds the data)
  std::string reason;             // "exposed", "holds the data", "epsilon 4.1 > 3"
  std::vector<std::string> path;  // statements from the data's holder to the observer
  flow::Id agent = flow::kNone;   // the observer's agent
  flow::Id data = flow::kNone;    // the data set that crosses
  std::vector<RouteStep> route;   // `path` with each statement's place
};

/// A text replacement in the spec: the value at `span` becomes `text`. `description` is the
/// one fix it carries out ("sigma ≥ 2.13"), which may be one of several in Verdict::fix.
struct FixEdit {
  flow::Span span;
  std::string text;
  std::string description;
};

struct Verdict {
  flow::Id requirement = flow::kNone;
  std::string name;
  flow::Measure measure = flow::Measure::kDp;
  Status status = Status::kUndecided;
  /// ε for dp (nullopt when unbounded), a probability for posterior, advantage and
  /// reidentification, bits for leakage; an upper bound, rounded up.
  std::optional<double> value;
  /// The value as the rational the analysis computed it: exact when `exact`, else an upper
  /// bound (printed rounded up). nullopt when the analysis has the double only. The words for
  /// the value (analyzer/wording.hpp, `value_text`) come from it.
  std::optional<Rational> rational;
  Rational bound;
  double delta = 0;            // the δ certified at (rounded down from the spec's)
  bool exact = false;          // value computed exactly (finite channels, rationals)
  Method method = Method::kUnset;
  Coalition coalition;         // the (worst) coalition
  std::string adversary;       // the adversary's name, or "" for an inline coalition
  LossKind loss = LossKind::kNothing;
  std::vector<ReleaseTerm> releases;
  Derivation explanation;
  std::string fix;             // the smallest single change that would fix a violation ("" if none known)
  /// The fix as an edit of the spec, when it is one value written as a number (in the
  /// computation's arguments or a `param` statement): SARIF's `fixes` (report/sarif.cpp).
  std::optional<FixEdit> fix_edit;
  /// One line: why it holds / is violated (the comparison, worded by analyzer/wording.hpp) or
  /// is undecided (what stopped the analysis).
  std::string reason;
  std::vector<Crossing> crossings;  // forbid only
  /// Exposed or held data: how the record reaches the coalition in the clear (the holding,
  /// then each computation and send); empty otherwise.
  std::vector<RouteStep> exposure;
};

/// What a leakage cell says of its observer: a finite (or no) ε, the record exposed, or the
/// data held.
enum class CellStatus { kPrivate, kExposed, kHolds };

/// One cell of the leakage matrix.
struct LeakageCell {
  flow::Id data = flow::kNone;
  std::string observer;      // an agent name, or "curious+malicious"
  LossKind loss = LossKind::kNothing;
  std::optional<double> epsilon;  // at `delta`; nullopt when unbounded
  double delta = 0;

  CellStatus status() const;
};

enum class Severity {
  kError,    // the spec is invalid (e.g. a division by zero a record reaches): exit code 2
  kWarning,
  kNote,
};

struct Finding {
  Severity severity = Severity::kWarning;
  flow::Span span;
  std::string message;
};

struct Options {
  /// Override of settings.accountant (nullopt: the spec's).
  std::optional<flow::AccountantKind> accountant;
  /// Per-query solver limit in milliseconds (coalition search).
  unsigned solver_timeout_ms = 10000;
  /// Search for the smallest change that fixes each violation (re-analyses the requirement
  /// with changed parameters: the costliest part of a violated verdict).
  bool suggest_fixes = true;
  /// Wall-clock budget of the whole analysis in milliseconds (0: none). Requirements it does
  /// not reach are `undecided`; a coalition search it stops holds only with a proof (all
  /// candidates together hold); fix searches are skipped once it is spent. The leakage matrix
  /// (single agents, no search) is still computed.
  unsigned time_budget_ms = 0;
  /// The budget's end, set by analyze() from time_budget_ms (kept by nested analyses).
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

/// The error of one release, or of an aggregate that carries it forward (docs/concepts.md, "The
/// error of a release"; analyzer/error_model.cpp): upper bounds, rounded up.
struct ReleaseError {
  flow::Id artifact = flow::kNone;
  flow::Id from = flow::kNone;   // an aggregate: the release whose error it carries forward
  bool modelled = false;         // false: no figure, and `how` says why
  std::string quantity;          // what the figure is the error of: "the released value", "a value's frequency", …
  std::string unit;              // "" (the release's own units), "of the clipping norm C"
  double sd = 0;                 // the error's standard deviation
  double half_width = 0;         // |error| ≤ half_width with probability at least 1 − beta
  double beta = 0.05;
  std::optional<double> expected;  // the expected true value, where rows and the field's range give it
  std::string expected_what;     // "the count of rows", "the smallest expected cell (income = high)"
  std::optional<double> relative;  // half_width / |expected|
  std::string how;               // the model: "Laplace noise of scale 4: sd √2·b, half-width b·ln(1/β)"
};

struct Analysis {
  std::vector<Verdict> verdicts;      // in requirement order
  std::vector<LeakageCell> leakage;   // data × observer, sorted
  std::vector<Finding> findings;      // sorted by location
  std::vector<std::string> assumptions;
  /// The error of every release and aggregate of one, in artifact order, at the settings' confidence.
  std::vector<ReleaseError> errors;

  /// Exit status (docs/limits.md, "Faults and exit codes"): 2 if a finding is an error (the spec is invalid), else 1 if
  /// any requirement is violated, else 3 if any is undecided, else 0.
  int exit_code() const;
};

/// What one element of the graph carries about a record, for one observer.
struct ElementLeak {
  LossKind loss = LossKind::kNothing;
  std::optional<double> epsilon;  // kPrivate: an upper bound at `delta`
};

/// For diagrams: what each data set, artifact and flow carries for an observing coalition
/// (its view rules decide amplification), the worst over the data sets it depends on.
struct LeakageMap {
  std::map<flow::Id, ElementLeak> data, artifacts, flows;  // flows by index into Graph::flows
  std::set<flow::Id> seen_data, seen_artifacts, seen_flows;  // what the coalition itself observes
  double delta = 0;
};
LeakageMap leakage_map(const flow::Graph& graph, const Coalition& observer, const Options& options = {});

/// The coalition a requirement or adversary names without its `any K` part (that part is
/// chosen by the analysis: see Verdict::coalition).
Coalition fixed_coalition(const flow::Graph& graph, const flow::Coalition& coalition);

/// Analyses a checked flow graph. Never throws on a valid graph; numeric failures become
/// `undecided` verdicts with the reason.
Analysis analyze(const flow::Graph& graph, const Options& options = {});

}  // namespace privflow::analyzer
