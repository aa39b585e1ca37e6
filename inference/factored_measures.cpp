// Bayes vulnerability and the largest posterior on a FactoredModel (inference/factored.hpp):
// exact over the product of the groups' count vectors while it stays under the cell limit,
// then bounded by the multiplicative Bayes capacity of the groups left over.
#include <algorithm>
#include <functional>
#include <numeric>

#include "inference/detail/saturating.hpp"
#include "inference/factored.hpp"

namespace privflow::inference {
namespace {

using OutcomeWeights = std::vector<std::vector<Rational>>;  // one vector over secret values per outcome
using detail::kSaturated;
using detail::mul_sat;

/// C(n + m − 1, m − 1): the number of count vectors of n copies over m outputs (saturating).
std::uint64_t count_vectors(std::uint64_t n, std::size_t m) {
  mpz_class c;
  mpz_bin_uiui(c.get_mpz_t(), n + m - 1, m - 1);
  return c.fits_ulong_p() ? c.get_ui() : kSaturated;
}

/// A channel in integer form: matrix = numerator / den, one common denominator.
struct IntegerChannel {
  std::vector<std::vector<mpz_class>> numerator;
  mpz_class den = 1;
};

IntegerChannel integer_form(const std::vector<std::vector<Rational>>& m) {
  IntegerChannel out;
  for (const auto& row : m)
    for (const auto& x : row) mpz_lcm(out.den.get_mpz_t(), out.den.get_mpz_t(), x.get_den_mpz_t());
  for (const auto& row : m) {
    out.numerator.emplace_back();
    for (const auto& x : row) out.numerator.back().push_back(x.get_num() * (out.den / x.get_den()));
  }
  return out;
}

/// Calls `visit` with the likelihood vector P(counts | s)·den^n, an integer, of every count
/// vector of `n` copies of `m` (multinomial: n! / Π c_o! · Π_o m[s][o]^c_o).
void for_each_count(const IntegerChannel& m, std::uint64_t n, const std::function<void(const std::vector<mpz_class>&)>& visit) {
  const std::size_t k = m.numerator.size();
  const std::size_t outs = m.numerator[0].size();
  std::vector<mpz_class> fact(n + 1, 1);
  for (std::uint64_t i = 1; i <= n; ++i) fact[i] = fact[i - 1] * i;
  // pw[s][o][j] = numerator[s][o]^j
  std::vector<std::vector<std::vector<mpz_class>>> pw(k, std::vector<std::vector<mpz_class>>(outs));
  for (std::size_t s = 0; s < k; ++s)
    for (std::size_t o = 0; o < outs; ++o) {
      pw[s][o].assign(n + 1, 1);
      for (std::uint64_t j = 1; j <= n; ++j) pw[s][o][j] = pw[s][o][j - 1] * m.numerator[s][o];
    }
  std::vector<std::vector<mpz_class>> partial(outs + 1, std::vector<mpz_class>(k, 1));
  std::vector<mpz_class> denominator(outs + 1, 1);
  std::vector<mpz_class> out(k);
  // Recursion over outputs: output o takes c of the `left` copies.
  std::function<void(std::size_t, std::uint64_t)> go = [&](std::size_t o, std::uint64_t left) {
    if (o + 1 == outs) {
      mpz_class multinomial;
      mpz_divexact(multinomial.get_mpz_t(), fact[n].get_mpz_t(), mpz_class(denominator[o] * fact[left]).get_mpz_t());
      for (std::size_t s = 0; s < k; ++s) out[s] = partial[o][s] * pw[s][o][left] * multinomial;
      visit(out);
      return;
    }
    for (std::uint64_t c = 0; c <= left; ++c) {
      for (std::size_t s = 0; s < k; ++s) partial[o + 1][s] = partial[o][s] * pw[s][o][c];
      denominator[o + 1] = denominator[o] * fact[c];
      go(o + 1, left - c);
    }
  };
  go(0, n);
}

mpz_class power(const mpz_class& z, std::uint64_t e) {
  mpz_class out;
  mpz_pow_ui(out.get_mpz_t(), z.get_mpz_t(), e);
  return out;
}

Rational rational_power(const Rational& q, std::uint64_t e) {
  Rational out(power(q.get_num(), e), power(q.get_den(), e));
  return out;  // canonical: coprime powers of a canonical q
}

/// Σ over count vectors of max_s P(counts | s): the Bayes capacity of n copies.
Rational capacity_exact(const std::vector<std::vector<Rational>>& m, std::uint64_t n) {
  const IntegerChannel ic = integer_form(m);
  mpz_class sum = 0;
  for_each_count(ic, n, [&](const std::vector<mpz_class>& like) { sum += *std::max_element(like.begin(), like.end()); });
  Rational out(sum, power(ic.den, n));
  out.canonicalize();
  return out;
}

/// An upper bound on the Bayes capacity of n copies: exact when their count vectors fit the
/// limit, else ML(C^n) ≤ ML(C^a)^⌊n/a⌋ · ML(C^(n mod a)) (capacity is sub-multiplicative under
/// parallel composition, Alvim et al. 2020, §8.2).
Rational capacity_up(const std::vector<std::vector<Rational>>& m, std::uint64_t n, std::uint64_t max_cells) {
  const std::size_t k = m.size();
  const std::size_t outs = m[0].size();
  if (mul_sat(count_vectors(n, outs), k) <= max_cells) return capacity_exact(m, n);
  std::uint64_t a = 1;
  while (a < n && mul_sat(count_vectors(a + 1, outs), k) <= max_cells) ++a;
  if (a == 1 && mul_sat(outs, k) > max_cells) {
    // One copy: Σ_o max_s m[s][o] directly.
    Rational one = 0;
    for (std::size_t o = 0; o < outs; ++o) {
      Rational best = 0;
      for (std::size_t s = 0; s < k; ++s) best = std::max(best, m[s][o]);
      one += best;
    }
    return rational_power(one, n);
  }
  Rational out = rational_power(capacity_exact(m, a), n / a);
  if (n % a) out *= capacity_exact(m, n % a);
  return out;
}

/// The groups multiplied out exactly and those left: outcome y's weights π(s)·P(y | s) are
/// prefix[y][s] / scale, integers over one common denominator (no gcd on the way).
struct Split {
  std::vector<std::vector<mpz_class>> prefix;
  mpz_class scale = 1;
  std::vector<std::size_t> rest;
};

Split split(const Distribution& prior, const std::vector<ChannelGroup>& groups, std::uint64_t max_cells) {
  Split out;
  const std::size_t k = prior.size();
  const IntegerChannel pi = integer_form({prior});
  out.prefix.push_back(pi.numerator[0]);
  out.scale = pi.den;
  std::vector<std::size_t> order(groups.size());
  std::iota(order.begin(), order.end(), 0);
  auto size_of = [&](std::size_t g) { return count_vectors(groups[g].copies, groups[g].matrix[0].size()); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return size_of(a) < size_of(b); });
  for (std::size_t g : order) {
    if (groups[g].replaced || mul_sat(mul_sat(out.prefix.size(), size_of(g)), k) > max_cells) {
      out.rest.push_back(g);
      continue;
    }
    const IntegerChannel ic = integer_form(groups[g].matrix);
    std::vector<std::vector<mpz_class>> next;
    for_each_count(ic, groups[g].copies, [&](const std::vector<mpz_class>& like) {
      for (const auto& w : out.prefix) {
        std::vector<mpz_class> v(k);
        bool positive = false;
        for (std::size_t s = 0; s < k; ++s) positive = sgn(v[s] = w[s] * like[s]) > 0 || positive;
        if (positive) next.push_back(std::move(v));
      }
    });
    out.prefix = std::move(next);
    out.scale *= power(ic.den, groups[g].copies);
  }
  return out;
}

}  // namespace

