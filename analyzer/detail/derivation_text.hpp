#pragma once
// The words of a derivation's inner nodes: what the coalition observes, the releases and how
// they compose, the exact channel, the bound used and the coalition search's proof. The files
// that compute a figure hand their numbers and names here; analyzer/wording.hpp words the
// verdict line and the values, and this file uses its conventions (docs/language.md,
// "Requirements"). Internal: not installed.
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "analyzer/detail/beliefs.hpp"
#include "analyzer/detail/knowledge.hpp"
#include "base/rational.hpp"
#include "flow/graph.hpp"

namespace privflow::analyzer::detail::steps {

// What the coalition observes (Analyzer::explain_observation).
std::string target(const flow::Data& data);
std::string holds_data(const std::string& reason);
std::string exposed(LossKind kind);
std::string nothing_observed();

// The releases it observes and their composition.
/// How a measure combines the releases it lists (the title of the list).
enum class Combined { kSequentially, kSequentiallyReplaceOne, kPosteriorOdds };
std::string releases_observed(Combined how);
std::string release(const flow::Graph& graph, const ReleaseTerm& term);
std::string amplification(const std::string& how);
/// A protocol among a population's members: one line of what the coalition saw of it.
std::string network_view(const std::string& line);
/// Pairwise network DP (one member alone at each distance from the target), from its lines.
std::string pairwise_network_dp(const std::vector<std::string>& by_distance);
/// A later statement of a release's route to the coalition: "then send …".
std::string then(const std::string& statement);
/// A route statement with its line, for a forbid crossing: "send … (line 12)".
std::string with_line(const Step& step);
std::string composition(std::size_t releases, const std::string& how);
std::string advantage_formula();
/// The accounting's notes (analyzer/accounting.cpp): the δ split that shuffling's amplification
/// took, and why a question about the target's value is answered replace-one.
std::string shuffling_split(std::size_t releases, const Rational& each, double fraction, const Rational& delta);
std::string replace_one_question();

// Membership and reconstruction (analyzer/measure_attack.cpp).
std::string membership(const Rational& fpr, const flow::Data& data);
std::string membership_nothing_observed();
std::string baseline(const flow::Field& field, const Rational& prior);
std::string exact_guess(const flow::Field& field, const Belief& base);
/// Which trade-off curve bounded a reconstruction: the add/remove one (Hayes et al.'s reference,
/// the run without the target), the replace-one one where both were compared, or replace-one
/// alone (data declared `neighbouring: replace`, or after an exact channel).
enum class ReconstructionCurve { kWithoutTarget, kReplaceOneSmaller, kReplaceOneOnly };
std::string reconstruction(const Rational& kappa, ReconstructionCurve curve);

// Posterior and leakage (analyzer/measure_belief.cpp).
std::string exact_channel();
/// The parts of the exact channel under `parent`: each view of the record's fields, then the
/// exact randomized responses (the first 8, then a count with their lines).
void add_exact_parts(Derivation& parent, const flow::Graph& graph, const flow::Data& data,
                     const std::vector<RecordView>& views, const std::vector<ExactRr>& rr);
std::string map_bounded();
/// A map read exactly through its additive score (solver::AdditiveForm).
std::string additive_map(const flow::Graph& graph, flow::Id map, const flow::Field& secret);
std::string upper_bound(const std::string& how);
std::string replace_one_loss(bool posterior, double epsilon, const std::string& how);
std::string prior(const flow::Field& field, std::uint64_t value, const Rational& prior);
std::string posterior_formula(const Rational* exact_posterior);
std::string cap_values(std::uint64_t values);
std::string cap_sure_guess(const Rational& prior_vulnerability);
std::string capped(const std::string& cap);
/// Local hashing's reports bounded by their Bayes capacity instead of their ε.
std::string hashing_capacity(std::uint64_t reports, double bits);
std::string independent_releases(std::size_t dropped, const flow::Field& field);

// Re-identification and utility.
std::string cells(const std::string& how);
std::string uniqueness_formula();
std::string release_error(const flow::Artifact& release, const ReleaseError& error);
std::string error_model(const std::string& how);

// Forbid rules (analyzer/forbid.cpp).
std::string held_in(const flow::Data& data, const std::string& category, const std::string& region);
std::string crossing_allowed(const std::string& observer, const std::string& region, double epsilon);
std::string crossing(const std::string& observer, const std::string& region, const std::string& reason);

// The coalition search (analyzer/search.cpp). `scope`: "2 of hospital", …
struct SearchCounts {
  std::uint64_t classes = 0, coalitions = 0;
};
std::string worst_choice(const std::string& scope, const std::string& coalition);
std::string worst_choice(const std::string& scope, const std::string& coalition, SearchCounts counts);
std::string padding(const std::vector<std::string>& padding, std::uint64_t padding_size, std::uint64_t choose,
                    const std::string& core, std::uint64_t core_size);
std::string stopped_after_violation(const std::string& stop);
std::string undecided_choice(const std::string& coalition, const std::string& scope);
std::string proof_all_together(const std::string& scope, const std::string& stop);
std::string proof(const std::string& scope, SearchCounts counts, const std::string& worst);
std::string corner_bound(const std::string& value);
// The view rules a coalition's counts switch on (why it sees what it sees).
std::string secure_aggregation_opened(const std::string& release, const std::string& receiver, std::uint64_t taken,
                                      const std::string& senders, std::uint64_t threshold);
std::string malicious_drops(const std::string& receiver, const std::string& release, std::uint64_t honest_left,
                            std::uint64_t min_clients, std::uint64_t taken, const std::string& senders);
std::string secure_sum_seen(const std::string& receiver, const std::string& release, std::uint64_t honest);
std::string shuffle_opened(const std::string& shuffler, const std::string& receiver, const std::string& release);
std::string all_partitions(std::uint64_t instances, const std::string& agent, const std::string& data);

}  // namespace privflow::analyzer::detail::steps
