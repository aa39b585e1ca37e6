#include "inference/dp_bounds.hpp"

#include <catch2/catch.hpp>

#include "test_util.hpp"

using namespace privflow::inference;
using privflow::inference::test::q;

TEST_CASE("posterior bound from a privacy loss, rounded up", "[inference][dp]") {
  struct Case {
    const char* prior;
    const char* epsilon;
    const char* lo;  // true value (mpmath, 40 digits), truncated
    const char* hi;  // lo + 1e-30
  };
  for (const Case& c : std::vector<Case>{
           {"1/5", "1", "0.404609675191689664821079432447", "0.404609675191689664821079432448"},
           {"1/5", "0", "0.2", "0.2"},
           {"0", "5", "0", "0"},
           {"1", "5", "1", "1"},
       }) {
    INFO(c.prior << " " << c.epsilon);
    Rational b = posterior_bound_up(q(c.prior), q(c.epsilon));
    REQUIRE(b >= q(c.lo));
    REQUIRE(b <= q(c.hi));
  }
  // Odds times e^ε: the exact posterior 1/2 after a release of ln 3 (rounded up) is at most 3/4.
  Rational ln3_up = q("1.0986122886681098");  // > ln 3
  Rational b = combine_with_release_up(q("1/2"), ln3_up);
  REQUIRE(b >= q("3/4"));
  REQUIRE(b <= q("0.7500000000000001"));
  // Monotone in the prior and in ε; never below the prior.
  Rational last = 0;
  for (const char* p : {"0.001", "0.01", "0.1", "0.5", "0.9", "0.999"}) {
    Rational v = posterior_bound_up(q(p), q("0.5"));
    REQUIRE(v >= q(p));
    REQUIRE(v > last);
    REQUIRE(v <= 1);
    last = v;
  }
  REQUIRE(posterior_bound_up(q("1/3"), q("2")) > posterior_bound_up(q("1/3"), q("1")));
}

TEST_CASE("membership advantage bound", "[inference][dp]") {
  REQUIRE(advantage_bound_up(q("0"), q("0")) == 0);
  Rational a = advantage_bound_up(q("1"), q("0"));
  REQUIRE(a >= q("0.462117157260009758502318483643"));
  REQUIRE(a <= q("0.462117157260009758502318483644"));
  Rational ad = advantage_bound_up(q("1"), q("1e-5"));
  REQUIRE(ad >= q("0.462122536088437158404733460458"));
  REQUIRE(ad <= q("0.462122536088437158404733460459"));
  REQUIRE(advantage_bound_up(q("1"), q("1")) == 1);
  // The profile's best point wins.
  std::vector<std::pair<Rational, Rational>> profile{{q("3"), q("0")}, {q("1"), q("1e-5")}, {q("0.5"), q("0.4")}};
  REQUIRE(advantage_bound_up(profile) == ad);
  REQUIRE(advantage_bound_up(std::vector<std::pair<Rational, Rational>>{}) == 1);
}

TEST_CASE("leakage bound eps·log2(e) capped by log2(k)", "[inference][dp]") {
  Bits capped = leakage_bound_up(q("1"), 2);
  REQUIRE(capped.exact);
  REQUIRE(capped.value == 1);
  Bits b = leakage_bound_up(q("1/2"), 4);
  REQUIRE_FALSE(b.exact);
  REQUIRE(b.value >= q("0.721347520444481703679962340500"));
  REQUIRE(b.value <= q("0.721347520444481703679962340501"));
  Bits zero = leakage_bound_up(q("0"), 4);
  REQUIRE(zero.value == 0);
  REQUIRE(zero.exact);
  Bits three = leakage_bound_up(q("100"), 3);  // log2 3, rounded up
  REQUIRE(three.value >= q("1.584962500721156"));
  REQUIRE(three.value <= q("1.584962500721157"));
}

TEST_CASE("e^eps brackets", "[inference][dp]") {
  REQUIRE(exp_down(q("1")) < exp_up(q("1")));
  REQUIRE(exp_down(q("1")) >= q("2.718281828459045235360287471352"));
  REQUIRE(exp_up(q("1")) <= q("2.718281828459045235360287471353"));
  REQUIRE(exp_up(q("0")) == 1);
}

TEST_CASE("exact leakage combined with releases", "[inference][dp]") {
  // 1 exact bit + ε = ln 2 (rounded up) ≈ 1 bit more, capped by log2 8 = 3.
  Bits exact{q("1"), true};
  Bits b = combine_leakage_up(exact, q("0.6931471805599454"), 8);  // > ln 2
  REQUIRE_FALSE(b.exact);
  REQUIRE(b.value >= 2);
  REQUIRE(b.value <= q("2.0000000000000002"));
  Bits capped = combine_leakage_up(exact, q("5"), 8);
  REQUIRE(capped.exact);
  REQUIRE(capped.value == 3);
  Bits none = combine_leakage_up(exact, q("0"), 8);
  REQUIRE(none.value == 1);
  REQUIRE(none.exact);
}

TEST_CASE("keep interval of randomized response given by epsilon", "[inference][dp]") {
  struct Case {
    const char* epsilon;
    std::uint64_t k;
    const char* keep;  // mpmath, 30 digits
  };
  for (const Case& c : std::vector<Case>{{"1", 2, "0.731058578630004879251159241821"},
                                         {"1", 10, "0.231969316684073936388234960611"},
                                         {"0.1", 1000, "0.00110505469845848693779234379425"}}) {
    INFO(c.epsilon << " " << c.k);
    auto [lo, hi] = rr_keep_interval(q(c.epsilon), c.k);
    REQUIRE(lo <= q(c.keep));
    REQUIRE(hi >= q(c.keep));
    REQUIRE(hi - lo <= q(c.keep) * q("1e-11"));
  }
  auto one = rr_keep_interval(q("3"), 1);
  REQUIRE(one.first == 1);
  REQUIRE(one.second == 1);
}
