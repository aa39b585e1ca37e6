#pragma once
// Priors over one record's fields as a Bayesian network, and exact joint distributions
// over any subset of its fields by variable elimination. All arithmetic is in GMP
// rationals: marginals and joints are exact, never rounded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "inference/result.hpp"

namespace privflow::inference {

using Rational = privflow::Rational;
/// A probability distribution over value indices 0..k-1 (exact).
using Distribution = std::vector<Rational>;
/// Index of a field in a BayesNet.
using FieldId = std::size_t;

/// A tuple space: value i of position j ranges over 0..sizes[j]-1. Tuples are indexed in
/// mixed radix with the FIRST position most significant: index = ((v0·s1 + v1)·s2 + v2)…
struct Domain {
  std::vector<std::uint64_t> sizes;

  /// Number of tuples (product of sizes; 1 for the empty domain). Saturates at UINT64_MAX.
  std::uint64_t cardinality() const;
  /// Index of a tuple (values.size() == sizes.size(), each in range).
  std::uint64_t index_of(const std::vector<std::uint64_t>& values) const;
  /// The tuple at an index.
  std::vector<std::uint64_t> values_of(std::uint64_t index) const;
  /// Value of position `pos` in the tuple at `index`, without decoding the whole tuple.
  std::uint64_t value_at(std::uint64_t index, std::size_t pos) const;
  /// Distance between consecutive values of position `pos` in index space.
  std::uint64_t stride(std::size_t pos) const;
};

/// An exact joint distribution over a Domain (one probability per tuple index).
struct Joint {
  /// Which BayesNet fields the positions are (empty when built by hand).
  std::vector<FieldId> fields;
  Domain domain;
  /// p[index] for every tuple; sums to exactly 1.
  std::vector<Rational> p;

  /// The marginal of one position (exact).
  Distribution marginal(std::size_t pos) const;
};

/// One field of a record: a finite domain and its conditional probability table.
struct NetField {
  std::string name;
  std::uint64_t size = 0;
  /// Parent fields (the language allows one `given` parent; any number is supported).
  std::vector<FieldId> parents;
  /// One row per joint assignment of the parents (mixed radix over the parents' sizes, first
  /// parent most significant; a single row when there are no parents), each with `size`
  /// entries summing to exactly 1. Empty means uniform (1/size for every value).
  std::vector<std::vector<Rational>> cpt;
};

/// A Bayesian network over one record's fields (no cycles).
class BayesNet {
 public:
  /// Adds a field with a uniform prior; returns its id.
  FieldId add_field(std::string name, std::uint64_t size);
  /// Adds a field with an unconditional prior (one entry per value, summing to 1).
  FieldId add_field(std::string name, std::uint64_t size, std::vector<Rational> prior);
  /// Adds a field that depends on `parents` through `cpt` (see NetField::cpt).
  FieldId add_field(std::string name, std::uint64_t size, std::vector<FieldId> parents,
                    std::vector<std::vector<Rational>> cpt);

  std::size_t size() const { return fields_.size(); }
  const NetField& field(FieldId id) const { return fields_[id]; }
  const std::vector<NetField>& fields() const { return fields_; }

  /// Checks the network: sizes >= 1, parents exist, no cycles, CPT shapes, entries in
  /// [0, 1], rows summing to exactly 1. Returns an error message, or empty when valid.
  std::string check() const;

 private:
  std::vector<NetField> fields_;
};

/// The exact joint distribution of `fields` (in that order, no repeats) by variable
/// elimination over their ancestors only. Fails, never hangs, when the result or any
/// intermediate factor would have more than `max_cells` entries, or when the network is
/// invalid.
Result<Joint> joint_distribution(const BayesNet& net, const std::vector<FieldId>& fields,
                                 std::uint64_t max_cells = kDefaultMaxCells);

/// The exact marginal of one field (through its `given` ancestors).
Result<Distribution> marginal(const BayesNet& net, FieldId field,
                              std::uint64_t max_cells = kDefaultMaxCells);

}  // namespace privflow::inference
