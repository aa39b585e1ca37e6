// `privflow account gossip|token-walk`, in process: text, JSON and exit 2 naming the bad option.
// Reference values: the "cli" cases of tests/dp/data/network_reference.json (the views built
// explicitly and solved in rational arithmetic, the token walk's worst start by brute force over
// every start; ε of μ-GDP in mpmath: tests/dp/data/scripts/network_ref.py).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/account.hpp"

namespace {
constexpr auto& run = privflow::test::run_account;
constexpr auto& run_json = privflow::test::run_account_json;

const nlohmann::json& cases() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/network_reference.json");
    REQUIRE(in.good());
    return nlohmann::json::parse(in)["cli"];
  }();
  return j;
}

double number(const nlohmann::json& text) { return std::stod(text.get<std::string>()); }

void check_tight(double value, double reference_value) {
  CHECK(value >= reference_value * (1 - 1e-15));
  CHECK(value <= reference_value * 1.001);
}

std::string members(const nlohmann::json& list) {
  std::string out;
  for (const auto& m : list) out.append(out.empty() ? "" : ",").append(std::to_string(m.get<int>()));
  return out;
}
}  // namespace

TEST_CASE("account token-walk and gossip: against the explicit views", "[cli][account][network]") {
  REQUIRE(cases().size() == 4);
  for (const auto& c : cases()) {
    INFO(c.dump());
    nlohmann::json j;
    if (c["command"] == "token-walk") {
      j = run_json({"token-walk", "--topology", "ring", "--agents", "50", "--steps", "101", "--sigma", "2", "--delta",
                    "1e-5", "--coalition", members(c["coalition"])});
      CHECK(j["target_visits"] == 3);
    } else {
      j = run_json({"gossip", "--topology", "torus", "--agents", "64", "--rows", "8", "--columns", "8", "--rounds", "8",
                    "--sigma", "2", "--delta", "1e-5", "--coalition", "0", "--target", "27"});
    }
    check_tight(j["mu"].get<double>(), number(c["mu"]));
    check_tight(j["epsilon"].get<double>(), number(c["epsilon"]));
  }
}

TEST_CASE("account token-walk: the worst placement and several runs", "[cli][account][network]") {
  // one colluder: the worst is right after the target (the "cli" case with coalition [1]); two: both sides
  const auto one = run_json({"token-walk", "--topology", "ring", "--agents", "50", "--steps", "101", "--sigma", "2",
                             "--delta", "1e-5", "--colluders", "1"});
  check_tight(one["mu"].get<double>(), number(cases()[1]["mu"]));
  const auto two = run_json({"token-walk", "--topology", "ring", "--agents", "50", "--steps", "101", "--sigma", "2",
                             "--delta", "1e-5", "--colluders", "2"});
  check_tight(two["mu"].get<double>(), number(cases()[2]["mu"]));
  // 4 independent runs: μ doubles
  const auto runs = run_json({"token-walk", "--topology", "ring", "--agents", "50", "--steps", "101", "--sigma", "2",
                              "--delta", "1e-5", "--colluders", "2", "--times", "4"});
  check_tight(runs["mu"].get<double>(), 2 * number(cases()[2]["mu"]));
  // a random walk on the complete graph spends the tail δ on the visits' bound
  const auto walk = run_json({"token-walk", "--topology", "complete", "--agents", "1000", "--steps", "10000", "--sigma",
                              "4", "--delta", "1e-5", "--colluders", "3"});
  CHECK(walk["delta_tail"].get<double>() == 1e-6);
  CHECK(walk["target_visits"].get<int>() >= 10);
  const auto text = run({"token-walk", "--topology", "ring", "--agents", "50", "--steps", "101", "--sigma", "2",
                         "--delta", "1e-5", "--colluders", "1"});
  CHECK(text.code == 0);
  CHECK(text.out.find("epsilon = 2.03813") != std::string::npos);
  CHECK(text.out.find("worst placement") != std::string::npos);
}

