#include "lang/format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "lang/lexical.hpp"

namespace privflow::lang {
namespace {

// ---------------------------------------------------------------------------------------
// Lexer: tokens with the comments and blank lines around them, by the lexical rules the
// grammar uses (lang/lexical.hpp).
// ---------------------------------------------------------------------------------------

enum class Kind { kIdent, kNumber, kString, kPunct, kEnd };

struct Comment {
  std::string text;           // from `#` or `//` to the end of the line, trailing space removed
  bool blank_before = false;  // an empty line separates it from what came before
};

struct Lexeme {
  Kind kind = Kind::kEnd;
  std::string text;
  std::size_t begin = 0, end = 0;
  bool glued_left = false;             // written with nothing between it and the previous token
  bool blank_before = false;           // an empty line between it and the previous token/comment
  std::vector<Comment> leading;        // own-line comments just before it
  std::optional<std::string> trailing; // a comment after it on the same line
};

using lexical::is_digit;
using lexical::is_identifier_char;
using lexical::is_identifier_start;

std::string rstrip(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) --n;
  return std::string(s.substr(0, n));
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";  // a UTF-8 byte order mark

/// Splits a spec into tokens with the comments and blank lines around them. Lexical errors
/// go to the diagnostics.
class Lexer {
 public:
  Lexer(std::string_view text, Diagnostics& diags, std::vector<Lexeme>& out)
      : text_(text), n_(text.size()), diags_(diags), out_(out) {}

  /// Every token (the last one is kEnd, holding the comments at the end of the file); false
  /// when there was a lexical error.
  bool run() {
    std::size_t i = text_.substr(0, 3) == kBom ? 3 : 0;  // check accepts a BOM too
    while (i < n_) i = next(i);
    Lexeme end;
    end.kind = Kind::kEnd;
    end.begin = end.end = n_;
    end.blank_before = any_item_ && newlines_ >= 2;
    end.leading = std::move(pending_);
    out_.push_back(std::move(end));
    return ok_;
  }

 private:
  std::string_view text_;
  std::size_t n_;
  Diagnostics& diags_;
  std::vector<Lexeme>& out_;
  bool ok_ = true;
  int newlines_ = 0;         // line breaks since the previous token or comment
  bool any_item_ = false;    // a token or comment was seen
  bool last_was_token_ = false;
  std::vector<Comment> pending_;
  std::size_t prev_end_ = static_cast<std::size_t>(-1);

  const char* at(std::size_t i) const { return text_.data() + i; }
  const char* end() const { return text_.data() + n_; }
  std::size_t offset_of(const char* p) const { return static_cast<std::size_t>(p - text_.data()); }

  void push(Kind kind, std::size_t b, std::size_t e) {
    Lexeme t;
    t.kind = kind;
    t.text = std::string(text_.substr(b, e - b));
    t.begin = b;
    t.end = e;
    t.glued_left = (prev_end_ == b);
    t.blank_before = any_item_ && newlines_ >= 2;
    t.leading = std::move(pending_);
    pending_.clear();
    out_.push_back(std::move(t));
    newlines_ = 0;
    any_item_ = true;
    last_was_token_ = true;
    prev_end_ = e;
  }

  /// Lexes what starts at i; returns where the next thing starts.
  std::size_t next(std::size_t i) {
    const char c = text_[i];
    if (c == '\n') {
      ++newlines_;
      return i + 1;
    }
    if (c == ' ' || c == '\t' || c == '\r') return i + 1;
    if (lexical::starts_comment(at(i), end())) return comment(i);
    if (is_identifier_start(c)) {
      const std::size_t e = offset_of(lexical::identifier_end(at(i), end()));
      push(Kind::kIdent, i, e);
      return e;
    }
    if (is_digit(c)) return number(i);
    if (c == lexical::kQuote) return string(i);
    // No rule of the language puts '*' right after '/' or before it: this is a C comment,
    // which fmt must not turn into "/ * x * /" (check would then report other errors).
    if (text_.substr(i, 2) == "/*" || text_.substr(i, 2) == "*/") {
      diags_.error(i, i + 2,
                   fmt::format("'{}': block comments are not part of the language (comments start with // or #)",
                               text_.substr(i, 2)));
      ok_ = false;
      return i + 2;
    }
    for (auto symbol : lexical::kTwoCharSymbols)
      if (text_.substr(i, 2) == symbol) {
        push(Kind::kPunct, i, i + 2);
        return i + 2;
      }
    if (lexical::kOneCharSymbols.find(c) != std::string_view::npos) {
      push(Kind::kPunct, i, i + 1);
      return i + 1;
    }
    return unknown_run(i);
  }

