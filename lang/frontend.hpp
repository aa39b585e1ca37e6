#pragma once
// The front end in one call: parse, check and lower a spec to a flow graph.
#include <optional>

#include "flow/graph.hpp"
#include "lang/diagnostics.hpp"
#include "lang/source.hpp"

namespace privflow::lang {

/// Parses `source`, checks names, types and values, and lowers it to a flow::Graph.
/// Every error of the file goes to `diags` (recovering at statement boundaries); returns
/// nullopt when there is any error. Warnings (e.g. an honest agent named in a coalition)
/// do not stop lowering. Never throws on bad input.
std::optional<flow::Graph> load_spec(const SourceFile& source, Diagnostics& diags);

}  // namespace privflow::lang
