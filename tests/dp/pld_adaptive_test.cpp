// The adaptive PLD (issue #17): every case of tests/dp/data/pld_adaptive_reference.json lies in
// [lower, 1.01 × tight], where `lower` is a sound lower bound on the true ε from an independent
// source (dp_accounting 0.6.0's optimistic PLD, or an exact mpmath value) and `tight` the best
// known value; the optimistic side of dp/pld.cpp is checked against the peer's pessimistic
// bound (it must stay below the true value); and `--tolerance` reaches the CLI.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "dp/accountant.hpp"
#include "dp/pld.hpp"

using namespace privflow::dp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/pld_adaptive_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

Mechanism mechanism(const json& m) {
  const std::string kind = m["kind"];
  if (kind == "dpsgd")
    return Mechanism::subsampled_gaussian(m["noise_multiplier"], m["sampling_rate"]).repeated(m["steps"]);
  if (kind == "laplace") return Mechanism::laplace(double(m["epsilon"])).repeated(m["times"]);
  REQUIRE(kind == "gaussian");
  return Mechanism::gaussian_sigma(m["sigma"]).repeated(m["times"]);
}

struct CliResult {
  int code;
  std::string out, err;
};
CliResult run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "account");
  std::istringstream in;
  std::ostringstream out, err;
  const int code = privflow::cli::run(args, {in, out, err, false});
  return {code, out.str(), err.str()};
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

}  // namespace

TEST_CASE("adaptive pld: each issue case within [sound lower, 1.01 x tight]", "[dp][pld][adaptive]") {
  const json& cases = reference()["cases"];
  REQUIRE(cases.size() >= 10);
  for (const auto& c : cases) {
    const std::string id = c["id"];
    const double delta = c["delta"], lower = c["lower"], tight = c["tight"];
    for (Accountant a : {Accountant::kPld, Accountant::kAuto}) {
      Composition comp;
      comp.pld_options.adaptive = true;
      REQUIRE(comp.add(mechanism(c["mechanism"])));
      const EpsilonResult r = comp.epsilon(delta, a);
      INFO(id << " accountant " << to_string(a) << ": " << r.value << " (" << r.how << "), lower " << lower << ", tight " << tight);
      REQUIRE_FALSE(r.infinite);
      CHECK(r.value >= lower);
      CHECK(r.value <= 1.01 * tight);
      if (a == Accountant::kPld) CHECK(r.accountant == Accountant::kPld);  // no fallback to RDP
    }
  }
}

TEST_CASE("adaptive pld: the answer does not depend on asking other deltas first", "[dp][pld][adaptive]") {
  Composition comp;
  comp.pld_options.adaptive = true;
  REQUIRE(comp.add(Mechanism::subsampled_gaussian(2.0, 0.1).repeated(1000)));
  const double first = comp.epsilon(1e-5, Accountant::kPld).value;
  CHECK(comp.epsilon(1e-9, Accountant::kPld).value > first);  // smaller δ: larger ε
  CHECK(comp.delta(first, Accountant::kPld).value <= 1e-5 * 1.001);  // δ(ε) on the fixed grid agrees
  CHECK(comp.epsilon(1e-5, Accountant::kPld).value == first);
}

TEST_CASE("optimistic discretisation stays below the true value, pessimistic above", "[dp][pld][adaptive]") {
  // One step, z 0.8, q 0.01, δ 1e-10: the peer's bracket [2.8705372, 2.8705422] (grid 1e-5).
  for (const auto& c : reference()["cases"]) {
    if (c["id"] != "dpsgd_z0.8_q0.01_T1_d1e-10") continue;
    const double lower = c["lower"], upper = c["peer_upper"];
    for (double h : {0.05, 0.01, 0.002}) {
      double eps[2];
      for (int side = 0; side < 2; ++side) {
        const auto s = side ? pld::Side::kOptimistic : pld::Side::kPessimistic;
        const pld::Pld rem = pld::subsampled_gaussian(0.8, 0.01, true, h, 1e-20, s);
        const pld::Pld add = pld::subsampled_gaussian(0.8, 0.01, false, h, 1e-20, s);
        const auto both = pld::compose_pair({{&rem, 1}}, {{&add, 1}}, 1e-20, side == 1);
        eps[side] = std::max(both.first.epsilon(1e-10), both.second.epsilon(1e-10));
      }
      INFO("h " << h << ": pessimistic " << eps[0] << ", optimistic " << eps[1]);
      CHECK(eps[0] >= lower);
      CHECK(eps[1] <= upper);
      CHECK(eps[1] <= eps[0]);
    }
  }
  // Composed (1000 steps, q 0.1, z 2), through the FFT: the optimistic ε is below the peer's
  // pessimistic 8.2792934 and the pessimistic one above the peer's optimistic 8.2292916.
  const pld::Pld rem_p = pld::subsampled_gaussian(2.0, 0.1, true, 5e-3, 1e-18);
  const pld::Pld add_p = pld::subsampled_gaussian(2.0, 0.1, false, 5e-3, 1e-18);
  const pld::Pld rem_o = pld::subsampled_gaussian(2.0, 0.1, true, 5e-3, 1e-18, pld::Side::kOptimistic);
  const pld::Pld add_o = pld::subsampled_gaussian(2.0, 0.1, false, 5e-3, 1e-18, pld::Side::kOptimistic);
  const auto pess = pld::compose_pair({{&rem_p, 1000}}, {{&add_p, 1000}}, 1e-18);
  const auto opt = pld::compose_pair({{&rem_o, 1000}}, {{&add_o, 1000}}, 1e-18, true);
  const double ep = std::max(pess.first.epsilon(1e-5), pess.second.epsilon(1e-5));
  const double eo = std::max(opt.first.epsilon(1e-5), opt.second.epsilon(1e-5));
  CHECK(ep >= 8.229291577978204);
  CHECK(eo <= 8.279293378386795);
  CHECK(eo > 8.2);  // second order: close at a coarse grid
}

