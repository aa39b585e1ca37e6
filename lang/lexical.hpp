#pragma once
// The lexical rules of the language (docs/language.md, "Lexical rules"), written once: the
// grammar (lang/parser.cpp, Spirit X3) builds its leaves from these scanners and tables, and
// the formatter's lexer (lang/format.cpp) tokenises with the same ones, so that a token rule
// is changed in one place. Scanners take [p, end) and return where the token ends (p when
// none starts at p).
#include <algorithm>
#include <array>
#include <string_view>

namespace privflow::lang::lexical {

// ---------------------------------------------------------------------------------------
// Characters
// ---------------------------------------------------------------------------------------

/// White space between tokens, as the grammar skips it.
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_identifier_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
constexpr bool is_identifier_char(char c) { return is_identifier_start(c) || is_digit(c); }
/// A character that may not follow a number: it would make one token with it.
constexpr bool continues_number(char c) { return is_identifier_char(c) || c == '.'; }

// ---------------------------------------------------------------------------------------
// Comments: `#` or `//` to the end of the line
// ---------------------------------------------------------------------------------------

constexpr bool starts_comment(const char* p, const char* end) {
  return p != end && (*p == '#' || (*p == '/' && p + 1 != end && p[1] == '/'));
}
/// The end of the comment starting at p: the line break (not included) or the end.
constexpr const char* comment_end(const char* p, const char* end) {
  while (p != end && *p != '\n') ++p;
  return p;
}

/// Skips white space and comments.
constexpr const char* skip_trivia(const char* p, const char* end) {
  for (;;) {
    while (p != end && is_space(*p)) ++p;
    if (!starts_comment(p, end)) return p;
    p = comment_end(p, end);
  }
}

// ---------------------------------------------------------------------------------------
// Names and numbers
// ---------------------------------------------------------------------------------------

/// identifier: [A-Za-z_][A-Za-z0-9_]*
constexpr const char* identifier_end(const char* p, const char* end) {
  if (p == end || !is_identifier_start(*p)) return p;
  while (p != end && is_identifier_char(*p)) ++p;
  return p;
}

constexpr bool is_identifier(std::string_view text) {
  const char* begin = text.data();
  return !text.empty() && identifier_end(begin, begin + text.size()) == begin + text.size();
}

/// digits: [0-9]+ ('_' [0-9]+)*, as in 1_000_000.
constexpr const char* digits_end(const char* p, const char* end) {
  if (p == end || !is_digit(*p)) return p;
  while (p != end && is_digit(*p)) ++p;
  while (p != end && *p == '_' && p + 1 != end && is_digit(p[1])) {
    ++p;
    while (p != end && is_digit(*p)) ++p;
  }
  return p;
}

/// decimal: digits ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?. A number of a spec is
/// '-'? decimal ('/' decimal)? and no character that continues_number after it.
constexpr const char* decimal_end(const char* p, const char* end) {
  const char* at = digits_end(p, end);
  if (at == p) return p;
  if (at != end && *at == '.' && at + 1 != end && is_digit(at[1])) {
    at += 2;
    while (at != end && is_digit(*at)) ++at;
  }
  if (at != end && (*at == 'e' || *at == 'E')) {
    const char* exponent = at + 1;
    if (exponent != end && (*exponent == '+' || *exponent == '-')) ++exponent;
    if (exponent != end && is_digit(*exponent)) {
      while (exponent != end && is_digit(*exponent)) ++exponent;
      at = exponent;
    }
  }
  return at;
}

/// Where a malformed number ends for a message that quotes it: every character that would
/// continue it, and the sign of an exponent (`0.000_1e+7` whole).
constexpr const char* malformed_number_end(const char* p, const char* end) {
  const char* at = p;
  while (at != end && (continues_number(*at) || ((*at == '+' || *at == '-') && at != p && (at[-1] == 'e' || at[-1] == 'E'))))
    ++at;
  return at;
}

// ---------------------------------------------------------------------------------------
// Strings: one line between double quotes; `\"` and `\\` are the only escapes
// ---------------------------------------------------------------------------------------

inline constexpr char kQuote = '"';
inline constexpr char kEscape = '\\';
constexpr bool is_escapable(char c) { return c == '"' || c == '\\'; }

// ---------------------------------------------------------------------------------------
// Symbols and keywords
// ---------------------------------------------------------------------------------------

inline constexpr std::array<std::string_view, 3> kTwoCharSymbols = {"!=", "<=", ">="};
inline constexpr std::string_view kOneCharSymbols = "{}[](),:;=<>+-*/%.";

/// The words that begin a statement.
inline constexpr std::array<std::string_view, 12> kStatementKeywords = {
    "pipeline", "settings", "region", "category", "param", "data",
    "agent",    "compute",  "send",   "adversary", "require", "forbid"};
/// Words that cannot name a declaration (they would make the grammar ambiguous).
inline constexpr std::array<std::string_view, 24> kReserved = {
    "pipeline", "settings", "region", "category", "param", "data", "agent", "compute",
    "send", "adversary", "require", "forbid", "at", "to", "from", "via", "by", "of",
    "any", "against", "if", "then", "else", "unless"};
/// Words that cannot be an operand of an expression.
inline constexpr std::array<std::string_view, 6> kExprKeywords = {"if", "then", "else", "and", "or", "not"};

template <std::size_t N>
constexpr bool is_one_of(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}
constexpr bool is_statement_keyword(std::string_view word) { return is_one_of(kStatementKeywords, word); }
constexpr bool is_reserved(std::string_view word) { return is_one_of(kReserved, word); }
constexpr bool is_expression_keyword(std::string_view word) { return is_one_of(kExprKeywords, word); }

}  // namespace privflow::lang::lexical
