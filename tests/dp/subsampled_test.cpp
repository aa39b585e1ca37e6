// Poisson subsampling of laplace, gaussian and randomized_response against independent values
// (tests/dp/data/subsampled_reference.json: dp_accounting 0.6.0 and mpmath, calls recorded there,
// made by tests/dp/data/scripts/subsampled_ref.py). PLD: never below dp_accounting's optimistic
// estimate (or the exact mpmath value), at most 1 % above its pessimistic one (or the exact
// value). RDP: never below them. And `privflow account … --sampling-rate`: the same numbers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "dp/accountant.hpp"
#include "dp/pld.hpp"
#include "dp/rdp.hpp"
#include "tests/support/account.hpp"

using namespace privflow::dp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/subsampled_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

Composition adaptive(const Mechanism& m) {
  Composition c;
  c.pld_options.adaptive = true;
  REQUIRE(c.add(m));
  return c;
}

/// PLD within [lower, 1.01 upper], the RDP fallback and auto never below `lower`.
void check_bracket(const Composition& c, double delta, double lower, double upper) {
  const auto pld = c.epsilon(delta, Accountant::kPld);
  REQUIRE_FALSE(pld.infinite);
  CHECK(pld.value >= lower);
  CHECK(pld.value <= upper * 1.01);
  const auto rdp = c.epsilon(delta, Accountant::kRdp);
  CHECK(rdp.value >= lower);
  const auto best = c.epsilon(delta, Accountant::kAuto);
  CHECK(best.value >= lower);
  CHECK(best.value <= upper * 1.01);
}

}  // namespace

TEST_CASE("subsampled Laplace: between dp_accounting's optimistic and 1.01 x its pessimistic epsilon",
          "[dp][subsampled]") {
  const auto& cases = reference()["laplace"]["cases"];
  REQUIRE(cases.size() >= 5);
  for (const auto& c : cases) {
    const double scale = c["scale"], q = c["q"], delta = c["delta"];
    const std::uint64_t times = c["times"];
    INFO("scale " << scale << ", q " << q << ", times " << times << ", delta " << delta);
    const auto comp = adaptive(Mechanism::subsampled_laplace(1 / scale, q).repeated(times));
    check_bracket(comp, delta, c["optimistic"], c["pessimistic"]);
    // Sampling only helps: never above the Laplace itself.
    CHECK(comp.epsilon(delta, Accountant::kPld).value <=
          adaptive(Mechanism::laplace(1 / scale).repeated(times)).epsilon(delta, Accountant::kPld).value);
  }
}

TEST_CASE("subsampled Gaussian (gaussian with a sampling rate): within dp_accounting's bracket", "[dp][subsampled]") {
  for (const auto& c : reference()["gaussian"]["cases"]) {
    const double sigma = c["sigma"], q = c["q"], delta = c["delta"];
    const std::uint64_t times = c["times"];
    INFO("sigma " << sigma << ", q " << q << ", times " << times);
    check_bracket(adaptive(Mechanism::gaussian(sigma).poisson_sampled(q).repeated(times)), delta, c["optimistic"],
                  c["pessimistic"]);
  }
}

TEST_CASE("randomized response sent with probability q: the exact epsilon (mpmath), at most 1 % above",
          "[dp][subsampled]") {
  const auto& cases = reference()["randomized_response"]["cases"];
  REQUIRE(cases.size() >= 4);
  for (const auto& c : cases) {
    const double eps = c["epsilon"], q = c["q"], delta = c["delta"], exact = c["exact"];
    const std::uint64_t k = c["k"], times = c["times"];
    INFO("epsilon " << eps << ", k " << k << ", q " << q << ", times " << times);
    const auto comp = adaptive(Mechanism::randomized_response(eps, k).poisson_sampled(q).repeated(times));
    check_bracket(comp, delta, exact, exact);
    // Its pure epsilon is RR's: a sent report carries it all.
    CHECK(comp.pure_epsilon_up() >= eps * static_cast<double>(times));
  }
}

