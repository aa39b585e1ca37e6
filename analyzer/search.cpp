#include "analyzer/search.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <set>

#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/wording.hpp"
#include "base/text.hpp"
#include "solver/coalition.hpp"
#include "solver/session.hpp"

namespace privflow::analyzer {
namespace {

namespace steps = detail::steps;

/// Larger is worse for the user: violated beats holds; unbounded beats any figure.
/// Undecided verdicts are never compared (the search keeps them aside).
bool worse(const Verdict& a, const Verdict& b) {
  if (a.status != b.status) {
    if (a.status == Status::kViolated) return true;
    if (b.status == Status::kViolated) return false;
  }
  if (!a.value && b.value) return true;
  if (!b.value) return false;
  return *a.value > *b.value;
}

/// Which agents can change what a coalition sees of `data` (kNone: of any data set), and
/// at which counts. Over-approximates: an agent marked relevant may not matter.
struct Relevance {
  std::vector<bool> relevant;    // per agent
  std::vector<bool> continuous;  // per agent: its count matters between breakpoints
  std::vector<std::set<std::uint64_t>> breakpoints;  // per agent, on its total count
  std::vector<bool> dependent;   // per artifact: depends on the data
};

Relevance relevance(const flow::Graph& g, const std::set<flow::Id>& datas) {
  Relevance r;
  const std::size_t na = g.agents.size();
  r.relevant.assign(na, false);
  r.continuous.assign(na, false);
  r.breakpoints.assign(na, {});
  r.dependent.assign(g.artifacts.size(), false);
  auto of_data = [&](flow::Id d) { return d != flow::kNone && (datas.empty() || datas.count(d) > 0); };
  // Artifacts that depend on the data, to a fixpoint (the flows form a DAG).
  for (bool changed = true; changed;) {
    changed = false;
    for (flow::Id x = 0; x < g.artifacts.size(); ++x) {
      if (r.dependent[x]) continue;
      for (const auto& in : g.artifacts[x].inputs) {
        bool dep = in.kind == flow::Input::Kind::kArtifact ? (in.artifact < g.artifacts.size() && r.dependent[in.artifact])
                                                            : of_data(in.data);
        if (dep) {
          r.dependent[x] = changed = true;
          break;
        }
      }
    }
  }
  auto mark = [&](flow::Id a) {
    if (a < na) r.relevant[a] = true;
  };
  for (flow::Id a = 0; a < na; ++a)
    for (const auto& h : g.agents[a].holds)
      if (of_data(h.data)) mark(a);
  for (flow::Id x = 0; x < g.artifacts.size(); ++x)
    if (r.dependent[x] && g.artifacts[x].at < na) {
      mark(g.artifacts[x].at);
      r.continuous[g.artifacts[x].at] = true;  // copies, shares of its releases
    }
  for (const auto& f : g.flows) {
    if (f.artifact >= g.artifacts.size() || !r.dependent[f.artifact]) continue;
    mark(f.from);
    mark(f.to);
    mark(f.channel.shuffler);
    if (f.from < na) r.continuous[f.from] = true;  // honest senders in a sum or a shuffle
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation && f.from < na) {
      const std::uint64_t t = f.channel.threshold;
      const std::uint64_t m = f.channel.min_clients ? f.channel.min_clients : t;
      for (std::uint64_t b : {t, m > 0 ? m - 1 : 0, m})
        if (b > 0) r.breakpoints[f.from].insert(b);
    }
  }
  for (flow::Id a = 0; a < na; ++a) {
    if (!r.relevant[a]) continue;
    r.breakpoints[a].insert(1);                 // members see their own artifacts
    r.breakpoints[a].insert(g.agents[a].count); // every partition held
  }
  return r;
}

/// The points on a class's trade-off (Σ over the trading slots = rem, each within hi − lo),
/// counted up to cap + 1 (more is "too many").
std::uint64_t trade_off_points(const std::vector<std::uint64_t>& lo, const std::vector<std::uint64_t>& hi,
                               const std::vector<std::size_t>& trading, std::uint64_t rem, std::uint64_t cap) {
  // Capped counts are exact up to the cap: a window sum of capped terms reaches the cap
  // exactly when the true sum does.
  if (rem > (std::uint64_t{1} << 20)) return cap + 1;
  std::vector<std::uint64_t> ways(rem + 1, 0);
  ways[0] = 1;
  for (std::size_t i : trading) {
    const std::uint64_t w = hi[i] - lo[i];
    std::vector<std::uint64_t> next(rem + 1, 0);
    std::uint64_t window = 0;
    for (std::uint64_t s = 0; s <= rem; ++s) {
      window += ways[s];
      if (s > w) window -= ways[s - w - 1];
      next[s] = std::min(cap + 1, window);
    }
    ways = std::move(next);
  }
  return ways[rem];
}

std::string agent_label(const flow::Agent& a) {
  return a.population ? a.name + "[" + std::to_string(a.count) + "]" : a.name;
}

/// Why a coalition sees what it sees: the view rules that its counts switch on.
std::vector<std::string> active_rules(const flow::Graph& g, const Relevance& rel, const Coalition& c) {
  std::vector<std::string> out;
  for (const auto& f : g.flows) {
    if (f.artifact >= g.artifacts.size() || !rel.dependent[f.artifact] || f.from >= g.agents.size() ||
        f.to >= g.agents.size())
      continue;
    const auto& from = g.agents[f.from];
    const auto& to = g.agents[f.to];
    const std::string& x = g.artifacts[f.artifact].name;
    const std::uint64_t cs = c.count(f.from);
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation && from.population && c.contains(f.to)) {
      const std::uint64_t t = f.channel.threshold;
      const std::uint64_t m = f.channel.min_clients ? f.channel.min_clients : t;
      if (t > 0 && cs >= t) {
        out.push_back(steps::secure_aggregation_opened(x, to.name, cs, from.name, t));
      } else if (to.trust == flow::Trust::kMalicious) {
        std::uint64_t kept = m > cs ? m - cs : 0;
        std::uint64_t honest = from.count > cs ? from.count - cs : 1;
        std::uint64_t h = std::min(honest, std::max<std::uint64_t>(1, kept));
        out.push_back(steps::malicious_drops(to.name, x, h, m, cs, from.name));
      } else if (cs > 0) {
        out.push_back(steps::secure_sum_seen(to.name, x, from.count - std::min(from.count, cs)));
      }
    }
    if (f.channel.kind == flow::Channel::Kind::kShuffler && f.channel.shuffler < g.agents.size() &&
        c.contains(f.channel.shuffler) && c.contains(f.to))
      out.push_back(steps::shuffle_opened(g.agents[f.channel.shuffler].name, to.name, x));
  }
  for (flow::Id a = 0; a < g.agents.size(); ++a) {
    const auto& agent = g.agents[a];
    if (!agent.population || c.count(a) < agent.count) continue;
    for (const auto& h : agent.holds)
      if (h.partitioned && h.data < g.data.size())
        out.push_back(steps::all_partitions(agent.count, agent.name, g.data[h.data].name));
  }
  return out;
}

