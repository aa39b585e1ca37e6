#pragma once
// The worst coalition of an `any K of {…}` adversary (docs/language.md, "How the analysis works", step 6).
//
// How the loss depends on a choice (analyzer/knowledge.cpp): a population's count c matters
// only through c ≥ 1 (members see their own artifacts), c ≥ a secure aggregation's threshold
// (with the receiver chosen), c = n (every partition held), and continuously through the
// honest shares n − c or max(1, min_clients − c) and the copies min(n − 1, c) — always
// monotone: more members never hide anything. Singles are in or out. The search gives each
// relevant candidate its breakpoints, lets Z3 (solver/coalition.hpp) enumerate the classes of
// choices under Σ = K, and asks `evaluate` at the worst points of each class: every point of
// a class's trade-off between populations, or an upper corner when that proves enough. A class
// whose upper corner is no worse than the worst found covers everything below it.
#include <cstdint>
#include <functional>

#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer {

/// Evaluates one requirement against one concrete coalition. Must be monotone: a coalition
/// with more members is never less bad (the view rules make it so).
using Evaluate = std::function<Verdict(const Coalition&)>;

/// Search limits (the defaults are the CLI's).
struct SearchLimits {
  /// Classes of choices Z3 may hand out before the search gives up (undecided).
  std::uint64_t max_classes = 20000;
  /// Evaluations (analyses of one coalition) before the search gives up (undecided).
  std::uint64_t max_evaluations = 50000;
  /// Points of one class's trade-off between populations evaluated one by one; beyond it the
  /// class is bounded by its upper corner (sound; undecided if that bound violates).
  std::uint64_t max_points_per_class = 512;
  /// Z3's deterministic resource limit per query (0: none); the wall-clock limit per query is
  /// Options::solver_timeout_ms.
  std::uint64_t rlimit = 5'000'000;
};

/// Statistics of the last search (for benchmarks and explanations).
struct SearchStats {
  std::uint64_t classes = 0;      // classes handed out by Z3
  std::uint64_t evaluations = 0;  // distinct coalitions evaluated
  std::uint64_t queries = 0;      // Z3 queries
  std::uint64_t slots = 0;        // candidates whose choice can matter
  bool complete = false;          // every class covered (a proof over all choices)
};

/// The verdict against the worst choice of `target.choose` further instances among
/// `target.candidates` (trusted and honest agents are never chosen) on top of `fixed`.
/// Populations are chosen by count, never enumerated instance by instance. `holds` only when
/// no choice violates (a proof over all choices, said so in the explanation); `violated` with
/// the worst choice found as the counterexample; `undecided` with the reason when a Z3 limit
/// or a search limit stops the search. `data`: the requirement's data set (only candidates
/// whose membership can change what is seen of it are searched); kNone: any data set.
Verdict search_worst(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed,
                     const Evaluate& evaluate, const Options& options);
Verdict search_worst(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed,
                     const Evaluate& evaluate, const Options& options, flow::Id data,
                     const SearchLimits& limits = {}, SearchStats* stats = nullptr);

}  // namespace privflow::analyzer
