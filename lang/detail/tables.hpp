#pragma once
// `prior from "FILE"` and `given PARENT from "FILE"`: probability tables read from CSV files
// beside the spec (docs/language.md, "Tables from files"). What a spec may read is exactly what
// docs/limits.md ("What a spec may read") promises: a relative path inside the spec's own folder
// or below it — never absolute, never `..`, never through a symbolic link that leads out — a
// regular file no larger than a spec may be, opened for reading only.
#include "lang/ast.hpp"
#include "lang/diagnostics.hpp"
#include "lang/limits.hpp"
#include "lang/source.hpp"

namespace privflow::lang {

/// Reads every table file the program names and fills each such field's `prior` or `given`
/// rows. Every problem is an error at the file's name in the spec that names the file, row and
/// column; the fields of a file that fails are left empty (the checker then adds nothing).
void read_tables(ast::Program& program, const SourceFile& source, Diagnostics& diags, const Limits& limits);

}  // namespace privflow::lang