class Search {
 public:
  Search(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed, const Evaluate& evaluate,
         const Options& options, const std::set<flow::Id>& datas, const SearchLimits& limits)
      : graph_(g), target_(target), fixed_(fixed), evaluate_(evaluate), options_(options), limits_(limits),
        relevance_(relevance(g, datas)) {}

  Verdict run(SearchStats& stats);

 private:
  struct Slot {
    flow::Id agent;
    std::uint64_t room;
    /// Interchangeable single agents chosen by count (first `count` of them), or empty.
    std::vector<flow::Id> group = {};
  };
  /// Adds instances [from, from + n) of a slot to a coalition.
  static void add_to(Coalition& c, const Slot& s, std::uint64_t from, std::uint64_t n) {
    if (s.group.empty()) {
      c.taken[s.agent] += n;
      return;
    }
    for (std::uint64_t j = from; j < from + n && j < s.group.size(); ++j) c.taken[s.group[j]] += 1;
  }
  /// Groups interchangeable leaves among the single slots (see leaf_signature).
  void group_leaves();
  std::string leaf_signature(flow::Id a) const;

  /// The verdict at relevant counts `x` (memoised); nullptr when the evaluation limit is hit.
  const Verdict* at(const std::vector<std::uint64_t>& x);
  Coalition coalition(const std::vector<std::uint64_t>& x) const {
    Coalition c = fixed_;
    c.taken.resize(graph_.agents.size(), 0);
    for (std::size_t i = 0; i < slots_.size(); ++i) add_to(c, slots_[i], 0, x[i]);
    return c;
  }
  /// Keeps `v` at `x` if it is the worst so far; undecided verdicts are kept aside.
  void consider(const Verdict& v, const std::vector<std::uint64_t>& x) {
    if (v.status == Status::kUndecided) {
      if (!undecided_) undecided_ = v;
      return;
    }
    if (!best_ || worse(v, *best_)) {
      best_ = v;
      best_x_ = x;
    }
  }
  /// Worst point of one class: false when a limit stopped it.
  bool solve_class(const solver::ClassEnumerator& en, const solver::ChoiceClass& cls);

