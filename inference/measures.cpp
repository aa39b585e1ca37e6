#include "inference/measures.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "inference/detail/mpfr_util.hpp"

namespace privflow::inference {
namespace {

Rational ratio(const mpz_class& num, const mpz_class& den) {
  Rational q(num, den);
  q.canonicalize();
  return q;
}

// Largest sum of masses with secret values inside a window of width 2d + 1, over sorted
// (value, mass) entries. Some optimal window starts at an entry (shift it right until it
// does); a guess w = s_i + d, clipped to the domain, still covers [s_i, s_i + 2d] ∩ domain.
template <class Entries, class Value, class Mass>
mpz_class best_window(const Entries& e, std::uint64_t d, Value value, Mass mass) {
  const std::uint64_t width = d > (std::numeric_limits<std::uint64_t>::max() / 2) ? std::numeric_limits<std::uint64_t>::max() : 2 * d;
  mpz_class best = 0, cur = 0;
  std::size_t hi = 0;
  for (std::size_t lo = 0; lo < e.size(); ++lo) {
    const std::uint64_t end = value(e[lo]) > std::numeric_limits<std::uint64_t>::max() - width
                                  ? std::numeric_limits<std::uint64_t>::max()
                                  : value(e[lo]) + width;
    while (hi < e.size() && value(e[hi]) <= end) cur += mass(e[hi++]);
    if (cur > best) best = cur;
    cur -= mass(e[lo]);
  }
  return best;
}

}  // namespace

namespace {
// Budgets on the size of exact numbers, in 64-bit limbs: the accumulators' total size and the
// work of bringing every mass to the common scale. Beyond them observe() refuses.
constexpr double kMaxAccumulatorLimbs = 1.0e8;
constexpr double kMaxLiftLimbWork = 1.0e9;

double limbs(const mpz_class& z) { return static_cast<double>(mpz_size(z.get_mpz_t())) + 1.0; }
}  // namespace

mpz_class Observation::lifted(std::uint64_t s, const mpz_class& m) const {
  if (lift[s] == 1) return m;
  return m * lift[s];
}

Rational Observation::joint_probability(std::size_t i, std::uint64_t s) const {
  const Output& o = outputs.at(i);
  auto it = std::lower_bound(o.mass.begin(), o.mass.end(), s,
                             [](const auto& e, std::uint64_t v) { return e.first < v; });
  if (it == o.mass.end() || it->first != s) return Rational(0);
  return ratio(it->second, class_scale[s]);
}

Rational Observation::output_probability(std::size_t i) const { return ratio(outputs.at(i).total, scale); }

Rational Observation::posterior(std::size_t i, std::uint64_t v) const {
  const Output& o = outputs.at(i);
  auto it = std::lower_bound(o.mass.begin(), o.mass.end(), v,
                             [](const auto& e, std::uint64_t s) { return e.first < s; });
  if (it == o.mass.end() || it->first != v) return Rational(0);
  return ratio(lifted(v, it->second), o.total);
}

Distribution Observation::posterior_distribution(std::size_t i) const {
  Distribution d(secret_size, Rational(0));
  const Output& o = outputs.at(i);
  for (const auto& [s, m] : o.mass) d[s] = ratio(lifted(s, m), o.total);
  return d;
}

namespace {

/// Pass 1 of observe: the points x of the prior's support, their row sizes and weights
/// a_x = π(x) / den_x.
struct Weights {
  std::vector<std::uint64_t> support, row_size;
  std::vector<Rational> weight;
};

/// Pass 2 of observe: the integer mass of every (output, secret), one dense vector per output
/// when the whole table is small, an ordered map per output otherwise.
struct Masses {
  bool dense = false;
  std::vector<std::uint64_t> slot_y;  // the output of each slot, in order of appearance
  std::vector<std::vector<mpz_class>> dense_mass;
  std::vector<std::map<std::uint64_t, mpz_class>> sparse_mass;
  std::uint64_t cells = 0;
};

// Pass 1: weights a_x = π(x) / den_x and, per secret value s, their common denominator
// L_s, so that P(s, y) = Σ_{x in class s} (A_x · num_xy) / L_s with integers A_x = a_x · L_s.
// Per-class scales keep the integers short when classes have unrelated denominators.
// Fills obs.class_scale, obs.scale and obs.lift; an error when a budget is exceeded.
std::optional<std::string> weigh(const Joint& prior, const Channel& channel, std::uint64_t stride,
                                 std::uint64_t max_cells, Observation& obs, Weights& w) {
  const std::uint64_t k = obs.secret_size;
  if (channel.max_row_size() > max_cells)
    return "a row of the channel may have " + std::to_string(channel.max_row_size()) +
           " outputs, more than the limit of " + std::to_string(max_cells);
  obs.class_scale.assign(k, mpz_class(1));
  ChannelRow row;
  std::uint64_t work = 0;
  for (std::uint64_t x = 0; x < prior.p.size(); ++x) {
    if (sgn(prior.p[x]) == 0) continue;
    if (sgn(prior.p[x]) < 0) return "negative prior probability";
    channel.row(x, row);
    work += row.size;
    if (work > max_cells) return "the channel has more than " + std::to_string(max_cells) + " entries to combine";
    Rational a = prior.p[x] / row.den;
    a.canonicalize();
    mpz_class& cs = obs.class_scale[(x / stride) % k];
    mpz_lcm(cs.get_mpz_t(), cs.get_mpz_t(), a.get_den_mpz_t());
    w.support.push_back(x);
    w.row_size.push_back(row.size);
    w.weight.push_back(std::move(a));
  }
  double accumulator_limbs = 0;
  for (std::size_t i = 0; i < w.support.size(); ++i)
    accumulator_limbs += static_cast<double>(w.row_size[i]) * (limbs(obs.class_scale[(w.support[i] / stride) % k]) + 1);
  if (accumulator_limbs > kMaxAccumulatorLimbs)
    return "exact inference would need numbers too large to handle (the priors' and channel's "
           "denominators share too few factors)";
  obs.scale = 1;
  for (const mpz_class& cs : obs.class_scale) mpz_lcm(obs.scale.get_mpz_t(), obs.scale.get_mpz_t(), cs.get_mpz_t());
  // When the common scale is short anyway, use it for every class: comparisons and sums then
  // need no cross-multiplication.
  if (mpz_size(obs.scale.get_mpz_t()) <= 4) obs.class_scale.assign(k, obs.scale);
  obs.lift.resize(k);
  for (std::uint64_t s = 0; s < k; ++s) obs.lift[s] = obs.scale / obs.class_scale[s];
  return std::nullopt;
}

// Pass 2: accumulate integer masses per (output, secret).
std::optional<std::string> accumulate(const Channel& channel, const Weights& w, std::uint64_t stride,
                                      std::uint64_t max_cells, const Observation& obs, Masses& masses) {
  const std::uint64_t k = obs.secret_size;
  const std::uint64_t max_dense = 4'000'000;
  const bool dense = channel.outputs() <= max_dense / std::max<std::uint64_t>(k, 1);
  masses.dense = dense;
  std::unordered_map<std::uint64_t, std::size_t> slot_of;
  ChannelRow row;
  mpz_class big_a;
  for (std::size_t i = 0; i < w.support.size(); ++i) {
    const std::uint64_t x = w.support[i];
    const std::uint64_t s = (x / stride) % k;
    big_a = w.weight[i].get_num() * (obs.class_scale[s] / w.weight[i].get_den());
    channel.row(x, row);
    for (std::size_t e = 0; e < row.size; ++e) {
      auto [it, fresh] = slot_of.try_emplace(row.out[e], masses.slot_y.size());
      if (fresh) {
        masses.slot_y.push_back(row.out[e]);
        if (dense) {
          masses.cells += k;
          if (masses.cells > max_cells) return "more than " + std::to_string(max_cells) + " (secret, output) pairs";
          masses.dense_mass.emplace_back(k);
        } else {
          masses.sparse_mass.emplace_back();
        }
      }
      if (dense) {
        mpz_addmul(masses.dense_mass[it->second][s].get_mpz_t(), big_a.get_mpz_t(), row.num[e].get_mpz_t());
      } else {
        auto& m = masses.sparse_mass[it->second];
        auto [mit, added] = m.try_emplace(s);
        if (added && ++masses.cells > max_cells)
          return "more than " + std::to_string(max_cells) + " (secret, output) pairs";
        mpz_addmul(mit->second.get_mpz_t(), big_a.get_mpz_t(), row.num[e].get_mpz_t());
      }
    }
  }
  return std::nullopt;
}

// Pass 3: the outputs in ascending order, each with its total brought to the common scale
// (the masses are moved out of `masses`).
void collect_outputs(Masses& masses, bool all_one, Observation& obs) {
  const std::uint64_t k = obs.secret_size;
  std::vector<std::size_t> order(masses.slot_y.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return masses.slot_y[a] < masses.slot_y[b]; });
  obs.outputs.reserve(order.size());
  auto add_lifted = [&](mpz_class& total, std::uint64_t s, const mpz_class& m) {
    if (all_one || obs.lift[s] == 1)
      total += m;
    else
      mpz_addmul(total.get_mpz_t(), m.get_mpz_t(), obs.lift[s].get_mpz_t());
  };
  for (std::size_t slot : order) {
    Observation::Output out;
    out.y = masses.slot_y[slot];
    out.total = 0;
    if (masses.dense) {
      auto& v = masses.dense_mass[slot];
      for (std::uint64_t s = 0; s < k; ++s)
        if (sgn(v[s]) != 0) {
          add_lifted(out.total, s, v[s]);
          out.mass.emplace_back(s, std::move(v[s]));
        }
      std::vector<mpz_class>().swap(v);
    } else {
      for (auto& [s, m] : masses.sparse_mass[slot])
        if (sgn(m) != 0) {
          add_lifted(out.total, s, m);
          out.mass.emplace_back(s, std::move(m));
        }
      std::map<std::uint64_t, mpz_class>().swap(masses.sparse_mass[slot]);
    }
    if (sgn(out.total) != 0) obs.outputs.push_back(std::move(out));
  }
}

}  // namespace

