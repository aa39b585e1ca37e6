// Definition, references, document symbols, completion, formatting and code actions
// (lsp/detail/features.hpp).
#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "flow/catalogue.hpp"
#include "lang/format.hpp"
#include "lang/lexical.hpp"
#include "lsp/detail/features.hpp"

namespace privflow::lsp::detail {
namespace {

json location(const Document& document, const Occurrence& occurrence) {
  return {{"uri", document.uri}, {"range", to_json(document.range(occurrence.begin, occurrence.end))}};
}

std::optional<Occurrence> occurrence_at(const Document& document, Position position) {
  if (!document.symbols) return std::nullopt;
  return document.symbols->at(static_cast<std::uint32_t>(document.lines.offset(position)));
}

// LSP 3.17 SymbolKind.
int lsp_symbol_kind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kPipeline: return 2;      // Module
    case SymbolKind::kRegion: return 3;        // Namespace
    case SymbolKind::kCategory: return 10;     // Enum
    case SymbolKind::kParam: return 14;        // Constant
    case SymbolKind::kData: return 23;         // Struct
    case SymbolKind::kField: return 8;         // Field
    case SymbolKind::kAgent: return 19;        // Object
    case SymbolKind::kArtifact: return 13;     // Variable
    case SymbolKind::kAdversary: return 11;    // Interface
    case SymbolKind::kRequirement: return 24;  // Event
    case SymbolKind::kMechanism: return 12;    // Function
    case SymbolKind::kParameter: return 7;     // Property
  }
  return 13;
}

// LSP 3.17 CompletionItemKind.
int completion_kind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kPipeline: return 9;      // Module
    case SymbolKind::kRegion: return 9;        // Module
    case SymbolKind::kCategory: return 13;     // Enum
    case SymbolKind::kParam: return 21;        // Constant
    case SymbolKind::kData: return 22;         // Struct
    case SymbolKind::kField: return 5;         // Field
    case SymbolKind::kAgent: return 7;         // Class
    case SymbolKind::kArtifact: return 6;      // Variable
    case SymbolKind::kAdversary: return 8;     // Interface
    case SymbolKind::kRequirement: return 23;  // Event
    case SymbolKind::kMechanism: return 3;     // Function
    case SymbolKind::kParameter: return 10;    // Property
  }
  return 1;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The word being typed just before `offset` and where it begins.
std::size_t word_start(std::string_view text, std::size_t offset) {
  while (offset > 0 && is_word_char(text[offset - 1])) --offset;
  return offset;
}

// The name before the innermost `(` still open on the statement before the cursor, if any.
std::string open_call(std::string_view before) {
  int depth = 0;
  for (std::size_t i = before.size(); i-- > 0;) {
    if (before[i] == '\n' && i + 1 < before.size() && std::isalpha(static_cast<unsigned char>(before[i + 1]))) break;
    if (before[i] == ')') ++depth;
    if (before[i] != '(') continue;
    if (depth-- > 0) continue;
    std::size_t end = i;
    while (end > 0 && before[end - 1] == ' ') --end;
    std::size_t begin = word_start(before, end);
    return std::string(before.substr(begin, end - begin));
  }
  return "";
}

// The current line before the cursor.
std::string_view line_before(std::string_view text, std::size_t offset) {
  std::size_t start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  start = start == std::string_view::npos || offset == 0 ? 0 : start + 1;
  return text.substr(start, offset - start);
}

class Completions {
 public:
  void add(std::string label, int kind, std::string detail, std::string insert = "") {
    if (items_.size() >= kMaxCompletions || !seen_.insert(label).second) return;
    json item = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) item["detail"] = detail;
    if (!insert.empty()) item["insertText"] = insert;
    items_.push_back(std::move(item));
  }
  json take() { return {{"isIncomplete", false}, {"items", std::move(items_)}}; }

 private:
  json items_ = json::array();
  std::set<std::string> seen_;
};

void complete_names(const Document& document, Completions& out, std::initializer_list<SymbolKind> kinds) {
  if (!document.symbols) return;
  for (const auto& d : document.symbols->declarations())
    for (SymbolKind kind : kinds)
      if (d.kind == kind) out.add(d.name, completion_kind(d.kind), symbol_kind_word(d.kind));
}

void complete_parameters(const flow::KindInfo& kind, Completions& out) {
  for (flow::ParamKey key : kind.params) {
    const flow::ParamInfo& p = flow::param_info(key);
    // A list parameter's value is bracketed: `coefficients: [`.
    const std::string insert = std::string(p.name) + (p.range == flow::Range::kNumberList ? ": [" : ": ");
    out.add(p.name, completion_kind(SymbolKind::kParameter), p.meaning, insert);
  }
}

}  // namespace

json definition(const Document& document, Position position) {
  auto occurrence = occurrence_at(document, position);
  if (!occurrence) return nullptr;
  auto declaration = document.symbols->declaration_of(*occurrence);
  return declaration ? location(document, *declaration) : json(nullptr);
}

