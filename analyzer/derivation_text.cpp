// The words of a derivation's inner nodes (analyzer/detail/derivation_text.hpp).
#include "analyzer/detail/derivation_text.hpp"

#include <algorithm>

#include "analyzer/wording.hpp"
#include "base/text.hpp"
#include "inference/format.hpp"
#include "solver/map_count.hpp"

namespace privflow::analyzer::detail::steps {
namespace {

std::string number(double x) { return format_double_up(x, 4); }  // 4 digits, rounded up
std::string count(std::uint64_t n) { return std::to_string(n); }

}  // namespace

std::string target(const flow::Data& data) {
  return "target: the worst-case record of " + data.name + " held by no member of the coalition";
}

std::string holds_data(const std::string& reason) { return "the coalition holds the data: " + reason; }

std::string exposed(LossKind kind) {
  return kind == LossKind::kExposedStats ? "exposed: an exact statistic of the record reaches the coalition"
                                         : "exposed: the record's own fields reach the coalition in the clear";
}

std::string nothing_observed() { return "nothing the coalition observes depends on the record"; }

std::string release(const flow::Graph& graph, const ReleaseTerm& term) {
  const auto& x = graph.artifacts[term.artifact];
  return "release " + x.name + " (" + term.mechanism + " at " + graph.agents[x.at].name + ", line " +
         count(x.span.line) + "): " + term.parameters + "; epsilon alone " + number(term.epsilon_alone);
}

std::string releases_observed(Combined how) {
  switch (how) {
    case Combined::kSequentially: return "releases observed (composed sequentially)";
    case Combined::kSequentiallyReplaceOne: return "releases observed (composed sequentially, replace-one)";
    case Combined::kPosteriorOdds: return "releases observed (their loss multiplies the posterior odds)";
  }
  return "releases observed";
}

std::string amplification(const std::string& how) { return "amplification: " + how; }
std::string network_view(const std::string& line) { return "network view: " + line; }
std::string pairwise_network_dp(const std::vector<std::string>& by_distance) {
  return "pairwise network DP (Cyffers & Bellet 2022, Def. 5), one member alone: " + join(by_distance, "; ");
}

std::string then(const std::string& statement) { return "then " + statement; }

std::string with_line(const Step& step) {
  return step.line ? step.text + " (line " + count(step.line) + ")" : step.text;
}

std::string composition(std::size_t releases, const std::string& how) {
  return "composition: " + count(releases) + " release(s), " + how;
}

std::string advantage_formula() {
  return "advantage: min over epsilon of (e^epsilon - 1 + 2 delta(epsilon)) / (e^epsilon + 1) over the composed "
         "privacy profile";
}

std::string shuffling_split(std::size_t releases, const Rational& each, double fraction, const Rational& delta) {
  return "amplified by shuffling: " + count(releases) + " release(s) at delta " + format_compact(each) + " each, " +
         format_double(fraction * 100) + " % of delta " + format_compact(delta) +
         " (of the splits tried, none, 10 %, 50 % and 99.9 %, the one with the smallest figure)";
}

std::string replace_one_question() {
  return "the target's value is a replace-one question: each release is accounted for one record swapped for "
         "another (DP-SGD by the substitution pair, noise by its replace-one sensitivity, other guarantees by group "
         "privacy of 2)";
}

std::string membership(const Rational& fpr, const flow::Data& data) {
  const std::string relation = data.neighbouring == flow::Neighbouring::kAddRemove
                                   ? "add/remove: " + data.name + " with the record or without it"
                                   : "replace-one, as " + data.name + " is declared (neighbouring: replace)";
  return "membership: the highest true-positive rate at false-positive rate " + format_compact(fpr) +
         " of any test on the record's presence (relation " + relation + ")";
}

std::string membership_nothing_observed() {
  return "nothing observed depends on the record: no test beats guessing, its TPR equals its FPR";
}

std::string baseline(const flow::Field& field, const Rational& prior) {
  return "baseline: the likeliest value of " + field.name + " has prior probability " +
         inference::format_probability(prior);
}

std::string exact_guess(const flow::Field& field, const Belief& base) {
  return "exact channel: the best guess of " + field.name +
         " from what the coalition sees in the clear and through randomized response is right with probability " +
         inference::format_probability(base.value) +
         (base.exact               ? ""
          : base.bound.empty() ? " (a map is bounded by the fields it reads: an upper bound)"
                               : " (an upper bound: " + base.bound + ")");
}

std::string reconstruction(const Rational& kappa, ReconstructionCurve curve) {
  std::string text = "reconstruction: at most the true-positive rate at false-positive rate kappa = " +
                     inference::format_probability(kappa);
  switch (curve) {
    case ReconstructionCurve::kWithoutTarget:
      return text + " of the add/remove trade-off of the releases, whose reference is the run without the target "
                    "(Hayes, Mahloujifar & Balle 2023, Thm 2); the replace-one trade-off gives more";
    case ReconstructionCurve::kReplaceOneSmaller:
      return text + " of the replace-one trade-off of the releases (Hayes, Mahloujifar & Balle 2023); the "
                    "add/remove trade-off (reference: the run without the target) gives more";
    case ReconstructionCurve::kReplaceOneOnly: break;
  }
  return text + " of the replace-one trade-off of the releases (Hayes, Mahloujifar & Balle 2023)";
}

std::string exact_channel() {
  return "exact channel: what the coalition sees of the record through select, map, statistics and randomized "
         "response";
}

void add_exact_parts(Derivation& parent, const flow::Graph& graph, const flow::Data& data,
                     const std::vector<RecordView>& views, const std::vector<ExactRr>& rr) {
  for (const auto& view : views) {
    // A map over hundreds of likes would name them all: the first few, then a count.
    constexpr std::size_t named_fields = 8;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < view.fields.size() && i < named_fields; ++i) names.push_back(data.fields[view.fields[i]].name);
    if (view.fields.size() > named_fields) names.push_back("and " + count(view.fields.size() - named_fields) + " more");
    const bool named = view.artifact != flow::kNone;
    parent.add(std::string(view.kind == RecordView::Kind::kMap ? "map reading " : "fields ") + join(names, ", ") +
                   (named ? " (" + graph.artifacts[view.artifact].name + ")" : ""),
               named ? graph.artifacts[view.artifact].span.line : 0);
  }
  // Hundreds of randomized likes would list hundreds of lines: the first few, then a count.
  constexpr std::size_t listed = 8;
  for (std::size_t i = 0; i < rr.size() && i < listed; ++i) {
    const auto& e = rr[i];
    parent.add(e.label + (e.times > 1 ? " x " + count(e.times) : "") +
                   (e.through_sum ? " (seen through a sum or a shuffle: its own channel bounds it)" : ""),
               graph.artifacts[e.artifact].span.line);
  }
  if (rr.size() <= listed) return;
  std::uint32_t first = graph.artifacts[rr[listed].artifact].span.line, last = first;
  for (std::size_t i = listed + 1; i < rr.size(); ++i) {
    first = std::min(first, graph.artifacts[rr[i].artifact].span.line);
    last = std::max(last, graph.artifacts[rr[i].artifact].span.line);
  }
  parent.add("and " + count(rr.size() - listed) + " more randomized responses (lines " + count(first) + "–" +
             count(last) + ")");
}

