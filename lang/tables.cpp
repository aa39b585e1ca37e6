// Probability tables from CSV files (lang/detail/tables.hpp). A file holds rows for any number
// of fields, in the long form a query over a team's own data produces:
//   field,value,probability            (priors: one row per value)
//   field,given,value,probability      (given tables: one row per parent value and value)
// Blank lines and lines starting with '#' are skipped; cells are trimmed; numbers are read
// exactly as in a spec (`1/3`, `0.25`, `1e-3`). Each field's rows must give every value once
// (and every parent value, for a given table) and sum to exactly 1.
#include "lang/detail/tables.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang {

namespace fs = std::filesystem;

namespace {

struct Cell {
  std::string text;
  std::size_t column = 0;  // 1-based byte column in its line
};

struct Row {
  std::size_t line = 0;  // 1-based line in the file
  std::vector<Cell> cells;
};

struct Table {
  bool given = false;  // the header's form
  std::vector<Row> rows;
};

const char* const kPriorHeader = "field,value,probability";
const char* const kGivenHeader = "field,given,value,probability";

/// Why `written` may not be read, or empty; `found` is then the file's canonical path. The
/// rules of docs/limits.md ("What a spec may read"): relative, no `..`, inside the spec's
/// folder after every symbolic link is followed, a regular file of at most `max_bytes`.
std::string locate(const std::string& spec_path, const std::string& written, std::size_t max_bytes, fs::path& found) {
  if (spec_path.empty() || spec_path == "<stdin>")
    return "a spec read from standard input has no folder to read tables from; save it as a file";
  if (written.empty()) return "the file name is empty";
  if (written.find('\0') != std::string::npos) return "the file name contains a NUL byte";
  const fs::path relative(written);
  if (relative.is_absolute() || written.front() == '/' || written.front() == '\\')
    return "the file must be named relative to the spec's folder, not by an absolute path";
  for (const auto& part : relative)
    if (part == "..") return "the file must be in the spec's folder or below it ('..' is not allowed)";
  std::error_code ec;
  fs::path folder = fs::path(spec_path).parent_path();
  if (folder.empty()) folder = ".";
  const fs::path root = fs::canonical(folder, ec);
  if (ec) return "the spec's folder cannot be opened";
  const fs::path target = fs::canonical(root / relative, ec);
  if (ec) return "no such file beside the spec";
  auto [mismatch, unused] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
  (void)unused;
  if (mismatch != root.end()) return "the file is a symbolic link that leads out of the spec's folder";
  if (!fs::is_regular_file(target, ec)) return "not a regular file";
  const auto size = fs::file_size(target, ec);
  if (ec || size > max_bytes) return "the file is larger than a spec may be (" + std::to_string(max_bytes >> 20) + " MiB)";
  found = target;
  return {};
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

/// The file's rows after its header, or an error text (with its row and column).
std::string parse_csv(const std::string& bytes, Table& table) {
  if (bytes.find('\0') != std::string::npos) return "the file is not text (it contains a NUL byte)";
  std::istringstream in(bytes);
  std::string line;
  std::size_t number = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a byte order mark
    const std::string content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (line.find('"') != std::string::npos)
      return "row " + std::to_string(number) + ", column " + std::to_string(line.find('"') + 1) +
             ": quoted cells are not supported (names and numbers need no quotes)";
    Row row{number, {}};
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      const std::string_view raw = std::string_view(line).substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const std::size_t lead = raw.find_first_not_of(" \t");
      row.cells.push_back({trim(raw), start + 1 + (lead == std::string_view::npos ? 0 : lead)});
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!header) {
      std::string joined;
      for (const auto& cell : row.cells) joined += (joined.empty() ? "" : ",") + cell.text;
      if (joined != kPriorHeader && joined != kGivenHeader)
        return "row " + std::to_string(number) + ": the header must be '" + kPriorHeader + "' (priors) or '" +
               kGivenHeader + "' (given tables), not '" + joined + "'";
      table.given = joined == kGivenHeader;
      header = true;
      continue;
    }
    const std::size_t want = table.given ? 4 : 3;
    if (row.cells.size() != want)
      return "row " + std::to_string(number) + ": " + std::to_string(row.cells.size()) + " cells where the header has " +
             std::to_string(want);
    table.rows.push_back(std::move(row));
  }
  if (!header) return "the file has no header row";
  return {};
}

