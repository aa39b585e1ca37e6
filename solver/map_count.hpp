#pragma once
// What a `map(D, expr)` reveals about one record: the partition of the read fields' product
// domain into output classes (docs/language.md, "Expressions"), counted exactly or not at all.
//
// Semantics of expressions (docs/language.md, "Expressions"):
//  - integers are mathematical (no overflow); `/` is floor division, `%` the matching floor
//    modulo (a = b·(a / b) + a % b, with a % b of the sign of b); comparisons give bools;
//    enum values compare by their declaration index; bools are 0 (false) and 1 (true);
//  - `and`, `or` and `if` evaluate only what they need (left to right): `b != 0 and a / b > 2`
//    never divides by zero;
//  - a division or modulo by zero that ANY input of the domain reaches is an error (the
//    analyzer reports it at the operator): it is found with a witness assignment.
#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flow/graph.hpp"
#include "solver/session.hpp"

namespace privflow::solver {

/// Fields of the data that `expr` reads (kField nodes), ascending by index into Data::fields.
/// Enumeration literals name a type, not a read, and do not count.
std::vector<flow::Id> read_fields(const flow::Expr& expr);

/// The value of `expr` on one record. `record[f]` is the value of field f of the data (every
/// field the expression reads must be present): the integer for an int field, the value index
/// for an enum, 0/1 for a bool. The result is an integer, a value index (enum-typed) or 0/1
/// (bool-typed). nullopt on division or modulo by zero, with `*division` (if given) set to the
/// offending `/` or `%` node; also nullopt, with `*division` null, when `record` is too short.
std::optional<mpz_class> evaluate(const flow::Expr& expr, const std::vector<std::int64_t>& record,
                                  const flow::Expr** division = nullptr);

/// Printable text of an output value of `expr`: the integer, `true`/`false`, or the enum's
/// value name (the enum type is expr.field's).
std::string output_name(const flow::Data& data, const flow::Expr& expr, const mpz_class& value);

/// Work limits of one count. Hitting any of them gives MapStatus::kUndecided with the reason:
/// never a guess.
struct MapLimits {
  /// Product domains with at most this many tuples are enumerated: the exact function.
  std::uint64_t max_enumeration = std::uint64_t{1} << 20;
  /// Above that, a map of a few additive scores is counted by convolution (AdditiveForm);
  /// false sends it to the solver path too (tests of that path).
  bool additive = true;
  /// Above that, the solver path: at most this many distinct outputs ...
  std::uint64_t max_classes = std::uint64_t{1} << 16;
  /// ... at most this many solver checks (each also bounded by the Session's Limits) ...
  std::uint64_t max_queries = 20'000;
  /// ... boxes of at most this many tuples are enumerated instead of asking the solver ...
  std::uint64_t leaf_tuples = std::uint64_t{1} << 14;
  /// ... at most this many tuples are enumerated in such boxes in total ...
  std::uint64_t max_leaf_work = std::uint64_t{1} << 26;
  /// ... and the solver spends at most this many resource units (Session::work) in total
  /// (checked between queries; each query is also bounded by the Session's rlimit). 5·10^6
  /// units took about 1.8 s of CPU on a hard nonlinear query on the dev machine.
  std::uint64_t max_solver_work = 50'000'000;
};

enum class MapStatus {
  kExact,           // classes (and for enumeration, the function) are exact
  kDivisionByZero,  // some input reaches a division by zero: see `witness`, `division`
  kUndecided,       // a limit was hit or the solver answered unknown: see `reason`
};
enum class MapMethod { kEnumeration, kSolver, kAdditive };

/// One distinct output of the map and its preimage size.
struct OutputClass {
  mpz_class value;     // the integer; 0/1 for bool; the value index for an enum
  std::string name;    // printable: "42", "true", "cancer"
  mpz_class preimage;  // exact number of read-field tuples that give this output (>= 1)
};

/// The partition of the read fields' product domain into output classes.
///
/// Tuples: position j is read_fields[j]; its digit runs over 0..radix[j]-1 and stands for
/// the value `lo + digit` of an int field, or the value index `digit` of an enum/bool field.
/// A tuple's index is mixed radix with the FIRST read field most significant,
/// index = ((d0·r1 + d1)·r2 + d2)…, the convention of inference::Domain.
struct MapCount {
  MapStatus status = MapStatus::kUndecided;
  MapMethod method = MapMethod::kEnumeration;
  std::string reason;  // kUndecided: which limit, or the solver's reason; else empty
  flow::Expr::Type type = flow::Expr::Type::kInt;  // type of the outputs
  std::vector<flow::Id> read_fields;
  std::vector<std::uint64_t> radix;  // domain size of each read field
  mpz_class tuples;                  // product of radix (1 when no field is read)
  /// kExact: every output, ascending by value; their preimages sum to `tuples`.
  std::vector<OutputClass> classes;
  /// kExact by enumeration only: function[i] = index into `classes` of tuple i's output.
  /// Empty on the solver path (too large to list).
  std::vector<std::uint64_t> function;
  /// kDivisionByZero: one input that reaches it, one value per read field (the field's
  /// value: an integer, or a value index), and the `/` or `%` node it reaches.
  std::vector<std::int64_t> witness;
  flow::Span division;
  std::uint64_t solver_queries = 0;  // checks made by this count
  std::uint64_t solver_work = 0;     // resource units they spent (deterministic)

