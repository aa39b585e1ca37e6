#include "analyzer/search.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace privflow::analyzer {
namespace {

constexpr std::uint64_t kMaxChoices = 20000;

/// Larger is worse for the user: unbounded beats any figure.
bool worse(const Verdict& a, const Verdict& b) {
  if (a.status != b.status) {
    if (a.status == Status::kViolated) return true;
    if (b.status == Status::kViolated) return false;
  }
  if (!a.value && b.value) return true;
  if (!b.value) return false;
  return *a.value > *b.value;
}

}  // namespace

Verdict search_worst(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed,
                     const Evaluate& evaluate, const Options& options) {
  // Candidates: how many further instances each may give.
  struct Slot {
    flow::Id agent;
    std::uint64_t room;
  };
  std::vector<Slot> slots;
  std::vector<std::string> names;
  for (flow::Id a : target.candidates) {
    if (a >= g.agents.size()) continue;
    const auto& agent = g.agents[a];
    names.push_back(agent.population ? agent.name + "[" + std::to_string(agent.count) + "]" : agent.name);
    if (agent.trust == flow::Trust::kTrusted || agent.trust == flow::Trust::kHonest) continue;
    std::uint64_t room = agent.count - std::min(agent.count, fixed.count(a));
    if (room > 0) slots.push_back(Slot{a, room});
  }
  std::uint64_t capacity = 0;
  for (const auto& s : slots) capacity += std::min(s.room, target.choose);
  const std::uint64_t k = std::min<std::uint64_t>(target.choose, capacity);
  const std::string scope = "any " + std::to_string(target.choose) + " of {" + join(names, ", ") + "}";

  // Adding members never hides anything, so the worst choice takes all k instances. The
  // choices are the ways to split k among the slots (each within its room).
  std::vector<std::uint64_t> take(slots.size(), 0);
  std::optional<Verdict> worst;
  std::uint64_t checked = 0;
  bool stopped = false;
  std::function<void(std::size_t, std::uint64_t)> walk = [&](std::size_t i, std::uint64_t left) {
    if (stopped) return;
    if (i == slots.size()) {
      if (left != 0) return;
      if (++checked > kMaxChoices) {
        stopped = true;
        return;
      }
      Coalition c = fixed;
      for (std::size_t j = 0; j < slots.size(); ++j) c.taken[slots[j].agent] += take[j];
      Verdict v = evaluate(c);
      if (v.status == Status::kUndecided) {
        worst = v;
        stopped = true;
        return;
      }
      if (!worst || worse(v, *worst)) worst = std::move(v);
      return;
    }
    std::uint64_t rest = 0;
    for (std::size_t j = i + 1; j < slots.size(); ++j) rest += std::min(slots[j].room, left);
    std::uint64_t lo = left > rest ? left - rest : 0;
    std::uint64_t hi = std::min(slots[i].room, left);
    for (std::uint64_t t = hi + 1; t-- > lo;) {
      take[i] = t;
      walk(i + 1, left - t);
      if (stopped) return;
    }
    take[i] = 0;
  };
  walk(0, k);

  if (stopped && (!worst || worst->status != Status::kUndecided)) {
    Verdict v = worst ? *worst : evaluate(fixed);
    if (v.status != Status::kViolated) {
      v.status = Status::kUndecided;
      v.reason = "the choices of " + scope + " exceed the search limit (" + std::to_string(kMaxChoices) +
                 " checked, no violation found)";
    }
    return v;
  }
  if (!worst) return evaluate(fixed);
  Verdict v = std::move(*worst);
  if (v.status == Status::kHolds)
    v.explanation.add("proof over all choices: no choice of " + scope + " violates it (" + std::to_string(checked) +
                      " classes of choices checked)");
  else if (v.status == Status::kViolated)
    v.explanation.add("worst choice of " + scope + ": " + describe(g, v.coalition));
  return v;
}

}  // namespace privflow::analyzer