json references(const Document& document, Position position, bool include_declaration) {
  json result = json::array();
  auto occurrence = occurrence_at(document, position);
  if (!occurrence) return result;
  for (const auto& item : document.symbols->references_of(*occurrence))
    if (include_declaration || !item.declaration) result.push_back(location(document, item));
  return result;
}

json document_symbols(const Document& document) {
  json result = json::array();
  if (!document.symbols) return result;
  auto symbol = [&](const Occurrence& d) {
    return json{{"name", d.name},
                {"detail", symbol_kind_word(d.kind)},
                {"kind", lsp_symbol_kind(d.kind)},
                {"range", to_json(document.range(d.statement_begin, d.statement_end))},
                {"selectionRange", to_json(document.range(d.begin, d.end))}};
  };
  for (const auto& d : document.symbols->declarations()) {
    if (d.kind == SymbolKind::kField) {
      // Under its data set, the last one declared before it (fields are inside their data).
      for (auto it = result.rbegin(); it != result.rend(); ++it)
        if ((*it)["name"] == d.scope && (*it)["detail"] == "data") {
          (*it)["children"].push_back(symbol(d));
          break;
        }
      continue;
    }
    json item = symbol(d);
    if (d.kind == SymbolKind::kData) item["children"] = json::array();
    result.push_back(std::move(item));
  }
  return result;
}

json completion(const Document& document, Position position) {
  const std::string_view text = document.text();
  const std::size_t offset = document.lines.offset(position);
  const std::size_t start = word_start(text, offset);
  const std::string_view line = line_before(text, start);
  Completions out;
  // `D.` : the fields of D.
  if (!line.empty() && line.back() == '.') {
    std::size_t end = start - 1, begin = word_start(text, end);
    std::string data(text.substr(begin, end - begin));
    if (document.symbols)
      for (const auto& d : document.symbols->declarations())
        if (d.kind == SymbolKind::kField && d.scope == data) out.add(d.name, completion_kind(d.kind), "field of " + data);
    return out.take();
  }
  // `compute X at A = ` : the catalogue's kinds.
  std::string_view trimmed = line;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (!trimmed.empty() && trimmed.back() == '=' && line.find("compute") != std::string_view::npos) {
    for (const auto& kind : flow::catalogue()) out.add(kind.name, completion_kind(SymbolKind::kMechanism), kind.description);
    return out.take();
  }
  // Inside `KIND(` : its parameters, then the data, fields and artifacts it may take.
  if (const flow::KindInfo* kind = flow::find_kind(open_call(text.substr(0, start)))) {
    complete_parameters(*kind, out);
    complete_names(document, out, {SymbolKind::kData, SymbolKind::kArtifact, SymbolKind::kParam});
    return out.take();
  }
  // At the start of a line: a statement.
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    for (std::string_view word : lang::lexical::kStatementKeywords) out.add(std::string(word), 14, "statement");
    return out.take();
  }
  complete_names(document, out,
                 {SymbolKind::kAgent, SymbolKind::kData, SymbolKind::kArtifact, SymbolKind::kAdversary,
                  SymbolKind::kParam, SymbolKind::kRegion, SymbolKind::kCategory});
  for (std::string_view word : lang::lexical::kReserved) out.add(std::string(word), 14, "keyword");
  return out.take();
}

json formatting(const Document& document) {
  lang::Diagnostics diags(*document.source);
  auto formatted = lang::format_spec(*document.source, diags);
  if (!formatted) return nullptr;
  json edits = json::array();
  if (*formatted != document.text())
    edits.push_back({{"range", to_json(document.range(0, static_cast<std::uint32_t>(document.text().size())))},
                     {"newText", *formatted}});
  return edits;
}

json code_actions(const Document& document, Range range) {
  json actions = json::array();
  const std::size_t begin = document.lines.offset(range.start), end = document.lines.offset(range.end);
  for (const auto& d : document.diagnostics) {
    if (d.span.end < begin || d.span.begin > end) continue;
    const std::string marker = "did you mean '";
    auto at = d.message.find(marker);
    if (at == std::string::npos) continue;
    auto close = d.message.find('\'', at + marker.size());
    if (close == std::string::npos) continue;
    std::string suggestion = d.message.substr(at + marker.size(), close - at - marker.size());
    // Only a misspelt name is replaced: the message's span must be one word.
    std::string_view written = std::string_view(document.text()).substr(d.span.begin, d.span.end - d.span.begin);
    if (written.empty() || written.size() > 200) continue;
    bool word = true;
    for (char c : written) word = word && is_word_char(c);
    if (!word) continue;
    json edit = {{"range", to_json(document.range(d.span.begin, d.span.end))}, {"newText", suggestion}};
    actions.push_back({{"title", "Change '" + std::string(written) + "' to '" + suggestion + "'"},
                       {"kind", "quickfix"},
                       {"isPreferred", true},
                       {"diagnostics", json::array({{{"range", edit["range"]}, {"severity", 1}, {"source", "privflow"},
                                                     {"message", d.message}}})},
                       {"edit", {{"changes", {{document.uri, json::array({edit})}}}}}});
  }
  return actions;
}

}  // namespace privflow::lsp::detail