  std::size_t comment(std::size_t i) {
    const std::size_t e = offset_of(lexical::comment_end(at(i), end()));
    std::string body = rstrip(text_.substr(i, e - i));
    if (last_was_token_ && newlines_ == 0 && !out_.empty()) {
      out_.back().trailing = std::move(body);
    } else {
      pending_.push_back(Comment{std::move(body), any_item_ && newlines_ >= 2});
    }
    newlines_ = 0;
    any_item_ = true;
    last_was_token_ = false;
    prev_end_ = static_cast<std::size_t>(-1);
    return e;
  }

  /// The grammar's decimal; `1/3` and `-1` are three and two tokens here, spaced by the layout.
  std::size_t number(std::size_t b) {
    std::size_t i = offset_of(lexical::decimal_end(at(b), end()));
    if (i < n_ && (is_identifier_char(text_[i]) || (text_[i] == '.' && i + 1 < n_ && is_digit(text_[i + 1])))) {
      i = offset_of(lexical::malformed_number_end(at(b), end()));
      diags_.error(b, i, fmt::format("malformed number '{}'", text_.substr(b, i - b)));
      ok_ = false;
    }
    push(Kind::kNumber, b, i);
    return i;
  }

  std::size_t string(std::size_t b) {
    std::size_t i = b + 1;
    bool closed = false;
    while (i < n_ && text_[i] != '\n') {
      if (text_[i] == lexical::kEscape) {
        if (i + 1 < n_ && lexical::is_escapable(text_[i + 1])) {
          i += 2;
          continue;
        }
        diags_.error(i, i + 2 <= n_ ? i + 2 : n_, "unknown escape in string (only \\\" and \\\\ are allowed)");
        ok_ = false;
        ++i;
        continue;
      }
      if (text_[i] == lexical::kQuote) {
        ++i;
        closed = true;
        break;
      }
      ++i;
    }
    if (!closed) {
      std::size_t e = i;
      if (e > b && text_[e - 1] == '\r') --e;
      diags_.error(b, e, "unterminated string (a string ends on its own line)");
      ok_ = false;
    }
    push(Kind::kString, b, i);
    return i;
  }

  /// No token of the language starts at `i`.
  bool unknown(std::size_t i) const {
    const char ch = text_[i];
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x80) return true;
    if (ch == '!') return !(i + 1 < n_ && text_[i + 1] == '=');
    return !std::isalnum(u) && std::string_view(" \t\r\n_\"#").find(ch) == std::string_view::npos &&
           lexical::kOneCharSymbols.find(ch) == std::string_view::npos;
  }

  std::size_t sequence_end(std::size_t from) const {
    std::size_t to = from + 1;
    if (static_cast<unsigned char>(text_[from]) >= 0xC0)
      while (to < n_ && (static_cast<unsigned char>(text_[to]) & 0xC0) == 0x80) ++to;
    return to;
  }

