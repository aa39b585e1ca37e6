// `privflow account dpsgd --neighbouring replace | --sampling fixed-size`, in-process. The
// reference values are dp_accounting 0.6.0's (tests/dp/data/replace_one_reference.json).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"

namespace {
struct Outcome {
  int code;
  std::string out, err;
};
Outcome account(std::vector<std::string> args) {
  args.insert(args.begin(), "account");
  std::istringstream in;
  std::ostringstream out, err;
  const int code = privflow::cli::run(args, {in, out, err, false});
  return {code, out.str(), err.str()};
}
const std::vector<std::string> kIssueCase{"dpsgd", "--noise-multiplier", "1.1", "--sampling-rate", "0.01",
                                          "--steps", "10000", "--delta", "1e-5"};
}  // namespace

TEST_CASE("account dpsgd --neighbouring replace: the substitution PLD, text and JSON", "[cli][account][replace]") {
  auto args = kIssueCase;
  args.insert(args.end(), {"--neighbouring", "replace"});
  const Outcome text = account(args);
  INFO(text.err);
  REQUIRE(text.code == 0);
  CHECK(text.out.rfind("epsilon = 9.42", 0) == 0);  // dp_accounting REPLACE_ONE: 9.42232 (grid 1e-4)

  args.push_back("--json");
  const Outcome json = account(args);
  REQUIRE(json.code == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(double(j["epsilon"]) >= 8.922304409146218);         // dp_accounting's optimistic estimate
  CHECK(double(j["epsilon"]) <= 9.42232280154199 * 1.02);   // and its pessimistic one
  CHECK(j["neighbouring"] == "replace");
  CHECK(j["sampling"] == "poisson");

  // The default stays add/remove (5.19 for the same case).
  const Outcome add_remove = account(kIssueCase);
  REQUIRE(add_remove.code == 0);
  CHECK(add_remove.out.rfind("epsilon = 5.19", 0) == 0);
}

TEST_CASE("account dpsgd --sampling fixed-size, and calibration under replace", "[cli][account][replace]") {
  auto args = std::vector<std::string>{"dpsgd", "--noise-multiplier", "2", "--sampling-rate", "50/1000", "--steps",
                                       "2000", "--delta", "1e-5", "--sampling", "fixed-size", "--json"};
  const Outcome fixed = account(args);
  INFO(fixed.err);
  REQUIRE(fixed.code == 0);
  const auto j = nlohmann::json::parse(fixed.out);
  CHECK(double(j["epsilon"]) >= 16.368468315354846);  // the worst-case dataset's epsilon (a lower bound)
  CHECK(j["sampling"] == "fixed-size");

  // Calibrating under replace meets the target under replace.
  const Outcome calibrated = account({"dpsgd", "--epsilon", "9.5", "--sampling-rate", "0.01", "--steps", "10000",
                                      "--delta", "1e-5", "--neighbouring", "replace", "--json"});
  REQUIRE(calibrated.code == 0);
  const auto c = nlohmann::json::parse(calibrated.out);
  CHECK(double(c["epsilon"]) <= 9.5);
  CHECK(double(c["noise_multiplier"]) == Approx(1.1).epsilon(0.02));  // 1.1 gives 9.42

  CHECK(account({"dpsgd", "--noise-multiplier", "1", "--sampling-rate", "0.1", "--steps", "10", "--delta", "1e-5",
                 "--neighbouring", "swap"}).code == 2);
  CHECK(account({"dpsgd", "--noise-multiplier", "1", "--sampling-rate", "0.1", "--steps", "10", "--delta", "1e-5",
                 "--sampling", "shuffle"}).code == 2);
}
