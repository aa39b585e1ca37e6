#pragma once
// The building blocks of the .pflow grammar, included by lang/parser.cpp alone: the parse state
// shared through x3::with, the skipper, the nesting guard, the semantic-action helpers and the
// leaves that run the shared token rules of lang/lexical.hpp. The grammar itself (one rule per
// production) and the statement loop are in lang/parser.cpp.
#include <boost/spirit/home/x3.hpp>

#include <string>
#include <string_view>
#include <type_traits>

#include "lang/detail/recovery.hpp"
#include "lang/lexical.hpp"
#include "lang/parser.hpp"

// Names for error messages: an action, a raw[] or an alternative reads as what it parses
// (X3 1.74 would print the parser's mangled type name).
namespace boost::spirit::x3 {
template <class Subject, class Action>
struct get_info<action<Subject, Action>> {
  typedef std::string result_type;
  std::string operator()(action<Subject, Action> const& p) const { return what(p.subject); }
};
template <class Subject>
struct get_info<raw_directive<Subject>> {
  typedef std::string result_type;
  std::string operator()(raw_directive<Subject> const& p) const { return what(p.subject); }
};
template <class Left, class Right>
struct get_info<alternative<Left, Right>> {
  typedef std::string result_type;
  std::string operator()(alternative<Left, Right> const& p) const { return what(p.left) + " or " + what(p.right); }
};
}  // namespace boost::spirit::x3

// The grammar's names live in lang::grammar, so that in a unity batch (PRIVFLOW_UNITY) the
// files after the parser do not see its rules (`number`, `data`, `field`, …) as globals.
namespace privflow::lang::grammar {
namespace x3 = boost::spirit::x3;

namespace {

using Iter = const char*;

// ---------------------------------------------------------------------------------------
// Parse state, shared through x3::with<state_tag>
// ---------------------------------------------------------------------------------------

struct ParseState {
  const char* base = nullptr;
  int depth = 0;
  const Limits* limits = nullptr;
};
struct state_tag;

/// A limit was hit inside the grammar: reported at `where`, then the statement is skipped.
struct LimitError {
  Iter where;
  std::string message;
};

template <class Ctx>
ParseState& state(Ctx const& ctx) {
  return *x3::get<state_tag>(ctx);
}

// ---------------------------------------------------------------------------------------
// Trivia: white space and comments (lang/lexical.hpp)
// ---------------------------------------------------------------------------------------

using lexical::is_identifier_start;
using lexical::skip_trivia;

/// The skipper as an X3 parser: consumes all trivia at once, fails when there is none.
struct skipper_parser : x3::parser<skipper_parser> {
  using attribute_type = x3::unused_type;
  [[maybe_unused]] static bool const has_attribute = false;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
    It p = skip_trivia(first, last);
    if (p == first) return false;
    first = p;
    return true;
  }
};
skipper_parser const skipper{};

// ---------------------------------------------------------------------------------------
// Nesting guard: a located error instead of a stack overflow
// ---------------------------------------------------------------------------------------

template <class Subject>
struct guard_parser : x3::unary_parser<Subject, guard_parser<Subject>> {
  using base_type = x3::unary_parser<Subject, guard_parser<Subject>>;
  static bool const is_pass_through_unary = true;
  static bool const handles_container = Subject::handles_container;
  constexpr guard_parser(Subject const& inner) : base_type(inner) {}

  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    ParseState& st = state(ctx);
    if (st.depth + 1 > st.limits->max_depth)
      throw LimitError{skip_trivia(first, last),
                       "nesting is deeper than " + std::to_string(st.limits->max_depth) + " levels"};
    ++st.depth;
    struct Leave {
      ParseState& s;
      ~Leave() { --s.depth; }
    } leave{st};
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};

struct guard_gen {
  template <class Subject>
  constexpr guard_parser<typename x3::extension::as_parser<Subject>::value_type> operator[](
      Subject const& subject) const {
    return {x3::as_parser(subject)};
  }
};
constexpr guard_gen depth_guard{};

}  // namespace
}  // namespace privflow::lang::grammar

