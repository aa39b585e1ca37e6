#pragma once
// The grammar of docs/language.md (statements and expressions) (Boost.Spirit X3, in lang/parser.cpp only).
#include "lang/ast.hpp"
#include "lang/diagnostics.hpp"
#include "lang/limits.hpp"
#include "lang/source.hpp"

namespace privflow::lang {

/// Parses every statement of `source`. A statement that fails to parse becomes one
/// diagnostic (`expected ':' after 'rows'`, at the place where the text goes wrong), and
/// parsing resumes at the next statement keyword, so that every syntax error of the file is
/// reported. The result holds the statements that parsed. Never throws on bad input.
ast::Program parse_program(const SourceFile& source, Diagnostics& diags, const Limits& limits = {});

/// True for the words that begin a statement (`pipeline`, `data`, `agent`, …).
bool is_statement_keyword(std::string_view word);

}  // namespace privflow::lang
