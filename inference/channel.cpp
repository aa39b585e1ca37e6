#include "inference/channel.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <limits>
#include <map>

namespace privflow::inference {

struct Channel::Node {
  Kind kind = Kind::kDeterministic;
  std::uint64_t inputs = 0, outputs = 0;
  bool deterministic = false;
  std::uint64_t max_row = 1;  // upper bound on nonzero entries per row
  // kProjection: output digit j is (x / in_stride[j]) % radix[j].
  std::vector<std::uint64_t> in_stride, radix;
  // kDeterministic
  std::vector<std::uint64_t> output_of;
  // kRandomizedResponse: value = (x / stride) % k; C = keep_num/den on it, off_num/den elsewhere.
  std::uint64_t stride = 1, k = 1;
  mpz_class keep_num, off_num, den;
  // kMatrix (compressed sparse rows): row x is entries [start[x], start[x+1]).
  std::vector<std::uint64_t> start, cols;
  std::vector<mpz_class> nums, dens;
  // kRepeatedRR (with stride, k, keep_num, off_num, den of one report): per output, its count
  // vector and multinomial coefficient; powers of keep_num and off_num up to `times`.
  std::uint64_t times = 0;
  std::vector<std::vector<std::uint32_t>> counts;
  std::vector<mpz_class> multinomial, keep_pow, off_pow;
  // kParallel, kCascade
  std::vector<Channel> parts;
};

namespace {

using Node = Channel::Node;

bool mul_overflows(std::uint64_t a, std::uint64_t b) {
  return a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a;
}

// Integer form of one row given as rationals: den = lcm of the denominators.
void append_rational_row(Node& node, const std::vector<std::pair<std::uint64_t, Rational>>& row) {
  mpz_class den = 1;
  for (const auto& [y, q] : row)
    if (sgn(q) != 0) mpz_lcm(den.get_mpz_t(), den.get_mpz_t(), q.get_den_mpz_t());
  for (const auto& [y, q] : row) {
    if (sgn(q) == 0) continue;
    node.cols.push_back(y);
    node.nums.push_back(q.get_num() * (den / q.get_den()));
  }
  node.dens.push_back(den);
  node.start.push_back(node.cols.size());
}

template <class T>
Result<T> fail(std::string message) {
  return Result<T>::failure(std::move(message));
}

}  // namespace

void ChannelRow::push(std::uint64_t y, const mpz_class& n) {
  if (size == out.size()) {
    out.push_back(y);
    num.push_back(n);
  } else {
    out[size] = y;
    num[size] = n;
  }
  ++size;
}

void ChannelRow::push(std::uint64_t y, unsigned long n) {
  if (size == out.size()) {
    out.push_back(y);
    num.emplace_back(n);
  } else {
    out[size] = y;
    num[size] = n;
  }
  ++size;
}

Result<Channel> Channel::projection(const Domain& input, std::vector<std::size_t> positions) {
  auto node = std::make_shared<Node>();
  node->kind = Kind::kProjection;
  node->deterministic = true;
  node->inputs = input.cardinality();
  if (node->inputs == std::numeric_limits<std::uint64_t>::max()) return fail<Channel>("input domain too large");
  std::uint64_t outputs = 1;
  std::vector<bool> seen(input.sizes.size(), false);
  for (std::size_t p : positions) {
    if (p >= input.sizes.size()) return fail<Channel>("projection onto a position outside the input");
    if (seen[p]) return fail<Channel>("projection names a position twice");
    seen[p] = true;
    node->in_stride.push_back(input.stride(p));
    node->radix.push_back(input.sizes[p]);
    outputs *= input.sizes[p];  // <= inputs: no overflow
  }
  node->outputs = outputs;
  return Channel(std::move(node));
}

Result<Channel> Channel::deterministic(std::vector<std::uint64_t> output_of, std::uint64_t outputs) {
  for (std::uint64_t y : output_of)
    if (y >= outputs) return fail<Channel>("deterministic channel output " + std::to_string(y) + " out of range");
  auto node = std::make_shared<Node>();
  node->kind = Kind::kDeterministic;
  node->deterministic = true;
  node->inputs = output_of.size();
  node->outputs = outputs;
  node->output_of = std::move(output_of);
  return Channel(std::move(node));
}

Result<Channel> Channel::randomized_response(const Domain& input, std::size_t pos, const Rational& keep_in) {
  if (pos >= input.sizes.size()) return fail<Channel>("randomized response on a position outside the input");
  Rational keep = keep_in;
  keep.canonicalize();
  if (keep < 0 || keep > 1) return fail<Channel>("keep probability " + keep.get_str() + " is outside [0, 1]");
  auto node = std::make_shared<Node>();
  node->kind = Kind::kRandomizedResponse;
  node->inputs = input.cardinality();
  if (node->inputs == std::numeric_limits<std::uint64_t>::max()) return fail<Channel>("input domain too large");
  node->k = input.sizes[pos];
  node->outputs = node->k;
  node->stride = input.stride(pos);
  if (node->k == 1) {
    // One value: the report is always that value, whatever `keep` says.
    node->keep_num = 1;
    node->off_num = 0;
    node->den = 1;
  } else {
    // keep = a/b, off = (1 − keep)/(k − 1) = (b − a) / (b (k − 1)).
    const mpz_class& a = keep.get_num();
    const mpz_class& b = keep.get_den();
    node->den = b * (node->k - 1);
    node->keep_num = a * (node->k - 1);
    node->off_num = b - a;
    mpz_class g;
    mpz_gcd(g.get_mpz_t(), node->keep_num.get_mpz_t(), node->off_num.get_mpz_t());
    mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), node->den.get_mpz_t());
    node->keep_num /= g;
    node->off_num /= g;
    node->den /= g;
  }
  node->deterministic = sgn(node->off_num) == 0;
  node->max_row = node->deterministic ? 1 : node->k;
  return Channel(std::move(node));
}