std::string additive_map(const flow::Graph& graph, flow::Id map, const flow::Field& secret) {
  const auto& x = graph.artifacts[map];
  const std::size_t n = x.expr ? solver::read_fields(*x.expr).size() : 0;
  const auto form = x.expr && !x.inputs.empty() ? solver::additive_form(graph.data[x.inputs[0].data], *x.expr) : std::nullopt;
  const std::size_t scores = form ? form->offset.size() : 1;
  return "map '" + x.name + "' is a function of " + (scores == 1 ? "one additive score" : count(scores) + " additive scores") +
         " of " + count(n) + " fields: the " + (scores == 1 ? "score's distribution" : "scores' joint distribution") +
         " given " + secret.name + " is the convolution of " + (scores == 1 ? "its" : "their") +
         " terms (exact, without the table of the fields' joint values)";
}

std::string map_bounded() { return "a map is bounded by the fields it reads (an upper bound)"; }

std::string upper_bound(const std::string& how) { return "upper bound: " + how; }

std::string replace_one_loss(bool posterior, double epsilon, const std::string& how) {
  return std::string(posterior ? "replace-one privacy loss, exceeded with probability at most delta: "
                               : "replace-one composition: epsilon ") +
         number(epsilon) + " (" + how + ")";
}

std::string prior(const flow::Field& field, std::uint64_t value, const Rational& prior) {
  return "prior P(" + field.name + " = " + field.value_name(value) + ") = " + inference::format_probability(prior);
}

std::string posterior_formula(const Rational* exact_posterior) {
  return "posterior ≤ e^eps·p / (e^eps·p + 1 − p) with p = " +
         (exact_posterior ? "the exact posterior " + inference::format_probability(*exact_posterior)
                          : std::string("the prior")) +
         " (Bayes' rule on the replace-one loss, except with probability delta; Kasiviswanathan & Smith 2014)";
}

std::string cap_values(std::uint64_t values) { return "log2 of the field's " + count(values) + " values"; }

std::string cap_sure_guess(const Rational& prior_vulnerability) {
  return "log2(1 / " + inference::format_probability(prior_vulnerability) + "), a sure guess";
}