/// The values of a field's written type (enum or bool); empty for an int field.
std::vector<std::string> values_of(const ast::Field& field) {
  if (field.type.kind == ast::Type::Kind::kBool) return {"false", "true"};
  std::vector<std::string> values;
  if (field.type.kind == ast::Type::Kind::kEnum)
    for (const auto& v : field.type.values) values.push_back(v.name);
  return values;
}

class TableReader {
 public:
  TableReader(const SourceFile& source, Diagnostics& diags, const Limits& limits)
      : source_(source), diags_(diags), limits_(limits) {}

  void read(ast::Data& data) {
    for (auto& item : data.items)
      if (item.kind == ast::DataItem::Kind::kField && item.field.table) fill(data, item.field);
  }

 private:
  const SourceFile& source_;
  Diagnostics& diags_;
  const Limits& limits_;
  std::map<std::string, std::optional<Table>> files_;  // by the name as written: read once

  void error(const ast::String& where, const std::string& message) {
    diags_.error(where.begin, where.end, "in " + detail::quoted(where.text) + ", " + message);
  }
  void error_at(const ast::String& where, const Row& row, const Cell& cell, const std::string& message) {
    error(where, "row " + std::to_string(row.line) + ", column " + std::to_string(cell.column) + ": " + message);
  }

  const Table* load(const ast::String& where) {
    auto [it, fresh] = files_.try_emplace(where.text);
    if (!fresh) return it->second ? &*it->second : nullptr;
    fs::path path;
    if (std::string why = locate(source_.path(), where.text, limits_.max_bytes, path); !why.empty()) {
      diags_.error(where.begin, where.end, "cannot read table " + detail::quoted(where.text) + ": " + why);
      return nullptr;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) {
      diags_.error(where.begin, where.end, "cannot read table " + detail::quoted(where.text));
      return nullptr;
    }
    Table table;
    if (std::string why = parse_csv(bytes.str(), table); !why.empty()) {
      error(where, why);
      return nullptr;
    }
    it->second = std::move(table);
    return &*it->second;
  }

  void fill(ast::Data& data, ast::Field& field);
  bool read_group(const ast::String& where, const std::string& field, const std::string& given,
                  const std::vector<std::string>& values,
                  const std::vector<std::pair<const Row*, std::size_t>>& rows, ast::Dist& out);
};

ast::Number number_at(const ast::String& where, const std::string& text) {
  ast::Number n;
  n.text = text;
  n.begin = where.begin;
  n.end = where.end;
  return n;
}

/// One distribution of `field` (`given`: " given 'parent' = 'v'", or empty): `rows` are (row,
/// index of its value cell); every value once, numbers in [0, 1] summing to exactly 1. Fills
/// `out` in the order of `values`.
bool TableReader::read_group(const ast::String& where, const std::string& field, const std::string& given,
                             const std::vector<std::string>& values,
                             const std::vector<std::pair<const Row*, std::size_t>>& rows, ast::Dist& out) {
  std::vector<const Row*> by_value(values.size(), nullptr);
  std::vector<std::string> numbers(values.size());
  Rational sum = 0;
  bool valid = true;
  for (const auto& [row, at] : rows) {
    const Cell& value = row->cells[at];
    const Cell& number = row->cells[at + 1];
    const auto it = std::find(values.begin(), values.end(), value.text);
    if (it == values.end()) {
      error_at(where, *row, value, detail::quoted(value.text) + " is not a value of " + field + detail::suggest_or_list(value.text, values));
      valid = false;
      continue;
    }
    const auto k = static_cast<std::size_t>(it - values.begin());
    if (by_value[k]) {
      error_at(where, *row, value, "a second row for " + field + " = " + detail::quoted(value.text) + given +
                                       " (the first is row " + std::to_string(by_value[k]->line) + ")");
      valid = false;
      continue;
    }
    by_value[k] = row;
    const auto p = parse_number(number.text);
    if (!p || *p < 0 || *p > 1) {
      error_at(where, *row, number, detail::quoted(detail::shown_literal(number.text)) + " is not a probability (a number from 0 to 1)");
      valid = false;
      continue;
    }
    sum += *p;
    numbers[k] = number.text;
  }
  std::vector<std::string> missing;
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!by_value[k]) missing.push_back(detail::quoted(values[k]));
  if (valid && !missing.empty()) {
    error(where, "no row gives " + field + " = " + join(missing, ", ") + given);
    return false;
  }
  if (valid && sum != 1) {
    error(where, "the probabilities of " + field + given + " (rows " + std::to_string(rows.front().first->line) + " to " +
                     std::to_string(rows.back().first->line) + ") sum to " + format_exact(sum) + ", not 1");
    return false;
  }
  if (!valid) return false;
  for (const auto& text : numbers) out.values.push_back(number_at(where, text));
  return true;
}

