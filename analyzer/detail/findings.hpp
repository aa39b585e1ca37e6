#pragma once
// Findings beyond requirements (docs/language.md, "Findings beyond requirements"): warnings and the assumptions an
// analysis relied on.
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

/// Warnings: pseudonymized data, training without privacy, honest agents named in
/// coalitions, unused declarations. Sorted by location.
std::vector<Finding> collect_findings(const flow::Graph& g);

/// What the verdicts take on trust: declared guarantees and trust labels.
std::vector<std::string> collect_assumptions(const flow::Graph& g);

}  // namespace privflow::analyzer
