#pragma once
// One sink for the messages of a file: errors, warnings and notes with their spans,
// sorted by location and printed as a compiler does:
//   spec.pflow:12:16: error: agent 'sever' is not declared; did you mean 'server'?
//      12 | send update to sever via secure_aggregation(threshold: 15)
//         |                ^~~~~
#include <fmt/format.h>

#include <ostream>
#include <string>
#include <vector>

#include "flow/graph.hpp"
#include "lang/source.hpp"

namespace privflow::lang {

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  flow::Span span;  // begin/end offsets; line/column filled in from the source
  std::string message;
  std::vector<Diagnostic> notes;  // attached `note:` lines (suggestions, other places)
};

class Diagnostics {
 public:
  explicit Diagnostics(const SourceFile& source) : source_(&source) {}

  /// Adds a message at the byte range [begin, end) and returns it so notes can be attached.
  Diagnostic& error(std::size_t begin, std::size_t end, std::string message);
  Diagnostic& warning(std::size_t begin, std::size_t end, std::string message);
  Diagnostic& error(const flow::Span& span, std::string message) { return error(span.begin, span.end, std::move(message)); }
  Diagnostic& warning(const flow::Span& span, std::string message) { return warning(span.begin, span.end, std::move(message)); }
  /// Attaches a note at a span (or with no location when begin == end == 0 and `located` false).
  void note(Diagnostic& to, const flow::Span& span, std::string message, bool located = true);

  template <class... Args>
  Diagnostic& error(const flow::Span& span, fmt::format_string<Args...> f, Args&&... args) {
    return error(span, fmt::format(f, std::forward<Args>(args)...));
  }
  template <class... Args>
  Diagnostic& warning(const flow::Span& span, fmt::format_string<Args...> f, Args&&... args) {
    return warning(span, fmt::format(f, std::forward<Args>(args)...));
  }

  bool has_errors() const { return error_count() > 0; }
  std::size_t error_count() const;
  std::size_t warning_count() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  const SourceFile& source() const { return *source_; }

  /// Prints every message sorted by location (stable), each with its source line and a
  /// caret underline, then the notes. Control characters in the source are escaped; a long
  /// line is shown as a window around the span, so the output is linear in the input.
  void print(std::ostream& out, bool color = false) const;

  /// Errors and warnings print() shows at most (the rest are counted, not shown).
  std::size_t max_printed = 200;

  /// Fills line/column of a span from its begin offset.
  flow::Span span(std::size_t begin, std::size_t end) const;

 private:
  const SourceFile* source_;
  std::vector<Diagnostic> items_;
};

}  // namespace privflow::lang
