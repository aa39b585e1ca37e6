// The optimistic figures an independent red team found (too small: the worst bug privflow can
// have), one case per finding, each against a value computed here independently (closed forms
// in long double, exact fractions) — never against privflow's own earlier output. Every case
// failed before its fix.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "tests/support/spec.hpp"
#include "tests/support/verdicts.hpp"

using namespace privflow;

namespace {

analyzer::Analysis analyze_text(const std::string& text) {
  analyzer::Options options;
  options.suggest_fixes = false;
  return analyzer::analyze(test::load_spec_text("red_team.pflow", text), options);
}

using test::flatten;
using test::verdict;

long double phi(long double x) { return 0.5L * std::erfc(-x / std::sqrt(2.0L)); }

/// The exact epsilon at delta of a Gaussian mechanism of mu = sensitivity / sigma (Balle & Wang
/// 2018, Thm 8): delta(eps) = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2), by bisection.
double gaussian_epsilon(long double mu, long double delta) {
  auto d = [&](long double e) { return phi(-e / mu + mu / 2) - std::exp(e) * phi(-e / mu - mu / 2); };
  long double lo = 0, hi = 100;
  for (int i = 0; i < 200; ++i) {
    long double mid = (lo + hi) / 2;
    (d(mid) > delta ? lo : hi) = mid;
  }
  return static_cast<double>(hi);
}

}  // namespace

TEST_CASE("red team 1: a coarser release never hides a finer one, whatever the order of sends", "[audit][red_team]") {
  const std::string head = R"(
data people { rows: 1000
  field zip: int[0, 999] }
agent office { trust: trusted, holds: people }
agent r { trust: curious }
compute area at office = map(people, zip / 100)
compute z at office = select(people, zip)
)";
  const std::string req = "require reid: reidentification(people by {zip}) against {r} <= 0.01\n";
  // r sees zip in the clear: each of 1000 uniform cells is unique with (999/1000)^999.
  const long double truth = std::pow(0.999L, 999.0L);
  for (const std::string sends : {"send area to r\nsend z to r\n", "send z to r\nsend area to r\n"}) {
    const auto a = analyze_text(head + sends + req);
    const auto& v = verdict(a, "reid");
    INFO(sends << analyzer::value_text(v));
    CHECK(v.status == analyzer::Status::kViolated);
    REQUIRE(v.value);
    CHECK(*v.value >= static_cast<double>(truth));
    CHECK(*v.value <= static_cast<double>(truth) * 1.0001);
  }
}

TEST_CASE("red team 2: a map injective on a quasi-identifier does not hide it", "[audit][red_team]") {
  const auto a = analyze_text(R"(
data people { rows: 1000
  field zip: int[0, 999]
  field sex: {female, male} }
agent office { trust: trusted, holds: people }
agent r { trust: curious }
compute code at office = map(people, if sex = female then zip else zip + 1000)
send code to r
require reid: reidentification(people by {zip}) against {r} <= 0.01
)");
  const auto& v = verdict(a, "reid");
  REQUIRE(v.value);
  CHECK(*v.value >= static_cast<double>(std::pow(0.999L, 999.0L)));
  CHECK(v.status == analyzer::Status::kViolated);
}

TEST_CASE("red team 3: distributed noise over replicated data is not amplified by the replicas", "[audit][red_team]") {
  const auto a = analyze_text(R"(
data d { rows: 1000 neighbouring: replace
  field x: int[0, 1] }
settings { accountant: pld }
agent node[4] { trust: trusted, holds: d }
agent analyst { trust: curious }
compute share at node = gaussian(d.x, sigma: 4, sensitivity: 1, distributed: true)
send share to analyst via secure_aggregation(threshold: 4)
require eps: dp(d) against {analyst} <= epsilon 4
require adv: advantage(d) against {analyst} <= 0.36
)");
  // The sum is 4 f(d) + N(0, 4^2): one record moves it by 4, mu = 1.
  const double eps = gaussian_epsilon(1, 1e-5L);
  const auto& e = verdict(a, "eps");
  REQUIRE(e.value);
  CHECK(eps > 4.37);
  CHECK(*e.value >= eps);
  CHECK(*e.value <= eps * 1.01);
  CHECK(e.status == analyzer::Status::kViolated);
  // The advantage of a Gaussian of mu 1 is 2 Phi(1/2) - 1.
  const double adv = static_cast<double>(2 * phi(0.5L) - 1);
  const auto& v = verdict(a, "adv");
  REQUIRE(v.value);
  CHECK(*v.value >= adv);
  CHECK(*v.value <= adv * 1.01);
  CHECK(v.status == analyzer::Status::kViolated);
}

