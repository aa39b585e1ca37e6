#include "inference/measures.hpp"

#include <catch2/catch.hpp>

#include "inference/dp_bounds.hpp"
#include "inference/format.hpp"
#include "test_util.hpp"

using namespace privflow::inference;
using privflow::inference::test::q;
using privflow::inference::test::qs;

namespace {

Joint prior_of(std::vector<Rational> p) {
  Joint j;
  j.domain.sizes = {p.size()};
  j.p = std::move(p);
  return j;
}

}  // namespace

TEST_CASE("binary randomized response, keep 4/5, prior 1/5", "[inference][measures]") {
  auto c = Channel::randomized_response(Domain{{2}}, 0, q("4/5"));
  auto obs = observe(prior_of(qs({"1/5", "4/5"})), *c, 0);  // value 0 = yes
  REQUIRE(obs);
  REQUIRE(obs->outputs.size() == 2);
  // P(yes | "yes") = (1/5·4/5) / (1/5·4/5 + 4/5·1/5) = 1/2 exactly.
  REQUIRE(obs->posterior(0, 0) == q("1/2"));
  REQUIRE(obs->posterior(1, 0) == q("1/17"));
  REQUIRE(obs->output_probability(0) == q("8/25"));
  auto mp = max_posterior(*obs, 0);
  REQUIRE(mp.value == q("1/2"));
  REQUIRE(mp.output == 0);
  // The best guess stays "no" after either answer: V_post = 4/25 + 16/25 = 4/5 = V_prior.
  REQUIRE(prior_vulnerability(*obs) == q("4/5"));
  REQUIRE(posterior_vulnerability(*obs) == q("4/5"));
  REQUIRE(multiplicative_leakage(*obs) == 1);
  Bits b = min_entropy_leakage(*obs);
  REQUIRE(b.exact);
  REQUIRE(b.value == 0);
  REQUIRE(format_bits(b) == "0");
}

TEST_CASE("vote and attends: learning through a correlated field", "[inference][measures]") {
  BayesNet net;
  FieldId vote = net.add_field("vote", 2, qs({"1/3", "2/3"}));
  FieldId attends = net.add_field("attends", 2, {vote}, {qs({"3/5", "2/5"}), qs({"1/4", "3/4"})});
  auto j = joint_distribution(net, {vote, attends});
  REQUIRE(j);
  auto sel = Channel::projection(j->domain, {1});  // the adversary sees attends
  auto obs = observe(*j, *sel, 0);                  // secret: vote
  REQUIRE(obs);
  REQUIRE(obs->posterior(0, 0) == q("6/11"));       // vote = a | attends = yes
  REQUIRE(obs->posterior(1, 1) == q("15/19"));      // vote = b | attends = no
  REQUIRE(posterior_vulnerability(*obs) == q("1/5") + q("1/2"));
  REQUIRE(multiplicative_leakage(*obs) == q("21/20"));
  Bits b = min_entropy_leakage(*obs);
  REQUIRE_FALSE(b.exact);
  // log2(21/20) = 0.0703893...; the bound is above it and tight.
  REQUIRE(b.value >= q("0.0703893"));
  REQUIRE(b.value <= q("0.0703894"));
  REQUIRE(format_bits(b) == "0.07039");
  // The same through the induced channel on the marginal prior.
  auto ind = induced_channel(net, vote, attends);
  auto obs2 = observe(prior_of(qs({"1/3", "2/3"})), *ind, 0);
  REQUIRE(obs2);
  REQUIRE(obs2->posterior(0, 0) == q("6/11"));
  REQUIRE(multiplicative_leakage(*obs2) == q("21/20"));
}

TEST_CASE("log2 rounds up and is exact on powers of two", "[inference][measures]") {
  struct Case {
    const char* q;
    const char* lo;
    const char* hi;
    bool exact;
  };
  for (const Case& c : std::vector<Case>{{"1", "0", "0", true},
                                         {"8", "3", "3", true},
                                         {"1/4", "-2", "-2", true},
                                         {"3", "1.5849625007", "1.5849625008", false},
                                         {"21/20", "0.0703893", "0.0703894", false}}) {
    INFO(c.q);
    Bits b = log2_up(q(c.q));
    REQUIRE(b.exact == c.exact);
    REQUIRE(b.value >= q(c.lo));
    REQUIRE(b.value <= q(c.hi));
  }
}

