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

void Diagnostics::print(std::ostream& out, bool color) const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Diagnostic* a, const Diagnostic* b) { return a->span.begin < b->span.begin; });
  const std::string path = printable(source_->path());
  auto print_one = [&](const Diagnostic& d) {
    const char* bold = color ? "\x1b[1m" : "";
    const char* reset = color ? "\x1b[0m" : "";
    if (d.span.line == 0) {
      out << bold << path << ":" << reset << " " << (color ? severity_color(d.severity) : "")
          << severity_name(d.severity) << ":" << reset << " " << printable(d.message) << "\n";
      return;
    }
    out << bold << path << ":" << d.span.line << ":" << d.span.column << ":" << reset << " "
        << (color ? severity_color(d.severity) : "") << severity_name(d.severity) << ":" << reset << " "
        << printable(d.message) << "\n";
    std::string text = printable(source_->line_text(d.span.line));
    std::string number = std::to_string(d.span.line);
    out << " " << std::string(number.size() < 4 ? 4 - number.size() : 0, ' ') << number << " | " << text << "\n";
    std::size_t column = d.span.column - 1;
    std::size_t line_end = d.span.begin - column + source_->line_text(d.span.line).size();
    std::size_t width = std::max<std::size_t>(1, std::min<std::size_t>(d.span.end, line_end) - d.span.begin);
    // Escaped control characters widen the printed line: align the caret to the printed text.
    std::string prefix = printable(source_->line_text(d.span.line).substr(0, std::min(column, text.size())));
    out << " " << std::string(std::max<std::size_t>(number.size(), 4), ' ') << " | "
        << std::string(prefix.size(), ' ') << (color ? "\x1b[1;32m" : "") << "^" << std::string(width - 1, '~')
        << reset << "\n";
  };
  for (const Diagnostic* d : sorted) {
    print_one(*d);
    for (const auto& n : d->notes) print_one(n);
  }
  std::size_t errors = error_count(), warnings = warning_count();
  if (errors > 0)
    out << errors << (errors == 1 ? " error" : " errors") << " generated.\n";
  else if (warnings > 0)
    out << warnings << (warnings == 1 ? " warning" : " warnings") << " generated.\n";
}

}  // namespace privflow::lang