TEST_CASE("the subsampled pairs hold all the mass and never beat the unsampled mechanism", "[dp][subsampled]") {
  for (double eps : {0.01, 1.0, 5.0})
    for (double q : {1e-6, 0.01, 0.5, 0.999})
      for (bool remove : {true, false}) {
        INFO("eps " << eps << ", q " << q << ", remove " << remove);
        const auto p = pld::subsampled_laplace(eps, q, remove, 1e-3);
        double mass = p.inf_mass;
        for (double v : p.pmf) mass += v;
        CHECK(mass == Approx(1).margin(1e-12));
        CHECK(p.inf_mass < 1e-12);
        // The pure bound of the amplified ε holds for the loss: no atom above it (one grid step).
        const double amplified = std::log1p(q * std::expm1(eps));
        const double top = static_cast<double>(p.offset + static_cast<std::int64_t>(p.pmf.size()) - 1) * p.h;
        CHECK(top <= amplified + p.h + 1e-12);
      }
  // RDP: never above the unsampled curve, and at q = 1 the unsampled one.
  for (double a : {1.5, 2.0, 8.0, 64.0}) {
    const Mechanism m = Mechanism::subsampled_laplace(1.0, 0.1);
    CHECK(rdp::subsampled_laplace(1.0, m.epsilon, a) <= rdp::laplace(1.0, a));
    const Mechanism rr = Mechanism::randomized_response(1.0, 3);
    CHECK(rdp::subsampled_randomized_response(rr.keep, 3, 0.2, a) <= rdp::randomized_response(rr.keep, 3, a) * (1 + 1e-9));
    CHECK(rdp::subsampled_randomized_response(rr.keep, 3, 1.0, a) ==
          Approx(rdp::randomized_response(rr.keep, 3, a)).epsilon(1e-9));
  }
  // The amplified pure ε, Balle, Barthe & Gaboardi 2018, Thm 8: ln(1 + (e − 1)/100).
  CHECK(Mechanism::subsampled_laplace(1.0, 0.01).epsilon >= 0.01703686323617655);
  CHECK(Mechanism::subsampled_laplace(1.0, 0.01).epsilon <= 0.01703686323617655 * (1 + 1e-12));
}

TEST_CASE("account laplace|randomized-response|gaussian --sampling-rate", "[cli][account][subsampled]") {
  using privflow::test::run_account;
  using privflow::test::run_account_json;
  const auto& lap = reference()["laplace"]["cases"][0];  // scale 1, q 0.01, 1000 times, delta 1e-5
  auto j = run_account_json({"laplace", "--scale", "1", "--sampling-rate", "0.01", "--times", "1000", "--delta", "1e-5"});
  CHECK(j["epsilon"].get<double>() >= lap["optimistic"].get<double>());
  CHECK(j["epsilon"].get<double>() <= lap["pessimistic"].get<double>() * 1.01);
  const auto& rr = reference()["randomized_response"]["cases"][1];  // eps 2, k 4, q 0.05, 20 times
  j = run_account_json({"randomized-response", "--epsilon", "2", "--values", "4", "--sampling-rate", "0.05", "--times",
                        "20", "--delta", "1e-5"});
  CHECK(j["epsilon"].get<double>() >= rr["exact"].get<double>());
  CHECK(j["epsilon"].get<double>() <= rr["exact"].get<double>() * 1.01);
  const auto& g = reference()["gaussian"]["cases"][0];  // sigma 2, q 0.01, 100 times
  j = run_account_json({"gaussian", "--sigma", "2", "--sampling-rate", "0.01", "--times", "100", "--delta", "1e-5"});
  CHECK(j["epsilon"].get<double>() >= g["optimistic"].get<double>());
  CHECK(j["epsilon"].get<double>() <= g["pessimistic"].get<double>() * 1.01);
  // Calibration on a sample: sigma for 0.19 at 1e-5 lands near 2 (the reference's sigma).
  j = run_account_json({"gaussian", "--epsilon", "0.19", "--sampling-rate", "0.01", "--times", "100", "--delta", "1e-5"});
  CHECK(j["epsilon"].get<double>() <= 0.19);
  // Text, and exit 2 naming the option.
  auto t = run_account({"laplace", "--epsilon", "1", "--sampling-rate", "1/100", "--delta", "1e-5"});
  CHECK(t.code == 0);
  CHECK(t.out.find("epsilon = ") != std::string::npos);
  for (const char* bad : {"0", "1.5", "-1/2"}) {
    t = run_account({"laplace", "--epsilon", "1", "--sampling-rate", bad, "--delta", "1e-5"});
    CHECK(t.code == 2);
    CHECK(t.err.find("--sampling-rate") != std::string::npos);
  }
  t = run_account({"randomized-response", "--epsilon", "1", "--values", "2", "--sampling-rate", "x", "--delta", "1e-5"});
  CHECK(t.code == 2);
  CHECK(t.err.find("--sampling-rate") != std::string::npos);
}

