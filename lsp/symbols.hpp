#pragma once
// Every name of a spec where it is written: declarations and the references to them, read
// from the syntax tree (lang/ast.hpp), so that go to definition, find references, hover and
// document symbols work on a spec that does not check (the statements that parsed).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lang/ast.hpp"

namespace privflow::lsp {

/// What a name declares (or refers to). Fields are scoped to their data set.
enum class SymbolKind {
  kPipeline, kRegion, kCategory, kParam, kData, kField, kAgent, kArtifact, kAdversary, kRequirement,
  kMechanism,  // a computation's kind (`dpsgd`): the catalogue's entry, not a declaration
  kParameter,  // a computation's or channel's parameter key (`noise_multiplier:`)
};

/// "data", "agent", "artifact", … as messages and hover say it.
const char* symbol_kind_word(SymbolKind kind);

struct Occurrence {
  std::string name;
  SymbolKind kind = SymbolKind::kData;
  std::string scope;  // kField: the data set's name; kParameter: the computation's kind
  std::uint32_t begin = 0, end = 0;  // byte offsets of the name
  bool declaration = false;
  /// Declarations: the whole statement (or field item), for document symbols.
  std::uint32_t statement_begin = 0, statement_end = 0;
};

class SymbolIndex {
 public:
  explicit SymbolIndex(const lang::ast::Program& program);

  /// The occurrence whose name covers byte `offset` (its end included, so that a cursor just
  /// after a name finds it).
  std::optional<Occurrence> at(std::uint32_t offset) const;
  /// The declaration an occurrence refers to (itself for a declaration); nullopt for an
  /// undeclared name, a mechanism or a parameter key.
  std::optional<Occurrence> declaration_of(const Occurrence& occurrence) const;
  /// Every occurrence of the same declared thing, in source order (the declaration included).
  std::vector<Occurrence> references_of(const Occurrence& occurrence) const;
  /// Declarations in source order.
  std::vector<Occurrence> declarations() const;
  const std::vector<Occurrence>& all() const { return items_; }

 private:
  std::vector<Occurrence> items_;  // sorted by begin
};

}  // namespace privflow::lsp
