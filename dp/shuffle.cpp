// Privacy amplification by shuffling: the numerical bound of Feldman, McMillan & Talwar 2021
// ("Hiding among the clones", Thm 3.2), computed as an upper bound.
//
// Each of the n − 1 other senders is, with probability e^−ε0, a "clone" of the target (half of
// the clones look like the target's report on one input, half on the other). With C clones,
// A ~ Bin(C, ½) of them on the first side and the target's own report Δ ~ Bern(α),
// α = e^ε0/(e^ε0+1), the shuffled output on neighbouring inputs is a post-processing of
//   P = (A+Δ, C−A+1−Δ)   and   Q = (A+1−Δ, C−A+Δ),
// so δ(ε) of the shuffle is at most the hockey-stick divergence of P and Q. Given C = c, with
// k = A + Δ and b the Bin(c, ½) pmf:
//   P_c(k) = α·b(k−1) + (1−α)·b(k),   Q_c(k) = (1−α)·b(k−1) + α·b(k),   k = 0 … c+1.
// P_c/Q_c = (kα + (c+1−k)(1−α)) / (k(1−α) + (c+1−k)α) increases with k, so the optimal set is
// a tail {k ≥ k*} and
//   δ_c = Σ_{k≥k*} P_c − e^ε Q_c = (α − e^ε(1−α))·b(k*−1) − (e^ε − 1)·P[B ≥ k*].
// (k ↦ c+1−k swaps P_c and Q_c, so the reverse divergence is the same.) δ = E_C[δ_c].
//
// δ_c is non-increasing in c: one more clone adds an independent Bern(½) to both P_c and Q_c
// (a post-processing). So a block of clone counts [a, b] is bounded by δ_a, and counting the
// whole of Bin(n−1, e^−ε0) in ~128 blocks costs O(1) binomial evaluations per block instead of
// O(n). Boost.Math's binomial cdf and pdf (computed in long double on this platform) lose
// accuracy as the number of trials grows: against 256-bit MPFR, the pdf of Bin(10^12, 0.37)
// is off by a relative 1.5e-8 (about 0.3·n·2^-64), of Bin(3.7·10^11, 0.9) by 1.9e-9. Every
// term carries a margin of max(1e-10, 8·n·2^-64) relative (25x the worst seen), so the
// result stays an upper bound.
#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "dp/accountant.hpp"
#include "dp/detail/numeric.hpp"

