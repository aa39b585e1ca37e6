#pragma once
// One open document, as the front end reads it: its text and version, the syntax tree's names
// (symbols.hpp), the front end's messages and, when it checks, its flow graph. Immutable once
// built, so the analysis thread may share it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"
#include "lang/diagnostics.hpp"
#include "lang/source.hpp"
#include "lsp/position.hpp"
#include "lsp/symbols.hpp"

namespace privflow::lsp::detail {

using nlohmann::json;

/// Diagnostics sent for one document at most (the rest are counted in one more message).
inline constexpr std::size_t kMaxDiagnostics = 200;

struct Document {
  std::string uri;
  std::int64_t version = 0;
  std::unique_ptr<lang::SourceFile> source;  // stable address: lang::Diagnostics points at it
  LineIndex lines;
  std::vector<lang::Diagnostic> diagnostics;  // the front end's, sorted by place
  std::optional<SymbolIndex> symbols;         // empty only when the front end failed inside
  std::shared_ptr<const flow::Graph> graph;   // set when the spec checks

  Document(std::string uri, std::int64_t version, std::string text);
  const std::string& text() const { return source->text(); }
  Range range(std::uint32_t begin, std::uint32_t end) const { return lines.range(begin, end); }
};

/// What the analysis thread found for one version of a document.
struct AnalysisResult {
  std::int64_t version = 0;
  std::shared_ptr<const flow::Graph> graph;
  analyzer::Analysis analysis;
  /// For each declared adversary (in graph order), what each artifact carries for it.
  std::vector<analyzer::LeakageMap> adversary_views;
  std::string failure;  // non-empty when the analysis threw (internal error)
};

json to_json(const Position& position);
json to_json(const Range& range);
Position position_from_json(const json& value);

/// The file name a spec is known by in messages: the path of a file: URI, else the URI.
std::string path_of_uri(const std::string& uri);

/// The LSP diagnostics of a document: the front end's and, when `result` is for its version,
/// the analysis's findings and one per verdict (violated: error, undecided: warning, holds:
/// information), as `privflow check` prints them. At most kMaxDiagnostics.
json diagnostics_json(const Document& document, const AnalysisResult* result);

}  // namespace privflow::lsp::detail