std::string capped(const std::string& cap) { return "capped at " + cap; }

std::string hashing_capacity(std::uint64_t reports, double bits) {
  return "local hashing: " + count(reports) + " report(s) bounded by the Bayes capacity of every hash, "
         "g·e^epsilon/(e^epsilon + g - 1) each: " + format_double_up(bits, 4) +
         " bits in all, below their epsilon's (the other releases through their epsilon)";
}

std::string independent_releases(std::size_t dropped, const flow::Field& field) {
  return count(dropped) + " release use(s) read only fields independent of " + field.name +
         ": they tell nothing about it";
}

std::string cells(const std::string& how) { return "cells: " + how; }

std::string uniqueness_formula() {
  return "expected fraction of unique records: sum over cells of p·(1 − p)^(rows − 1)";
}

std::string release_error(const flow::Artifact& release, const ReleaseError& error) {
  return "release " + release.name + " (" + flow::kind_name(release.kind) + ", line " + count(release.span.line) +
         "): " + error_text(error);
}

std::string error_model(const std::string& how) { return "model: " + how; }

std::string held_in(const flow::Data& data, const std::string& category, const std::string& region) {
  return data.name + " (" + category + ") is held in " + region;
}

std::string crossing_allowed(const std::string& observer, const std::string& region, double epsilon) {
  return observer + " in " + region + " sees it with epsilon " + number(epsilon) + " (allowed)";
}

std::string crossing(const std::string& observer, const std::string& region, const std::string& reason) {
  return observer + " in " + region + ": " + reason;
}

std::string worst_choice(const std::string& scope, const std::string& coalition) {
  return "worst choice of any " + scope + ": " + coalition;
}

std::string worst_choice(const std::string& scope, const std::string& coalition, SearchCounts counts) {
  return worst_choice(scope, coalition) + " (Z3: " + count(counts.classes) + " classes of choices, " +
         count(counts.coalitions) + " coalitions evaluated)";
}

std::string padding(const std::vector<std::string>& padding, std::uint64_t padding_size, std::uint64_t choose,
                    const std::string& core, std::uint64_t core_size) {
  return join(padding, " + ") + (padding_size == 1 ? " only makes" : " only make") + " up the " + count(choose) +
         ": " + core + (core_size == 1 ? " alone reaches" : " alone reach") + " the same figure";
}

std::string stopped_after_violation(const std::string& stop) {
  return "the search stopped at " + (stop.empty() ? std::string("a class too large to walk") : stop) +
         ": a worse choice may exist, this one already violates";
}

std::string undecided_choice(const std::string& coalition, const std::string& scope) {
  return "undecided for the choice " + coalition + " of any " + scope;
}

std::string proof_all_together(const std::string& scope, const std::string& stop) {
  return "proof over all choices: no choice of " + scope + " violates it — even all of them together hold (the search stopped at " +
         (stop.empty() ? std::string("a limit") : stop) + "; the figure is that upper bound)";
}

std::string proof(const std::string& scope, SearchCounts counts, const std::string& worst) {
  return "proof over all choices: no choice of " + scope + " violates it (Z3: " + count(counts.classes) +
         " classes of choices, " + count(counts.coalitions) + " coalitions evaluated); worst choice " + worst;
}

std::string corner_bound(const std::string& value) {
  return "upper bound from a class of choices bounded by its corner: " + value;
}

std::string secure_aggregation_opened(const std::string& release, const std::string& receiver, std::uint64_t taken,
                                      const std::string& senders, std::uint64_t threshold) {
  return "secure aggregation of " + release + " opened: " + receiver + " with " + count(taken) + " of " + senders +
         " (threshold " + count(threshold) + ") sees each update";
}

std::string malicious_drops(const std::string& receiver, const std::string& release, std::uint64_t honest_left,
                            std::uint64_t min_clients, std::uint64_t taken, const std::string& senders) {
  return "malicious " + receiver + " drops honest senders of " + release + ": " + count(honest_left) +
         " honest share(s) left (min_clients " + count(min_clients) + ", " + count(taken) + " of " + senders +
         " in the coalition)";
}

std::string secure_sum_seen(const std::string& receiver, const std::string& release, std::uint64_t honest) {
  return receiver + " sees the secure sum of " + release + " with " + count(honest) + " honest share(s)";
}

std::string shuffle_opened(const std::string& shuffler, const std::string& receiver, const std::string& release) {
  return "shuffler " + shuffler + " with receiver " + receiver + " opens the shuffle of " + release;
}

std::string all_partitions(std::uint64_t instances, const std::string& agent, const std::string& data) {
  return "all " + count(instances) + " instances of " + agent + " hold every partition of " + data;
}

}  // namespace privflow::analyzer::detail::steps
