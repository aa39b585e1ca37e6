#pragma once
// The checker's shared context and its passes (lang/check.cpp runs them in order): name
// resolution first, so that names may be used before they are declared, then one lowering
// pass per statement kind, each in its own file. Lookups go through hash maps, never through
// Graph::find_* (linear), so that a million statements stay linear (docs/limits.md).
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "flow/graph.hpp"
#include "flow/param_expr.hpp"
#include "lang/ast.hpp"
#include "lang/diagnostics.hpp"
#include "lang/limits.hpp"

namespace privflow::lang::detail {

using flow::Id;
using flow::kNone;

/// What a name of the spec declares; all share one namespace.
enum class DeclKind { kRegion, kCategory, kParam, kData, kAgent, kArtifact, kAdversary, kRequirement };

const char* kind_word(DeclKind kind);
/// "an agent", "a param", "data".
std::string with_article(DeclKind kind);

/// A name in single quotes, as messages show it.
std::string quoted(const std::string& text);
/// A number literal as messages show it: it may be thousands of digits long, so its start only.
std::string shown_literal(const std::string& text);
/// "; did you mean 'x'?" for the closest candidate, or empty.
std::string suggest(const std::string& name, const std::vector<std::string>& candidates);
/// A suggestion, else the short list of what is allowed.
std::string suggest_or_list(const std::string& name, const std::vector<std::string>& values);
bool is_integer(const Rational& value);

struct Decl {
  DeclKind kind;
  Id index;
  std::uint32_t begin, end;  // of the declaring name
};

/// What every pass reads and writes: the program, the graph being built, the names.
struct CheckContext {
  CheckContext(const ast::Program& program_in, Diagnostics& diags_in, const Limits& limits_in);

  const ast::Program& program;
  Diagnostics& diags;
  const Limits& limits;
  flow::Graph graph;

  std::unordered_map<std::string, Decl> names;
  /// Names a statement that failed to parse meant to declare: not reported again as undeclared.
  std::unordered_set<std::string> broken;
  std::map<DeclKind, std::vector<std::string>> names_by_kind;  // for suggestions

  // Holdings (lang/check_flows.cpp): (agent << 32 | artifact) pairs; where each artifact is sent.
  std::unordered_set<std::uint64_t> holds_artifact;
  std::vector<std::vector<Id>> sent_to;  // per artifact
  std::vector<bool> send_lowered;        // per send: lowered to a flow
  std::vector<Id> send_flow;             // per send: index of its flow

  flow::Span span(const ast::Node& node) const { return diags.span(node.begin, node.end); }
  flow::Span span(std::uint32_t begin, std::uint32_t end) const { return diags.span(begin, end); }
  Diagnostic& error(const ast::Node& node, std::string message) {
    return diags.error(node.begin, node.end, std::move(message));
  }
  Diagnostic& warning(const ast::Node& node, std::string message) {
    return diags.warning(node.begin, node.end, std::move(message));
  }

  void declare(const ast::Ident& name, DeclKind kind, Id index);
  /// The index of a declared name of kind `kind`, or kNone after reporting why not.
  Id resolve(const ast::Ident& name, DeclKind kind) { return resolve_any(name, {kind}); }
  /// The first kind is the one asked for: an undeclared name is offered its names first.
  Id resolve_any(const ast::Ident& name, std::initializer_list<DeclKind> kinds);

  /// A number literal's value, or false after reporting why it is none.
  bool number(const ast::Number& literal, Rational& out);
  /// A whole number in [lo, hi], or nullopt after reporting why not.
  std::optional<std::uint64_t> whole_number(const ast::Number& literal, const std::string& what, std::uint64_t lo,
                                            std::uint64_t hi);
  /// The index of field `name` of data `data`, or kNone after reporting it.
  Id field_of(Id data, const ast::Ident& name);
  /// A trusted agent cannot collude (an error); an honest one named in a coalition is warned about.
  bool check_trust(const flow::Agent& agent, const ast::Ident& at, const std::string& where);
};

// The passes, in the order check_program runs them.

// lang/check_names.cpp: every declaration gets its index; pipeline, settings and params.
void declare_all(CheckContext& context);
void check_pipeline(CheckContext& context);
void check_settings(CheckContext& context);
void check_params(CheckContext& context);

// lang/check_data.cpp and lang/check_agents.cpp
void check_data(CheckContext& context, const ast::Data& written, flow::Data& data);
void check_agent(CheckContext& context, const ast::Agent& written, flow::Agent& agent);

// lang/check_compute.cpp: kinds, inputs and parameters, against flow/catalogue.hpp.
void check_compute(CheckContext& context, const ast::Compute& written, flow::Artifact& artifact);
// lang/check_expr.cpp: the expression of a `map` over the fields of `data`; `enum_hint` is the
// enumerated field a bare value is looked up in (kNone: any field of the data).
std::optional<flow::Expr> check_expr(CheckContext& context, const ast::Expr& written, Id data, Id enum_hint);

// lang/check_param_expr.cpp: a parameter written as an expression, lowered (nullopt after
// reporting why not), then evaluated with the params' values (nullopt after reporting).
std::optional<flow::ParamExpr> lower_param_expr(CheckContext& context, const ast::Arith& written);
std::optional<Interval> evaluate_param_expr(CheckContext& context, const flow::ParamExpr& e);

// lang/check_flows.cpp: sends, then who holds what, then holdings and cycles.
void check_send(CheckContext& context, const ast::Send& written);
void compute_holdings(CheckContext& context);
void check_inputs_held(CheckContext& context, const flow::Artifact& artifact, std::size_t index);
void check_sender_holds(CheckContext& context, const ast::Send& written, std::size_t index);
void check_cycles(CheckContext& context);

// lang/check_requirements.cpp: adversaries, requirements, forbid rules.
flow::Coalition lower_coalition(CheckContext& context, const ast::Coalition& written);
void check_require(CheckContext& context, const ast::Require& written);
void check_forbid(CheckContext& context, const ast::Forbid& written);

}  // namespace privflow::lang::detail
