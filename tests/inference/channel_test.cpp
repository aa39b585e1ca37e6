#include "inference/channel.hpp"
#include "inference/measures.hpp"

#include <catch2/catch.hpp>

#include "test_util.hpp"

using namespace privflow::inference;
using privflow::inference::test::q;
using privflow::inference::test::qs;

TEST_CASE("randomized response rows are exact", "[inference][channel]") {
  struct Row {
    std::uint64_t k;
    const char* keep;
    const char* off;
  };
  for (const Row& r : std::vector<Row>{{2, "4/5", "1/5"}, {3, "1/2", "1/4"}, {10, "1/10", "1/10"}, {4, "1", "0"}}) {
    INFO(r.k << " " << r.keep);
    auto c = Channel::randomized_response(Domain{{r.k}}, 0, q(r.keep));
    REQUIRE(c);
    REQUIRE(c->outputs() == r.k);
    for (std::uint64_t x = 0; x < r.k; ++x)
      for (std::uint64_t y = 0; y < r.k; ++y) REQUIRE(c->entry(x, y) == (x == y ? q(r.keep) : q(r.off)));
    REQUIRE(c->is_deterministic() == (q(r.off) == 0));
  }
  REQUIRE_FALSE(Channel::randomized_response(Domain{{2}}, 0, q("3/2")));
  REQUIRE(Channel::randomized_response(Domain{{2}}, 0, q("3/2")).error() == "keep probability 3/2 is outside [0, 1]");
}

TEST_CASE("randomized response on one field of a tuple", "[inference][channel]") {
  // Domain (a: 2, b: 3); RR on b with keep 1/2 (off 1/4).
  auto c = Channel::randomized_response(Domain{{2, 3}}, 1, q("1/2"));
  REQUIRE(c);
  REQUIRE(c->inputs() == 6);
  REQUIRE(c->entry(Domain{{2, 3}}.index_of({1, 2}), 2) == q("1/2"));
  REQUIRE(c->entry(Domain{{2, 3}}.index_of({1, 2}), 0) == q("1/4"));
}

TEST_CASE("projection is a sparse identity on the selected fields", "[inference][channel]") {
  Domain d{{10000, 3, 7}};
  auto c = Channel::projection(d, {2, 0});
  REQUIRE(c);
  REQUIRE(c->outputs() == 70000);
  REQUIRE(c->is_deterministic());
  auto row = c->row_rational(d.index_of({1234, 2, 5}));
  REQUIRE(row.size() == 1);
  REQUIRE(row[0].first == 5 * 10000 + 1234);
  REQUIRE(row[0].second == 1);
  REQUIRE_FALSE(Channel::projection(d, {3}));
}

TEST_CASE("parallel composition multiplies rows over output tuples", "[inference][channel]") {
  Domain d{{2}};
  auto rr = Channel::randomized_response(d, 0, q("3/4"));
  auto id = Channel::projection(d, {0});
  auto both = Channel::parallel({*rr, *id});
  REQUIRE(both);
  REQUIRE(both->outputs() == 4);
  REQUIRE(both->output_radix() == std::vector<std::uint64_t>{2, 2});
  // Input 1: rr says 1 (3/4) or 0 (1/4); id says 1. Output (rr, id) = rr*2 + id.
  REQUIRE(both->entry(1, 3) == q("3/4"));
  REQUIRE(both->entry(1, 1) == q("1/4"));
  REQUIRE(both->entry(1, 0) == 0);
  REQUIRE_FALSE(Channel::parallel({*rr, *Channel::projection(Domain{{3}}, {0})}));
}

TEST_CASE("cascade multiplies matrices", "[inference][channel]") {
  // Two binary RR with keep 3/4: keep of the cascade = 9/16 + 1/16 = 5/8.
  Domain d{{2}};
  auto a = Channel::randomized_response(d, 0, q("3/4"));
  auto c = Channel::cascade(*a, *a);
  REQUIRE(c);
  REQUIRE(c->entry(0, 0) == q("5/8"));
  REQUIRE(c->entry(0, 1) == q("3/8"));
  // A deterministic map then RR on its output.
  auto parity = Channel::deterministic({0, 1, 0, 1}, 2);
  auto c2 = Channel::cascade(*parity, *a);
  REQUIRE(c2);
  REQUIRE(c2->inputs() == 4);
  REQUIRE(c2->entry(3, 1) == q("3/4"));
  REQUIRE_FALSE(Channel::cascade(*a, *parity));
}

