// Coalition search (`any K of {…}`) by population size and by number of candidates: each row
// is one full analysis of a generated spec, with the verdict and the search's own summary.
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "lang/frontend.hpp"

using namespace privflow;

namespace {

std::string last_line(const analyzer::Derivation& d) {
  // The search's summary: the child that starts with "proof", "worst choice" or "the search".
  for (const auto& c : d.children)
    if (c.text.rfind("proof", 0) == 0 || c.text.rfind("worst choice", 0) == 0 || c.text.rfind("the search", 0) == 0)
      return c.text.substr(0, 110);
  return "";
}

void row(const char* scenario, std::size_t candidates, std::uint64_t k, const std::string& spec) {
  lang::SourceFile source("bench.pflow", spec);
  lang::Diagnostics diags(source);
  auto g = lang::load_spec(source, diags);
  if (!g) {
    std::ostringstream out;
    diags.print(out);
    std::printf("%s: spec error\n%s\n", scenario, out.str().c_str());
    return;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto a = analyzer::analyze(*g);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& v = a.verdicts.back();
  std::printf("%-12s %10zu %6llu  %-9s %-10s %8.3f s  %s\n", scenario, candidates, static_cast<unsigned long long>(k),
              analyzer::status_name(v.status), analyzer::value_text(v).c_str(), s, last_line(v.explanation).c_str());
  std::fflush(stdout);
}

/// hospital_fl with n hospitals: any k of {server, hospital, analyst}.
std::string population(std::uint64_t n, std::uint64_t k, const char* bound) {
  std::ostringstream t;
  t << "data d { rows: " << n * 100 << " field x: {a, b} }\n"
    << "agent hospital[" << n << "] { trust: curious, holds: d by partition }\n"
    << "agent server { trust: malicious }\nagent analyst { trust: curious }\n"
    << "compute u at hospital = gaussian(d, sigma: 20, distributed: true, times: 10)\n"
    << "send u to server via secure_aggregation(threshold: " << (3 * n / 4) << ")\n"
    << "compute m at server = aggregate(u)\nsend m to analyst\n"
    << "require r: dp(d) against any " << k << " of {server, hospital, analyst} <= epsilon " << bound << "\n";
  return t.str();
}

/// m sites, each a population of 10 with its own data, all sending to one server; the
/// requirement is on the first site's data (the others cannot change what is seen of it).
std::string sites(std::size_t m, std::uint64_t k) {
  std::ostringstream t;
  t << "agent server { trust: malicious }\n";
  for (std::size_t i = 0; i < m; ++i) {
    t << "data d" << i << " { rows: 1000 field x: {a, b} }\n"
      << "agent site" << i << "[10] { trust: curious, holds: d" << i << " by partition }\n"
      << "compute u" << i << " at site" << i << " = gaussian(d" << i << ", sigma: 10, distributed: true)\n"
      << "send u" << i << " to server via secure_aggregation(threshold: 8)\n";
  }
  t << "require r: dp(d0) against any " << k << " of {server";
  for (std::size_t i = 0; i < m; ++i) t << ", site" << i;
  t << "} <= epsilon 5\n";
  return t.str();
}

/// m single observers, each receiving its own Laplace release of one data set: all relevant,
/// and any k of them compose additively.
std::string observers(std::size_t m, std::uint64_t k, const char* bound) {
  std::ostringstream t;
  t << "data d { rows: 1000 field x: {a, b} }\nagent clinic { trust: trusted, holds: d }\n";
  for (std::size_t i = 0; i < m; ++i)
    t << "agent o" << i << " { trust: curious }\n"
      << "compute r" << i << " at clinic = laplace(d, epsilon: " << (1 + i % 7) << "/100)\n"
      << "send r" << i << " to o" << i << "\n";
  t << "require r: dp(d) against any " << k << " of {o0";
  for (std::size_t i = 1; i < m; ++i) t << ", o" << i;
  t << "} <= epsilon " << bound << "\n";
  return t.str();
}

}  // namespace

int main() {
  std::printf("%-12s %10s %6s  %-9s %-10s %10s  %s\n", "scenario", "candidates", "K", "verdict", "value", "time", "search");
  for (std::uint64_t n : {10ull, 100ull, 1000ull, 1000000ull}) {
    std::uint64_t k = std::min<std::uint64_t>(1000, n * 3 / 4 + 1);
    row("population", n + 2, k, population(n, k, "1000"));
    row("population", n + 2, k / 2, population(n, k / 2, "1000"));
  }
  // (1000 sites: the analysis's leakage matrix, 1000 data x 1001 agents, dominates; not run.)
  for (std::size_t m : {10u, 100u}) {
    row("sites", m + 1, 9, sites(m, 9));
    row("sites", m + 1, m, sites(m, m));
  }
  for (std::size_t m : {10u, 100u, 1000u}) {
    row("observers", m, 3, observers(m, 3, "0.5"));   // holds: the 3 largest sum to 0.21
    row("observers", m, 3, observers(m, 3, "0.15"));  // violated
  }
  return 0;
}