  /// Unknown characters: a whole UTF-8 sequence counts as one, and a run of them is one
  /// error (a line of binary must not print a diagnostic per byte).
  std::size_t unknown_run(std::size_t i) {
    std::size_t e = sequence_end(i), chars = 1;
    while (e < n_ && unknown(e)) e = sequence_end(e), ++chars;
    std::string shown;
    for (std::size_t k = i; k < e && k < i + 8; ++k)
      shown += fmt::format("\\x{:02X}", static_cast<unsigned char>(text_[k]));
    const char c = text_[i];
    if (e == i + 1 && static_cast<unsigned char>(c) >= 0x21 && static_cast<unsigned char>(c) < 0x7F)
      shown = std::string(1, c);
    if (chars == 1)
      diags_.error(i, e, fmt::format("unexpected character '{}'", shown));
    else
      diags_.error(i, e, fmt::format("{} unexpected characters '{}{}'", chars, shown, e - i > 8 ? "…" : ""));
    ok_ = false;
    return e;
  }
};

/// Splits `text` into tokens (the last one is kEnd, holding the comments at the end of the
/// file). Lexical errors go to `diags`; returns false when there was any.
bool lex(std::string_view text, Diagnostics& diags, std::vector<Lexeme>& out) { return Lexer(text, diags, out).run(); }

// ---------------------------------------------------------------------------------------
// Structure: statements and the brackets inside them.
// ---------------------------------------------------------------------------------------

bool is(const Lexeme& t, std::string_view text) { return t.kind != Kind::kString && t.text == text; }

bool is_statement_keyword(const Lexeme& t) { return t.kind == Kind::kIdent && lexical::is_statement_keyword(t.text); }

bool is_expression_keyword(const Lexeme& t) { return t.kind == Kind::kIdent && lexical::is_expression_keyword(t.text); }

int depth_change(const Lexeme& t) {
  if (t.kind != Kind::kPunct) return 0;
  if (t.text == "{" || t.text == "[" || t.text == "(") return 1;
  if (t.text == "}" || t.text == "]" || t.text == ")") return -1;
  return 0;
}

/// Statement ranges [begin, end) over tokens [0, count): a statement starts at a statement
/// keyword outside any bracket (and the file's first token starts one in any case).
std::vector<std::pair<std::size_t, std::size_t>> statements(const std::vector<Lexeme>& toks, std::size_t count) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  int depth = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (i == 0 || (depth == 0 && is_statement_keyword(toks[i]))) {
      if (!out.empty()) out.back().second = i;
      out.push_back({i, count});
    }
    depth = std::max(0, depth + depth_change(toks[i]));
  }
  return out;
}

/// The index of the bracket closing the one at `open`, or `limit` when it is not closed
/// before `limit`.
std::size_t matching(const std::vector<Lexeme>& toks, std::size_t open, std::size_t limit) {
  int depth = 0;
  for (std::size_t i = open; i < limit; ++i) {
    depth += depth_change(toks[i]);
    if (depth == 0) return i;
  }
  return limit;
}

/// The first token `text` at the statement's own bracket depth in [begin, end), or end.
std::size_t find_top(const std::vector<Lexeme>& toks, std::size_t begin, std::size_t end, std::string_view text) {
  int depth = 0;
  for (std::size_t i = begin; i < end; ++i) {
    if (depth == 0 && is(toks[i], text) && toks[i].kind == Kind::kPunct) return i;
    depth = std::max(0, depth + depth_change(toks[i]));
  }
  return end;
}

/// Splits (open, close) at commas one level inside `open`: the ranges of the items,
/// each without its comma.
std::vector<std::pair<std::size_t, std::size_t>> split_commas(const std::vector<Lexeme>& toks, std::size_t open,
                                                              std::size_t close) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i < close; ++i) {
    if (depth == 0 && is(toks[i], ",")) {
      out.push_back({start, i});
      start = i + 1;
    }
    depth = std::max(0, depth + depth_change(toks[i]));
  }
  if (start < close || !out.empty()) out.push_back({start, close});
  return out;
}

// ---------------------------------------------------------------------------------------
// Spacing between two tokens written on one line.
// ---------------------------------------------------------------------------------------

bool ends_operand(const Lexeme& t) {
  if (t.kind == Kind::kIdent) return !is_expression_keyword(t);
  if (t.kind == Kind::kNumber || t.kind == Kind::kString) return true;
  return is(t, ")") || is(t, "]") || is(t, "}");
}

class Spacing {
 public:
  explicit Spacing(const std::vector<Lexeme>& toks) : toks_(toks) {}

  /// `-` with no operand before it (negation), written tight to its operand.
  bool unary(std::size_t i) const { return is(toks_[i], "-") && (i == 0 || !ends_operand(toks_[i - 1])); }