TEST_CASE("account token-walk and gossip --distance: the spec's search at a distance", "[cli][account][network]") {
  // tests/dp/data/ring_walk_reference.json (brute force over starts and placements): a ring of
  // 12, 25 visits, 2 colluders 3 hops or more from the target; σ = 2 halves μ
  std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/ring_walk_reference.json");
  REQUIRE(in.good());
  const nlohmann::json reference = nlohmann::json::parse(in);
  double exact = 0;
  for (const auto& c : reference["walk"])
    if (c["agents"] == 12 && c["steps"] == 25 && c["members"] == 2 && c["distance"] == 3) exact = number(c["mu"]) / 2;
  REQUIRE(exact > 0);
  const auto walk = run_json({"token-walk", "--topology", "ring", "--agents", "12", "--steps", "25", "--sigma", "2",
                              "--delta", "1e-5", "--colluders", "2", "--distance", "3"});
  CHECK(walk["mu"].get<double>() >= exact);
  CHECK(walk["mu"].get<double>() <= exact * (1 + 1e-12));
  // gossip on a random regular graph: every target tried; nothing reaches colluders beyond the
  // rounds (μ = 0), local DP within them (tests/dp/network_distance_test.cpp, numpy brute force)
  auto gossip = [](const char* rounds) {
    return run_json({"gossip", "--topology", "random-regular", "--agents", "60", "--degree", "3", "--seed", "5",
                     "--rounds", rounds, "--sigma", "2", "--delta", "1e-5", "--colluders", "2", "--distance", "3"});
  };
  CHECK(gossip("2")["mu"].get<double>() <= 1e-6);
  CHECK(gossip("3")["mu"].get<double>() >= 0.5 - 1e-9);
  CHECK(gossip("3")["mu"].get<double>() <= 0.5 + 1e-6);
  const auto bad = run({"gossip", "--topology", "ring", "--agents", "10", "--sigma", "1", "--delta", "1e-5", "--rounds",
                        "3", "--coalition", "4", "--distance", "3"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--distance goes with --colluders") != std::string::npos);
  const auto far = run({"gossip", "--topology", "ring", "--agents", "10", "--sigma", "1", "--delta", "1e-5", "--rounds",
                        "3", "--colluders", "1", "--distance", "6"});
  CHECK(far.code == 2);
  CHECK(far.err.find("no member is 6 hops or more") != std::string::npos);
}

TEST_CASE("account gossip: a neighbour of the target sees local DP", "[cli][account][network]") {
  const auto j = run_json({"gossip", "--topology", "ring", "--agents", "1000000", "--rounds", "30", "--sigma", "2",
                           "--delta", "1e-5", "--colluders", "1"});
  CHECK(j["mu"].get<double>() == 0.5);
}

TEST_CASE("account gossip and token-walk: bad input names the option", "[cli][account][network]") {
  const std::vector<std::string> base{"--agents", "10", "--sigma", "1", "--delta", "1e-5", "--rounds", "3"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"gossip"};
    args.insert(args.end(), base.begin(), base.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Bad> bad{
      {{"--topology", "hypercube", "--colluders", "1"}, "--topology must be ring"},
      {{"--topology", "torus", "--rows", "3", "--columns", "4", "--colluders", "1"}, "torus(3, 4) has 12 members"},
      {{"--topology", "torus", "--colluders", "1"}, "needs --rows and --columns"},
      {{"--topology", "random-regular", "--degree", "10", "--colluders", "1"}, "needs 1 <= d < 10"},
      {{"--topology", "ring", "--coalition", "0"}, "the target 0 is honest"},
      {{"--topology", "ring", "--coalition", "12"}, "member 12 is beyond 9"},
      {{"--topology", "ring"}, "exactly one of --coalition and --colluders"},
      {{"--topology", "ring", "--colluders", "1", "--target", "10"}, "--target must be below --agents"},
      {{"--topology", "ring", "--colluders", "1", "--clip", "0"}, "--clip must be > 0"},
  };
  for (const auto& b : bad) {
    const auto r = with(b.args);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(b.message) != std::string::npos);
  }
  const auto r = run({"token-walk", "--topology", "ring", "--agents", "10", "--sigma", "0", "--delta", "1e-5",
                      "--steps", "5", "--colluders", "1"});
  CHECK(r.code == 2);
  CHECK(r.err.find("--sigma must be > 0") != std::string::npos);
}
