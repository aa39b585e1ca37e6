// privflow tune: the best value of a param that meets every requirement, its direction, its
// refusal of params that are not monotone, and --all with Z3 optimize.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <sstream>

#include "analyzer/tune.hpp"
#include "lang/frontend.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

flow::Graph load_graph(const std::string& text) { return test::load_spec_text("tune.pflow", text); }

const std::string kHeader =
    "data d { rows: 100 field x: {a, b} }\n"
    "agent clinic { trust: curious, holds: d }\n"
    "agent analyst { trust: curious }\n";

}  // namespace

TEST_CASE("tune: the largest budget, on the decimal grid, verified", "[tune]") {
  // Two Laplace releases of epsilon e each: 2e <= 1 -> e = 1/2 exactly on the grid.
  auto g = load_graph(kHeader +
                      "param e = 0.1 in [0.1, 2]\n"
                      "compute r at clinic = laplace(d, epsilon: e, times: 2)\n"
                      "send r to analyst\n"
                      "require budget: dp(d) against {analyst} <= epsilon 1\n");
  auto r = analyzer::tune(g, "e");
  REQUIRE(r.outcome == analyzer::TuneOutcome::kFound);
  CHECK_FALSE(r.larger_is_private);
  CHECK(r.tolerance == Rational(1, 1000));
  CHECK(r.value == Rational(1, 2));
  REQUIRE(r.requirements.size() == 1);
  CHECK(r.requirements[0].status == analyzer::Status::kHolds);
  CHECK(r.requirements[0].value_text == "1");
}

TEST_CASE("tune: the least noise", "[tune]") {
  // Laplace with scale s: epsilon 1/s <= 1/4 -> s = 4.
  auto g = load_graph(kHeader +
                      "param s = 10 in [1, 10]\n"
                      "compute r at clinic = laplace(d, scale: s)\n"
                      "send r to analyst\n"
                      "require budget: dp(d) against {analyst} <= epsilon 0.25\n");
  analyzer::TuneOptions o;
  o.tolerance = Rational(1, 100);
  auto r = analyzer::tune(g, "s", o);
  REQUIRE(r.outcome == analyzer::TuneOutcome::kFound);
  CHECK(r.larger_is_private);
  CHECK(r.value == 4);
}

TEST_CASE("tune: no value, no effect, unknown names", "[tune]") {
  const std::string spec = kHeader +
                           "param e = 1 in [1, 2]\n"
                           "param unused = 1 in [0, 5]\n"
                           "compute r at clinic = laplace(d, epsilon: e)\n"
                           "send r to analyst\n"
                           "require budget: dp(d) against {analyst} <= epsilon 0.5\n";
  auto g = load_graph(spec);
  CHECK(analyzer::tune(g, "e").outcome == analyzer::TuneOutcome::kNone);
  CHECK(analyzer::tune(g, "unused").outcome == analyzer::TuneOutcome::kNoEffect);
  CHECK(analyzer::tune(g, "nope").outcome == analyzer::TuneOutcome::kInvalid);
  analyzer::TuneOptions o;
  o.requirements = {"missing"};
  CHECK(analyzer::tune(g, "e", o).outcome == analyzer::TuneOutcome::kInvalid);
}

TEST_CASE("tune: opposite directions are refused", "[tune]") {
  // e is a budget of one release and (through scale) the noise of another.
  auto g = load_graph(kHeader +
                      "agent other { trust: curious }\n"
                      "param e = 1 in [1, 4]\n"
                      "compute r at clinic = laplace(d, epsilon: e)\n"
                      "compute q at clinic = laplace(d, scale: e)\n"
                      "send r to analyst\n"
                      "send q to other\n"
                      "require one: dp(d) against {analyst} <= epsilon 10\n"
                      "require two: dp(d) against {other} <= epsilon 10\n");
  auto r = analyzer::tune(g, "e");
  CHECK(r.outcome == analyzer::TuneOutcome::kNotMonotone);
}

