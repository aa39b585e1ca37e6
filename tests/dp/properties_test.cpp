// Properties of the accountant: closed forms, monotonicity, composition identities, soundness
// of the answers' states (infinity, exactness, validation), amplification helpers.
#include <catch2/catch.hpp>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "dp/accountant.hpp"
#include "dp/pld.hpp"
#include "dp/rdp.hpp"

using namespace privflow::dp;
using privflow::make_rational;

namespace {
double eps_of(const Mechanism& m, double delta, Accountant a) {
  Composition c;
  REQUIRE(c.add(m));
  return c.epsilon(delta, a).value;
}
double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
}  // namespace

TEST_CASE("RDP of the Gaussian is its closed form alpha/(2 z^2)", "[dp][rdp]") {
  for (double z : {0.5, 1.0, 1.1, 3.0, 10.0}) {
    for (double a : rdp::default_orders()) {
      const double closed = a / (2 * z * z);
      const double v = rdp::gaussian(z, a);
      CHECK(v >= closed);                 // never below (rounded up)
      CHECK(v <= closed * (1 + 1e-9));    // by the stated margin only
      CHECK(rdp::subsampled_gaussian(z, 1.0, a) == v);  // q = 1 is the Gaussian
    }
  }
}

TEST_CASE("subsampled Gaussian RDP at integer orders is the binomial sum", "[dp][rdp]") {
  struct Row { double z, q; int alpha; };
  for (Row r : {Row{1.1, 0.01, 2}, Row{0.8, 0.001, 8}, Row{2.0, 0.1, 32}, Row{1.0, 0.5, 5}}) {
    long double sum = 0;
    for (int k = 0; k <= r.alpha; ++k) {
      long double c = std::tgamma(r.alpha + 1.0L) / (std::tgamma(k + 1.0L) * std::tgamma(r.alpha - k + 1.0L));
      sum += c * std::pow(1.0L - r.q, r.alpha - k) * std::pow(static_cast<long double>(r.q), k) *
             std::exp(static_cast<long double>(k * k - k) / (2.0L * r.z * r.z));
    }
    const double expected = static_cast<double>(std::log(sum) / (r.alpha - 1));
    const double v = rdp::subsampled_gaussian(r.z, r.q, r.alpha);
    CHECK(v >= expected * (1 - 1e-13));
    CHECK(v == Approx(expected).epsilon(1e-9));
  }
  // Fractional orders sit between their integer neighbours (monotonicity of Rényi divergence).
  for (double a : {2.5, 7.3, 10.9}) {
    const double v = rdp::subsampled_gaussian(1.1, 0.01, a);
    CHECK(v >= rdp::subsampled_gaussian(1.1, 0.01, std::floor(a)) * (1 - 1e-9));
    CHECK(v <= rdp::subsampled_gaussian(1.1, 0.01, std::ceil(a)) * (1 + 1e-9));
  }
}

TEST_CASE("subsampled Gaussian RDP at fractional orders is at least its defining integral", "[dp][rdp]") {
  // A_α = E_{x~N(0,z²)}[(1 − q + q·e^{(2x−1)/(2z²)})^α] by adaptive Gauss–Kronrod in long double
  // (error estimates ~1e-18), against the series of MTZ 2019 Sec. 3.3 that rdp.cpp truncates:
  // never below (that would be unsound), and close at the orders conversions use.
  using boost::math::quadrature::gauss_kronrod;
  for (double z : {0.5, 0.7, 1.0, 2.0, 5.0})
    for (double q : {0.001, 0.02, 0.1})
      for (double alpha : {1.1, 1.5, 2.5, 4.4, 7.7}) {
        const long double Z = z, Q = q, A = alpha;
        auto f = [&](long double x) -> long double {
          const long double u = (2 * x - 1) / (2 * Z * Z);  // log of the likelihood ratio's e-part
          const long double log_r = u > 0 ? u + std::log(Q + (1 - Q) * std::exp(-u)) : std::log((1 - Q) + Q * std::exp(u));
          return std::exp(-x * x / (2 * Z * Z) - std::log(Z * std::sqrt(2 * 3.141592653589793238462643383279502884L)) + A * log_r);
        };
        constexpr long double inf = std::numeric_limits<long double>::infinity();
        long double e1 = 0, e2 = 0;
        const long double integral = gauss_kronrod<long double, 61>::integrate(f, -inf, 0.0L, 15, 1e-16L, &e1) +
                                     gauss_kronrod<long double, 61>::integrate(f, 0.0L, inf, 15, 1e-16L, &e2);
        REQUIRE((e1 + e2) / integral < 1e-15L);
        const double exact = static_cast<double>(std::log(integral) / (A - 1));
        const double v = rdp::subsampled_gaussian(z, q, alpha);
        INFO("z " << z << ", q " << q << ", alpha " << alpha << ": " << v << " vs " << exact);
        CHECK(v >= exact * (1 - 1e-12));
        if (alpha > 4) CHECK(v <= exact * (1 + 1e-3));
      }
}