TEST_CASE("adaptive pld: a looser tolerance is still sound; fixed grid still available", "[dp][pld][adaptive]") {
  for (double tol : {0.05, 0.01}) {
    Composition comp;
    comp.pld_options.adaptive = true;
    comp.pld_options.tolerance = tol;
    REQUIRE(comp.add(Mechanism::subsampled_gaussian(1.1, 0.01).repeated(10000)));
    const EpsilonResult r = comp.epsilon(1e-8, Accountant::kPld);
    INFO("tolerance " << tol << ": " << r.value << " " << r.how);
    CHECK(r.value >= 6.393091502877859);  // dp_accounting's optimistic PLD (grid 1e-4)
    CHECK(r.value <= 6.893113701121501 * (1 + std::max(tol, 1e-3) + 1e-3));
  }
  Composition fixed;
  fixed.pld_options.adaptive = false;
  REQUIRE(fixed.add(Mechanism::subsampled_gaussian(2.0, 0.1).repeated(1000)));
  const EpsilonResult r = fixed.epsilon(1e-5, Accountant::kPld);
  CHECK(r.discretization == 1e-4);
  CHECK(r.value >= 8.229291577978204);
  CHECK(r.value <= 8.279293378386795 * 1.001);
}

TEST_CASE("account --tolerance: plumbed to the pld, and checked", "[cli][account][adaptive]") {
  for (const auto& c : reference()["cases"]) {
    if (c["id"] != "dpsgd_z1.1_q0.01_T10000_d1e-8") continue;
    auto args = words(c["command"]);
    args.insert(args.end(), {"--accountant", "pld", "--tolerance", "0.01", "--json"});
    const CliResult r = run_cli(args);
    INFO(r.err);
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(double(j["epsilon"]) >= double(c["lower"]));
    CHECK(double(j["epsilon"]) <= double(c["tight"]) * 1.02);
    CHECK(j["accountant"] == "pld");
  }
  for (const char* bad : {"0", "-1", "0.6", "x"}) {
    const CliResult r = run_cli({"dpsgd", "--noise-multiplier", "1", "--sampling-rate", "0.01", "--steps", "10", "--delta",
                                 "1e-5", "--tolerance", bad});
    INFO(bad << ": " << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("--tolerance") != std::string::npos);
  }
}

// The three arithmetics of the FFT composition (dp/pld.hpp, Precision) compute the same cyclic
// convolution, each within its proven round-off bound (Composed::roundoff, L1 over the window):
// any two windows differ by at most the sum of their bounds. A wrong twiddle (pld_fft.cpp's
// long double plan folds the angles itself) or a missing term in a bound breaks it.
TEST_CASE("pld precisions agree within their round-off bounds", "[dp][pld][precision]") {
  const pld::Pld rem = pld::subsampled_gaussian(1.1, 0.01, true, 1e-3, 1e-18);
  const pld::Pld add = pld::subsampled_gaussian(1.1, 0.01, false, 1e-3, 1e-18);
  std::vector<std::pair<pld::Composed, pld::Composed>> runs;
  for (auto p : {pld::Precision::kDouble, pld::Precision::kMixed, pld::Precision::kExtended})
    runs.push_back(pld::compose_pair({{&rem, 10000}}, {{&add, 10000}}, 1e-16, false, p));
  auto l1 = [](const pld::Composed& a, const pld::Composed& b) {
    REQUIRE(a.offset == b.offset);
    REQUIRE(a.pmf.size() == b.pmf.size());
    double d = 0;
    for (std::size_t k = 0; k < a.pmf.size(); ++k) d += std::abs(a.pmf[k] - b.pmf[k]);
    return d;
  };
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = i + 1; j < runs.size(); ++j) {
      INFO("precisions " << i << " and " << j);
      CHECK(l1(runs[i].first, runs[j].first) <= runs[i].first.roundoff + runs[j].first.roundoff);
      CHECK(l1(runs[i].second, runs[j].second) <= runs[i].second.roundoff + runs[j].second.roundoff);
    }
  // The long double forward side is what matters at 10^4 uses: it cuts the bound by > 100×,
  // and long double throughout cuts it further.
  CHECK(runs[1].first.roundoff < runs[0].first.roundoff / 100);
  CHECK(runs[2].first.roundoff <= runs[1].first.roundoff);
}
