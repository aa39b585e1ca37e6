#pragma once
// The privacy profile of a protocol run among a population's members on its topology
// (flow::is_network_protocol: gossip, token_walk), from the engine of dp/network.hpp: the μ of
// the coalition's view (its members' messages, the outputs it was sent), worst placement and
// worst target, as a Gaussian mechanism of noise multiplier 1/μ.
#include <optional>
#include <string>
#include <vector>

#include "analyzer/detail/knowledge.hpp"
#include "dp/accountant.hpp"
#include "dp/network.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail {

struct NetworkProfile {
  dp::Mechanism mechanism;              // μ-GDP of one run, repeated `times`
  std::optional<dp::Mechanism> tail;    // (0, δ): a random walk's visit bound failing
  std::string parameters;               // the protocol, its topology and the coalition's place
  std::vector<std::string> view;        // what the coalition saw, and the μ of it with its source
  std::vector<std::string> pairwise;    // pairwise network DP of one member, by distance
  std::string error;
};

/// The topology of a population (`agent.topology` set) in dp/network's terms.
dp::network::Topology network_topology(const flow::Agent& agent);

/// A network shuffle's walks of `steps` lazy steps (each step a report stays with probability
/// 1/2, else moves to a uniform neighbour) among the members of `agent`: an upper bound on
/// Σ over the n reports of the total-variation distance of its final holder from the
/// stationary distribution, or 1 when none is known: a stored graph (random_regular, edges)
/// with more than dp::network::kMaxCertifiedSpectrum members, disconnected, or with a member
/// that has no neighbour (its λ* is certified by dp::network::certified_lazy_walk).
double network_mixing(const flow::Agent& agent, std::uint64_t steps);
/// Where network_mixing's figure comes from, for the explanation: "the spectral bound
/// n·½·λ*^T·√(1/π_min − 1), λ* ≤ … (…), 1/π_min = …, T = …".
std::string network_mixing_words(const flow::Agent& agent, std::uint64_t steps);
/// Why network_mixing claims nothing (its figure is 1), for the explanation.
std::string network_mixing_refusal(const flow::Agent& agent, std::uint64_t steps);

/// `clip`: the contribution's sensitivity (raised to the derived one, doubled for replace-one),
/// `sigma`: each contribution's noise (rounded down), `times`: independent runs.
NetworkProfile network_profile(const flow::Graph& g, const flow::Artifact& x, const ReleaseUse& use, double clip,
                               double sigma, std::uint64_t times);

}  // namespace privflow::analyzer::detail