  // The stages of run: collect the candidates, enumerate the classes of choices, minimise the
  // worst choice, explain the verdict.
  /// Sorts the candidates into slots (relevant) and filler (changing nothing), sets K; returns
  /// the scope's words ("2 among a, b").
  std::string collect_candidates();
  /// The slots' breakpoints on the chosen count, for Z3 (and continuous_ per slot).
  std::vector<solver::ChoiceSlot> choice_slots();
  /// Walks Z3's classes of choices until all are covered (true) or a limit stops it.
  bool enumerate(SearchStats& stats);
  /// Shrinks the worst violating choice to as few members as keep its figure.
  void minimise();
  Verdict explain(const std::string& scope, bool complete, const SearchStats& stats);
  /// The verdict when the search stopped early with no violation: a proof if all candidates
  /// together hold, else undecided.
  Verdict explain_stopped(const std::string& scope);
  /// The reported choice takes exactly K instances: the rest from candidates that change nothing.
  Coalition padded(const std::vector<std::uint64_t>& x) const;
  /// When the worst choice needs fewer than K, says which members only make up the number.
  void note_padding(Derivation& why, const Verdict& reported) const;

  const flow::Graph& graph_;
  const flow::Coalition& target_;
  const Coalition& fixed_;
  const Evaluate& evaluate_;
  const Options& options_;
  SearchLimits limits_;
  Relevance relevance_;
  std::vector<Slot> slots_;        // relevant candidates with room
  std::vector<Slot> filler_;       // candidates whose membership changes nothing
  std::vector<bool> continuous_;   // per slot
  std::uint64_t choose_ = 0;            // instances to choose (≤ the room of all candidates)
  std::map<std::vector<std::uint64_t>, Verdict> memo_;
  std::optional<Verdict> best_, undecided_, unresolved_;
  std::vector<std::uint64_t> best_x_;
  std::string stop_;  // why the search stopped early ("" if it did not)
};

const Verdict* Search::at(const std::vector<std::uint64_t>& x) {
  auto it = memo_.find(x);
  if (it != memo_.end()) return &it->second;
  if (memo_.size() >= limits_.max_evaluations) {
    if (stop_.empty()) stop_ = "the search limit of " + std::to_string(limits_.max_evaluations) + " evaluations";
    return nullptr;
  }
  if (options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline) {
    if (stop_.empty()) stop_ = "the time budget of the analysis";
    return nullptr;
  }
  Verdict v = evaluate_(coalition(x));
  auto& slot = memo_.emplace(x, std::move(v)).first->second;
  // Upper corners may take more than K: bounds, never choices.
  std::uint64_t used = 0;
  for (auto c : x) used += c;
  if (used <= choose_) consider(slot, x);
  return &slot;
}