TEST_CASE("RDP closed forms of Laplace, randomized response and pure DP", "[dp][rdp]") {
  // Laplace: Mironov 2017 Prop. 6, evaluated independently.
  for (double e : {0.1, 1.0, 3.0}) {
    for (double a : {1.5, 2.0, 10.0}) {
      const double expected = std::log(a / (2 * a - 1) * std::exp((a - 1) * e) + (a - 1) / (2 * a - 1) * std::exp(-a * e)) / (a - 1);
      CHECK(rdp::laplace(e, a) == Approx(expected).epsilon(1e-9));
      CHECK(rdp::laplace(e, a) <= e * (1 + 1e-9));
    }
  }
  // Binary RR with keep 3/4 at order 2: log(p²/q + q²/p) = log(9/4 + 1/12) = log(7/3).
  CHECK(rdp::randomized_response(0.75, 2, 2.0) == Approx(std::log(7.0 / 3.0)).epsilon(1e-9));
  CHECK(rdp::pure(std::log(3.0), 2.0) == Approx(std::log(7.0 / 3.0)).epsilon(1e-9));
}

TEST_CASE("epsilon decreases with noise and increases with steps and sampling rate", "[dp][monotone]") {
  for (Accountant a : {Accountant::kRdp, Accountant::kPld}) {
    INFO(to_string(a));
    double prev = INFINITY;
    for (double z : {0.7, 0.9, 1.2, 2.0, 4.0}) {
      const double e = eps_of(Mechanism::subsampled_gaussian(z, 0.01).repeated(1000), 1e-5, a);
      CHECK(e < prev);
      prev = e;
    }
    prev = 0;
    for (std::uint64_t t : {10, 100, 1000, 5000}) {
      const double e = eps_of(Mechanism::subsampled_gaussian(1.0, 0.01).repeated(t), 1e-5, a);
      CHECK(e > prev);
      prev = e;
    }
    prev = 0;
    for (double q : {0.001, 0.01, 0.05, 0.2}) {
      const double e = eps_of(Mechanism::subsampled_gaussian(1.0, q).repeated(100), 1e-5, a);
      CHECK(e > prev);
      prev = e;
    }
  }
}

TEST_CASE("T copies equal T-fold composition", "[dp][composition]") {
  const Mechanism m = Mechanism::subsampled_gaussian(1.0, 0.05);
  Composition once, many;
  REQUIRE(once.add(m.repeated(6)));
  for (int i = 0; i < 6; ++i) REQUIRE(many.add(m));
  for (Accountant a : {Accountant::kRdp, Accountant::kPld}) {
    INFO(to_string(a));
    // Equal up to the PLD's FFT round-off bound, which grows with the number of transforms.
    CHECK(once.epsilon(1e-5, a).value == Approx(many.epsilon(1e-5, a).value).epsilon(1e-7));
    CHECK(once.delta(1.0, a).value == Approx(many.delta(1.0, a).value).epsilon(1e-7));
  }
  // Heterogeneous: Gaussians compose like one Gaussian with z^-2 = Σ z_i^-2 (exactly, in RDP).
  Composition het;
  REQUIRE(het.add(Mechanism::gaussian(2.0)));
  REQUIRE(het.add(Mechanism::gaussian(2.0).repeated(3)));
  const double e1 = het.epsilon(1e-5, Accountant::kRdp).value;
  const double e2 = eps_of(Mechanism::gaussian(1.0), 1e-5, Accountant::kRdp);
  CHECK(e1 == Approx(e2).epsilon(1e-9));
  // and exactly in PLD up to discretisation: analytic Gaussian of z = 1 at δ = 1e-5 is 4.3772.
  const double p = het.epsilon(1e-5, Accountant::kPld).value;
  CHECK(p >= 4.377178095681133);
  CHECK(p <= 4.377178095681133 * 1.001);
}