  /// `/` between two numbers written without spaces is the exact ratio `1/3`: kept tight.
  /// Written with spaces it stays spaced (inside `map` it is floor division).
  bool ratio(std::size_t i) const {
    return is(toks_[i], "/") && i > 0 && i + 1 < toks_.size() && toks_[i - 1].kind == Kind::kNumber &&
           toks_[i + 1].kind == Kind::kNumber && toks_[i].glued_left && toks_[i + 1].glued_left;
  }

  bool space_before(std::size_t i) const {
    if (i == 0) return false;
    const Lexeme& a = toks_[i - 1];
    const Lexeme& b = toks_[i];
    if (b.kind == Kind::kPunct) {
      if (b.text == "," || b.text == ":" || b.text == ";" || b.text == ")" || b.text == "]" || b.text == "}")
        return false;
      // `D.f`: tight between names only, so that `0 .5` never becomes the number `0.5`.
      if (b.text == "." && a.kind == Kind::kIdent) return false;
    }
    if (a.kind == Kind::kPunct) {
      if (a.text == "." && b.kind == Kind::kIdent) return false;
      if (a.text == "(" || a.text == "[" || a.text == "{") return false;
      if (a.text == "-" && unary(i - 1)) return false;
      if (a.text == "/" && ratio(i - 1)) return false;
    }
    if (ratio(i)) return false;
    if (is(b, "(") && b.kind == Kind::kPunct) return !(a.kind == Kind::kIdent && !is_expression_keyword(a));
    if (is(b, "[") && b.kind == Kind::kPunct) return !(a.kind == Kind::kIdent && a.text != "in");
    return true;
  }

  /// Width of tokens [b, e) on one line (comments ignored), from `b` without a space before it.
  std::size_t width(std::size_t b, std::size_t e) const {
    std::size_t w = 0;
    for (std::size_t i = b; i < e; ++i) w += toks_[i].text.size() + (i > b && space_before(i) ? 1 : 0);
    return w;
  }

  /// True when a token in [b, e) carries a comment that would force a line break inside the
  /// range (leading comments of b and a trailing comment of e-1 are outside it).
  bool has_inner_comments(std::size_t b, std::size_t e) const {
    for (std::size_t i = b; i < e; ++i) {
      if (i > b && !toks_[i].leading.empty()) return true;
      if (i + 1 < e && toks_[i].trailing) return true;
    }
    return false;
  }

 private:
  const std::vector<Lexeme>& toks_;
};

// ---------------------------------------------------------------------------------------
// Printer
// ---------------------------------------------------------------------------------------

constexpr int kStatementContinuation = 4;
constexpr int kItemIndent = 2;

class Printer {
 public:
  Printer(const std::vector<Lexeme>& toks, std::size_t width) : toks_(toks), sp_(toks), width_(width) {}

  std::string run() {
    std::size_t count = toks_.size() - 1;  // without the end token
    for (auto [b, e] : statements(toks_, count)) statement(b, e);
    const Lexeme& end = toks_.back();
    if (!end.leading.empty()) {
      flush_if_open();
      comments(end.leading, 0, true);
    }
    flush_if_open();
    return out_;
  }

 private:
  // --- emission ---------------------------------------------------------------------

  std::string spaces(int n) const { return std::string(static_cast<std::size_t>(std::max(0, n)), ' '); }

  void flush() {
    out_ += rstrip(line_);
    out_ += '\n';
    line_.clear();
    need_break_ = false;
  }
  void flush_if_open() {
    if (!line_.empty()) flush();
  }
  void blank_line() {
    if (out_.empty()) return;
    if (out_.size() >= 2 && out_.compare(out_.size() - 2, 2, "\n\n") == 0) return;
    out_ += '\n';
  }
  /// Starts a fresh line at `indent` for the next token; blank lines before it are kept
  /// (at most one) when `allow_blank`.
  void start_line(int indent, int continuation, bool allow_blank) {
    flush_if_open();
    indent_ = indent;
    cont_ = continuation;
    allow_blank_ = allow_blank;
  }
  void comments(const std::vector<Comment>& list, int indent, bool allow_blank) {
    for (const Comment& c : list) {
      if (c.blank_before && allow_blank) blank_line();
      out_ += spaces(indent) + c.text + '\n';
    }
  }

