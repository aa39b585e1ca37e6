#include "analyzer/detail/knowledge.hpp"
#include "analyzer/detail/network.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>

#include "base/rational.hpp"
#include "flow/catalogue.hpp"

namespace privflow::analyzer::detail {
namespace {

constexpr std::size_t kMaxRouteSteps = 8;

void append_step(std::vector<Step>& path, const Step& step) {
  if (path.size() < kMaxRouteSteps) path.push_back(step);
}

class Propagation {
 public:
  Propagation(const flow::Graph& g, flow::Id data, const Coalition& c) : graph_(g), data_(data), coalition_(c) {}

  Observation run();
  /// Runs the propagation and keeps what each artifact and flow carries.
  Trace trace();
  /// Rule 2 for `c`: whether it holds the record itself (kHoldsData with the reason).
  bool holds_record(Observation& obs) const;
  /// After run(): what one instance of `agent` sees, read off its holdings (valid when the
  /// agent takes no part in the channels and counts the propagation depends on).
  Observation collect_single(flow::Id agent) const;

 private:
  using Classes = std::array<Knowledge, 2>;  // [0] single agent or target instance, [1] other instances

  bool population(flow::Id agent) const { return graph_.agents[agent].population; }
  std::uint64_t count(flow::Id agent) const { return graph_.agents[agent].count; }
  std::uint64_t others(flow::Id agent) const { return count(agent) > 0 ? count(agent) - 1 : 0; }
  std::size_t classes(flow::Id agent) const { return population(agent) ? 2 : 1; }
  Copy copy_of(flow::Id agent, std::size_t cls) const {
    if (!population(agent)) return Copy::kSingle;
    return cls == 0 ? Copy::kTarget : Copy::kOther;
  }
  /// Honest contributions to a sum over the instances of `sender` (the target's among them).
  std::uint64_t honest(flow::Id sender) const {
    std::uint64_t n = count(sender), c = coalition_.count(sender);
    return n > c ? n - c : 1;
  }

  bool propagate();
  Observation collect(Observation obs) const;
  /// Adds what `members` instances of holding's agent see to `obs`.
  void see(Observation& obs, std::size_t holding, std::uint64_t members) const;
  /// The loss kind of what `obs` has seen.
  Observation classify(Observation obs) const;
  Knowledge read_data(flow::Id agent, std::size_t cls, const flow::Input& in, const flow::Artifact& x) const;
  /// What the inputs of `artifact` reveal, at its agent's instance class `cls`.
  Knowledge inputs(flow::Id artifact, std::size_t cls) const;
  Knowledge compute(flow::Id artifact, std::size_t cls) const;
  /// A protocol among a population's members (flow::is_network_protocol), for either class.
  Knowledge network(flow::Id artifact) const;
  Knowledge receive(const flow::Flow& f) const;
  /// The knowledge of all instances of `sender` seen one by one.
  Knowledge all_instances(flow::Id sender, const Classes& k) const;
  /// The knowledge of the sum over the instances of `sender` with `h` honest contributions.
  Knowledge summed(flow::Id sender, const Classes& k, std::uint64_t h, bool shuffled) const;
  /// `aggregate`: the target's individually seen releases summed with the honest instances'.
  void sum_instances(std::vector<ReleaseUse>& releases) const;
  /// Whether other instances' copies of `artifact` are among `releases` (they read the target).
  static bool replicated(const std::vector<ReleaseUse>& releases, flow::Id artifact);
  /// Whether each instance of `sender` holds at most one record of the data (by partition).
  bool one_record_each(flow::Id sender) const;
  static std::vector<flow::Id> fields_read(const Knowledge& in);

  const Classes* held(flow::Id artifact, flow::Id agent) const {
    auto it = index_.find({artifact, agent});
    return it == index_.end() ? nullptr : &knowledge_[it->second];
  }

