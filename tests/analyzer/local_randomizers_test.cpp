// The local randomizers in specs (rappor, unary_encoding, local_hashing, hadamard_response,
// count_mean_sketch), each figure against a hand or Python-fractions computation
// (tests/dp/data/local_randomizers_reference.json and .py) or a brute force over every output
// of the mechanism (tests/analyzer/data/local_channels_reference.json and .py).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "lang/frontend.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

const analyzer::Verdict& verdict(const analyzer::Analysis& a, const std::string& name) {
  for (const auto& v : a.verdicts)
    if (v.name == name) return v;
  FAIL("no verdict " << name);
  return a.verdicts.front();
}

// The tryout's survey (docs/language.md's first spec) with RAPPOR at the parameters of the
// paper's Chrome collections: f 1/2, p 1/2, q 3/4, h 2.
std::string survey(const std::string& mechanism) {
  return "data answers { rows: 1000 field drug_use: {never, past, current} prior {7/10, 1/5, 1/10} }\n"
         "agent respondent[1000] { trust: honest, holds: answers by partition }\n"
         "agent pollster { trust: curious }\n"
         "compute reply at respondent = " + mechanism + "\n"
         "send reply to pollster via encrypted\n"
         "require post: posterior(answers.drug_use = current) against {pollster} <= 1/4\n"
         "require budget: dp(answers) against {pollster} <= epsilon 1000 at delta 0\n";
}

/// A field `x` of the JSON case's prior (values v0, v1, …) seen by the pollster through one
/// report of `kind` with the case's epsilon; posterior of the target value and leakage.
std::string channel_case(const nlohmann::json& c) {
  std::string values, prior;
  for (std::size_t i = 0; i < c["prior"].size(); ++i) {
    values += (i ? ", v" : "v") + std::to_string(i);
    prior += (i ? ", " : "") + c["prior"][i].get<std::string>();
  }
  return "data answers { rows: 1000 field x: {" + values + "} prior {" + prior + "} }\n"
         "agent respondent[1000] { trust: honest, holds: answers by partition }\n"
         "agent pollster { trust: curious }\n"
         "compute reply at respondent = " + c["kind"].get<std::string>() + "(answers.x, epsilon: " +
         std::to_string(c["epsilon"].get<int>()) + ")\n"
         "send reply to pollster via encrypted\n"
         "require post: posterior(answers.x = v" + std::to_string(c["target"].get<int>()) +
         ") against {pollster} <= 1/2\n"
         "require leak: leakage(answers.x) against {pollster} <= 1 bits\n";
}

}  // namespace

TEST_CASE("rappor: one report is an exact channel, a year of reports is capped by the permanent response",
          "[analyzer][ldp]") {
  // One report: q* = 11/16, p* = 9/16; the worst output's ratio (77/45)² against each other
  // value, posterior 5929/24154 ≈ 0.2455 (the reference script enumerates all 2^6 outputs).
  const auto one = analyzer::analyze(
      test::load_spec_text("t.pflow", survey("rappor(answers.drug_use, f: 1/2, p: 1/2, q: 3/4, hashes: 2)")));
  const auto& post = verdict(one, "post");
  REQUIRE(post.value);
  CHECK(post.exact);
  CHECK(*post.value == Approx(5929.0 / 24154).epsilon(1e-12));
  CHECK(*post.value >= 5929.0 / 24154);
  CHECK(post.status == analyzer::Status::kHolds);
  // ε₁ = 2 ln(77/45) = 1.074285864166728 (mpmath).
  REQUIRE(verdict(one, "budget").value);
  CHECK(*verdict(one, "budget").value >= 1.074285864166728);
  CHECK(*verdict(one, "budget").value <= 1.074285864166728 * 1.01);

  // 365 daily reports of the same value are post-processing of the permanent response: its
  // channel bounds the posterior, 9/10 (ratio ((1 − f/2)/(f/2))^4 = 81 on prior 1/10), and ε
  // is ε∞ = 4 ln 3 = 4.394449154672439, not 365 ε₁ ≈ 392.
  const auto year = analyzer::analyze(test::load_spec_text(
      "t.pflow", survey("rappor(answers.drug_use, f: 1/2, p: 1/2, q: 3/4, hashes: 2, times: 365)")));
  REQUIRE(verdict(year, "post").value);
  CHECK(*verdict(year, "post").value == Approx(0.9).epsilon(1e-12));
  CHECK(*verdict(year, "post").value >= 0.9);
  REQUIRE(verdict(year, "budget").value);
  CHECK(*verdict(year, "budget").value >= 4.394449154672439);
  CHECK(*verdict(year, "budget").value <= 4.394449154672439 * 1.01);
}

TEST_CASE("unary encoding with p and q is an exact channel; repeated reports of the others are their epsilon",
          "[analyzer][ldp]") {
  // p 1/4, q 3/4 on three values: the worst output (only "current" reads 1) has the ratio
  // (3/4 · 3/4)/(1/4 · 1/4) = 9 against each other value: posterior (9/10)/(9/10 + 9/10) = 1/2.
  const auto ue = analyzer::analyze(
      test::load_spec_text("t.pflow", survey("unary_encoding(answers.drug_use, p: 1/4, q: 3/4)")));
  REQUIRE(verdict(ue, "post").value);
  CHECK(verdict(ue, "post").exact);
  CHECK(*verdict(ue, "post").value == Approx(0.5).epsilon(1e-12));
  CHECK(*verdict(ue, "budget").value >= std::log(9.0));
  CHECK(*verdict(ue, "budget").value <= std::log(9.0) * 1.01);
  // ε 1 for the others: posterior at most e/(e + 9), ε 2 over two reports.
  for (const char* kind : {"unary_encoding", "local_hashing", "hadamard_response", "count_mean_sketch"}) {
    INFO(kind);
    const auto a = analyzer::analyze(
        test::load_spec_text("t.pflow", survey(std::string(kind) + "(answers.drug_use, epsilon: 1, times: 2)")));
    REQUIRE(verdict(a, "budget").value);
    CHECK(*verdict(a, "budget").value >= 2);
    CHECK(*verdict(a, "budget").value <= 2.02);
    REQUIRE(verdict(a, "post").value);
    const double bound = std::exp(2.0) / (std::exp(2.0) + 9);
    CHECK(*verdict(a, "post").value >= bound * (1 - 1e-12));
    CHECK(*verdict(a, "post").value <= bound * 1.01);
  }
}