bool Search::solve_class(const solver::ClassEnumerator& en, const solver::ChoiceClass& cls) {
  const std::size_t n = slots_.size();
  std::vector<std::uint64_t> lo(n), hi(n);
  std::uint64_t least = 0;
  for (std::size_t i = 0; i < n; ++i) {
    lo[i] = en.lo(i, cls.level[i]);
    hi[i] = en.hi(i, cls.level[i]);
    least += lo[i];
  }
  const std::uint64_t rem = choose_ - least;  // Z3 guarantees least ≤ k
  // Which populations trade honest shares (or copies) inside this class.
  std::vector<std::size_t> trading;
  std::uint64_t width = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (continuous_[i] && hi[i] > lo[i]) {
      trading.push_back(i);
      width += hi[i] - lo[i];
    }
  // Fills what budget is left into the other slots (more members never hide anything).
  auto fill = [&](std::vector<std::uint64_t>& x) {
    std::uint64_t used = 0;
    for (std::size_t i = 0; i < n; ++i) used += x[i];
    for (std::size_t i = 0; i < n && used < choose_; ++i) {
      std::uint64_t add = std::min(hi[i] - x[i], choose_ - used);
      x[i] += add;
      used += add;
    }
  };
  // Every trading population as full as the budget allows, in order, the rest filled.
  auto greedy = [&] {
    std::vector<std::uint64_t> x = lo;
    std::uint64_t left = rem;
    for (std::size_t i : trading) {
      std::uint64_t add = std::min(hi[i] - lo[i], left);
      x[i] += add;
      left -= add;
    }
    fill(x);
    return x;
  };
  // One point is the worst of the class: the greedy one.
  if (trading.size() <= 1 || width <= rem) return at(greedy()) != nullptr;
  // Several populations share the budget: its upper corner bounds the class.
  std::vector<std::uint64_t> corner = lo;
  for (std::size_t i : trading) corner[i] = std::min(hi[i], lo[i] + rem);
  for (std::size_t i = 0; i < n; ++i)
    if (!continuous_[i]) corner[i] = std::min(hi[i], lo[i] + rem);
  const Verdict* bound = at(corner);
  if (!bound) return false;
  if (bound->status != Status::kUndecided && best_ && !worse(*bound, *best_)) return true;
  if (trade_off_points(lo, hi, trading, rem, limits_.max_points_per_class) > limits_.max_points_per_class) {
    // Too many to walk: a greedy point for the record, the corner as a sound bound.
    if (!at(greedy())) return false;
    if (bound->status != Status::kUndecided && (!best_ || worse(*bound, *best_)) &&
        (!unresolved_ || worse(*bound, *unresolved_)))
      unresolved_ = *bound;
    return true;
  }
  // Walk every split of the budget among the trading populations.
  std::vector<std::uint64_t> x = lo;
  bool ok = true;
  std::function<void(std::size_t, std::uint64_t)> walk = [&](std::size_t j, std::uint64_t left) {
    if (!ok) return;
    std::size_t i = trading[j];
    if (j + 1 == trading.size()) {
      if (left > hi[i] - lo[i]) return;
      x[i] = lo[i] + left;
      std::vector<std::uint64_t> y = x;
      fill(y);
      ok = at(y) != nullptr;
      return;
    }
    for (std::uint64_t t = 0; t <= std::min(hi[i] - lo[i], left); ++t) {
      x[i] = lo[i] + t;
      walk(j + 1, left - t);
    }
    x[i] = lo[i];
  };
  walk(0, rem);
  return ok;
}

std::string Search::leaf_signature(flow::Id a) const {
  // A leaf: a single agent that holds nothing, computes nothing, sends nothing and shuffles
  // nothing, and receives only artifacts that go to it alone and feed no computation. Two
  // leaves with the same signature (what they receive: the same mechanism with the same
  // parameters on the same inputs, from the same sender, on the same kind of channel) are
  // swapped by an automorphism of the graph: any choice of them is as bad as any other
  // choice of as many.
  const auto& agent = graph_.agents[a];
  if (agent.population || !agent.holds.empty()) return "";
  for (const auto& x : graph_.artifacts) {
    if (x.at == a) return "";
    for (const auto& in : x.inputs)
      if (in.kind == flow::Input::Kind::kArtifact && in.artifact < graph_.artifacts.size() && graph_.artifacts[in.artifact].at == a)
        return "";
  }
  std::vector<std::string> parts;
  for (const auto& f : graph_.flows) {
    if (f.from == a || f.channel.shuffler == a) return "";
    if (f.to != a) continue;
    if (f.artifact >= graph_.artifacts.size()) return "";
    const auto& x = graph_.artifacts[f.artifact];
    if (f.channel.kind != flow::Channel::Kind::kPlain && f.channel.kind != flow::Channel::Kind::kEncrypted) return "";
    if (x.at >= graph_.agents.size() || graph_.agents[x.at].population) return "";
    for (const auto& other : graph_.flows)
      if (other.artifact == f.artifact && other.to != a) return "";
    for (const auto& y : graph_.artifacts)
      for (const auto& in : y.inputs)
        if (in.kind == flow::Input::Kind::kArtifact && in.artifact == f.artifact) return "";
    std::string sig = std::to_string(static_cast<int>(f.channel.kind)) + "|" + std::to_string(f.from) + "|" +
                      std::to_string(static_cast<int>(x.kind)) + "@" + std::to_string(x.at) + "|" +
                      (x.distributed ? "d" : "") + (x.tree_completion ? "c" : "") + flow::batching_name(x.batching) + "(";
    for (const auto& in : x.inputs)
      sig += std::to_string(static_cast<int>(in.kind)) + ":" + std::to_string(in.data) + ":" + std::to_string(in.field) + ":" +
             std::to_string(in.artifact) + ",";
    for (const auto& [key, pv] : x.params) sig += flow::param_name(key) + std::string("=") + graph_.value(pv).get_str() + ",";
    for (const auto& [key, list] : x.lists) {
      sig += flow::param_name(key) + std::string("=[");
      for (const auto& pv : list) sig += graph_.value(pv).get_str() + ",";
      sig += "],";
    }
    for (flow::Id f2 : x.selected) sig += "s" + std::to_string(f2) + ",";
    if (x.expr) return "";  // maps: not compared
    parts.push_back(sig + ")");
  }
  if (parts.empty()) return "";
  std::sort(parts.begin(), parts.end());
  return std::to_string(static_cast<int>(agent.trust)) + "#" + join(parts, ";");
}

