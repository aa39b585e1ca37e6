// The certified bound on a stored graph's lazy-walk mixing (dp/network.hpp, certified_lazy_walk)
// against independent values (tests/dp/data/network_spectrum_reference.json, made by
// tests/dp/data/scripts/network_spectrum_ref.py: mpmath at 50 digits or numpy's eigvalsh, and
// closed forms for the Petersen graph, a path, a cycle, a star and K6). Sound: the λ* used is at
// or above the true second eigenvalue; tight: within 10^-9 of (1 + max(λ_2, 0))/2.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "dp/network.hpp"

using namespace privflow::dp::network;
using nlohmann::json;

namespace {

const json& spectrum_reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/network_spectrum_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

Topology edge_topology(const json& c) {
  Topology t;
  t.kind = TopologyKind::kEdges;
  t.agents = c["agents"];
  for (const json& e : c["edges"]) t.edges.emplace_back(e[0].get<std::uint64_t>(), e[1].get<std::uint64_t>());
  return t;
}

}  // namespace

TEST_CASE("certified lazy walk: at or above the reference's second eigenvalue, within 1e-9", "[dp][network]") {
  for (const json& c : spectrum_reference()["cases"]) {
    const std::string name = c["name"];
    INFO(name);
    const WalkSpectrum s = certified_lazy_walk(Graph(edge_topology(c)));
    REQUIRE(s.certified);
    const double truth = std::stod(c["lazy_lambda"].get<std::string>());
    const double lambda2 = std::stod(c["lambda2"].get<std::string>());
    // numpy's eigenvalues err by ~1e-14 (absolute); mpmath's 30 digits by one ulp when read.
    const double slack = c["method"] == "numpy" ? 1e-13 : 1e-16;
    CHECK(s.lambda >= truth - slack);
    CHECK(s.lambda <= (1 + std::max(0.0, lambda2)) / 2 + 1e-9);
    const double inv_pi_min = std::stod(c["inv_pi_min"].get<std::string>());
    CHECK(s.inv_pi_min >= inv_pi_min);
    CHECK(s.inv_pi_min <= inv_pi_min * (1 + 1e-15));
  }
}

TEST_CASE("certified lazy walk: nothing certified for a disconnected graph, an isolated member, or too many members",
          "[dp][network]") {
  for (const json& c : spectrum_reference()["not_certified"]) {
    const std::string name = c["name"];
    INFO(name);
    const WalkSpectrum s = certified_lazy_walk(Graph(edge_topology(c)));
    CHECK_FALSE(s.certified);
    CHECK_FALSE(s.reason.empty());
  }
  Topology big;
  big.kind = TopologyKind::kRandomRegular;
  big.agents = kMaxCertifiedSpectrum + 2;
  big.degree = 3;
  big.seed = 1;
  const WalkSpectrum s = certified_lazy_walk(Graph(big));
  CHECK_FALSE(s.certified);
  CHECK(s.reason.find("at most") != std::string::npos);
}

TEST_CASE("certified lazy walk: a random regular graph's bound is above a Rayleigh quotient of its walk", "[dp][network]") {
  // An independent lower bound on the true λ_2 of A/d: the Rayleigh quotient of any vector
  // orthogonal to the constant one (power iteration on A/d + I, deflated). The certified bound
  // must be at or above (1 + it)/2, and close to it once the iteration has converged.
  Topology t;
  t.kind = TopologyKind::kRandomRegular;
  t.agents = 400;
  t.degree = 3;
  t.seed = 7;
  const Graph g(t);
  const WalkSpectrum s = certified_lazy_walk(g);
  REQUIRE(s.certified);
  CHECK(s.inv_pi_min >= 400);
  CHECK(s.inv_pi_min <= 400 * (1 + 1e-15));
  std::vector<long double> x(400);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(1.0L + 7.0L * i);  // any start
  long double rayleigh = 0;
  for (int it = 0; it < 20000; ++it) {
    long double mean = 0, norm = 0;
    for (auto v : x) mean += v;
    mean /= x.size();
    for (auto& v : x) v -= mean, norm += v * v;
    norm = std::sqrt(norm);
    for (auto& v : x) v /= norm;
    std::vector<long double> y(x.size());
    long double quotient = 0;
    for (std::uint64_t i = 0; i < x.size(); ++i) {
      long double sum = 0;
      for (auto j : g.neighbours(i)) sum += x[j];
      y[i] = sum / 3;
      quotient += x[i] * y[i];
    }
    rayleigh = quotient;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = x[i] + y[i];  // (I + A/d): the top of the deflated spectrum
  }
  INFO("lambda " << s.lambda << " rayleigh " << rayleigh);
  CHECK(s.lambda >= (1 + static_cast<double>(rayleigh)) / 2 - 1e-15);
  CHECK(s.lambda <= (1 + static_cast<double>(rayleigh)) / 2 + 1e-4);
}

TEST_CASE("certified lazy walk: the ring's and the torus's closed forms, built as graphs", "[dp][network]") {
  // λ* = cos²(π/n) on a ring (the closed form analyzer/network.cpp uses for rings of any size).
  Topology ring;
  ring.kind = TopologyKind::kRing;
  ring.agents = 50;
  const WalkSpectrum s = certified_lazy_walk(Graph(ring));
  REQUIRE(s.certified);
  const long double c = std::cos(3.141592653589793238462643383279502884L / 50);
  CHECK(s.lambda >= static_cast<double>(c * c));
  CHECK(s.lambda <= static_cast<double>(c * c) + 1e-9);
}
