// The parser's error vocabulary and recovery (lang/detail/recovery.hpp), over the lexical
// rules of lang/lexical.hpp.
#include <algorithm>
#include <array>

#include "base/text.hpp"
#include "lang/detail/recovery.hpp"
#include "lang/lexical.hpp"

namespace privflow::lang::detail {

using Iter = const char*;

Iter token_end(Iter p, Iter end) {
  if (p == end) return p;
  if (lexical::is_identifier_start(*p)) return lexical::identifier_end(p, end);
  if (lexical::is_digit(*p)) {
    Iter q = p;
    while (q != end && (lexical::continues_number(*q) || *q == '/' ||
                        ((*q == '-' || *q == '+') && (q[-1] == 'e' || q[-1] == 'E'))))
      ++q;
    return q;
  }
  if (*p == lexical::kQuote) {
    Iter q = p + 1;
    while (q != end && *q != '\n' && *q != lexical::kQuote) {
      if (*q == lexical::kEscape && q + 1 != end && q[1] != '\n') ++q;
      ++q;
    }
    return q != end && *q == lexical::kQuote ? q + 1 : q;
  }
  for (std::string_view symbol : lexical::kTwoCharSymbols)
    if (end - p >= 2 && std::string_view(p, 2) == symbol) return p + 2;
  return p + 1;
}

Token previous_token(Iter from, Iter limit, Iter end) {
  Token last;
  Iter p = lexical::skip_trivia(from, end);
  while (p < limit && p != end) {
    Iter e = token_end(p, end);
    if (e > limit) break;
    last = {p, e};
    p = lexical::skip_trivia(e, end);
  }
  return last;
}

std::string quote(Iter b, Iter e) {
  std::string text(b, e);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "'" + text + "'";
}

bool same_line(Iter a, Iter b) { return std::find(std::min(a, b), std::max(a, b), '\n') == std::max(a, b); }

namespace {

/// A misspelled statement keyword ("agnet", "sned"): recovery stops there too, so that
/// every misspelled statement is reported, not only the first of a run.
bool close_to_statement_keyword(std::string_view w) {
  static const std::vector<std::string> words(lexical::kStatementKeywords.begin(), lexical::kStatementKeywords.end());
  return closest_match(w, words).has_value();
}

/// The words that may begin a data item or follow a field's type.
constexpr std::array<std::string_view, 6> kDataWords = {"rows", "category", "neighbouring", "field", "prior", "given"};

}  // namespace

Iter recover(Iter start, Iter end) {
  Iter p = lexical::skip_trivia(start, end);
  p = token_end(p, end);  // the statement's own keyword
  int depth = 0;
  char previous = 0;
  while (true) {
    Iter before = p;
    p = lexical::skip_trivia(p, end);
    if (p == end) return end;
    // A token starts a line when a newline separates it from the previous token.
    bool line_start = std::find(before, p, '\n') != p;
    Iter e = token_end(p, end);
    if (lexical::is_identifier_start(*p)) {
      std::string_view w(p, static_cast<std::size_t>(e - p));
      bool column_one = p > start && p[-1] == '\n';
      if (lexical::is_statement_keyword(w) ||
          ((line_start || column_one) && w.size() <= 16 && close_to_statement_keyword(w))) {
        Iter after = lexical::skip_trivia(e, end);
        bool colon = after != end && *after == ':';
        if (depth == 0 && (line_start || previous == '}') && !colon) return p;
        if (column_one && !colon) return p;
      }
      previous = 'a';
    } else {
      char c = *p;
      if (c == '{' || c == '(' || c == '[') ++depth;
      if ((c == '}' || c == ')' || c == ']') && depth > 0) --depth;
      previous = c;
    }
    p = e;
  }
}

std::vector<Typo> data_typos(Iter from, Iter end) {
  static const std::vector<std::string> words(kDataWords.begin(), kDataWords.end());
  std::vector<Typo> out;
  int depth = 0;
  std::string_view previous;
  for (Iter p = lexical::skip_trivia(from, end); p != end && out.size() < 50; p = lexical::skip_trivia(p, end)) {
    Iter e = token_end(p, end);
    std::string_view w(p, static_cast<std::size_t>(e - p));
    if (w == "{" || w == "[" || w == "(") ++depth;
    if (w == "}" || w == "]" || w == ")") --depth;
    if (depth < 0) break;  // the end of the data block
    bool name = previous == ":" || previous == "field" || previous == "given" || previous == "category";
    if (depth == 0 && lexical::is_identifier_start(*p) && !name && !lexical::is_one_of(kDataWords, w) &&
        !lexical::is_statement_keyword(w)) {
      if (auto m = closest_match(w, words)) {
        out.push_back({{p, e}, *m});
        previous = "field";  // the word after a misspelled 'field' is a name: no second report
        p = e;
        continue;
      }
    }
    if (depth == 0 && lexical::is_identifier_start(*p) && lexical::is_statement_keyword(w) && w != "category") break;
    previous = w;
    p = e;
  }
  return out;
}

}  // namespace privflow::lang::detail
