// Soundness audit of the Bayesian bounds: on random priors (skewed ones included) and random
// finite channels (matrices, k-ary randomized response, repeated RR, parallel compositions),
// the exact posterior of every value after every output never exceeds the DP-derived bound
// e^ε π / (e^ε π + 1 − π) for the channel's ε, whether ε is the channel's own (exact
// channel_epsilon_up) or the sum of its parts' (composition); leakage likewise.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "inference/channel.hpp"
#include "inference/dp_bounds.hpp"
#include "inference/measures.hpp"

using namespace privflow::inference;
using privflow::Rational;

namespace {

/// A distribution over k values; with `skewed`, one value takes almost everything (weights
/// 1..1000 against 1), the regime where posterior bounds are most sensitive.
std::vector<Rational> random_distribution(std::mt19937& rng, std::size_t k, bool skewed, int lo = 1) {
  std::vector<Rational> w(k);
  Rational sum = 0;
  for (auto& x : w) {
    x = Rational(std::uniform_int_distribution<int>(lo, 9)(rng));
    sum += x;
  }
  if (skewed) {
    w[std::uniform_int_distribution<std::size_t>(0, k - 1)(rng)] += 1000;
    sum += 1000;
  }
  if (sgn(sum) == 0) {
    w[0] = 1;
    sum = 1;
  }
  for (auto& x : w) {
    x /= sum;
    x.canonicalize();
  }
  return w;
}

/// A random channel on `domain` (the secret is position `pos`) and its ε (nullopt: none).
struct Part {
  Channel channel;
  std::optional<Rational> epsilon;
};

Part random_part(std::mt19937& rng, const Domain& domain, std::size_t pos) {
  const std::uint64_t inputs = domain.cardinality();
  Channel c = [&]() -> Channel {
    switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
      case 0: {
        Rational keep(std::uniform_int_distribution<int>(3, 19)(rng), 20);
        keep.canonicalize();
        if (keep * domain.sizes[pos] <= 1) keep = Rational(19, 20);
        return *Channel::randomized_response(domain, pos, keep);
      }
      case 1: {
        Rational keep(std::uniform_int_distribution<int>(6, 9)(rng), 10);
        keep.canonicalize();
        const auto times = std::uniform_int_distribution<std::uint64_t>(2, 5)(rng);
        return *Channel::repeated_randomized_response(domain, pos, keep, times);
      }
      default: {
        const std::size_t outputs = std::uniform_int_distribution<std::size_t>(2, 5)(rng);
        std::vector<std::vector<Rational>> rows;
        for (std::uint64_t x = 0; x < inputs; ++x) rows.push_back(random_distribution(rng, outputs, false));
        return *Channel::matrix(rows);
      }
    }
  }();
  auto eps = channel_epsilon_up(c);
  REQUIRE(eps);
  return {std::move(c), *eps};
}

}  // namespace

TEST_CASE("exact posteriors of random channels never exceed the DP bound of their epsilon",
          "[audit][inference]") {
  std::mt19937 rng(2026);
  int checked = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const bool two_fields = trial % 2 == 1;
    Domain domain;
    domain.sizes.push_back(std::uniform_int_distribution<std::uint64_t>(2, 4)(rng));
    if (two_fields) domain.sizes.push_back(std::uniform_int_distribution<std::uint64_t>(2, 3)(rng));
    Joint prior;
    prior.domain = domain;
    prior.p = random_distribution(rng, domain.cardinality(), trial % 3 == 0, 0);
    const std::size_t pos = two_fields ? trial % 4 / 2 : 0;

    const int parts = std::uniform_int_distribution<int>(1, 3)(rng);
    std::vector<Channel> channels;
    std::optional<Rational> sum = Rational(0);
    for (int i = 0; i < parts; ++i) {
      Part part = random_part(rng, domain, pos);
      if (part.epsilon && sum) *sum += *part.epsilon;
      else sum.reset();
      channels.push_back(std::move(part.channel));
    }
    auto whole = channels.size() == 1 ? Channel(channels[0]) : *Channel::parallel(channels);
    auto own = channel_epsilon_up(whole);
    REQUIRE(own);
    // The composed channel's ε is never above the sum of its parts' (basic composition),
    // up to the rounding of each (both are rounded up, each by less than 1e-12).
    if (sum) {
      REQUIRE(own->has_value());
      CHECK(**own <= *sum + Rational(1, 1000000000));
    }
    auto obs = observe(prior, whole, pos);
    REQUIRE(obs);
    for (const auto& eps : {*own, sum}) {
      if (!eps) continue;
      for (std::uint64_t v = 0; v < obs->secret_size; ++v) {
        INFO("trial " << trial << ", value " << v << ", epsilon " << privflow::format_compact(*eps));
        CHECK(max_posterior(*obs, v).value <= posterior_bound_up(obs->prior[v], *eps));
        ++checked;
      }
      CHECK(min_entropy_leakage(*obs).value <= leakage_bound_up(*eps, obs->secret_size).value);
    }
  }
  CHECK(checked > 300);
}