TEST_CASE("red team 4: shuffling amplifies only local randomizers of one record", "[audit][red_team]") {
  const auto a = analyze_text(R"(
data d { rows: 100000
  field x: int[0, 1] }
agent phone[1000] { trust: honest, holds: d by partition }
agent shuffler { trust: curious }
agent collector { trust: curious }
compute s at phone = sum(d.x)
compute m at phone = laplace(s, epsilon: 2, sensitivity: 1)
send m to collector via shuffler(by: shuffler)
require eps: dp(d) against {collector} <= epsilon 1
)");
  // 100 records a phone: a noisy sum is no local randomizer of one person, no clone argument.
  const auto& v = verdict(a, "eps");
  REQUIRE(v.value);
  CHECK(*v.value >= 1.999);  // a hair under 2 at delta 1e-5, never amplified
  CHECK(*v.value <= 2);
  CHECK(v.status == analyzer::Status::kViolated);
  CHECK(flatten(v.explanation).find("shuffled among") == std::string::npos);
}

TEST_CASE("red team 5: shuffling replicas of the same record hides nothing", "[audit][red_team]") {
  const std::string spec = R"(
data d { rows: 1000
  field x: {no, yes} }
agent replica[100] { trust: honest, holds: d }
agent shuffler { trust: curious }
agent collector { trust: curious }
compute m at replica = randomized_response(d.x, keep: 3/4)
send m to collector VIA
require eps: dp(d) against {collector} <= epsilon 94.2
)";
  auto with = [&](const std::string& via) {
    std::string s = spec;
    s.replace(s.find("VIA"), 3, via);
    return verdict(analyze_text(s), "eps");
  };
  const auto shuffled = with("via shuffler(by: shuffler)");
  const auto plain = with("");
  REQUIRE(shuffled.value);
  REQUIRE(plain.value);
  CHECK(*shuffled.value == *plain.value);
  // 100 reports of the same value: the exact epsilon at 1e-5 of the binomial loss is 90.78
  // (computed with mpmath at 50 digits); never below it.
  CHECK(*shuffled.value >= 90.78);
  CHECK(flatten(shuffled.explanation).find("shuffled among") == std::string::npos);
}

TEST_CASE("red team 6: forbid sees data held by agents across the border", "[audit][red_team]") {
  const auto a = analyze_text(R"(
region EU
region US
category health special
data d { rows: 1000 category: health
  field x: int[0, 1] }
agent lab { trust: trusted, region: EU, holds: d }
agent site[10] { trust: curious, region: US, holds: d by partition }
forbid rule: health from EU to US
)");
  const auto& v = verdict(a, "rule");
  CHECK(v.status == analyzer::Status::kViolated);
  REQUIRE(v.crossings.size() == 1);
  CHECK(v.crossings[0].observer == "site[i]");
  CHECK(v.crossings[0].reason == "holds the data");
}

TEST_CASE("red team 7: randomized response from three or more replicas counts every report", "[audit][red_team]") {
  const auto a = analyze_text(R"(
data d { rows: 1000
  field x: {no, yes} }
agent replica[3] { trust: honest, holds: d }
agent pollster { trust: curious }
compute m at replica = randomized_response(d.x, keep: 3/4)
send m to pollster
require post: posterior(d.x = yes) against {pollster} <= 0.9
require leak: leakage(d.x) against {pollster} <= 0.5 bits
)");
  // Three reports of the same value, uniform prior: 27/64 / (27/64 + 1/64) = 27/28. By the
  // number k of "yes" reports, max over x of P(k | x) is 27/64 for every k of 0..3: V_post =
  // 1/2 * 4 * 27/64 = 27/32 against V_prior 1/2, log2(27/16) bits.
  const auto& p = verdict(a, "post");
  CHECK(analyzer::value_text(p) == "27/28");
  CHECK(p.exact);
  const auto& l = verdict(a, "leak");
  REQUIRE(l.value);
  const double bits = std::log2(27.0 / 16);
  CHECK(*l.value >= bits);
  CHECK(*l.value <= bits + 1e-4);
}

TEST_CASE("red team 8: the sensitivity of a sum comes from its field's range", "[audit][red_team]") {
  const std::string spec = R"(
data d { rows: 1000
  field income: int[0, 1000000] }
agent office { trust: trusted, holds: d }
agent analyst { trust: curious }
compute s at office = sum(d.income)
compute r at office = laplace(s, scale: 10SENS)
send r to analyst
require eps: dp(d) against {analyst} <= epsilon 1
)";
  for (const std::string sens : {"", ", sensitivity: 1"}) {
    std::string s = spec;
    s.replace(s.find("SENS"), 4, sens);
    const auto a = analyze_text(s);
    const auto& v = verdict(a, "eps");
    INFO(sens);
    CHECK(analyzer::value_text(v) == "100000");  // 10^6 / 10
    CHECK(v.status == analyzer::Status::kViolated);
  }
  // A declared sensitivity below the derived one is used only with a located warning.
  const auto g = test::load_spec_text("s.pflow", R"(
data d { rows: 10
  field income: int[-5, 3] }
agent office { trust: trusted, holds: d }
agent analyst { trust: curious }
compute s at office = sum(d.income)
compute r at office = laplace(s, epsilon: 1, sensitivity: 1)
send r to analyst
require eps: dp(d) against {analyst} <= epsilon 1
)");
  const auto a = analyzer::analyze(g);
  CHECK(analyzer::value_text(verdict(a, "eps")) == "5");  // adding a record of income -5 moves the sum by 5
  bool warned = false;
  for (const auto& f : a.findings)
    warned = warned || (f.severity == analyzer::Severity::kWarning && f.span.line == 7 && f.message.find("sensitivity") != std::string::npos);
  CHECK(warned);
}