void Search::group_leaves() {
  std::map<std::string, std::vector<std::size_t>> by_signature;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (fixed_.count(slots_[i].agent) > 0) continue;
    std::string sig = leaf_signature(slots_[i].agent);
    if (!sig.empty()) by_signature[sig].push_back(i);
  }
  std::vector<bool> grouped(slots_.size(), false);
  std::vector<Slot> out;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (grouped[i]) continue;
    std::string sig = fixed_.count(slots_[i].agent) > 0 ? "" : leaf_signature(slots_[i].agent);
    auto it = sig.empty() ? by_signature.end() : by_signature.find(sig);
    if (it == by_signature.end() || it->second.size() < 2) {
      out.push_back(slots_[i]);
      continue;
    }
    Slot group{slots_[i].agent, 0, {}};
    for (std::size_t j : it->second) {
      grouped[j] = true;
      group.group.push_back(slots_[j].agent);
    }
    group.room = group.group.size();
    out.push_back(std::move(group));
  }
  slots_ = std::move(out);
}

std::string Search::collect_candidates() {
  std::vector<std::string> names;
  std::uint64_t capacity = 0;
  for (flow::Id a : target_.candidates) {
    if (a >= graph_.agents.size()) continue;
    const auto& agent = graph_.agents[a];
    names.push_back(agent_label(agent));
    if (agent.trust == flow::Trust::kTrusted || agent.trust == flow::Trust::kHonest) continue;
    if (std::any_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.agent == a; }) ||
        std::any_of(filler_.begin(), filler_.end(), [&](const Slot& s) { return s.agent == a; }))
      continue;  // named twice
    std::uint64_t room = agent.count - std::min(agent.count, fixed_.count(a));
    if (room == 0) continue;
    capacity += room;
    (relevance_.relevant[a] ? slots_ : filler_).push_back(Slot{a, room});
  }
  choose_ = std::min<std::uint64_t>(target_.choose, capacity);
  group_leaves();
  return std::to_string(target_.choose) + " among " + join(names, ", ");
}

std::vector<solver::ChoiceSlot> Search::choice_slots() {
  // Breakpoints on the chosen count (the fixed part already counts toward each).
  std::vector<solver::ChoiceSlot> choice;
  for (const auto& s : slots_) {
    const auto& agent = graph_.agents[s.agent];
    solver::ChoiceSlot cs;
    cs.name = agent.name;
    cs.single = !agent.population && s.group.empty();
    cs.room = std::min(s.room, choose_);
    if (!s.group.empty()) {
      // A group of interchangeable observers: only how many of them are chosen matters,
      // each one adding its own releases (monotone, between any two counts).
      cs.breakpoints.push_back(1);
      choice.push_back(std::move(cs));
      continuous_.push_back(true);
      continue;
    }
    const std::uint64_t f = fixed_.count(s.agent);
    for (std::uint64_t b : relevance_.breakpoints[s.agent])
      if (b > f && b - f <= cs.room) cs.breakpoints.push_back(b - f);
    choice.push_back(std::move(cs));
    continuous_.push_back(agent.population && relevance_.continuous[s.agent]);
  }
  return choice;
}

