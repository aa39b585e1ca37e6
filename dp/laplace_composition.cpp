// The k-fold Laplace composition, exactly (dp/detail/laplace_composition.hpp).
//
// One use's privacy loss under P = Lap(0, b), Q = Lap(Δ, b), ε₀ = Δ/b: L = ε₀ for x ≤ 0
// (probability ½), −ε₀ for x ≥ Δ (e^{−ε₀}/2), and ε₀(1 − 2x/Δ) between, where x's density
// e^{−x/b}/(2b) becomes the loss density ¼·e^{(l − ε₀)/2} on (−ε₀, ε₀). Writing each law as
// e^{s/2} times what is kept, one use maps (atoms Â[m] = P[L = mε₀]·e^{−mε₀/2}, density e^{s/2}·p)
// to
//   Â'[m] = h·(Â[m−1] + Â[m+1]),
//   p'(s) = h·(p(s − ε₀) + p(s + ε₀)) + (h/2)·∫_{s−ε₀}^{s+ε₀} p + (h/2)·Σ_m Â[m]·1{|s − mε₀| < ε₀},
// with h = e^{−ε₀/2}/2 (the e^{s/2} factors of the two convolved densities combine into e^{s/2}).
// p is a polynomial on each [jε₀, (j+1)ε₀], its degree one more per use; in Bernstein form the
// shifts, the integrals (prefix sums) and the degree elevation take only positive combinations
// of positive numbers, so each value carries a relative error of at most (operations)·2^-64.
// Then δ(ε) = Σ_{mε₀ > ε} Â[m]·(e^{mε₀/2} − e^{ε − mε₀/2}) + ∫_ε^∞ p(s)·(e^{s/2} − e^{ε − s/2}) ds,
// each integral of a Bernstein polynomial against e^{βu} a confluent hypergeometric function
// (∫₀¹ B_{i,d}(u)·e^{βu} du = ₁F₁(i + 1; d + 2; β)/(d + 1), a positive series after Kummer's
// transformation for β < 0). The two positive parts are bounded up and down by that relative
// error and subtracted.
#include "dp/detail/laplace_composition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dp/detail/numeric.hpp"

