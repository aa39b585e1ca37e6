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

namespace {

/// The search server of examples/query_monitor.pflow: eight topics, four selections over them.
std::string selections(const std::string& candidates, const std::string& requirements = "") {
  return R"(
data queries { rows: 2000000
  field topic: {news, sports, health, finance, travel, shopping, weather, other} }
agent server { trust: trusted, holds: queries }
agent monitor { trust: curious }
param alerts_eps = 1/2 in [1/100, 10]
compute counts at server = histogram(queries.topic)
compute alerts at server = sparse_vector(counts, epsilon: alerts_eps, answers: 3)" + candidates + R"()
compute trending at server = top_k(counts, epsilon: 1/20, k: 4)" + candidates + R"()
compute top at server = report_noisy_max(counts, epsilon: 1/2)" + candidates + R"()
compute pick at server = exponential(counts, epsilon: 0.3)" + candidates + R"()
send alerts to monitor
send trending to monitor
send top to monitor
send pick to monitor
)" + requirements;
}

void check_reference(const analyzer::ReleaseError& e, double half_width, double sd) {
  REQUIRE(e.modelled);
  CHECK(e.half_width >= half_width);
  CHECK(e.half_width <= half_width * 1.01);
  CHECK(e.sd >= sd);
  CHECK(e.sd <= sd * 1.01);
}

}  // namespace

// Independent values: tests/dp/data/selection_error_reference.json (mpmath; each half-width's
// worst-case failure rate, exact or by Monte Carlo, is at most beta there).
TEST_CASE("selections: the shortfall from the best over the stated candidates", "[utility]") {
  auto g = load(selections(", candidates: 8"));
  auto a = analyzer::analyze(g);
  // sparse vector, b1 = 1/eps1, b2 = 2·3/eps2, eps1 = (1/2)/(1 + 6^(2/3)), 8 queries.
  check_reference(error_of(g, a, "alerts"), 91.44120465906667, 25.237107982914743);
  // top-4 of 8 at 1/20 per selection: (2/ε)·ln(4·7/0.05).
  check_reference(error_of(g, a, "trending"), 253.11747134916777, 124.44042176917979);
  // report noisy max, Laplace scale 2/ε = 4: rows of the reference at 10 candidates; here 8.
  const auto& top = error_of(g, a, "top");
  REQUIRE(top.modelled);
  CHECK(top.half_width < 23.47871949886469);  // fewer candidates, a smaller shortfall
  CHECK(error_of(g, a, "pick").how.find("Dwork & Roth 2014, Thm 3.11") != std::string::npos);
  CHECK(error_of(g, a, "pick").unit == "× the score's sensitivity Δ");

  auto g10 = load(selections(", candidates: 10"));
  auto a10 = analyzer::analyze(g10);
  check_reference(error_of(g10, a10, "top"), 23.47871949886469, 21.570948773267574);
  check_reference(error_of(g10, a10, "pick"), 34.61971233926807, 22.333079598481778);

  // Without the key: no figure, and the reason says which key to add.
  auto bare = load(selections(""));
  auto ab = analyzer::analyze(bare);
  for (const char* name : {"alerts", "trending", "top", "pick"}) {
    const auto& e = error_of(bare, ab, name);
    CHECK_FALSE(e.modelled);
    CHECK(e.how.find("add `candidates: N`") != std::string::npos);
  }
}

TEST_CASE("a selection's utility requirement fails, and its fix raises epsilon", "[utility]") {
  auto g = load(selections(", candidates: 8", "require acc: error(alerts) <= 60\n"));
  auto a = analyzer::analyze(g);
  const auto& v = verdict(a, "acc");
  CHECK(v.status == analyzer::Status::kViolated);
  INFO(v.fix);
  REQUIRE(v.fix.rfind("alerts_eps ≥ ", 0) == 0);
  // The half-width scales as 1/ε: 91.44/60 × 1/2 = 0.762; the fix, applied, holds.
  std::string text = selections(", candidates: 8", "require acc: error(alerts) <= 60\n");
  text.replace(text.find("alerts_eps = 1/2"), std::string("alerts_eps = 1/2").size(), "alerts_eps = 0.77");
  auto fixed = analyzer::analyze(load(text));
  CHECK(verdict(fixed, "acc").status == analyzer::Status::kHolds);
}