bool Search::enumerate(SearchStats& stats) {
  const std::vector<solver::ChoiceSlot> choice = choice_slots();
  stats.slots = slots_.size();
  solver::Limits zl;
  zl.timeout_ms = options_.solver_timeout_ms;
  zl.rlimit = limits_.rlimit;
  solver::Session session(zl);
  solver::ClassEnumerator en(session, choice, choose_);
  bool complete = false;
  for (;;) {
    if (!stop_.empty()) break;
    if (stats.classes >= limits_.max_classes) {
      stop_ = "the search limit of " + std::to_string(limits_.max_classes) + " classes of choices";
      break;
    }
    solver::ChoiceClass cls;
    auto r = en.next(cls);
    if (r.status == solver::SolveStatus::kUnsat) {
      complete = true;
      break;
    }
    if (r.status == solver::SolveStatus::kUnknown) {
      stop_ = "a Z3 limit (" + r.reason + ")";
      break;
    }
    ++stats.classes;
    // The upper corner of everything at or below this class.
    std::vector<std::uint64_t> top(slots_.size());
    for (std::size_t i = 0; i < slots_.size(); ++i) top[i] = std::min(en.hi(i, cls.level[i]), choose_);
    const Verdict* u = at(top);
    if (!u) break;
    auto covers = [&](const Verdict* v) { return v && v->status != Status::kUndecided && best_ && !worse(*v, *best_); };
    if (covers(u)) {
      en.cover_below(cls);
      continue;
    }
    if (!solve_class(en, cls)) break;
    u = at(top);
    if (covers(u))
      en.cover_below(cls);
    else
      en.cover(cls);
  }
  stats.queries = en.queries();
  stats.evaluations = memo_.size();
  stats.complete = complete;
  return complete;
}

Coalition Search::padded(const std::vector<std::uint64_t>& x) const {
  Coalition c = coalition(x);
  std::uint64_t used = 0;
  for (auto v : x) used += v;
  for (const auto& s : filler_) {
    if (used >= choose_) break;
    std::uint64_t add = std::min(s.room, choose_ - used);
    c.taken[s.agent] += add;
    used += add;
  }
  for (std::size_t i = 0; i < slots_.size() && used < choose_; ++i) {
    std::uint64_t add = std::min(slots_[i].room - x[i], choose_ - used);
    add_to(c, slots_[i], x[i], add);
    used += add;
  }
  return c;
}

void Search::minimise() {
  // The worst choice with as few members as keep its figure, slot by slot (the figure is
  // monotone in each count: one step down first, which usually already lowers it, then a
  // binary search), so that the explanation can tell the members that matter from those that
  // only make up K.
  if (!best_ || best_->status != Status::kViolated) return;
  std::vector<std::uint64_t> x = best_x_;
  auto keeps = [&](const std::vector<std::uint64_t>& y) {  // nullopt: evaluation limit
    const Verdict* at_y = at(y);
    if (!at_y) return std::optional<bool>();
    return std::optional<bool>(at_y->status != Status::kUndecided && !worse(*best_, *at_y));
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == 0) continue;
    std::vector<std::uint64_t> below = x;
    --below[i];
    const auto one_less = keeps(below);
    if (!one_less || !*one_less) continue;
    std::uint64_t lo = 0, hi = below[i];
    while (lo < hi) {
      std::vector<std::uint64_t> y = x;
      y[i] = lo + (hi - lo) / 2;
      const auto kept = keeps(y);
      if (!kept) break;  // evaluation limit: keep what is proven so far
      if (*kept) hi = y[i];
      else lo = y[i] + 1;
    }
    x[i] = hi;
  }
  best_x_ = x;
}

void Search::note_padding(Derivation& why, const Verdict& reported) const {
  // A reviewer should not defend against an agent that changes nothing.
  if (!best_ || worse(reported, *best_)) return;  // the padded choice is worse: all of it counts
  const Coalition core = coalition(best_x_);
  Coalition pad;
  pad.taken.assign(graph_.agents.size(), 0);
  for (flow::Id a = 0; a < graph_.agents.size(); ++a)
    pad.taken[a] = reported.coalition.count(a) - std::min(reported.coalition.count(a), core.count(a));
  if (pad.empty()) return;
  auto size = [](const Coalition& c) { return std::accumulate(c.taken.begin(), c.taken.end(), std::uint64_t{0}); };
  why.add(steps::padding(members(graph_, pad), size(pad), target_.choose, describe(graph_, core), size(core)));
}