Rational FactoredModel::prior_vulnerability() const { return *std::max_element(prior_.begin(), prior_.end()); }

FactoredModel::Vulnerability FactoredModel::posterior_vulnerability() const {
  Vulnerability v;
  const Split parts = split(prior_, groups_, limits_.max_cells);
  mpz_class sum = 0;
  for (const auto& w : parts.prefix) sum += *std::max_element(w.begin(), w.end());
  v.value = Rational(sum, parts.scale);
  v.value.canonicalize();
  v.lower = v.value;
  if (parts.rest.empty()) return v;
  // V(π ▷ C1‖C2) ≤ V(π ▷ C1)·ML(C2) (Alvim et al. 2020, Thm. 7.2 applied to C2 after C1).
  std::uint64_t copies = 0;
  for (std::size_t g : parts.rest) {
    v.value *= capacity_up(groups_[g].matrix, groups_[g].copies, limits_.max_cells);
    copies += groups_[g].copies;
  }
  v.value = std::min(v.value, Rational(1));
  v.exact = false;
  v.how = std::to_string(copies) + " of the observed channels bounded by their Bayes capacity";
  return v;
}

FactoredModel::Posterior FactoredModel::max_posterior(std::uint64_t v) const {
  Posterior out;
  out.value = 0;
  if (v >= prior_.size() || prior_[v] == 0) return out;
  const Split parts = split(prior_, groups_, limits_.max_cells);
  if (parts.rest.empty()) {
    mpz_class best_num = 0, best_den = 1;
    for (const auto& w : parts.prefix) {
      if (sgn(w[v]) == 0) continue;
      mpz_class total = 0;
      for (const auto& x : w) total += x;
      if (w[v] * best_den > best_num * total) best_num = w[v], best_den = total;
    }
    out.value = Rational(best_num, best_den);
    out.value.canonicalize();
    return out;
  }
  // P(v | y) = 1 / (1 + Σ_{s≠v} W_y[s]/W_y[v] · Π_g R_g(s, counts)); the minimum of a sum is at
  // least the sum of the minima, and each R_g(s, ·) is smallest at its smallest per-copy ratio.
  out.exact = false;
  Rational others = 0;
  for (std::size_t s = 0; s < prior_.size(); ++s) {
    if (s == v) continue;
    // The smallest W_y[s] / W_y[v] over the prefix, compared by cross-multiplying (no gcd).
    const std::vector<mpz_class>* arg = nullptr;
    for (const auto& w : parts.prefix) {
      if (sgn(w[v]) == 0) continue;
      if (!arg || w[s] * (*arg)[v] < (*arg)[s] * w[v]) arg = &w;
    }
    Rational least((*arg)[s], (*arg)[v]);
    least.canonicalize();
    for (std::size_t g : parts.rest) {
      const auto& m = groups_[g].matrix;
      bool found = false;
      Rational ratio;
      for (std::size_t o = 0; o < m[v].size(); ++o) {
        if (m[v][o] == 0) continue;
        Rational r = m[s][o] / m[v][o];
        if (!found || r < ratio) ratio = r, found = true;
      }
      least *= rational_power(ratio, groups_[g].copies);
    }
    others += least;
  }
  out.value = 1 / (1 + others);
  return out;
}

}  // namespace privflow::inference
