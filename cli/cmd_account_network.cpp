// `privflow account gossip|token-walk …`: network DP of decentralized protocols on a topology
// (dp/network.hpp): μ of what a coalition of members sees of an honest target, and ε at δ.
#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "cli/account_input.hpp"
#include "cli/commands.hpp"
#include "dp/network.hpp"

namespace privflow::cli {
namespace {

using account_input::invalid;
using account_input::json_up;
using account_input::number;
using account_input::text_up;
using account_input::whole;

namespace net = dp::network;

struct NetworkArgs {
  bool json = false;
  std::string topology, agents, rows, columns, degree, seed = "0", coalition, colluders, target = "0";
  std::string rounds, steps, sigma, clip = "1", delta, tail_delta = "1e-6", times = "1";
  std::string distance = "1";  ///< --distance D: the colluders D hops or more from the target
};

std::optional<double> positive(const std::string& text, const char* name, Io& io, bool noise) {
  auto q = number(text, name, io);
  if (!q) return std::nullopt;
  if (sgn(*q) <= 0) {
    invalid(io, std::string("--") + name + " must be > 0");
    return std::nullopt;
  }
  return noise ? to_double_down(*q) : to_double_up(*q);  // less noise, more clip: the larger loss
}

std::optional<double> open_probability(const std::string& text, const char* name, Io& io) {
  auto q = number(text, name, io);
  if (!q) return std::nullopt;
  if (sgn(*q) <= 0 || *q >= 1) {
    invalid(io, std::string("--") + name + " must be in (0, 1)");
    return std::nullopt;
  }
  return to_double_down(*q);
}

std::optional<net::Topology> topology(const NetworkArgs& a, Io& io) {
  net::Topology t;
  auto n = whole(a.agents, "agents", io);
  if (!n) return std::nullopt;
  t.agents = *n;
  if (a.topology == "ring") {
    t.kind = net::TopologyKind::kRing;
  } else if (a.topology == "complete") {
    t.kind = net::TopologyKind::kComplete;
  } else if (a.topology == "star") {
    t.kind = net::TopologyKind::kStar;
  } else if (a.topology == "torus") {
    t.kind = net::TopologyKind::kTorus;
    if (a.rows.empty() || a.columns.empty()) return invalid(io, "--topology torus needs --rows and --columns"), std::nullopt;
    auto r = whole(a.rows, "rows", io), c = whole(a.columns, "columns", io);
    if (!r || !c) return std::nullopt;
    t.rows = *r, t.columns = *c;
  } else if (a.topology == "random-regular") {
    t.kind = net::TopologyKind::kRandomRegular;
    if (a.degree.empty()) return invalid(io, "--topology random-regular needs --degree"), std::nullopt;
    auto d = whole(a.degree, "degree", io);
    auto s = whole(a.seed, "seed", io, 0);
    if (!d || !s) return std::nullopt;
    t.degree = *d, t.seed = *s;
  } else {
    invalid(io, "--topology must be ring, complete, torus, random-regular or star, not '" + printable(a.topology) + "'");
    return std::nullopt;
  }
  if (auto error = net::topology_error(t)) return invalid(io, "--topology: " + *error), std::nullopt;
  return t;
}

/// --coalition i,j,… (members, 0-based) or --colluders K (the worst placement).
std::optional<std::vector<std::uint64_t>> coalition_list(const std::string& text, std::uint64_t n, std::uint64_t target,
                                                         Io& io) {
  std::vector<std::uint64_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    auto m = whole(text.substr(start, comma - start), "coalition", io, 0);
    if (!m) return std::nullopt;
    if (*m >= n) return invalid(io, "--coalition: member " + std::to_string(*m) + " is beyond " + std::to_string(n - 1)), std::nullopt;
    if (*m == target) return invalid(io, "--coalition: the target " + std::to_string(*m) + " is honest"), std::nullopt;
    out.push_back(*m);
    start = comma + 1;
  }
  return out;
}


int run(const NetworkArgs& a, Io& io, bool walk) {
  auto t = topology(a, io);
  if (!t) return static_cast<int>(ExitStatus::kInvalid);
  auto target = whole(a.target, "target", io, 0);
  auto sigma = positive(a.sigma, "sigma", io, true);
  auto clip = positive(a.clip, "clip", io, false);
  auto delta = open_probability(a.delta, "delta", io);
  auto times = whole(a.times, "times", io);
  auto length = walk ? whole(a.steps, "steps", io) : whole(a.rounds, "rounds", io);
  if (!target || !sigma || !clip || !delta || !times || !length) return static_cast<int>(ExitStatus::kInvalid);
  if (*target >= t->agents) return invalid(io, "--target must be below --agents");
  if (a.coalition.empty() == a.colluders.empty()) return invalid(io, "give exactly one of --coalition and --colluders");
  std::optional<double> tail;
  if (walk && t->kind != net::TopologyKind::kRing) {
    tail = open_probability(a.tail_delta, "tail-delta", io);
    if (!tail) return static_cast<int>(ExitStatus::kInvalid);
  }
  try {
    const net::Graph g(*t);
    net::NetworkResult r;
    if (!a.colluders.empty()) {
      auto k = whole(a.colluders, "colluders", io, 0);
      if (!k) return static_cast<int>(ExitStatus::kInvalid);
      if (*k >= t->agents) return invalid(io, "--colluders must be below --agents");
      auto distance = whole(a.distance, "distance", io);
      if (!distance) return static_cast<int>(ExitStatus::kInvalid);
      // the same search as a spec's `any K of pop at distance >= D` (d ≤ 1: anywhere)
      r = walk ? net::worst_token_walk_at_distance(g, *k, *target, *length, *sigma, *clip, tail.value_or(0.5), *distance)
               : net::worst_gossip_at_distance(g, *k, *target, *length, *sigma, *clip, *distance);
    } else {
      if (a.distance != "1") return invalid(io, "--distance goes with --colluders (a --coalition is placed already)");
      auto members = coalition_list(a.coalition, t->agents, *target, io);
      if (!members) return static_cast<int>(ExitStatus::kInvalid);
      r = walk ? net::token_walk(g, *members, *target, *length, *sigma, *clip, tail.value_or(0.5))
               : net::gossip(g, *members, *target, *length, *sigma, *clip);
    }
    // T runs: μ·√T (μ² adds); the product and the root are within an ulp each, raised by two.
    const double mu = *times == 1 ? r.mu
                                  : std::nextafter(std::nextafter(r.mu * std::sqrt(static_cast<double>(*times)), HUGE_VAL),
                                                   HUGE_VAL);
    const double spent = std::min(1.0, r.delta_spent * static_cast<double>(*times));
    const double eps = spent >= *delta ? HUGE_VAL : net::epsilon_of_mu(mu, *delta - spent);
    if (a.json) {
      nlohmann::json j{{"epsilon", json_up(eps)}, {"epsilon_text", text_up(eps)}, {"delta", *delta},
                       {"mu", json_up(mu)},       {"topology", net::describe(*t)}, {"coalition", r.coalition},
                       {"target", *target},       {"times", *times},               {"how", r.method},
                       {"steps", r.steps},        {"messages_seen", r.messages_seen}};
      if (walk) j["target_visits"] = r.target_visits;
      if (spent > 0) j["delta_tail"] = spent;
      io.out << j.dump(2) << "\n";
      return 0;
    }
    io.out << "epsilon = " << text_up(eps) << " at delta = " << printable(a.delta) << " (mu = " << text_up(mu)
           << (*times > 1 ? ", " + std::to_string(*times) + " runs" : std::string()) << ")\n";
    io.out << "topology: " << net::describe(*t) << "; target " << *target << "; coalition";
    for (auto c : r.coalition) io.out << " " << c;
    io.out << (r.coalition.empty() ? " (none)\n" : "\n");
    io.out << "how: " << r.method << "\n";
    for (const auto& s : r.steps) io.out << "  " << s << "\n";
    if (spent > 0) io.out << "  delta " << format_double(spent) << " of it is the tail bound on the visits\n";
    return 0;
  } catch (const std::invalid_argument& e) {
    return invalid(io, e.what());
  }
}

int run_gossip(const NetworkArgs& a, Io& io) { return run(a, io, false); }
int run_token_walk(const NetworkArgs& a, Io& io) { return run(a, io, true); }

using NetworkRun = int (*)(const NetworkArgs&, Io&);

Command network_kind(std::shared_ptr<NetworkArgs> args, std::string name, std::string description, Arg length,
                     NetworkRun run_kind) {
  NetworkArgs& a = *args;
  std::vector<Arg> own{
      required(option("--topology", "ring, complete, torus, random-regular or star", &a.topology)),
      required(option("--agents", "members of the population", &a.agents)),
      option("--rows", "torus: rows a (a x b = agents)", &a.rows),
      option("--columns", "torus: columns b", &a.columns),
      option("--degree", "random-regular: degree d", &a.degree),
      with_default(option("--seed", "random-regular: the graph's seed", &a.seed)),
      option("--coalition", "colluding members i,j,... (0-based)", &a.coalition),
      option("--colluders", "instead of --coalition: K colluders at the worst placement", &a.colluders),
      with_default(option("--target", "the honest member whose record is protected", &a.target)),
      length,
      required(option("--sigma", "standard deviation of each member's Gaussian noise", &a.sigma)),
      with_default(option("--clip", "clipping norm (sensitivity) of a contribution", &a.clip)),
      required(option("--delta", "target delta", &a.delta)),
      with_default(option("--times", "independent runs (mu^2 adds)", &a.times)),
      option("--json", "print JSON", &a.json)};
  own.push_back(with_default(
      option("--distance", "with --colluders: every colluder D hops or more from the target", &a.distance)));
  if (name == "token-walk")
    own.push_back(with_default(
        option("--tail-delta", "random walks: delta spent on the bound on the target's visits", &a.tail_delta)));
  return make_command(std::move(name), std::move(description), "", args, run_kind, std::move(own));
}

}  // namespace

std::vector<Command> network_account_kinds() {
  auto args = std::make_shared<NetworkArgs>();
  NetworkArgs& a = *args;
  return {
      network_kind(args, "gossip", "gossip averaging with local Gaussian noise on a topology (network DP)",
                   required(option("--rounds", "synchronous gossip rounds", &a.rounds)), run_gossip),
      network_kind(args, "token-walk", "a token walk adding each visited member's noisy value (network DP)",
                   required(option("--steps", "visits of the token", &a.steps)), run_token_walk),
  };
}

}  // namespace privflow::cli
