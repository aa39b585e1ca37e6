// The error figures of dp/error.hpp against independent values: tests/dp/data/error_reference.json,
// computed with scipy.stats quantiles, Python fractions and mpmath by
// tests/dp/data/error_reference.py (its "_source" says how; each laplace and gaussian row names
// its scipy call). Every figure must be at least the reference (rounded up, never optimistic)
// and within 1 % of it; the whole-number half-widths must equal it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>

#include "dp/error.hpp"
#include "dp/local_randomizers.hpp"

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

namespace {

// tests/dp/data/selection_error_reference.json (selection_error_reference.py: mpmath, numpy).
const json& selections() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/selection_error_reference.json");
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

/// The reference's half-width covers the worst case (its failure rate, exact or the 3-sigma lower
/// end of a Monte Carlo estimate, is at most beta), and privflow's is that half-width, tight.
void check_covering(const json& row, double half_width) {
  CHECK(row["worst_failure"].get<double>() <= row["beta"].get<double>());
  check_tight(half_width, row["half_width"].get<double>());
}

}  // namespace

TEST_CASE("exponential mechanism and top-k: the shortfall from the best, Dwork & Roth Thm 3.11", "[error]") {
  REQUIRE(selections()["exponential"].size() == 4);
  for (const auto& row : selections()["exponential"]) {
    const double eps = row["epsilon"].get<double>();
    INFO("epsilon " << eps << ", candidates " << row["candidates"] << ", k " << row["k"]);
    const auto f = error::exponential_selection(1 / eps, row["candidates"].get<double>(), row["k"].get<double>(),
                                                row["beta"].get<double>());
    check_covering(row, f.half_width);
    check_tight(f.sd, row["sd"].get<double>());
  }
  // One candidate: nothing to miss.
  CHECK(error::exponential_selection(1, 1, 1, 0.05).half_width == 0);
}

TEST_CASE("report noisy max: the union bound over the differences of Laplace noises", "[error]") {
  REQUIRE(selections()["report_noisy_max"].size() == 3);
  for (const auto& row : selections()["report_noisy_max"]) {
    INFO("scale " << row["scale"] << ", candidates " << row["candidates"]);
    const auto f = error::report_noisy_max(row["scale"].get<double>(), row["candidates"].get<double>(),
                                           row["beta"].get<double>());
    check_covering(row, f.half_width);
    check_tight(f.sd, row["sd"].get<double>());
  }
}

TEST_CASE("sparse vector: the union bound over the queries, given the threshold's noise", "[error]") {
  REQUIRE(selections()["sparse_vector"].size() == 3);
  for (const auto& row : selections()["sparse_vector"]) {
    INFO("b1 " << row["threshold_scale"] << ", b2 " << row["query_scale"] << ", queries " << row["queries"]);
    const auto f = error::sparse_vector(row["threshold_scale"].get<double>(), row["query_scale"].get<double>(),
                                        row["queries"].get<double>(), row["beta"].get<double>());
    check_covering(row, f.half_width);
    check_tight(f.sd, row["sd"].get<double>());
  }
  // Tighter than Dwork & Roth's Thm 3.24 constant (c = 1, eps1 = eps2 = eps/2: 8(ln k + ln(2/beta))/eps).
  const double eps = 1, k = 10, beta = 0.05;
  CHECK(error::sparse_vector(2 / eps, 4 / eps, k, beta).half_width < 8 * (std::log(k) + std::log(2 / beta)) / eps);
}

// Tightness: Berry–Esseen's error term shrinks as 1/sqrt(rows·q); with 2e4 sampled records the
// half-width is within 10 % of the truth, with 1000 within 40 %, with 250 (and beta 0.01) 55 %
// (docs/limits.md, "error models").
TEST_CASE("a count on a Poisson sample: sampling and noise, above the true quantile, tight for large samples", "[error]") {
  const double looseness[] = {1.10, 1.40, 1.55};
  std::size_t i = 0;
  REQUIRE(selections()["poisson"].size() == 3);
  for (const auto& row : selections()["poisson"]) {
    const double q = row["q"].get<double>(), b = row["scale"].get<double>(), beta = row["beta"].get<double>();
    INFO("rows " << row["rows"] << ", q " << q << ", Laplace " << b);
    const auto noise = [&](double share) { return error::laplace(b, share).half_width; };
    const auto f = error::poisson_sampled(row["rows"].get<double>(), 1, q, true, std::sqrt(2.0) * b, noise, beta);
    check_tight(f.sd, row["sd"].get<double>());
    const double truth = row["monte_carlo_quantile"].get<double>();
    CHECK(f.half_width >= truth * 1.01);  // the Monte Carlo quantile is within ~0.3 % of the truth
    CHECK(f.half_width <= truth * looseness[i++]);
    // Bernstein alone (a sum of a wide field) is sound too, and never tighter.
    CHECK(error::poisson_sampled(row["rows"].get<double>(), 1, q, false, std::sqrt(2.0) * b, noise, beta).half_width >=
          f.half_width);
  }
}

TEST_CASE("count-mean sketch: the variance's worst case and two Bernstein steps", "[error]") {
  REQUIRE(selections()["cms"].size() == 3);
  for (const auto& row : selections()["cms"]) {
    INFO("epsilon " << row["epsilon"] << ", m " << row["width"] << ", k " << row["hashes"] << ", n " << row["n"]);
    const double n = row["n"].get<double>();
    const double eps = row["epsilon"].get<double>();
    const auto m = row["width"].get<std::uint64_t>(), k = row["hashes"].get<std::uint64_t>();
    const double variance = ldp::cms_variance(eps, m, k, n, 0, n * (n - 1));
    const auto f = error::count_mean_sketch(eps, static_cast<double>(m), static_cast<double>(k), n, variance,
                                            row["beta"].get<double>());
    check_tight(f.sd, row["sd"].get<double>());
    check_tight(f.half_width, row["half_width"].get<double>());
    if (row.contains("worst_failure")) CHECK(row["worst_failure"].get<double>() <= row["beta"].get<double>());
  }
}
