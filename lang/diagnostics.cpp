#include "lang/diagnostics.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace privflow::lang {
namespace {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "?";
}

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::kError: return "\x1b[1;31m";
    case Severity::kWarning: return "\x1b[1;35m";
    case Severity::kNote: return "\x1b[1;36m";
  }
  return "";
}

}  // namespace

flow::Span Diagnostics::span(std::size_t begin, std::size_t end) const {
  auto lc = source_->line_col(begin);
  return flow::Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(std::max(begin, end)), lc.line,
                    lc.column};
}

Diagnostic& Diagnostics::error(std::size_t begin, std::size_t end, std::string message) {
  items_.push_back(Diagnostic{Severity::kError, span(begin, end), std::move(message), {}});
  return items_.back();
}

Diagnostic& Diagnostics::warning(std::size_t begin, std::size_t end, std::string message) {
  items_.push_back(Diagnostic{Severity::kWarning, span(begin, end), std::move(message), {}});
  return items_.back();
}

void Diagnostics::note(Diagnostic& to, const flow::Span& at, std::string message, bool located) {
  Diagnostic n{Severity::kNote, located ? span(at.begin, at.end) : flow::Span{}, std::move(message), {}};
  to.notes.push_back(std::move(n));
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

std::size_t Diagnostics::warning_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kWarning; }));
}

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// Characters (code points) of printable text, which is valid UTF-8: where a caret goes.
std::size_t char_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

// The part of a line a diagnostic echoes: the whole line when short, else a window around
// the span cut at UTF-8 boundaries and marked "...", so that output stays linear in the input.
struct Excerpt {
  std::string text;
  std::size_t caret = 0, width = 1;  // in characters of `text`
};

constexpr std::size_t kShortLine = 240, kContext = 100;

Excerpt excerpt(std::string_view line, std::size_t column, std::size_t span_bytes) {
  column = std::min(column, line.size());
  std::size_t from = 0, to = line.size();
  if (line.size() > kShortLine) {
    from = column > kContext ? column - kContext : 0;
    to = std::min(line.size(), column + std::min(span_bytes, kContext) + kContext);
    while (from > 0 && is_continuation(line[from])) --from;
    while (to < line.size() && is_continuation(line[to])) ++to;
  }
  const std::string lead = from > 0 ? "..." : "";
  Excerpt e;
  e.text = lead + printable(line.substr(from, to - from)) + (to < line.size() ? "..." : "");
  e.caret = char_count(lead) + char_count(printable(line.substr(from, column - from)));
  std::size_t span_end = std::min(to, column + span_bytes);
  e.width = std::max<std::size_t>(1, char_count(printable(line.substr(column, span_end - column))));
  return e;
}

// A message quotes what the spec wrote: long ones are cut (at a UTF-8 boundary).
std::string shown_message(const std::string& message) {
  constexpr std::size_t kMax = 1000;
  if (message.size() <= kMax) return printable(message);
  std::size_t cut = kMax;
  while (cut > 0 && is_continuation(message[cut])) --cut;
  return printable(std::string_view(message).substr(0, cut)) + "...";
}

}  // namespace

void Diagnostics::print(std::ostream& out, bool color) const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Diagnostic* a, const Diagnostic* b) { return a->span.begin < b->span.begin; });
  const std::string path = printable(source_->path());
  auto print_one = [&](const Diagnostic& d) {
    const char* bold = color ? "\x1b[1m" : "";
    const char* reset = color ? "\x1b[0m" : "";
    out << bold << path << ":";
    if (d.span.line != 0) out << d.span.line << ":" << d.span.column << ":";
    out << reset << " " << (color ? severity_color(d.severity) : "") << severity_name(d.severity) << ":" << reset
        << " " << shown_message(d.message) << "\n";
    if (d.span.line == 0) return;
    std::string_view line = source_->line_text(d.span.line);
    std::size_t column = d.span.column - 1;
    std::size_t line_end = d.span.begin - column + line.size();
    std::size_t span_bytes = std::min<std::size_t>(d.span.end, line_end) - std::min<std::size_t>(d.span.begin, line_end);
    Excerpt e = excerpt(line, column, span_bytes);
    std::string number = std::to_string(d.span.line);
    out << " " << std::string(number.size() < 4 ? 4 - number.size() : 0, ' ') << number << " | " << e.text << "\n";
    out << " " << std::string(std::max<std::size_t>(number.size(), 4), ' ') << " | " << std::string(e.caret, ' ')
        << (color ? "\x1b[1;32m" : "") << "^" << std::string(e.width - 1, '~') << reset << "\n";
  };
  // At most max_printed errors and warnings are shown (their count is still given): a file
  // full of mistakes must not print without bound.
  std::size_t shown = 0;
  for (const Diagnostic* d : sorted) {
    if (d->severity != Severity::kNote && shown++ >= max_printed) continue;
    print_one(*d);
    for (const auto& n : d->notes) print_one(n);
  }
  std::size_t errors = error_count(), warnings = warning_count();
  if (shown > max_printed)
    out << path << ": note: " << shown - max_printed << " more errors and warnings are not shown (the first "
        << max_printed << " are)\n";
  if (errors > 0)
    out << errors << (errors == 1 ? " error" : " errors") << " generated.\n";
  else if (warnings > 0)
    out << warnings << (warnings == 1 ? " warning" : " warnings") << " generated.\n";
}

}  // namespace privflow::lang