  /// Number of distinct outputs (kExact). log2 of it is the min-entropy leakage of the read
  /// fields under a uniform prior (Smith 2009, Thm 5.1: capacity of a deterministic channel).
  std::size_t output_count() const { return classes.size(); }
  /// The digits of tuple `index` (index < tuples).
  std::vector<std::uint64_t> digits_of(std::uint64_t index) const;
  /// The largest and the smallest preimage (kExact; 0 when there is no class). A record in a
  /// class of preimage 1 is singled out by the output.
  mpz_class max_preimage() const;
  mpz_class min_preimage() const;
};

/// Counts the output classes of `expr` over `data`'s read fields. Small product domains
/// (<= limits.max_enumeration tuples) are enumerated exactly; larger ones are first reduced
/// to one period of each int field in which Z3 proves the expression periodic (candidate
/// periods come from literal divisors: `x % 7` over 10^9 values costs one query), then split
/// into boxes that are proved constant (interval arithmetic, else one Z3 check each) or small
/// enough to enumerate. Every count on the solver path is exact or kUndecided. Division by zero is looked for first (on every path). Never throws
/// for bad input: a malformed expression is kUndecided with the reason; Z3 failures are
/// kUndecided with Z3's reason.
MapCount count_map(Session& session, const flow::Data& data, const flow::Expr& expr,
                   const MapLimits& limits = {});

/// A map that is a function of a few additive scores, g(S_1, …, S_m), each S_j = c_j +
/// Σ_i h_ij(x_i) with every term reading one field: counts of likes, weighted scores, their
/// thresholds and bands, the sign of a difference of two counts, the largest of several counts
/// (a recommended category). Its classes are counted, and its channel from a field of a `given`
/// tree computed, by convolving the terms (never listing the product domain).
struct AdditiveForm {
  struct Term {
    flow::Id field = flow::kNone;
    std::vector<std::vector<mpz_class>> value;  ///< [digit of the field (as in MapCount)][score]
  };
  std::vector<Term> terms;         ///< one per read field, ascending by field
  std::vector<mpz_class> offset;   ///< the constants c_j (one per score)
  /// The map's output for the scores: nullopt on a division by zero or a score beyond int64.
  std::optional<mpz_class> output(const std::vector<mpz_class>& scores) const;

  flow::Expr outer;                    ///< the map with score j replaced by the field `score_field + j`
  flow::Id score_field = flow::kNone;  ///< one past the data's fields
};

/// The additive form of `expr`, or nullopt when it has none: a field is read outside the
/// scores, a score joins two fields by a step that is not `+`, `-`, unary `-` or a product with
/// a constant, there are more than 8 distinct scores, a field has more than `max_field_values`
/// values, or a term divides by zero somewhere.
std::optional<AdditiveForm> additive_form(const flow::Data& data, const flow::Expr& expr,
                                          std::uint64_t max_field_values = std::uint64_t{1} << 16);

/// Whether any record in the domain reaches a division or modulo by zero.
struct DivisionCheck {
  /// kSat: a witness was found (an error); kUnsat: no input reaches one; kUnknown: undecided.
  SolveStatus status = SolveStatus::kUnknown;
  std::string reason;                 // kUnknown
  std::vector<flow::Id> read_fields;  // as in MapCount
  std::vector<std::int64_t> witness;  // kSat: values of read_fields
  flow::Span division;                // kSat: the `/` or `%` reached
};

/// The division-by-zero check alone (count_map does it too). Decided by enumeration on small
/// domains, else by Z3 (path conditions of `if`, `and`, `or` included).
DivisionCheck find_division_by_zero(Session& session, const flow::Data& data, const flow::Expr& expr,
                                    const MapLimits& limits = {});

}  // namespace privflow::solver
