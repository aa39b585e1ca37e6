#pragma once
// The parser's error vocabulary and recovery (lang/parse_recovery.cpp): the tokens that
// messages quote, where a statement resumes after an error, and the misspelt words of a data
// block. They scan with the lexical rules of lang/lexical.hpp, like the grammar.
#include <string>
#include <string_view>
#include <vector>

namespace privflow::lang::detail {

/// A token for messages: [begin, end).
struct Token {
  const char* begin = nullptr;
  const char* end = nullptr;
};

/// The end of the token starting at p (p is not trivia). A number runs over the characters
/// that would continue it, so that a message quotes a malformed one whole.
const char* token_end(const char* p, const char* end);
/// The last token that ends at or before `limit`, scanning from `from`.
Token previous_token(const char* from, const char* limit, const char* end);
/// [begin, end) in single quotes, shortened past 40 characters.
std::string quote(const char* begin, const char* end);
/// No line break between a and b.
bool same_line(const char* a, const char* b);

/// Where the statement beginning at `start` should resume after an error: the next
/// statement keyword (or a word one edit from one) at brace depth 0 that starts a line or
/// follows `}`; or, to survive a missing `}`, one at the very start of a line not followed by ':'.
const char* recover(const char* start, const char* end);

/// A misspelled word of a data block ("rowz", "feild", "prir") with its suggestion.
struct Typo {
  Token at;
  std::string suggestion;
};
/// The misspelled data words of a data block from `from` (a place where a data item or its
/// end is expected) to the block's closing brace: words at the block's own level that are no
/// name (names follow ':', 'field', 'given' or 'category') and are one or two edits from a
/// data word. The parser stops at the first; these are reported together.
std::vector<Typo> data_typos(const char* from, const char* end);

}  // namespace privflow::lang::detail