namespace privflow::dp::detail {

namespace {

using Long = long double;
constexpr Long kRounding = std::numeric_limits<Long>::epsilon();  // 2^-63, twice the unit round-off

/// ₁F₁(a; b; z) for z ≥ 0, 1 ≤ a < b: Σ (a)_n/(b)_n·zⁿ/n!, positive terms; summed until the
/// geometric bound on the tail (ratio ≤ z/(n + 1)) is below 2^-70 of the sum. `terms` grows by
/// the terms used (the caller's error count).
Long hypergeometric_1f1(Long a, Long b, Long z, int* terms) {
  Long sum = 1, term = 1;
  for (int n = 0; n < 100000; ++n) {
    term *= (a + n) / (b + n) * z / (n + 1);
    sum += term;
    const Long ratio = z / (n + 2);
    if (ratio < 0.5L && term * ratio / (1 - ratio) < sum * std::ldexp(Long(1), -70)) {
      *terms = std::max(*terms, n + 1);
      return sum;
    }
  }
  *terms = 100000;
  return sum;
}

/// ∫₀¹ B_{i,d}(u)·e^{βu} du for i = 0..d.
std::vector<Long> bernstein_exp_integrals(int d, Long beta, int* terms) {
  std::vector<Long> out(d + 1);
  for (int i = 0; i <= d; ++i) {
    // Kummer: ₁F₁(a; b; z) = e^z·₁F₁(b − a; b; −z) keeps every term positive for z < 0.
    const Long f = beta >= 0 ? hypergeometric_1f1(i + 1, d + 2, beta, terms)
                             : std::exp(beta) * hypergeometric_1f1(d + 1 - i, d + 2, -beta, terms);
    out[i] = f / (d + 1);
  }
  return out;
}

/// The Bernstein coefficients of p on [u, 1] (de Casteljau; positive combinations).
std::vector<Long> right_part(const std::vector<Long>& c, Long u) {
  const int d = static_cast<int>(c.size()) - 1;
  std::vector<Long> work = c, right(c.size());
  right[d] = work[d];
  for (int r = 1; r <= d; ++r) {
    for (int i = 0; i <= d - r; ++i) work[i] = (1 - u) * work[i] + u * work[i + 1];
    right[d - r] = work[d - r];
  }
  return right;
}

Long bernstein_dot(const std::vector<Long>& a, const std::vector<Long>& b) {
  Long s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

/// One more use: the new pieces (degree n, on j = −n−1..n) from the old (degree n − 1, on
/// j = −n..n−1) and the old atoms. Indices are offset by k (the largest |j| or |m|).
void convolve_pieces(std::vector<std::vector<Long>>& pieces, const std::vector<Long>& atoms, int n, int k, Long h,
                     Long eps0) {
  static const std::vector<Long> kNone;
  std::vector<std::vector<Long>> next(pieces.size());
  auto old = [&](int j) -> const std::vector<Long>& {
    return (n >= 1 && j >= -n && j <= n - 1) ? pieces[j + k] : kNone;
  };
  const Long inv_n = n >= 1 ? Long(1) / n : 0, window = h / 2 * eps0 * inv_n;
  // Σ_{l≥i} of the piece on the left and Σ_{l<i} of the piece on the right, each summed from
  // its own end (no subtraction); raised to degree n: (i/n)·c_{i−1} + ((n − i)/n)·c_i.
  std::vector<Long> from_left(n + 1), to_right(n + 1), elevated(n + 1);
  for (int j = -n - 1; j <= n; ++j) {
    const auto &left = old(j - 1), &mid = old(j), &right = old(j + 1);
    std::fill(from_left.begin(), from_left.end(), Long(0));
    std::fill(to_right.begin(), to_right.end(), Long(0));
    std::fill(elevated.begin(), elevated.end(), Long(0));
    for (int i = static_cast<int>(left.size()) - 1; i >= 0; --i) from_left[i] = from_left[i + 1] + left[i];
    for (int i = 1; i <= static_cast<int>(right.size()); ++i) to_right[i] = to_right[i - 1] + right[i - 1];
    Long whole = 0;  // ∫ over the piece j (Σ/n below)
    for (Long x : mid) whole += x;
    for (const auto* p : {&left, &right})
      for (int i = 0; i < static_cast<int>(p->size()); ++i) {
        elevated[i] += Long(n - i) * inv_n * (*p)[i];
        elevated[i + 1] += Long(i + 1) * inv_n * (*p)[i];
      }
    // ∫_{s−ε₀}^{s+ε₀} p over the pieces j − 1 (from u up), j (whole) and j + 1 (up to u).
    std::vector<Long> c(n + 1);
    const Long from_atoms = h / 2 * (atoms[j + k] + atoms[j + 1 + k]);
    for (int i = 0; i <= n; ++i) c[i] = from_atoms + h * elevated[i] + window * (from_left[i] + whole + to_right[i]);
    next[j + k] = std::move(c);
  }
  pieces = std::move(next);
}

}  // namespace

std::optional<LaplaceComposition> LaplaceComposition::make(double eps0, std::uint64_t uses) {
  if (!(eps0 > 0) || uses == 0 || uses > kMaxUses || static_cast<double>(uses) * eps0 > 1000) return std::nullopt;
  LaplaceComposition lc;
  lc.eps0_ = eps0;
  lc.uses_ = uses;
  const int k = static_cast<int>(uses);
  const Long e0 = eps0, h = std::exp(-e0 / 2) / 2;
  lc.atoms_.assign(2 * k + 1, 0);
  lc.atoms_[k] = 1;
  lc.pieces_.assign(2 * k, {});
  for (int n = 0; n < k; ++n) {
    convolve_pieces(lc.pieces_, lc.atoms_, n, k, h, e0);
    std::vector<Long> atoms(2 * k + 1, 0);
    for (int m = -n - 1; m <= n + 1; ++m)
      atoms[m + k] = h * ((m - 1 >= -k ? lc.atoms_[m - 1 + k] : 0) + (m + 1 <= k ? lc.atoms_[m + 1 + k] : 0));
    lc.atoms_ = std::move(atoms);
  }
  int terms = 0;
  lc.up_integrals_ = bernstein_exp_integrals(k - 1, e0 / 2, &terms);
  lc.down_integrals_ = bernstein_exp_integrals(k - 1, -e0 / 2, &terms);
  lc.whole_plus_.assign(2 * k + 1, 0);
  lc.whole_minus_.assign(2 * k + 1, 0);
  for (int j = k - 1; j >= -k; --j) {
    const auto& c = lc.pieces_[j + k];
    lc.whole_plus_[j + k] = lc.whole_plus_[j + 1 + k] + std::exp(e0 * j / 2) * bernstein_dot(c, lc.up_integrals_);
    lc.whole_minus_[j + k] = lc.whole_minus_[j + 1 + k] + std::exp(-e0 * j / 2) * bernstein_dot(c, lc.down_integrals_);
  }
  // The longest chain of roundings behind one value (each at most 2^-64 relative, counted at
  // 2^-63): the uses (prefix sums of up to k terms, elevation, four sums, per use), the
  // evaluation (de Casteljau's k levels, the series, the dot products and suffix sums), the
  // exponentials (a few ulps each); doubled.
  const Long chain = Long(k) * k / 2 + 12.0L * k + 4.0L * k + 3.0L * terms + 256;
  lc.margin_ = 2 * chain * kRounding;
  return lc;
}

LaplaceComposition::Sums LaplaceComposition::sums_above(Long epsilon) const {
  const int k = static_cast<int>(uses_);
  const Long e0 = eps0_;
  Sums s;
  for (int m = -k; m <= k; ++m)
    if (m * e0 > epsilon && atoms_[m + k] > 0) {
      s.plus += atoms_[m + k] * std::exp(m * e0 / 2);
      s.minus += atoms_[m + k] * std::exp(epsilon - m * e0 / 2);
    }
  const Long x = epsilon / e0;
  if (x >= k) return s;  // above every piece (and no int overflow for a huge ε)
  const int j0 = static_cast<int>(std::floor(x));
  const int first_whole = std::max(j0 + 1, -k);
  s.plus += e0 * whole_plus_[first_whole + k];
  s.minus += e0 * std::exp(epsilon) * whole_minus_[first_whole + k];
  if (j0 >= -k) {  // the piece holding ε, from ε up: u in [u*, 1]
    const Long u = std::clamp(x - j0, Long(0), Long(1)), width = 1 - u;
    const auto right = right_part(pieces_[j0 + k], u);
    int terms = 0;
    const Long beta = e0 / 2 * width;
    s.plus += e0 * width * std::exp(e0 * (j0 + u) / 2) * bernstein_dot(right, bernstein_exp_integrals(k - 1, beta, &terms));
    s.minus += e0 * width * std::exp(epsilon - e0 * (j0 + u) / 2) * bernstein_dot(right, bernstein_exp_integrals(k - 1, -beta, &terms));
  }
  return s;
}

double LaplaceComposition::delta(double epsilon) const {
  if (!(epsilon >= 0)) return 1;
  const Sums s = sums_above(epsilon);
  if (s.plus == 0) return 0;  // no mass above ε
  const Long d = s.plus * (1 + margin_) - s.minus * (1 - margin_) + 1e6L * std::numeric_limits<Long>::min();
  return std::min(1.0, up_to_double(std::max(d, Long(0))));
}

double LaplaceComposition::epsilon(double delta) const {
  if (this->delta(0) <= delta) return 0;
  double lo = 0, hi = static_cast<double>(uses_) * eps0_;  // δ(kε₀) = 0: every loss is at most kε₀
  hi = std::nextafter(hi * (1 + 1e-15), kInf);
  if (this->delta(hi) > delta) return hi;  // only the margin is left: the pure bound
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (this->delta(mid) <= delta) hi = mid;
    else lo = mid;
  }
  return hi;  // δ(hi) ≤ δ was evaluated at hi itself, with the margin
}

std::optional<LaplaceComposition> laplace_composition(const std::vector<Mechanism>& parts) {
  double eps0 = 0;
  std::uint64_t uses = 0;
  for (const auto& m : parts) {
    if (m.kind != MechanismKind::kLaplace || !(m.epsilon > 0) || (uses > 0 && m.epsilon != eps0)) return std::nullopt;
    eps0 = m.epsilon;
    uses += m.times;
    if (uses > LaplaceComposition::kMaxUses) return std::nullopt;
  }
  if (uses == 0) return std::nullopt;
  return LaplaceComposition::make(eps0, uses);
}

}  // namespace privflow::dp::detail
