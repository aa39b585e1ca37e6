#pragma once
// The analysis's driver, shared by the files that do its jobs (docs/language.md, "How the
// analysis works"): analyze.cpp runs it, evaluate.cpp decides one verdict and hands the value
// to the measure's family (measure_*.cpp), forbid.cpp, leakage_matrix.cpp, fix_search.cpp and
// verdict_text.cpp do the rest. Internal: not installed.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/detail/accounting.hpp"
#include "analyzer/analysis.hpp"
#include "analyzer/detail/beliefs.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/detail/knowledge.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail {

/// A loss or advantage as reports print it: 4 significant digits, rounded up.
inline std::string fmt_value(double x) { return format_double_up(x, 4); }

/// One verdict in the making: a requirement against one concrete coalition, what that coalition
/// observes, and the verdict that the measure's family fills in (Analyzer::evaluate).
struct Evaluation {
  const flow::Requirement& requirement;
  const Observation& observation;
  Verdict& verdict;
  double delta = 0;
  /// The value as numbers; analyzer/wording.hpp words it.
  void set_value(double value, std::optional<Rational> rational, bool exact, Method method);
};

/// A posterior or leakage figure with its derivation (see Analyzer::belief).
struct BeliefFigure {
  std::string error;  // non-empty: undecided, with this reason
  double value = 0;
  std::optional<Rational> rational;  // the figure as a rational, when the analysis has one
  bool exact = false;
  Method method = Method::kUnset;
  Derivation node;  // its children go into the verdict's explanation
  std::vector<ReleaseTerm> releases;
};

class Analyzer {
 public:
  Analyzer(const flow::Graph& g, const Options& o)
      : graph_(g), options_(with_deadline(o)), accountant_(o.accountant.value_or(g.settings.accountant)), maps_(g),
        search_fixes_(o.suggest_fixes) {}

  Analysis run();
  LeakageMap leakage_map(const Coalition& observer) const;

  /// The verdict of one requirement against one concrete coalition.
  /// `with_fix`: also search for the smallest change that fixes a violation (costly: only for
  /// the verdict that is reported, not for every coalition a search tries).
  Verdict evaluate(const flow::Requirement& r, const Coalition& c, bool with_fix = true) const;

  /// Whether utility requirement `r` (of graph `g`) holds in `g` (its release's error model
  /// alone: no coalition, no accounting; tune uses it too).
  static bool utility_holds(const flow::Requirement& r, const flow::Graph& g);

 private:
  /// A measure family's evaluation (one implementation per family, chosen by evaluator_of):
  /// sets the verdict's value, method, releases and explanation; false leaves it undecided
  /// with its reason.
  using MeasureEvaluator = bool (Analyzer::*)(Evaluation& e) const;
  static MeasureEvaluator evaluator_of(flow::Measure measure);
  bool evaluate_dp(Evaluation& e) const;              // measure_dp.cpp
  bool evaluate_advantage(Evaluation& e) const;       // measure_dp.cpp
  bool evaluate_belief(Evaluation& e) const;          // measure_belief.cpp: posterior and leakage
  bool evaluate_reidentification(Evaluation& e) const;  // measure_reidentification.cpp
  bool evaluate_membership(Evaluation& e) const;      // measure_attack.cpp: TPR at a low FPR
  bool evaluate_reconstruction(Evaluation& e) const;  // measure_attack.cpp

  /// The observed releases accounted for a question, drawn in the explanation; nullopt (and the
  /// verdict undecided) when one of them cannot be accounted.
  std::optional<Accounted> accounted(Evaluation& e, Question question, steps::Combined title,
                                     const std::vector<flow::Id>& exact = {}, const Figure& figure = {}) const;

  double delta_of(const flow::Requirement& r) const { return to_double_down(graph_.delta_of(r)); }
  Coalition fixed_part(const flow::Coalition& c) const;
  Verdict forbid(const flow::Requirement& r) const;
  void explain_observation(Verdict& v, const Observation& obs, const flow::Requirement& r) const;
  /// V_prior of the requirement's field: the prior of its likeliest value (0 when uniform, where
  /// the cap is log2 k anyway, or too large to list).
  Rational prior_vulnerability(const flow::Requirement& r) const;
  /// The releases of `acc` as derivation nodes under `parent`, each with its route.
  void explain_releases(Derivation& parent, const detail::Accounted& acc, steps::Combined title, const Observation& obs) const;
  /// The posterior or leakage of requirement `r` from the coalition's exact channel (views,
  /// randomized response with `keep`) and the loss of `releases`; `summed_rr_exact`: RR seen
  /// through a sum or a shuffle counts through its own channel (else through its epsilon).
  BeliefFigure belief(const flow::Requirement& r, const Observation& obs, const std::vector<detail::ReleaseUse>& releases,
                      bool summed_rr_exact) const;
  void finish(Verdict& v, const flow::Requirement& r) const;
  // Utility requirements (measure_error.cpp): error(X) <= B.
  Verdict utility(const flow::Requirement& r) const;
  /// Less noise on the release until the error bound holds; said to break a privacy requirement
  /// that holds, when it would.
  std::string utility_fix(const flow::Requirement& r, std::optional<FixEdit>& edit) const;
  /// The utility requirements that hold here but not in `changed` (a fix trial's graph).
  std::vector<std::string> utilities_broken(const flow::Graph& changed) const;
  /// One requirement's verdict without a fix search (its worst coalition when it has a choice).
  Verdict run_one(const flow::Requirement& r) const;
  /// Sets v.fix (and v.fix_edit when the fix is one value to write).
  void suggest_fix(Verdict& v, const Observation& obs, const flow::Requirement& r, const Coalition& c) const;
  std::string fix_text(Verdict& v, const Observation& obs, const flow::Requirement& r, const Coalition& c) const;
  /// Whether the requirement being fixed holds on a changed copy of the graph (a fix search trial).
  using HoldsWith = std::function<bool(const flow::Graph& changed)>;
  /// The fixes on the secure aggregations that coalition `c` opens or starves (fix_search.cpp).
  void secure_aggregation_fixes(const Coalition& c, const HoldsWith& holds_with, std::vector<std::string>& fixes) const;
  LeakageCell cell(flow::Id data, const std::string& observer, const Observation& obs) const;
  /// The leakage matrix: each data against each agent alone, and all curious and malicious
  /// agents together.
  void add_leakage_matrix(Analysis& a) const;

  /// The options with the time budget's end fixed (from now, unless a caller already did).
  static Options with_deadline(Options o) {
    if (o.time_budget_ms > 0 && !o.deadline)
      o.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.time_budget_ms);
    return o;
  }
  bool out_of_time() const { return options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline; }

  const flow::Graph& graph_;
  const Options options_;
  flow::AccountantKind accountant_;
  mutable detail::Cache cache_;
  mutable detail::Maps maps_;
  bool search_fixes_;  // off inside the trials of a fix search
};

/// Multiplies (or divides) one parameter of an artifact, or the param it names, in a copy of the
/// graph: a fix trial's change (fix_search.cpp, measure_error.cpp). An expression's value, scaled,
/// becomes the literal the fix names.
void scale_param(flow::Graph& g, flow::Id artifact, flow::ParamKey key, const Rational& factor, bool divide);
/// The edit that writes `written` where the parameter's value `pv` is written (a number in the
/// computation's arguments, or its `param` statement's value); nullopt for an expression.
std::optional<FixEdit> fix_edit(const flow::Graph& g, const flow::ParamValue& pv, const std::string& written);

}  // namespace privflow::analyzer::detail