namespace privflow::dp {
namespace {

/// Relative margin on every Boost.Math binomial value with up to n trials (see the top).
double library_error(double n) { return std::max(1e-10, 8 * n * 0x1p-64); }
constexpr double kExactCounts = 4096;    // up to this many clone counts, each is its own block
constexpr double kBlocks = 128;
constexpr double kWindowSigmas = 12;  // beyond ±12σ the mass is bounded crudely (it is ~1e-33)

struct Block {
  double first = 0;  // the smallest clone count of the block; its δ_c bounds the block's
  double mass = 0;   // P[C in the block], rounded up
  bool unbounded = false;  // below the window: δ_c ≤ 1 is used
};

/// The distribution of clone counts C ~ Bin(n−1, e^−ε0), cut into blocks.
std::vector<Block> clone_blocks(double others, double q) {
  if (others == 0 || q == 0) return {{0, 1, false}};
  const boost::math::binomial_distribution<double> dist(others, q);
  const double mu = others * q;
  const double sigma = std::sqrt(others * q * (1 - q));
  const double lo = std::max(0.0, std::floor(mu - kWindowSigmas * sigma - 2));
  const double hi = std::min(others, std::ceil(mu + kWindowSigmas * sigma + 2));
  const double margin = library_error(others);
  auto mass_up = [&](double x) { return x <= 0 ? 0 : detail::up(x, 2 * margin) + 1e-300; };
  // P[a ≤ C ≤ b], each side computed where it is small, so no mass is lost to cancellation.
  auto below = [&](double x) { return x < 0 ? 0.0 : boost::math::cdf(dist, x); };                  // P[C ≤ x]
  auto above = [&](double x) { return x >= others ? 0.0 : boost::math::cdf(complement(dist, x)); };  // P[C > x]
  auto mass = [&](double a, double b) {
    if (a == b) return mass_up(boost::math::pdf(dist, a));
    // Each of the two values is off by at most `margin` of itself, the larger one included.
    if (b <= mu) return mass_up(below(b) - below(a - 1) + 2 * margin * below(b));
    if (a > mu) return mass_up(above(a - 1) - above(b) + 2 * margin * above(a - 1));
    return mass_up(1 - below(a - 1) - above(b) + 2 * margin);
  };
  std::vector<Block> out;
  if (lo > 0) out.push_back({0, mass_up(below(lo - 1)), true});
  const double width = hi - lo + 1 <= kExactCounts ? 1 : std::ceil((hi - lo + 1) / kBlocks);
  for (double a = lo; a <= hi; a += width) out.push_back({a, mass(a, std::min(hi, a + width - 1)), false});
  if (hi < others) out.push_back({hi + 1, mass_up(above(hi)), false});
  return out;
}

/// δ_c for c clones, rounded up (see the top of the file).
double clone_delta(double c, double alpha, double beta, double ee) {
  const boost::math::binomial_distribution<double> half(c, 0.5);
  const double coef = alpha - ee * beta;
  const double t = (c + 1) * (ee * alpha - beta) / ((alpha - beta) * (1 + ee));
  // k* = ⌊t⌋ + 1; its neighbours are tried too, so a rounding of t cannot pick a smaller set.
  const double k0 = std::clamp(std::floor(t) + 1, 1.0, c + 1);
  const double b0 = boost::math::pdf(half, k0 - 1);                        // b(k0−1)
  const double tail0 = k0 > c ? 0.0 : boost::math::cdf(complement(half, k0 - 1));  // P[B ≥ k0]
  // The error of any candidate below: the margin on the largest operands it is made of (a
  // difference such as tail0 − b1 is off by the margin on tail0, not on the difference).
  const double b_up = b0 * std::max(1.0, std::max((k0 - 1) / (c - k0 + 2), (c - k0 + 1) / k0));
  const double err = library_error(c) * (std::abs(coef) * b_up + (ee - 1) * (tail0 + b_up));
  double best = 0;
  auto consider = [&](double b, double tail) { best = std::max(best, coef * b - (ee - 1) * tail + err); };
  consider(b0, tail0);
  if (k0 >= 2) consider(b0 * (k0 - 1) / (c - k0 + 2), tail0 + b0);  // k = k0 − 1
  if (k0 <= c) {                                                     // k = k0 + 1
    const double b1 = b0 * (c - k0 + 1) / k0;
    consider(b1, std::max(0.0, tail0 - b1));
  }
  return std::min(1.0, best);
}

struct ShuffleSetup {
  double alpha = 0, beta = 0;
  std::vector<Block> blocks;
};

ShuffleSetup setup(double e0, std::uint64_t n) {
  ShuffleSetup s;
  const double q = std::exp(-e0);
  s.alpha = 1 / (1 + q);
  s.beta = q / (1 + q);
  s.blocks = clone_blocks(static_cast<double>(n - 1), q);
  return s;
}

/// δ(ε) for ε in [0, ε0): the blocks' masses times their δ_c, rounded up.
double delta_at(const ShuffleSetup& s, double eps) {
  if (eps > 700) return 1;  // e^ε overflows; only reached with ε0 > 700, where δ ≤ 1 is all we claim
  const double ee = std::exp(eps);
  double sum = 0;
  for (const Block& b : s.blocks) sum += b.mass * (b.unbounded ? 1.0 : clone_delta(b.first, s.alpha, s.beta, ee));
  return std::min(1.0, detail::up(sum, 1e-9));
}

/// The smallest ε, to a relative 1e-9, whose δ(ε) is certified ≤ delta. δ(ε) is
/// non-increasing and log δ(ε) nearly linear near the answer, so regula falsi on log δ (the
/// Illinois variant) brackets it in a few evaluations; `hi` is always a certified point.
double search_epsilon(const ShuffleSetup& s, double e0, std::uint64_t n, double delta) {
  const double target = std::log(delta);
  auto g = [&](double eps) { return std::log(delta_at(s, eps)) - target; };  // ≤ 0: certified
  double lo = 0, hi = e0;  // δ(ε0) = 0
  double g_lo = g(lo), g_hi = -detail::kInf;
  if (g_lo <= 0) return 0.0;
  if (auto closed = shuffle_epsilon_closed_form(e0, n, delta); closed && *closed < hi) {
    const double v = g(*closed);
    (v <= 0 ? hi : lo) = *closed;
    (v <= 0 ? g_hi : g_lo) = v;
  }
  int side = 0;  // which end was kept last time (Illinois: halve its value when kept twice)
  for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; ++i) {
    double mid = std::isfinite(g_hi) ? hi - g_hi * (hi - lo) / (g_hi - g_lo) : lo + (hi - lo) / 2;
    // Stay well inside the bracket so that each step shrinks it.
    const double margin = (hi - lo) * 1e-3;
    mid = std::clamp(mid, lo + margin, hi - margin);
    if (!(mid > lo && mid < hi)) break;
    const double v = g(mid);
    if (v <= 0) {
      hi = mid, g_hi = v;
      if (side == +1) g_lo /= 2;
      side = +1;
    } else {
      lo = mid, g_lo = v;
      if (side == -1) g_hi /= 2;
      side = -1;
    }
  }
  return hi;
}

bool valid(double e0, std::uint64_t n) { return std::isfinite(e0) && e0 >= 0 && n >= 1; }

/// The largest point ≤ n of a fixed grid: every count up to 64, then 32 points per octave.
/// A bound for fewer senders holds for more (the extra reports are independent of the target,
/// so the larger multiset is a post-processing of the smaller one and those reports). On this
/// grid neighbouring answers differ by far more than the search's tolerance and the blocks'
/// slack, so the ε returned never grows with n — which the coalition search relies on — and a
/// search that tries many counts meets few distinct ones. It costs at most 1.1 % of ε.
std::uint64_t grid_floor(std::uint64_t n) {
  constexpr std::uint64_t kExact = 64;
  if (n <= kExact) return n;
  int j = static_cast<int>(std::floor(32 * std::log2(static_cast<double>(n) / kExact)));
  auto point = [](int i) { return static_cast<std::uint64_t>(std::floor(kExact * std::exp2(i / 32.0))); };
  while (j > 0 && point(j) > n) --j;
  return point(j);
}

/// Answers already computed (a coalition search asks again and again), bounded.
double remembered(double e0, std::uint64_t n, double delta, double (*compute)(double, std::uint64_t, double)) {
  static std::mutex mu;
  static std::map<std::tuple<double, std::uint64_t, double>, double> memo;
  const auto key = std::make_tuple(e0, n, delta);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
  }
  const double v = compute(e0, n, delta);
  std::lock_guard<std::mutex> lock(mu);
  if (memo.size() >= 4096) memo.clear();
  memo[key] = v;
  return v;
}

}  // namespace

