// bench/inference: time per query of exact inference (posterior, leakage), Bayesian-network
// marginals and reidentification. Prints a table; never run by CTest.
#include <ctime>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "inference/bayes_net.hpp"
#include "inference/channel.hpp"
#include "inference/measures.hpp"
#include "inference/reidentification.hpp"

using namespace privflow::inference;
using privflow::Rational;

namespace {

// CPU time of this process (the machine is shared: wall time would measure the neighbours).
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_of(const std::function<void()>& f, int repeat = 1) {
  double t0 = cpu_now();
  for (int i = 0; i < repeat; ++i) f();
  return (cpu_now() - t0) / repeat;
}

// Random distribution with arbitrary denominators (a stress case: exact numbers grow).
std::vector<Rational> random_distribution(std::mt19937& rng, std::size_t k, int hi) {
  std::vector<Rational> w(k);
  Rational sum = 0;
  for (auto& x : w) {
    x = std::uniform_int_distribution<int>(1, hi)(rng);
    sum += x;
  }
  for (auto& x : w) {
    x /= sum;
    x.canonicalize();
  }
  return w;
}

// Random distribution in multiples of 10^-6, as a spec's decimal priors are.
std::vector<Rational> decimal_distribution(std::mt19937& rng, std::size_t k) {
  std::vector<long> w(k);
  long sum = 0;
  for (auto& x : w) sum += x = std::uniform_int_distribution<long>(1, 1000)(rng);
  std::vector<Rational> out(k);
  long used = 0;
  for (std::size_t i = 0; i < k; ++i) {
    long units = i + 1 < k ? w[i] * 1'000'000 / sum : 1'000'000 - used;
    used += units;
    out[i] = privflow::make_rational(units, 1'000'000);
  }
  return out;
}

void row(const std::string& what, const std::string& size, double secs, const std::string& note) {
  std::printf("%-46s %-22s %10.3f ms  %s\n", what.c_str(), size.c_str(), secs * 1e3, note.c_str());
}

}  // namespace