  const flow::Graph& graph_;
  flow::Id data_;
  const Coalition& coalition_;
  std::map<std::pair<flow::Id, flow::Id>, std::size_t> index_;  // (artifact, agent) -> holding
  std::map<flow::Id, std::vector<std::size_t>> by_agent_;         // agent -> its holdings
  bool propagated_ = false;
  std::vector<std::pair<flow::Id, flow::Id>> holdings_;
  std::vector<Classes> knowledge_;
};

Knowledge Propagation::read_data(flow::Id agent, std::size_t cls, const flow::Input& in, const flow::Artifact& x) const {
  Knowledge k;
  if (in.data != data_) return k;
  const auto& a = graph_.agents[agent];
  bool reads_target = false;
  for (const auto& h : a.holds) {
    if (h.data != data_) continue;
    if (!h.partitioned || !a.population || cls == 0) reads_target = true;
  }
  if (!reads_target) return k;
  RecordView view;
  view.kind = RecordView::Kind::kFields;
  if (in.kind == flow::Input::Kind::kField) {
    view.fields = {in.field};
  } else {
    for (flow::Id f = 0; f < graph_.data[data_].fields.size(); ++f) view.fields.push_back(f);
  }
  k.views.push_back(view);
  k.exposure_path.push_back(Step{in.span.line, a.name + " holds " + graph_.data[data_].name, in.span.column});
  return k;
}

Knowledge Propagation::inputs(flow::Id id, std::size_t cls) const {
  const flow::Artifact& x = graph_.artifacts[id];
  Knowledge in;
  for (const auto& input : x.inputs) {
    if (input.kind == flow::Input::Kind::kArtifact) {
      if (const Classes* k = held(input.artifact, x.at)) in.merge((*k)[std::min(cls, classes(x.at) - 1)]);
    } else {
      in.merge(read_data(x.at, cls, input, x));
    }
  }
  return in;
}

Knowledge Propagation::network(flow::Id id) const {
  // Every member's output and messages depend on every member's noisy contribution: both
  // classes hold the target's (the other members through the messages they received).
  const flow::Artifact& x = graph_.artifacts[id];
  const Knowledge target = inputs(id, 0);
  const Knowledge others = classes(x.at) > 1 ? inputs(id, 1) : Knowledge{};
  Knowledge out;
  out.releases = target.releases;
  for (const auto& use : others.releases) out.merge(Knowledge{false, {}, {use}, {}});
  if (!target.deterministic() && !others.deterministic()) return out;
  Knowledge both = target;
  both.merge(others);
  ReleaseUse use;
  use.artifact = id;
  use.copy = Copy::kTarget;
  use.reads = fields_read(both);
  use.network_everyone = others.deterministic();
  use.route.push_back(Step{x.span.line, describe_artifact(graph_, id), x.span.column});
  out.releases.push_back(use);
  return out;
}

Knowledge Propagation::compute(flow::Id id, std::size_t cls) const {
  const flow::Artifact& x = graph_.artifacts[id];
  if (flow::is_network_protocol(x.kind)) return network(id);
  const Knowledge in = inputs(id, cls);
  Step step{x.span.line, describe_artifact(graph_, id), x.span.column};
  Knowledge out;
  out.releases = in.releases;
  if (flow::is_private(x.kind)) {
    if (in.deterministic()) {
      ReleaseUse use;
      use.artifact = id;
      use.copy = copy_of(x.at, cls);
      use.reads = fields_read(in);
      use.route.push_back(step);
      out.releases.push_back(use);
    }
    return out;
  }
  // Post-processing passes releases on: note the step on their routes.
  for (auto& use : out.releases) append_step(use.route, step);
  if (x.kind == flow::ComputeKind::kAggregate) sum_instances(out.releases);
  if (!in.deterministic()) return out;
  out.exposure_path = in.exposure_path;
  append_step(out.exposure_path, step);
  switch (x.kind) {
    case flow::ComputeKind::kSelect: {
      bool from_data = !x.inputs.empty() && x.inputs[0].kind != flow::Input::Kind::kArtifact;
      if (from_data) {
        out.views.push_back(RecordView{RecordView::Kind::kFields, id, x.selected});
      } else {
        out.stats = in.stats;
        out.views = in.views;
      }
      break;
    }
    case flow::ComputeKind::kMap: {
      bool from_data = !x.inputs.empty() && x.inputs[0].kind != flow::Input::Kind::kArtifact;
      if (from_data && x.expr) {
        RecordView v{RecordView::Kind::kMap, id, {}};
        // The fields the expression reads.
        std::vector<const flow::Expr*> stack{&*x.expr};
        while (!stack.empty()) {
          const flow::Expr* e = stack.back();
          stack.pop_back();
          if (e->op == flow::Expr::Op::kField) v.fields.push_back(e->field);
          for (const auto& c : e->children) stack.push_back(&c);
        }
        std::sort(v.fields.begin(), v.fields.end());
        v.fields.erase(std::unique(v.fields.begin(), v.fields.end()), v.fields.end());
        out.views.push_back(v);
      } else {
        out.stats = in.stats;
        out.views = in.views;
      }
      break;
    }
    case flow::ComputeKind::kPseudonymize:
      out.stats = in.stats;
      out.views = in.views;
      break;
    default:  // count, sum, mean, histogram, aggregate, train: the fields they read
      out.stats = true;
      out.views = in.views;
      break;
  }
  return out;
}

std::vector<flow::Id> Propagation::fields_read(const Knowledge& in) {
  std::vector<flow::Id> fields;
  for (const auto& v : in.views) fields.insert(fields.end(), v.fields.begin(), v.fields.end());
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return fields;
}

bool Propagation::replicated(const std::vector<ReleaseUse>& releases, flow::Id artifact) {
  return std::any_of(releases.begin(), releases.end(),
                     [&](const ReleaseUse& r) { return r.artifact == artifact && r.copy == Copy::kOther; });
}

void Propagation::sum_instances(std::vector<ReleaseUse>& releases) const {
  // A sum over a population's instances: the target's distributed noise is protected by the
  // honest shares in it (docs/language.md, "How the analysis works", step 4) — unless the
  // other instances' shares depend on the target too (they hold the record whole): then
  // their noise is not independent of it, and each share counts as seen.
  for (auto& use : releases) {
    flow::Id at = graph_.artifacts[use.artifact].at;
    if (use.copy == Copy::kTarget && use.individually && population(at) && !replicated(releases, use.artifact)) {
      use.shares = honest(at);
      use.individually = false;
    }
  }
}

bool Propagation::one_record_each(flow::Id sender) const {
  const auto& a = graph_.agents[sender];
  const auto& d = graph_.data[data_];
  if (!a.population || d.rows == 0 || d.rows > a.count) return false;
  return std::any_of(a.holds.begin(), a.holds.end(), [&](const flow::Holding& h) { return h.data == data_ && h.partitioned; });
}

Knowledge Propagation::all_instances(flow::Id sender, const Classes& k) const {
  Knowledge out = k[0];
  if (population(sender) && others(sender) > 0) {
    Knowledge rest = k[1];
    for (auto& use : rest.releases)
      if (use.copy == Copy::kOther && graph_.artifacts[use.artifact].at == sender) use.copies = others(sender);
    out.merge(rest);
  }
  return out;
}

Knowledge Propagation::summed(flow::Id sender, const Classes& k, std::uint64_t h, bool shuffled) const {
  Knowledge out = all_instances(sender, k);
  // A sum (or a multiset) of exact per-instance values is a statistic: it exposes the
  // record's fields it reads to whoever knows the other records (Knowledge's comment).
  if (out.deterministic()) out.stats = true;
  // Shuffle amplification (Feldman, McMillan & Talwar 2021) needs every message to be a local
  // randomizer of one person's data, so that any other message could be a clone of the
  // target's: the target's message is a single pure release of its instance's one record,
  // and the other messages are other people's (not replicas of the same record).
  const bool amplifiable = shuffled && k[0].releases.size() == 1 && !k[0].deterministic() && one_record_each(sender);
  const std::vector<ReleaseUse> all = out.releases;
  for (auto& use : out.releases) {
    if (graph_.artifacts[use.artifact].at != sender || !use.individually) continue;
    use.individually = false;
    if (use.copy != Copy::kTarget || replicated(all, use.artifact)) continue;
    if (shuffled) {
      if (amplifiable && flow::is_local_randomizer(graph_.artifacts[use.artifact].kind)) use.shuffled_among = h;
    } else {
      use.shares = h;
    }
  }
  return out;
}

Knowledge Propagation::receive(const flow::Flow& f) const {
  Knowledge out;
  const Classes* k = held(f.artifact, f.from);
  if (!k) return out;
  const flow::Id s = f.from;
  const std::uint64_t c = coalition_.count(s);
  switch (f.channel.kind) {
    case flow::Channel::Kind::kPlain:
    case flow::Channel::Kind::kEncrypted:
      out = all_instances(s, *k);
      break;
    case flow::Channel::Kind::kSecureAggregation: {
      bool opened = coalition_.contains(f.to) && c >= f.channel.threshold && f.channel.threshold > 0;
      if (opened || !population(s)) {
        out = all_instances(s, *k);
        break;
      }
      std::uint64_t h = honest(s);
      if (coalition_.contains(f.to) && graph_.agents[f.to].trust == flow::Trust::kMalicious) {
        std::uint64_t min_clients = f.channel.min_clients ? f.channel.min_clients : f.channel.threshold;
        std::uint64_t kept = min_clients > c ? min_clients - c : 0;
        h = std::min(h, std::max<std::uint64_t>(1, kept));
      }
      out = summed(s, *k, h, false);
      break;
    }
    case flow::Channel::Kind::kNetworkShuffle: {
      // A member of the senders in the coalition sees reports pass (and where they started):
      // no amplification is claimed then. Otherwise the receiver's view is, up to the walks'
      // distance from their stationary distribution, a shuffle (analyzer/network.cpp).
      const double mixing = population(s) ? network_mixing(graph_.agents[s], f.channel.walk_steps) : 1;
      if (c > 0 || !population(s) || !(mixing < 1)) {
        out = all_instances(s, *k);
        const std::string why = c > 0 ? "a sender is in the coalition: it sees the reports pass and where they started"
                                      : network_mixing_refusal(graph_.agents[s], f.channel.walk_steps);
        for (auto& use : out.releases)
          if (use.shuffle_refused.empty()) use.shuffle_refused = "none from the network shuffle: " + why;
        break;
      }
      out = summed(s, *k, honest(s), true);
      for (auto& use : out.releases)
        if (use.shuffled_among > 0 && mixing >= use.shuffle_mixing) {
          use.shuffle_mixing = mixing;
          use.shuffle_mixing_words = network_mixing_words(graph_.agents[s], f.channel.walk_steps);
        }
      break;
    }
    case flow::Channel::Kind::kShuffler: {
      bool opened = coalition_.contains(f.to) && f.channel.shuffler != flow::kNone && coalition_.contains(f.channel.shuffler);
      if (opened || !population(s)) {
        out = all_instances(s, *k);
        break;
      }
      out = summed(s, *k, honest(s), true);
      break;
    }
  }
  Step step{f.span.line, describe_flow(graph_, f), f.span.column};
  if (out.deterministic()) append_step(out.exposure_path, step);
  for (auto& use : out.releases) {
    append_step(use.route, step);
    if (flow::is_network_protocol(graph_.artifacts[use.artifact].kind)) use.network_outputs = true;
  }
  return out;
}

bool Propagation::holds_record(Observation& obs) const {
  const flow::Data& d = graph_.data[data_];
  for (flow::Id a = 0; a < graph_.agents.size(); ++a) {
    if (!coalition_.contains(a)) continue;
    const auto& agent = graph_.agents[a];
    for (const auto& h : agent.holds) {
      if (h.data != data_) continue;
      bool all = !h.partitioned || !agent.population || coalition_.count(a) >= agent.count;
      if (all) {
        obs.kind = LossKind::kHoldsData;
        obs.holds_reason = agent.name + (h.partitioned ? " (every partition)" : "") + " holds " + d.name;
        obs.holds_path.push_back(Step{h.span.line, obs.holds_reason, h.span.column});
        return true;
      }
    }
  }
  return false;
}

Observation Propagation::run() {
  Observation obs;
  // Rule 2: does the coalition hold the record itself?
  if (holds_record(obs)) return obs;
  if (!propagate()) {
    // A cycle the front end should have refused: say so rather than under-report.
    obs.kind = LossKind::kExposedStats;
    obs.seen.stats = true;
    obs.seen.exposure_path.push_back(Step{0, "the flows form a cycle: the analysis cannot bound it"});
    return obs;
  }
  return collect(obs);
}

bool Propagation::propagate() {
  // Holdings (artifact, agent): computed at the agent or received by it.
  auto add_holding = [&](flow::Id artifact, flow::Id agent) {
    auto [it, inserted] = index_.emplace(std::make_pair(artifact, agent), holdings_.size());
    if (inserted) {
      by_agent_[agent].push_back(holdings_.size());
      holdings_.emplace_back(artifact, agent);
    }
    return it->second;
  };
  for (flow::Id x = 0; x < graph_.artifacts.size(); ++x) add_holding(x, graph_.artifacts[x].at);
  for (const auto& f : graph_.flows)
    if (f.artifact != flow::kNone && f.to != flow::kNone && f.from != flow::kNone) add_holding(f.artifact, f.to);

  // Dependencies between holdings, then Kahn's order (flows form a DAG; the front end checks).
  std::vector<std::vector<std::size_t>> users(holdings_.size());
  std::vector<std::size_t> pending(holdings_.size(), 0);
  auto depend = [&](std::size_t user, flow::Id artifact, flow::Id agent) {
    auto it = index_.find({artifact, agent});
    if (it == index_.end() || it->second == user) return;
    users[it->second].push_back(user);
    ++pending[user];
  };
  for (flow::Id x = 0; x < graph_.artifacts.size(); ++x) {
    std::size_t self = index_.at({x, graph_.artifacts[x].at});
    for (const auto& in : graph_.artifacts[x].inputs)
      if (in.kind == flow::Input::Kind::kArtifact) depend(self, in.artifact, graph_.artifacts[x].at);
  }
  for (const auto& f : graph_.flows) {
    if (f.artifact == flow::kNone || f.to == flow::kNone || f.from == flow::kNone || f.from == f.to) continue;
    depend(index_.at({f.artifact, f.to}), f.artifact, f.from);
  }
  std::vector<std::vector<const flow::Flow*>> incoming(holdings_.size());
  for (const auto& f : graph_.flows)
    if (f.artifact != flow::kNone && f.to != flow::kNone && f.from != flow::kNone && f.from != f.to)
      incoming[index_.at({f.artifact, f.to})].push_back(&f);

  knowledge_.assign(holdings_.size(), Classes{});
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < holdings_.size(); ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::size_t done = 0;
  while (!ready.empty()) {
    std::size_t i = ready.front();
    ready.pop_front();
    ++done;
    auto [artifact, agent] = holdings_[i];
    for (std::size_t cls = 0; cls < classes(agent); ++cls) {
      Knowledge k;
      if (graph_.artifacts[artifact].at == agent) k.merge(compute(artifact, cls));
      for (const flow::Flow* f : incoming[i]) k.merge(receive(*f));
      knowledge_[i][cls] = std::move(k);
    }
    for (std::size_t u : users[i])
      if (--pending[u] == 0) ready.push_back(u);
  }
  propagated_ = done == holdings_.size();
  return propagated_;
}

Observation Propagation::collect(Observation obs) const {
  // Rule 1: the coalition's view is everything its members hold.
  for (std::size_t i = 0; i < holdings_.size(); ++i)
    if (coalition_.contains(holdings_[i].second)) see(obs, i, coalition_.count(holdings_[i].second));
  return classify(std::move(obs));
}

void Propagation::see(Observation& obs, std::size_t holding, std::uint64_t members) const {
  const flow::Id agent = holdings_[holding].second;
  Knowledge k = knowledge_[holding][population(agent) ? 1 : 0];
  if (population(agent)) {
    // Each member instance sees its own copy of the artifacts computed at it, and the messages
    // of the protocols its population runs.
    for (auto& use : k.releases) {
      if (graph_.artifacts[use.artifact].at != agent) continue;
      if (use.copy == Copy::kOther) use.copies = std::max(use.copies, std::min(others(agent), members));
      if (flow::is_network_protocol(graph_.artifacts[use.artifact].kind)) {
        use.network_members = std::max(use.network_members, std::min(others(agent), members));
        use.network_distance = coalition_.distance;
      }
    }
  }
  obs.seen.merge(k);
}

Observation Propagation::collect_single(flow::Id agent) const {
  Observation obs;
  if (!propagated_) {
    obs.kind = LossKind::kExposedStats;
    obs.seen.stats = true;
    obs.seen.exposure_path.push_back(Step{0, "the flows form a cycle: the analysis cannot bound it"});
    return obs;
  }
  auto it = by_agent_.find(agent);
  if (it != by_agent_.end())
    for (std::size_t i : it->second) see(obs, i, 1);
  return classify(std::move(obs));
}

Observation Propagation::classify(Observation obs) const {
  if (obs.seen.stats)
    obs.kind = LossKind::kExposedStats;
  else if (!obs.seen.views.empty())
    obs.kind = LossKind::kExposedRecord;
  else if (!obs.seen.releases.empty())
    obs.kind = LossKind::kPrivate;
  return obs;
}

Trace Propagation::trace() {
  Trace t;
  t.artifacts.resize(graph_.artifacts.size());
  t.flows.resize(graph_.flows.size());
  Observation holds = run();
  t.holds = holds.kind == LossKind::kHoldsData;
  if (holdings_.empty() && !propagate()) return t;
  for (flow::Id x = 0; x < graph_.artifacts.size(); ++x) {
    const flow::Id at = graph_.artifacts[x].at;
    const Classes* k = held(x, at);
    if (!k) continue;
    t.artifacts[x] = (*k)[0];
    // A protocol's messages reach the coalition's members of its population.
    for (auto& use : t.artifacts[x].releases)
      if (flow::is_network_protocol(graph_.artifacts[use.artifact].kind) && graph_.artifacts[use.artifact].at == at) {
        use.network_members = std::min(others(at), coalition_.count(at));
        use.network_distance = coalition_.distance;
      }
  }
  for (std::size_t i = 0; i < graph_.flows.size(); ++i) {
    const auto& f = graph_.flows[i];
    if (f.artifact != flow::kNone && f.from != flow::kNone && f.to != flow::kNone && f.from != f.to)
      t.flows[i] = receive(f);
  }
  return t;
}

}  // namespace

void Knowledge::merge(const Knowledge& other, std::uint64_t cap) {
  if (!deterministic() && other.deterministic()) exposure_path = other.exposure_path;
  // A statistic dominates; keep the path of a statistic when one appears.
  if (!stats && other.stats) exposure_path = other.exposure_path;
  stats = stats || other.stats;
  for (const auto& v : other.views)
    if (std::find(views.begin(), views.end(), v) == views.end()) views.push_back(v);
  for (const auto& use : other.releases) {
    auto it = std::find_if(releases.begin(), releases.end(),
                           [&](const ReleaseUse& r) { return r.artifact == use.artifact && r.copy == use.copy; });
    if (it == releases.end()) {
      releases.push_back(use);
      continue;
    }
    // Seen along two routes: the more revealing of the two counts (a release counts once).
    it->copies = std::min(cap, std::max(it->copies, use.copies));
    if (use.shares < it->shares) it->shares = use.shares;
    it->shuffled_among = (it->shuffled_among == 0 || use.shuffled_among == 0) ? 0 : std::min(it->shuffled_among, use.shuffled_among);
    if (use.individually && !it->individually) it->route = use.route;
    it->individually = it->individually || use.individually;
    // The distance speaks of the members who saw the messages; of two, the nearer is the worse (0: anywhere).
    if (it->network_members == 0)
      it->network_distance = use.network_distance;
    else if (use.network_members > 0)
      it->network_distance = std::min(it->network_distance, use.network_distance);
    it->network_members = std::max(it->network_members, use.network_members);
    if (use.shuffle_mixing > it->shuffle_mixing) {
      it->shuffle_mixing = use.shuffle_mixing;
      it->shuffle_mixing_words = use.shuffle_mixing_words;
    }
    if (it->shuffle_refused.empty()) it->shuffle_refused = use.shuffle_refused;
    it->network_outputs = it->network_outputs || use.network_outputs;
    it->network_everyone = it->network_everyone || use.network_everyone;
  }
}

Observation observe(const flow::Graph& g, flow::Id data, const Coalition& coalition) {
  return Propagation(g, data, coalition).run();
}

struct SingleObserver::Shared {
  const flow::Graph& g;
  flow::Id data;
  Coalition nobody;
  Propagation base;
  std::vector<bool> bespoke;  // by agent: the coalition changes the propagation

