#pragma once
// Exact information-theoretic channels from a record's (joint) value to what an adversary
// observes: C(x, y) = P(observe y | input x), every entry an exact rational.
//
// A Channel is an immutable tree of structured pieces (projection, deterministic map,
// randomized response, explicit matrix, parallel and cascade composition). Nothing dense is
// built unless the channel is given as a matrix: an identity on 10^4 inputs costs 10^4
// words, not 10^8 rationals. Rows are produced on demand in integer form (numerators over
// one row denominator) so that measures can accumulate with integer multiply-adds.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "base/rational.hpp"
#include "inference/bayes_net.hpp"
#include "inference/result.hpp"

namespace privflow::inference {

/// One row of a channel in integer form: C(x, out[i]) = num[i] / den, for i < size.
/// Outputs not listed have probability 0. Buffers are reused between calls.
struct ChannelRow {
  mpz_class den;
  std::vector<std::uint64_t> out;
  std::vector<mpz_class> num;
  std::size_t size = 0;

  void clear() { size = 0; }
  void push(std::uint64_t y, const mpz_class& n);
  void push(std::uint64_t y, unsigned long n);
};

class Channel {
 public:
  enum class Kind { kProjection, kDeterministic, kRandomizedResponse, kMatrix, kParallel, kCascade, kRepeatedRR };

  /// `select`: the identity on the sub-tuple at `positions` of `input` (in that order);
  /// output index is that sub-tuple's mixed-radix index. Deterministic.
  static Result<Channel> projection(const Domain& input, std::vector<std::size_t> positions);
  /// A deterministic function (e.g. a `map` expression, or the solver's output classes):
  /// input x yields output output_of[x] < outputs, with probability 1.
  static Result<Channel> deterministic(std::vector<std::uint64_t> output_of, std::uint64_t outputs);
  /// k-ary randomized response on position `pos` of `input` (k = input.sizes[pos]):
  /// reports the true value with probability `keep`, each other value with
  /// (1 − keep)/(k − 1) (Warner 1965; k-ary form: Kairouz, Oh, Viswanath 2016). Exact.
  static Result<Channel> randomized_response(const Domain& input, std::size_t pos, const Rational& keep);
  /// `times` independent k-ary randomized responses of the same value, observed together,
  /// reduced to their counts: output = how many times each value was reported (count vectors
  /// in lexicographic order, first value's count most significant, descending from (T,0,…)).
  /// The counts are a sufficient statistic (every report sequence with the same counts has
  /// the same likelihood under every input), so posteriors and vulnerabilities equal those of
  /// the parallel composition of `times` copies, with C(T+k−1, k−1) outputs instead of k^T.
  /// Fails above `max_outputs` outputs.
  static Result<Channel> repeated_randomized_response(const Domain& input, std::size_t pos, const Rational& keep,
                                                      std::uint64_t times, std::uint64_t max_outputs = 1'000'000);
  /// An explicit matrix, one row per input (each row sums to exactly 1, entries >= 0).
  static Result<Channel> matrix(const std::vector<std::vector<Rational>>& rows);
  /// An explicit sparse matrix: rows[x] lists (output, probability) pairs, outputs < outputs.
  static Result<Channel> sparse(const std::vector<std::vector<std::pair<std::uint64_t, Rational>>>& rows,
                                std::uint64_t outputs);
  /// Parallel composition on the same input: the adversary sees every part's output, linked.
  /// Output = mixed-radix tuple (first part most significant) of the parts' outputs;
  /// C(x, (y1..yn)) = Π C_i(x, y_i) (independent randomness). Fails when the output space
  /// exceeds 2^64.
  static Result<Channel> parallel(std::vector<Channel> parts);
  /// Cascade: `second` post-processes the output of `first` (first.outputs() == second.inputs()).
  /// (C1 C2)(x, z) = Σ_y C1(x, y) C2(y, z).
  static Result<Channel> cascade(Channel first, Channel second);

  Kind kind() const;
  std::uint64_t inputs() const;
  std::uint64_t outputs() const;
  /// For kParallel the parts' output sizes (decode an output with Domain{output_radix()});
  /// otherwise {outputs()}.
  std::vector<std::uint64_t> output_radix() const;
  /// True when every row has exactly one output of probability 1.
  bool is_deterministic() const;

  /// An upper bound on the number of nonzero entries of any row (saturating at 2^64 − 1):
  /// callers check it against their limits before asking for rows.
  std::uint64_t max_row_size() const;

  /// Fills `row` with input x's row, outputs ascending, zero entries omitted.
  void row(std::uint64_t x, ChannelRow& row) const;
  /// C(x, y) exactly (convenience; slow for large rows).
  Rational entry(std::uint64_t x, std::uint64_t y) const;
  /// Row x as rationals (output, probability), outputs ascending.
  std::vector<std::pair<std::uint64_t, Rational>> row_rational(std::uint64_t x) const;

  struct Node;  // implementation detail

 private:
  explicit Channel(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const Node> node_;
};

/// The channel a correlated field induces: input = value of `secret`, output = value of
/// `observed`, C(s, o) = P(observed = o | secret = s), from the network's joint of the pair.
/// Rows of secret values with prior probability 0 are uniform (they never occur).
Result<Channel> induced_channel(const BayesNet& net, FieldId secret, FieldId observed,
                                std::uint64_t max_cells = kDefaultMaxCells);

}  // namespace privflow::inference