namespace {
/// Each case of a sampled-Laplace replace-one reference file (tests/dp/data/NAME) between its
/// optimistic and 1.01 × its pessimistic epsilon, adaptively and on the fixed grid; the file.
json check_replace_cases(const std::string& name, std::size_t at_least) {
  std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/" + name);
  REQUIRE(in.good());
  const json ref = json::parse(in);
  REQUIRE(ref["cases"].size() >= at_least);
  for (const auto& c : ref["cases"]) {
    const double eps = c["epsilon"], q = c["q"], delta = c["delta"], factor = c["factor"];
    const std::uint64_t times = c["times"];
    INFO(name << ": epsilon " << eps << " q " << q << " factor " << factor << " times " << times);
    const Mechanism m = Mechanism::subsampled_laplace_replace(eps, q, factor - 1, factor * eps).repeated(times);
    check_bracket(adaptive(m), delta, c["optimistic"], c["pessimistic"]);
    Composition fixed;
    REQUIRE(fixed.add(m));
    const auto e = fixed.epsilon(delta, Accountant::kPld);
    CHECK(e.value >= c["optimistic"].get<double>());
    CHECK(e.value <= c["pessimistic"].get<double>() * 1.01);
  }
  return ref;
}
}  // namespace

TEST_CASE("subsampled Laplace, replace-one: between dp_accounting's optimistic and 1.01 x its pessimistic epsilon",
          "[dp][subsampled]") {
  // tests/dp/data/sampled_laplace_replace_reference.json (and .py): factor 2 against
  // dp_accounting's REPLACE pair, factor 1 against its add/remove pair (the worst of the region).
  const json ref = check_replace_cases("sampled_laplace_replace_reference.json", 10);
  // The pair privflow uses is the worst over the region of means (numerical integration).
  for (const auto& r : ref["region"]) CHECK(r["worst"].get<double>() <= r["pair"].get<double>() * (1 + 1e-9) + 1e-12);
}

TEST_CASE("subsampled Laplace, replace-one factor between 1 and 2: within an independent computation's bracket",
          "[dp][subsampled]") {
  // tests/dp/data/sampled_laplace_fractional_reference.json (and .py): factors 1.25, 1.5, 1.75
  // (c = f − 1 in (0, 1), the asymmetric pair dp_accounting does not have): one use by mpmath
  // at 40 digits, several by a numpy FFT bracket of the pair's exact masses, both directions.
  check_replace_cases("sampled_laplace_fractional_reference.json", 15);
}

TEST_CASE("subsampled Laplace, replace-one: its pure epsilon is the pair's largest loss", "[dp][subsampled]") {
  // log((q e^eps + 1 - q)/(q e^{-c eps} + 1 - q)) at eps 1, q 0.1, c 1: mpmath 0.2237884...
  const double expected = std::log(0.1 * std::exp(1.0) + 0.9) - std::log(0.1 * std::exp(-1.0) + 0.9);
  const Mechanism m = Mechanism::subsampled_laplace_replace(1, 0.1, 1, 2);
  CHECK(m.epsilon >= expected);
  CHECK(m.epsilon <= expected * (1 + 1e-12));
  CHECK(Mechanism::subsampled_laplace_replace(1, 0.1, 1, 0.2).epsilon == 0.2);  // a smaller given bound stays
}
