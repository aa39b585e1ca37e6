// Property tests on random small priors and channels (fixed seeds: deterministic).
#include <catch2/catch.hpp>

#include <random>

#include "inference/dp_bounds.hpp"
#include "inference/measures.hpp"
#include "test_util.hpp"

using namespace privflow::inference;

namespace {

Rational random_probability_vector_entry(std::mt19937& rng, int lo, int hi) {
  return Rational(std::uniform_int_distribution<int>(lo, hi)(rng));
}

std::vector<Rational> random_distribution(std::mt19937& rng, std::size_t k, int lo = 0, int hi = 6) {
  std::vector<Rational> w(k);
  Rational sum = 0;
  do {
    sum = 0;
    for (auto& x : w) {
      x = random_probability_vector_entry(rng, lo, hi);
      sum += x;
    }
  } while (sgn(sum) == 0);
  for (auto& x : w) {
    x /= sum;
    x.canonicalize();
  }
  return w;
}

// A random network of two fields (b given a) and its joint.
Joint random_joint(std::mt19937& rng) {
  BayesNet net;
  std::size_t ka = std::uniform_int_distribution<std::size_t>(2, 4)(rng);
  std::size_t kb = std::uniform_int_distribution<std::size_t>(2, 4)(rng);
  FieldId a = net.add_field("a", ka, random_distribution(rng, ka));
  std::vector<std::vector<Rational>> cpt;
  for (std::size_t i = 0; i < ka; ++i) cpt.push_back(random_distribution(rng, kb));
  FieldId b = net.add_field("b", kb, {a}, cpt);
  return *joint_distribution(net, {a, b});
}

// A random channel with all entries positive, whose rows are weights in [1, 3] normalised:
// it is ε-LDP for ε = ln of its largest column ratio.
Channel random_ldp_channel(std::mt19937& rng, std::uint64_t inputs) {
  std::size_t outputs = std::uniform_int_distribution<std::size_t>(2, 5)(rng);
  std::vector<std::vector<Rational>> rows;
  for (std::uint64_t x = 0; x < inputs; ++x) rows.push_back(random_distribution(rng, outputs, 1, 3));
  return *Channel::matrix(rows);
}

Channel random_channel(std::mt19937& rng, std::uint64_t inputs, const Domain& domain) {
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0: return random_ldp_channel(rng, inputs);
    case 1: {
      std::size_t pos = std::uniform_int_distribution<std::size_t>(0, domain.sizes.size() - 1)(rng);
      Rational keep(std::uniform_int_distribution<int>(0, 8)(rng), 8);
      keep.canonicalize();
      return *Channel::randomized_response(domain, pos, keep);
    }
    case 2: {
      std::vector<std::uint64_t> out(inputs);
      for (auto& y : out) y = std::uniform_int_distribution<std::uint64_t>(0, 2)(rng);
      return *Channel::deterministic(out, 3);
    }
    default: return *Channel::projection(domain, {std::uniform_int_distribution<std::size_t>(0, domain.sizes.size() - 1)(rng)});
  }
}

// P(secret = s, y) by the definition, with rationals only.
Rational naive_joint(const Joint& prior, const Channel& c, std::size_t pos, std::uint64_t s, std::uint64_t y) {
  Rational sum = 0;
  for (std::uint64_t x = 0; x < prior.p.size(); ++x)
    if (prior.domain.value_at(x, pos) == s) sum += prior.p[x] * c.entry(x, y);
  return sum;
}

}  // namespace

TEST_CASE("exact posteriors never exceed the DP bound", "[inference][property]") {
  std::mt19937 rng(20261122);
  for (int trial = 0; trial < 200; ++trial) {
    Joint prior = random_joint(rng);
    Channel c = random_ldp_channel(rng, prior.p.size());
    auto eps = channel_epsilon_up(c);
    REQUIRE(eps);
    REQUIRE(eps->has_value());
    for (std::size_t pos = 0; pos < 2; ++pos) {
      auto obs = observe(prior, c, pos);
      REQUIRE(obs);
      for (std::uint64_t v = 0; v < obs->secret_size; ++v) {
        Rational bound = posterior_bound_up(obs->prior[v], **eps);
        REQUIRE(max_posterior(*obs, v).value <= bound);
      }
      // Min-entropy leakage is also within ε·log2(e).
      REQUIRE(min_entropy_leakage(*obs).value <= leakage_bound_up(**eps, obs->secret_size).value);
    }
  }
}

TEST_CASE("observe agrees with the definition; leakage is never negative", "[inference][property]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 150; ++trial) {
    Joint prior = random_joint(rng);
    Channel c = random_channel(rng, prior.p.size(), prior.domain);
    std::size_t pos = trial % 2;
    auto obs = observe(prior, c, pos);
    REQUIRE(obs);
    Rational total = 0;
    for (std::size_t i = 0; i < obs->outputs.size(); ++i) {
      total += obs->output_probability(i);
      for (std::uint64_t s = 0; s < obs->secret_size; ++s) {
        Rational expected = naive_joint(prior, c, pos, s, obs->outputs[i].y);
        REQUIRE(obs->posterior(i, s) * obs->output_probability(i) == expected);
      }
    }
    REQUIRE(total == 1);
    REQUIRE(multiplicative_leakage(*obs) >= 1);
    REQUIRE(sgn(min_entropy_leakage(*obs).value) >= 0);
    REQUIRE(posterior_vulnerability(*obs) >= prior_vulnerability(*obs));
    // Capacity bounds the multiplicative leakage of the channel on any prior of its inputs.
    auto whole = observe(prior, c, pos);
    REQUIRE(multiplicative_leakage(*whole) <= *bayes_capacity(c));
  }
}

