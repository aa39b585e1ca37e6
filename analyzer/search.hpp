#pragma once
// The worst coalition of an `any K of {…}` adversary (LANGUAGE.md 7.6).
#include <functional>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

/// Evaluates one requirement against one concrete coalition.
using Evaluate = std::function<Verdict(const Coalition&)>;

/// The verdict against the worst choice of `target.choose` further instances among
/// `target.candidates` (trusted and honest agents are never chosen) on top of `fixed`.
/// Populations are chosen by count, never enumerated instance by instance. When a limit
/// stops the search the verdict is `undecided`, never `holds`.
Verdict search_worst(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed,
                     const Evaluate& evaluate, const Options& options);

}  // namespace privflow::analyzer
