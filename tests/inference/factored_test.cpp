// The factored engine (inference/factored.hpp) against the joint-table engine on random small
// tree networks (exact equality of every rational), against an independent brute force in
// Python fractions (tests/inference/data/factored_reference.py), and its bounds against the
// exact values where both can be computed.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "inference/factored.hpp"
#include "inference/measures.hpp"
#include "test_util.hpp"

using namespace privflow::inference;
using privflow::inference::test::q;
using privflow::inference::test::qs;

namespace {

std::vector<Rational> random_distribution(std::mt19937& rng, std::size_t k) {
  std::vector<Rational> w(k);
  Rational sum = 0;
  while (sum == 0) {
    sum = 0;
    for (auto& x : w) sum += x = std::uniform_int_distribution<int>(0, 5)(rng);
  }
  for (auto& x : w) x /= sum;
  return w;
}

/// A random forest: each field has at most one parent among the earlier ones.
BayesNet random_forest(std::mt19937& rng, std::size_t n) {
  BayesNet net;
  for (std::size_t f = 0; f < n; ++f) {
    const std::uint64_t k = std::uniform_int_distribution<std::uint64_t>(1, 3)(rng);
    const int parent = f == 0 ? -1 : std::uniform_int_distribution<int>(-1, static_cast<int>(f) - 1)(rng);
    if (parent < 0) {
      net.add_field(std::string("f").append(std::to_string(f)), k, random_distribution(rng, k));
      continue;
    }
    std::vector<std::vector<Rational>> cpt;
    for (std::uint64_t a = 0; a < net.field(static_cast<FieldId>(parent)).size; ++a) cpt.push_back(random_distribution(rng, k));
    net.add_field(std::string("f").append(std::to_string(f)), k, {static_cast<FieldId>(parent)}, cpt);
  }
  return net;
}

struct Seen {
  FieldId field;
  bool clear;             // in the clear, else randomized response
  Rational keep;
  std::uint64_t times = 1;
};

/// The same observation through the joint table: projections and RR in parallel.
Observation joint_observation(const BayesNet& net, FieldId secret, const std::vector<Seen>& seen) {
  std::vector<FieldId> order{secret};
  for (const auto& s : seen)
    if (std::find(order.begin(), order.end(), s.field) == order.end()) order.push_back(s.field);
  auto joint = joint_distribution(net, order);
  REQUIRE(joint);
  std::vector<Channel> parts;
  for (const auto& s : seen) {
    const std::size_t pos = static_cast<std::size_t>(std::find(order.begin(), order.end(), s.field) - order.begin());
    auto ch = s.clear ? Channel::projection(joint->domain, {pos})
              : s.times == 1 ? Channel::randomized_response(joint->domain, pos, s.keep)
                             : Channel::repeated_randomized_response(joint->domain, pos, s.keep, s.times);
    REQUIRE(ch);
    parts.push_back(*ch);
  }
  if (parts.empty()) parts.push_back(*Channel::deterministic(std::vector<std::uint64_t>(joint->p.size(), 0), 1));
  auto channel = parts.size() == 1 ? Result<Channel>(parts[0]) : Channel::parallel(parts);
  REQUIRE(channel);
  auto obs = observe(*joint, *channel, 0);
  REQUIRE(obs);
  return *obs;
}

std::vector<FieldView> field_views(const BayesNet& net, const std::vector<Seen>& seen) {
  std::vector<FieldView> out;
  for (const auto& s : seen) {
    const Domain d{{net.field(s.field).size}};
    auto ch = s.clear ? Channel::projection(d, {0})
              : s.times == 1 ? Channel::randomized_response(d, 0, s.keep)
                             : Channel::repeated_randomized_response(d, 0, s.keep, s.times);
    REQUIRE(ch);
    out.push_back({s.field, *ch});
  }
  return out;
}

std::vector<Seen> random_seen(std::mt19937& rng, const BayesNet& net) {
  std::vector<Seen> seen;
  const std::vector<Rational> keeps = qs({"3/4", "2/3", "9/10", "1/2"});
  for (FieldId f = 0; f < net.size(); ++f) {
    const int roll = std::uniform_int_distribution<int>(0, 9)(rng);
    if (roll < 4) seen.push_back({f, true, Rational(1), 1});
    if (roll >= 7 && net.field(f).size >= 2) {
      Rational keep = keeps[std::uniform_int_distribution<std::size_t>(0, 3)(rng)];
      if (keep <= Rational(1, net.field(f).size)) keep = q("9/10");
      seen.push_back({f, false, keep, std::uniform_int_distribution<std::uint64_t>(1, 3)(rng)});
    }
  }
  return seen;
}

}  // namespace

