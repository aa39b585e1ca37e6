// The privacy profile of gossip and token walks among a population's members
// (analyzer/detail/network.hpp), from dp/network.hpp. The coalition is placed at worst (the
// engine's worst_* functions, with their argument over all placements) and the target is the
// member whose records are most exposed: any member on the symmetric topologies, the hub of a
// star, a neighbour of the least connected member on a stored graph.
#include "analyzer/detail/network.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "dp/network.hpp"
#include "flow/describe.hpp"

namespace privflow::analyzer::detail {

dp::network::Topology network_topology(const flow::Agent& agent) {
  namespace net = dp::network;
  const flow::Topology& t = *agent.topology;
  net::Topology out;
  out.agents = agent.count;
  switch (t.kind) {
    case flow::Topology::Kind::kRing: out.kind = net::TopologyKind::kRing; break;
    case flow::Topology::Kind::kComplete: out.kind = net::TopologyKind::kComplete; break;
    case flow::Topology::Kind::kTorus: out.kind = net::TopologyKind::kTorus; break;
    case flow::Topology::Kind::kRandomRegular: out.kind = net::TopologyKind::kRandomRegular; break;
    case flow::Topology::Kind::kStar: out.kind = net::TopologyKind::kStar; break;
    case flow::Topology::Kind::kEdges: out.kind = net::TopologyKind::kEdges; break;
  }
  out.rows = t.rows;
  out.columns = t.columns;
  out.degree = t.degree;
  out.seed = t.seed;
  out.edges = t.edges;
  return out;
}

namespace {

namespace net = dp::network;

/// The graph of `agent`, built once per thread for consecutive calls (the coalition search asks
/// for the same release many times; a random regular graph of 10^6 members takes a while).
std::shared_ptr<const net::Graph> graph_of(const flow::Agent& agent, std::string& key_out) {
  thread_local std::string key;
  thread_local std::shared_ptr<const net::Graph> graph;
  const net::Topology t = network_topology(agent);
  std::string k;
  for (std::uint64_t part : {static_cast<std::uint64_t>(t.kind), t.agents, t.rows, t.columns, t.degree, t.seed}) {
    k += std::to_string(part);
    k += ',';
  }
  for (const auto& [a, b] : t.edges) {
    k += std::to_string(a);
    k += '-';
    k += std::to_string(b);
    k += ',';
  }
  if (!graph || k != key) {
    graph = std::make_shared<const net::Graph>(t);
    key = std::move(k);
  }
  key_out = key;
  return graph;
}

/// The member whose contribution is most exposed (see the file's comment): on a random walk
/// it is the most likely to be stepped onto, 1 / (the least degree of its neighbours).
std::uint64_t worst_target(const net::Graph& graph) {
  const auto kind = graph.topology().kind;
  if (kind != net::TopologyKind::kRandomRegular && kind != net::TopologyKind::kEdges) return 0;
  std::uint64_t least = 0, best = UINT64_MAX;
  for (std::uint64_t u = 0; u < graph.size(); ++u) {
    const std::uint64_t d = graph.degree(u);
    if (d > 0 && d < best) best = d, least = u;
  }
  if (best == UINT64_MAX) return 0;
  return graph.neighbours(least).front();
}

/// Members at hop distance 1 … `most` from `target`, one each (breadth-first on stored graphs;
/// by index on the symmetric ones).
std::vector<std::uint64_t> members_by_distance(const net::Graph& graph, std::uint64_t target, std::uint64_t most) {
  std::vector<std::uint64_t> out;
  const auto& t = graph.topology();
  const std::uint64_t n = graph.size();
  switch (t.kind) {
    case net::TopologyKind::kRing:
      for (std::uint64_t d = 1; d <= most && d <= n / 2; ++d) out.push_back((target + d) % n);
      return out;
    case net::TopologyKind::kTorus:
      for (std::uint64_t d = 1; d <= most && d <= t.columns / 2 + t.rows / 2; ++d) {
        const std::uint64_t across = std::min(d, t.columns / 2), down = d - across;
        out.push_back(down * t.columns + across);
      }
      return out;
    case net::TopologyKind::kComplete:
    case net::TopologyKind::kStar:
      out.push_back(target == 0 ? 1 : 0);
      if (t.kind == net::TopologyKind::kStar && target != 0 && most >= 2 && n > 2) out.push_back(target == 1 ? 2 : 1);
      return out;
    case net::TopologyKind::kRandomRegular:
    case net::TopologyKind::kEdges: break;
  }
  std::vector<std::uint64_t> dist(n, UINT64_MAX);
  std::deque<std::uint64_t> queue{target};
  dist[target] = 0;
  while (!queue.empty()) {
    const std::uint64_t u = queue.front();
    queue.pop_front();
    if (dist[u] > most) break;
    if (dist[u] == out.size() + 1) out.push_back(u);
    for (auto v : graph.neighbours(u))
      if (dist[v] == UINT64_MAX) dist[v] = dist[u] + 1, queue.push_back(v);
  }
  return out;
}

std::string mu_text(double mu) { return format_double_up(mu, 4); }

/// Pairwise network DP (Cyffers & Bellet 2022, Def. 5): the μ of one member alone at distance
/// d = 1, 2, … from the target, for the explanation (the verdict takes the worst placement), at
/// clip = σ = 1 (μ scales with clip/σ): (d, μ) pairs.
std::vector<std::pair<std::uint64_t, double>> pairwise_unit(const net::Graph& graph, bool walk, std::uint64_t count,
                                                            std::uint64_t target) {
  constexpr std::uint64_t kMostHops = 4, kLargestSearched = 20'000;
  std::vector<std::pair<std::uint64_t, double>> out;
  const auto kind = graph.topology().kind;
  const bool stored = kind == net::TopologyKind::kRandomRegular || kind == net::TopologyKind::kEdges;
  if ((stored && graph.size() > kLargestSearched) || (walk && kind != net::TopologyKind::kRing)) return out;
  for (std::uint64_t member : members_by_distance(graph, target, kMostHops)) {
    const double mu = walk ? net::token_walk(graph, {member}, target, count, 1.0, 1.0, 0.5).mu
                           : net::gossip(graph, {member}, target, count, 1.0, 1.0).mu;
    out.emplace_back(graph.distance(target, member), mu);
  }
  return out;
}

/// μ at clip/σ from its value at clip = σ = 1 (exact scaling, rounded up).
double scaled(double unit_mu, double clip, double sigma) {
  if (unit_mu == 0 || !std::isfinite(unit_mu)) return unit_mu;
  return to_double_up(Rational(unit_mu) * Rational(clip) / Rational(sigma));
}

std::vector<std::string> pairwise_lines(const std::vector<std::pair<std::uint64_t, double>>& unit, bool walk, double clip,
                                        double sigma, const Rational& delta) {
  std::vector<std::string> out;
  for (const auto& [d, unit_mu] : unit) {
    const double mu = scaled(unit_mu, clip, sigma);
    out.push_back("one member " + std::to_string(d) + (d == 1 ? " hop" : " hops") + (walk ? " after" : " from") +
                  " the target: mu " + mu_text(mu) + ", epsilon " +
                  format_double_up(net::epsilon_of_mu(mu, to_double_down(delta)), 4) + " at delta " +
                  format_compact(delta));
  }
  return out;
}

/// The smallest δ the spec asks for (settings and requirements): a random walk's tail takes a
/// hundredth of it.
double tail_delta(const flow::Graph& g) {
  Rational least = g.settings.delta;
  for (const auto& r : g.requirements)
    if (r.delta && *r.delta > 0 && *r.delta < least) least = *r.delta;
  return to_double_down(least / 100);
}

struct View {
  double mu = 0;
  std::uint64_t repeats = 1;  // the mechanism of mu composed this many times per run
  double tail = 0;
  std::vector<std::string> words;
};

std::string members_text(std::uint64_t k) { return std::to_string(k) + (k == 1 ? " member" : " members"); }

/// " at 2 hops or more from the target" for a requirement `at distance >= 2`; nothing at d ≤ 1.
std::string distance_text(std::uint64_t d) {
  return d <= 1 ? std::string() : " at " + std::to_string(d) + " hops or more from the target";
}

/// Every member's contribution reads the target record (not held by partition): `moved` noisy
/// values each move by clip, μ = clip·√moved/σ (the view is a function of them).
View everyone_view(std::uint64_t moved, const std::string& what, double clip, double sigma) {
  View v;
  v.mu = to_double_up(Rational(clip) * Rational(std::sqrt(static_cast<double>(moved))) / Rational(sigma) *
                      Rational(1 + std::ldexp(1.0, -40)));
  v.words = {"every member's contribution reads the target record (it is not held by partition): " + what};
  return v;
}

View gossip_view(const net::Graph& graph, const ReleaseUse& use, std::uint64_t target, std::uint64_t rounds, double clip,
                 double sigma) {
  View v;
  const std::uint64_t n = graph.size();
  if (use.network_everyone)
    return everyone_view(n, "all " + std::to_string(n) + " noisy values move by clip, mu = clip·√n/sigma", clip, sigma);
  if (use.network_members == 0) {
    v.mu = to_double_up(Rational(clip) / Rational(sigma));
    v.words = {"the members' outputs reached the coalition: they are functions of the members' noisy values, where the "
               "target's moves by clip over noise sigma: mu = clip/sigma (local DP)"};
    return v;
  }
  const net::NetworkResult r = net::worst_gossip_at_distance(graph, use.network_members, target, rounds, sigma, clip,
                                                             use.network_distance);
  v.mu = r.mu;
  v.words = {members_text(use.network_members) + " of the coalition" + distance_text(use.network_distance) +
                 ", placed at worst: " + join(r.steps, "; "),
             r.method};
  if (use.network_outputs) {
    // The outputs of every member, the target's neighbours too, reach the coalition: a coalition
    // kept at a distance then sees as much as local DP allows.
    v.mu = std::max(v.mu, to_double_up(Rational(clip) / Rational(sigma)));
    v.words.push_back("the outputs sent on are functions of the same noisy values");
  }
  return v;
}

View walk_view(const net::Graph& graph, const ReleaseUse& use, std::uint64_t target, std::uint64_t steps, double clip,
               double sigma, double tail) {
  View v;
  if (use.network_everyone)
    return everyone_view(steps, "each of the " + std::to_string(steps) + " noisy visits moves by clip, mu = clip·√steps/sigma",
                         clip, sigma);
  const net::NetworkResult r =
      use.network_members == 0
          ? net::token_walk(graph, {}, target, steps, sigma, clip, tail)
          : net::worst_token_walk_at_distance(graph, use.network_members, target, steps, sigma, clip, tail,
                                              use.network_distance);
  v.mu = r.mu;
  v.tail = r.delta_spent;
  if (use.network_members == 0)
    v.words = {r.steps.empty() ? std::string("only the final token reached the coalition") : join(r.steps, "; "), r.method};
  else
    v.words = {members_text(use.network_members) + " of the coalition" + distance_text(use.network_distance) +
                   ", placed at worst, see the token pass and the final token" +
                   (r.steps.empty() ? "" : ": " + join(r.steps, "; ")),
               r.method};
  return v;
}

/// Decentralized SGD: every message is a function of the members' noisy gradients, one per step
/// and member, g + N(0, σ²) with ‖g‖ ≤ clip chosen adaptively: the target's `steps` noisy
/// gradients are that many Gaussian mechanisms of noise multiplier σ/clip, composed (Dong, Roth
/// & Su 2019, Cor. 3.3: adaptive composition of GDP) — local DP. It is the exact figure of a
/// coalition holding every neighbour of the target (it knows every value the target received, so
/// its state, and subtracts it from what the target sends); with fewer colluders, or for the
/// outputs alone, the averaging may hide more, which is not counted: an honest member's gradient
/// is a function of its hidden model (not linear in the noises, so not the gossip engine), a
/// gradient steep in the model can relay what the member received, and the amplification
/// theorems (Feldman et al. 2018; Muffliato Sec. 5) need a convex, smooth loss a spec does not
/// state (docs/limits.md).
View sgd_view(const ReleaseUse& use, std::uint64_t n, std::uint64_t steps, double clip, double sigma) {
  View v;
  const std::uint64_t contributions = use.network_everyone ? n : 1;  // members whose gradient reads the target
  v.mu = to_double_up(Rational(clip) * Rational(std::sqrt(static_cast<double>(contributions))) / Rational(sigma) *
                      Rational(1 + std::ldexp(1.0, -40)));
  v.repeats = steps;
  const std::string who = use.network_members > 0 ? members_text(use.network_members) + " of the coalition"
                                                  : std::string("the members' outputs, sent on,");
  v.words = {who + " see functions of the members' noisy gradients g + N(0, sigma^2), one per member and step: the "
                   "target's " + std::to_string(steps) + " are Gaussian mechanisms of sensitivity clip, composed "
                   "(local DP; exact for a coalition holding every neighbour of the target, an upper bound otherwise)" +
                   (use.network_everyone ? "; every member's gradient reads the target record (it is not held by "
                                           "partition): " + std::to_string(n) + " of them move, mu = clip·√n/sigma per step"
                                         : std::string()),
             "adaptive composition of Gaussian DP (Dong, Roth & Su 2019, Cor. 3.3): mu = clip·√steps/sigma"};
  return v;
}

/// The second eigenvalue λ* of the lazy walk (I + D⁻¹A)/2 (its eigenvalues are ≥ 0, so λ* is
/// the largest below 1), as log λ*, and 1/π_min. D⁻¹A has the eigenvalues cos(2πj/n) on the
/// ring, −1/(n−1) on the complete graph, (cos(2πj/a) + cos(2πk/b))/2 on the torus, and 1, 0, −1
/// on the star (π_min = 1/(2(n−1)) at a leaf); a stored graph has the certified upper bound of
/// dp::network::certified_lazy_walk (stored_spectrum).
struct LazySpectrum {
  long double log_lambda = 0;  // −∞ when the walk mixes in one step
  long double inv_pi_min = 0;
  std::string lambda_text;
};

/// A stored graph's (random_regular, edges) certified λ* and 1/π_min, none past
/// kMaxCertifiedSpectrum members, for a disconnected graph or one whose generation fails. Kept
/// per graph for the next call (each flow of a network shuffle asks; the eigendecomposition of
/// 1000 members takes seconds).
std::optional<LazySpectrum> stored_spectrum(const flow::Agent& agent) {
  if (agent.count > net::kMaxCertifiedSpectrum) return std::nullopt;
  thread_local std::map<std::string, net::WalkSpectrum> known;
  try {
    std::string key;
    const auto graph = graph_of(agent, key);
    auto found = known.find(key);
    if (found == known.end()) {
      if (known.size() >= 16) known.clear();
      found = known.emplace(key, net::certified_lazy_walk(*graph)).first;
    }
    if (!found->second.certified) return std::nullopt;
    LazySpectrum s;
    s.log_lambda = std::log(static_cast<long double>(found->second.lambda));
    s.inv_pi_min = found->second.inv_pi_min;
    s.lambda_text = "certified from the stored graph's eigenvalues";
    return s;
  } catch (const std::exception&) {
    return std::nullopt;  // the graph could not be built: no mixing is claimed
  }
}

std::optional<LazySpectrum> lazy_spectrum(const flow::Agent& agent) {
  using K = flow::Topology::Kind;
  const long double n = static_cast<long double>(agent.count), pi = 3.141592653589793238462643383279502884L;
  LazySpectrum s;
  s.inv_pi_min = n;
  switch (agent.topology->kind) {
    case K::kRing: {
      const long double half = std::sin(pi / (2 * n));
      s.log_lambda = 2 * std::log1p(-2 * half * half);  // λ* = cos²(π/n)
      s.lambda_text = "cos²(π/n)";
      return s;
    }
    case K::kComplete:
      s.log_lambda = agent.count == 2 ? -INFINITY : std::log((n - 2) / (2 * (n - 1)));
      s.lambda_text = "(n − 2)/(2(n − 1))";
      return s;
    case K::kTorus: {
      const long double m = static_cast<long double>(std::max(agent.topology->rows, agent.topology->columns));
      const long double x = std::sin(pi / m);
      s.log_lambda = std::log1p(-x * x / 2);  // λ* = (3 + cos(2π/m))/4
      s.lambda_text = "(3 + cos(2π/m))/4 with m the longer side";
      return s;
    }
    case K::kStar:
      s.log_lambda = std::log(0.5L);
      s.inv_pi_min = 2 * (n - 1);
      s.lambda_text = "1/2";
      return s;
    case K::kRandomRegular:
    case K::kEdges: return stored_spectrum(agent);
  }
  return std::nullopt;
}

/// Which bound a random token walk's figure is (the view's words say why): on the complete
/// graph a paper's bound for the hidden path exists but does not apply (dp/token_walk.cpp).
std::string walk_bound_text(const net::Topology& topology, bool walk) {
  if (!walk || topology.kind == net::TopologyKind::kRing) return {};
  return topology.kind == net::TopologyKind::kComplete
             ? ", bound conditioned on the path (not Cyffers & Bellet 2022's for the hidden path)"
             : ", bound conditioned on the path";
}

}  // namespace

double network_mixing(const flow::Agent& agent, std::uint64_t steps) {
  // For a reversible walk, ‖Pᵗ(x,·) − π‖_TV ≤ ½·‖Pᵗ(x,·)/π − 1‖_{2,π} = ½·(Σ_{j≥2} f_j(x)² λ_j^{2t})^{1/2}
  // ≤ ½·λ*ᵗ·(1/π(x) − 1)^{1/2}, the f_j an orthonormal eigenbasis in ℓ²(π) with f_1 = 1, so that
  // Σ_j f_j(x)² = 1/π(x) (Levin, Peres & Wilmer 2017, Markov Chains and Mixing Times, Sec. 12.1–12.2).
  // Summed over the n independent walks. Logs in long double, λ* raised by a relative 2^-40.
  if (!agent.topology || !agent.population) return 1;
  const auto s = lazy_spectrum(agent);
  if (!s) return 1;
  if (std::isinf(s->log_lambda)) return steps >= 1 ? 0 : 1;
  const long double log_lambda = s->log_lambda * (1 - std::ldexp(1.0L, -40));
  const long double log_bound = std::log(static_cast<long double>(agent.count)) - std::log(2.0L) +
                                static_cast<long double>(steps) * log_lambda + std::log(s->inv_pi_min - 1) / 2;
  if (log_bound >= 0) return 1;
  const double bound = static_cast<double>(std::exp(log_bound) * (1 + std::ldexp(1.0L, -40)));
  return std::min(1.0, std::nextafter(bound, HUGE_VAL));
}

std::string network_mixing_words(const flow::Agent& agent, std::uint64_t steps) {
  if (!agent.topology || !agent.population) return {};
  const auto s = lazy_spectrum(agent);
  if (!s) return {};
  const double lambda = std::isinf(s->log_lambda) ? 0.0 : std::nextafter(static_cast<double>(std::exp(s->log_lambda)), HUGE_VAL);
  const bool stored = s->lambda_text.rfind("certified", 0) == 0;
  const std::string bound = stored ? "λ* ≤ " + format_double_up(lambda, 6) + ", " + s->lambda_text
                                   : "λ* = " + s->lambda_text + " ≤ " + format_double_up(lambda, 6);
  return "the spectral bound n·½·λ*^T·√(1/π_min − 1), " + bound + ", 1/π_min = " +
         format_double_up(static_cast<double>(s->inv_pi_min), 6) + ", T = " + std::to_string(steps);
}

std::string network_mixing_refusal(const flow::Agent& agent, std::uint64_t steps) {
  if (!agent.topology || !agent.population) return "the senders are not a population with a topology";
  if (lazy_spectrum(agent))
    return "the walks are not shown to have mixed after " + std::to_string(steps) + " steps (" +
           network_mixing_words(agent, steps) + " is not below 1)";
  using K = flow::Topology::Kind;
  const bool stored = agent.topology->kind == K::kRandomRegular || agent.topology->kind == K::kEdges;
  if (stored && agent.count > net::kMaxCertifiedSpectrum)
    return "no certified bound on how fast its walks mix: the stored graph has more than " +
           std::to_string(net::kMaxCertifiedSpectrum) + " members (its eigenvalues are not computed)";
  return "no certified bound on how fast its walks mix (the graph is disconnected, or its certified second "
         "eigenvalue is not below 1)";
}

NetworkProfile network_profile(const flow::Graph& g, const flow::Artifact& x, const ReleaseUse& use, double clip,
                               double sigma, std::uint64_t times) {
  NetworkProfile p;
  const flow::Agent& agent = g.agents[x.at];
  if (!agent.topology || !agent.population) {
    p.error = "the population has no topology";
    return p;
  }
  const net::Topology topology = network_topology(agent);
  if (auto e = net::topology_error(topology)) {
    p.error = *e;
    return p;
  }
  try {
    std::string key;
    const auto graph = graph_of(agent, key);
    const std::uint64_t target = worst_target(*graph);
    const bool walk = x.kind == flow::ComputeKind::kTokenWalk, sgd = x.kind == flow::ComputeKind::kDecentralizedSgd;
    const flow::ParamKey count_key = walk || sgd ? flow::ParamKey::kSteps : flow::ParamKey::kRounds;
    const std::uint64_t count = g.value(x.params.at(count_key)).get_num().get_ui();
    // The engine's answers at clip = σ = 1, kept for the next call: the coalition search, the
    // leakage matrix and the fix search (which turns σ) ask for the same view many times.
    const double tail = tail_delta(g);
    key += "|" + std::to_string(static_cast<int>(x.kind)) + "|" + std::to_string(count);
    const std::string view_key = key + "|" + std::to_string(use.network_members) + "@" +
                                 std::to_string(use.network_distance) + (use.network_outputs ? "o" : "") +
                                 (use.network_everyone ? "e" : "") + "|" + format_double(tail);
    thread_local std::map<std::string, View> views;
    auto found = views.find(view_key);
    if (found == views.end()) {
      if (views.size() >= 256) views.clear();
      View unit = sgd    ? sgd_view(use, graph->size(), count, 1, 1)
                  : walk ? walk_view(*graph, use, target, count, 1, 1, tail)
                         : gossip_view(*graph, use, target, count, 1, 1);
      found = views.emplace(view_key, std::move(unit)).first;
    }
    View v = found->second;
    v.mu = scaled(v.mu, clip, sigma);
    // Pairwise figures depend on the protocol and the graph only.
    struct Pairwise {
      std::vector<std::pair<std::uint64_t, double>> by_distance;
      std::string error;
    };
    thread_local std::map<std::string, Pairwise> pairs;
    auto known = pairs.find(key);
    if (known == pairs.end()) {
      if (pairs.size() >= 64) pairs.clear();
      Pairwise unit;
      if (!sgd) {
        try {  // for the explanation only: a view too large to compute there leaves the verdict alone
          unit.by_distance = pairwise_unit(*graph, walk, count, target);
        } catch (const std::exception& e) {
          unit.error = std::string("not computed (") + e.what() + ")";
        }
      }
      known = pairs.emplace(key, std::move(unit)).first;
    }
    p.parameters = std::string(sgd ? "decentralized SGD" : walk ? "token walk" : "gossip") + " on a " +
                   net::describe(topology) + ", sigma " + format_double(sigma) + ", clip " + format_double(clip) + ", " +
                   std::to_string(count) + (walk ? " visits" : sgd ? " steps" : (count == 1 ? " round" : " rounds")) +
                   walk_bound_text(topology, walk);
    p.view = v.words;
    p.view.back() += ": mu " + mu_text(v.mu) + (v.repeats > 1 ? " per step" : "") +
                     (times > 1 ? " per run, " + std::to_string(times) + " runs" : "");
    p.pairwise = known->second.error.empty() ? pairwise_lines(known->second.by_distance, walk, clip, sigma, g.settings.delta)
                                             : std::vector<std::string>{known->second.error};
    if (!std::isfinite(v.mu)) {
      p.error = "the coalition's view of it is not protected (mu unbounded)";
      return p;
    }
    p.mechanism = v.mu == 0 ? dp::Mechanism::declared(0.0, 0)
                            : dp::Mechanism::gaussian(to_double_down(Rational(1) / Rational(v.mu)))
                                  .repeated(v.repeats > UINT64_MAX / std::max<std::uint64_t>(times, 1) ? UINT64_MAX
                                                                                                   : v.repeats * times);
    if (v.tail > 0) {
      p.tail = dp::Mechanism::declared(0.0, v.tail);
      p.view.push_back("the visit bound fails with probability at most " + format_double(v.tail) +
                       " (a hundredth of the spec's least delta), added to delta");
    }
  } catch (const std::exception& e) {
    p.error = e.what();
  }
  return p;
}

}  // namespace privflow::analyzer::detail
