// Error figures and utility requirements (docs/language.md, "Utility requirements"): each figure
// against an independent value, a requirement that fails and its fix, and the fix search and
// `tune` refusing a value that breaks the other kind of requirement.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "analyzer/analysis.hpp"
#include "analyzer/tune.hpp"
#include "analyzer/wording.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

flow::Graph load(const std::string& text) { return test::load_spec_text("test.pflow", text); }

const analyzer::Verdict& verdict(const analyzer::Analysis& a, const std::string& name) {
  for (const auto& v : a.verdicts)
    if (v.name == name) return v;
  FAIL("no verdict " << name);
  return a.verdicts.front();
}

const analyzer::ReleaseError& error_of(const flow::Graph& g, const analyzer::Analysis& a, const std::string& artifact) {
  for (const auto& e : a.errors)
    if (e.artifact == g.find_artifact(artifact)) return e;
  FAIL("no error figure for " << artifact);
  return a.errors.front();
}

/// A census table: a histogram of income (prior 0.3/0.5/0.2 over 50 000 rows, so the smallest
/// expected cell is 10 000) with Laplace noise of scale `scale`, seen by the press.
std::string census(const std::string& scale, const std::string& requirements) {
  return R"(
data residents { rows: 50_000
  field income: {low, middle, high} prior {0.3, 0.5, 0.2} }
agent office { trust: trusted, holds: residents }
agent press { trust: curious }
param noise = )" + scale + R"( in [1, 20]
compute income_table at office = histogram(residents.income)
compute published at office = laplace(income_table, scale: noise)
send published to press
)" + requirements;
}

// Independent values (tests/dp/data/error_reference.py has the same calls):
// scipy.stats.laplace(scale=4).ppf(1 - 0.05/2) = 11.98292909421596 (= 4 ln 20);
// scipy.stats.laplace(scale=4).std() = 5.656854249492381.
constexpr double kLaplace4HalfWidth = 11.98292909421596;
constexpr double kLaplace4Sd = 5.656854249492381;

}  // namespace

TEST_CASE("a Laplace release's error: absolute and relative to the smallest expected cell", "[utility]") {
  auto g = load(census("4", "require acc: error(published) <= 12\nrequire rel: error(published) <= 0.0012 relative\n"));
  auto a = analyzer::analyze(g);
  const auto& e = error_of(g, a, "published");
  REQUIRE(e.modelled);
  CHECK(e.half_width >= kLaplace4HalfWidth);
  CHECK(e.half_width <= kLaplace4HalfWidth * 1.0001);
  CHECK(e.sd >= kLaplace4Sd);
  CHECK(e.sd <= kLaplace4Sd * 1.0001);
  REQUIRE(e.expected);
  CHECK(*e.expected == Approx(10000));  // 50 000 × 0.2
  REQUIRE(e.relative);
  CHECK(*e.relative >= kLaplace4HalfWidth / 10000);
  CHECK(verdict(a, "acc").status == analyzer::Status::kHolds);
  CHECK(verdict(a, "rel").status == analyzer::Status::kHolds);
  CHECK(verdict(a, "acc").reason == "±11.99 ≤ 12 at confidence 0.95");
  // A narrower confidence: β = 0.5 gives 4 ln 2 = 2.7726 (scipy.stats.laplace(scale=4).ppf(0.75)).
  auto g50 = load(census("4", "require acc: error(published) <= 2.78 at confidence 0.5\n"));
  auto a50 = analyzer::analyze(g50);
  CHECK(verdict(a50, "acc").status == analyzer::Status::kHolds);
  REQUIRE(verdict(a50, "acc").value);
  CHECK(*verdict(a50, "acc").value >= 2.772588722239781);
  CHECK(*verdict(a50, "acc").value <= 2.772588722239781 * 1.0001);
}

TEST_CASE("a utility requirement that fails, and its fix", "[utility]") {
  // 10 / ln 20 = 3.338: the largest scale whose half-width is within 10.
  auto g = load(census("4", "require acc: error(published) <= 10\n"));
  auto a = analyzer::analyze(g);
  const auto& v = verdict(a, "acc");
  CHECK(v.status == analyzer::Status::kViolated);
  INFO(v.fix);
  CHECK(v.fix.rfind("noise ≤ 3.3", 0) == 0);
  // Applying it, the requirement holds.
  auto fixed = analyzer::analyze(load(census("3.33", "require acc: error(published) <= 10\n")));
  CHECK(verdict(fixed, "acc").status == analyzer::Status::kHolds);
}