TEST_CASE("factored: equals the joint table on random tree networks, every rational", "[factored]") {
  std::mt19937 rng(20261206);
  int compared = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const BayesNet net = random_forest(rng, std::uniform_int_distribution<std::size_t>(1, 7)(rng));
    REQUIRE(net.check().empty());
    const FieldId secret = std::uniform_int_distribution<FieldId>(0, net.size() - 1)(rng);
    const auto seen = random_seen(rng, net);
    const Observation obs = joint_observation(net, secret, seen);
    auto model = factor(net, secret, field_views(net, seen));
    REQUIRE(model);
    INFO("trial " << trial);
    REQUIRE(model->prior() == obs.prior);
    REQUIRE(model->prior_vulnerability() == prior_vulnerability(obs));
    const auto v = model->posterior_vulnerability();
    REQUIRE(v.exact);
    REQUIRE(v.value == posterior_vulnerability(obs));
    for (std::uint64_t value = 0; value < net.field(secret).size; ++value) {
      const auto mp = model->max_posterior(value);
      REQUIRE(mp.exact);
      REQUIRE(mp.value == max_posterior(obs, value).value);
    }
    ++compared;
  }
  REQUIRE(compared == 300);
}

TEST_CASE("factored: bounds are above the exact values and the lower end below", "[factored]") {
  std::mt19937 rng(77);
  int bounded = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const BayesNet net = random_forest(rng, std::uniform_int_distribution<std::size_t>(2, 7)(rng));
    const FieldId secret = std::uniform_int_distribution<FieldId>(0, net.size() - 1)(rng);
    const auto seen = random_seen(rng, net);
    const auto views = field_views(net, seen);
    auto exact = factor(net, secret, views);
    REQUIRE(exact);
    // Tiny limits force every bound: capacity of the groups left over, branches replaced.
    auto tight = factor(net, secret, views, FactoredLimits{6, 4});
    REQUIRE(tight);
    INFO("trial " << trial);
    const auto e = exact->posterior_vulnerability();
    const auto b = tight->posterior_vulnerability();
    REQUIRE(e.exact);
    REQUIRE(b.value >= e.value);
    REQUIRE(b.lower <= e.value);
    REQUIRE(b.value <= 1);
    if (!b.exact) ++bounded;
    for (std::uint64_t value = 0; value < net.field(secret).size; ++value)
      REQUIRE(tight->max_posterior(value).value >= exact->max_posterior(value).value);
  }
  REQUIRE(bounded > 50);  // the limits did bite
}

namespace {

/// Trait {3 values} and likes given it (tests/inference/data/factored_reference.py).
BayesNet likes_network(const std::vector<int>& kinds) {
  const std::vector<std::vector<std::string>> p_like = {{"1/10", "1/2", "4/5"}, {"3/5", "1/5", "1/4"}, {"1/3", "1/3", "2/3"}};
  BayesNet net;
  net.add_field("trait", 3, qs({"1/2", "3/10", "1/5"}));
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    std::vector<std::vector<Rational>> cpt;
    for (const auto& p : p_like[static_cast<std::size_t>(kinds[i])]) cpt.push_back({1 - q(p), q(p)});
    net.add_field("like" + std::to_string(i), 2, {0}, cpt);
  }
  return net;
}

}  // namespace

TEST_CASE("factored: naive Bayes matches an independent brute force in Python fractions", "[factored]") {
  // Case A of factored_reference.py: 12 likes of 3 kinds (5, 4, 3), all seen in the clear.
  const BayesNet net = likes_network({0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2});
  std::vector<FieldView> views;
  for (FieldId f = 1; f < net.size(); ++f) views.push_back({f, *Channel::projection(Domain{{2}}, {0})});
  auto model = factor(net, 0, views);
  REQUIRE(model);
  REQUIRE(model->groups().size() == 3);  // likes of one kind are one group, seen through counts
  REQUIRE(model->prior_vulnerability() == q("1/2"));
  const auto v = model->posterior_vulnerability();
  REQUIRE(v.exact);
  REQUIRE(v.value == q("15919777/18750000"));
  REQUIRE(model->max_posterior(0).value == q("153055008/153115133"));
  REQUIRE(model->max_posterior(1).value == q("320000/331151"));
  REQUIRE(model->max_posterior(2).value == q("64000/64489"));
}