Result<Observation> observe(const Joint& prior, const Channel& channel, std::size_t secret_pos,
                            std::uint64_t max_cells) {
  using R = Result<Observation>;
  if (secret_pos >= prior.domain.sizes.size()) return R::failure("the secret is not a position of the prior");
  if (prior.p.size() != channel.inputs() || prior.domain.cardinality() != channel.inputs())
    return R::failure("the channel reads " + std::to_string(channel.inputs()) + " inputs but the prior has " +
                      std::to_string(prior.p.size()));
  Observation obs;
  obs.secret_size = prior.domain.sizes[secret_pos];
  obs.prior = prior.marginal(secret_pos);
  const std::uint64_t stride = prior.domain.stride(secret_pos);

  Weights weights;
  if (auto error = weigh(prior, channel, stride, max_cells, obs, weights)) return R::failure(*error);
  Masses masses;
  if (auto error = accumulate(channel, weights, stride, max_cells, obs, masses)) return R::failure(*error);
  bool all_one = true;
  for (const mpz_class& l : obs.lift) all_one = all_one && l == 1;
  if (!all_one && static_cast<double>(masses.cells) * limbs(obs.scale) > kMaxLiftLimbWork)
    return R::failure("exact inference would need numbers too large to handle (the priors' and channel's "
                      "denominators share too few factors)");
  collect_outputs(masses, all_one, obs);
  // Rows sum to 1 by construction, so the outputs' probabilities sum to Σ π: it must be 1.
  mpz_class sum = 0;
  for (const auto& o : obs.outputs) sum += o.total;
  if (sum != obs.scale) return R::failure("the prior does not sum to 1");
  return obs;
}

