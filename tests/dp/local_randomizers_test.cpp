// The local randomizers for frequency estimation (dp/local_randomizers.hpp) against independent
// values: tests/dp/data/local_randomizers_reference.json, computed from the papers' formulas in
// Python fractions and mpmath by tests/dp/data/local_randomizers_reference.py (its "_source"
// says how). Every ε and variance must be at least the reference and at most 1 % above it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "dp/local_randomizers.hpp"

using namespace privflow::dp::ldp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/local_randomizers_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

double fraction(const json& text) {
  const std::string s = text.get<std::string>();
  const auto slash = s.find('/');
  if (slash == std::string::npos) return std::stod(s);
  return std::stod(s.substr(0, slash)) / std::stod(s.substr(slash + 1));
}

void check_tight(double value, double reference_value) {
  INFO("privflow " << value << ", reference " << reference_value);
  CHECK(value >= reference_value);
  CHECK(value <= reference_value * 1.01);
  CHECK(value == Approx(reference_value).epsilon(1e-12));
}

}  // namespace

TEST_CASE("RAPPOR: one report and the permanent response, Erlingsson et al. 2014", "[dp][ldp]") {
  int cases = 0;
  for (const char* name : {"rappor_chrome", "rappor_h1", "rappor_f0", "rappor_h4"}) {
    const json& c = reference().at(name);
    const Rappor r{fraction(c["f"]), fraction(c["p"]), fraction(c["q"]), c["hashes"].get<std::uint64_t>(), 128};
    INFO(name);
    CHECK(rappor_q_star(r) == Approx(fraction(c["q_star"])).epsilon(1e-15));
    CHECK(rappor_p_star(r) == Approx(fraction(c["p_star"])).epsilon(1e-15));
    check_tight(rappor_epsilon_one(r), c["epsilon_one"].get<double>());
    if (c["epsilon_permanent"].is_null()) {
      CHECK(std::isinf(rappor_epsilon_permanent(r)));
    } else {
      check_tight(rappor_epsilon_permanent(r), c["epsilon_permanent"].get<double>());
      // Repeated reports of one value: never more than the permanent response reveals.
      CHECK(rappor_epsilon(r, 365) == rappor_epsilon_permanent(r));
    }
    CHECK(rappor_epsilon(r, 1) == rappor_epsilon_one(r));
    const bool composed_or_capped = rappor_epsilon(r, 2) >= 2 * c["epsilon_one"].get<double>() - 1e-12 ||
                                    rappor_epsilon(r, 2) == rappor_epsilon_permanent(r);
    CHECK(composed_or_capped);
    ++cases;
  }
  CHECK(cases == 4);
}

TEST_CASE("unary encoding: epsilon from p and q, OUE and SUE", "[dp][ldp]") {
  // f = 0 and h = 1: RAPPOR is unary encoding; ln 9 at p = 1/4, q = 3/4.
  check_tight(unary_epsilon(0.25, 0.75), reference()["rappor_f0"]["epsilon_one"].get<double>());
  for (double eps : {0.5, 1.0, 4.0}) {
    CHECK(unary_epsilon(oue_p(eps), 0.5) == Approx(eps).epsilon(1e-12));
    CHECK(unary_epsilon(1 - sue_q(eps), sue_q(eps)) == Approx(eps).epsilon(1e-12));
  }
}

TEST_CASE("frequency estimators' variance, Wang et al. 2017 Thm 2", "[dp][ldp]") {
  const json& r = reference();
  const double n = 10000;
  check_tight(unary_variance(oue_p(1), 0.5, n), r["oue_variance_eps1_n1e4"].get<double>());
  check_tight(unary_variance(1 - sue_q(1), sue_q(1), n), r["sue_variance_eps1_n1e4"].get<double>());
  CHECK(olh_range(1) == 4);
  check_tight(olh_variance(1, 4, n), r["olh_variance_eps1_g4_n1e4"].get<double>());
  check_tight(hadamard_variance(1, n), r["hadamard_variance_eps1_n1e4"].get<double>());
  check_tight(cms_variance(4, 1024, 65536, 1e6), r["cms_variance_eps4_m1024_n1e6"].get<double>());
  // The closed forms the papers state agree with the general formula.
  CHECK(r["oue_closed_form"].get<double>() == Approx(r["oue_variance_eps1_n1e4"].get<double>()).epsilon(1e-12));
  CHECK(r["olh_closed_form"].get<double>() == Approx(r["olh_variance_eps1_g4_n1e4"].get<double>()).epsilon(1e-12));
  // The count-mean sketch's formula against a Monte Carlo run of Apple's estimator (within 3 SE).
  const json& mc = r["cms_montecarlo"];
  const double formula = cms_variance(mc["epsilon"].get<double>(), mc["width"].get<std::uint64_t>(),
                                      mc["hashes"].get<std::uint64_t>(), mc["n"].get<double>(),
                                      mc["count"].get<double>(), mc["other_pairs"].get<double>());
  CHECK(formula == Approx(mc["other_pairs_formula"].get<double>()).epsilon(1e-9));
  const double se = mc["montecarlo_variance"].get<double>() * std::sqrt(2.0 / mc["montecarlo_trials"].get<double>());
  CHECK(std::abs(formula - mc["montecarlo_variance"].get<double>()) <= 3 * se);
}
