#pragma once
// Factored exact inference about one secret field of a tree-shaped Bayesian network (every
// field has at most one `given` parent, as the language allows), without the joint table.
//
// Rooting the tree at the secret S splits what is seen into branches that are conditionally
// independent given S. Each branch becomes one channel from S (message passing over the
// branch, exact rationals); channels with equal reduced matrices are grouped, and a group of n
// copies is observed through its counts, a sufficient statistic (multinomial likelihoods:
// every sequence of outputs with the same counts has the same likelihood under every value of
// S). Bayes vulnerability Σ_y max_s π(s)·P(y | s) and the largest posterior are then exact by
// enumerating the product of the groups' count vectors while it stays under a cell limit.
// Beyond it the remaining groups are bounded (never undecided):
//   V(π ▷ C1‖C2) ≤ V(π ▷ C1) · ML(C2), ML(C) = Σ_y max_x C(x, y) the multiplicative Bayes
//   capacity (Alvim et al. 2020, "The Science of QIF", Thm. 7.2 and §8.2 on parallel
//   composition), and ML(C^a ‖ C^b) ≤ ML(C^a)·ML(C^b) splits a group too large to list;
// the prefix without them is a lower bound (seeing more never lowers the vulnerability).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "inference/bayes_net.hpp"
#include "inference/channel.hpp"
#include "inference/result.hpp"

namespace privflow::inference {

/// What is seen of one field: a channel from its value (inputs == the field's size). A field
/// listed more than once is seen through all its channels together (independent randomness).
struct FieldView {
  FieldId field = 0;
  Channel channel;
};

/// What is seen of several fields together through one function of a few additive scores (an
/// additive `map`): output(S_1, …, S_m), S_j = offset_j + Σ_i h_ij(x_i). Exact when each field
/// read is the secret, or lies in its own branch of the secret's tree, or alone in its own other
/// tree, and nothing else is seen there: the terms are then independent given the secret, and
/// the scores' joint distribution is their convolution (computed over integers with one
/// denominator per row).
struct ScoreView {
  using Scores = std::vector<mpz_class>;
  struct Term {
    FieldId field = 0;
    std::vector<Scores> value;  ///< (h_i1(x), …, h_im(x)) for each value x of the field
  };
  std::vector<Term> terms;  ///< distinct fields
  Scores offset;            ///< one per score
  /// The output class of scores of positive probability; nullopt refuses the view.
  std::function<std::optional<std::uint64_t>(const Scores&)> output;
};

struct FactoredLimits {
  /// Cells (outputs × secret values) enumerated exactly; past it, groups are bounded.
  std::uint64_t max_cells = 1u << 21;
  /// Joint outputs of one branch of the tree (several seen fields behind one neighbour of the
  /// secret); past it, the branch is bounded by seeing that neighbour in the clear.
  std::uint64_t max_branch_outputs = 1u << 16;
  /// Distinct score vectors of one ScoreView, and pairs convolved per secret value.
  std::uint64_t max_scores = 1u << 16;
  std::uint64_t max_score_work = 1u << 24;
};

/// n conditionally independent copies of one reduced channel from the secret: no zero
/// column, no two proportional columns (merging them changes no posterior).
struct ChannelGroup {
  std::vector<std::vector<Rational>> matrix;  ///< [secret value][output]
  std::uint64_t copies = 1;
  bool replaced = false;  ///< a branch too large, replaced by its neighbour seen in the clear
};

/// The secret's prior and the groups of channels through which it is seen.
class FactoredModel {
 public:
  const Distribution& prior() const { return prior_; }
  const std::vector<ChannelGroup>& groups() const { return groups_; }
  /// V(π) = max_s π(s).
  Rational prior_vulnerability() const;

  struct Vulnerability {
    Rational value;        ///< V(π ▷ C): exact, or an upper bound when !exact
    Rational lower;        ///< a lower bound (== value when exact)
    bool exact = true;
    std::string how;       ///< what was bounded, in words (empty when exact)
  };
  /// Posterior Bayes vulnerability Σ_y max_s P(s, y) over everything seen.
  Vulnerability posterior_vulnerability() const;

  struct Posterior {
    Rational value;  ///< max over outputs of positive probability of P(S = v | y), or an upper bound
    bool exact = true;
  };
  /// The largest posterior of S = v (0 when π(v) = 0).
  Posterior max_posterior(std::uint64_t v) const;

  FactoredModel(Distribution prior, std::vector<ChannelGroup> groups, FactoredLimits limits)
      : prior_(std::move(prior)), groups_(std::move(groups)), limits_(limits) {}

 private:
  Distribution prior_;
  std::vector<ChannelGroup> groups_;
  FactoredLimits limits_;
};

/// Whether the network is a forest (every field at most one parent): the factored engine's
/// precondition.
bool is_forest(const BayesNet& net);

/// Factors what `views` show of `secret`. Fails (the caller falls back to the joint table)
/// when the network is not a forest or is invalid, or a view's channel does not fit its field.
/// `scores` are seen too; the factoring fails when one is not exact (see ScoreView).
Result<FactoredModel> factor(const BayesNet& net, FieldId secret, const std::vector<FieldView>& views,
                             FactoredLimits limits = {});
Result<FactoredModel> factor(const BayesNet& net, FieldId secret, const std::vector<FieldView>& views,
                             const std::vector<ScoreView>& scores, FactoredLimits limits = {});

}  // namespace privflow::inference
