#pragma once
// A spec's text with a table of line starts, so that any byte offset maps to line:column.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace privflow::lang {

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  /// 1-based line and column of a byte offset (a tab counts as one column).
  struct LineCol {
    std::uint32_t line, column;
  };
  LineCol line_col(std::size_t offset) const;
  /// The text of a 1-based line, without its newline.
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

 private:
  std::string path_, text_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace privflow::lang
