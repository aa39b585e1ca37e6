// Composition of privacy loss distributions (dp/pld.hpp) by FFT: the spectra of the parts are
// multiplied (each raised to its count), the round-off of every transform bounded, and the
// tails beyond the composed range counted as infinite loss (pessimistic) or dropped (optimistic).
#include "dp/pld.hpp"

#include <kissfft/kissfft.hh>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <new>
#include <utility>
#include <type_traits>

#include "dp/detail/numeric.hpp"

namespace privflow::dp::pld::plan_detail {

/// Prefaults the pages of [p, p + bytes) in one system call (MADV_POPULATE_WRITE, Linux 5.14;
/// elsewhere a no-op): a cold plan's twiddles were faulted in one 4 KiB page at a time, and on
/// a virtual machine those faults were ~15 ms of a cold `privflow account` at δ 1e-8.
inline void prefault(void* p, std::size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)p, (void)bytes;
#endif
}

inline void sin_cos(long double x, long double* s, long double* c) { ::sincosl(x, s, c); }
inline void sin_cos(double x, double* s, double* c) { ::sincos(x, s, c); }

/// kissfft's twiddles w_k = exp(∓2πik/n) (− forward), from sin and cos in the first octant only.
/// 8k = octant·n + rest: the angle 2πk/n is octant·π/4 + (π/4)·rest/n; the odd octants are
/// measured back from the next multiple of π/2, then the quadrant rotates (swaps and signs:
/// exact). The phase error of each twiddle is that of (π/4)·m/n (3 roundings), below the 4πu
/// the round-off bound below assumes; tests/dp/pld_adaptive_test.cpp checks the precisions
/// against each other. The angles (π/4)·m/n that occur have m a multiple of g = gcd(8, n):
/// with g ≥ 4 each is computed once, in a table (n/g + 1 sincos instead of n/2).
template <class R>
void twiddles(std::vector<std::complex<R>>& tw, std::size_t n, bool inverse) {
  tw.reserve(n);
  prefault(tw.data(), n * sizeof(std::complex<R>));
  tw.resize(n);
  const R quarter_pi = static_cast<R>(0.785398163397448309615660845819875721L);
  const std::size_t g = std::gcd<std::size_t>(8, n);
  std::vector<std::pair<R, R>> table;  // (sin, cos) of (π/4)·(g·j)/n
  if (g >= 4) {
    table.resize(n / g + 1);
    for (std::size_t j = 0; j <= n / g; ++j)
      sin_cos(quarter_pi * (static_cast<R>(g * j) / static_cast<R>(n)), &table[j].first, &table[j].second);
  }
  std::size_t octant = 0, rest = 0;  // 8k = octant·n + rest, kept by increments (no divisions)
  for (std::size_t k = 0; 2 * k <= n; ++k, rest += 8) {  // the rest mirrored: w_{n−k} = conj(w_k)
    while (rest >= n) rest -= n, ++octant;
    const bool odd = octant % 2 != 0;
    const std::size_t m = odd ? n - rest : rest;
    R c, sn;
    if (g >= 4) sn = table[m / g].first, c = table[m / g].second;
    else sin_cos(quarter_pi * (static_cast<R>(m) / static_cast<R>(n)), &sn, &c);
    if (odd) std::swap(c, sn);  // cos(π/2 − φ) = sin φ
    R x = c, y = sn;  // rotated by the quadrant (octant / 2) · π/2
    switch (octant / 2) {
      case 1: x = -sn, y = c; break;
      case 2: x = -c, y = -sn; break;
      case 3: x = sn, y = -c; break;
      default: break;
    }
    tw[k] = std::complex<R>(x, inverse ? y : -y);  // the forward transform turns by −2πk/n
    if (k > 0) tw[n - k] = std::conj(tw[k]);
  }
}

/// The factorisation of kissfft's constructor: 4s, then 2s, then 3, 5, 7, …
inline void factors(std::size_t n, std::vector<std::size_t>& radix, std::vector<std::size_t>& remainder) {
  std::size_t p = 4;
  do {
    while (n % p) {
      switch (p) {
        case 4: p = 2; break;
        case 2: p = 3; break;
        default: p += 2; break;
      }
      if (p * p > n) p = n;
    }
    n /= p;
    radix.push_back(p);
    remainder.push_back(n);
  } while (n > 1);
}

}  // namespace privflow::dp::pld::plan_detail

