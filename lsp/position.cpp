#include "lsp/position.hpp"

#include <algorithm>

namespace privflow::lsp {

std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  return 1;
}

namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Bytes of the character at `at` that is really there: a truncated sequence counts byte by byte.
std::size_t char_length(std::string_view text, std::size_t at) {
  std::size_t n = utf8_length(static_cast<unsigned char>(text[at]));
  if (at + n > text.size()) return 1;
  for (std::size_t i = 1; i < n; ++i)
    if (!is_continuation(static_cast<unsigned char>(text[at + i]))) return 1;
  return n;
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

std::size_t LineIndex::line_end(std::uint32_t line) const {
  std::size_t end = line + 1 < starts_.size() ? starts_[line + 1] - 1 : text_.size();
  if (end > starts_[line] && text_[end - 1] == '\r' && line + 1 < starts_.size()) --end;
  return end;
}

Position LineIndex::position(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(after - starts_.begin() - 1);
  std::uint32_t units = 0;
  for (std::size_t at = starts_[line]; at < offset;) {
    std::size_t n = char_length(text_, at);
    if (at + n > offset) break;  // inside a sequence: the start of its character
    units += n == 4 ? 2 : 1;
    at += n;
  }
  return {line, units};
}

std::size_t LineIndex::offset(Position position) const {
  if (position.line >= starts_.size()) return text_.size();
  const std::size_t end = line_end(position.line);
  std::size_t at = starts_[position.line];
  std::uint32_t units = 0;
  while (at < end) {
    std::size_t n = char_length(text_, at);
    std::uint32_t width = n == 4 ? 2 : 1;
    if (units + width > position.character) break;
    units += width;
    at += n;
  }
  return at;
}

}  // namespace privflow::lsp
