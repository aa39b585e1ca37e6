#pragma once
// privflow as a library: the stable facade for tools that embed privflow.
//
//   #include <privflow/privflow.hpp>
//
//   privflow::api::ParseResult parsed = privflow::api::parse(text, "pipeline.pflow");
//   if (!parsed.spec) { std::cerr << parsed.diagnostics_text; return parsed.exit_code(); }
//   privflow::api::Result result = privflow::api::analyze(*parsed.spec);
//   for (const auto& v : result.verdicts) std::cout << v.name << ": " << v.status_text << "\n";
//   return result.exit_code;
//
// Only standard-library types appear here: no Spirit, Z3, GMP or Graphviz header is pulled in.
// Every figure is the one privflow's JSON report prints (docs/report.schema.json): an upper
// bound on what the adversary learns, rounded up, never to nearest. Nothing here throws on bad
// input; library failures (a solver or allocation failure) become Result::internal_error and
// exit code 4, as in the command line.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace privflow::api {

/// The library's version, as `privflow --version` prints it after "privflow " (e.g. "0.1.0").
const char* version();

/// Exit codes of the command line (docs/limits.md, "Faults and exit codes"), which Result::exit_code and
/// ParseResult::exit_code follow.
inline constexpr int kExitOk = 0;         ///< every requirement holds
inline constexpr int kExitViolated = 1;   ///< at least one requirement is violated
inline constexpr int kExitInvalid = 2;    ///< the spec is invalid (or unreadable)
inline constexpr int kExitUndecided = 3;  ///< a solver limit was reached and none is violated
inline constexpr int kExitInternal = 4;   ///< an internal failure

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

enum class Severity { kError, kWarning, kNote };

/// "error", "warning" or "note".
const char* severity_name(Severity severity);

/// One message of the front end, as the compiler-style text prints it. Notes (suggestions
/// such as "did you mean 'server'?") follow the message they belong to, with Severity::kNote.
struct Diagnostic {
  std::string file;          ///< the file name given to parse()
  std::uint32_t line = 0;    ///< 1-based; 0 when the message has no location
  std::uint32_t column = 0;  ///< 1-based (a tab counts as one column); 0 without location
  Severity severity = Severity::kError;
  std::string message;
};

/// A checked spec, lowered to privflow's flow graph. Cheap to copy (copies share one immutable
/// graph). Analyses are not guaranteed to be thread-safe: run one analyze() at a time.
class Spec {
 public:
  /// The path given to parse() (or "<stdin>"-style names), for messages.
  const std::string& file() const;
  /// `pipeline NAME` of the spec.
  const std::string& pipeline() const;
  /// The requirements' names in declaration order (`line<N>` for an unnamed one).
  std::vector<std::string> requirement_names() const;

  struct Impl;  ///< internal; not part of the API

 private:
  explicit Spec(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
  friend struct Access;
};

struct ParseResult {
  /// The checked spec; nullopt when there is any error.
  std::optional<Spec> spec;
  /// Every message (errors, warnings, notes), sorted by location as the text prints them.
  std::vector<Diagnostic> diagnostics;
  /// The same messages as `privflow check` prints them: `FILE:LINE:COL: error: …`, the
  /// source line with a caret underline, notes, and `N errors generated.` ("" when none).
  std::string diagnostics_text;