void factored_table();  // bench/inference_factored.cpp

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  factored_table();  // first, while this process is small: its children's peak memory is theirs
  std::mt19937 rng(1);
  std::printf("%-46s %-22s %13s  %s\n", "query", "size", "cpu time", "result");

  // Channels: k-ary RR (exact keep) and dense random rational matrices, k×k, random prior.
  for (std::size_t k : {10, 100, 1000}) {
    Joint prior;
    prior.domain.sizes = {k};
    prior.p = decimal_distribution(rng, k);
    Rational keep(1, 2);
    auto rr = *Channel::randomized_response(prior.domain, 0, keep);
    Observation obs;
    double t = seconds_of([&] { obs = *observe(prior, rr, 0, 100'000'000); }, k < 1000 ? 20 : 3);
    Bits bits;
    MaxPosterior mp;
    double t2 = seconds_of([&] {
      bits = min_entropy_leakage(obs);
      mp = max_posterior(obs, 0);
    });
    row("RR keep 1/2: observe", std::to_string(k) + "x" + std::to_string(k), t, "");
    row("RR keep 1/2: leakage + max posterior", std::to_string(k) + "x" + std::to_string(k), t2,
        privflow::format_up(bits.value, 4) + " bits, post " + privflow::format_up(mp.value, 4));

    for (bool stress : {false, true}) {
      if (stress && k > 100) continue;  // arbitrary denominators: exact numbers grow with k
      std::vector<std::vector<Rational>> rows;
      for (std::size_t x = 0; x < k; ++x)
        rows.push_back(stress ? random_distribution(rng, k, 100) : decimal_distribution(rng, k));
      Channel m = *Channel::matrix(rows);
      double tb = seconds_of([&] { m = *Channel::matrix(rows); });
      double tm = seconds_of([&] {
        obs = *observe(prior, m, 0, 100'000'000);
        bits = min_entropy_leakage(obs);
        mp = max_posterior(obs, 0);
      });
      std::string name = stress ? "arbitrary-denom. matrix" : "decimal matrix";
      row(name + ": build", std::to_string(k) + "x" + std::to_string(k), tb, "");
      row(name + ": observe+leakage+post", std::to_string(k) + "x" + std::to_string(k), tm,
          privflow::format_up(bits.value, 4) + " bits");
    }
  }

  // Repeated RR (times: 8) on a field of 10 values, seen together: counts, not 10^8 sequences.
  {
    Joint prior;
    prior.domain.sizes = {10};
    prior.p = decimal_distribution(rng, 10);
    Channel c = *Channel::repeated_randomized_response(prior.domain, 0, privflow::make_rational(1, 2), 8);
    double tb = seconds_of([&] { c = *Channel::repeated_randomized_response(prior.domain, 0, privflow::make_rational(1, 2), 8); });
    Observation obs;
    Bits bits;
    double t = seconds_of([&] {
      obs = *observe(prior, c, 0);
      bits = min_entropy_leakage(obs);
    });
    row("repeated RR x8 (counts): build", "k=10, 24310 outputs", tb, "");
    row("repeated RR x8 (counts): observe+leakage", "k=10, 24310 outputs", t, privflow::format_up(bits.value, 4) + " bits");
  }

  // Identity (select) on a joint of 10^4 x 100 inputs: sparse, 10^6 rows of one entry.
  {
    BayesNet net;
    FieldId a = net.add_field("a", 10000, decimal_distribution(rng, 10000));
    std::vector<std::vector<Rational>> cpt;
    for (int i = 0; i < 10000; ++i) cpt.push_back(decimal_distribution(rng, 100));
    FieldId b = net.add_field("b", 100, {a}, cpt);
    Joint j;
    double tj = seconds_of([&] { j = *joint_distribution(net, {a, b}); });
    row("BN joint 10^4 x 100 (given)", "10^6 cells", tj, "");
    auto sel = *Channel::projection(j.domain, {1});
    Observation obs;
    double t = seconds_of([&] { obs = *observe(j, sel, 0, 100'000'000); });
    row("select b, secret a: observe", "10^6 inputs", t, std::to_string(obs.outputs.size()) + " outputs");
    Bits bits;
    double t2 = seconds_of([&] { bits = min_entropy_leakage(obs); });
    row("select b, secret a: leakage", "10^6 inputs", t2, privflow::format_up(bits.value, 4) + " bits");
  }

  // Bayesian networks: chains and stars of n fields with domains up to 100.
  for (std::size_t n : {5, 10, 20}) {
    for (std::uint64_t k : {10ULL, 100ULL}) {
      BayesNet net;
      std::vector<FieldId> ids;
      ids.push_back(net.add_field("f0", k, decimal_distribution(rng, k)));
      for (std::size_t i = 1; i < n; ++i) {
        std::vector<std::vector<Rational>> cpt;
        for (std::uint64_t v = 0; v < k; ++v) cpt.push_back(decimal_distribution(rng, k));
        // Chain: each field depends on the previous one.
        ids.push_back(net.add_field(std::string(1, 'f').append(std::to_string(i)), k, {ids.back()}, cpt));
      }
      Distribution m;
      double t = seconds_of([&] { m = *marginal(net, ids.back()); });
      row("BN chain: marginal of last", std::to_string(n) + " fields, k=" + std::to_string(k), t, "");
      Joint j;
      double t2 = seconds_of([&] { j = *joint_distribution(net, {ids.front(), ids.back()}); });
      row("BN chain: joint(first, last)", std::to_string(n) + " fields, k=" + std::to_string(k), t2, "");
    }
  }

  // Reidentification at 10^10 cells.
  {
    std::vector<CellGroup> groups;
    Reidentification r;
    double tg = seconds_of([&] { groups = *cell_groups_product({uniform_groups(100000), uniform_groups(100000)}); }, 100);
    double t = seconds_of([&] { r = *reidentification(groups, 1'000'000'000); }, 100);
    row("reid uniform: groups", "10^10 cells", tg, std::to_string(groups.size()) + " group(s)");
    row("reid uniform: unique fraction", "10^9 rows", t, privflow::format_up(r.unique_fraction, 6));
    // Non-uniform: four fields (100 x 100 x 1000 x 1000) with few distinct probabilities.
    auto few = [&](std::size_t k) {
      Distribution d(k);
      std::vector<Rational> levels = {privflow::make_rational(1, 1), privflow::make_rational(2, 1),
                                      privflow::make_rational(3, 1)};
      Rational sum = 0;
      for (std::size_t i = 0; i < k; ++i) {
        d[i] = levels[i % 3];
        sum += d[i];
      }
      for (auto& x : d) {
        x /= sum;
        x.canonicalize();
      }
      return d;
    };
    std::vector<Distribution> fields = {few(100), few(100), few(1000), few(1000)};
    double tg2 = seconds_of([&] { groups = *cell_groups_independent(fields); }, 3);
    double t2 = seconds_of([&] { r = *reidentification(groups, 1'000'000'000); }, 20);
    row("reid 4 fields: groups", "10^10 cells", tg2, std::to_string(groups.size()) + " groups");
    row("reid 4 fields: unique fraction", "10^9 rows", t2,
        privflow::format_up(r.unique_fraction, 6) + ", prosecutor " + privflow::format_up(r.prosecutor_risk, 4));
  }
  return 0;
}