TEST_CASE("red team 9: a statistic exposes the fields it reads, so figures never fall when members join",
          "[audit][red_team]") {
  const auto a = analyze_text(R"(
data d { rows: 50
  field fa: {a, b, c}
  field fb: {x, y}
  field fn: int[0, 9] }
agent pop[5] { trust: curious, holds: d by partition }
agent o0 { trust: malicious }
agent o1 { trust: curious }
compute s at pop = select(d, fa, fb)
compute h at pop = map(d, fn / 2)
send s to o1 via shuffler(by: o0)
send h to o1
require r1: reidentification(d by {fa, fn}) against {o1} <= 0.5
require r2: reidentification(d by {fa, fn}) against {o1, 1 of pop} <= 0.5
require r3: reidentification(d by {fa, fn}) against {o1, o0} <= 0.5
require r4: reidentification(d by {fa, fn}) against any 3 of {o0, o1, pop} <= 0.5
require p1: posterior(d.fa = a) against {o1} <= 0.5
require p3: posterior(d.fa = a) against {o1, o0} <= 0.5
)");
  // fa in the clear (3 cells) and fn / 2 (5 cells of 2 values): 15 uniform cells, 50 rows.
  const double truth = static_cast<double>(std::pow(14.0L / 15, 49.0L));
  for (const char* name : {"r1", "r2", "r3", "r4"}) {
    const auto& v = verdict(a, name);
    INFO(name << " " << analyzer::value_text(v) << " " << v.explanation.text);
    REQUIRE(v.value);
    CHECK(*v.value >= truth * (1 - 1e-12));  // privflow's is exact, rounded up
    CHECK(*v.value <= truth * 1.0001);
  }
  CHECK(analyzer::value_text(verdict(a, "p1")) == "1");
  CHECK(analyzer::value_text(verdict(a, "p3")) == "1");
}

TEST_CASE("red team 10: a field no release reads keeps its prior", "[audit][red_team]") {
  const auto a = analyze_text(R"(
data d { rows: 1000
  field x: int[0, 1]
  field y: {a, b, c, d, e, f, g, h, i, j} }
agent office { trust: trusted, holds: d }
agent analyst { trust: curious }
compute s at office = sum(d.x)
compute r at office = laplace(s, epsilon: 1/2)
send r to analyst
require post: posterior(d.y = a) against {analyst} <= 0.11
require leak: leakage(d.y) against {analyst} <= 0.01 bits
)");
  CHECK(analyzer::value_text(verdict(a, "post")) == "0.1");
  CHECK(verdict(a, "post").exact);
  CHECK(analyzer::value_text(verdict(a, "leak")) == "0");
}

TEST_CASE("red team 11: aggregated shares and randomized response seen through a sum are not over-counted",
          "[audit][red_team]") {
  // 100 honest nodes, one record each, send their share plainly to a trusted server that sums
  // them: the analyst sees a sum with noise sigma 4 in all, mu = 1/4.
  const auto a = analyze_text(R"(
data d { rows: 100
  field x: int[0, 1] }
agent node[100] { trust: honest, holds: d by partition }
agent server { trust: trusted }
agent analyst { trust: curious }
compute share at node = gaussian(d.x, sigma: 4, sensitivity: 1, distributed: true)
send share to server
compute total at server = aggregate(share)
send total to analyst
require eps: dp(d) against {analyst} <= epsilon 1
)");
  const double eps = gaussian_epsilon(0.25L, 1e-5L);
  const auto& v = verdict(a, "eps");
  REQUIRE(v.value);
  CHECK(*v.value >= eps);
  CHECK(*v.value <= eps * 1.01);

  // Randomized response with keep 1/2 over 3 values, seen through a shuffle: its own channel
  // bounds it. Prior (3/5, 3/10, 1/10): V_post = 3/10 + 3/20 + 3/20 = V_prior, 0 bits; the
  // posterior of yes after the report yes is (1/20) / (1/20 + 3/20 * 1/2 + 3/10 * 1/4) = 2/11.
  const auto b = analyze_text(R"(
data d { rows: 1000
  field x: {no, maybe, yes} prior {0.6, 0.3, 0.1} }
agent phone[1000] { trust: honest, holds: d by partition }
agent shuf { trust: curious }
agent collector { trust: curious }
compute rep at phone = randomized_response(d.x, keep: 1/2)
send rep to collector via shuffler(by: shuf)
require post: posterior(d.x = yes) against {collector} <= 0.3
require leak: leakage(d.x) against {collector} <= 0.5 bits
)");
  REQUIRE(verdict(b, "leak").value);
  CHECK(*verdict(b, "leak").value == 0);
  REQUIRE(verdict(b, "post").value);
  CHECK(*verdict(b, "post").value <= 2.0 / 11 + 1e-9);
  CHECK(*verdict(b, "post").value >= 0.1);  // never below the prior
}
