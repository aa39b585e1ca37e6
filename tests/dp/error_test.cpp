// The error figures of dp/error.hpp against independent values: tests/dp/data/error_reference.json,
// computed with scipy.stats quantiles, Python fractions and mpmath by
// tests/dp/data/error_reference.py (its "_source" says how; each laplace and gaussian row names
// its scipy call). Every figure must be at least the reference (rounded up, never optimistic)
// and within 1 % of it; the whole-number half-widths must equal it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "dp/error.hpp"

using namespace privflow::dp;
using nlohmann::json;

namespace {

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/error_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

double fraction(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos) return std::stod(s);
  return std::stod(s.substr(0, slash)) / std::stod(s.substr(slash + 1));
}

void check_tight(double value, double reference_value) {
  INFO("privflow " << value << ", reference " << reference_value);
  CHECK(value >= reference_value);
  CHECK(value <= reference_value * 1.01);
}

}  // namespace

TEST_CASE("Laplace error: sd sqrt(2) b and half-width b ln(1/beta), against scipy", "[error]") {
  REQUIRE(reference()["laplace"].size() == 3);
  for (const auto& row : reference()["laplace"]) {
    INFO(row["call"].get<std::string>());
    const auto f = error::laplace(row["scale"].get<double>(), row["beta"].get<double>());
    check_tight(f.sd, row["sd"].get<double>());
    check_tight(f.half_width, row["half_width"].get<double>());
  }
}

TEST_CASE("Gaussian error: half-width sigma z(1 - beta/2), against scipy", "[error]") {
  REQUIRE(reference()["gaussian"].size() == 3);
  for (const auto& row : reference()["gaussian"]) {
    INFO(row["call"].get<std::string>());
    const auto f = error::gaussian(row["sigma"].get<double>(), row["beta"].get<double>());
    check_tight(f.sd, row["sd"].get<double>());
    check_tight(f.half_width, row["half_width"].get<double>());
  }
}

TEST_CASE("two-sided geometric and discrete Gaussian: exact whole half-widths", "[error]") {
  REQUIRE(reference()["geometric"].size() == 3);
  for (const auto& row : reference()["geometric"]) {
    const auto f = error::geometric(row["epsilon"].get<double>(), row["beta"].get<double>());
    INFO("epsilon " << row["epsilon"]);
    check_tight(f.sd, row["sd"].get<double>());
    CHECK(f.half_width == row["half_width"].get<double>());
  }
  REQUIRE(reference()["discrete_gaussian"].size() == 3);
  for (const auto& row : reference()["discrete_gaussian"]) {
    const auto f = error::discrete_gaussian(row["sigma"].get<double>(), row["beta"].get<double>());
    INFO("sigma " << row["sigma"]);
    check_tight(f.sd, row["sd"].get<double>());
    CHECK(f.half_width == row["half_width"].get<double>());
  }
  // Beyond the summed range: Canonne et al.'s bounds, never below the Gaussian's own interval.
  const auto big = error::discrete_gaussian(1e5, 0.05);
  CHECK(big.half_width >= error::gaussian(1e5, 0.05).half_width);
}

TEST_CASE("frequency oracles: Wang et al. 2017's variance, worst case, and Bernstein's interval", "[error]") {
  REQUIRE(reference()["frequency"].size() == 3);
  for (const auto& row : reference()["frequency"]) {
    INFO(row["name"].get<std::string>());
    const auto f = error::frequency(fraction(row["support_true"]), fraction(row["support_other"]),
                                    row["n"].get<double>(), row["beta"].get<double>());
    check_tight(f.sd, row["sd"].get<double>());
    check_tight(f.half_width, row["half_width"].get<double>());
  }
  // No signal: no finite figure.
  CHECK(std::isinf(error::frequency(0.5, 0.5, 100, 0.05).half_width));
}