TEST_CASE("factored: a like as the secret, through the hidden trait and randomized response", "[factored]") {
  // Case B of factored_reference.py: secret like0; like1..like3 clear, like4 through RR keep 3/4.
  const BayesNet net = likes_network({0, 1, 2, 0, 1, 2});
  std::vector<FieldView> views;
  for (FieldId f = 2; f <= 4; ++f) views.push_back({f, *Channel::projection(Domain{{2}}, {0})});
  views.push_back({5, *Channel::randomized_response(Domain{{2}}, 0, q("3/4"))});
  auto model = factor(net, 1, views);
  REQUIRE(model);
  REQUIRE(model->prior() == qs({"16/25", "9/25"}));
  const auto v = model->posterior_vulnerability();
  REQUIRE(v.exact);
  REQUIRE(v.value == q("88/125"));
  REQUIRE(model->max_posterior(0).value == q("619/715"));
  REQUIRE(model->max_posterior(1).value == q("533/790"));
}

TEST_CASE("factored: 500 identical likes are exact through their counts", "[factored]") {
  std::vector<int> kinds(500, 0);
  const BayesNet net = likes_network(kinds);
  std::vector<FieldView> views;
  for (FieldId f = 1; f < net.size(); ++f) views.push_back({f, *Channel::projection(Domain{{2}}, {0})});
  auto model = factor(net, 0, views);
  REQUIRE(model);
  REQUIRE(model->groups().size() == 1);
  REQUIRE(model->groups()[0].copies == 500);
  const auto v = model->posterior_vulnerability();
  REQUIRE(v.exact);
  // 500 likes separate the three values almost surely: V_post is just below 1.
  REQUIRE(v.value < 1);
  REQUIRE(v.value > q("0.999"));
}

TEST_CASE("factored: refuses what is not a forest, and a view that does not fit", "[factored]") {
  BayesNet net;
  net.add_field("a", 2);
  net.add_field("b", 2);
  net.add_field("c", 2, {0, 1}, {qs({"1/2", "1/2"}), qs({"1/2", "1/2"}), qs({"1/2", "1/2"}), qs({"1/2", "1/2"})});
  REQUIRE_FALSE(is_forest(net));
  REQUIRE_FALSE(factor(net, 0, {}));
  BayesNet tree;
  tree.add_field("a", 2);
  REQUIRE_FALSE(factor(tree, 0, {{0, *Channel::projection(Domain{{3}}, {0})}}));
}

namespace {

/// A random additive score over `fields`: small integer terms, an offset, and an output that
/// folds the score (score mod 3, or a threshold) so that outputs merge scores.
ScoreView random_score(std::mt19937& rng, const BayesNet& net, const std::vector<FieldId>& fields) {
  ScoreView view;
  for (FieldId f : fields) {
    ScoreView::Term t{f, {}};
    for (std::uint64_t x = 0; x < net.field(f).size; ++x)
      t.value.push_back({mpz_class(std::uniform_int_distribution<int>(-2, 3)(rng)),
                         mpz_class(std::uniform_int_distribution<int>(0, 1)(rng))});
    view.terms.push_back(std::move(t));
  }
  view.offset = {mpz_class(std::uniform_int_distribution<int>(-3, 3)(rng)), mpz_class(0)};
  // Two scores; the output folds them so that outputs merge score vectors.
  const int fold = std::uniform_int_distribution<int>(0, 3)(rng);
  view.output = [fold](const ScoreView::Scores& s) -> std::optional<std::uint64_t> {
    if (fold == 0) return static_cast<std::uint64_t>(s[0].get_si() + 1000);  // the first score itself
    if (fold == 1) return static_cast<std::uint64_t>(((s[0].get_si() % 3) + 3) % 3);
    if (fold == 2) return s[0] > s[1] ? 1u : 0u;
    return static_cast<std::uint64_t>((s[0].get_si() + 100) * 64 + s[1].get_si());  // both
  };
  return view;
}

/// The score's output for every tuple of `order`'s joint domain (the joint table's channel).
Channel score_channel_by_table(const Domain& domain, const std::vector<FieldId>& order, const ScoreView& view) {
  std::vector<std::uint64_t> output_of(domain.cardinality());
  std::map<std::uint64_t, std::uint64_t> ids;
  for (std::uint64_t x = 0; x < output_of.size(); ++x) {
    ScoreView::Scores s = view.offset;
    for (const auto& t : view.terms) {
      const std::size_t pos = static_cast<std::size_t>(std::find(order.begin(), order.end(), t.field) - order.begin());
      for (std::size_t j = 0; j < s.size(); ++j) s[j] += t.value[domain.value_at(x, pos)][j];
    }
    output_of[x] = ids.emplace(*view.output(s), ids.size()).first->second;
  }
  return *Channel::deterministic(std::move(output_of), ids.size());
}

}  // namespace