TEST_CASE("local hashing, Hadamard response, the count-mean sketch and OUE: exact channels against a brute force",
          "[analyzer][ldp]") {
  std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/analyzer/data/local_channels_reference.json");
  REQUIRE(in);
  const auto reference = nlohmann::json::parse(in);
  REQUIRE(reference["cases"].size() >= 30);
  // The sketch's collision argument: no map of the values into buckets has a larger Bayes
  // vulnerability than distinct buckets, for any sub-prior (though it is no garbling of it).
  CHECK(reference["checks"]["cms_vulnerability_ratio"].get<double>() <= 1 + 1e-12);
  CHECK_FALSE(reference["checks"]["cms_garbling"]["1"].get<bool>());
  for (const auto& [name, c] : reference["cases"].items()) {
    INFO(name);
    const auto a = analyzer::analyze(test::load_spec_text("t.pflow", channel_case(c)));
    const auto& post = verdict(a, "post");
    const auto& leak = verdict(a, "leak");
    REQUIRE(post.value);
    REQUIRE(leak.value);
    if (c.contains("wide")) {
      // local_hashing on more values than g: the posterior's ε bound (the worst hash reaches
      // it), the leakage's Bayes capacity of every hash: never below the worst single hash,
      // below ε's bound, equal to the worst hash's on a uniform prior (its capacity).
      CHECK(*post.value >= c["posterior"].get<double>());
      CHECK(*post.value <= c["posterior"].get<double>() * (1 + 1e-9));
      CHECK(*leak.value >= c["leakage"].get<double>());
      CHECK(*leak.value < c["epsilon_leakage_bound"].get<double>());
      if (name == "local_hashing_wide5_eps1") CHECK(*leak.value <= c["leakage"].get<double>() * (1 + 1e-3));
      continue;
    }
    // e^ε is rounded up: an upper bound (not exact), within far less than 1 % of the truth.
    CHECK_FALSE(post.exact);
    const double p = c["posterior"], l = c["leakage"];
    CHECK(*post.value >= p);
    CHECK(*post.value <= p * (1 + 1e-9));
    CHECK(*leak.value >= l - 1e-12);
    CHECK(*leak.value <= l * (1 + 1e-3) + 1e-9);  // bits are printed rounded up at 4 digits
    // Never above the ε bound it replaces (the posterior reaches it where one output names the
    // target alone; the leakage is below ε·log2 e).
    CHECK(*post.value <= c["epsilon_posterior_bound"].get<double>() * (1 + 1e-9));
    CHECK(*leak.value <= c["epsilon_leakage_bound"].get<double>());
    if (c.contains("random_hash_leakage")) CHECK(c["random_hash_leakage"].get<double>() <= l + 1e-12);
    if (c.contains("collide_leakage")) CHECK(c["collide_leakage"].get<double>() <= l + 1e-12);
  }
}

TEST_CASE("local hashing on more values than its range: its leakage is the Bayes capacity of every hash",
          "[analyzer][ldp]") {
  // ε 1: g = 4 < 5 values; no single channel bounds every hash, but every hash's capacity is at
  // most g·e/(e + 3) (log2: 0.92711 bits, the worst hash on a uniform prior by brute force in
  // local_channels_reference.json), below ε's 1.4427 bits; 3 reports: 3 times that, capped at
  // log2 5, where ε's 3 · 1.4427 would be capped too.
  const std::string spec =
      "data answers { rows: 1000 field x: {a, b, c, d, e} }\n"
      "agent respondent[1000] { trust: honest, holds: answers by partition }\n"
      "agent pollster { trust: curious }\n"
      "compute reply at respondent = local_hashing(answers.x, epsilon: 1)\n"
      "send reply to pollster via encrypted\n"
      "require leak: leakage(answers.x) against {pollster} <= 1 bits\n";
  const auto a = analyzer::analyze(test::load_spec_text("t.pflow", spec));
  REQUIRE(verdict(a, "leak").value);
  const double capacity = std::log2(4 * std::exp(1.0) / (std::exp(1.0) + 3));
  CHECK(*verdict(a, "leak").value >= capacity);
  CHECK(*verdict(a, "leak").value <= capacity * (1 + 1e-3));
  CHECK(verdict(a, "leak").status == analyzer::Status::kHolds);
  // With another release of ε 1/2 on the field: capacity + that ε's bits, the smaller route.
  const std::string two = spec + "compute other at respondent = randomized_response(answers.x, epsilon: 1/2)\n"
                                 "send other to pollster via encrypted\n";
  const auto b = analyzer::analyze(test::load_spec_text("t.pflow", two));
  REQUIRE(verdict(b, "leak").value);
  CHECK(*verdict(b, "leak").value >= capacity);
  CHECK(*verdict(b, "leak").value <= 1.5 / std::log(2.0) + 1e-3);
}