  /// Writes token i, with a space before it when `space` and the line already has text.
  void emit(std::size_t i, bool space, bool skip_leading = false) {
    const Lexeme& t = toks_[i];
    if (!t.leading.empty() && !skip_leading) {
      int col = line_.empty() ? indent_ : cont_;
      flush_if_open();
      comments(t.leading, col, allow_blank_);
      indent_ = col;
    } else if (need_break_) {
      flush();
      indent_ = cont_;
    }
    if (line_.empty()) {
      if (t.blank_before && allow_blank_) blank_line();
      line_ = spaces(indent_) + t.text;
    } else {
      if (space) line_ += ' ';
      line_ += t.text;
    }
    allow_blank_ = false;
    if (t.trailing) {
      line_ += "  ";
      line_ += *t.trailing;
      need_break_ = true;
    }
  }
  void emit_range(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) emit(i, sp_.space_before(i));
  }
  /// A token dropped from the output (a separator in a property block): its comments stay.
  void drop(std::size_t i, int comment_indent) {
    const Lexeme& t = toks_[i];
    if (!t.leading.empty()) {
      flush_if_open();
      comments(t.leading, comment_indent, false);
    }
    if (t.trailing) {
      if (line_.empty() || need_break_) {  // the line already ends with a comment
        flush_if_open();
        out_ += spaces(comment_indent) + *t.trailing + '\n';
      } else {
        line_ += "  ";
        line_ += *t.trailing;
        need_break_ = true;
      }
    }
  }
  std::size_t column() const { return line_.size(); }

  // --- statements -------------------------------------------------------------------

  void statement(std::size_t b, std::size_t e) {
    start_line(0, kStatementContinuation, true);
    const Lexeme& head = toks_[b];
    if (head.kind == Kind::kIdent) {
      if (head.text == "data" && data_statement(b, e)) return;
      if ((head.text == "settings" || head.text == "agent") && block_statement(b, e)) return;
      if ((head.text == "compute" || head.text == "send") && call_statement(b, e)) return;
    }
    emit_range(b, e);
  }

  /// `data D "title" { item... }`: one item per line.
  bool data_statement(std::size_t b, std::size_t e) {
    std::size_t open = find_top(toks_, b, e, "{");
    if (open == e) return false;
    std::size_t close = matching(toks_, open, e);
    if (close == e || close + 1 != e) return false;
    emit_range(b, open + 1);
    // Items start at rows / neighbouring / field, or `category` followed by `:`.
    std::vector<std::size_t> starts;
    int depth = 0;
    for (std::size_t i = open + 1; i < close; ++i) {
      bool item = depth == 0 && toks_[i].kind == Kind::kIdent &&
                  (toks_[i].text == "rows" || toks_[i].text == "neighbouring" || toks_[i].text == "field" ||
                   (toks_[i].text == "category" && i + 1 < close && is(toks_[i + 1], ":")));
      if (i == open + 1 || item) starts.push_back(i);
      depth = std::max(0, depth + depth_change(toks_[i]));
    }
    for (std::size_t k = 0; k < starts.size(); ++k) {
      std::size_t ib = starts[k], ie = k + 1 < starts.size() ? starts[k + 1] : close;
      start_line(kItemIndent, kItemIndent + 4, k > 0);
      if (!(is(toks_[ib], "field") && given_item(ib, ie))) emit_range(ib, ie);
    }
    close_block(close, kItemIndent);
    return true;
  }

  /// A field with a `given` table, when it is too long for one line or has comments inside
  /// the table: one table entry per line.
  bool given_item(std::size_t b, std::size_t e) {
    std::size_t g = e;
    int depth = 0;
    for (std::size_t i = b; i < e; ++i) {
      if (depth == 0 && is(toks_[i], "given") && toks_[i].kind == Kind::kIdent) {
        g = i;
        break;
      }
      depth = std::max(0, depth + depth_change(toks_[i]));
    }
    if (g == e || g + 2 >= e || !is(toks_[g + 2], "{")) return false;
    std::size_t open = g + 2, close = matching(toks_, open, e);
    if (close == e) return false;
    bool fits = kItemIndent + sp_.width(b, e) <= width_;
    if (fits && !sp_.has_inner_comments(open, close + 1)) return false;
    emit_range(b, open + 1);
    auto entries = split_commas(toks_, open, close);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      auto [eb, ee] = entries[k];
      start_line(kItemIndent + 2, kItemIndent + 6, false);
      emit_range(eb, ee);
      if (ee < close) emit(ee, false);  // the comma
    }
    close_block(close, kItemIndent + 2, kItemIndent);
    emit_range(close + 1, e);
    return true;
  }

  /// `settings { p: v, ... }` and `agent A { p: v, ... }`: on one line when it fits and has
  /// no comments inside, else one property per line.
  bool block_statement(std::size_t b, std::size_t e) {
    std::size_t open = find_top(toks_, b, e, "{");
    if (open == e) return false;
    std::size_t close = matching(toks_, open, e);
    if (close == e || close + 1 != e) return false;
    // Properties: IDENT ':' value, each optionally followed by ',' and then ';'.
    struct Prop {
      std::size_t b, e;
      std::vector<std::size_t> separators;
    };
    std::vector<Prop> props;
    std::size_t i = open + 1;
    while (i < close) {
      if (toks_[i].kind != Kind::kIdent || i + 1 >= close || !is(toks_[i + 1], ":")) return false;
      std::size_t pb = i;
      i += 2;
      int depth = 0;
      while (i < close) {
        if (depth == 0 && (is(toks_[i], ",") || is(toks_[i], ";"))) break;
        if (depth == 0 && i > pb + 2 && toks_[i].kind == Kind::kIdent && i + 1 < close && is(toks_[i + 1], ":"))
          break;
        depth = std::max(0, depth + depth_change(toks_[i]));
        ++i;
      }
      Prop p{pb, i, {}};
      if (p.e == pb + 2) return false;  // no value
      if (i < close && is(toks_[i], ",")) p.separators.push_back(i++);
      if (i < close && is(toks_[i], ";")) p.separators.push_back(i++);
      props.push_back(std::move(p));
    }
    // One line: header { p: v, q: w }
    bool inline_ok = !sp_.has_inner_comments(b, close + 1);
    std::size_t w = sp_.width(b, open) + 2;  // "header {"
    if (props.empty()) {
      w += 1;
    } else {
      w += 1;
      for (std::size_t k = 0; k < props.size(); ++k) w += sp_.width(props[k].b, props[k].e) + (k ? 2 : 0);
      w += 2;
    }
    if (inline_ok && w <= width_) {
      emit_range(b, open);
      emit(open, true);
      for (std::size_t k = 0; k < props.size(); ++k) {
        if (k) line_ += ',';
        for (std::size_t j = props[k].b; j < props[k].e; ++j) emit(j, j == props[k].b ? true : sp_.space_before(j));
      }
      emit(close, !props.empty());
      return true;
    }
    emit_range(b, open + 1);
    for (std::size_t k = 0; k < props.size(); ++k) {
      const Prop& p = props[k];
      start_line(kItemIndent, kItemIndent + 4, k > 0);
      emit_range(p.b, p.e);
      for (std::size_t s : p.separators) drop(s, kItemIndent);
    }
    close_block(close, kItemIndent);
    return true;
  }

  /// The closing `}` of a block at `indent`, its own-line comments inside the block.
  void close_block(std::size_t close, int comment_indent, int indent = 0) {
    flush_if_open();
    if (!toks_[close].leading.empty()) comments(toks_[close].leading, comment_indent, false);
    start_line(indent, indent + kStatementContinuation, false);
    emit(close, false, /*skip_leading=*/true);
  }

  /// `compute X at A = k(args)` and `send X ... via c(args)`: the arguments filled up to the
  /// width, continuation lines aligned after the `(`.
  bool call_statement(std::size_t b, std::size_t e) {
    std::size_t open = find_top(toks_, b, e, "(");
    if (open == e) return false;
    std::size_t close = matching(toks_, open, e);
    if (close == e) return false;
    emit_range(b, open + 1);
    // Continuation lines align after the `(`, unless a comment follows it.
    cont_ = toks_[open].trailing ? kStatementContinuation : static_cast<int>(column());
    auto args = split_commas(toks_, open, close);
    for (std::size_t k = 0; k < args.size(); ++k) {
      auto [ab, ae] = args[k];
      std::size_t unit_end = ae < close ? ae + 1 : e;  // with its comma, or `)` and the rest
      if (k > 0 && !line_.empty() && !need_break_ && ab < unit_end &&
          column() + 1 + sp_.width(ab, unit_end) > width_)
        need_break_ = true;
      if (sp_.width(ab, unit_end) + static_cast<std::size_t>(std::max(0, cont_)) > width_) emit_filled(ab, unit_end);
      else emit_range(ab, unit_end);
    }
    if (args.empty()) emit_range(open + 1, e);
    return true;
  }

  /// An argument too long for one line (a `map` summing 140 fields, a long `coefficients`
  /// list): filled up to the width, each line broken before a binary `+` or `-` (between the
  /// expression's terms) or after a list's comma (between its elements).
  void emit_filled(std::size_t b, std::size_t e) {
    auto breakable = [&](std::size_t i) {
      if (i <= b || i >= e) return false;
      if (is(toks_[i - 1], ",")) return true;
      return (is(toks_[i], "+") || is(toks_[i], "-")) && ends_operand(toks_[i - 1]);
    };
    for (std::size_t i = b; i < e;) {
      std::size_t next = i + 1;
      while (next < e && !breakable(next)) ++next;
      if (breakable(i) && !line_.empty() && !need_break_ && column() + 1 + sp_.width(i, next) > width_)
        need_break_ = true;
      emit_range(i, next);
      i = next;
    }
  }

  const std::vector<Lexeme>& toks_;
  Spacing sp_;
  std::size_t width_;
  std::string out_, line_;
  int indent_ = 0, cont_ = kStatementContinuation;
  bool need_break_ = false, allow_blank_ = false;
};

