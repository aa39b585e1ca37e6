#pragma once
// From the releases a coalition observes to a dp::Composition: effective parameters after
// amplification (distributed noise, shuffling, subsampling), copies, and `times`.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/detail/knowledge.hpp"
#include "dp/accountant.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail {

/// Which question the loss answers: membership / dp (the data's own neighbouring relation),
/// or the target's value (posterior, leakage): changing a value under add/remove is a
/// removal plus an addition, so every add/remove guarantee is converted to replace-one.
enum class Question { kMembership, kValue };

/// Answers of the accountants, memoised for one analysis: the same releases are composed for
/// many requirements and matrix cells, and a PLD query costs a fraction of a second.
class Cache {
 public:
  dp::EpsilonResult epsilon(const dp::Composition& c, double delta, flow::AccountantKind kind);
  dp::EpsilonResult loss_quantile(const dp::Composition& c, double delta, flow::AccountantKind kind);
  double advantage(const dp::Composition& c, flow::AccountantKind kind);
  /// The highest TPR at FPR `fpr` (dp::Composition::tpr_at_fpr).
  dp::TradeoffResult tpr_at_fpr(const dp::Composition& c, double fpr, flow::AccountantKind kind);

 private:
  /// The one Composition object per distinct list of parts, so that its own cache of the
  /// composed privacy loss distribution serves every later query.
  const dp::Composition& canonical(const dp::Composition& c, std::string& key);

  std::map<std::string, dp::Composition> compositions_;
  std::map<std::string, dp::EpsilonResult> epsilons_;
  std::map<std::string, double> advantages_;
  std::map<std::string, dp::TradeoffResult> tradeoffs_;
};

/// ε of a composition at δ with the spec's accountant, as an upper bound (infinite state kept).
dp::EpsilonResult epsilon_at(const dp::Composition& c, double delta, flow::AccountantKind kind);
dp::Accountant to_dp(flow::AccountantKind kind);

struct Accounted {
  dp::Composition composition;
  std::vector<ReleaseTerm> terms;  // one per release use, in a deterministic order
  std::vector<std::string> notes;  // conversions and amplifications applied
  std::string error;               // non-empty when a release could not be accounted
};

/// The figure a measure reports from a composition, to be made smallest where the accounting
/// has a choice (amplification by shuffling's share of δ). It must grow with the adversary's
/// knowledge (ε at δ, advantage, a loss quantile …): then so does the smallest over the choices.
using Figure = std::function<double(const dp::Composition&)>;

/// Accounts `releases` (skipping those listed in `exact`, which the caller treats as exact
/// channels). δ is needed for shuffle amplification's own δ share; `figure` (default: ε at δ)
/// chooses among the shares. Each term's own ε is asked of `cache` with the spec's accountant
/// `kind`.
Accounted account(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases,
                  Question question, double delta, Cache& cache, flow::AccountantKind kind,
                  const std::vector<flow::Id>& exact = {}, const Figure& figure = {});


}  // namespace privflow::analyzer::detail