Result<Observation> observe_fields(const BayesNet& net, FieldId secret, const std::vector<FieldId>& observed,
                                   std::uint64_t max_cells) {
  std::vector<FieldId> fields{secret};
  std::vector<std::size_t> positions;
  for (FieldId f : observed) {
    auto it = std::find(fields.begin(), fields.end(), f);
    positions.push_back(static_cast<std::size_t>(it - fields.begin()));
    if (it == fields.end()) fields.push_back(f);
  }
  auto joint = joint_distribution(net, fields, max_cells);
  if (!joint) return Result<Observation>::failure(joint.error());
  auto channel = Channel::projection(joint->domain, positions);
  if (!channel) return Result<Observation>::failure(channel.error());
  return observe(*joint, *channel, 0, max_cells);
}

MaxPosterior max_posterior(const Observation& obs, std::uint64_t v) {
  MaxPosterior best;
  best.value = v < obs.prior.size() ? obs.prior[v] : Rational(0);
  // Posterior = mass · lift[v] / total; lift[v] is common to all outputs, so compare
  // mass / total by cross-multiplication.
  mpz_class bn = -1, bd = 1;
  for (std::size_t i = 0; i < obs.outputs.size(); ++i) {
    const auto& o = obs.outputs[i];
    auto it = std::lower_bound(o.mass.begin(), o.mass.end(), v,
                               [](const auto& e, std::uint64_t s) { return e.first < s; });
    mpz_class m = (it != o.mass.end() && it->first == v) ? it->second : mpz_class(0);
    if (m * bd > bn * o.total) {
      bn = m;
      bd = o.total;
      best.output = i;
    }
  }
  if (best.output != static_cast<std::size_t>(-1)) best.value = ratio(obs.lifted(v, bn), bd);
  return best;
}