/// What formatting must preserve: every token and comment in order, except the optional
/// separators between properties of `settings` and agent blocks.
std::vector<std::string> meaning(const std::vector<Lexeme>& toks) {
  std::vector<std::string> out;
  std::size_t count = toks.size() - 1;
  std::vector<bool> dropped(toks.size(), false);
  for (auto [b, e] : statements(toks, count)) {
    if (!(is(toks[b], "settings") || is(toks[b], "agent"))) continue;
    std::size_t open = find_top(toks, b, e, "{");
    if (open == e) continue;
    std::size_t close = matching(toks, open, e);
    int depth = 0;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (depth == 0 && (is(toks[i], ",") || is(toks[i], ";"))) dropped[i] = true;
      depth = std::max(0, depth + depth_change(toks[i]));
    }
  }
  for (std::size_t i = 0; i < toks.size(); ++i) {
    for (const Comment& c : toks[i].leading) out.push_back("#" + c.text);
    if (!dropped[i] && toks[i].kind != Kind::kEnd)
      out.push_back(std::to_string(static_cast<int>(toks[i].kind)) + toks[i].text);
    if (toks[i].trailing) out.push_back("#" + *toks[i].trailing);
  }
  return out;
}

}  // namespace

std::optional<std::string> format_spec(const SourceFile& source, Diagnostics& diags, const FormatOptions& options) {
  std::vector<Lexeme> toks;
  if (!lex(source.text(), diags, toks)) return std::nullopt;
  std::string result = Printer(toks, options.width).run();
  if (std::string_view(source.text()).substr(0, 3) == kBom) result = std::string(kBom) + result;  // kept as written

  // The safety net: the output must hold the same tokens and comments, in the same order.
  SourceFile again(source.path(), result);
  Diagnostics scratch(again);
  std::vector<Lexeme> toks2;
  if (!lex(result, scratch, toks2) || meaning(toks) != meaning(toks2)) {
    diags.error(0, 0, "internal error: formatting would change this spec; it was left as it is (please report this)");
    return std::nullopt;
  }
  return result;
}

}  // namespace privflow::lang