// kissfft's constructor computes each twiddle as std::exp(i·k·(∓2π/n)); in long double,
// glibc's sinl and cosl reduce every argument above π/4 with the multi-precision
// __kernel_rem_pio2, and the plans of one cold `privflow account` at a small δ took ~40 ms.
// These explicit specializations of that constructor (Debian 12's kissfft 131.1.0; the
// members are the header's) build the same plan from first-octant values (plan_detail).
template <>
inline kissfft<long double>::kissfft(const std::size_t nfft, const bool inverse) : _nfft(nfft), _inverse(inverse) {
  privflow::dp::pld::plan_detail::twiddles(_twiddles, _nfft, inverse);
  privflow::dp::pld::plan_detail::factors(_nfft, _stageRadix, _stageRemainder);
}
template <>
inline kissfft<double>::kissfft(const std::size_t nfft, const bool inverse) : _nfft(nfft), _inverse(inverse) {
  privflow::dp::pld::plan_detail::twiddles(_twiddles, _nfft, inverse);
  privflow::dp::pld::plan_detail::factors(_nfft, _stageRadix, _stageRemainder);
}

namespace privflow::dp::pld {
namespace {

/// The transforms' work buffers: base/large_buffer.hpp (huge pages, kept for the next level
/// and the next query: a cold process faulted them in 4 KiB at a time).
template <class T>
using WorkVector = LargeVector<T>;

using detail::kInf;
/// Unit round-off of R: 2^-53 for double, 2^-64 for x87 long double (the extended transforms).
template <class R>
constexpr double kUnitOf = static_cast<double>(std::numeric_limits<R>::epsilon()) / 2;

/// Relative cost of a transform of size n (kissfft factors 4s, then 2s, then 3s and 5s): n
/// times the cost per point of each butterfly stage, measured for long double transforms of
/// ~64k points on the development machine (ns: radix 4: 21.8, 2: 25, 3: 19.8, 5: 28.5; per
/// unit of log n, 4 is the cheapest and 2 the dearest). 4·3^9 = 78732 points cost 12 % more
/// than 4^7·5 = 81920.
double transform_cost(std::size_t n) {
  double per_point = 0;
  while (n % 4 == 0) n /= 4, per_point += 21.8;
  while (n % 2 == 0) n /= 2, per_point += 25;
  while (n % 3 == 0) n /= 3, per_point += 19.8;
  while (n % 5 == 0) n /= 5, per_point += 28.5;
  return per_point;
}

/// The cheapest transform size ≥ n of the form 2^a·3^b·5^c (transform_cost times the size).
std::size_t fast_size(std::size_t n) {
  std::size_t best = 1;
  while (best < n) best *= 2;
  double best_cost = static_cast<double>(best) * transform_cost(best);
  for (std::size_t p2 = 1; p2 < 2 * n; p2 *= 2)
    for (std::size_t p3 = p2; p3 < 2 * n; p3 *= 3)
      for (std::size_t p5 = p3; p5 < 2 * n; p5 *= 5) {
        if (p5 < n) continue;
        const double cost = static_cast<double>(p5) * transform_cost(p5);
        if (cost < best_cost) best = p5, best_cost = cost;
      }
  return best;
}

/// The forward plan of size n, cached. The inverse transform uses it too, by conjugation: a
/// plan's set-up (sincos of every twiddle) was a quarter of a cold `privflow account`, and
/// one plan instead of two halves it.
template <class R>
std::shared_ptr<const kissfft<R>> plan(std::size_t n) {
  static std::mutex mu;
  static std::map<std::size_t, std::shared_ptr<const kissfft<R>>> plans;
  std::lock_guard<std::mutex> lock(mu);
  auto& p = plans[n];
  if (!p) {
    if (plans.size() > 16) plans.clear();  // bounded cache; holders keep their plan alive
    auto made = std::make_shared<const kissfft<R>>(n, false);
    plans[n] = made;
    return made;
  }
  return p;
}

template <class R>
inline std::complex<R> mul(std::complex<R> a, std::complex<R> b) {  // plain product (no C99 Annex G inf/NaN recovery: none occur)
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

template <class R>
std::complex<R> power(std::complex<R> z, std::uint64_t t) {  // repeated squaring
  std::complex<R> r(1, 0);
  while (t) {
    if (t & 1) r = mul(r, z);
    t >>= 1;
    if (t) {
      z = mul(z, z);
      if (z.real() * z.real() + z.imag() * z.imag() < R(1e-300)) return t ? std::complex<R>(0, 0) : r;  // |z|^(2k) underflows: z^t ≈ 0
    }
  }
  return r;
}

}  // namespace

namespace {

using Parts = std::vector<std::pair<const Pld*, std::uint64_t>>;

constexpr double kUnit = 0x1p-53;

// The Chernoff bound below tries these t (and −t) and keeps the best.
constexpr double kChernoffT[] = {0.05, 0.15, 0.4, 0.7, 1, 1.5, 2.2, 3.2, 4.5, 6.5, 9, 13, 20, 32, 64, 200};
constexpr int kNumT = sizeof kChernoffT / sizeof kChernoffT[0];

/// log Σ_k pmf_k e^{sign·t·ε_k} for one part and every t of kChernoffT, rounded up, by
/// multiplicative recurrences from the largest term. The recurrences of the different t are
/// independent and run side by side (one pass over the pmf, and no serial dependency chain).
void log_mgfs(const Pld& p, int sign, double t_scale, double out[kNumT]) {
  std::size_t first = 0, last = p.pmf.size();
  while (first < last && !(p.pmf[first] > 0)) ++first;
  while (last > first && !(p.pmf[last - 1] > 0)) --last;
  if (first == last) {
    std::fill(out, out + kNumT, -kInf);
    return;
  }
  double s[kNumT] = {}, f[kNumT], r[kNumT];
  for (int j = 0; j < kNumT; ++j) f[j] = 1, r[j] = std::exp(-kChernoffT[j] * t_scale * p.h);
  const std::size_t anchor = sign > 0 ? last - 1 : first;
  if (sign > 0) {
    for (std::size_t k = last; k-- > first;)
      for (int j = 0; j < kNumT; ++j) s[j] += p.pmf[k] * f[j], f[j] *= r[j];
  } else {
    for (std::size_t k = first; k < last; ++k)
      for (int j = 0; j < kNumT; ++j) s[j] += p.pmf[k] * f[j], f[j] *= r[j];
  }
  // Rounding: r, its powers and the sum are each within a relative (count+1)·u; terms that
  // underflowed are below 2^-1022 each, and the pmf sums to at most 1.
  const double up = 1 + 4 * static_cast<double>(last - first + 1) * kUnit;
  const double e_anchor = static_cast<double>(p.offset + static_cast<std::int64_t>(anchor)) * p.h;
  for (int j = 0; j < kNumT; ++j) out[j] = sign * kChernoffT[j] * t_scale * e_anchor + std::log(s[j] * up + 0x1p-1000);
}

struct Range {
  std::int64_t base = 0;  // loss index of the natural lowest point (Σ offsets)
  std::int64_t lo = 0, hi = 0;
  double inf_mass = 0, truncated = 0;
};

/// Standard deviation of the composed loss (Σ times·variance of the parts' discrete losses).
double composed_spread(const Parts& parts) {
  double var = 0;
  for (auto [p, times] : parts) {
    double m0 = 0, m1 = 0, m2 = 0;
    for (std::size_t k = 0; k < p->pmf.size(); ++k) {
      const double x = static_cast<double>(k) * p->h;  // relative to the offset: no cancellation
      m0 += p->pmf[k], m1 += p->pmf[k] * x, m2 += p->pmf[k] * x * x;
    }
    if (m0 > 0) var += static_cast<double>(times) * std::max(0.0, m2 / m0 - (m1 / m0) * (m1 / m0));
  }
  return std::sqrt(var);
}

/// Loss indices beyond ±kFarIndex are saturated there: a window that wide is far past the
/// memory guard (pld_composition.cpp), which refuses it, and differences of two such indices
/// stay within int64.
constexpr double kFarIndex = 0x1p61;
std::int64_t saturated_index(double x) {
  return static_cast<std::int64_t>(x > kFarIndex ? kFarIndex : x < -kFarIndex ? -kFarIndex : x);
}

Range composed_range(const Parts& parts, double tail) {
  Range g;
  double base = 0, spread = 0, max_idx = 0, log_finite = 0;  // in double: Σ offset·uses may pass int64
  const double h = parts.front().first->h;
  for (auto [p, t] : parts) {
    base += static_cast<double>(p->offset) * static_cast<double>(t);
    spread += std::abs(static_cast<double>(p->offset)) * static_cast<double>(t);
    max_idx += static_cast<double>(p->pmf.size() - 1) * static_cast<double>(t);
    log_finite += static_cast<double>(t) * std::log1p(-std::min(p->inf_mass, 1.0));
  }
  g.inf_mass = -std::expm1(log_finite);
  // Chernoff: P(S ≥ u) ≤ M(t)e^{−tu} for t > 0, P(S ≤ u) ≤ M(−t)e^{tu}; M of the
  // (sub-probability) discretised parts, so the bound covers the discrete S exactly.
  const double log_tail = std::log(tail);
  // The t above suit a composed loss of spread ~1; a much narrower one (tiny ε: noise 1e4)
  // needs larger t, else its range comes out far too wide: scale t by 1/(100·spread) then.
  const double t_scale = std::max(1.0, 0.01 / std::max(composed_spread(parts), 1e-300));
  double lower = -kInf, upper = kInf;
  for (int sign : {1, -1}) {
    double lm[kNumT] = {}, part[kNumT];
    for (auto [p, times] : parts) {
      log_mgfs(*p, sign, t_scale, part);
      for (int j = 0; j < kNumT; ++j) lm[j] += static_cast<double>(times) * part[j];
    }
    for (int j = 0; j < kNumT; ++j) {
      const double t = sign * kChernoffT[j] * t_scale;
      if (sign > 0) upper = std::min(upper, (lm[j] - log_tail) / t);
      else lower = std::max(lower, (lm[j] - log_tail) / t);
    }
  }
  // Exact in int64 while no product can overflow. Beyond, no window is placed (a saturated one
  // would put the mass at smaller losses than its own): the widest is returned, which the
  // memory guard refuses for its size.
  if (!(spread < kFarIndex)) {
    g.base = saturated_index(base);
    g.lo = -saturated_index(kFarIndex);
    g.hi = saturated_index(kFarIndex);
    return g;
  }
  for (auto [p, t] : parts) g.base += p->offset * static_cast<std::int64_t>(t);
  const double nat_lo = static_cast<double>(g.base), nat_hi = nat_lo + max_idx;
  // A bound that is not finite (a part with no finite mass, or e^{t·ε} beyond a double) says
  // nothing: that side keeps its natural end, which truncates nothing.
  double lo = std::isfinite(lower) ? std::clamp(std::floor(lower / h) - 1, nat_lo, nat_hi) : nat_lo;
  double hi = std::isfinite(upper) ? std::clamp(std::ceil(upper / h) + 1, nat_lo, nat_hi) : nat_hi;
  if (hi < lo) hi = lo;
  g.lo = saturated_index(lo);
  g.hi = saturated_index(hi);
  g.truncated = (lo > nat_lo ? tail : 0.0) + (hi < nat_hi ? tail : 0.0);
  return g;
}

/// Adds a part's pmf into one component (0 real, 1 imaginary) of the complex buffer z of size
/// n, wrapped modulo n (a part wider than the composed window wraps).
template <class R>
void place(const Pld& p, std::size_t n, int component, WorkVector<std::complex<R>>& z) {
  R* d = reinterpret_cast<R*>(z.data());  // array access to std::complex is allowed
  for (std::size_t k = 0, pos = 0; k < p.pmf.size(); ++k, pos = pos + 1 == n ? 0 : pos + 1) d[2 * pos + component] += p.pmf[k];
}

/// The window g of one component of the inverse transform (unscaled: times 1/n here).
template <class R>
Composed extract(const WorkVector<std::complex<R>>& y, int component, std::size_t n, const Range& g, double h,
                 double roundoff, bool optimistic) {
  Composed out;
  out.h = h;
  out.optimistic = optimistic;
  const auto need = static_cast<std::size_t>(g.hi - g.lo + 1);
  out.offset = g.lo;
  out.pmf.reserve(need);
  const auto nn = static_cast<std::int64_t>(n);
  const R inv_n = R(1) / static_cast<R>(n);
  const R* d = reinterpret_cast<const R*>(y.data()) + component;
  auto pos = static_cast<std::size_t>((((g.lo - g.base) % nn) + nn) % nn);  // of loss index g.lo
  while (out.pmf.size() < need) {  // at most two runs: to the end of the buffer, then from 0
    const std::size_t end = std::min(n, pos + (need - out.pmf.size()));
    for (std::size_t k = pos; k < end; ++k) out.pmf.push_back(std::max(0.0, static_cast<double>(d[2 * k] * inv_n)));
    pos = 0;
  }
  // Round-off: a proven bound on the L1 error of the window (see Spectrum); the δ of
  // any ε moves by at most that much, so it is counted as δ.
  out.truncated = g.truncated;
  out.roundoff = std::isfinite(roundoff) ? roundoff : 1.0;
  // The optimistic side subtracts both (wrapped tails only add to the window's bins).
  out.inf_mass = optimistic ? g.inf_mass - out.truncated - out.roundoff : g.inf_mass + out.truncated + out.roundoff;
  out.finalize();
  return out;
}

/// Number of butterfly stages kissfft uses for size n: it factors out 4s, then 2s, then odd
/// factors (fast_size gives only 3s and 5s).
int fft_stages(std::size_t n) {
  int stages = 0;
  for (std::size_t p : {4, 2, 3, 5})
    while (n % p == 0) n /= p, ++stages;
  for (std::size_t p = 7; n > 1; p += 2)
    while (n % p == 0) n /= p, ++stages;
  return stages;
}

// FFT round-off, bounded (not estimated). Notation: u = 2^-53; a stage of kissfft's mixed-radix
// decimation-in-time FFT computes each node as Σ_j w_j·in_j over r ≤ 5 inputs with twiddles
// w_j = exp(iθ) whose phase θ = i·(2π/n) is off by at most 4πu (plus 1 ulp in cos, sin): each
// node's new error is at most kStageError·u·Σ_j |in_j| (radix 5, the worst: ≈ 36u; we take
// 64u). In the tree of one output, the nodes of a stage are partial DFTs of disjoint parts of
// the input, so their |inputs| sum to at most ||x||₁ (forward) or Σ_f |X_f| (inverse): an
// output's error is at most kStageError·u·stages·(that sum) (first order; the factor
// kSlack covers the second-order terms for the sizes allowed here).
//  - forward: |X̃_f − X_f| ≤ e1 = kStageError·u·stages·(||x1||₁ + ||x2||₁) + separation;
//  - power: |X̃^T − X^T| ≤ T·e1·m^(T−1) with m = |X̃| + e1 ≥ max(|X̃|, |X|) (mean value), and
//    repeated squaring adds a relative error of at most 3u per product, doubled along each
//    squaring chain: ≤ 3u·(T + 64)·m^T; when m^T < 2^-1000 the power is taken as 0, off by
//    at most m^T;
//  - products over parts add their errors, each times the others' magnitudes;
//  - inverse: y = IDFT(Y)/n is linear, so by Parseval the error it carries has L2 norm
//    ||ΔY||₂/√n, and L1 over the `need` bins read at most √(need/n)·||ΔY||₂; the inverse's own
//    round-off is at most kStageError·u·stages·Σ_f|Y_f|/n per bin, and scaling by 1/n adds u·|y|.
// Since δ(ε) = Σ_j p_j (1 − e^(ε−ε_j))⁺ weighs each bin by at most 1, δ moves by at most the
// L1 error. Clipping negative values to 0 only brings them closer to the true (≥ 0) values.
constexpr double kStageError = 64;
constexpr double kSlack = 1.01;

/// |z| rounded up: sqrt(re² + im²) is within 2u of it (no overflow for these magnitudes ≤ 2),
/// and cheaper than std::abs's hypot.
/// (In long double, then rounded to double: the factor covers that rounding too.)
template <class R>
inline double magnitude(std::complex<R> z) {
  return static_cast<double>(std::sqrt(z.real() * z.real() + z.imag() * z.imag())) * (1 + 4 * kUnit);
}

/// A bound 2^e > x for 0 ≤ x < 1, from the exponent bits (x = 0 or subnormal: 2^-1022).
inline int exponent_above(double x) {
  const auto biased = static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff);
  return std::max(biased, 1) - 1022;
}

/// The product of the parts' spectra raised to their powers, at frequencies 0..n/2 (the rest
/// is its mirror image: the inputs are real), with per frequency an upper bound on
/// |computed − exact| and on the magnitudes of both (for the next part's error terms). One
/// record per frequency: the loop streams through a single array.
template <class R>
struct Spectrum {
  static constexpr double u = kUnitOf<R>;  // the arithmetic's unit; bounds are kept in double
  using C = std::complex<R>;
  struct Entry {
    C value;
    double err, mag;
  };
  WorkVector<Entry> at;
  /// Sizes for a new product; its first part overwrites the entries (`first` below), so only
  /// an empty product is initialised here.
  void start(std::size_t half, bool empty) {
    if (empty) at.assign(half, Entry{C(1, 0), 0.0, 1.0});
    else at.clear(), at.resize(half);  // cleared: a larger size moves no stale entries
  }
  /// Multiplies in base^t, base computed with error at most e1; `first`: the product so far is 1.
  void multiply(std::size_t f, C base, std::uint64_t t, double e1, bool first) {
    const double b = magnitude(base), td = static_cast<double>(t), big = b + e1;
    C pw(0, 0);
    double part_err, part_mag;
    if (t > 1 && big < 1 && td * exponent_above(std::nextafter(big, 1.0)) <= -1000.0) {
      part_err = part_mag = 0x1p-1000;  // |base^t| ≤ big^t < 2^-1000: taken as 0
    } else {
      pw = power(base, t);
      const double pt = magnitude(pw) + 1e-150;  // |b̃^t| (underflow: ≤ 1e-150)
      double m_t1;                                // ≥ (|b̃| + e1)^(t−1)
      if (t == 1) m_t1 = 1;
      else if (b > 0 && (td - 1) * e1 <= 1e-3 * b) m_t1 = pt / b * 1.0011;  // (1 + e1/b)^(t−1) ≤ e^0.001
      else m_t1 = std::pow(big, td - 1) * kSlack;
      const double m_t = m_t1 * big;
      part_err = td * e1 * m_t1 + 3 * u * (td + 64) * m_t;
      part_mag = m_t * (1 + 3 * u * (td + 64));
    }
    Entry& e = at[f];
    if (first) {  // the general case below with value 1, err 0, mag 1 (the same roundings)
      e = Entry{pw, (part_err + 3 * u * part_mag) * kSlack, part_mag};
      return;
    }
    e.value = mul(e.value, pw);
    e.err = (e.err * part_mag + part_err * e.mag + 3 * u * e.mag * part_mag) * kSlack;
    e.mag *= part_mag;
  }
  C value(std::size_t f) const { return at[f].value; }
  /// L2 norm of the error over all n frequencies (the mirrored ones counted again).
  double l2(std::size_t n) const {
    double s = 0;
    for (std::size_t f = 0; f < at.size(); ++f) s += (f == 0 || 2 * f == n ? 1.0 : 2.0) * at[f].err * at[f].err;
    return std::sqrt(s) * kSlack;
  }
};

}  // namespace

double composed_bins(const Parts& parts, double tail) {
  if (parts.empty()) return 1;
  const Range g = composed_range(parts, tail);
  return static_cast<double>(g.hi - g.lo + 1);
}

namespace {
/// One use of one part needs no transform (and so no round-off): the part is the result.
bool single_use(const Parts& parts) { return parts.size() == 1 && parts.front().second == 1; }
Composed as_composed(const Pld& p, bool optimistic) {
  Composed out;
  out.h = p.h;
  out.offset = p.offset;
  out.pmf = p.pmf;
  out.inf_mass = p.inf_mass;
  out.optimistic = optimistic;
  out.finalize();
  return out;
}
}  // namespace

namespace {

/// `shared` when it holds the type asked for, else `own`.
template <class CI, class C>
WorkVector<CI>& pick_buffer(WorkVector<C>& shared, WorkVector<CI>& own) {
  if constexpr (std::is_same_v<C, CI>) return shared;
  else return own;
}

/// The transforms in arithmetic RF (forward, the spectra and their powers) and RI (inverse):
/// double; or long double for the forward side only (kMixed), where the round-off bound is
/// ruled by the forward transform's error, which the powers multiply by the number of uses;
/// or long double throughout (kExtended), where the inverse's own round-off would still
/// swallow a small δ. A long double transform costs ~10 double ones (x87), so kMixed nearly
/// halves the time of kExtended.
template <class RF, class RI>
std::pair<Composed, Composed> compose_pair_in(const Parts& first, const Parts& second, double tail, bool optimistic,
                                              bool copy_same) {
  using C = std::complex<RF>;
  using CI = std::complex<RI>;
  constexpr double u = kUnitOf<RF>, ui = kUnitOf<RI>;
  const double h = first.front().first->h;
  const bool same = &first == &second;
  const Range g1 = composed_range(first, tail), g2 = same ? g1 : composed_range(second, tail);
  const auto need = static_cast<std::size_t>(std::max(g1.hi - g1.lo, g2.hi - g2.lo) + 1);
  const std::size_t n = fast_size(std::max<std::size_t>(need, 2)), half = n / 2 + 1;
  const auto fwd = plan<RF>(n);
  // Work buffers are reused across calls (per thread) to avoid page-faulting fresh memory.
  thread_local WorkVector<C> z, spec;
  thread_local Spectrum<RF> s1, s2;
  s1.start(half, first.empty());
  if (!same) s2.start(half, second.empty());
  // Cleared first: growing to a finer level's size then copies no stale values (every entry
  // is written before it is read).
  z.clear(), z.resize(n);
  spec.clear(), spec.resize(n);
  const double stages = fft_stages(n);
  auto mass = [](const Pld& p) {
    double m = 0;
    for (double v : p.pmf) m += std::abs(v);
    return m * kSlack;
  };
  const std::size_t parts = std::max(first.size(), second.size());
  for (std::size_t i = 0; i < parts; ++i) {
    // Two real sequences in one complex FFT: z = x1 + i·x2.
    const bool has1 = i < first.size(), has2 = !same && i < second.size();
    std::fill(z.begin(), z.end(), C(0, 0));
    if (has1) place(*first[i].first, n, 0, z);
    if (has2) place(*second[i].first, n, 1, z);
    fwd->transform(z.data(), spec.data());
    // Error of each separated spectrum: the packed transform's, plus placing (wrapped sums)
    // and separating (a half-sum: 2u of its size, ≤ the mass).
    const double l1 = (has1 ? mass(*first[i].first) : 0) + (has2 ? mass(*second[i].first) : 0);
    const double e1 = (kStageError * u * stages * l1 + 4 * u * l1) * kSlack;
    // The inputs are real, so every spectrum is conjugate-symmetric, and so is everything
    // computed from it, bit for bit (conjugation and negation are exact, and mul's arithmetic
    // is the same on the mirrored values): only frequencies 0..n/2 are computed.
    for (std::size_t f = 0; f < half; ++f) {
      const C a = spec[f], b = std::conj(spec[f == 0 ? 0 : n - f]);
      if (has1) s1.multiply(f, RF(0.5) * (a + b), first[i].second, e1, i == 0);
      if (has2) s2.multiply(f, C(0, -0.5) * (a - b), second[i].second, e1, i == 0);
    }
  }
  // Both results are real: one inverse FFT of Y1 + i·Y2, the upper half mirrored. Either
  // result's real (imaginary) part also carries the other's error, whose exact inverse is
  // real (imaginary).
  // In one arithmetic the inverse reuses the forward buffers (fresh pages cost a cold run).
  thread_local WorkVector<CI> own_w, own_out;
  WorkVector<CI>& w = pick_buffer<CI>(z, own_w);
  WorkVector<CI>& out = pick_buffer<CI>(spec, own_out);
  w.resize(n);
  out.resize(n);
  // Rounding RF to RI moves each component by at most ui of itself, so the value by ui·|y|:
  // an error of L2 norm ≤ ui·(Σ|y|²)^½ on top of the spectrum's (nothing when RI is RF).
  double spectrum_l1 = 0, spectrum_sq = 0;
  for (std::size_t f = 0; f < n; ++f) {
    const bool low = f < half;
    const std::size_t g = low ? f : n - f;
    const C y1 = low ? s1.value(g) : std::conj(s1.value(g));
    const C y = same ? y1 : y1 + C(0, 1) * (low ? s2.value(g) : std::conj(s2.value(g)));
    const double m = magnitude(y);
    spectrum_l1 += m;
    spectrum_sq += m * m;
    // The inverse transform as conj(DFT(conj(·))): conjugation is exact, so the bounds of a
    // forward transform hold (and one plan serves both directions).
    w[f] = CI(static_cast<RI>(y.real()), -static_cast<RI>(y.imag()));
  }
  const double conversion_l2 = std::is_same_v<RF, RI> ? 0.0 : ui * std::sqrt(spectrum_sq) * kSlack;
  spectrum_l1 *= 1 + 4 * ui;  // |RI(y)| ≤ |y|(1 + ui): the inverse reads the rounded values
  plan<RI>(n)->transform(w.data(), out.data());
  for (auto& v : out) v = std::conj(v);
  const double inv_n = 1.0 / static_cast<double>(n);
  double out_l1 = 0;
  for (std::size_t k = 0; k < n; ++k) out_l1 += static_cast<double>(std::abs(out[k].real()) + std::abs(out[k].imag())) * inv_n;
  const double spectrum_l2 = s1.l2(n) + (same ? 0.0 : s2.l2(n)) + conversion_l2;
  auto roundoff = [&](const Range& g) {
    const double share = static_cast<double>(g.hi - g.lo + 1) * inv_n;
    // (+ u_double·|y|: the window's values are rounded to double when RI is long double)
    return (std::sqrt(share) * spectrum_l2 + share * kStageError * ui * stages * spectrum_l1 * kSlack +
            (2 * ui + (ui < kUnit ? kUnit : 0.0)) * out_l1) *
           kSlack;
  };
  Composed c1 = extract(out, 0, n, g1, h, roundoff(g1), optimistic);
  Composed c2 = same ? (copy_same ? c1 : Composed{}) : extract(out, 1, n, g2, h, roundoff(g2), optimistic);
  return {std::move(c1), std::move(c2)};
}

/// compose_pair; `copy_same`: with the same list twice, the second result is a copy of the
/// first (compose wants only the first: the copy of its arrays cost a cold run page faults).
std::pair<Composed, Composed> compose_pair_impl(const Parts& first, const Parts& second, double tail, bool optimistic,
                                                Precision precision, bool copy_same) {
  if (single_use(first) && single_use(second)) {
    Composed c1 = as_composed(*first.front().first, optimistic);
    Composed c2 = &first == &second ? (copy_same ? c1 : Composed{}) : as_composed(*second.front().first, optimistic);
    return {std::move(c1), std::move(c2)};
  }
  switch (precision) {
    case Precision::kExtended: return compose_pair_in<long double, long double>(first, second, tail, optimistic, copy_same);
    case Precision::kMixed: return compose_pair_in<long double, double>(first, second, tail, optimistic, copy_same);
    case Precision::kDouble: break;
  }
  return compose_pair_in<double, double>(first, second, tail, optimistic, copy_same);
}

}  // namespace

std::pair<Composed, Composed> compose_pair(const Parts& first, const Parts& second, double tail, bool optimistic,
                                           Precision precision) {
  return compose_pair_impl(first, second, tail, optimistic, precision, true);
}

Composed compose(const Parts& parts, double tail, bool optimistic, Precision precision) {
  if (parts.empty()) {
    Composed out;
    out.pmf = {1.0};
    out.finalize();
    return out;
  }
  return compose_pair_impl(parts, parts, tail, optimistic, precision, false).first;
}

void Composed::finalize() {
  const std::size_t n = pmf.size();
  tail_c_.assign(n + 1, 0.0);
  tail_d_.assign(n + 1, 0.0);
  const double eh = std::exp(-h), one_minus_eh = -std::expm1(-h);
  for (std::size_t j = n; j-- > 0;) {
    tail_c_[j] = pmf[j] + eh * tail_c_[j + 1];
    // D_j = A_{j+1} − e^{−h}·C_{j+1} = D_{j+1} + (1 − e^{−h})·C_{j+1}: non-negative terms only.
    // (A − e^{…}·C cancelled: with a grid of 4e-17 every δ(ε) came out 0, and so did ε.)
    tail_d_[j] = tail_d_[j + 1] + one_minus_eh * tail_c_[j + 1];
  }
}

double Composed::delta(double epsilon) const {
  const std::size_t n = pmf.size();
  // first index j with ε_j > ε
  const double pos = std::floor(epsilon / h) - static_cast<double>(offset) + 1;
  std::size_t j = pos <= 0 ? 0 : (pos >= static_cast<double>(n) ? n : static_cast<std::size_t>(pos));
  double d = inf_mass;
  if (j < n) {
    const double ej = static_cast<double>(offset + static_cast<std::int64_t>(j)) * h;
    d += tail_d_[j] - std::expm1(epsilon - ej) * tail_c_[j];  // = A_j − e^{ε−ε_j}·C_j
  }
  return std::clamp(detail::up(d, 1e-12), 0.0, 1.0);
}

double Composed::epsilon(double target) const {
  if (inf_mass > target) return kInf;
  const std::size_t n = pmf.size();
  auto d_at = [&](std::size_t j) {  // δ(ε_j) = m + A_{j+1} − e^{−h}C_{j+1} = m + D_j
    return inf_mass + tail_d_[j];
  };
  // smallest j with δ(ε_j) ≤ target (δ is decreasing; δ(ε_{n−1}) = m ≤ target)
  std::size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (d_at(mid) <= target) hi = mid;
    else lo = mid + 1;
  }
  const std::size_t j = lo;
  const double ej = static_cast<double>(offset + static_cast<std::int64_t>(j)) * h;
  // On (ε_{j−1}, ε_j]: δ(ε) = m + A_j − e^{ε − ε_j} C_j = m + D_j − expm1(ε − ε_j)·C_j, so
  // ε = ε_j + log1p((m + D_j − target)/C_j), where m + D_j ≤ target.
  const double slack = inf_mass + tail_d_[j] - target;
  double eps;
  if (tail_c_[j] <= 0 || slack / tail_c_[j] <= -1) eps = j == 0 ? -kInf : ej - h;
  else eps = std::min(ej, ej + std::log1p(slack / tail_c_[j]));
  if (j > 0) eps = std::max(eps, ej - h);
  if (!(eps > 0)) return 0.0;
  return detail::up(eps, 1e-12) + 1e-12;
}

}  // namespace privflow::dp::pld
