#pragma once
// Positions as the Language Server Protocol counts them: a 0-based line and a 0-based column in
// UTF-16 code units (LSP 3.17, "Position"; the default `positionEncoding` "utf-16"), against
// the byte offsets of the front end (lang/source.hpp, flow::Span). A character outside the
// Basic Multilingual Plane (4 bytes in UTF-8) is 2 units; a malformed byte counts as 1.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace privflow::lsp {

struct Position {
  std::uint32_t line = 0;       // 0-based
  std::uint32_t character = 0;  // 0-based, UTF-16 code units
  friend bool operator==(const Position&, const Position&) = default;
};

struct Range {
  Position start, end;
  friend bool operator==(const Range&, const Range&) = default;
};

/// A document's line starts, to map byte offsets to LSP positions and back. Lines end at
/// "\n" (a "\r" before it belongs to the line ending, as in the front end's line table).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  /// The position of a byte offset (clamped to the text's end). An offset inside a UTF-8
  /// sequence maps to the start of its character.
  Position position(std::size_t offset) const;
  Range range(std::size_t begin, std::size_t end) const { return {position(begin), position(end)}; }
  /// The byte offset of a position. A line past the end gives the text's end; a character
  /// past the line's end gives the line's end (before its "\r\n"); a character in the middle
  /// of a surrogate pair gives the start of that character.
  std::size_t offset(Position position) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(starts_.size()); }

 private:
  std::size_t line_end(std::uint32_t line) const;  // before "\r\n" or "\n"
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

/// Bytes of the UTF-8 sequence starting with `lead` (1 for a continuation or invalid byte).
std::size_t utf8_length(unsigned char lead);

}  // namespace privflow::lsp