Rational prior_vulnerability(const Observation& obs) {
  Rational best = 0;
  for (const Rational& q : obs.prior) best = std::max(best, q);
  return best;
}

Rational posterior_vulnerability(const Observation& obs) {
  // Σ_y max_s mass(s, y) / class_scale[s], summed per arg-max class then lifted once.
  std::vector<mpz_class> best_sum(obs.secret_size);
  for (const auto& o : obs.outputs) {
    const std::pair<std::uint64_t, mpz_class>* best = nullptr;
    for (const auto& e : o.mass) {
      if (!best) {
        best = &e;
        continue;
      }
      const bool greater = obs.class_scale[e.first] == obs.class_scale[best->first]
                               ? e.second > best->second
                               : e.second * obs.class_scale[best->first] > best->second * obs.class_scale[e.first];
      if (greater) best = &e;
    }
    if (best) best_sum[best->first] += best->second;
  }
  mpz_class sum = 0;
  for (std::uint64_t s = 0; s < obs.secret_size; ++s)
    if (sgn(best_sum[s]) != 0) sum += obs.lifted(s, best_sum[s]);
  return ratio(sum, obs.scale);
}

Rational multiplicative_leakage(const Observation& obs) {
  Rational prior = prior_vulnerability(obs);
  if (sgn(prior) == 0) return Rational(1);
  Rational r = posterior_vulnerability(obs) / prior;
  r.canonicalize();
  return r;
}

Bits log2_up(const Rational& q_in) {
  Rational q = q_in;
  q.canonicalize();
  assert(sgn(q) > 0);
  auto power_of_two = [](const mpz_class& z) { return z > 0 && mpz_popcount(z.get_mpz_t()) == 1; };
  if (q.get_num() == 1 && power_of_two(q.get_den()))
    return {Rational(-static_cast<long>(mpz_sizeinbase(q.get_den_mpz_t(), 2) - 1)), true};
  if (q.get_den() == 1 && power_of_two(q.get_num()))
    return {Rational(static_cast<long>(mpz_sizeinbase(q.get_num_mpz_t(), 2) - 1)), true};
  detail::Mpfr x(q, MPFR_RNDU);
  mpfr_log2(x.get(), x.get(), MPFR_RNDU);
  return {x.to_rational(), false};
}

Bits min_entropy_leakage(const Observation& obs) {
  Rational r = multiplicative_leakage(obs);
  if (r <= 1) return {Rational(0), true};
  return log2_up(r);
}

Rational prior_g_vulnerability(const Observation& obs, const GainFunction& g) {
  Rational best = 0;
  for (std::uint64_t w = 0; w < g.guesses; ++w) {
    Rational sum = 0;
    for (std::uint64_t s = 0; s < obs.prior.size(); ++s)
      if (sgn(obs.prior[s]) != 0) sum += obs.prior[s] * g.gain(w, s);
    if (w == 0 || sum > best) best = sum;
  }
  return best;
}

Rational posterior_g_vulnerability(const Observation& obs, const GainFunction& g) {
  Rational total = 0;
  for (const auto& o : obs.outputs) {
    Rational best = 0;
    for (std::uint64_t w = 0; w < g.guesses; ++w) {
      Rational sum = 0;
      for (const auto& [s, m] : o.mass) sum += ratio(m, obs.class_scale[s]) * g.gain(w, s);
      if (w == 0 || sum > best) best = sum;
    }
    total += best;
  }
  return total;
}

