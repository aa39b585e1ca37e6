#pragma once
// Decentralized protocols among the members of a population on a communication graph (network
// DP, Cyffers & Bellet 2022, "Privacy Amplification by Decentralization", Def. 4): what a
// coalition of members learns about one record of an honest member (the target) from the
// messages it receives. Every protocol here is linear with Gaussian noise: the coalition's view
// is y = A·x + B·z (x the members' clipped contributions, z standard normal noise of honest
// members; the coalition knows its own contributions and noise and subtracts them), so the
// target's privacy loss is exactly Gaussian with
//     μ = clip · ‖(B·Bᵀ)^{+1/2} · A·e_t‖   on range(B),   μ = ∞ if A·e_t ∉ range(B)
// (the two views differ by a mean shift clip·A·e_t under the same covariance B·Bᵀ; Dong, Roth &
// Su 2019, Def. 2.6 and Thm 2.7: the pair of Gaussians is μ-GDP with μ the Mahalanobis length of
// the shift). Conditioning on a random walk's path is sound: the adversary can only gain by
// knowing it. μ of independent runs composes as μ² = Σ μ_i² (Dong, Roth & Su 2019, Cor. 3.3).
// Every μ is an upper bound, rounded up, with the margins stated at each function; ε(δ) is the
// exact hockey stick of μ-GDP (Balle & Wang 2018, Thm 8), the one the Gaussian mechanism uses.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace privflow::dp::network {

enum class TopologyKind { kRing, kComplete, kTorus, kRandomRegular, kStar, kEdges };

/// A communication graph over the members 0 … agents−1 (undirected, no self-loops).
/// ring: i ~ i ± 1 (mod n), n ≥ 3; complete: all pairs; torus(a, b): member r·b + c ~ its four
/// grid neighbours with wrap-around, a, b ≥ 3, a·b = n; random_regular(d, seed): a simple
/// d-regular graph drawn by the configuration model from a fixed seed (n·d even, d < n);
/// star: member 0 is the hub; edges: the listed pairs.
struct Topology {
  TopologyKind kind = TopologyKind::kRing;
  std::uint64_t agents = 0;
  std::uint64_t rows = 0, columns = 0;  ///< torus
  std::uint64_t degree = 0;             ///< random_regular
  std::uint64_t seed = 0;               ///< random_regular
  std::vector<std::pair<std::uint64_t, std::uint64_t>> edges;  ///< edges
};

/// Largest population for which a graph is built explicitly (random_regular, edges) and the
/// largest support (members within `rounds` hops of the coalition) a gossip view may touch.
constexpr std::uint64_t kMaxExplicitAgents = 1'000'000;
constexpr std::uint64_t kMaxGossipSupport = 2'000'000;

/// Why a topology is not valid (sizes, degree, an edge out of range or a self-loop), or nullopt.
std::optional<std::string> topology_error(const Topology& topology);
/// "ring of 1000000", "torus 10 x 10", "random 4-regular (seed 7) of 100", …
std::string describe(const Topology& topology);

/// A graph ready for walking: neighbours computed on the fly for the symmetric topologies (a
/// ring of 10^6 costs what a ring of 100 does), stored for random_regular and edges.
class Graph {
 public:
  explicit Graph(const Topology& topology);  // throws std::invalid_argument on topology_error
  std::uint64_t size() const { return topology_.agents; }
  std::uint64_t degree(std::uint64_t member) const;
  std::vector<std::uint64_t> neighbours(std::uint64_t member) const;
  /// Hops between two members (breadth-first search; closed forms for ring, torus, complete, star).
  std::uint64_t distance(std::uint64_t from, std::uint64_t to) const;
  /// The gossip matrix's entry W[i][j] for j a neighbour of i: Metropolis–Hastings weights
  /// 1 / (1 + max(deg i, deg j)), so W is symmetric and doubly stochastic; on a d-regular graph
  /// W = (I + Adj) / (d + 1), the uniform averaging of a member with its neighbours (Boyd et al.
  /// 2006, "Randomized gossip algorithms", Sec. 5; Muffliato's W, Cyffers et al. 2022, Sec. 2).
  long double weight(std::uint64_t i, std::uint64_t j) const;
  const Topology& topology() const { return topology_; }

 private:
  Topology topology_;
  std::vector<std::vector<std::uint64_t>> adjacency_;  // random_regular, edges
};

