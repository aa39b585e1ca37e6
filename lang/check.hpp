#pragma once
// Semantic checks of a parsed spec and its lowering to the flow graph (docs/language.md:
// statements to requirements): names, kinds, values, holdings, flows, coalitions and requirements.
#include <optional>

#include "flow/graph.hpp"
#include "lang/ast.hpp"
#include "lang/diagnostics.hpp"
#include "lang/limits.hpp"

namespace privflow::lang {

/// Checks `program` and lowers it to a graph. Every problem becomes a diagnostic (several
/// per file; an undeclared name that a broken statement meant to declare is not reported
/// again). Returns the graph even when there are errors, so that callers may inspect it;
/// `load_spec` discards it in that case.
flow::Graph check_program(const ast::Program& program, Diagnostics& diags, const Limits& limits = {});

}  // namespace privflow::lang
