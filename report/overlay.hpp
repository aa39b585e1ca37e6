#pragma once
// The analysis drawn on the diagram: fills viz::Overlay from analyzer results.
#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"
#include "viz/diagram.hpp"

namespace privflow::report {

/// The overlay for `privflow diagram` and the HTML report: ε carried by every data set,
/// artifact and flow for the observer (the adversary's coalition, the requirement's worst
/// coalition, or, with neither, an outsider who sees that element alone), each agent's own
/// leakage, the coalition's view, and a requirement's derivation. Ids may be kNone.
viz::Overlay analysis_overlay(const flow::Graph& graph, const analyzer::Analysis& analysis, flow::Id adversary,
                              flow::Id requirement);

}  // namespace privflow::report
