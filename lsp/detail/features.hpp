#pragma once
// The answers to the requests of one document (LSP 3.17, "Language Features"). Each reads an
// immutable Document and, where the analysis counts, the AnalysisResult of the same version
// (nullptr while it runs or when the spec does not check): a stale result is never used.
#include "lsp/detail/document.hpp"

namespace privflow::lsp::detail {

/// Hover text is cut to this many bytes (a long statement or many adversaries).
inline constexpr std::size_t kMaxHoverBytes = 8192;
/// Completion lists at most this many items.
inline constexpr std::size_t kMaxCompletions = 500;

/// textDocument/hover: what the name under the cursor is; for a release its mechanism,
/// parameters, ε alone and against each declared adversary; for a requirement its verdict.
json hover(const Document& document, const AnalysisResult* result, Position position);
/// textDocument/definition: the declaration of the name under the cursor (null if none).
json definition(const Document& document, Position position);
/// textDocument/references: every place the name under the cursor is written.
json references(const Document& document, Position position, bool include_declaration);
/// textDocument/documentSymbol: the declarations, fields under their data.
json document_symbols(const Document& document);
/// textDocument/completion: keywords, declared names, a computation's kinds after `=`, its
/// parameters (flow/catalogue.hpp) inside its parentheses, and a data set's fields after `D.`.
json completion(const Document& document, Position position);
/// textDocument/formatting: `privflow fmt`'s layout as one edit (null on a lexical error).
json formatting(const Document& document);
/// textDocument/codeAction: a quick fix for each "did you mean" message in `range`.
json code_actions(const Document& document, Range range);

}  // namespace privflow::lsp::detail