  bool ok() const { return spec.has_value(); }
  /// kExitInvalid when the spec did not parse, else kExitOk (analysis decides the rest).
  int exit_code() const { return spec ? kExitOk : kExitInvalid; }
};

/// Parses, checks and lowers `text`; `file_name` is used in diagnostics and reports.
/// Never throws on bad input: all errors of the text are in the result.
ParseResult parse(std::string_view text, std::string file_name = "<string>");

/// Reads and parses a file. An unreadable file gives one error diagnostic without location.
ParseResult parse_file(const std::string& path);

// ---------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------

/// Which privacy accountant composes releases: the spec's `settings { accountant … }`, or an
/// override as `privflow check --accountant`. Each is sound (an upper bound on ε); `kAuto`
/// takes the smaller of the RDP and PLD bounds.
enum class Accountant { kSpec, kRdp, kPld, kAuto };

struct AnalyzeOptions {
  Accountant accountant = Accountant::kSpec;
  /// Per-query solver limit in milliseconds (coalition search). A query that reaches it makes
  /// its verdict `undecided`, never `holds`. The command line's default is 10 s.
  unsigned solver_timeout_ms = 10000;
  /// Search for the smallest change that fixes each violation (Verdict::fix); the costliest
  /// part of a violated verdict. The command line always does.
  bool suggest_fixes = true;
  /// Wall-clock budget of the whole analysis in milliseconds (0: none). The analysis stops
  /// in good order when it is spent: requirements not reached are `undecided`, a coalition
  /// search cut short holds only with a proof (all candidates together hold), fix searches
  /// are skipped, and the result is complete otherwise. (The command line's --timeout instead
  /// ends the process.)
  unsigned time_budget_ms = 0;
};

enum class Status { kHolds, kViolated, kUndecided };

/// "holds", "violated" or "undecided".
const char* status_name(Status status);

/// One requirement's verdict. Field names follow the JSON report's keys.
struct Verdict {
  std::string name;                      ///< "name"; `line<N>` when unnamed
  std::uint32_t line = 0;                ///< "line" of the requirement (1-based)
  std::uint32_t column = 0;              ///< "column"
  std::string measure;                   ///< "measure": dp | posterior | advantage | reidentification | leakage |
                                         ///< membership | reconstruction | forbid
  std::optional<std::string> data;       ///< "data": the data set (nullopt for forbid)
  std::optional<std::string> adversary;  ///< "adversary" (nullopt for an inline coalition or forbid)
  std::optional<double> fpr;             ///< "fpr": membership's false-positive rate (nullopt otherwise)
  Status status = Status::kUndecided;    ///< "status"
  std::string status_text;               ///< "status" as text
  /// "value": ε for dp, a probability for posterior, advantage, membership (the TPR at fpr) and
  /// reconstruction, a fraction for reidentification, bits for
  /// leakage. The analysis's upper bound at full precision (rounded up, never down; value_text
  /// is its short form); nullopt when unbounded (exposed data) or none.
  std::optional<double> value;
  std::string value_text;                ///< "value_text": exact fraction when exact, else rounded up; "unbounded"
  std::string unit;                      ///< "unit": epsilon | probability | bits | fraction
  /// "bound": the requirement's limit as written (the nearest double of its decimal, or
  /// rounded down); nullopt for a forbid rule without `unless epsilon`.
  std::optional<double> bound;
  std::string bound_text;                ///< "bound_text": exactly as a fraction or decimal
  double delta = 0;                      ///< "delta": the δ the value is certified at
  std::string delta_text;                ///< "delta_text": the spec's δ as written (`1e-5`)
  bool exact = false;                    ///< "exact": value computed exactly (rationals)
  std::vector<std::string> coalition;    ///< "coalition": `server`, `14 of hospital`
  std::string method;                    ///< "method": rdp | pld | pure | exact | bound | exposed | holds | none
  std::string reason;                    ///< "reason": one line, why
  std::optional<std::string> fix;        ///< "fix": the smallest single change found, if any
  /// The verdict line as `privflow check` prints it:
  /// `FILE:LINE:COL: violated: dp(patients) against insider: epsilon 41.7 > 2 at delta 1e-5 [name]`.
  std::string headline;
  /// The whole derivation as `privflow explain` prints it (verdict line, tree, fix).
  std::string explanation;
};

/// One cell of the leakage matrix: what an observer learns about one data set's record.
struct LeakageCell {
  std::string data;               ///< "data"
  std::string observer;           ///< "observer": an agent, or `curious+malicious`
  std::optional<double> epsilon;  ///< "epsilon": upper bound at `delta`; nullopt when unbounded
  double delta = 0;               ///< "delta"
  std::string status;             ///< "status": private | exposed | holds
  std::string loss;               ///< "loss": nothing | private | exposed-record | …
};

/// A finding of the analysis (e.g. a requirement that can never be met, a division by zero).
struct Finding {
  Severity severity = Severity::kWarning;
  std::uint32_t line = 0;  ///< 0: no location
  std::uint32_t column = 0;
  std::string message;
};

struct Result {
  std::string pipeline;
  std::vector<Verdict> verdicts;      ///< in requirement order
  std::vector<LeakageCell> leakage;   ///< data × observer
  std::vector<Finding> findings;      ///< sorted by location
  std::vector<std::string> assumptions;
  /// What `privflow check` would exit with for this spec: 2 if a finding is an error, else 1
  /// if a requirement is violated, else 3 if one is undecided, else 0; 4 on internal_error.
  int exit_code = kExitInternal;
  /// Set when a library failed inside the analysis (then verdicts are empty).
  std::string internal_error;
  /// `privflow check`'s output for the spec (compact text report).
  std::string text;
  /// `privflow report --format json`'s output.
  std::string json;
};

/// Analyses a parsed spec. Never throws: library failures are caught and reported in
/// Result::internal_error with exit code 4.
Result analyze(const Spec& spec, const AnalyzeOptions& options = {});

// ---------------------------------------------------------------------------------------
// Diagram
// ---------------------------------------------------------------------------------------

/// What `privflow diagram` draws: the leakage diagram with the analysis laid over it.
struct DiagramOptions {
  AnalyzeOptions analysis;
  std::string adversary;     ///< highlight this adversary's coalition ("" for none), as --adversary
  std::string requirement;   ///< draw only this requirement's derivation ("" for all), as --requirement
  std::string format = "svg";  ///< "svg" or "dot" (the text formats)
};

struct DiagramResult {
  std::string output;  ///< the SVG or DOT text; "" when error is set
  std::string error;   ///< why nothing was drawn (an undeclared name, an unknown format, Graphviz)
  bool ok() const { return error.empty(); }
};

/// The diagram of a parsed spec, analysed with `options.analysis` (the same picture as
/// `privflow diagram SPEC --format svg`). Never throws; Graphviz runs under viz's render lock.
DiagramResult diagram(const Spec& spec, const DiagramOptions& options = {});

// ---------------------------------------------------------------------------------------
// Frontier
// ---------------------------------------------------------------------------------------

/// What `privflow frontier` sweeps and draws: a param over its declared range, each point a
/// full analysis, each requirement's measure against the error it costs.
struct FrontierOptions {
  AnalyzeOptions analysis;  ///< suggest_fixes is not used: a point needs its measures only
  std::string param;        ///< the param to sweep (declared `param P = v in [lo, hi]`), as --param
  std::vector<std::string> requirements;  ///< chart only these (names), as --requirement; empty: all
  unsigned points = 25;                   ///< 2 … 201, as --points
  std::string scale = "auto";             ///< "auto", "linear" or "log", as --scale
  std::string format = "svg";             ///< "svg" (the chart) or "json" (the sweep, as --json)
};

struct FrontierResult {
  std::string output;     ///< the SVG or JSON text; "" when error is set
  std::string error;      ///< why nothing was swept (an unknown param, no range, a spent time budget)
  bool feasible = false;  ///< some value in the range meets every selected requirement
  bool ok() const { return error.empty(); }
};

/// The frontier of a parsed spec (the same chart as `privflow frontier SPEC --param P`).
/// Never throws.
FrontierResult frontier(const Spec& spec, const FrontierOptions& options = {});

}  // namespace privflow::api
