// bench/decentralized: the linear-Gaussian engine of dp/network.hpp on growing populations.
// A ring of 10^6 members must cost what a ring of 100 does (the view only touches the members
// within `rounds` hops of the coalition); an explicit graph of 10^4 members (random 4-regular, or
// an edge list: a 100 x 100 grid with 10^4 random chords) must be analysed in under 10 s. Each
// row: the case, μ (clip 1, σ 1), ε at δ = 1e-5, and the median wall time of 5 runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "dp/network.hpp"

using namespace privflow::dp::network;

namespace {

double median_seconds(const std::function<double()>& run, double& mu) {
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    mu = run();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[2];
}

void row(const std::string& name, const std::function<double()>& run) {
  double mu = 0;
  const double seconds = median_seconds(run, mu);
  std::printf("%-58s %10.6f %10.4f %12.6f\n", name.c_str(), mu, epsilon_of_mu(mu, 1e-5), seconds);
}

Topology ring(std::uint64_t n) {
  Topology t;
  t.agents = n;
  return t;
}

}  // namespace

int main() {
  std::printf("%-58s %10s %10s %12s\n", "case", "mu", "eps(1e-5)", "seconds");
  for (std::uint64_t n : {100ULL, 1'000'000ULL}) {
    const Graph g(ring(n));
    const std::uint64_t c = n / 2;
    for (std::uint64_t rounds : {10ULL, 40ULL})
      row("gossip, ring of " + std::to_string(n) + ", " + std::to_string(rounds) + " rounds, observer 4 hops away",
          [&] { return gossip(g, {c}, c + 4, rounds, 1.0, 1.0).mu; });
    row("token walk, ring of " + std::to_string(n) + ", 10 laps, 1 colluder (worst)",
        [&] { return worst_token_walk(g, 1, c, 10 * n, 1.0, 1.0, 1e-6).mu; });
  }
  Topology rr;
  rr.kind = TopologyKind::kRandomRegular;
  rr.agents = 10'000;
  rr.degree = 4;
  rr.seed = 1;
  double build_mu = 0;
  const double build = median_seconds([&] { return static_cast<double>(Graph(rr).size()); }, build_mu);
  std::printf("%-58s %10s %10s %12.6f\n", "build random 4-regular graph of 10^4 (seed 1)", "-", "-", build);
  const Graph g(rr);
  for (std::uint64_t rounds : {4ULL, 8ULL, 12ULL, 20ULL})
    row("gossip, random 4-regular of 10^4, " + std::to_string(rounds) + " rounds, 3 colluders",
        [&] { return gossip(g, {0, 1, 2}, 5000, rounds, 1.0, 1.0).mu; });
  Topology edges;
  edges.kind = TopologyKind::kEdges;
  edges.agents = 10'000;
  std::uint64_t state = 12345;  // a 64-bit LCG (Knuth's MMIX constants): the same chords everywhere
  auto next = [&] { return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (std::uint64_t r = 0; r < 100; ++r)
    for (std::uint64_t c = 0; c < 100; ++c) {
      if (c + 1 < 100) edges.edges.emplace_back(r * 100 + c, r * 100 + c + 1);
      if (r + 1 < 100) edges.edges.emplace_back(r * 100 + c, (r + 1) * 100 + c);
    }
  while (edges.edges.size() < 19'800 + 10'000) {
    const std::uint64_t a = next() % 10'000, b = next() % 10'000;
    if (a != b) edges.edges.emplace_back(a, b);
  }
  double edges_mu = 0;
  const double edges_build = median_seconds([&] { return static_cast<double>(Graph(edges).size()); }, edges_mu);
  std::printf("%-58s %10s %10s %12.6f\n", "build grid 100 x 100 + 10^4 chords (edge list)", "-", "-", edges_build);
  const Graph e(edges);
  for (std::uint64_t rounds : {8ULL, 20ULL})
    row("gossip, grid + chords of 10^4, " + std::to_string(rounds) + " rounds, 3 colluders",
        [&] { return gossip(e, {0, 1, 2}, 5050, rounds, 1.0, 1.0).mu; });
  Topology complete;
  complete.kind = TopologyKind::kComplete;
  complete.agents = 10'000;
  const Graph k(complete);
  row("random token walk, complete graph of 10^4, 10^5 steps", [&] {
    return token_walk(k, {0, 1, 2}, 5000, 100'000, 1.0, 1.0, 1e-6).mu;
  });
  return 0;
}