void TableReader::fill(ast::Data& data, ast::Field& field) {
  const ast::String& where = *field.table;
  const Table* table = load(where);
  if (!table) return;
  const bool given = field.prior_kind == ast::Field::Prior::kGiven;
  if (table->given != given) {
    error(where, std::string("the header is '") + (table->given ? kGivenHeader : kPriorHeader) + "', but " +
                     (given ? "a given table needs '" + std::string(kGivenHeader) + "'"
                            : "a prior needs '" + std::string(kPriorHeader) + "'"));
    return;
  }
  const std::vector<std::string> values = values_of(field);
  if (values.empty()) {
    error(where, "field " + detail::quoted(field.name.name) + " is an int field: tables from files need an enum or bool field");
    return;
  }
  std::vector<const Row*> mine;
  for (const auto& row : table->rows)
    if (row.cells[0].text == field.name.name) mine.push_back(&row);
  if (mine.empty()) {
    error(where, "no row is for field " + detail::quoted(field.name.name) + " (the first cell of a row names its field)");
    return;
  }
  const std::string what = detail::quoted(field.name.name);
  if (!given) {
    std::vector<std::pair<const Row*, std::size_t>> rows;
    for (const Row* row : mine) rows.emplace_back(row, 1);
    read_group(where, what, "", values, rows, field.prior);
    return;
  }
  // The parent's values come from its declaration in the same data; an unknown parent is the
  // checker's to report.
  const ast::Field* parent = nullptr;
  for (const auto& item : data.items)
    if (item.kind == ast::DataItem::Kind::kField && item.field.name.name == field.parent.name) parent = &item.field;
  if (!parent) return;
  const std::vector<std::string> parent_values = values_of(*parent);
  std::vector<std::vector<std::pair<const Row*, std::size_t>>> groups(parent_values.size());
  bool valid = !parent_values.empty();
  for (const Row* row : mine) {
    const Cell& cell = row->cells[1];
    const auto it = std::find(parent_values.begin(), parent_values.end(), cell.text);
    if (it == parent_values.end()) {
      error_at(where, *row, cell, detail::quoted(cell.text) + " is not a value of " + detail::quoted(parent->name.name) +
                                      detail::suggest_or_list(cell.text, parent_values));
      valid = false;
      continue;
    }
    groups[static_cast<std::size_t>(it - parent_values.begin())].emplace_back(row, 2);
  }
  std::vector<ast::GivenRow> filled;
  for (std::size_t k = 0; k < parent_values.size(); ++k) {
    const std::string given_text = " given " + detail::quoted(parent->name.name) + " = " + detail::quoted(parent_values[k]);
    if (groups[k].empty()) {
      if (valid) error(where, "no row gives " + what + given_text);  // not after a misspelt parent value
      valid = false;
      continue;
    }
    ast::GivenRow row;
    row.begin = where.begin;
    row.end = where.end;
    row.value.name = parent_values[k];
    row.value.begin = where.begin;
    row.value.end = where.end;
    valid = read_group(where, what, given_text, values, groups[k], row.dist) && valid;
    filled.push_back(std::move(row));
  }
  if (valid) field.given = std::move(filled);
}

}  // namespace

void read_tables(ast::Program& program, const SourceFile& source, Diagnostics& diags, const Limits& limits) {
  TableReader reader(source, diags, limits);
  for (auto& data : program.data) reader.read(data);
}

}  // namespace privflow::lang
