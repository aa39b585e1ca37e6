#include "inference/reidentification.hpp"

#include <catch2/catch.hpp>

#include "test_util.hpp"

using namespace privflow::inference;
using privflow::inference::test::q;
using privflow::inference::test::qs;

TEST_CASE("zip x birth date x sex, uniform, 10^8 rows", "[inference][reid]") {
  auto uniform = [](std::uint64_t k) {
    return Distribution(k, privflow::make_rational(1, static_cast<long>(k)));
  };
  auto groups = cell_groups_independent({uniform(30000), uniform(36500), uniform(2)});
  REQUIRE(groups);
  REQUIRE(groups->size() == 1);
  REQUIRE((*groups)[0].count == mpz_class("2190000000"));
  REQUIRE((*groups)[0].probability == q("1/2190000000"));
  auto r = reidentification(*groups, 100'000'000);
  REQUIRE(r);
  // (1 − 1/K)^(N−1) = 0.95536472538755186263154953947477... (mpmath, 40 digits)
  REQUIRE(r->unique_fraction >= q("0.955364725387551862631549539474"));
  REQUIRE(r->unique_fraction <= q("0.955364725387551862631549539475"));
  REQUIRE(r->prosecutor_risk == 1);  // expected cell size 0.0457 < 1
}

TEST_CASE("small populations are exact or tightly bounded", "[inference][reid]") {
  struct Case {
    std::vector<std::string> cells;
    std::uint64_t rows;
    const char* lo;
    const char* hi;
    const char* prosecutor;
  };
  for (const Case& c : std::vector<Case>{
           {{"1/2", "1/2"}, 0, "0", "0", "0"},
           {{"1/2", "1/2"}, 1, "1", "1", "1"},
           {{"1/2", "1/2"}, 2, "1/2", "1/2", "1"},
           {{"1/2", "1/2"}, 3, "1/4", "0.2500000000000000000000001", "2/3"},
           {{"1/2", "1/4", "1/4"}, 100, "0", "0.000000000001", "1/25"},
           {{"1"}, 10, "0", "0", "1/10"},
       }) {
    INFO(c.rows);
    auto r = reidentification(cell_groups(qs(c.cells)), c.rows);
    REQUIRE(r);
    REQUIRE(r->unique_fraction >= q(c.lo));
    REQUIRE(r->unique_fraction <= q(c.hi));
    REQUIRE(r->prosecutor_risk == q(c.prosecutor));
  }
}

TEST_CASE("groups merge equal probabilities; bad input is refused", "[inference][reid]") {
  auto g = cell_groups_independent({qs({"1/2", "1/4", "1/4"}), qs({"1/2", "1/2"})});
  REQUIRE(g);
  REQUIRE(g->size() == 2);
  REQUIRE((*g)[0].probability == q("1/8"));
  REQUIRE((*g)[0].count == 4);
  REQUIRE((*g)[1].probability == q("1/4"));
  REQUIRE((*g)[1].count == 2);
  auto bad = reidentification({CellGroup{q("1/3"), 2}}, 10);
  REQUIRE_FALSE(bad);
  REQUIRE(bad.error() == "the cells' probabilities sum to 2/3, not 1");
  auto many = cell_groups_independent({qs({"1/2", "1/3", "1/6"}), qs({"1/2", "1/3", "1/6"})}, 5);
  REQUIRE_FALSE(many);
}

TEST_CASE("correlated fields come as a joint", "[inference][reid]") {
  BayesNet net;
  FieldId a = net.add_field("a", 2, qs({"1/2", "1/2"}));
  FieldId b = net.add_field("b", 2, {a}, {qs({"1", "0"}), qs({"1/2", "1/2"})});
  auto j = joint_distribution(net, {a, b});
  REQUIRE(j);
  auto g = cell_groups(*j);  // cells 1/2, 0, 1/4, 1/4
  REQUIRE(g.size() == 2);
  auto r = reidentification(g, 2);
  REQUIRE(r);
  // 1/2·1/2 + 2·1/4·3/4 = 1/4 + 3/8 = 5/8
  REQUIRE(r->unique_fraction == q("5/8"));
  REQUIRE(r->prosecutor_risk == 1);
}

TEST_CASE("groups from per-field groups: a uniform field is one group", "[inference][reid]") {
  auto g = cell_groups_product({uniform_groups(1'000'000'000), uniform_groups(100), cell_groups(qs({"1/2", "1/4", "1/4"}))});
  REQUIRE(g);
  REQUIRE(g->size() == 2);
  REQUIRE((*g)[0].probability == q("1/400000000000"));
  REQUIRE((*g)[0].count == mpz_class("200000000000"));
  REQUIRE((*g)[1].probability == q("1/200000000000"));
  REQUIRE((*g)[1].count == mpz_class("100000000000"));
  auto r = reidentification(*g, 1'000'000'000);
  REQUIRE(r);
  // Σ p (1 − p)^(N − 1) = 1/2 (1 − 1/4e11)^(N−1) + 1/2 (1 − 1/2e11)^(N−1)
  //                     = 0.996257800798797851369... (mpmath)
  REQUIRE(r->unique_fraction >= q("0.9962578007987978513"));
  REQUIRE(r->unique_fraction <= q("0.9962578007987978514"));
}

TEST_CASE("quasi-identifier groups from a network", "[inference][reid]") {
  BayesNet net;
  FieldId zip = net.add_field("zip", 30000);
  FieldId birth = net.add_field("birth", 36500);
  FieldId sex = net.add_field("sex", 2);
  FieldId region = net.add_field("region", 2, qs({"1/4", "3/4"}));
  FieldId income = net.add_field("income", 3, {region}, {qs({"1/2", "1/2", "0"}), qs({"0", "1/3", "2/3"})});
  FieldId huge = net.add_field("id", 1'000'000'000'000ULL);
  // Independent uniform fields: one group, never 2.19·10^9 probabilities.
  auto g = quasi_identifier_groups(net, {zip, birth, sex});
  REQUIRE(g);
  REQUIRE(g->size() == 1);
  REQUIRE((*g)[0].count == mpz_class("2190000000"));
  auto r = reidentification(*g, 100'000'000);
  REQUIRE(r->unique_fraction >= q("0.955364725387551862631549539474"));
  REQUIRE(r->unique_fraction <= q("0.955364725387551862631549539475"));
  // Correlated fields through their joint: cells (region, income) = 1/8, 1/8, 1/4, 1/2.
  auto c = quasi_identifier_groups(net, {income, region, sex});
  REQUIRE(c);
  REQUIRE(c->size() == 3);
  REQUIRE((*c)[0].probability == q("1/16"));
  REQUIRE((*c)[0].count == 4);
  REQUIRE((*c)[1].probability == q("1/8"));
  REQUIRE((*c)[1].count == 2);
  REQUIRE((*c)[2].probability == q("1/4"));
  REQUIRE((*c)[2].count == 2);
  // A uniform field of 10^12 values is one group.
  auto h = quasi_identifier_groups(net, {huge, sex});
  REQUIRE(h);
  REQUIRE(h->size() == 1);
  REQUIRE((*h)[0].count == mpz_class("2000000000000"));
}
