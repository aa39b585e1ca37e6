// The .pflow grammar in Boost.Spirit X3 (docs/language.md: statements and expressions).
//
// Layout: the building blocks (lang/detail/parser_blocks.hpp: parse state, skipper, nesting
// guard, action helpers, the leaves over the shared lexical rules of lang/lexical.hpp), then one
// rule per production here, then the statement loop; the error
// vocabulary and recovery are in lang/parse_recovery.cpp. Every rule builds its node
// through semantic actions (no fusion adaptation: X3 mishandles single-member structs and keeps
// the partial attributes that failed alternatives leave behind), and records its byte span
// through `spanned[...]` (not X3's error_handler / annotate_on_success, which need position-tagged nodes).
// Rule names are the error vocabulary: `a > b` throws expectation_failure whose which() is
// the name of b, which becomes "expected <b> after '<previous token>'".
#include "lang/parser.hpp"

#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/text.hpp"
#include "lang/detail/parser_blocks.hpp"
#include "lang/detail/recovery.hpp"
#include "lang/lexical.hpp"

namespace privflow::lang {
namespace grammar {
namespace {

x3::rule<class ident_any_class, ast::Ident> const ident_any = "name";
x3::rule<class ident_name_class, ast::Ident> const ident_name = "name";
x3::rule<class ident_operand_class, ast::Ident> const ident_operand = "operand";
x3::rule<class number_class, ast::Number> const number = "number";
x3::rule<class int_literal_class, ast::Number> const int_literal = "integer";
x3::rule<class string_class, ast::String> const string = "string";

auto const identifier_word = x3::raw[x3::lexeme[identifier]];
auto const ident_any_def = identifier_word[ident_action<IdentClass::kAny>()];
auto const ident_name_def = identifier_word[ident_action<IdentClass::kName>()];
auto const ident_operand_def = identifier_word[ident_action<IdentClass::kOperand>()];

auto const number_action = [](auto& ctx) {
  auto const& range = x3::_attr(ctx);
  x3::_val(ctx).text.assign(range.begin(), range.end());
  set_span(ctx, range.begin(), range.end());
};
auto const number_def =
    x3::raw[x3::lexeme[-x3::lit('-') >> decimal >> -('/' >> decimal) >> !number_continuation]][number_action];
auto const int_literal_def = x3::raw[x3::lexeme[digits >> !number_continuation]][number_action];

// Strings: one line, `\"` and `\\` escapes. A leading '!' in a rule name marks a full message.
x3::rule<class escape_class> const escape = "!unknown escape in string (only \\\" and \\\\ are allowed)";
x3::rule<class string_end_class> const string_end = "!unterminated string (strings end on the same line)";
auto const escape_def = char_class_parser<lexical::is_escapable>{};
auto const string_end_def = x3::lit('"');
auto const string_def = x3::raw[x3::lexeme['"' > *(('\\' > escape) | ~x3::char_("\"\\\n")) > string_end]][(
    [](auto& ctx) {
      auto const& range = x3::_attr(ctx);
      std::string text;
      for (Iter p = range.begin() + 1; p + 1 < range.end(); ++p) {
        if (*p == '\\') ++p;
        text.push_back(*p);
      }
      x3::_val(ctx).text = std::move(text);
      set_span(ctx, range.begin(), range.end());
    })];

BOOST_SPIRIT_DEFINE(ident_any, ident_name, ident_operand, number, int_literal, string, escape, string_end)

// A keyword or symbol, named as it is written (`'rows'`), so that it reads well in
// "expected 'partition' after 'by'".
#define PF_KW(w) (x3::rule<class kw_class>{"'" w "'"} = x3::lexeme[x3::lit(w) >> !ident_char])
#define PF_SYM(s) (x3::rule<class sym_class>{"'" s "'"} = x3::lit(s))
// A name in a given role, e.g. PF_NAME("agent name"): not a reserved word.
#define PF_NAME(label) (x3::rule<class name_class, ast::Ident>{label} = ident_name)
// Any word in a given role (keys, kinds, values).
#define PF_WORD(label) (x3::rule<class word_class, ast::Ident>{label} = ident_any)

// ---------------------------------------------------------------------------------------
// Values and properties (settings, agents)
// ---------------------------------------------------------------------------------------

x3::rule<class value_class, ast::Value> const value = "value";
x3::rule<class holding_class, ast::Value> const holding = "holding";
x3::rule<class value_list_class, ast::Value> const value_list = "list";
x3::rule<class value_call_class, ast::Value> const value_call = "call";
x3::rule<class prop_class, ast::Prop> const prop = "property";

using VK = ast::Value::Kind;
auto const holding_def = spanned[(ident_any[set(&ast::Value::ident)] >> PF_KW("by")) >
                                 PF_KW("partition")[flag(&ast::Value::kind, VK::kHolding)]];
auto const value_list_def = spanned[x3::lit('{')[flag(&ast::Value::kind, VK::kList)] > value[push(&ast::Value::items)] >
                                    *(',' > value[push(&ast::Value::items)]) > '}'];
auto const value_call_def = spanned[(ident_any[set(&ast::Value::ident)] >> x3::lit('(')[flag(&ast::Value::kind, VK::kCall)]) >
                                    value[push(&ast::Value::items)] > *(',' > value[push(&ast::Value::items)]) > ')'];
auto const value_def = depth_guard[holding[assign] | value_list[assign] | value_call[assign] |
                                   spanned[number[set(&ast::Value::number)][flag(&ast::Value::kind, VK::kNumber)]] |
                                   spanned[string[set(&ast::Value::string)][flag(&ast::Value::kind, VK::kString)]] |
                                   spanned[ident_any[set(&ast::Value::ident)][flag(&ast::Value::kind, VK::kIdent)]]];
auto const prop_def = spanned[PF_WORD("property name")[set(&ast::Prop::key)] > ':' > value[set(&ast::Prop::value)] >
                              -x3::lit(',') > -x3::lit(';')];

BOOST_SPIRIT_DEFINE(value, holding, value_list, value_call, prop)

// ---------------------------------------------------------------------------------------
// Expressions (section 6), by increasing precedence
// ---------------------------------------------------------------------------------------

using Op = ast::Expr::Op;
x3::rule<class expr_class, ast::Expr> const expr = "expression";
x3::rule<class if_expr_class, ast::Expr> const if_expr = "expression";
x3::rule<class or_expr_class, ast::Expr> const or_expr = "expression";
x3::rule<class and_expr_class, ast::Expr> const and_expr = "expression";
x3::rule<class not_expr_class, ast::Expr> const not_expr = "expression";
x3::rule<class cmp_expr_class, ast::Expr> const cmp_expr = "expression";
x3::rule<class add_expr_class, ast::Expr> const add_expr = "expression";
x3::rule<class mul_expr_class, ast::Expr> const mul_expr = "expression";
x3::rule<class unary_expr_class, ast::Expr> const unary_expr = "expression";
x3::rule<class primary_class, ast::Expr> const primary = "expression";

/// Records the height of a new node over `child`, refusing trees deeper than the limit.
/// The error points at `at` (the operand that made the tree too deep).
template <class Ctx, class Tree>
void grow(Ctx& ctx, Tree& node, const Tree& child, const Tree& at) {
  node.height = std::max(node.height, child.height + 1);
  const ParseState& st = state(ctx);
  if (node.height > static_cast<std::uint32_t>(st.limits->max_depth))
    throw LimitError{st.base + at.begin,
                     "nesting is deeper than " + std::to_string(st.limits->max_depth) + " levels"};
}
/// Folds `_val op _attr` into _val (left associative): conditions (ast::Expr, Op) and parameter
/// expressions (ast::Arith, AO) alike.
template <class OpKind>
auto fold(OpKind op) {
  return [op](auto& ctx) {
    auto& lhs = x3::_val(ctx);
    auto& rhs = x3::_attr(ctx);
    std::decay_t<decltype(lhs)> e;
    e.op = op;
    e.begin = lhs.begin;
    e.end = rhs.end;
    grow(ctx, e, lhs, rhs);
    grow(ctx, e, rhs, rhs);
    e.children.push_back(std::move(lhs));
    e.children.push_back(std::move(rhs));
    lhs = std::move(e);
  };
}
/// Makes _val the unary `op` (or the `if`; for a parameter expression, a negation or a call of
/// the name it holds) of _attr.
template <class OpKind>
auto unary(OpKind op) {
  return [op](auto& ctx) {
    x3::_val(ctx).op = op;
    grow(ctx, x3::_val(ctx), x3::_attr(ctx), x3::_attr(ctx));
    x3::_val(ctx).children.push_back(std::move(x3::_attr(ctx)));
  };
}
auto child(Op op) { return unary(op); }
auto const add_child = [](auto& ctx) {
  grow(ctx, x3::_val(ctx), x3::_attr(ctx), x3::_attr(ctx));
  x3::_val(ctx).children.push_back(std::move(x3::_attr(ctx)));
};

// Each syntactic nesting level (a parenthesis, an `if`, a unary operator) passes one
// depth_guard, so that the limit counts levels as the user sees them.
auto const expr_def = if_expr[assign] | or_expr[assign];
auto const if_expr_def = depth_guard[spanned[PF_KW("if") > expr[child(Op::kIf)] > PF_KW("then") > expr[add_child] >
                                             PF_KW("else") > expr[add_child]]];
auto const or_expr_def = spanned[and_expr[assign] >> *(PF_KW("or") > and_expr[fold(Op::kOr)])];
auto const and_expr_def = spanned[not_expr[assign] >> *(PF_KW("and") > not_expr[fold(Op::kAnd)])];
auto const not_expr_def = spanned[PF_KW("not") > depth_guard[not_expr[unary(Op::kNot)]]] | cmp_expr[assign];
auto const cmp_expr_def =
    spanned[add_expr[assign] >> *((PF_SYM("<=") > add_expr[fold(Op::kLe)]) | (PF_SYM(">=") > add_expr[fold(Op::kGe)]) |
                                  (PF_SYM("!=") > add_expr[fold(Op::kNe)]) | (PF_SYM("=") > add_expr[fold(Op::kEq)]) |
                                  (PF_SYM("<") > add_expr[fold(Op::kLt)]) | (PF_SYM(">") > add_expr[fold(Op::kGt)]))];
auto const add_expr_def = spanned[mul_expr[assign] >> *((PF_SYM("+") > mul_expr[fold(Op::kAdd)]) |
                                                        (PF_SYM("-") > mul_expr[fold(Op::kSub)]))];
auto const mul_expr_def =
    spanned[unary_expr[assign] >> *((PF_SYM("*") > unary_expr[fold(Op::kMul)]) |
                                    ((!x3::lit("//") >> PF_SYM("/")) > unary_expr[fold(Op::kDiv)]) |
                                    (PF_SYM("%") > unary_expr[fold(Op::kMod)]))];
auto const unary_expr_def = spanned[PF_SYM("-") > depth_guard[unary_expr[unary(Op::kNeg)]]] | primary[assign];
auto const primary_def =
    spanned[int_literal[set(&ast::Expr::number)][flag(&ast::Expr::op, Op::kInt)] |
            ident_operand[set(&ast::Expr::ident)][flag(&ast::Expr::op, Op::kIdent)]] |
    ('(' > depth_guard[expr[assign]] > ')');

BOOST_SPIRIT_DEFINE(expr, if_expr, or_expr, and_expr, not_expr, cmp_expr, add_expr, mul_expr, unary_expr, primary)

// ---------------------------------------------------------------------------------------
// Parameter expressions (docs/language.md, "Parameter expressions"), by increasing precedence
// ---------------------------------------------------------------------------------------

using AO = ast::Arith::Op;
x3::rule<class arith_class, ast::Arith> const arith = "number, param or expression";
x3::rule<class arith_product_class, ast::Arith> const arith_product = "number, param or expression";
x3::rule<class arith_unary_class, ast::Arith> const arith_unary = "number, param or expression";
x3::rule<class arith_primary_class, ast::Arith> const arith_primary = "number, param or expression";


auto const arith_def = spanned[arith_product[assign] >> *((PF_SYM("+") > arith_product[fold(AO::kAdd)]) |
                                                          (PF_SYM("-") > arith_product[fold(AO::kSub)]))];
auto const arith_product_def =
    spanned[arith_unary[assign] >> *((PF_SYM("*") > arith_unary[fold(AO::kMul)]) |
                                     ((!x3::lit("//") >> PF_SYM("/")) > arith_unary[fold(AO::kDiv)]))];
// A primary first, so that `-1` stays the number literal it was before expressions.
auto const arith_unary_def =
    arith_primary[assign] | spanned[PF_SYM("-") > depth_guard[arith_unary[unary(AO::kNeg)]]];
auto const arith_primary_def =
    spanned[number[set(&ast::Arith::number)][flag(&ast::Arith::op, AO::kNumber)]] |
    spanned[ident_any[set(&ast::Arith::ident)][flag(&ast::Arith::op, AO::kName)] >>
            -(x3::lit('(') > depth_guard[arith[unary(AO::kCall)]] > ')')] |
    ('(' > depth_guard[arith[assign]] > ')');

BOOST_SPIRIT_DEFINE(arith, arith_product, arith_unary, arith_primary)

// ---------------------------------------------------------------------------------------
// Arguments of computations and channels
// ---------------------------------------------------------------------------------------

using AK = ast::Arg::Kind;
x3::rule<class arg_class, ast::Arg> const arg = "argument";
x3::rule<class named_arg_class, ast::Arg> const named_arg = "argument";
x3::rule<class field_arg_class, ast::Arg> const field_arg = "argument";
x3::rule<class arg_value_class, ast::Value> const arg_value = "number or name";

// A named argument's value: a parameter expression; a lone number or name stays one.
auto const arith_to_value = [](auto& ctx) {
  ast::Arith& tree = x3::_attr(ctx);
  ast::Value& out = x3::_val(ctx);
  out.begin = tree.begin;
  out.end = tree.end;
  if (tree.op == AO::kNumber) {
    out.kind = VK::kNumber;
    out.number = std::move(tree.number);
  } else if (tree.op == AO::kName) {
    out.kind = VK::kIdent;
    out.ident = std::move(tree.ident);
  } else {
    out.kind = VK::kArith;
    out.arith = std::move(tree);
  }
};
x3::rule<class arg_item_class, ast::Value> const arg_item = "number, param or expression";
x3::rule<class arg_array_class, ast::Value> const arg_array = "list";
auto const arg_item_def = arith[arith_to_value];
// A list parameter (`coefficients: [1, 1/2, 3/8]`): the empty list parses, so that the checker
// says what is wrong with it.
auto const arg_array_def = spanned[x3::lit('[')[flag(&ast::Value::kind, VK::kArray)] >
                                   (x3::lit(']') | (arg_item[push(&ast::Value::items)] >
                                                    *(',' > arg_item[push(&ast::Value::items)]) > ']'))];
auto const arg_value_def = arg_array[assign] | arith[arith_to_value];
auto const named_arg_def = spanned[(ident_any[set(&ast::Arg::key)] >> x3::lit(':')[flag(&ast::Arg::kind, AK::kNamed)]) >
                                   arg_value[set(&ast::Arg::value)]];
auto const field_arg_def = spanned[(ident_any[set(&ast::Arg::key)] >> x3::lit('.')[flag(&ast::Arg::kind, AK::kField)]) >
                                   PF_WORD("field name")[set(&ast::Arg::field)]];
auto const arg_def = named_arg[assign] | field_arg[assign] |
                     spanned[expr[set(&ast::Arg::expr)][flag(&ast::Arg::kind, AK::kExpr)]];

BOOST_SPIRIT_DEFINE(arg, named_arg, field_arg, arg_value, arg_item, arg_array)

// ---------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------

x3::rule<class pipeline_class, ast::Pipeline> const pipeline = "pipeline statement";
x3::rule<class settings_class, ast::Settings> const settings = "settings statement";
x3::rule<class region_class, ast::Region> const region = "region statement";
x3::rule<class category_class, ast::Category> const category = "category statement";
x3::rule<class param_class, ast::Param> const param = "param statement";

auto const pipeline_def = spanned[PF_KW("pipeline") > PF_NAME("pipeline name")[set(&ast::Pipeline::name)] >
                                  -string[set(&ast::Pipeline::title)]];
auto const settings_def = spanned[PF_KW("settings") > '{' > *prop[push(&ast::Settings::props)] > '}'];
auto const region_def = spanned[PF_KW("region") > PF_NAME("region name")[set(&ast::Region::name)]];
auto const category_def = spanned[PF_KW("category") > PF_NAME("category name")[set(&ast::Category::name)] >
                                  -PF_KW("special")[flag(&ast::Category::special, true)]];
auto const param_def = spanned[PF_KW("param") > PF_NAME("param name")[set(&ast::Param::name)] > '=' >
                               number[set(&ast::Param::value)] >
                               -(PF_KW("in") > '[' > number[set(&ast::Param::lo)] > ',' > number[set(&ast::Param::hi)] >
                                 ']')];

BOOST_SPIRIT_DEFINE(pipeline, settings, region, category, param)

// data
using DK = ast::DataItem::Kind;
using FP = ast::Field::Prior;
using TK = ast::Type::Kind;
x3::rule<class data_class, ast::Data> const data = "data statement";
x3::rule<class data_item_class, ast::DataItem> const data_item = "data item";
x3::rule<class rows_item_class, ast::DataItem> const rows_item = "rows";
x3::rule<class data_category_item_class, ast::DataItem> const data_category_item = "category";
x3::rule<class neighbouring_item_class, ast::DataItem> const neighbouring_item = "neighbouring";
x3::rule<class field_item_class, ast::DataItem> const field_item = "field";
x3::rule<class field_class, ast::Field> const field = "field";
x3::rule<class type_class, ast::Type> const type = "field type ('{a, b, ...}', 'int[lo, hi]' or 'bool')";
x3::rule<class dist_class, ast::Dist> const dist = "distribution '{p1, p2, ...}'";
x3::rule<class given_row_class, ast::GivenRow> const given_row = "given row 'value: {p1, ...}'";
x3::rule<class table_file_class, ast::String> const table_file = "'from \"FILE.csv\"'";

auto const data_def = spanned[PF_KW("data") > PF_NAME("data name")[set(&ast::Data::name)] >
                              -string[set(&ast::Data::title)] > '{' > *data_item[push(&ast::Data::items)] > '}'];
auto const data_item_def = rows_item[assign] | data_category_item[assign] | neighbouring_item[assign] | field_item[assign];
auto const rows_item_def =
    spanned[PF_KW("rows")[flag(&ast::DataItem::kind, DK::kRows)] > ':' > number[set(&ast::DataItem::rows)]];
auto const data_category_item_def = spanned[PF_KW("category")[flag(&ast::DataItem::kind, DK::kCategory)] > ':' >
                                            PF_NAME("category name")[set(&ast::DataItem::ident)]];
auto const neighbouring_item_def =
    spanned[PF_KW("neighbouring")[flag(&ast::DataItem::kind, DK::kNeighbouring)] > ':' >
            PF_WORD("'add_remove' or 'replace'")[set(&ast::DataItem::ident)]];
auto const field_item_def =
    spanned[PF_KW("field")[flag(&ast::DataItem::kind, DK::kField)] > field[set(&ast::DataItem::field)]];
auto const field_def = spanned[
    PF_NAME("field name")[set(&ast::Field::name)] > ':' > type[set(&ast::Field::type)] >
    -((PF_KW("prior")[flag(&ast::Field::prior_kind, FP::kPrior)] >
       (dist[set(&ast::Field::prior)] | table_file[set(&ast::Field::table)])) |
      (PF_KW("given")[flag(&ast::Field::prior_kind, FP::kGiven)] > PF_WORD("field name")[set(&ast::Field::parent)] >
       (('{' > given_row[push(&ast::Field::given)] > *(',' > given_row[push(&ast::Field::given)]) > '}') |
        table_file[set(&ast::Field::table)]))) >
    -((PF_KW("category") >> !x3::lit(':')) > PF_NAME("category name")[set(&ast::Field::category)])];
auto const type_def = spanned[
    (x3::lit('{')[flag(&ast::Type::kind, TK::kEnum)] > PF_WORD("value name")[push(&ast::Type::values)] >
     *(',' > PF_WORD("value name")[push(&ast::Type::values)]) > '}') |
    (PF_KW("int")[flag(&ast::Type::kind, TK::kInt)] > '[' > number[set(&ast::Type::lo)] > ',' >
     number[set(&ast::Type::hi)] > ']') |
    PF_KW("bool")[flag(&ast::Type::kind, TK::kBool)]];
auto const dist_def = spanned['{' > number[push(&ast::Dist::values)] > *(',' > number[push(&ast::Dist::values)]) > '}'];
auto const table_file_def = PF_KW("from") > string;
auto const given_row_def = spanned[PF_WORD("value name")[set(&ast::GivenRow::value)] > ':' >
                                   dist[set(&ast::GivenRow::dist)]];

BOOST_SPIRIT_DEFINE(data, data_item, rows_item, data_category_item, neighbouring_item, field_item, field, type, dist,
                    given_row, table_file)

// agent, compute, send
x3::rule<class agent_class, ast::Agent> const agent = "agent statement";
x3::rule<class compute_class, ast::Compute> const compute = "compute statement";
x3::rule<class send_class, ast::Send> const send = "send statement";

auto const agent_def = spanned[PF_KW("agent") > PF_NAME("agent name")[set(&ast::Agent::name)] >
                               -('[' > number[set(&ast::Agent::count)] > ']') > -string[set(&ast::Agent::title)] > '{' >
                               *prop[push(&ast::Agent::props)] > '}'];
auto const compute_def =
    spanned[PF_KW("compute") > PF_NAME("artifact name")[set(&ast::Compute::name)] > PF_KW("at") >
            PF_NAME("agent name")[set(&ast::Compute::at)] > '=' >
            PF_WORD("computation kind")[set(&ast::Compute::kind)] > '(' > arg[push(&ast::Compute::args)] >
            *(',' > arg[push(&ast::Compute::args)]) > ')'];
auto const send_def = spanned[
    PF_KW("send") > PF_NAME("artifact name")[set(&ast::Send::artifact)] >
    -(PF_KW("from") > PF_NAME("agent name")[set(&ast::Send::from)]) > PF_KW("to") >
    PF_NAME("agent name")[set(&ast::Send::to)] >
    -(PF_KW("via") > PF_WORD("channel")[set(&ast::Send::channel)] >
      -(x3::lit('(')[flag(&ast::Send::has_channel_args, true)] > arg[push(&ast::Send::channel_args)] >
        *(',' > arg[push(&ast::Send::channel_args)]) > ')'))];

BOOST_SPIRIT_DEFINE(agent, compute, send)

// adversary, coalitions
x3::rule<class adversary_class, ast::Adversary> const adversary = "adversary statement";
x3::rule<class coalition_class, ast::Coalition> const coalition = "coalition ('{a, K of b}' or 'any K of {...}')";
x3::rule<class members_class, ast::Coalition> const members = "members";
x3::rule<class member_class, ast::Member> const member = "member ('agent' or 'K of agent')";
x3::rule<class choice_class, ast::Coalition> const choice = "'any K of {...}'";

auto const merge_choice = [](auto& ctx) {
  ast::Coalition& c = x3::_val(ctx);
  ast::Coalition& ch = x3::_attr(ctx);
  c.has_choice = true;
  c.choose = std::move(ch.choose);
  c.candidates = std::move(ch.candidates);
  c.choice_begin = ch.begin;
  c.choice_end = ch.end;
};
auto const adversary_def = spanned[PF_KW("adversary") > PF_NAME("adversary name")[set(&ast::Adversary::name)] > '=' >
                                   coalition[set(&ast::Adversary::coalition)]];
// `at distance >= D`: the population's members in the coalition are D hops or more from the target.
auto const coalition_def = spanned[(choice[merge_choice] | (members[assign] >> -('+' > choice[merge_choice]))) >>
                                   -(PF_KW("at") > PF_KW("distance") > PF_SYM(">=") > number[set(&ast::Coalition::distance)])];
auto const members_def =
    spanned['{' > member[push(&ast::Coalition::members)] > *(',' > member[push(&ast::Coalition::members)]) > '}'];
auto const member_def = spanned[(number[set(&ast::Member::count)] > PF_KW("of") >
                                 PF_NAME("agent name")[set(&ast::Member::agent)]) |
                                PF_NAME("agent name")[set(&ast::Member::agent)]];
auto const choice_def = spanned[PF_KW("any") > number[set(&ast::Coalition::choose)] > PF_KW("of") > '{' >
                                PF_NAME("agent name")[push(&ast::Coalition::candidates)] >
                                *(',' > PF_NAME("agent name")[push(&ast::Coalition::candidates)]) > '}'];

BOOST_SPIRIT_DEFINE(adversary, coalition, members, member, choice)

// require, forbid
using MK = ast::Measure::Kind;
x3::rule<class require_class, ast::Require> const require = "require statement";
x3::rule<class label_class, ast::Ident> const label = "requirement name";
x3::rule<class measure_class, ast::Measure> const measure =
    "measure (dp, posterior, advantage, leakage, reidentification, membership, reconstruction or error)";
x3::rule<class bound_class, ast::Bound> const bound = "bound ('epsilon X', 'X' or 'X bits')";
x3::rule<class at_delta_class, ast::Number> const at_delta = "'at delta D'";
x3::rule<class at_fpr_class, ast::Number> const at_fpr = "'at fpr F'";
x3::rule<class at_clause_class, ast::Bound> const at_clause = "'at delta D' or 'at confidence C'";
x3::rule<class against_class, ast::Require> const against = "'against'";
x3::rule<class forbid_class, ast::Forbid> const forbid = "forbid statement";

x3::rule<class target_class, ast::Require> const target = "adversary name or coalition";

auto const label_def = ident_name[assign] >> ':';
auto const target_def = coalition[set(&ast::Require::target)] |
                        ident_name[set(&ast::Require::target_name)][flag(&ast::Require::target_is_name, true)];
auto const merge_target = [](auto& ctx) {
  ast::Require& r = x3::_val(ctx);
  ast::Require& t = x3::_attr(ctx);
  r.target = std::move(t.target);
  r.target_name = std::move(t.target_name);
  r.target_is_name = t.target_is_name;
  r.has_target = true;
};
// `against TARGET`, or nothing before '<=' (a utility requirement: the checker says which need it).
auto const against_def = (PF_KW("against") > target[merge_target]) | &PF_SYM("<=");
auto const merge_against = [](auto& ctx) {
  ast::Require& r = x3::_val(ctx);
  ast::Require& t = x3::_attr(ctx);
  if (!t.has_target) return;
  r.target = std::move(t.target);
  r.target_name = std::move(t.target_name);
  r.target_is_name = t.target_is_name;
  r.has_target = true;
};
auto const measure_def = spanned[
    (PF_KW("dp")[flag(&ast::Measure::kind, MK::kDp)] > '(' > PF_NAME("data name")[set(&ast::Measure::data)] > ')') |
    (PF_KW("posterior")[flag(&ast::Measure::kind, MK::kPosterior)] > '(' >
     PF_NAME("data name")[set(&ast::Measure::data)] > '.' > PF_WORD("field name")[set(&ast::Measure::field)] > '=' >
     (PF_WORD("value")[set(&ast::Measure::value)] |
      int_literal[([](auto& ctx) {
        x3::_val(ctx).value.name = x3::_attr(ctx).text;
        x3::_val(ctx).value.begin = x3::_attr(ctx).begin;
        x3::_val(ctx).value.end = x3::_attr(ctx).end;
      })]) > ')') |
    (PF_KW("advantage")[flag(&ast::Measure::kind, MK::kAdvantage)] > '(' >
     PF_NAME("data name")[set(&ast::Measure::data)] > ')') |
    (PF_KW("leakage")[flag(&ast::Measure::kind, MK::kLeakage)] > '(' > PF_NAME("data name")[set(&ast::Measure::data)] >
     '.' > PF_WORD("field name")[set(&ast::Measure::field)] > ')') |
    (PF_KW("reidentification")[flag(&ast::Measure::kind, MK::kReidentification)] > '(' >
     PF_NAME("data name")[set(&ast::Measure::data)] > PF_KW("by") > '{' >
     PF_WORD("field name")[push(&ast::Measure::fields)] > *(',' > PF_WORD("field name")[push(&ast::Measure::fields)]) >
     '}' > ')') |
    (PF_KW("membership")[flag(&ast::Measure::kind, MK::kMembership)] > '(' >
     PF_NAME("data name")[set(&ast::Measure::data)] > ')' > at_fpr[set(&ast::Measure::fpr)]) |
    (PF_KW("reconstruction")[flag(&ast::Measure::kind, MK::kReconstruction)] > '(' >
     PF_NAME("data name")[set(&ast::Measure::data)] > '.' > PF_WORD("field name")[set(&ast::Measure::field)] > ')') |
    (PF_KW("error")[flag(&ast::Measure::kind, MK::kError)] > '(' >
     PF_NAME("artifact name")[set(&ast::Measure::artifact)] > ')')];
auto const at_delta_def = PF_KW("at") > PF_KW("delta") > number[assign];
auto const at_fpr_def = PF_KW("at") > PF_KW("fpr") > number[assign];
// `at delta D` or (error) `at confidence C`, into the bound.
auto const at_clause_def = PF_KW("at") > ((PF_KW("delta") > number[set(&ast::Bound::delta)]) |
                                          (PF_KW("confidence") > number[set(&ast::Bound::confidence)]));
auto const merge_at = [](auto& ctx) {
  ast::Bound& b = x3::_val(ctx);
  ast::Bound& a = x3::_attr(ctx);
  if (a.delta) b.delta = std::move(a.delta);
  if (a.confidence) b.confidence = std::move(a.confidence);
};
auto const bound_def =
    spanned[(PF_KW("epsilon")[flag(&ast::Bound::epsilon, true)] > number[set(&ast::Bound::value)] >
             -at_delta[set(&ast::Bound::delta)]) |
            (number[set(&ast::Bound::value)] > -PF_KW("bits")[flag(&ast::Bound::bits, true)] >
             -PF_KW("relative")[flag(&ast::Bound::relative, true)] > -at_clause[merge_at])];
auto const require_def = spanned[
    PF_KW("require") > -label[set(&ast::Require::name)] > measure[set(&ast::Require::measure)] > against[merge_against] >
    PF_SYM("<=") > bound[set(&ast::Require::bound)]];
auto const forbid_def = spanned[
    PF_KW("forbid") > -label[set(&ast::Forbid::name)] > PF_NAME("category name")[set(&ast::Forbid::category)] >
    PF_KW("from") > PF_NAME("region name")[set(&ast::Forbid::from)] > PF_KW("to") >
    PF_NAME("region name")[set(&ast::Forbid::to)] >
    -(PF_KW("unless")[flag(&ast::Forbid::has_unless, true)] > PF_KW("epsilon") > PF_SYM("<=") >
      number[set(&ast::Forbid::unless_epsilon)] > -at_delta[set(&ast::Forbid::unless_delta)])];

BOOST_SPIRIT_DEFINE(require, label, target, measure, bound, at_delta, at_fpr, forbid, at_clause, against)

// ---------------------------------------------------------------------------------------
// The statement loop
// ---------------------------------------------------------------------------------------

using detail::data_typos;
using detail::previous_token;
using detail::quote;
using detail::recover;
using detail::same_line;
using detail::Token;
using detail::token_end;
using detail::Typo;

/// Parses one statement with `rule` into a new element of `out`.
template <class Rule, class Attr>
bool parse_one(Rule const& rule, Iter& it, Iter end, ParseState& st, std::vector<Attr>& out) {
  Attr attr;
  bool ok = x3::phrase_parse(it, end, x3::with<state_tag>(&st)[rule], skipper, attr);
  if (ok) out.push_back(std::move(attr));
  return ok;
}

/// Parses the statement that `keyword` begins. Throws X3's expectation_failure or LimitError.
bool parse_statement(std::string_view keyword, Iter& it, Iter end, ParseState& st, ast::Program& program) {
  if (keyword == "pipeline") return parse_one(pipeline, it, end, st, program.pipelines);
  if (keyword == "settings") return parse_one(settings, it, end, st, program.settings);
  if (keyword == "region") return parse_one(region, it, end, st, program.regions);
  if (keyword == "category") return parse_one(category, it, end, st, program.categories);
  if (keyword == "param") return parse_one(param, it, end, st, program.params);
  if (keyword == "data") return parse_one(data, it, end, st, program.data);
  if (keyword == "agent") return parse_one(agent, it, end, st, program.agents);
  if (keyword == "compute") return parse_one(compute, it, end, st, program.computes);
  if (keyword == "send") return parse_one(send, it, end, st, program.sends);
  if (keyword == "adversary") return parse_one(adversary, it, end, st, program.adversaries);
  if (keyword == "require") return parse_one(require, it, end, st, program.requires_);
  if (keyword == "forbid") return parse_one(forbid, it, end, st, program.forbids);
  return false;
}

/// Reports a failed expectation of the statement that `keyword` begins at `start`: "expected
/// <rule> after '<previous token>'", or the misspelt words of a data block. Returns the
/// number of errors reported.
std::size_t report_expectation(const x3::expectation_failure<Iter>& failure, Iter start, std::string_view keyword,
                               Iter base, Iter end, Diagnostics& diags) {
  auto offset = [&](Iter p) { return static_cast<std::size_t>(p - base); };
  Iter where = skip_trivia(failure.where(), end);  // X3 may report the place before white space
  std::string which = failure.which();
  Token prev = previous_token(start, where, end);
  Iter found_end = token_end(where, end);
  std::string message;
  if (!which.empty() && which[0] == '!') {
    message = which.substr(1);
  } else {
    message = "expected " + which;
    if (prev.begin) message += " after " + quote(prev.begin, prev.end);
    if (where == end) message += " (at end of file)";
    else if (prev.begin && same_line(prev.end, where) && is_identifier_start(*where) &&
             lexical::is_reserved(std::string_view(where, static_cast<std::size_t>(found_end - where))) &&
             which.find("name") != std::string::npos)
      message += "; " + quote(where, found_end) + " is a keyword";
  }
  std::size_t b, en;
  if (which == "!unterminated string (strings end on the same line)") {
    // Point at the opening quote.
    Iter q = where;
    while (q != start && *q != lexical::kQuote) --q;
    b = offset(q);
    en = offset(where);
  } else if (where != end && prev.begin && same_line(prev.end, where)) {
    b = offset(where);
    en = offset(found_end);
  } else if (prev.begin) {
    b = offset(prev.end);
    en = b;
  } else {
    b = en = offset(where);
  }
  // Typos in a data block: each one with its suggestion, not "expected '}'".
  std::vector<Typo> typos;
  if (keyword == "data" && which == "'}'" && where != end && is_identifier_start(*where)) typos = data_typos(where, end);
  if (!typos.empty() && typos.front().at.begin == where) {
    message = quote(where, found_end) + " is not a word of a data block; did you mean '" +
              typos.front().suggestion + "'?";
    b = offset(where);
    en = offset(found_end);
    typos.erase(typos.begin());
  }
  diags.error(b, en, message);
  for (const auto& t : typos) {
    std::string what = quote(t.at.begin, t.at.end);
    diags.error(offset(t.at.begin), offset(t.at.end),
                what + " is not a word of a data block; did you mean '" + t.suggestion + "'?");
  }
  return 1 + typos.size();
}

/// A word that is not a statement keyword where a statement begins; a near miss ('agnet')
/// is suggested, and the name it meant to declare is remembered as broken.
void report_not_a_statement(Iter it, Iter word_end, Iter base, Iter end, Diagnostics& diags, ast::Program& program) {
  auto offset = [&](Iter p) { return static_cast<std::size_t>(p - base); };
  std::string_view word(it, static_cast<std::size_t>(word_end - it));
  auto& d = diags.error(offset(it), offset(word_end), "expected a statement, found " + quote(it, word_end));
  if (!is_identifier_start(*it)) return;
  std::vector<std::string> words(lexical::kStatementKeywords.begin(), lexical::kStatementKeywords.end());
  if (auto m = closest_match(word, words)) {
    diags.note(d, d.span, "did you mean '" + *m + "'?");
    // 'agnet server {...}' meant to declare 'server': its uses are not reported again.
    Iter n = skip_trivia(word_end, end);
    Iter ne = token_end(n, end);
    if (n != end && is_identifier_start(*n) && same_line(word_end, n)) program.broken_names.emplace_back(n, ne);
  }
}

}  // namespace
}  // namespace grammar

bool is_statement_keyword(std::string_view w) { return lexical::is_statement_keyword(w); }

ast::Program parse_program(const SourceFile& source, Diagnostics& diags, const Limits& limits) {
  using namespace grammar;
  ast::Program program;
  const std::string& text = source.text();
  Iter base = text.data();
  Iter end = base + text.size();
  auto offset = [&](Iter p) { return static_cast<std::size_t>(p - base); };
  ParseState st{base, 0, &limits};
  std::size_t errors = 0;
  auto too_many = [&] { return errors >= limits.max_errors; };

  if (text.size() > limits.max_bytes) {
    diags.error(0, 0,
                "the spec is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                    std::to_string(limits.max_bytes));
    return program;
  }

  Iter it = base;
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) it += 3;  // a UTF-8 byte order mark
  it = skip_trivia(it, end);
  while (it != end) {
    if (too_many()) {
      diags.error(offset(it), offset(it), "too many errors; stopping here");
      break;
    }
    if (program.statement_count >= limits.max_statements) {
      diags.error(offset(it), offset(token_end(it, end)),
                  "more than " + std::to_string(limits.max_statements) + " statements");
      break;
    }
    Iter start = it;
    Iter word_end = token_end(it, end);
    std::string_view word(it, static_cast<std::size_t>(word_end - it));
    if (!is_identifier_start(*it) || !lexical::is_statement_keyword(word)) {
      report_not_a_statement(it, word_end, base, end, diags, program);
      ++errors;
      it = recover(start, end);
      continue;
    }
    ++program.statement_count;
    bool ok = false;
    try {
      st.depth = 0;
      ok = parse_statement(word, it, end, st, program);
      if (!ok) {
        diags.error(offset(start), offset(word_end), "invalid " + std::string(word) + " statement");
        ++errors;
      }
    } catch (const x3::expectation_failure<Iter>& e) {
      errors += report_expectation(e, start, word, base, end, diags);
      ok = false;
    } catch (const LimitError& e) {
      diags.error(offset(e.where), offset(token_end(e.where, end)), e.message);
      ++errors;
      ok = false;
    }
    if (!ok) {
      // Remember the name the statement meant to declare, so that references to it are
      // not reported again.
      Iter n = skip_trivia(word_end, end);
      Iter ne = token_end(n, end);
      if (n != end && is_identifier_start(*n) && same_line(word_end, n) &&
          !lexical::is_reserved(std::string_view(n, static_cast<std::size_t>(ne - n))))
        program.broken_names.emplace_back(n, ne);
      it = recover(start, end);
    } else {
      it = skip_trivia(it, end);
    }
  }
  return program;
}

}  // namespace privflow::lang