Verdict Search::explain_stopped(const std::string& scope) {
  // Stopped: still a proof when even every candidate at once (up to K each) holds.
  std::vector<std::uint64_t> all(slots_.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) all[i] = std::min(slots_[i].room, choose_);
  Coalition c = coalition(all);
  Verdict u = evaluate_(c);
  if (u.status == Status::kHolds) {
    u.explanation.add(steps::proof_all_together(scope, stop_));
    return u;
  }
  Verdict v = best_ ? *best_ : u;
  v.status = Status::kUndecided;
  v.reason = "the search over any " + scope + " stopped at " + (stop_.empty() ? std::string("a limit") : stop_) +
             " with no violation found";
  v.explanation.add(v.reason);
  return v;
}

Verdict Search::explain(const std::string& scope, bool complete, const SearchStats& stats) {
  Verdict v;
  if (best_ && best_->status == Status::kViolated) {
    Coalition c = padded(best_x_);
    Verdict p = evaluate_(c);
    v = (p.status != Status::kUndecided && !worse(*best_, p)) ? std::move(p) : *best_;
    Derivation& why = v.explanation.add(steps::worst_choice(scope, describe(graph_, v.coalition)));
    note_padding(why, v);
    for (const auto& rule : active_rules(graph_, relevance_, v.coalition)) why.add(rule);
    if (!stop_.empty() || unresolved_)
      why.add(steps::stopped_after_violation(stop_));
    return v;
  }
  if (undecided_) {
    v = *undecided_;
    v.explanation.add(steps::undecided_choice(describe(graph_, v.coalition), scope));
    return v;
  }
  if (!stop_.empty() || !complete) return explain_stopped(scope);
  if (!best_) {
    v = evaluate_(padded(std::vector<std::uint64_t>(slots_.size(), 0)));
  } else {
    Verdict p = evaluate_(padded(best_x_));
    v = (p.status != Status::kUndecided && !worse(*best_, p)) ? std::move(p) : *best_;
  }
  if (unresolved_) {
    // Some class was bounded by its corner only: sound, but that corner may be worse.
    if (unresolved_->status == Status::kViolated) {
      Verdict u = *unresolved_;
      u.status = Status::kUndecided;
      u.reason = "a trade-off between populations in any " + scope + " has too many points to check (over " +
                 std::to_string(limits_.max_points_per_class) + ") and its upper bound violates";
      u.explanation.add(u.reason);
      return u;
    }
    if (worse(*unresolved_, v)) {
      v.value = unresolved_->value;
      v.rational = unresolved_->rational;
      v.exact = false;
      v.explanation.add(steps::corner_bound(value_text(v)));
    }
  }
  const steps::SearchCounts counts{stats.classes, memo_.size()};
  if (v.status == Status::kHolds)
    v.explanation.add(steps::proof(scope, counts, describe(graph_, v.coalition)));
  else if (v.status == Status::kViolated) {
    Derivation& why = v.explanation.add(steps::worst_choice(scope, describe(graph_, v.coalition), counts));
    note_padding(why, v);
    for (const auto& rule : active_rules(graph_, relevance_, v.coalition)) why.add(rule);
  }
  return v;
}

Verdict Search::run(SearchStats& stats) {
  const std::string scope = collect_candidates();
  const bool complete = enumerate(stats);
  minimise();
  return explain(scope, complete, stats);
}

}  // namespace

Verdict search_worst(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed,
                     const Evaluate& evaluate, const Options& options, flow::Id data, const SearchLimits& limits,
                     SearchStats* stats) {
  SearchStats local;
  std::set<flow::Id> datas;
  if (data != flow::kNone) datas.insert(data);
  Search s(g, target, fixed, evaluate, options, datas, limits);
  return s.run(stats ? *stats : local);
}

Verdict search_worst(const flow::Graph& g, const flow::Coalition& target, const Coalition& fixed,
                     const Evaluate& evaluate, const Options& options) {
  // The data sets of the requirements that use this coalition (by address: a named
  // adversary's or a requirement's own): only they can be what `evaluate` measures.
  std::set<flow::Id> datas;
  bool unknown = false;
  for (const auto& r : g.requirements) {
    const flow::Coalition* c =
        r.adversary != flow::kNone && r.adversary < g.adversaries.size() ? &g.adversaries[r.adversary].coalition : &r.coalition;
    if (c != &target) continue;
    if (r.data == flow::kNone) unknown = true;
    else datas.insert(r.data);
  }
  if (unknown) datas.clear();  // empty: any data set
  SearchStats local;
  Search s(g, target, fixed, evaluate, options, datas, {});
  return s.run(local);
}

}  // namespace privflow::analyzer
