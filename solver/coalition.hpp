#pragma once
// The choice space of an `any K of {…}` adversary in Z3 (docs/language.md, "Adversaries").
//
// One integer per population (how many further instances are corrupted) and one boolean per
// single agent; a slot's count matters to the views only at its breakpoints (1: a member sees
// its own artifacts; t: a secure aggregation's threshold; n: the population holds every
// partition; …), so the choices fall into classes: per slot, how many breakpoints its count
// reaches. Z3 keeps the constraint Σ counts ≤ K and the classes already covered (blocking
// clauses) and yields the next uncovered class. The caller evaluates it and says how much of
// the class lattice that evaluation covers. Nothing here knows about privacy: the caller's
// evaluation is the loss, and the soundness of a cover is the caller's argument.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "solver/session.hpp"

namespace privflow::solver {

/// One candidate: a single agent (room 1, breakpoints {1}, encoded as a Z3 boolean) or a
/// population (room further instances, an integer in [0, room]).
struct ChoiceSlot {
  std::string name;
  bool single = false;
  std::uint64_t room = 0;
  /// Counts where the views may change, strictly increasing, each in [1, room].
  std::vector<std::uint64_t> breakpoints;
};

/// A class of choices: level[i] = number of breakpoints of slot i that its count reaches.
/// The counts of level l are [lo, hi] = [bp[l-1] (0 if l = 0), bp[l] - 1 (room if last)].
struct ChoiceClass {
  std::vector<std::uint32_t> level;
  bool operator<(const ChoiceClass& o) const { return level < o.level; }
  bool operator==(const ChoiceClass& o) const { return level == o.level; }
};

/// Enumerates the classes of {counts : 0 ≤ c_i ≤ room_i, Σ c_i ≤ choose} with Z3. Each query
/// runs under the session's limits; kUnknown is returned as such (never "no more classes").
class ClassEnumerator {
 public:
  ClassEnumerator(Session& session, std::vector<ChoiceSlot> slots, std::uint64_t choose);
  ~ClassEnumerator();
  ClassEnumerator(const ClassEnumerator&) = delete;
  ClassEnumerator& operator=(const ClassEnumerator&) = delete;

  const std::vector<ChoiceSlot>& slots() const;
  std::uint64_t choose() const;
  /// Least and greatest count of slot i at level l.
  std::uint64_t lo(std::size_t i, std::uint32_t l) const;
  std::uint64_t hi(std::size_t i, std::uint32_t l) const;
  /// Σ of the least counts of a class (feasible when ≤ choose).
  std::uint64_t least(const ChoiceClass& c) const;

  /// The next class not yet covered, raised level by level (slot order) as far as the
  /// budget and the covers allow, so that covering its down-set prunes most. kSat: `out`
  /// is set. kUnsat: every class is covered (the enumeration is complete, a proof).
  /// kUnknown: a Z3 limit stopped the query; `reason` says which.
  SolveResult next(ChoiceClass& out);
  /// Marks exactly this class as covered.
  void cover(const ChoiceClass& c);
  /// Marks every class at or below `c` (level by level) as covered.
  void cover_below(const ChoiceClass& c);
  /// Number of queries made and of covers added.
  std::uint64_t queries() const;
  std::uint64_t covers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace privflow::solver