TEST_CASE("identity leaks everything; deterministic maps leak their classes", "[inference][measures]") {
  auto prior = prior_of(qs({"1/2", "1/4", "1/8", "1/8"}));
  auto id = Channel::projection(prior.domain, {0});
  auto obs = observe(prior, *id, 0);
  REQUIRE(obs);
  REQUIRE(posterior_vulnerability(*obs) == 1);
  REQUIRE(multiplicative_leakage(*obs) == 2);
  REQUIRE(min_entropy_leakage(*obs).value == 1);
  REQUIRE(min_entropy_leakage(*obs).exact);
  // parity: classes {0,2} and {1,3}: V_post = 1/2 + 1/4 = 3/4.
  auto parity = Channel::deterministic({0, 1, 0, 1}, 2);
  auto obs2 = observe(prior, *parity, 0);
  REQUIRE(obs2);
  REQUIRE(posterior_vulnerability(*obs2) == q("3/4"));
  REQUIRE(max_posterior(*obs2, 3).value == q("1/3"));  // 1/8 / (1/4 + 1/8)
  REQUIRE(max_posterior(*obs2, 0).value == q("4/5"));  // 1/2 / (1/2 + 1/8)
}

TEST_CASE("g-vulnerability: guess within distance d", "[inference][measures]") {
  // Secret uniform on 0..9, RR keep 1/2 (off 1/18).
  auto prior = prior_of(std::vector<Rational>(10, q("1/10")));
  auto rr = Channel::randomized_response(prior.domain, 0, q("1/2"));
  auto obs = observe(prior, *rr, 0);
  REQUIRE(obs);
  struct Case {
    std::uint64_t d;
    const char* prior_v;
    const char* post_v;
  };
  // Prior: a window of 2d+1 values, capped at 10. Posterior after y: window around y
  // holds 1/2 + 2d·1/18 of the posterior mass, summed over y with P(y) = 1/10.
  for (const Case& c : std::vector<Case>{{0, "1/10", "1/2"}, {1, "3/10", "11/18"}, {2, "1/2", "13/18"}, {9, "1", "1"}}) {
    INFO(c.d);
    REQUIRE(prior_vulnerability_within(*obs, c.d) == q(c.prior_v));
    REQUIRE(posterior_vulnerability_within(*obs, c.d) == q(c.post_v));
    GainFunction g{10, [d = c.d](std::uint64_t w, std::uint64_t s) {
                     return Rational((w > s ? w - s : s - w) <= d ? 1 : 0);
                   }};
    REQUIRE(prior_g_vulnerability(*obs, g) == q(c.prior_v));
    REQUIRE(posterior_g_vulnerability(*obs, g) == q(c.post_v));
  }
}

TEST_CASE("Bayes capacity matches published QIF values", "[inference][measures]") {
  // k-ary RR at keep p: capacity Σ_y max_x C = k·p (when p >= off).
  for (std::uint64_t k : {2ULL, 3ULL, 10ULL, 100ULL}) {
    INFO(k);
    auto rr = Channel::randomized_response(Domain{{k}}, 0, q("3/4"));
    auto cap = bayes_capacity(*rr);
    REQUIRE(cap);
    REQUIRE(*cap == privflow::make_rational(3 * static_cast<long>(k), 4));
  }
  // At ε = 1: binary 2e/(1+e), k = 10: 10e/(e+9) (keep = e^ε/(e^ε+k−1)). Exact capacity of a
  // channel built from keep rounded up brackets the closed form, itself rounded up.
  const double e = 2.718281828459045;
  REQUIRE(privflow::to_double_up(rr_capacity_up(q("1"), 2)) == Approx(2 * e / (1 + e)).epsilon(1e-15));
  REQUIRE(privflow::to_double_up(rr_capacity_up(q("1"), 10)) == Approx(10 * e / (e + 9)).epsilon(1e-15));
  REQUIRE(rr_capacity_up(q("1"), 2) >= q("1.462117157260009"));
  REQUIRE(rr_capacity_up(q("1"), 2) <= q("1.462117157260010"));
  for (std::uint64_t k : {2ULL, 10ULL}) {
    Rational t = exp_up(q("1"));
    Rational keep = t / (t + static_cast<unsigned long>(k - 1));
    keep.canonicalize();
    auto rr = Channel::randomized_response(Domain{{k}}, 0, keep);
    REQUIRE(*bayes_capacity(*rr) <= rr_capacity_up(q("1"), k));
  }
  // Identity: capacity = number of inputs; constant channel: 1.
  REQUIRE(*bayes_capacity(*Channel::projection(Domain{{7}}, {0})) == 7);
  REQUIRE(*bayes_capacity(*Channel::deterministic({0, 0, 0}, 1)) == 1);
}