Result<Channel> Channel::repeated_randomized_response(const Domain& input, std::size_t pos, const Rational& keep,
                                                      std::uint64_t times, std::uint64_t max_outputs) {
  auto one = randomized_response(input, pos, keep);
  if (!one) return one;
  if (times == 1) return one;
  const Node& base = *one->node_;
  const std::uint64_t k = base.k;
  if (times == 0 || k == 1 || base.deterministic) {
    // Nothing random to repeat (or nothing reported): one report carries everything.
    if (times == 0) return deterministic(std::vector<std::uint64_t>(base.inputs, 0), 1);
    return one;
  }
  // Number of count vectors C(T + k − 1, k − 1), checked against the limit as it grows.
  mpz_class n_out;
  mpz_bin_uiui(n_out.get_mpz_t(), static_cast<unsigned long>(times + k - 1), static_cast<unsigned long>(k - 1));
  if (n_out > max_outputs)
    return fail<Channel>("repeated randomized response has " + n_out.get_str() + " count vectors, more than " +
                         std::to_string(max_outputs));
  auto node = std::make_shared<Node>(base);
  node->kind = Kind::kRepeatedRR;
  node->times = times;
  node->outputs = n_out.get_ui();
  node->max_row = node->outputs;
  node->deterministic = false;
  // Enumerate count vectors in lexicographic order, largest first count first.
  std::vector<std::uint32_t> c(k, 0);
  mpz_class t_fact;
  mpz_fac_ui(t_fact.get_mpz_t(), static_cast<unsigned long>(times));
  std::function<void(std::size_t, std::uint64_t)> rec = [&](std::size_t j, std::uint64_t left) {
    if (j + 1 == k) {
      c[j] = static_cast<std::uint32_t>(left);
      node->counts.push_back(c);
      mpz_class m = t_fact, f;
      for (std::uint32_t cj : c) {
        mpz_fac_ui(f.get_mpz_t(), cj);
        mpz_divexact(m.get_mpz_t(), m.get_mpz_t(), f.get_mpz_t());
      }
      node->multinomial.push_back(m);
      return;
    }
    for (std::uint64_t v = left + 1; v-- > 0;) {
      c[j] = static_cast<std::uint32_t>(v);
      rec(j + 1, left - v);
    }
  };
  rec(0, times);
  node->keep_pow.resize(times + 1);
  node->off_pow.resize(times + 1);
  node->keep_pow[0] = node->off_pow[0] = 1;
  for (std::uint64_t t = 1; t <= times; ++t) {
    node->keep_pow[t] = node->keep_pow[t - 1] * base.keep_num;
    node->off_pow[t] = node->off_pow[t - 1] * base.off_num;
  }
  mpz_pow_ui(node->den.get_mpz_t(), base.den.get_mpz_t(), static_cast<unsigned long>(times));
  return Channel(std::move(node));
}