std::optional<double> shuffle_delta(double e0, std::uint64_t n, double eps) {
  if (!valid(e0, n) || !(eps >= 0)) return std::nullopt;
  if (e0 == 0 || eps >= e0) return 0.0;  // P_c/Q_c never exceeds α/(1−α) = e^ε0
  try {
    return delta_at(setup(e0, n), eps);
  } catch (const std::exception&) {  // a Boost.Math evaluation error: claim nothing
    return 1.0;
  }
}

std::optional<double> shuffle_epsilon_numerical(double e0, std::uint64_t n, double delta) {
  if (!valid(e0, n) || !(delta > 0 && delta < 1)) return std::nullopt;
  if (e0 == 0) return 0.0;
  return remembered(e0, grid_floor(n), delta, [](double local, std::uint64_t senders, double target_delta) {
    try {
      return search_epsilon(setup(local, senders), local, senders, target_delta);
    } catch (const std::exception&) {  // a Boost.Math evaluation error: the local ε still holds
      return local;
    }
  });
}

std::optional<double> shuffle_epsilon(double e0, std::uint64_t n, double delta) {
  auto closed = shuffle_epsilon_closed_form(e0, n, delta);
  auto numerical = shuffle_epsilon_numerical(e0, n, delta);
  if (!closed || !numerical) return std::nullopt;
  return std::min({*closed, *numerical, e0});
}

}  // namespace privflow::dp