TEST_CASE("factored: an additive score equals the joint table on random tree networks, every rational", "[factored]") {
  std::mt19937 rng(20261207);
  int compared = 0, refused = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const BayesNet net = random_forest(rng, std::uniform_int_distribution<std::size_t>(2, 7)(rng));
    const FieldId secret = std::uniform_int_distribution<FieldId>(0, net.size() - 1)(rng);
    std::vector<FieldId> read;
    for (FieldId f = 0; f < net.size(); ++f)
      if (std::uniform_int_distribution<int>(0, 1)(rng)) read.push_back(f);
    if (read.empty()) continue;
    std::vector<Seen> seen;
    for (FieldId f = 0; f < net.size(); ++f)
      if (std::find(read.begin(), read.end(), f) == read.end() && std::uniform_int_distribution<int>(0, 3)(rng) == 0)
        seen.push_back({f, true, Rational(1), 1});
    const ScoreView view = random_score(rng, net, read);
    auto model = factor(net, secret, field_views(net, seen), {view});
    if (!model) {
      ++refused;  // fields that are not independent given the secret
      continue;
    }
    // The joint table: the secret, the fields seen, the fields scored.
    std::vector<FieldId> order{secret};
    const auto position = [&](FieldId f) {
      auto it = std::find(order.begin(), order.end(), f);
      if (it == order.end()) it = order.insert(order.end(), f);
      return static_cast<std::size_t>(it - order.begin());
    };
    std::vector<std::size_t> seen_at;
    for (const auto& s : seen) seen_at.push_back(position(s.field));
    for (FieldId f : read) position(f);
    auto joint = joint_distribution(net, order);
    REQUIRE(joint);
    std::vector<Channel> parts{score_channel_by_table(joint->domain, order, view)};
    for (std::size_t at : seen_at) parts.push_back(*Channel::projection(joint->domain, {at}));
    auto channel = parts.size() == 1 ? Result<Channel>(parts[0]) : Channel::parallel(parts);
    REQUIRE(channel);
    auto obs = observe(*joint, *channel, 0);
    REQUIRE(obs);
    INFO("trial " << trial);
    const auto v = model->posterior_vulnerability();
    REQUIRE(v.exact);
    REQUIRE(v.value == posterior_vulnerability(*obs));
    for (std::uint64_t value = 0; value < net.field(secret).size; ++value)
      REQUIRE(model->max_posterior(value).value == max_posterior(*obs, value).value);
    ++compared;
  }
  // Both outcomes are exercised: most random scores are exact, some read dependent fields.
  REQUIRE(compared >= 100);
  REQUIRE(refused >= 10);
}

namespace {

/// n likes of kind 0 and n of kind 1 seen through the sign of (#yes of kind 0) - (#yes of kind 1).
Result<FactoredModel> sign_of_difference(std::size_t n) {
  std::vector<int> kinds(n, 0);
  kinds.insert(kinds.end(), n, 1);
  const BayesNet net = likes_network(kinds);
  ScoreView view;
  for (FieldId f = 1; f < net.size(); ++f) view.terms.push_back({f, {{0}, {f <= n ? 1 : -1}}});
  view.offset = {0};
  view.output = [](const ScoreView::Scores& s) -> std::optional<std::uint64_t> { return s[0] > 0 ? 2u : s[0] == 0 ? 1u : 0u; };
  return factor(net, 0, {}, {view});
}

}  // namespace