TEST_CASE("composition never decreases vulnerability; post-processing never increases it",
          "[inference][property]") {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 150; ++trial) {
    Joint prior = random_joint(rng);
    Channel c1 = random_channel(rng, prior.p.size(), prior.domain);
    Channel c2 = random_channel(rng, prior.p.size(), prior.domain);
    std::size_t pos = trial % 2;
    Rational v1 = posterior_vulnerability(*observe(prior, c1, pos));
    Rational v2 = posterior_vulnerability(*observe(prior, c2, pos));
    auto both = Channel::parallel({c1, c2});
    REQUIRE(both);
    Rational v12 = posterior_vulnerability(*observe(prior, *both, pos));
    REQUIRE(v12 >= v1);
    REQUIRE(v12 >= v2);
    // Post-process c1 by a random channel on its outputs.
    std::vector<std::vector<Rational>> rows;
    for (std::uint64_t y = 0; y < c1.outputs(); ++y) rows.push_back(random_distribution(rng, 3));
    auto post = Channel::cascade(c1, *Channel::matrix(rows));
    REQUIRE(post);
    REQUIRE(posterior_vulnerability(*observe(prior, *post, pos)) <= v1);
    // g-vulnerability within distance 1 behaves the same way.
    Rational g1 = posterior_vulnerability_within(*observe(prior, c1, pos), 1);
    REQUIRE(posterior_vulnerability_within(*observe(prior, *both, pos), 1) >= g1);
  }
}

TEST_CASE("measures at interior keeps never exceed the box's vertices", "[inference][property]") {
  std::mt19937 rng(5);
  auto keep_at = [](int num) { return privflow::make_rational(num, 20); };
  for (int trial = 0; trial < 60; ++trial) {
    Joint prior = random_joint(rng);
    // Box of keeps [lo1, hi1] x [lo2, hi2] on two RR channels (one per field), seen together.
    int lo1 = std::uniform_int_distribution<int>(0, 15)(rng), hi1 = lo1 + 4;
    int lo2 = std::uniform_int_distribution<int>(0, 15)(rng), hi2 = lo2 + 4;
    std::size_t pos = trial % 2;
    auto measure = [&](int k1, int k2, Rational& vpost, std::vector<Rational>& maxpost) {
      auto c = Channel::parallel({*Channel::randomized_response(prior.domain, 0, keep_at(k1)),
                                  *Channel::randomized_response(prior.domain, 1, keep_at(k2))});
      auto obs = observe(prior, *c, pos);
      vpost = posterior_vulnerability(*obs);
      maxpost.clear();
      for (std::uint64_t v = 0; v < obs->secret_size; ++v) maxpost.push_back(max_posterior(*obs, v).value);
    };
    Rational vmax = 0;
    std::vector<Rational> pmax;
    for (int k1 : {lo1, hi1})
      for (int k2 : {lo2, hi2}) {
        Rational v;
        std::vector<Rational> p;
        measure(k1, k2, v, p);
        vmax = std::max(vmax, v);
        if (pmax.empty()) pmax = p;
        for (std::size_t i = 0; i < p.size(); ++i) pmax[i] = std::max(pmax[i], p[i]);
      }
    for (int k1 = lo1; k1 <= hi1; ++k1)
      for (int k2 = lo2; k2 <= hi2; ++k2) {
        Rational v;
        std::vector<Rational> p;
        measure(k1, k2, v, p);
        REQUIRE(v <= vmax);
        for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(p[i] <= pmax[i]);
      }
  }
}

TEST_CASE("counts of repeated RR leak exactly what the report sequences leak", "[inference][property]") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    Joint prior = random_joint(rng);
    std::size_t field = trial % 2, pos = (trial / 2) % 2;
    std::uint64_t times = std::uniform_int_distribution<std::uint64_t>(2, 4)(rng);
    Rational keep(std::uniform_int_distribution<int>(0, 8)(rng), 8);
    keep.canonicalize();
    auto counts = Channel::repeated_randomized_response(prior.domain, field, keep, times);
    REQUIRE(counts);
    std::vector<Channel> copies(times, *Channel::randomized_response(prior.domain, field, keep));
    auto sequences = Channel::parallel(copies);
    auto a = observe(prior, *counts, pos);
    auto b = observe(prior, *sequences, pos);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(posterior_vulnerability(*a) == posterior_vulnerability(*b));
    for (std::uint64_t v = 0; v < a->secret_size; ++v) REQUIRE(max_posterior(*a, v).value == max_posterior(*b, v).value);
    REQUIRE(posterior_vulnerability_within(*a, 1) == posterior_vulnerability_within(*b, 1));
  }
}