TEST_CASE("a Laplace count on a Poisson sample: the sample's error and the noise's", "[utility]") {
  auto g = load(R"(
data queries { rows: 2000000 }
agent server { trust: trusted, holds: queries }
agent public { trust: curious }
compute users at server = count(queries)
compute active at server = laplace(users, epsilon: 1, sampling_rate: 1/100)
send active to public
require acc: error(active) <= 29000
)");
  auto a = analyzer::analyze(g);
  const auto& e = error_of(g, a, "active");
  REQUIRE(e.modelled);
  // Monte Carlo (2e6 draws) of the worst case, every row counted: the 95 % quantile of |error| is
  // 27578 (selection_error_reference.json); sd √(N(1 − q)/q + 2b²/q²) = 14071.96.
  CHECK(e.half_width >= 27577.77353790745 * 1.01);
  CHECK(e.half_width <= 27577.77353790745 * 1.10);
  CHECK(e.sd >= 14071.957930579525);
  CHECK(e.sd <= 14071.957930579525 * 1.0001);
  CHECK(e.how.find("worst case over a true value") != std::string::npos);
  CHECK(verdict(a, "acc").status == analyzer::Status::kViolated);  // the sample's own error dominates
}

TEST_CASE("count-mean sketch, gossip and declared: their figures", "[utility]") {
  auto g = load(R"(
data keyboards { rows: 1000000
  field emoji: {joy, heart, crying, thumbs_up, skull} }
data patients { rows: 60000 field age: int[0, 99] }
agent keyboard[1000000] { trust: honest, holds: keyboards by partition }
agent hospital[60] { trust: curious, holds: patients by partition, topology: ring }
agent small[10] { trust: curious, holds: patients by partition, topology: ring }
agent hub[6] { trust: curious, holds: patients by partition, topology: star }
agent apple { trust: curious, holds: patients }
compute sketch at keyboard = count_mean_sketch(keyboards.emoji, epsilon: 4, hashes: 65536, width: 1024)
compute bare at keyboard = count_mean_sketch(keyboards.emoji, epsilon: 4, hashes: 65536)
compute model at hospital = gossip(patients, sigma: 4, rounds: 30, sensitivity: 1)
compute small_model at small = gossip(patients, sigma: 1, rounds: 3, sensitivity: 1)
compute hub_model at hub = gossip(patients, sigma: 1, rounds: 2, sensitivity: 1)
compute stat at apple = declared(patients, epsilon: 1, error_sd: 0.01)
compute stat_bare at apple = declared(patients, epsilon: 1)
)");
  auto a = analyzer::analyze(g);
  check_reference(error_of(g, a, "sketch"), 0.0016519703640959825, 0.00044414266746568235);
  CHECK(error_of(g, a, "bare").how.find("add `width: m`") != std::string::npos);
  // numpy: the largest row norm of W^rounds, W = (I + Adj)/3 on a ring, Metropolis weights on a star.
  const double z = 1.959963984540054;  // scipy.stats.norm.ppf(0.975)
  check_reference(error_of(g, a, "model"), 4 * 0.2507613056649388 * z, 4 * 0.2507613056649388);
  check_reference(error_of(g, a, "small_model"), 0.439790447668071 * z, 0.439790447668071);
  check_reference(error_of(g, a, "hub_model"), 0.7432826755699807 * z, 0.7432826755699807);
  CHECK(error_of(g, a, "model").how.find("consensus error") != std::string::npos);
  // Declared: Chebyshev, sd/√β = 0.01/√0.05.
  check_reference(error_of(g, a, "stat"), 0.01 / std::sqrt(0.05), 0.01);
  CHECK(error_of(g, a, "stat").how.find("declared by the spec, not checked") != std::string::npos);
  CHECK_FALSE(error_of(g, a, "stat_bare").modelled);
  CHECK(error_of(g, a, "stat_bare").how.find("add `error_sd: s`") != std::string::npos);
}

TEST_CASE("tune honours a selection's utility requirement", "[utility]") {
  // The monitor sees all four selections: 0.2 + 0.5 + 0.3 besides the alerts, so ε ≤ 0.6 for them.
  const std::string budget = "require budget: dp(queries) against monitor <= epsilon 1.6\n";
  // At ε ≥ 0.6 the sparse vector's half-width is at most 91.44 × 0.5/0.6 = 76.2: it meets 100.
  auto ok = analyzer::tune(load(selections(", candidates: 8", budget + "require acc: error(alerts) <= 100\n")),
                           "alerts_eps");
  INFO(ok.message);
  CHECK(ok.outcome == analyzer::TuneOutcome::kFound);
  // ±60 needs ε ≥ 0.762, which the budget (with the other three releases) cannot give.
  CHECK(ok.value >= Rational(3, 5));  // the PLD composes the others below their pure sum: 0.641
  CHECK(ok.value < Rational(762, 1000));
  auto none = analyzer::tune(load(selections(", candidates: 8", budget + "require acc: error(alerts) <= 60\n")),
                             "alerts_eps");
  INFO(none.message);
  CHECK(none.outcome == analyzer::TuneOutcome::kNone);
  CHECK(none.message.find("acc fails") != std::string::npos);
}