/// μ of a general linear-Gaussian view: the shift s = A·e_t (m entries) and the noise matrix B
/// (m × k, row-major), in long double. μ² = sᵀ (B Bᵀ)^+ s from the eigendecomposition of
/// B Bᵀ. Directions with an eigenvalue below 2^-40·λ_max count as noise-free: if s has more
/// than 2^-30 of its length there, μ = ∞. The condition number of the kept part must be below
/// 2^30 (else ∞); then the eigensolver's backward error (≤ 64·m·2^-64·‖B Bᵀ‖, Golub & Van Loan
/// 2013, Sec. 8.3) moves μ² by a relative ≤ 64·m·2^-34, and μ is raised by that, plus 2^-40,
/// and rounded up. A `witness` w with B·w = s exactly (when the caller knows one) caps the
/// answer at ‖w‖: μ is the least norm of such a w.
struct LinearView {
  std::size_t observations = 0, noises = 0;
  std::vector<long double> shift;  // observations
  std::vector<long double> noise;  // observations × noises, row-major
  std::optional<double> witness_norm;
};
double view_mu(const LinearView& view);

/// One analysis of a protocol: μ of the coalition's view for clip = 1 (μ scales with clip), and
/// the derivation in words.
struct NetworkResult {
  double mu = 0;                     ///< upper bound, rounded up; may be +∞
  std::uint64_t messages_seen = 0;   ///< messages the coalition receives that depend on honest data
  std::uint64_t target_visits = 0;   ///< token walk: visits of the target (per run)
  std::string method;                ///< closed form / engine / fallback, and the paper it rests on
  std::vector<std::string> steps;    ///< derivation lines
  std::vector<std::uint64_t> coalition;  ///< the members (the worst placement when searched)
  double delta_spent = 0;            ///< δ spent on a tail bound (random walks), added to the GDP δ
};

/// Gossip averaging with local noise (Muffliato, Cyffers et al. 2022, Alg. 1): each member adds
/// N(0, σ²) to its clipped value once, then `rounds` synchronous steps x ← W x; at every step
/// each member sends its current value to its neighbours. The coalition sees, for each honest
/// neighbour j of a member and each step k < rounds, (W^k x⁰)_j. With x⁰ = x + σ z, B = σ·A on
/// the honest coordinates, so μ = (clip/σ)·‖P e_t‖ with P the projection onto the span of
/// {e_c : c ∈ coalition} ∪ {W^k e_j} (the coalition's own coordinates are known). Computed by
/// block Arnoldi with reorthogonalisation in long double on the members within `rounds` hops of
/// the coalition; ≤ 1 always (the witness w = e_t/σ: local DP), which is also the answer when
/// the basis is too ill-conditioned to trust (said in `method`). The complete graph: every
/// member is a neighbour of the target, so μ = clip/σ exactly.
NetworkResult gossip(const Graph& graph, const std::vector<std::uint64_t>& coalition, std::uint64_t target,
                     std::uint64_t rounds, double sigma, double clip);

/// A token walk (Cyffers & Bellet 2022, Sec. 4): the token visits `steps` members in turn;
/// each visited member adds its clipped value and N(0, σ²) to the token and passes it on;
/// the coalition sees the token whenever a member of it receives it, and the final token.
/// Between two observations the token gained the honest visits' values and noise: a gap of g
/// honest visits, m of them the target's, is a Gaussian shift clip·m over noise σ√g, so
/// μ² = Σ_gaps (clip·m)²/(σ² g) (the gaps' noises are independent). On a known path:
double token_walk_path_mu(const std::vector<std::uint64_t>& path, const std::vector<std::uint64_t>& coalition,
                          std::uint64_t target, double sigma, double clip);
/// On the ring the walk goes round (member i passes to i + 1), from any start: with f hops
/// from the target to the next member of the coalition and b hops back to the previous one,
/// every visit's gap is f + b − 1 except the first (cut by the start) and the last (cut by the
/// end, where the final token is seen); μ is the exact maximum over all starts, found among at
/// most six in closed form (μ² is convex in the start's offset; token_walk.cpp,
/// worst_ring_start), so a ring of 10^6 costs what a ring of 10 does. On other graphs the walk is random (each step to a
/// uniform neighbour) and the bound conditions on the path: every visit of the target is at
/// worst seen right after it (gap 1); each step lands on the target with probability ≤ p (the
/// largest over its neighbours u of 1/deg u) whatever the past, so the visits are dominated by
/// 1 + Binomial(steps, p), and v is the least count whose Chernoff tail is ≤ tail_delta, which
/// is spent (NetworkResult::delta_spent). With an empty coalition only the final token is seen
/// (an outsider who receives the finished model): one sum over all `steps` visits, the shift at
/// most clip·v over noise σ·√steps, so μ = (clip/σ)·v/√steps (the same v and δ). Cyffers &
/// Bellet 2022, Sec. 5 bound the complete graph's walk with the path hidden, tighter for large n,
/// but for a walk that may stay put and one observer: not applied (token_walk.cpp, paper_bound_note).
NetworkResult token_walk(const Graph& graph, const std::vector<std::uint64_t>& coalition, std::uint64_t target,
                         std::uint64_t steps, double sigma, double clip, double tail_delta);

