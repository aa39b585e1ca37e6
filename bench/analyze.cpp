// bench/analyze: analysis time of synthetic pipelines by number of computations, by
// population size and by number of distinct agents. Prints tables; growth should be
// near-linear in statements and agents and flat in population size (populations are counted,
// never enumerated).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "analyzer/analysis.hpp"
#include "lang/frontend.hpp"

namespace {

// `computations` releases and post-processing steps spread over a few agents, a population
// of `population` instances holding the data by partition, secure aggregation to a server,
// and four requirements (dp, advantage, posterior, forbid).
std::string pipeline(std::size_t computations, unsigned long long population) {
  std::string s = "settings { delta: 1e-6, accountant: rdp }\nregion EU\nregion US\ncategory health\n"
                  "data d { rows: " + std::to_string(population * 10) + " category: health\n"
                  "  field x: {a, b, c} prior {1/2, 1/4, 1/4}\n  field y: int[0, 99] }\n"
                  "agent pop[" + std::to_string(population) + "] { trust: curious, region: EU, holds: d by partition }\n"
                  "agent server { trust: malicious, region: US }\nagent analyst { trust: curious, region: US }\n";
  std::size_t releases = std::max<std::size_t>(1, computations / 2);
  for (std::size_t i = 0; i < releases; ++i) {
    std::string n = std::to_string(i);
    s += "compute r" + n + " at pop = gaussian(d, sigma: 40, distributed: true)\n";
    s += "send r" + n + " to server via secure_aggregation(threshold: 3)\n";
    s += "compute m" + n + " at server = aggregate(r" + n + ")\n";
    if (i % 4 == 0) s += "send m" + n + " to analyst\n";
  }
  s += "adversary outside = {analyst}\nadversary inside = {server, 2 of pop}\n"
       "require a: dp(d) against outside <= epsilon 1000\n"
       "require b: advantage(d) against inside <= 1\n"
       "require c: posterior(d.x = c) against outside <= 1\n"
       "forbid health from EU to US unless epsilon <= 1000\n";
  return s;
}

// `agents` distinct services, as a large organisation has: a trusted holder releases a Laplace
// statistic; half the services receive it, the other half from a neighbour, a few through
// secure sums of a small population; one requirement per hundred services.
std::string organisation(std::size_t agents) {
  std::string s = "data d { rows: 1000  field x: int[0, 1] }\nagent src { trust: trusted, holds: d }\n"
                  "agent team[5] { trust: curious, holds: d by partition }\n"
                  "compute r0 at src = laplace(d.x, epsilon: 1/10)\n"
                  "compute t at team = gaussian(d.x, sigma: 8, distributed: true)\n";
  for (std::size_t i = 0; i < agents; ++i) s += "agent s" + std::to_string(i) + " { trust: curious }\n";
  for (std::size_t i = 0; i < agents; ++i) {
    std::string n = std::to_string(i);
    if (i % 2 == 0) s += "send r0 to s" + n + "\n";
    else s += "send r0 from s" + std::to_string(i - 1) + " to s" + n + "\n";
    if (i % 1000 == 0) s += "send t to s" + n + " via secure_aggregation(threshold: 5)\n";
    if (i % 100 == 0) s += "require dp(d) against {s" + n + "} <= epsilon 1\n";
  }
  return s;
}

// A population of `members` on `topology` running gossip and a token walk over their
// partition, the model sent to a server; requirements against 2 colluding members and the
// server (issue #20: a ring of 10^6 must cost what a ring of 100 does; a stored graph of 10^4
// members well under 10 s).
std::string decentralized(const std::string& topology, unsigned long long members) {
  const std::string n = std::to_string(members);
  return "settings { delta: 1e-5 }\ndata d { rows: " + n + " }\n"
         "agent m[" + n + "] { trust: curious, holds: d by partition, topology: " + topology + " }\n"
         "agent server { trust: curious }\n"
         "compute avg at m = gossip(d, sigma: 4, rounds: 20)\n"
         "compute walk at m = token_walk(d, sigma: 4, steps: " + std::to_string(3 * members) + ")\n"
         "send avg to server\nsend walk to server\n"
         "require dp(d) against {2 of m} <= epsilon 10\nrequire dp(d) against {server} <= epsilon 10\n";
}

double seconds_to_analyze(const std::string& text, std::size_t* statements) {
  using clock = std::chrono::steady_clock;
  privflow::lang::SourceFile source("bench.pflow", text);
  privflow::lang::Diagnostics diags(source);
  auto graph = privflow::lang::load_spec(source, diags);
  if (!graph) {
    diags.print(std::cerr);
    return -1;
  }
  *statements = graph->artifacts.size() + graph->flows.size();
  auto start = clock::now();
  auto analysis = privflow::analyzer::analyze(*graph);
  auto stop = clock::now();
  (void)analysis;
  return std::chrono::duration<double>(stop - start).count();
}

}  // namespace

int main() {
  std::printf("%-14s %-14s %-12s %-12s %s\n", "computations", "population", "statements", "seconds", "us/statement");
  for (std::size_t n : {10, 100, 1000, 10000}) {
    std::size_t statements = 0;
    double s = seconds_to_analyze(pipeline(n, 1000), &statements);
    std::printf("%-14zu %-14d %-12zu %-12.4f %.1f\n", n, 1000, statements, s, 1e6 * s / static_cast<double>(statements));
  }
  for (unsigned long long pop : {10ULL, 1000ULL, 1000000ULL, 1000000000ULL}) {
    std::size_t statements = 0;
    double s = seconds_to_analyze(pipeline(100, pop), &statements);
    std::printf("%-14d %-14llu %-12zu %-12.4f %.1f\n", 100, pop, statements, s, 1e6 * s / static_cast<double>(statements));
  }
  // The leakage matrix has a cell per agent: one shared propagation serves the agents that
  // take no part in secure sums or shuffles (target: 10,000 agents in under 10 s).
  std::printf("\n%-14s %-12s %-12s %s\n", "agents", "statements", "seconds", "us/agent");
  for (std::size_t n : {1000, 3000, 10000}) {
    std::size_t statements = 0;
    double s = seconds_to_analyze(organisation(n), &statements);
    std::printf("%-14zu %-12zu %-12.4f %.1f\n", n, statements, s, 1e6 * s / static_cast<double>(n));
  }
  // Decentralized protocols: symmetric topologies are never enumerated.
  std::printf("\n%-24s %-12s %s\n", "topology", "members", "seconds");
  for (const char* topology : {"ring", "torus(10, 10)", "complete"})
    for (unsigned long long members : {100ULL, 1000000ULL}) {
      std::string t = topology;
      if (t.rfind("torus", 0) == 0 && members == 1000000ULL) t = "torus(1000, 1000)";
      std::size_t statements = 0;
      std::printf("%-24s %-12llu %.4f\n", t.c_str(), members, seconds_to_analyze(decentralized(t, members), &statements));
    }
  std::size_t statements = 0;
  std::printf("%-24s %-12d %.4f\n", "random_regular(4, 1)", 10000,
              seconds_to_analyze(decentralized("random_regular(4, 1)", 10000), &statements));
}