Rational prior_vulnerability_within(const Observation& obs, std::uint64_t d) {
  // Scale the prior to integers over its common denominator.
  mpz_class den = 1;
  for (const Rational& q : obs.prior) mpz_lcm(den.get_mpz_t(), den.get_mpz_t(), q.get_den_mpz_t());
  std::vector<std::pair<std::uint64_t, mpz_class>> e;
  for (std::uint64_t s = 0; s < obs.prior.size(); ++s)
    if (sgn(obs.prior[s]) != 0) e.emplace_back(s, obs.prior[s].get_num() * (den / obs.prior[s].get_den()));
  mpz_class best = best_window(e, d, [](const auto& p) { return p.first; }, [](const auto& p) -> const mpz_class& { return p.second; });
  return ratio(best, den);
}

Rational posterior_vulnerability_within(const Observation& obs, std::uint64_t d) {
  mpz_class sum = 0;
  std::vector<std::pair<std::uint64_t, mpz_class>> lifted;
  for (const auto& o : obs.outputs) {
    lifted.clear();
    for (const auto& [s, m] : o.mass) lifted.emplace_back(s, obs.lifted(s, m));
    sum += best_window(lifted, d, [](const auto& p) { return p.first; },
                       [](const auto& p) -> const mpz_class& { return p.second; });
  }
  return ratio(sum, obs.scale);
}

Result<Rational> bayes_capacity(const Channel& channel, std::uint64_t max_cells) {
  if (channel.max_row_size() > max_cells)
    return Result<Rational>::failure("a row of the channel may have more outputs than the limit of " +
                                     std::to_string(max_cells));
  // Per output the largest entry, kept as (num, den) and compared by cross-multiplication.
  std::unordered_map<std::uint64_t, std::pair<mpz_class, mpz_class>> best;
  ChannelRow row;
  std::uint64_t work = 0;
  for (std::uint64_t x = 0; x < channel.inputs(); ++x) {
    channel.row(x, row);
    work += row.size;
    if (work > max_cells)
      return Result<Rational>::failure("the channel has more than " + std::to_string(max_cells) + " entries");
    for (std::size_t i = 0; i < row.size; ++i) {
      auto [it, fresh] = best.try_emplace(row.out[i], row.num[i], row.den);
      if (!fresh && row.num[i] * it->second.second > it->second.first * row.den) it->second = {row.num[i], row.den};
    }
  }
  Rational sum = 0;
  for (const auto& [y, b] : best) sum += ratio(b.first, b.second);
  return sum;
}

Result<std::optional<Rational>> channel_epsilon_up(const Channel& channel, std::uint64_t max_cells) {
  using R = Result<std::optional<Rational>>;
  if (channel.max_row_size() > max_cells)
    return R::failure("a row of the channel may have more outputs than the limit of " + std::to_string(max_cells));
  struct Column {
    mpz_class max_num, max_den, min_num, min_den;
    std::uint64_t rows = 0;
  };
  std::unordered_map<std::uint64_t, Column> col;
  ChannelRow row;
  std::uint64_t work = 0;
  for (std::uint64_t x = 0; x < channel.inputs(); ++x) {
    channel.row(x, row);
    work += row.size;
    if (work > max_cells) return R::failure("the channel has more than " + std::to_string(max_cells) + " entries");
    for (std::size_t i = 0; i < row.size; ++i) {
      Column& c = col[row.out[i]];
      if (c.rows++ == 0) {
        c.max_num = c.min_num = row.num[i];
        c.max_den = c.min_den = row.den;
        continue;
      }
      if (row.num[i] * c.max_den > c.max_num * row.den) c.max_num = row.num[i], c.max_den = row.den;
      if (row.num[i] * c.min_den < c.min_num * row.den) c.min_num = row.num[i], c.min_den = row.den;
    }
  }
  Rational worst = 1;
  for (const auto& [y, c] : col) {
    if (c.rows < channel.inputs()) return std::optional<Rational>{};  // a zero beside a positive entry
    Rational r(c.max_num * c.min_den, c.min_num * c.max_den);
    r.canonicalize();
    worst = std::max(worst, r);
  }
  if (worst == 1) return std::optional<Rational>{Rational(0)};
  detail::Mpfr x(worst, MPFR_RNDU);
  mpfr_log(x.get(), x.get(), MPFR_RNDU);
  return std::optional<Rational>{x.to_rational()};
}

}  // namespace privflow::inference