/// The worst placement of `k` colluders (not the target) for each protocol, with the argument
/// over all placements in `steps`: gossip — by the triangle of projections the view only grows
/// with the coalition, and a neighbour of the target already sees x⁰_t (μ = clip/σ, the largest
/// possible), so any k ≥ 1 is worst at a neighbour; token walk on the ring — μ falls with f
/// and b, so for k ≥ 2 the two neighbours of the target (f = b = 1), for k = 1 the next member
/// (f = 1, b = n − 1); on other graphs the bound above holds for every placement.
NetworkResult worst_gossip(const Graph& graph, std::uint64_t k, std::uint64_t target, std::uint64_t rounds,
                           double sigma, double clip);
NetworkResult worst_token_walk(const Graph& graph, std::uint64_t k, std::uint64_t target, std::uint64_t steps,
                               double sigma, double clip, double tail_delta);

/// The same, with every colluder of the population at least `min_distance` hops from the
/// target (a requirement `at distance >= d`; d ≤ 1 is the search above). Gossip: the view of any
/// such coalition is a function of the view of all members d or more hops away (a superset
/// sees every message a subset sees, and runs the protocol for its own members), and only those
/// within d + rounds − 1 hops matter (a farther member's messages never depend on the target's
/// value and their noise is independent of the rest): μ is that view's, for every k ≥ 1 and
/// every placement (exact for k ≥ 2 on a ring, where the two members at distance d cut it). On
/// a star the target is then a leaf (nobody is 2 hops from the hub). On random_regular and
/// edges graphs (no symmetry) every member is tried as the target, `target` is not used: one
/// colluder exactly (every member within reach tried), two or more by the view of all members
/// d to d + rounds − 1 hops away (exact when they are at most k; one colluder too past 4096
/// pairs); past 4096 members, or 300,000 member-rounds of those views, the figure is a
/// neighbour's local DP, which bounds every target and placement.
/// Token walk on the ring: for every start each gap grows with f and b, so the worst is f = b = d
/// for k ≥ 2; for k = 1 (b = n − f) μ² is convex in (f, start offset) jointly (1/gap with each
/// gap a minimum of affine functions), so f = d or f = n − d, equal by reversing the walk; then
/// the exact worst start (token_walk): exact over all placements and starts; on other graphs the path-conditioned bound holds for every placement.
/// Throws std::invalid_argument when no member is that far from the target.
NetworkResult worst_gossip_at_distance(const Graph& graph, std::uint64_t k, std::uint64_t target, std::uint64_t rounds,
                                       double sigma, double clip, std::uint64_t min_distance);
NetworkResult worst_token_walk_at_distance(const Graph& graph, std::uint64_t k, std::uint64_t target, std::uint64_t steps,
                                           double sigma, double clip, double tail_delta, std::uint64_t min_distance);
/// Members at `lo` to `hi` hops from `member` (breadth-first, at most kMaxGossipSupport visited,
/// else std::invalid_argument), and the largest distance from it (up to `hi`).
std::vector<std::uint64_t> members_between(const Graph& graph, std::uint64_t member, std::uint64_t lo, std::uint64_t hi);

/// A certified bound on how fast the lazy random walk of a graph mixes (each step the holder
/// keeps the item with probability 1/2, else passes it to a uniform neighbour): λ* ≥ its second
/// eigenvalue (the largest below 1; all are in [0, 1]) and 1/π_min, π(x) = deg x / 2|E| its
/// stationary distribution. From a dense eigendecomposition of the normalised adjacency with a
/// residual enclosure of every eigenvalue (Bauer–Fike) and every rounding error bounded
/// (dp/network_spectrum.cpp), so λ* is never below the true one and within about 10^-9 of it
/// (above max(λ_2, 0) of the normalised adjacency, which loses on graphs whose λ_2 < 0). Not
/// certified (`reason` says why) for a graph with an isolated member, a disconnected graph, or
/// more than kMaxCertifiedSpectrum members.
constexpr std::uint64_t kMaxCertifiedSpectrum = 1000;  // a dense eigendecomposition: about 4 s at 1000
struct WalkSpectrum {
  bool certified = false;
  double lambda = 1;       ///< upper bound on the second eigenvalue of the lazy walk
  double inv_pi_min = 0;   ///< 2|E| / least degree, rounded up
  std::string reason;      ///< why not certified
};
WalkSpectrum certified_lazy_walk(const Graph& graph);

/// ε at δ of μ-GDP (the exact hockey stick, rounded up; +∞ for μ = ∞; 0 for μ = 0).
double epsilon_of_mu(double mu, double delta);
/// μ² summed over independent runs, rounded up.
double compose_mu(const std::vector<double>& mus);

}  // namespace privflow::dp::network
