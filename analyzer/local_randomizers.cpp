#include "analyzer/detail/local_randomizers.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "base/interval.hpp"
#include "dp/local_randomizers.hpp"

namespace privflow::analyzer::detail {
namespace {

using K = flow::ParamKey;
constexpr double kInf = std::numeric_limits<double>::infinity();
// The exact channel lists the counts of set bits in each value's group: (h + 1)^d outputs.
constexpr std::uint64_t kMaxBitChannelOutputs = 4096;

/// ln of a rational ratio ≥ 1, rounded up (+∞ for a zero denominator).
double log_up(const Rational& num, const Rational& den) {
  if (den == 0) return num > 0 ? kInf : 0;
  Rational r = num / den;
  r.canonicalize();
  if (r < 1) r = 1 / r;
  const double x = std::log(to_double_up(r));
  return std::nextafter(x * (1 + 8 * std::numeric_limits<double>::epsilon()), kInf);
}

double times_up(double a, std::uint64_t t) {
  const double x = a * static_cast<double>(t);
  return std::isfinite(x) ? std::nextafter(x, kInf) : x;
}

/// e^x rounded up to a rational (MPFR, base/interval.hpp: within 2^-120 of the true value);
/// nullopt beyond e^700.
std::optional<Rational> exp_up(const Rational& x) {
  if (x > 700 || x < -700) return std::nullopt;
  return privflow::exp(Interval::point(x)).hi;
}

/// e^ε of unary encoding given by `epsilon` (OUE), rounded up; nullopt for p and q, or beyond e^700.
std::optional<Rational> oue_exp(const flow::Graph& g, const flow::Artifact& x) {
  if (g.param(x, K::kP)) return std::nullopt;
  auto epsilon = g.param(x, K::kEpsilon);
  return epsilon ? exp_up(*epsilon) : std::nullopt;
}

struct BitProbabilities {
  Rational one;   // P(report bit 1 | bit set)
  Rational zero;  // P(report bit 1 | bit not set)
  std::uint64_t hashes = 1;
};

/// q* and p* of rappor (Erlingsson et al. 2014, §3.2) or q, p of unary encoding, exactly.
std::optional<BitProbabilities> bit_probabilities(const flow::Graph& g, const flow::Artifact& x, bool permanent) {
  BitProbabilities b;
  if (x.kind == flow::ComputeKind::kRappor) {
    auto f = g.param(x, K::kF);
    auto p = g.param(x, K::kP);
    auto q = g.param(x, K::kQ);
    if (!f || !p || !q) return std::nullopt;
    if (auto h = g.param(x, K::kHashes)) b.hashes = h->get_num().get_ui();
    if (permanent) {
      b.one = 1 - *f / 2;
      b.zero = *f / 2;
    } else {
      b.one = *f / 2 * (*p + *q) + (1 - *f) * *q;
      b.zero = *f / 2 * (*p + *q) + (1 - *f) * *p;
    }
  } else if (x.kind == flow::ComputeKind::kUnaryEncoding) {
    if (auto p = g.param(x, K::kP)) {
      b.zero = *p;
      b.one = g.param(x, K::kQ).value_or(Rational(1, 2));
    } else if (auto e = oue_exp(g, x)) {
      // OUE (Wang et al. 2017, §4.3): the value's bit read 1 w.p. 1/2, every other bit
      // w.p. 1/(e^ε + 1). e^ε rounded up lowers that 1/(e^ε + 1): the true bit channel is then
      // a garbling of this one (the point (1/2, 1/(e^ε + 1)) lies between (1/2, 1/(E + 1)) and
      // the diagonal), the same garbling for every bit, so no posterior or leakage is lowered.
      b.zero = 1 / (*e + 1);
      b.one = Rational(1, 2);
    } else {
      return std::nullopt;
    }
    if (permanent) b.zero = 0, b.one = 1;  // without a permanent step, many reports reveal the bits
  } else {
    return std::nullopt;
  }
  b.one.canonicalize();
  b.zero.canonicalize();
  return b;
}

/// ε of one report of a bit-vector randomizer: h·ln(q*(1 − p*) / (p*(1 − q*))).
double bit_epsilon(const BitProbabilities& b) {
  return times_up(log_up(b.one * (1 - b.zero), b.zero * (1 - b.one)), b.hashes);
}

LocalProfile rappor_profile(const flow::Graph& g, const flow::Artifact& x, std::uint64_t times) {
  LocalProfile out;
  auto one = bit_probabilities(g, x, false);
  auto permanent = bit_probabilities(g, x, true);
  if (!one || !permanent) {
    out.error = "no f, p or q";
    return out;
  }
  out.epsilon_per_report = bit_epsilon(*one);  // ε₁
  // ε∞ = 2h·ln((1 − f/2)/(f/2)) (Erlingsson et al. 2014, Theorem 1): the permanent response's.
  const double eps_inf = times_up(log_up(permanent->one, permanent->zero), 2 * permanent->hashes);
  out.epsilon_total = times_up(out.epsilon_per_report, times);
  if (times > 1 && eps_inf < out.epsilon_total) {
    out.epsilon_total = eps_inf;
    out.composes = false;
  }
  out.parameters = "f " + format_exact(*g.param(x, K::kF)) + ", p " + format_exact(*g.param(x, K::kP)) + ", q " +
                   format_exact(*g.param(x, K::kQ)) + ", " + std::to_string(one->hashes) + " hash" +
                   (one->hashes == 1 ? "" : "es") + ": epsilon one report " + format_double_up(out.epsilon_per_report) +
                   ", permanent " + format_double_up(eps_inf);
  if (!out.composes) out.parameters += " (repeated reports of the same value: at most the permanent)";
  return out;
}

}  // namespace

LocalProfile local_randomizer_profile(const flow::Graph& g, const flow::Artifact& x, std::uint64_t times) {
  if (x.kind == flow::ComputeKind::kRappor) return rappor_profile(g, x, times);
  LocalProfile out;
  if (x.kind == flow::ComputeKind::kUnaryEncoding && !g.param(x, K::kEpsilon)) {
    auto b = bit_probabilities(g, x, false);
    if (!b) {
      out.error = "no epsilon or p";
      return out;
    }
    out.epsilon_per_report = bit_epsilon(*b);
    out.parameters = "p " + format_exact(b->zero) + ", q " + format_exact(b->one) + ": epsilon " +
                     format_double_up(out.epsilon_per_report);
  } else if (auto e = g.param(x, K::kEpsilon)) {
    // OUE, OLH, Hadamard response and the count-mean sketch are calibrated to ε exactly
    // (Wang et al. 2017, Theorems 3 and 4; Acharya, Sun & Zhang 2019; Apple 2017).
    out.exact_epsilon = *e;
    out.epsilon_per_report = to_double_up(*e);
    out.parameters = "epsilon " + format_up(*e, 4);
    if (x.kind == flow::ComputeKind::kUnaryEncoding) out.parameters += " (optimized: q 1/2, p 1/(e^epsilon + 1))";
    if (x.kind == flow::ComputeKind::kLocalHashing)
      out.parameters += " (hash range " + std::to_string(dp::ldp::olh_range(out.epsilon_per_report)) + ")";
  } else {
    out.error = "no epsilon";
    return out;
  }
  out.epsilon_total = times_up(out.epsilon_per_report, times);
  return out;
}

namespace {

// A channel of more cells than this (values × outputs) is left to the accountant (its ε).
constexpr std::uint64_t kMaxChannelCells = std::uint64_t{1} << 16;

/// The shape of one report's channel on a field of `values` values, before it is listed.
struct LocalShape {
  enum class Kind { kBits, kHashed, kHadamard } kind = Kind::kBits;
  BitProbabilities bits;     // kBits: rappor, unary encoding, the count-mean sketch
  Rational in, out;          // kHashed, kHadamard: P(an output) when it names the value, when not
  std::uint64_t range = 0;   // kHashed: g (outputs g); kHadamard: K (outputs K)
  std::uint64_t outputs = 0;
  bool rounded = false;      // e^ε rounded up: the channel is more informative than the true one
};

/// The number of outputs of a bit channel ((hashes + 1)^values), or nullopt beyond the limit.
std::optional<std::uint64_t> bit_outputs(std::uint64_t values, std::uint64_t hashes) {
  std::uint64_t outputs = 1;
  for (std::uint64_t v = 0; v < values; ++v) {
    if (outputs > kMaxBitChannelOutputs / (hashes + 1)) return std::nullopt;
    outputs *= hashes + 1;
  }
  return outputs;
}

/// Local hashing (Wang et al. 2017, §4.4): a hash h: values → [g], then g-ary randomized
/// response on h(v) (p = e^ε/(e^ε + g − 1), each other bucket (1 − p)/(g − 1)); the report
/// (h, y) is seen whole. Given (h, y) the likelihood of v is p if h(v) = y, else q = 1/(e^ε +
/// g − 1): the channel of each hash is C_h = GRR_g ∘ h.
///
/// Which hash? The paper's analysis assumes a universal family; a fully random h would make the
/// set {v : h(v) = y} the sufficient statistic, a unary-encoding channel with (p, 1/g). That
/// idealisation is optimistic for min-entropy leakage under a real universal family: a family
/// of injective maps is universal (collision probability 0 ≤ 1/g) and separates every value.
/// The sound channel is the worst single hash. For each observation o of the other views, with
/// w(s) = P(s, o), V = Σ_y max(p·max_{h(s)=y} w(s), q·max_s w(s)); putting two values in one
/// bucket frees a bucket worth q·max w and keeps the larger of their two terms, so V never
/// grows by a collision: an injective h maximises every o's term at once, hence
/// E_h V(π ▷ C_h‖O) ≤ V(π ▷ C_inj‖O) for every family. The posterior of v is largest where y
/// names v alone (ratio e^ε against every other value), which C_inj has too. So: when the
/// field has at most g values, GRR_g on the values (C_inj, exact up to e^ε's rounding and
/// sound for every family). The g − values outputs no value names are one output (their
/// columns are equal, which changes no posterior and no vulnerability).
///
/// On more values than g every hash collides, and only each bucket's heaviest value counts:
/// V(w ▷ C_h) = Σ_y max(p·W_y, q·max_t W_t), W_t = max_{h(s)=t} w(s). The worst hash separates
/// the g heaviest values of w, which differ from one observation o to the next, so no hash is
/// worst for all. No channel found bounds every hash for every w and keeps the posterior at
/// the ε bound: C_h = (1 − λ)·uniform + λ·(reveal h(v)), λ = (e^ε − 1)/(e^ε + g − 1), makes
/// every hash a garbling of "reveal the value w.p. λ" (its leakage is tight at g values, its
/// posterior 1); GRR on the values must have a ratio above e^ε (uniform on the top g needs
/// R ≥ (g·e^ε·(d − 1) − (d − g)(e^ε + g − 1))/(g(g − 1)), 3.15 at ε 1, g 4, d 5); OUE and SUE at
/// ε fall below the worst hash (uniform on 5 values, ε 1: 0.69 and 0.63 bits against 0.93).
/// So the posterior counts the release through its ε, and the leakage through every hash's
/// Bayes capacity g·e^ε/(e^ε + g − 1) (hashing_capacity: 0.93 bits at ε 1, against ε's 1.44).
std::optional<LocalShape> hashed_shape(const Rational& epsilon, std::uint64_t values) {
  const std::uint64_t g = dp::ldp::olh_range(to_double_up(epsilon));
  auto e = exp_up(epsilon);
  if (!e || values > g) return std::nullopt;
  LocalShape s;
  s.kind = LocalShape::Kind::kHashed;
  s.range = g;
  const Rational total = *e + Rational(static_cast<unsigned long>(g - 1));
  s.in = *e / total;
  s.out = 1 / total;
  s.outputs = values + (g > values ? 1 : 0);
  s.rounded = epsilon != 0;
  return s;
}

/// Hadamard response (Acharya, Sun & Zhang 2019, §3, "HR"): K the smallest power of 2 above
/// the number of values, value v owns C_v = {y ∈ [K] : H_K(v + 1, y) = +1} (the Sylvester
/// Hadamard matrix, row 0 all ones left out), and the report is y with probability
/// 2e^ε/(K(e^ε + 1)) in C_v, 2/(K(e^ε + 1)) outside (|C_v| = K/2).
std::optional<LocalShape> hadamard_shape(const Rational& epsilon, std::uint64_t values) {
  auto e = exp_up(epsilon);
  if (!e) return std::nullopt;
  std::uint64_t k = 1;
  while (k <= values && k < kMaxChannelCells) k *= 2;
  if (k <= values) return std::nullopt;
  LocalShape s;
  s.kind = LocalShape::Kind::kHadamard;
  s.range = s.outputs = k;
  const Rational scale = Rational(static_cast<unsigned long>(k)) * (*e + 1);
  s.in = 2 * *e / scale;
  s.out = 2 / scale;
  s.rounded = epsilon != 0;
  return s;
}

/// The count-mean sketch (Apple 2017): one of k hashes j uniformly, the value's bucket of a ±1
/// vector of width m set, each entry flipped w.p. 1/(1 + e^{ε/2}). j and the buckets no value
/// of the field maps to are independent of the value; with every value in its own bucket
/// under h_j (no collisions), the value's buckets are symmetric unary encoding (SUE_d): read 1
/// w.p. a = e^{ε/2}/(1 + e^{ε/2}) when set, b = 1 − a when not.
///
/// Why SUE_d bounds every hash the adversary knows, collisions included. Not data processing:
/// a collision is no garbling of SUE_d (a linear program finds none for 3 values in 2 buckets;
/// tests/analyzer/data/local_channels_reference.py, "cms_garbling"). The measures are Bayes
/// vulnerabilities: with the other views o independent given the record, V(π ▷ C‖O) =
/// Σ_o V(w_o ▷ C), w_o(s) = P(s, o) any sub-prior. (1) Leakage: P(x | bucket t) = base(x)·r_t(x), r_t(x) = a/b when
/// x_t = 1 else b/a, so V(w ▷ SUE_m ∘ h) = Σ_x base(x)·max_t W_t·r_t(x), W_t the largest w(s)
/// with h(s) = t: only each bucket's heaviest value counts. That is V(w_T ▷ SUE_d), w_T the
/// sub-prior kept on those heaviest values T (the others' bits are then noise alike for all of
/// T), and V is non-decreasing in w: V(w ▷ SUE_m ∘ h_j) ≤ V(w ▷ SUE_d) for every h_j, and the
/// mean over j too. (2) Posterior: every h_j is ε-LDP (two values differ in two entries). Given
/// o and an output, the posterior of any event is linear-fractional in the likelihoods of the
/// values, which lie in [m, m·e^ε]: largest at a vertex, two levels in ratio e^ε on a set B of
/// values. SUE_d has that output for every B (B's bits 1, the rest 0: ratio (a/b)² = e^ε), so
/// its largest posterior is the largest any ε-LDP report can give, in every context.
/// (1) is Bayes vulnerability, which leakage and reconstruction read; a gain function that
/// rewards a guess of the bucket alone could prefer the collision.
std::optional<LocalShape> sketch_shape(const Rational& epsilon) {
  auto half = exp_up(epsilon / 2);
  if (!half) return std::nullopt;
  LocalShape s;
  s.bits.one = *half / (1 + *half);
  s.bits.zero = 1 / (1 + *half);
  s.bits.hashes = 1;
  s.rounded = epsilon != 0;
  return s;
}

/// The shape of `x`'s channel on a field of `values` values, nullopt when it has none or it
/// is too large to list.
std::optional<LocalShape> local_shape(const flow::Graph& g, const flow::Artifact& x, std::uint64_t values,
                                      bool permanent) {
  std::optional<LocalShape> s;
  const auto epsilon = g.param(x, K::kEpsilon);
  if (x.kind == flow::ComputeKind::kLocalHashing && epsilon) {
    s = hashed_shape(*epsilon, values);
  } else if (x.kind == flow::ComputeKind::kHadamardResponse && epsilon) {
    s = hadamard_shape(*epsilon, values);
  } else if (x.kind == flow::ComputeKind::kCountMeanSketch && epsilon) {
    s = sketch_shape(*epsilon);
  } else if (auto b = bit_probabilities(g, x, permanent)) {
    s = LocalShape{};
    s->bits = *b;
    s->rounded = x.kind == flow::ComputeKind::kUnaryEncoding && !permanent && epsilon && *epsilon != 0;
  }
  if (!s) return std::nullopt;
  if (s->kind == LocalShape::Kind::kBits) {
    auto outputs = bit_outputs(values, s->bits.hashes);
    if (!outputs) return std::nullopt;
    s->outputs = *outputs;
  } else if (s->outputs > kMaxChannelCells / std::max<std::uint64_t>(values, 1)) {
    return std::nullopt;
  }
  return s;
}

/// The values × outputs matrix of a bit channel: each value's `hashes` bits its own; an output
/// is the count of 1s read in each value's group (the first value the most significant digit).
std::vector<std::vector<Rational>> bit_rows(const BitProbabilities& b, std::uint64_t d, std::uint64_t outputs) {
  const std::uint64_t radix = b.hashes + 1;
  // P(c of a group's h bits read 1) for a set group and an unset one: binomial.
  auto binomial_row = [&](const Rational& r) {
    std::vector<Rational> row(radix);
    for (std::uint64_t c = 0; c <= b.hashes; ++c) {
      Rational choose(1);
      for (std::uint64_t i = 0; i < c; ++i) choose = choose * Rational(static_cast<unsigned long>(b.hashes - i)) / Rational(static_cast<unsigned long>(i + 1));
      Rational term = choose;
      for (std::uint64_t i = 0; i < c; ++i) term *= r;
      for (std::uint64_t i = c; i < b.hashes; ++i) term *= 1 - r;
      term.canonicalize();
      row[c] = term;
    }
    return row;
  };
  const std::vector<Rational> set = binomial_row(b.one), unset = binomial_row(b.zero);
  std::vector<std::vector<Rational>> rows(d, std::vector<Rational>(outputs));
  for (std::uint64_t u = 0; u < d; ++u)
    for (std::uint64_t y = 0; y < outputs; ++y) {
      Rational p(1);
      std::uint64_t rest = y;
      for (std::uint64_t v = d; v-- > 0;) {
        const std::uint64_t c = rest % radix;
        rest /= radix;
        p *= (v == u ? set : unset)[c];
      }
      p.canonicalize();
      rows[u][y] = p;
    }
  return rows;
}

/// The values × outputs matrix of local hashing's worst hash (value v → bucket v) or of
/// Hadamard response.
std::vector<std::vector<Rational>> named_rows(const LocalShape& s, std::uint64_t d) {
  std::vector<std::vector<Rational>> rows(d, std::vector<Rational>(s.outputs, s.out));
  for (std::uint64_t v = 0; v < d; ++v) {
    if (s.kind == LocalShape::Kind::kHashed) {
      rows[v][v] = s.in;
      if (s.outputs > d) rows[v][d] = s.out * Rational(static_cast<unsigned long>(s.range - d));
      continue;
    }
    for (std::uint64_t y = 0; y < s.outputs; ++y)  // H_K(v + 1, y) = (−1)^popcount((v + 1) & y)
      if (std::popcount((v + 1) & y) % 2 == 0) rows[v][y] = s.in;
  }
  return rows;
}

}  // namespace

std::optional<Rational> hashing_capacity(const flow::Graph& g, const flow::Artifact& x) {
  const auto epsilon = g.param(x, K::kEpsilon);
  if (x.kind != flow::ComputeKind::kLocalHashing || !epsilon) return std::nullopt;
  auto e = exp_up(*epsilon);
  if (!e) return std::nullopt;
  // Σ_y max_v C_h(v, y) ≤ g·p for every hash h (each bucket's column at most p), and the mean
  // over a family is at most the largest; g·E/(E + g − 1) grows with E, so E ≥ e^ε is sound.
  const Rational range(static_cast<unsigned long>(dp::ldp::olh_range(to_double_up(*epsilon))));
  Rational c = range * *e / (*e + range - 1);
  c.canonicalize();
  return c;
}

bool has_exact_local_channel(const flow::Graph& g, const flow::Artifact& x) {
  if (x.inputs.empty() || x.inputs[0].kind != flow::Input::Kind::kField) return false;
  const std::uint64_t d = g.data[x.inputs[0].data].fields[x.inputs[0].field].domain_size();
  return local_shape(g, x, d, false).has_value();
}

bool local_channel_rounded(const flow::Graph& g, const flow::Artifact& x) {
  if (x.inputs.empty() || x.inputs[0].kind != flow::Input::Kind::kField) return false;
  const std::uint64_t d = g.data[x.inputs[0].data].fields[x.inputs[0].field].domain_size();
  auto s = local_shape(g, x, d, false);
  return s && s->rounded;
}

std::optional<inference::Channel> local_channel(const flow::Graph& g, const flow::Artifact& x,
                                                const inference::Domain& input, std::size_t pos, bool permanent) {
  if (pos >= input.sizes.size()) return std::nullopt;
  const std::uint64_t d = input.sizes[pos];
  auto s = local_shape(g, x, d, permanent);
  if (!s) return std::nullopt;
  auto field = inference::Channel::matrix(s->kind == LocalShape::Kind::kBits ? bit_rows(s->bits, d, s->outputs)
                                                                             : named_rows(*s, d));
  auto project = inference::Channel::projection(input, {pos});
  if (!field || !project) return std::nullopt;
  auto ch = inference::Channel::cascade(*project, *field);
  if (!ch) return std::nullopt;
  return *ch;
}

}  // namespace privflow::analyzer::detail