TEST_CASE("matrices are validated", "[inference][channel]") {
  auto m = Channel::matrix({qs({"1/2", "1/2"}), qs({"1/3", "2/3"})});
  REQUIRE(m);
  REQUIRE(m->entry(1, 1) == q("2/3"));
  auto bad = Channel::matrix({qs({"1/2", "1/3"})});
  REQUIRE_FALSE(bad);
  REQUIRE(bad.error() == "channel row 0 sums to 5/6, not 1");
  REQUIRE_FALSE(Channel::matrix({qs({"1/2", "1/2"}), qs({"1"})}));
  REQUIRE_FALSE(Channel::deterministic({0, 3}, 3));
}

TEST_CASE("the channel a correlated field induces", "[inference][channel]") {
  BayesNet net;
  FieldId vote = net.add_field("vote", 2, qs({"1/3", "2/3"}));
  FieldId attends = net.add_field("attends", 2, {vote}, {qs({"3/5", "2/5"}), qs({"1/4", "3/4"})});
  auto c = induced_channel(net, vote, attends);
  REQUIRE(c);
  REQUIRE(c->entry(0, 0) == q("3/5"));
  REQUIRE(c->entry(1, 1) == q("3/4"));
}

TEST_CASE("row sizes are bounded before rows are built", "[inference][channel]") {
  Domain d{{10}};
  auto rr = *Channel::randomized_response(d, 0, q("1/2"));
  REQUIRE(rr.max_row_size() == 10);
  REQUIRE(Channel::randomized_response(d, 0, q("1"))->max_row_size() == 1);
  std::vector<Channel> copies(8, rr);
  auto eight = Channel::parallel(copies);
  REQUIRE(eight);
  REQUIRE(eight->outputs() == 100'000'000);
  REQUIRE(eight->max_row_size() == 100'000'000);
  Joint prior;
  prior.domain = d;
  prior.p.assign(10, q("1/10"));
  auto obs = observe(prior, *eight, 0);
  REQUIRE_FALSE(obs);
  REQUIRE(obs.error() == "a row of the channel may have 100000000 outputs, more than the limit of 20000000");
  REQUIRE_FALSE(bayes_capacity(*eight));
  auto c = Channel::cascade(rr, *Channel::deterministic({0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, 2));
  REQUIRE(c->max_row_size() == 2);
  REQUIRE(Channel::matrix({qs({"1/2", "0", "1/2"}), qs({"0", "1", "0"})})->max_row_size() == 2);
}

TEST_CASE("repeated randomized response reduced to counts", "[inference][channel]") {
  Domain d{{2}};
  auto two = Channel::repeated_randomized_response(d, 0, q("3/4"), 2);
  REQUIRE(two);
  REQUIRE(two->outputs() == 3);  // counts (2,0), (1,1), (0,2)
  REQUIRE(two->entry(0, 0) == q("9/16"));
  REQUIRE(two->entry(0, 1) == q("6/16"));
  REQUIRE(two->entry(0, 2) == q("1/16"));
  REQUIRE(two->entry(1, 2) == q("9/16"));
  auto big = Channel::repeated_randomized_response(Domain{{10}}, 0, q("1/2"), 8);
  REQUIRE(big);
  REQUIRE(big->outputs() == 24310);  // C(17, 9)
  Rational sum = 0;
  for (const auto& [y, p] : big->row_rational(3)) sum += p;
  REQUIRE(sum == 1);
  REQUIRE_FALSE(Channel::repeated_randomized_response(Domain{{100}}, 0, q("1/2"), 8));
  REQUIRE(Channel::repeated_randomized_response(d, 0, q("3/4"), 1)->kind() == Channel::Kind::kRandomizedResponse);
}