template <class Subject>
struct boost::spirit::x3::get_info<privflow::lang::grammar::guard_parser<Subject>> {
  typedef std::string result_type;
  std::string operator()(privflow::lang::grammar::guard_parser<Subject> const& p) const { return what(p.subject); }
};

namespace privflow::lang::grammar {
namespace {

// ---------------------------------------------------------------------------------------
// Semantic-action helpers
// ---------------------------------------------------------------------------------------

template <class M>
auto set(M member) {
  return [member](auto& ctx) { x3::_val(ctx).*member = std::move(x3::_attr(ctx)); };
}
template <class M, class V>
auto flag(M member, V value) {
  return [member, value](auto& ctx) { x3::_val(ctx).*member = value; };
}
template <class M>
auto push(M member) {
  return [member](auto& ctx) { (x3::_val(ctx).*member).push_back(std::move(x3::_attr(ctx))); };
}
auto const assign = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };

template <class Ctx>
void set_span(Ctx& ctx, Iter b, Iter e) {
  const char* base = state(ctx).base;
  x3::_val(ctx).begin = static_cast<std::uint32_t>(b - base);
  x3::_val(ctx).end = static_cast<std::uint32_t>(e - base);
}

/// `spanned[p]`: parses p (whose actions fill _val) and records the span of what it matched.
struct spanned_gen {
  template <class Subject>
  auto operator[](Subject const& subject) const {
    return x3::raw[subject][([](auto& ctx) {
      auto const& range = x3::_attr(ctx);
      set_span(ctx, range.begin(), range.end());
    })];
  }
};
constexpr spanned_gen spanned{};

// ---------------------------------------------------------------------------------------
// Leaves: identifiers, numbers, strings, keywords
// ---------------------------------------------------------------------------------------

/// A leaf that a scanner of lang/lexical.hpp matches: the grammar runs the shared token rule.
template <const char* (*Scan)(const char*, const char*)>
struct scanned_parser : x3::parser<scanned_parser<Scan>> {
  using attribute_type = x3::unused_type;
  [[maybe_unused]] static bool const has_attribute = false;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
    x3::skip_over(first, last, ctx);
    It token_end = Scan(first, last);
    if (token_end == first) return false;
    first = token_end;
    return true;
  }
};

/// One character of a class of lang/lexical.hpp.
template <bool (*Test)(char)>
struct char_class_parser : x3::parser<char_class_parser<Test>> {
  using attribute_type = x3::unused_type;
  [[maybe_unused]] static bool const has_attribute = false;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
    x3::skip_over(first, last, ctx);
    if (first == last || !Test(*first)) return false;
    ++first;
    return true;
  }
};

scanned_parser<lexical::identifier_end> const identifier{};
scanned_parser<lexical::digits_end> const digits{};
scanned_parser<lexical::decimal_end> const decimal{};
char_class_parser<lexical::is_identifier_char> const ident_char{};
char_class_parser<lexical::continues_number> const number_continuation{};

enum class IdentClass { kAny, kName, kOperand };

template <IdentClass C>
auto ident_action() {
  return [](auto& ctx) {
    auto const& range = x3::_attr(ctx);
    std::string_view word(range.begin(), static_cast<std::size_t>(range.end() - range.begin()));
    ParseState& st = state(ctx);
    if (word.size() > st.limits->max_identifier)
      throw LimitError{range.begin(), "identifier is longer than " + std::to_string(st.limits->max_identifier) +
                                          " characters"};
    if ((C == IdentClass::kName && lexical::is_reserved(word)) ||
        (C == IdentClass::kOperand && lexical::is_expression_keyword(word))) {
      x3::_pass(ctx) = false;
      return;
    }
    x3::_val(ctx).name.assign(word);
    set_span(ctx, range.begin(), range.end());
  };
}

}  // namespace
}  // namespace privflow::lang::grammar