TEST_CASE("factored: a score over many likes matches Python fractions", "[factored]") {
  // factored_reference.py, "case score": the two counts as independent binomials given the trait.
  auto small = sign_of_difference(30);
  REQUIRE(small);
  REQUIRE(small->posterior_vulnerability().exact);
  REQUIRE(small->posterior_vulnerability().value ==
          q("743972147822980481449174084633179972486385966703781/931322574615478515625000000000000000000000000000000"));
  REQUIRE(small->max_posterior(2).value ==
          q("806449409177043173238414649001232896558940410614013671875/"
            "2005855727388997151711846734130323135472544107842530097603"));
  // 500 likes: exact here; the reference prints its rationals as doubles.
  auto large = sign_of_difference(250);
  REQUIRE(large);
  REQUIRE(large->posterior_vulnerability().exact);
  REQUIRE(large->posterior_vulnerability().value.get_d() == Approx(0.7999999999999597).epsilon(1e-13));
  REQUIRE(large->max_posterior(2).value.get_d() == Approx(0.4000000000000652).epsilon(1e-13));
}

TEST_CASE("factored: a score refuses fields seen otherwise in its branch", "[factored]") {
  const BayesNet net = likes_network({0, 1});
  ScoreView view;
  view.terms = {{1, {{0}, {1}}}, {2, {{0}, {1}}}};
  view.offset = {0};
  view.output = [](const ScoreView::Scores& s) -> std::optional<std::uint64_t> { return s[0].get_ui(); };
  REQUIRE(factor(net, 0, {}, {view}));
  REQUIRE_FALSE(factor(net, 0, {{1, *Channel::projection(Domain{{2}}, {0})}}, {view}));
  REQUIRE_FALSE(factor(net, 0, {}, {view, view}));
}

TEST_CASE("factored: a map counted by its outputs bounds the exact vulnerability (random networks)", "[factored]") {
  // The bound of analyzer/beliefs.cpp's tighten_by_outputs: V(π ▷ rest ‖ map) ≤ V(π ▷ rest)·|Y|
  // for any deterministic map with |Y| outputs, checked against the joint table.
  std::mt19937 rng(7);
  int compared = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const BayesNet net = random_forest(rng, std::uniform_int_distribution<std::size_t>(2, 6)(rng));
    const FieldId secret = std::uniform_int_distribution<FieldId>(0, net.size() - 1)(rng);
    std::vector<Seen> seen;
    std::vector<FieldId> read;
    for (FieldId f = 0; f < net.size(); ++f) {
      const int roll = std::uniform_int_distribution<int>(0, 3)(rng);
      if (roll == 0) seen.push_back({f, true, Rational(1), 1});
      if (roll >= 2) read.push_back(f);
    }
    if (read.empty()) continue;
    std::vector<FieldId> order{secret};
    const auto position = [&](FieldId f) {
      auto it = std::find(order.begin(), order.end(), f);
      if (it == order.end()) it = order.insert(order.end(), f);
      return static_cast<std::size_t>(it - order.begin());
    };
    std::vector<std::size_t> seen_at, read_at;
    for (const auto& s : seen) seen_at.push_back(position(s.field));
    for (FieldId f : read) read_at.push_back(position(f));
    auto joint = joint_distribution(net, order);
    REQUIRE(joint);
    // A random function of the read fields with at most 3 outputs.
    const std::uint64_t outputs = std::uniform_int_distribution<std::uint64_t>(1, 3)(rng);
    std::map<std::vector<std::uint64_t>, std::uint64_t> table;
    std::vector<std::uint64_t> output_of(joint->p.size());
    for (std::uint64_t x = 0; x < output_of.size(); ++x) {
      std::vector<std::uint64_t> key;
      for (std::size_t at : read_at) key.push_back(joint->domain.value_at(x, at));
      auto it = table.find(key);
      if (it == table.end()) it = table.emplace(key, std::uniform_int_distribution<std::uint64_t>(0, outputs - 1)(rng)).first;
      output_of[x] = it->second;
    }
    std::vector<Channel> parts{*Channel::deterministic(std::move(output_of), outputs)};
    for (std::size_t at : seen_at) parts.push_back(*Channel::projection(joint->domain, {at}));
    auto channel = parts.size() == 1 ? Result<Channel>(parts[0]) : Channel::parallel(parts);
    REQUIRE(channel);
    auto obs = observe(*joint, *channel, 0);
    REQUIRE(obs);
    auto rest = factor(net, secret, field_views(net, seen));
    REQUIRE(rest);
    INFO("trial " << trial);
    REQUIRE(posterior_vulnerability(*obs) <= rest->posterior_vulnerability().value * Rational(outputs));
    ++compared;
  }
  REQUIRE(compared >= 150);
}