Result<Channel> Channel::matrix(const std::vector<std::vector<Rational>>& rows) {
  // Direct path (no intermediate sparse copy): validate, then store each row over the lcm of
  // its denominators.
  auto node = std::make_shared<Node>();
  node->kind = Kind::kMatrix;
  node->inputs = rows.size();
  node->outputs = rows.empty() ? 0 : rows[0].size();
  node->start.push_back(0);
  bool deterministic = true;
  Rational sum;
  mpz_class den;
  for (std::size_t x = 0; x < rows.size(); ++x) {
    const auto& r = rows[x];
    if (r.size() != node->outputs)
      return fail<Channel>("channel row " + std::to_string(x) + " has " + std::to_string(r.size()) +
                           " entries, expected " + std::to_string(node->outputs));
    sum = 0;
    den = 1;
    std::size_t nonzero = 0;
    for (const Rational& q : r) {
      if (sgn(q) == 0) continue;
      Rational c = q;
      c.canonicalize();
      if (c < 0 || c > 1) return fail<Channel>("channel entry " + c.get_str() + " is outside [0, 1]");
      sum += c;
      mpz_lcm(den.get_mpz_t(), den.get_mpz_t(), c.get_den_mpz_t());
      ++nonzero;
    }
    if (sum != 1) return fail<Channel>("channel row " + std::to_string(x) + " sums to " + sum.get_str() + ", not 1");
    deterministic = deterministic && nonzero == 1;
    for (std::uint64_t y = 0; y < r.size(); ++y) {
      if (sgn(r[y]) == 0) continue;
      Rational c = r[y];
      c.canonicalize();
      node->cols.push_back(y);
      node->nums.push_back(c.get_num() * (den / c.get_den()));
    }
    node->dens.push_back(den);
    node->start.push_back(node->cols.size());
    node->max_row = std::max<std::uint64_t>(node->max_row, nonzero);
  }
  node->deterministic = deterministic;
  return Channel(std::move(node));
}

