#include "analyzer/detail/local_randomizers.hpp"

#include <cmath>
#include <limits>

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
    auto p = g.param(x, K::kP);
    if (!p) return std::nullopt;
    b.zero = *p;
    b.one = g.param(x, K::kQ).value_or(Rational(1, 2));
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

bool has_exact_bit_channel(const flow::Graph& g, const flow::Artifact& x) {
  auto b = bit_probabilities(g, x, false);
  if (!b || x.inputs.empty() || x.inputs[0].kind != flow::Input::Kind::kField) return false;
  const std::uint64_t d = g.data[x.inputs[0].data].fields[x.inputs[0].field].domain_size();
  std::uint64_t outputs = 1;
  for (std::uint64_t v = 0; v < d; ++v) {
    if (outputs > kMaxBitChannelOutputs / (b->hashes + 1)) return false;
    outputs *= b->hashes + 1;
  }
  return true;
}

std::optional<inference::Channel> bit_channel(const flow::Graph& g, const flow::Artifact& x,
                                              const inference::Domain& input, std::size_t pos, bool permanent) {
  auto b = bit_probabilities(g, x, permanent);
  if (!b || pos >= input.sizes.size()) return std::nullopt;
  const std::uint64_t d = input.sizes[pos];
  const std::uint64_t radix = b->hashes + 1;
  std::uint64_t outputs = 1;
  for (std::uint64_t v = 0; v < d; ++v) {
    if (outputs > kMaxBitChannelOutputs / radix) return std::nullopt;
    outputs *= radix;
  }
  // P(c of a group's h bits read 1) for a set group and an unset one: binomial.
  auto binomial_row = [&](const Rational& r) {
    std::vector<Rational> row(radix);
    for (std::uint64_t c = 0; c <= b->hashes; ++c) {
      Rational choose(1);
      for (std::uint64_t i = 0; i < c; ++i) choose = choose * Rational(static_cast<unsigned long>(b->hashes - i)) / Rational(static_cast<unsigned long>(i + 1));
      Rational term = choose;
      for (std::uint64_t i = 0; i < c; ++i) term *= r;
      for (std::uint64_t i = c; i < b->hashes; ++i) term *= 1 - r;
      term.canonicalize();
      row[c] = term;
    }
    return row;
  };
  const std::vector<Rational> set = binomial_row(b->one), unset = binomial_row(b->zero);
  std::vector<std::vector<Rational>> rows(d, std::vector<Rational>(outputs));
  for (std::uint64_t u = 0; u < d; ++u)
    for (std::uint64_t y = 0; y < outputs; ++y) {
      Rational p(1);
      std::uint64_t rest = y;
      for (std::uint64_t v = d; v-- > 0;) {  // the first value is the most significant digit
        const std::uint64_t c = rest % radix;
        rest /= radix;
        p *= (v == u ? set : unset)[c];
      }
      p.canonicalize();
      rows[u][y] = p;
    }
  auto field = inference::Channel::matrix(rows);
  auto project = inference::Channel::projection(input, {pos});
  if (!field || !project) return std::nullopt;
  auto ch = inference::Channel::cascade(*project, *field);
  if (!ch) return std::nullopt;
  return *ch;
}

}  // namespace privflow::analyzer::detail
