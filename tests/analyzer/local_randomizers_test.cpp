// The local randomizers in specs (rappor, unary_encoding, local_hashing, hadamard_response,
// count_mean_sketch), each figure against a hand or Python-fractions computation
// (tests/dp/data/local_randomizers_reference.json and .py).
#include <catch2/catch.hpp>

#include <cmath>
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

TEST_CASE("unary encoding with p and q is an exact channel; the others are their epsilon", "[analyzer][ldp]") {
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