TEST_CASE("pure compositions are answered exactly at delta 0", "[dp][pure]") {
  Composition c;
  REQUIRE(c.add(Mechanism::laplace(make_rational(1, 10)).repeated(3)));
  REQUIRE(c.add(Mechanism::randomized_response(make_rational(1, 2), 3).repeated(2)));
  REQUIRE(c.add(Mechanism::declared(make_rational(1, 5))));
  const EpsilonResult r = c.epsilon(0.0);
  REQUIRE(r.exact.has_value());
  CHECK(*r.exact == make_rational(3, 2));
  CHECK(r.value >= 1.5);
  CHECK(c.delta(1.5).value == 0);
  // A Gaussian makes δ = 0 unbounded: the explicit infinite state, never NaN.
  REQUIRE(c.add(Mechanism::gaussian(3.0)));
  const EpsilonResult inf = c.epsilon(0.0);
  CHECK(inf.infinite);
  CHECK_FALSE(std::isnan(inf.value));
}

TEST_CASE("declared (epsilon, delta) parts compose soundly", "[dp][declared]") {
  Composition c;
  REQUIRE(c.add(Mechanism::declared(1.0, 1e-6).repeated(2)));
  for (Accountant a : {Accountant::kRdp, Accountant::kPld, Accountant::kAuto}) {
    INFO(to_string(a));
    // Below the declared δ mass nothing holds.
    CHECK(c.epsilon(1e-6, a).infinite);
    const EpsilonResult r = c.epsilon(1e-5, a);
    REQUIRE_FALSE(r.infinite);
    CHECK(r.value <= 2.0 + 1e-9);  // basic composition bound
    CHECK(r.value > 1.0);
  }
}

TEST_CASE("delta(epsilon) and epsilon(delta) agree", "[dp][conversion]") {
  Composition c;
  REQUIRE(c.add(Mechanism::subsampled_gaussian(1.1, 0.01).repeated(500)));
  REQUIRE(c.add(Mechanism::laplace(0.2).repeated(3)));
  for (Accountant a : {Accountant::kRdp, Accountant::kPld}) {
    INFO(to_string(a));
    const EpsilonResult e = c.epsilon(1e-5, a);
    CHECK(c.delta(e.value, a).value <= 1e-5 * (1 + 1e-6));
    CHECK(c.delta(e.value * 0.97, a).value > 1e-5);
  }
}

TEST_CASE("advantage and loss quantile are upper bounds", "[dp][advantage]") {
  // Gaussian with z = 2: the exact membership advantage is 2Φ(1/(2z)) − 1 = TV distance.
  Composition g;
  REQUIRE(g.add(Mechanism::gaussian(2.0)));
  const double tv = 2 * phi(0.25) - 1;
  for (Accountant a : {Accountant::kPld, Accountant::kAuto}) {
    const double adv = g.advantage(a);
    CHECK(adv >= tv);
    CHECK(adv <= tv + 1e-3);
  }
  CHECK(g.advantage(Accountant::kRdp) >= tv);
  // Pure ε = 1: advantage ≤ tanh(1/2).
  Composition p;
  REQUIRE(p.add(Mechanism::laplace(1.0)));
  CHECK(p.advantage() <= std::tanh(0.5) + 1e-12);
  CHECK(p.advantage() >= 0.3);
  // Loss quantile of a Gaussian: L ~ N(μ, 2μ), μ = 1/(2z²).
  const double mu = 1.0 / 8, q = mu + std::sqrt(2 * mu) * 4.264890793922825;  // z_{1e-5}
  const EpsilonResult lq = g.loss_quantile(1e-5);
  CHECK(lq.value >= q);
  CHECK(lq.value <= q * (1 + 1e-9));  // exact for Gaussians
  CHECK(p.loss_quantile(1e-9).value <= 1.0 + 1e-12);  // a pure loss never exceeds ε
}

TEST_CASE("inputs out of range are refused, never thrown", "[dp][validate]") {
  std::string err;
  Composition c;
  CHECK_FALSE(c.add(Mechanism::laplace(-1.0), &err));
  CHECK(err.find("epsilon") != std::string::npos);
  CHECK_FALSE(c.add(Mechanism::gaussian(0.0)));
  CHECK_FALSE(c.add(Mechanism::gaussian(NAN)));
  CHECK_FALSE(c.add(Mechanism::subsampled_gaussian(1.0, 0.0)));
  CHECK_FALSE(c.add(Mechanism::subsampled_gaussian(1.0, 1.5)));
  CHECK_FALSE(c.add(Mechanism::randomized_response_keep(0.3, 3)));  // keep ≤ 1/k
  CHECK_FALSE(c.add(Mechanism::randomized_response_keep(0.9, 1)));
  CHECK_FALSE(c.add(Mechanism::declared(1.0, 1.0)));
  CHECK_FALSE(c.add(Mechanism::gaussian(1.0).repeated(0)));
  CHECK_FALSE(c.add(Mechanism::gaussian(1.0).repeated(2000000000000ULL)));
  CHECK(c.empty());
  CHECK(c.epsilon(-1.0).infinite);
  CHECK(c.epsilon(1e-5).value == 0);
  // Huge repeat counts are never looped: 10^9 uses of a Gaussian.
  Composition big;
  REQUIRE(big.add(Mechanism::gaussian(1e4).repeated(1000000000ULL)));
  const EpsilonResult r = big.epsilon(1e-5, Accountant::kRdp);
  CHECK(std::isfinite(r.value));
}

