#pragma once
// The syntax tree of a .pflow spec (docs/language.md, "Statements"): plain aggregates, one per
// production, each keeping the byte offsets [begin, end) of the text it was parsed from.
// No X3 here: the grammar (lang/parser.cpp) fills these through semantic actions, and the
// checker (lang/lower.cpp) reads them. Numbers are kept as written; they are read exactly
// (base/rational.hpp) by the checker so that a bad literal is reported at its own span.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace privflow::lang::ast {

/// Base of every node: byte offsets into the source, begin inclusive, end exclusive.
struct Node {
  std::uint32_t begin = 0, end = 0;
};

struct Ident : Node {
  std::string name;
};

struct Number : Node {
  std::string text;  // as written, e.g. `50_000`, `1/3`, `1e-5`
};

struct String : Node {
  std::string text;  // unescaped
};

/// A parameter expression (docs/language.md, "Parameter expressions"): `+ - * /`, unary `-`,
/// parentheses and the calls `sqrt(x)`, `exp(x)`, `ln(x)` over numbers and param names.
/// The checker resolves names and calls (lang/check_param_expr.cpp).
struct Arith : Node {
  enum class Op { kNumber, kName, kNeg, kAdd, kSub, kMul, kDiv, kCall } op = Op::kNumber;
  Number number;  // kNumber
  Ident ident;    // kName: a param; kCall: the function
  std::vector<Arith> children;
  std::uint32_t height = 1;  // bounded by the parser (Limits::max_depth), as Expr's
};

/// `value := NUMBER | IDENT | STRING | holding | '{' value (',' value)* '}' | IDENT '(' value (',' value)* ')'`;
/// a named argument's value is a parameter expression or `'[' (arith (',' arith)*)? ']'` (kArray).
struct Value : Node {
  enum class Kind { kNumber, kIdent, kString, kHolding, kList, kArith, kCall, kArray } kind = Kind::kNumber;
  Number number;
  Arith arith;  // kArith: a parameter written as an expression (named arguments only)
  Ident ident;  // kIdent, the data of kHolding (`D by partition`), the name of kCall (`torus(4, 5)`)
  String string;
  std::vector<Value> items;  // kList, kCall's arguments, kArray's elements (each kNumber, kIdent or kArith)
};

/// `prop := IDENT ':' value`
struct Prop : Node {
  Ident key;
  Value value;
};

struct Pipeline : Node {
  Ident name;
  std::optional<String> title;
};

struct Settings : Node {
  std::vector<Prop> props;
};

struct Region : Node {
  Ident name;
};

struct Category : Node {
  Ident name;
  bool special = false;
};

struct Param : Node {
  Ident name;
  Number value;
  std::optional<Number> lo, hi;
};

/// `dist := '{' NUMBER (',' NUMBER)* '}'`
struct Dist : Node {
  std::vector<Number> values;
};

/// One row of a `given` table: `value: dist`.
struct GivenRow : Node {
  Ident value;
  Dist dist;
};

/// `type := '{' IDENT, ... '}' | 'int' '[' lo ',' hi ']' | 'bool'`
struct Type : Node {
  enum class Kind { kEnum, kInt, kBool } kind = Kind::kEnum;
  std::vector<Ident> values;  // kEnum
  Number lo, hi;              // kInt
};

struct Field : Node {
  Ident name;
  Type type;
  enum class Prior { kNone, kPrior, kGiven } prior_kind = Prior::kNone;
  Dist prior;                  // kPrior
  Ident parent;                // kGiven
  std::vector<GivenRow> given; // kGiven
  /// `prior from "FILE"` / `given PARENT from "FILE"`: the table's CSV file, read by
  /// lang/tables.cpp into `prior` or `given` before checking.
  std::optional<String> table;
  std::optional<Ident> category;
};

/// `data_item := rows | category | neighbouring | field`
struct DataItem : Node {
  enum class Kind { kRows, kCategory, kNeighbouring, kField } kind = Kind::kRows;
  Ident keyword;  // the item's keyword, for messages
  Number rows;    // kRows
  Ident ident;    // kCategory, kNeighbouring
  Field field;    // kField
};

struct Data : Node {
  Ident name;
  std::optional<String> title;
  std::vector<DataItem> items;
};

