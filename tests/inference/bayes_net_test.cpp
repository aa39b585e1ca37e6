#include "inference/bayes_net.hpp"

#include <catch2/catch.hpp>

#include "test_util.hpp"

using namespace privflow::inference;
using privflow::inference::test::q;
using privflow::inference::test::qs;

TEST_CASE("domain indexing is mixed radix, first position most significant", "[inference][bayes]") {
  Domain d{{3, 4, 5}};
  REQUIRE(d.cardinality() == 60);
  REQUIRE(d.index_of({2, 1, 3}) == 2 * 20 + 1 * 5 + 3);
  REQUIRE(d.values_of(48) == std::vector<std::uint64_t>{2, 1, 3});
  REQUIRE(d.value_at(48, 0) == 2);
  REQUIRE(d.value_at(48, 1) == 1);
  REQUIRE(d.value_at(48, 2) == 3);
  REQUIRE(d.stride(0) == 20);
  REQUIRE(Domain{{1ULL << 40, 1ULL << 40}}.cardinality() == UINT64_MAX);
}

TEST_CASE("marginal through a given table", "[inference][bayes]") {
  // docs/language.md's data example: diagnosis {0.70, 0.25, 0.05}; smoker given diagnosis.
  BayesNet net;
  FieldId diag = net.add_field("diagnosis", 3, qs({"0.70", "0.25", "0.05"}));
  FieldId smoker = net.add_field("smoker", 2, {diag}, {qs({"0.2", "0.8"}), qs({"0.25", "0.75"}), qs({"1/2", "1/2"})});
  REQUIRE(net.check().empty());
  auto m = marginal(net, smoker);
  REQUIRE(m);
  // P(yes) = 0.7·0.2 + 0.25·0.25 + 0.05·0.5 = 0.14 + 0.0625 + 0.025 = 0.2275
  REQUIRE((*m)[0] == q("0.2275"));
  REQUIRE((*m)[1] == q("0.7725"));
  auto j = joint_distribution(net, {smoker, diag});
  REQUIRE(j);
  REQUIRE(j->domain.sizes == std::vector<std::uint64_t>{2, 3});
  // P(smoker = yes, diagnosis = cancer) = 0.05 · 1/2
  REQUIRE(j->p[0 * 3 + 2] == q("0.025"));
  REQUIRE(j->p[1 * 3 + 0] == q("0.56"));
  REQUIRE(j->marginal(1) == qs({"0.70", "0.25", "0.05"}));
}

TEST_CASE("uniform fields and chains eliminate only ancestors", "[inference][bayes]") {
  // a → b → c, plus an unrelated d. P(c) through two tables.
  BayesNet net;
  FieldId a = net.add_field("a", 2, qs({"1/3", "2/3"}));
  FieldId b = net.add_field("b", 2, {a}, {qs({"1/2", "1/2"}), qs({"1/4", "3/4"})});
  FieldId c = net.add_field("c", 3, {b}, {qs({"1", "0", "0"}), qs({"0", "1/2", "1/2"})});
  FieldId d = net.add_field("d", 4);
  // P(b=0) = 1/6 + 1/6 = 1/3; P(c=0) = 1/3, P(c=1) = P(c=2) = 1/3.
  auto mc = marginal(net, c);
  REQUIRE(mc);
  REQUIRE(*mc == qs({"1/3", "1/3", "1/3"}));
  auto md = marginal(net, d);
  REQUIRE(md);
  REQUIRE(*md == qs({"1/4", "1/4", "1/4", "1/4"}));
  auto jac = joint_distribution(net, {a, c});
  REQUIRE(jac);
  // P(a=0, c=0) = 1/3 · 1/2 = 1/6; P(a=1, c=1) = 2/3 · 3/4 · 1/2 = 1/4
  REQUIRE(jac->p[0] == q("1/6"));
  REQUIRE(jac->p[3 + 1] == q("1/4"));
  Rational total = 0;
  for (auto& p : jac->p) total += p;
  REQUIRE(total == 1);
}

TEST_CASE("two parents", "[inference][bayes]") {
  BayesNet net;
  FieldId x = net.add_field("x", 2, qs({"1/2", "1/2"}));
  FieldId y = net.add_field("y", 2, qs({"1/5", "4/5"}));
  // z = x xor y, deterministic; rows over (x, y) with x most significant.
  FieldId z = net.add_field("z", 2, {x, y}, {qs({"1", "0"}), qs({"0", "1"}), qs({"0", "1"}), qs({"1", "0"})});
  auto m = marginal(net, z);
  REQUIRE(m);
  REQUIRE(*m == qs({"1/2", "1/2"}));
}

TEST_CASE("invalid networks and size limits are refused, not thrown", "[inference][bayes]") {
  struct Case {
    const char* what;
    BayesNet net;
    std::string error;
  };
  std::vector<Case> cases;
  {
    BayesNet n;
    n.add_field("a", 2, qs({"1/2", "1/3"}));
    cases.push_back({"sum", n, "field 'a': distribution 1 sums to 5/6, not 1"});
  }
  {
    BayesNet n;
    n.add_field("a", 2, qs({"1/2"}));
    cases.push_back({"shape", n, "field 'a': distribution 1 has 1 entries, expected 2"});
  }
  {
    BayesNet n;
    n.add_field("a", 2, {1}, {qs({"1", "0"}), qs({"0", "1"})});
    n.add_field("b", 2, {0}, {qs({"1", "0"}), qs({"0", "1"})});
    cases.push_back({"cycle", n, "field 'a' depends on itself through a cycle"});
  }
  {
    BayesNet n;
    n.add_field("a", 2, qs({"3/2", "-1/2"}));
    cases.push_back({"range", n, "field 'a': probability 3/2 is outside [0, 1]"});
  }
  for (auto& c : cases) {
    INFO(c.what);
    REQUIRE(c.net.check() == c.error);
    auto j = joint_distribution(c.net, {0});
    REQUIRE_FALSE(j);
    REQUIRE(j.error() == c.error);
  }
  BayesNet big;
  FieldId a = big.add_field("a", 10000);
  FieldId b = big.add_field("b", 10000);
  auto j = joint_distribution(big, {a, b}, 1'000'000);
  REQUIRE_FALSE(j);
  REQUIRE(j.error() == "the joint distribution of the fields has 100000000 cells, more than the limit of 1000000");
  REQUIRE_FALSE(joint_distribution(big, {a, a}));
}