TEST_CASE("amplification and group privacy helpers", "[dp][amplification]") {
  // FMT 2021 Thm 3.1 closed form, evaluated here independently.
  const double e0 = 1.0, d = 1e-6;
  const std::uint64_t n = 100000;
  const double ee = std::exp(e0);
  const double expected = std::log(1 + (ee - 1) / (ee + 1) * (8 * std::sqrt(ee * std::log(4 / d)) / std::sqrt(double(n)) + 8 * ee / n));
  const auto s = shuffle_epsilon_closed_form(e0, n, d);
  REQUIRE(s);
  CHECK(*s >= expected);
  CHECK(*s == Approx(expected).epsilon(1e-9));
  CHECK(*shuffle_epsilon_closed_form(5.0, 100, d) == 5.0);  // outside the theorem's range: ε0
  CHECK_FALSE(shuffle_epsilon_closed_form(-1, 10, d));
  CHECK_FALSE(shuffle_epsilon(-1, 10, d));
  CHECK(*shuffle_epsilon(e0, n, d) <= *s);  // the numerical bound is used when tighter
  CHECK(distributed_noise_multiplier(1.1, 1, 20) == Approx(1.1 / std::sqrt(20.0)));
  CHECK(distributed_noise_multiplier(1.1, 1, 20) <= 1.1 / std::sqrt(20.0));
  const EpsDelta g = group_privacy(0.5, 1e-6, 3);
  CHECK(g.epsilon == Approx(1.5));
  CHECK(g.epsilon >= 1.5);
  CHECK(g.delta == Approx(3 * std::exp(1.0) * 1e-6));
}

TEST_CASE("PLD discretisation dominates: delta of one Gaussian", "[dp][pld]") {
  // Exact hockey-stick of the Gaussian (Balle & Wang 2018): Φ(−εz + 1/(2z)) − e^ε Φ(−εz − 1/(2z)).
  for (double z : {0.5, 1.0, 3.0}) {
    const auto p = pld::gaussian(z, 1e-4, 1e-15);
    const auto c = pld::compose({{&p, 1}}, 1e-15);
    for (double e : {0.0, 0.5, 1.0, 2.0}) {
      const double exact = phi(-e * z + 1 / (2 * z)) - std::exp(e) * phi(-e * z - 1 / (2 * z));
      CHECK(c.delta(e) >= exact);
      CHECK(c.delta(e) <= exact + 1e-4);
    }
  }
}

TEST_CASE("delta falls back soundly and uses basic composition", "[dp][conversion]") {
  Composition z;
  REQUIRE(z.add(Mechanism::zcdp(0.1)));
  const DeltaResult d = z.delta(1.9142498748403742 * 1.001, Accountant::kPld);  // PLD cannot: RDP answers
  CHECK(d.accountant == Accountant::kRdp);
  CHECK(d.value <= 1e-5);
  Composition dec;
  REQUIRE(dec.add(Mechanism::declared(0.5, 1e-6).repeated(4)));
  const double basic = 1 - std::pow(1 - 1e-6, 4);
  CHECK(dec.delta(2.0 + 1e-9, Accountant::kRdp).value <= basic * (1 + 1e-9));
  CHECK(dec.delta(2.0 + 1e-9, Accountant::kRdp).value >= basic * (1 - 1e-9));
  CHECK(dec.delta(1.0, Accountant::kPld).value >= basic);  // never below the declared mass
}