TEST_CASE("no value meets both: the fix says which requirement it would break", "[utility]") {
  // The press budget needs scale ≥ 4 (ε = 1/scale ≤ 1/4); the error bound needs scale ≤ 3.34.
  auto g = load(census("4", "require budget: dp(residents) against press <= epsilon 1/4\n"
                            "require acc: error(published) <= 10\n"));
  auto a = analyzer::analyze(g);
  CHECK(verdict(a, "budget").status == analyzer::Status::kHolds);
  const auto& v = verdict(a, "acc");
  CHECK(v.status == analyzer::Status::kViolated);
  INFO(v.fix);
  CHECK(v.fix.find("no value meets both") != std::string::npos);
  CHECK(v.fix.find("break budget") != std::string::npos);

  // The other way round: the privacy fix (scale ≥ 8) would break the error bound.
  auto g2 = load(census("4", "require budget: dp(residents) against press <= epsilon 1/8\n"
                             "require acc: error(published) <= 12\n"));
  auto a2 = analyzer::analyze(g2);
  CHECK(verdict(a2, "acc").status == analyzer::Status::kHolds);
  const auto& p = verdict(a2, "budget");
  CHECK(p.status == analyzer::Status::kViolated);
  INFO(p.fix);
  CHECK(p.fix.find("no value meets both") != std::string::npos);
  CHECK(p.fix.find("break acc") != std::string::npos);
}

TEST_CASE("tune meets the privacy requirements, then checks the utility ones", "[utility]") {
  const std::string budget = "require budget: dp(residents) against press <= epsilon 1/4\n";
  auto ok = analyzer::tune(load(census("10", budget + "require acc: error(published) <= 12\n")), "noise");
  CHECK(ok.outcome == analyzer::TuneOutcome::kFound);
  CHECK(ok.value == 4);
  auto none = analyzer::tune(load(census("10", budget + "require acc: error(published) <= 10\n")), "noise");
  CHECK(none.outcome == analyzer::TuneOutcome::kNone);
  INFO(none.message);
  CHECK(none.message.find("acc fails") != std::string::npos);
}

TEST_CASE("local randomizers: the frequency estimator's error over n reports", "[utility]") {
  // Randomized response keep 3/5 on a bool field over 10 000 rows: support 3/5 vs 2/5. Wang et
  // al. 2017 Theorem 2 in Python fractions: worst-case variance 3/5000 (sd 0.0244949); Bernstein's
  // half-width at β = 0.05: 0.0671508 (mpmath; tests/dp/data/error_reference.json, "rr keep 3/5").
  auto g = load(R"(
data answers { rows: 10_000
  field yes: bool }
agent person[10_000] { trust: trusted, holds: answers by partition }
agent pollster { trust: curious }
compute reply at person = randomized_response(answers.yes, keep: 3/5)
send reply to pollster
require acc: error(reply) <= 0.07
)");
  auto a = analyzer::analyze(g);
  const auto& e = error_of(g, a, "reply");
  REQUIRE(e.modelled);
  CHECK(e.sd >= 0.024494897427831782);
  CHECK(e.sd <= 0.024494897427831782 * 1.0001);
  CHECK(e.half_width >= 0.06715076848656366);
  CHECK(e.half_width <= 0.06715076848656366 * 1.0001);
  CHECK(verdict(a, "acc").status == analyzer::Status::kHolds);
}

TEST_CASE("DP-SGD: the noise in the averaged gradient, sigma C / B", "[utility]") {
  auto g = load(R"(
data chats { rows: 1_000_000 }
agent cluster { trust: trusted, holds: chats }
agent hub { trust: curious }
compute adapter at cluster = dpsgd(chats, noise_multiplier: 0.8, batch_size: 1000, epochs: 3)
send adapter to hub
)");
  auto a = analyzer::analyze(g);
  const auto& e = error_of(g, a, "adapter");
  REQUIRE(e.modelled);
  CHECK(e.sd >= 0.0008);  // 0.8 / 1000, in units of the clipping norm
  CHECK(e.sd <= 0.0008 * 1.0001);
  CHECK(e.unit.find("clipping norm") != std::string::npos);
  // scipy.stats.norm(scale=0.0008).ppf(0.975) = 0.0015679711876320433
  CHECK(e.half_width >= 0.0015679711876320433);
  CHECK(e.half_width <= 0.0015679711876320433 * 1.0001);
}

TEST_CASE("a distributed Gaussian's aggregate carries the total noise forward", "[utility]") {
  // scipy.stats.norm(scale=100).ppf(0.975) = 195.9963984540054; expected sum 10 000 × 25.
  auto g = load(R"(
data usage { rows: 10_000
  field kwh: int[0, 50] }
agent meter[10_000] { trust: curious, holds: usage by partition }
agent utility { trust: curious }
compute reading at meter = gaussian(usage.kwh, sigma: 100, sensitivity: 50, distributed: true)
send reading to utility via secure_aggregation(threshold: 100)
compute demand at utility = aggregate(reading)
require acc: error(demand) <= 200
)");
  auto a = analyzer::analyze(g);
  const auto& e = error_of(g, a, "demand");
  REQUIRE(e.modelled);
  CHECK(e.half_width >= 195.9963984540054);
  CHECK(e.half_width <= 195.9963984540054 * 1.0001);
  REQUIRE(e.expected);
  CHECK(*e.expected == Approx(250000));
  CHECK(verdict(a, "acc").status == analyzer::Status::kHolds);
}