  Shared(const flow::Graph& graph, flow::Id d) : g(graph), data(d), base(graph, d, nobody) {
    nobody.taken.assign(g.agents.size(), 0);
    // A member changes the propagation where it receives through a secure sum or a shuffle,
    // shuffles, or is an instance of a population (its honest count drops by one).
    bespoke.assign(g.agents.size(), false);
    for (flow::Id a = 0; a < g.agents.size(); ++a) bespoke[a] = g.agents[a].population;
    for (const auto& f : g.flows) {
      if (f.channel.kind != flow::Channel::Kind::kSecureAggregation && f.channel.kind != flow::Channel::Kind::kShuffler &&
          f.channel.kind != flow::Channel::Kind::kNetworkShuffle)
        continue;
      if (f.to < bespoke.size()) bespoke[f.to] = true;
      if (f.from < bespoke.size()) bespoke[f.from] = true;
      if (f.channel.shuffler < bespoke.size()) bespoke[f.channel.shuffler] = true;
    }
    base.run();
  }
};

SingleObserver::SingleObserver(const flow::Graph& g, flow::Id data) : shared_(std::make_unique<Shared>(g, data)) {}
SingleObserver::~SingleObserver() = default;

Observation SingleObserver::observe(flow::Id agent) {
  Coalition one;
  one.taken.assign(shared_->g.agents.size(), 0);
  one.taken[agent] = 1;
  if (shared_->bespoke[agent]) return detail::observe(shared_->g, shared_->data, one);
  Observation obs;
  if (Propagation(shared_->g, shared_->data, one).holds_record(obs)) return obs;
  return shared_->base.collect_single(agent);
}

Trace trace(const flow::Graph& g, flow::Id data, const Coalition& coalition) {
  return Propagation(g, data, coalition).trace();
}

std::vector<RouteStep> route_of(const std::vector<Step>& steps) {
  std::vector<RouteStep> out;
  for (const auto& s : steps) out.push_back(RouteStep{s.line, s.column, s.text});
  return out;
}

std::string describe_artifact(const flow::Graph& g, flow::Id id) {
  const flow::Artifact& x = g.artifacts[id];
  std::string at = x.at < g.agents.size() ? g.agents[x.at].name : "?";
  return "compute " + x.name + " at " + at + " = " + flow::kind_name(x.kind) + "(…)";
}

std::string describe_flow(const flow::Graph& g, const flow::Flow& f) {
  std::string text = "send " + g.artifacts[f.artifact].name + " from " + g.agents[f.from].name + " to " + g.agents[f.to].name;
  switch (f.channel.kind) {
    case flow::Channel::Kind::kPlain: break;
    case flow::Channel::Kind::kEncrypted: text += " via encrypted"; break;
    case flow::Channel::Kind::kSecureAggregation:
      text += " via secure_aggregation(threshold: " + std::to_string(f.channel.threshold) + ")";
      break;
    case flow::Channel::Kind::kShuffler:
      text += " via shuffler(by: " + (f.channel.shuffler != flow::kNone ? g.agents[f.channel.shuffler].name : "?") + ")";
      break;
    case flow::Channel::Kind::kNetworkShuffle:
      text += " via network_shuffle(steps: " + std::to_string(f.channel.walk_steps) + ")";
      break;
  }
  return text;
}

}  // namespace privflow::analyzer::detail