TEST_CASE("the PLD's FFT round-off bound covers the actual round-off", "[dp][pld][roundoff]") {
  // Compose discretised PLDs by FFT and by direct convolution in long double (accurate to
  // ~1e-18 here); over the composed window the FFT's L1 error must stay within the bound it
  // reports (plus the truncated tails, which alias into the window), and the bound must be small.
  auto direct = [](const pld::Pld& p, int times) {
    std::vector<long double> acc{1.0L};
    for (int t = 0; t < times; ++t) {
      std::vector<long double> next(acc.size() + p.pmf.size() - 1, 0.0L);
      for (std::size_t i = 0; i < acc.size(); ++i)
        for (std::size_t j = 0; j < p.pmf.size(); ++j) next[i + j] += acc[i] * static_cast<long double>(p.pmf[j]);
      acc.swap(next);
    }
    return acc;  // index 0 is loss index times·offset
  };
  struct Case {
    pld::Pld p;
    int times;
  };
  const Case cases[] = {{pld::gaussian(2.0, 1e-2, 1e-15), 12},
                        {pld::subsampled_gaussian(1.0, 0.1, true, 1e-2, 1e-15), 20},
                        {pld::subsampled_gaussian(1.0, 0.1, false, 1e-2, 1e-15), 20},
                        {pld::laplace(0.3, 1e-2), 9}};
  for (const auto& c : cases) {
    const auto composed = pld::compose({{&c.p, static_cast<std::uint64_t>(c.times)}}, 1e-15);
    const auto exact = direct(c.p, c.times);
    const std::int64_t base = c.p.offset * c.times;
    long double l1 = 0;
    for (std::size_t k = 0; k < composed.pmf.size(); ++k) {
      const std::int64_t idx = composed.offset + static_cast<std::int64_t>(k) - base;
      const long double truth = idx >= 0 && idx < static_cast<std::int64_t>(exact.size()) ? exact[static_cast<std::size_t>(idx)] : 0.0L;
      l1 += std::fabs(static_cast<long double>(composed.pmf[k]) - truth);
    }
    INFO("bins " << composed.pmf.size() << ", L1 error " << static_cast<double>(l1) << ", bound " << composed.roundoff
                 << ", truncated " << composed.truncated);
    CHECK(static_cast<double>(l1) <= composed.roundoff + composed.truncated);
    CHECK(composed.roundoff < 1e-10);
    CHECK(composed.roundoff > 0);
  }
  // Two lists at once (the packed transform of the remove and add directions), of two parts
  // each: both results against direct convolution.
  const pld::Pld rem = pld::subsampled_gaussian(1.0, 0.1, true, 1e-2, 1e-15);
  const pld::Pld add = pld::subsampled_gaussian(1.0, 0.1, false, 1e-2, 1e-15);
  const pld::Pld lap = pld::laplace(0.3, 1e-2);
  const std::vector<std::pair<const pld::Pld*, std::uint64_t>> first{{&rem, 15}, {&lap, 3}}, second{{&add, 15}, {&lap, 3}};
  const auto both = pld::compose_pair(first, second, 1e-15);
  auto convolve = [](std::vector<long double> a, const std::vector<long double>& b) {
    std::vector<long double> out(a.size() + b.size() - 1, 0.0L);
    for (std::size_t i = 0; i < a.size(); ++i)
      for (std::size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
    return out;
  };
  for (int which = 0; which < 2; ++which) {
    const pld::Pld& sg = which == 0 ? rem : add;
    const pld::Composed& composed = which == 0 ? both.first : both.second;
    const auto exact = convolve(direct(sg, 15), direct(lap, 3));
    const std::int64_t base = sg.offset * 15 + lap.offset * 3;
    long double l1 = 0;
    for (std::size_t k = 0; k < composed.pmf.size(); ++k) {
      const std::int64_t idx = composed.offset + static_cast<std::int64_t>(k) - base;
      const long double truth = idx >= 0 && idx < static_cast<std::int64_t>(exact.size()) ? exact[static_cast<std::size_t>(idx)] : 0.0L;
      l1 += std::fabs(static_cast<long double>(composed.pmf[k]) - truth);
    }
    INFO("direction " << which << ": L1 error " << static_cast<double>(l1) << ", bound " << composed.roundoff);
    CHECK(static_cast<double>(l1) <= composed.roundoff + composed.truncated);
    CHECK(composed.roundoff < 1e-10);
    CHECK(composed.roundoff > 0);
  }
}

TEST_CASE("tiny losses never round to a zero advantage or delta", "[dp][underflow]") {
  // 10^12 uses of Laplace with ε = 2e-300: its RDP (~1e-588) underflows a double. Rounding it
  // to 0 would claim TV = δ(0) = 0 and advantage 0, below the truth (tanh(1e-288) > 0).
  Composition c;
  REQUIRE(c.add(Mechanism::laplace(*privflow::parse_number("2e-300")).repeated(1000000000000ull)));
  CHECK(c.delta(0, Accountant::kRdp).value > 0);
  CHECK(c.advantage() >= 1e-288 * (1 - 1e-9));
  // ε = 0 at δ = 1e-5 is true here: the total variation is far below δ.
  CHECK(c.epsilon(1e-5, Accountant::kRdp).value >= 0);
}