Result<Channel> Channel::sparse(const std::vector<std::vector<std::pair<std::uint64_t, Rational>>>& rows,
                                std::uint64_t outputs) {
  auto node = std::make_shared<Node>();
  node->kind = Kind::kMatrix;
  node->inputs = rows.size();
  node->outputs = outputs;
  node->start.push_back(0);
  bool deterministic = true;
  for (std::size_t x = 0; x < rows.size(); ++x) {
    auto row = rows[x];
    for (auto& [y, q] : row) {
      q.canonicalize();
      if (y >= outputs) return fail<Channel>("channel row " + std::to_string(x) + " names an output out of range");
      if (q < 0 || q > 1) return fail<Channel>("channel entry " + q.get_str() + " is outside [0, 1]");
    }
    std::sort(row.begin(), row.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
    // Merge repeated outputs.
    std::vector<std::pair<std::uint64_t, Rational>> merged;
    Rational sum = 0;
    for (auto& e : row) {
      sum += e.second;
      if (!merged.empty() && merged.back().first == e.first)
        merged.back().second += e.second;
      else
        merged.push_back(std::move(e));
    }
    if (sum != 1)
      return fail<Channel>("channel row " + std::to_string(x) + " sums to " + sum.get_str() + ", not 1");
    std::size_t nonzero = 0;
    for (const auto& e : merged) nonzero += sgn(e.second) != 0;
    deterministic = deterministic && nonzero == 1;
    append_rational_row(*node, merged);
    node->max_row = std::max<std::uint64_t>(node->max_row, nonzero);
  }
  node->deterministic = deterministic;
  return Channel(std::move(node));
}

Result<Channel> Channel::parallel(std::vector<Channel> parts) {
  if (parts.empty()) return fail<Channel>("parallel composition of no channels");
  auto node = std::make_shared<Node>();
  node->kind = Kind::kParallel;
  node->inputs = parts[0].inputs();
  node->outputs = 1;
  node->deterministic = true;
  for (const Channel& c : parts) {
    if (c.inputs() != node->inputs) return fail<Channel>("parallel channels must read the same input");
    if (mul_overflows(node->outputs, c.outputs()))
      return fail<Channel>("the composed channel has more than 2^64 outputs");
    node->outputs *= c.outputs();
    node->deterministic = node->deterministic && c.is_deterministic();
    node->max_row = mul_overflows(node->max_row, c.max_row_size()) ? std::numeric_limits<std::uint64_t>::max()
                                                                    : node->max_row * c.max_row_size();
  }
  if (parts.size() == 1) return parts[0];
  node->parts = std::move(parts);
  return Channel(std::move(node));
}

Result<Channel> Channel::cascade(Channel first, Channel second) {
  if (first.outputs() != second.inputs())
    return fail<Channel>("cascade: the first channel has " + std::to_string(first.outputs()) +
                         " outputs but the second reads " + std::to_string(second.inputs()));
  auto node = std::make_shared<Node>();
  node->kind = Kind::kCascade;
  node->inputs = first.inputs();
  node->outputs = second.outputs();
  node->deterministic = first.is_deterministic() && second.is_deterministic();
  node->max_row = std::min(node->outputs, mul_overflows(first.max_row_size(), second.max_row_size())
                                              ? std::numeric_limits<std::uint64_t>::max()
                                              : first.max_row_size() * second.max_row_size());
  node->parts = {std::move(first), std::move(second)};
  return Channel(std::move(node));
}

Channel::Kind Channel::kind() const { return node_->kind; }
std::uint64_t Channel::inputs() const { return node_->inputs; }
std::uint64_t Channel::outputs() const { return node_->outputs; }
bool Channel::is_deterministic() const { return node_->deterministic; }
std::uint64_t Channel::max_row_size() const { return node_->max_row; }

std::vector<std::uint64_t> Channel::output_radix() const {
  if (node_->kind != Kind::kParallel) return {node_->outputs};
  std::vector<std::uint64_t> r;
  for (const Channel& c : node_->parts) r.push_back(c.outputs());
  return r;
}

void Channel::row(std::uint64_t x, ChannelRow& row) const {
  assert(x < node_->inputs);
  const Node& n = *node_;
  row.clear();
  switch (n.kind) {
    case Kind::kProjection: {
      std::uint64_t y = 0;
      for (std::size_t j = 0; j < n.radix.size(); ++j) y = y * n.radix[j] + (x / n.in_stride[j]) % n.radix[j];
      row.den = 1;
      row.push(y, 1UL);
      return;
    }
    case Kind::kDeterministic:
      row.den = 1;
      row.push(n.output_of[x], 1UL);
      return;
    case Kind::kRandomizedResponse: {
      const std::uint64_t v = (x / n.stride) % n.k;
      row.den = n.den;
      const bool off = sgn(n.off_num) != 0;
      for (std::uint64_t y = 0; y < n.k; ++y) {
        if (y == v) {
          if (sgn(n.keep_num) != 0) row.push(y, n.keep_num);
        } else if (off) {
          row.push(y, n.off_num);
        }
      }
      return;
    }
    case Kind::kRepeatedRR: {
      // P(counts c | value v) = multinomial(c) · keep^c_v · off^(T − c_v).
      const std::uint64_t v = (x / n.stride) % n.k;
      row.den = n.den;
      mpz_class num;
      for (std::uint64_t y = 0; y < n.counts.size(); ++y) {
        const std::uint32_t cv = n.counts[y][v];
        num = n.multinomial[y] * n.keep_pow[cv];
        num *= n.off_pow[n.times - cv];
        if (sgn(num) != 0) row.push(y, num);
      }
      return;
    }
    case Kind::kMatrix:
      row.den = n.dens[x];
      for (std::uint64_t i = n.start[x]; i < n.start[x + 1]; ++i) row.push(n.cols[i], n.nums[i]);
      return;
    case Kind::kParallel: {
      n.parts[0].row(x, row);
      ChannelRow part, next;
      for (std::size_t p = 1; p < n.parts.size(); ++p) {
        n.parts[p].row(x, part);
        const std::uint64_t radix = n.parts[p].outputs();
        next.clear();
        next.den = row.den * part.den;
        for (std::size_t i = 0; i < row.size; ++i)
          for (std::size_t j = 0; j < part.size; ++j) next.push(row.out[i] * radix + part.out[j], row.num[i] * part.num[j]);
        std::swap(row, next);
      }
      return;
    }
    case Kind::kCascade: {
      ChannelRow first, second;
      n.parts[0].row(x, first);
      std::map<std::uint64_t, Rational> acc;
      for (std::size_t i = 0; i < first.size; ++i) {
        n.parts[1].row(first.out[i], second);
        for (std::size_t j = 0; j < second.size; ++j) {
          Rational q(first.num[i] * second.num[j], first.den * second.den);
          q.canonicalize();
          acc[second.out[j]] += q;
        }
      }
      mpz_class den = 1;
      for (const auto& [z, q] : acc) mpz_lcm(den.get_mpz_t(), den.get_mpz_t(), q.get_den_mpz_t());
      row.den = den;
      for (const auto& [z, q] : acc)
        if (sgn(q) != 0) row.push(z, mpz_class(q.get_num() * (den / q.get_den())));
      return;
    }
  }
}

std::vector<std::pair<std::uint64_t, Rational>> Channel::row_rational(std::uint64_t x) const {
  ChannelRow r;
  row(x, r);
  std::vector<std::pair<std::uint64_t, Rational>> out;
  out.reserve(r.size);
  for (std::size_t i = 0; i < r.size; ++i) {
    Rational q(r.num[i], r.den);
    q.canonicalize();
    out.emplace_back(r.out[i], std::move(q));
  }
  return out;
}

Rational Channel::entry(std::uint64_t x, std::uint64_t y) const {
  for (auto& [z, q] : row_rational(x))
    if (z == y) return q;
  return Rational(0);
}

Result<Channel> induced_channel(const BayesNet& net, FieldId secret, FieldId observed, std::uint64_t max_cells) {
  if (secret == observed) {
    if (secret >= net.size()) return fail<Channel>("unknown field");
    return Channel::projection(Domain{{net.field(secret).size}}, {0});
  }
  auto j = joint_distribution(net, {secret, observed}, max_cells);
  if (!j) return fail<Channel>(j.error());
  const std::uint64_t ks = j->domain.sizes[0], ko = j->domain.sizes[1];
  std::vector<std::vector<std::pair<std::uint64_t, Rational>>> rows(ks);
  for (std::uint64_t s = 0; s < ks; ++s) {
    Rational total = 0;
    for (std::uint64_t o = 0; o < ko; ++o) total += j->p[s * ko + o];
    for (std::uint64_t o = 0; o < ko; ++o) {
      if (sgn(total) == 0) {
        Rational u(1, static_cast<unsigned long>(ko));
        u.canonicalize();
        rows[s].emplace_back(o, u);
      } else if (sgn(j->p[s * ko + o]) != 0) {
        rows[s].emplace_back(o, Rational(j->p[s * ko + o] / total));
      }
    }
  }
  return Channel::sparse(rows, ko);
}

}  // namespace privflow::inference