TEST_CASE("local-DP epsilon of an exact channel", "[inference][measures]") {
  auto rr = Channel::randomized_response(Domain{{2}}, 0, q("3/4"));
  auto eps = channel_epsilon_up(*rr);
  REQUIRE(eps);
  REQUIRE(eps->has_value());
  // ln 3 = 1.0986122886681098
  REQUIRE(**eps >= q("1.09861228866810969"));
  REQUIRE(**eps <= q("1.09861228866810970"));
  auto id = channel_epsilon_up(*Channel::projection(Domain{{2}}, {0}));
  REQUIRE(id);
  REQUIRE_FALSE(id->has_value());  // infinite
  auto constant = channel_epsilon_up(*Channel::deterministic({0, 0}, 1));
  REQUIRE(**constant == 0);
}

TEST_CASE("observe refuses mismatches and limits", "[inference][measures]") {
  auto rr = Channel::randomized_response(Domain{{3}}, 0, q("1/2"));
  REQUIRE(observe(prior_of(qs({"1/2", "1/2"})), *rr, 0).error() == "the channel reads 3 inputs but the prior has 2");
  REQUIRE_FALSE(observe(prior_of(qs({"1/2", "1/4", "1/4"})), *rr, 1));
  auto small = observe(prior_of(qs({"1/2", "1/4", "1/4"})), *rr, 0, 5);
  REQUIRE_FALSE(small);
  auto unnormalised = observe(prior_of(qs({"1/2", "1/4", "1/8"})), *rr, 0);
  REQUIRE(unnormalised.error() == "the prior does not sum to 1");
}

TEST_CASE("printing probabilities", "[inference][format]") {
  struct Case {
    const char* q;
    const char* text;
  };
  for (const Case& c : std::vector<Case>{{"1/4", "0.25"}, {"1/3", "1/3"}, {"6/11", "6/11"}, {"1", "1"},
                                         {"12345/678901", "0.01819"}, {"0", "0"}}) {
    INFO(c.q);
    REQUIRE(format_probability(q(c.q)) == c.text);
  }
}

TEST_CASE("observe_fields: seeing some fields of a record in the clear", "[inference][measures]") {
  BayesNet net;
  FieldId vote = net.add_field("vote", 2, qs({"1/3", "2/3"}));
  FieldId attends = net.add_field("attends", 2, {vote}, {qs({"3/5", "2/5"}), qs({"1/4", "3/4"})});
  FieldId age = net.add_field("age", 3);  // independent of vote
  auto obs = observe_fields(net, vote, {attends});
  REQUIRE(obs);
  REQUIRE(obs->posterior(0, 0) == q("6/11"));
  REQUIRE(multiplicative_leakage(*obs) == q("21/20"));
  // An independent field teaches nothing.
  auto none = observe_fields(net, vote, {age});
  REQUIRE(none);
  REQUIRE(min_entropy_leakage(*none).value == 0);
  REQUIRE(max_posterior(*none, 0).value == q("1/3"));
  // Linked with age, attends teaches the same; seeing vote itself teaches everything.
  auto both = observe_fields(net, vote, {age, attends});
  REQUIRE(both);
  REQUIRE(posterior_vulnerability(*both) == q("7/10"));
  auto self = observe_fields(net, vote, {attends, vote});
  REQUIRE(self);
  REQUIRE(posterior_vulnerability(*self) == 1);
  REQUIRE(max_posterior(*self, 0).value == 1);
  REQUIRE(min_entropy_leakage(*self).value >= q("0.5849625007"));  // log2(3/2)
}
