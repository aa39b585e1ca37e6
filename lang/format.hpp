#pragma once
// `privflow fmt`: the canonical layout of a spec, computed from its tokens alone (its own
// lexer, over the grammar's lexical rules in lang/lexical.hpp), so that it works on any
// lexically valid spec, even one that does not parse.
//
// The layout: one statement per line; blank lines between statements kept (at most one);
// `data` blocks one item per line, indented by 2; `settings` and agent property blocks on
// one line as `{ a: b, c: d }` when they fit, else one property per line; a space after `,`
// and `:`, and around `=`, `<=`, `+` and the other operators; long argument lists of
// `compute` and `send` filled and aligned after the `(`; long `given` tables one entry per
// line. Every comment stays in its place (own-line or trailing). Numbers, strings and names
// are kept exactly as written, so formatting never changes what a spec means.
#include <cstddef>
#include <optional>
#include <string>

#include "lang/diagnostics.hpp"
#include "lang/source.hpp"

namespace privflow::lang {

struct FormatOptions {
  /// Lines longer than this are wrapped where the layout allows (argument lists, `given`
  /// tables, property blocks); other constructs stay on one line however long.
  std::size_t width = 100;
};

/// The canonical layout of `source`. Idempotent: format_spec(format_spec(x)) == format_spec(x).
/// On a lexical error (an unknown character, an unterminated string, a malformed number)
/// reports every such error to `diags` and returns nullopt. The result always ends with
/// exactly one newline (an empty spec gives an empty string). Never throws on bad input.
std::optional<std::string> format_spec(const SourceFile& source, Diagnostics& diags,
                                       const FormatOptions& options = {});

}  // namespace privflow::lang
