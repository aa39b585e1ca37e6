#pragma once
// Requirements and coalitions in words, as the spec states them (no analysis): the one place
// that words a measure, a bound and a δ for every output: reports, the diagram and the
// analysis's own verdict lines (docs/language.md, "Requirements").
#include <string>

#include "base/rational.hpp"
#include "flow/graph.hpp"

namespace privflow::flow {

/// `dp(patients)`, `posterior(patients.diagnosis = cancer)`, `leakage(patients.diagnosis)`,
/// `reidentification(residents by {zip, sex})`, `forbid health from EU to US unless epsilon ≤ 3`.
std::string measure_text(const Graph& graph, const Requirement& requirement);

/// The bound as written, with its unit: `epsilon 2`, `0.2`, `0.1 bits`; a forbid rule's
/// allowed ε (`epsilon 3`), or `no crossing` when it allows none.
std::string bound_text(const Requirement& requirement);

/// The bound's number with the unit a value beside it does not already carry: `2` (the value
/// says `epsilon …`), `0.2`, `0.1 bits`.
std::string bound_number_text(const Requirement& requirement);

/// A δ as a spec writes it: `1e-5`, `2.5e-6`, `0.01` (exact; never rounded).
std::string delta_text(const Rational& delta);

/// A coalition as the spec writes it: `{server, 3 of hospital} + any 2 of {analyst, server}`.
std::string coalition_text(const Graph& graph, const Coalition& coalition);

/// The requirement's target: the adversary's name, else its inline coalition as written.
std::string target_text(const Graph& graph, const Requirement& requirement);

/// A requirement as one line, as written:
/// `outsider_budget: dp(patients) against outsider ≤ epsilon 2 at delta 1e-5` (δ only when the
/// spec writes one for it).
std::string requirement_text(const Graph& graph, const Requirement& requirement);

/// A population's topology in words: "ring of 1,000 members", "torus 10 × 10", "random
/// 4-regular graph (seed 7) of 100 members", "graph of 12 edges on 10 members".
std::string topology_text(const Topology& topology, std::uint64_t members);

}  // namespace privflow::flow