/// Two pure-ε params: analyst sees a and b (a + b <= 1); other sees b alone (b <= 0.3).
const std::string kTwoBudgets = kHeader +
                                "agent other { trust: curious }\n"
                                "param a = 0.1 in [0.1, 2]\n"
                                "param b = 0.1 in [0.1, 2]\n"
                                "compute r at clinic = laplace(d, epsilon: a)\n"
                                "compute q at clinic = laplace(d, epsilon: b)\n"
                                "send r to analyst\n"
                                "send q to analyst\n"
                                "send q to other\n"
                                "require both: dp(d) against {analyst} <= epsilon 1\n"
                                "require one: dp(d) against {other} <= epsilon 0.3\n";

TEST_CASE("tune --all: Z3 maximises the sum of pure epsilons", "[tune]") {
  // analyst sees a and b (a + b <= 1); other sees b alone (b <= 0.3): a = 0.7, b = 0.3.
  auto g = load_graph(kTwoBudgets);
  auto r = analyzer::tune_all(g, {});
  INFO(r.message);
  REQUIRE(r.outcome == analyzer::TuneOutcome::kFound);
  REQUIRE(r.values.size() == 2);
  Rational sum = r.values[0].second + r.values[1].second;
  CHECK(sum == 1);
  for (const auto& m : r.requirements) CHECK(m.status == analyzer::Status::kHolds);
}

TEST_CASE("tune --all: a utility requirement bounds its release's epsilon from below", "[tune]") {
  // As above, with error(q) <= 11.983 at 95 %: Laplace's half-width ln(20)/b, so b must be at
  // least ln(20)/11.983 = 0.2499985 (0.25 on the 4-digit grid); the sum stays 1 (a = 0.75).
  // Without the constraint Z3's optimum a = 0.9, b = 0.1 fails it.
  auto g = load_graph(kTwoBudgets + "require accurate: error(q) <= 11.983\n");
  auto r = analyzer::tune_all(g, {});
  INFO(r.message);
  REQUIRE(r.outcome == analyzer::TuneOutcome::kFound);
  REQUIRE(r.values.size() == 2);
  const double b = r.values[1].second.get_d();
  CHECK(b >= std::log(20.0) / 11.983);
  CHECK(b <= 0.3);
  CHECK(r.values[0].second + r.values[1].second == 1);
  REQUIRE(r.requirements.size() == 3);
  for (const auto& m : r.requirements) CHECK(m.status == analyzer::Status::kHolds);
  // An error bound no value in the range meets: no answer, and the reason names it.
  auto impossible = load_graph(kHeader +
                               "param a = 0.1 in [0.1, 2]\n"
                               "compute r at clinic = laplace(d, epsilon: a)\n"
                               "send r to analyst\n"
                               "require both: dp(d) against {analyst} <= epsilon 1\n"
                               "require accurate: error(r) <= 1\n");
  auto none = analyzer::tune_all(impossible, {});
  CHECK(none.outcome == analyzer::TuneOutcome::kNone);
  CHECK(none.message.find("'accurate'") != std::string::npos);
}

TEST_CASE("tune: no analysis starts once the time budget is spent", "[tune]") {
  // A budget whose end has passed: tune must not run its probe analyses anyway, and says
  // undecided (never a value it has not verified).
  auto g = load_graph(kHeader +
                      "param e = 0.1 in [0.1, 2]\n"
                      "compute r at clinic = laplace(d, epsilon: e, times: 2)\n"
                      "send r to analyst\n"
                      "require budget: dp(d) against {analyst} <= epsilon 1\n");
  analyzer::TuneOptions o;
  o.analysis.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto r = analyzer::tune(g, "e", o);
  CHECK(r.outcome == analyzer::TuneOutcome::kUndecided);
  CHECK(r.analyses == 0);
  CHECK(r.message == "the time budget ran out after 0 analyses");
  auto all = analyzer::tune_all(g, {}, o);
  CHECK(all.outcome == analyzer::TuneOutcome::kUndecided);
  CHECK(all.analyses == 0);
  // With time to spare, the same tune is found (the budget is what stopped it).
  o.analysis.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
  CHECK(analyzer::tune(g, "e", o).outcome == analyzer::TuneOutcome::kFound);
}