struct Agent : Node {
  Ident name;
  std::optional<Number> count;  // `agent A[n]`
  std::optional<String> title;
  std::vector<Prop> props;
};

/// An expression of section 6 (inside `map`), or a positional argument (a bare name is an
/// expression of kind kIdent).
struct Expr : Node {
  enum class Op {
    kInt, kIdent,  // leaves: `number`, `ident`
    kNeg, kNot,
    kAdd, kSub, kMul, kDiv, kMod,
    kEq, kNe, kLt, kLe, kGt, kGe,
    kAnd, kOr,
    kIf,
  } op = Op::kInt;
  Number number;
  Ident ident;
  std::vector<Expr> children;
  /// Height of this tree (a leaf is 1). The parser bounds it (Limits::max_depth), so that
  /// every pass may recurse over an expression: `a + a + … + a` is as deep as it is long.
  std::uint32_t height = 1;
};

/// `arg := IDENT ':' (NUMBER | IDENT | true | false) | IDENT '.' IDENT | expr`
struct Arg : Node {
  enum class Kind { kNamed, kField, kExpr } kind = Kind::kExpr;
  Ident key;     // kNamed: the parameter; kField: the data
  Value value;   // kNamed: kNumber or kIdent
  Ident field;   // kField
  Expr expr;     // kExpr
};

struct Compute : Node {
  Ident name, at, kind;
  std::vector<Arg> args;
};

struct Send : Node {
  Ident artifact;
  std::optional<Ident> from;
  Ident to;
  std::optional<Ident> channel;
  std::vector<Arg> channel_args;
  bool has_channel_args = false;
};

/// `member := IDENT | NUMBER 'of' IDENT`
struct Member : Node {
  std::optional<Number> count;
  Ident agent;
};

/// `coalition := members ('+' choice)? | choice`
struct Coalition : Node {
  std::vector<Member> members;
  bool has_choice = false;
  Number choose;                 // K of `any K of {...}`
  std::vector<Ident> candidates;
  std::uint32_t choice_begin = 0, choice_end = 0;
  std::optional<Number> distance;  // D of `at distance >= D`
};

struct Adversary : Node {
  Ident name;
  Coalition coalition;
};

struct Measure : Node {
  enum class Kind { kDp, kPosterior, kAdvantage, kLeakage, kReidentification, kMembership, kReconstruction, kError } kind =
      Kind::kDp;
  Ident data;
  Ident field;               // posterior, leakage, reconstruction
  std::optional<Number> fpr; // membership: `at fpr F`
  Ident value;               // posterior: a value name (or an integer, as written)
  std::vector<Ident> fields; // reidentification
  Ident artifact;            // error: the release whose error is bounded
};

struct Bound : Node {
  bool epsilon = false;  // `epsilon X`
  bool bits = false;     // `X bits`
  Number value;
  std::optional<Number> delta;  // `at delta D`
  bool relative = false;        // `X relative` (error)
  std::optional<Number> confidence;  // `at confidence C` (error)
};

struct Require : Node {
  std::optional<Ident> name;
  Measure measure;
  bool target_is_name = false;
  Ident target_name;
  Coalition target;
  Bound bound;
  bool has_target = false;  // `against …` was written (every measure but error needs it)
};

struct Forbid : Node {
  std::optional<Ident> name;
  Ident category, from, to;
  bool has_unless = false;
  Number unless_epsilon;
  std::optional<Number> unless_delta;
};

/// A whole spec: the statements that parsed, by kind, each list in source order.
struct Program {
  std::vector<Pipeline> pipelines;
  std::vector<Settings> settings;
  std::vector<Region> regions;
  std::vector<Category> categories;
  std::vector<Param> params;
  std::vector<Data> data;
  std::vector<Agent> agents;
  std::vector<Compute> computes;
  std::vector<Send> sends;
  std::vector<Adversary> adversaries;
  std::vector<Require> requires_;
  std::vector<Forbid> forbids;
  /// Names declared by statements that failed to parse: references to them are not
  /// reported again as undeclared (no cascades of errors from one typo).
  std::vector<std::string> broken_names;
  std::size_t statement_count = 0;
};

}  // namespace privflow::lang::ast
