// From the releases a coalition observes to one dp::Composition (analyzer/detail/accounting.hpp):
// each release's profile (analyzer/release_profile.cpp) composed, shuffled releases amplified
// at the best split of delta, and every accountant's answer memoised for the analysis.
#include "analyzer/detail/accounting.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "analyzer/detail/release_profile.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>

#include "base/rational.hpp"
#include "base/text.hpp"

namespace privflow::analyzer::detail {

dp::Accountant to_dp(flow::AccountantKind kind) {
  switch (kind) {
    case flow::AccountantKind::kRdp: return dp::Accountant::kRdp;
    case flow::AccountantKind::kPld: return dp::Accountant::kPld;
    case flow::AccountantKind::kAuto: return dp::Accountant::kAuto;
  }
  return dp::Accountant::kAuto;
}

dp::EpsilonResult epsilon_at(const dp::Composition& c, double delta, flow::AccountantKind kind) {
  if (c.empty()) {
    dp::EpsilonResult r;
    r.value = 0;
    r.exact = Rational(0);
    r.delta = delta;
    r.how = "no release";
    return r;
  }
  return c.epsilon(delta, to_dp(kind));
}

namespace {

/// A key that identifies a mechanism exactly (hex floats: no rounding).
std::string mechanism_key(const dp::Mechanism& m) {
  std::string key = std::to_string(static_cast<int>(m.kind)) + "/" + std::to_string(static_cast<int>(m.neighbouring)) +
                    "/" + std::to_string(m.times) + "/" + std::to_string(m.values) + "/";
  char buf[64];
  key += std::to_string(static_cast<int>(m.sampling)) + "/" + std::to_string(m.shift) + "/";
  for (double x : {m.epsilon, m.delta, m.noise_multiplier, m.sampling_rate, m.keep, m.rho, m.sigma, m.inner_epsilon,
                   m.replace_shift}) {
    std::snprintf(buf, sizeof buf, "%a,", x);  // hex floats: no rounding
    key += buf;
  }
  if (m.exact_epsilon) key += m.exact_epsilon->get_str();
  return key + ";";
}

/// A key that identifies a composition's parts exactly.
std::string parts_key(const dp::Composition& c) {
  std::string key;
  for (const auto& m : c.parts()) key += mechanism_key(m);
  return key;
}

std::string query_key(const std::string& parts, int query, double delta, flow::AccountantKind kind) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d:%d:%a:", query, static_cast<int>(kind), delta);
  return buf + parts;
}

// Beyond this ε (from RDP, which is fast) a PLD grid of 1e-4 nats would be millions of
// points for an answer that no requirement can accept: RDP's figure stands.
constexpr double kPldUsefulUpTo = 40;

}  // namespace

namespace {

/// Whether the PLD is worth asking: RDP's ε at δ is at most kPldUsefulUpTo. RDP's replace-one
/// bound for DP-SGD can be far above the truth at small noise (its weak triangle inequality
/// needs order 2α), so for those parts the add/remove figure, which is below the replace-one
/// one, decides instead: the guard then never skips a PLD answer a requirement could accept.
bool pld_useful(const dp::Composition& c, double delta) {
  dp::Composition proxy;
  bool replaced = false;
  for (const auto& m : c.parts()) {
    const bool sgd_replace = m.kind == dp::MechanismKind::kSubsampledGaussian && m.neighbouring == dp::Neighbouring::kReplace;
    replaced = replaced || sgd_replace;
    proxy.add(sgd_replace ? m.with(dp::Neighbouring::kAddRemove) : m);
  }
  if (!replaced) return false;
  const auto r = proxy.epsilon(delta, dp::Accountant::kRdp);
  return r.infinite || r.value <= kPldUsefulUpTo;
}

}  // namespace

const dp::Composition& Cache::canonical(const dp::Composition& c, std::string& key) {
  key = parts_key(c);
  auto it = compositions_.find(key);
  if (it == compositions_.end()) it = compositions_.emplace(key, c).first;
  return it->second;
}

namespace {

/// The memoised answer to `key` in `answers`, asked of `compute` the first time.
template <typename Answer, typename Compute>
Answer memoised(std::map<std::string, Answer>& answers, const std::string& key, Compute compute) {
  auto it = answers.find(key);
  if (it != answers.end()) return it->second;
  return answers[key] = compute();
}

}  // namespace

dp::EpsilonResult Cache::epsilon(const dp::Composition& c, double delta, flow::AccountantKind kind) {
  std::string parts;
  const dp::Composition& comp = canonical(c, parts);
  return memoised(epsilons_, query_key(parts, 0, delta, kind), [&] {
    if (kind != flow::AccountantKind::kAuto || comp.empty()) return epsilon_at(comp, delta, kind);
    dp::EpsilonResult r = epsilon_at(comp, delta, flow::AccountantKind::kRdp);
    if (r.infinite || r.value <= kPldUsefulUpTo || pld_useful(comp, delta)) r = epsilon_at(comp, delta, kind);
    return r;
  });
}

dp::EpsilonResult Cache::loss_quantile(const dp::Composition& c, double delta, flow::AccountantKind kind) {
  std::string parts;
  const dp::Composition& comp = canonical(c, parts);
  return memoised(epsilons_, query_key(parts, 1, delta, kind), [&] {
    if (kind != flow::AccountantKind::kAuto) return comp.loss_quantile(delta, to_dp(kind));
    // As for epsilon: the PLD's quantile only where RDP's is small enough to matter.
    dp::EpsilonResult r = comp.loss_quantile(delta, dp::Accountant::kRdp);
    if (r.infinite || r.value <= kPldUsefulUpTo || pld_useful(comp, delta)) r = comp.loss_quantile(delta, dp::Accountant::kAuto);
    return r;
  });
}

double Cache::advantage(const dp::Composition& c, flow::AccountantKind kind) {
  std::string parts;
  const dp::Composition& comp = canonical(c, parts);
  return memoised(advantages_, query_key(parts, 2, 0, kind), [&] {
    if (kind != flow::AccountantKind::kAuto) return comp.advantage(to_dp(kind));
    double a = comp.advantage(dp::Accountant::kRdp);
    auto e = epsilon(comp, 1e-5, flow::AccountantKind::kRdp);
    if (!e.infinite && e.value <= kPldUsefulUpTo) a = std::min(a, comp.advantage(dp::Accountant::kAuto));
    return a;
  });
}

dp::TradeoffResult Cache::tpr_at_fpr(const dp::Composition& c, double fpr, flow::AccountantKind kind) {
  std::string parts;
  const dp::Composition& comp = canonical(c, parts);
  return memoised(tradeoffs_, query_key(parts, 3, fpr, kind), [&] {
    // As for the advantage: the PLD only where RDP's ε says its grid stays small.
    if (kind != flow::AccountantKind::kAuto) return comp.tpr_at_fpr(fpr, to_dp(kind));
    auto e = epsilon(comp, 1e-5, flow::AccountantKind::kRdp);
    const bool pld_useful = !e.infinite && e.value <= kPldUsefulUpTo;
    return comp.tpr_at_fpr(fpr, pld_useful ? dp::Accountant::kAuto : dp::Accountant::kRdp);
  });
}

namespace {

/// One observed release as accounted.
struct Term {
  const ReleaseUse* use;
  ReleaseProfile built;
  double local = 0;  // a shuffled pure randomizer's local epsilon0; 0 when not shuffled
  double own = 0;    // its epsilon as accounted without amplification
};

/// The releases of `sorted` as terms, skipping those listed in `exact`; `shuffled` counts the
/// shuffled pure randomizers. Returns the error of the first release that cannot be built.
std::string build_terms(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& sorted, Question question,
                        const std::vector<flow::Id>& exact, std::vector<Term>& terms, std::size_t& shuffled) {
  for (const auto& use : sorted) {
    if (std::find(exact.begin(), exact.end(), use.artifact) != exact.end()) continue;
    ReleaseProfile b = release_profile(g, data, use, question);
    if (!b.error.empty()) return "release " + g.artifacts[use.artifact].name + ": " + b.error;
    Term t{&use, std::move(b)};
    if (use.shuffled_among > 0 && t.built.pure_local && t.built.mechanism.is_pure()) {
      // The local randomizer's epsilon0 is over any two inputs of its one record: replace-one
      // (for add/remove data, pure mechanisms other than randomized response count twice).
      dp::Composition local_part;
      local_part.add(release_profile(g, data, use, Question::kValue).mechanism);
      t.local = local_part.pure_epsilon_up();
      dp::Composition own;
      own.add(t.built.mechanism);
      t.own = own.pure_epsilon_up();
      ++shuffled;
    }
    terms.push_back(std::move(t));
  }
  return "";
}

// Amplification by shuffling (Feldman, McMillan & Talwar 2021: the numerical bound of Thm 3.2
// or the closed form of Thm 3.1, the smaller) turns each shuffled randomizer into a declared
// (ε, δ_s): the shuffled releases share a part f of the δ budget equally. Each f gives an
// upper bound; the one with the smallest figure (the measure's own: ε at δ by default) is
// kept, and f = 0 (no amplification, the local randomizers as they are) is always a
// candidate. So the figure never exceeds the unamplified one: a coalition that opens the
// shuffle, or has fewer honest senders, never gets a smaller figure (the coalition search
// relies on it).
class ShuffledComposition {
 public:
  ShuffledComposition(std::vector<Term>& terms, std::size_t shuffled, double delta)
      : terms_(terms), shuffled_(shuffled), delta_(delta) {
    // The composition adds the parts in a canonical order (by mechanism, not by where the spec
    // wrote them): floating-point sums then give the same bits whatever the statements' order.
    order_.resize(terms_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::vector<std::string> keys;
    for (const auto& t : terms_) keys.push_back(mechanism_key(t.built.mechanism));
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  }

  /// Each release's share of the part `fraction` of δ: a 3-digit decimal rounded down (shown
  /// exactly), and the double used is not above it: the shares never sum above the part of δ.
  std::pair<double, Rational> share_of(double fraction) const {
    if (shuffled_ == 0 || fraction <= 0) return std::make_pair(0.0, Rational(0));
    const auto decimal = parse_number(format_down(Rational(fraction * delta_ / static_cast<double>(shuffled_)), 3));
    if (!decimal || *decimal <= 0) return std::make_pair(0.0, Rational(0));
    return std::make_pair(to_double_down(*decimal), *decimal);
  }

  /// The composition with the part `fraction` of δ shared among the shuffled releases, and the
  /// accountant's error if one is refused; `explain`: the terms keep their amplified mechanism
  /// and its words.
  std::pair<dp::Composition, std::string> compose(double fraction, bool explain) {
    dp::Composition comp;
    const auto [share, share_text] = share_of(fraction);
    for (std::size_t i : order_) {
      auto& t = terms_[i];
      dp::Mechanism m = t.built.mechanism;
      if (t.local > 0 && share > 0) {
        const std::uint64_t n = t.use->shuffled_among;
        const auto central = dp::shuffle_epsilon(t.local, n, share);
        // A network shuffle's walks end within η of a true shuffle (total variation, each of the
        // two neighbouring runs): (1 + e^ε)·η more δ.
        const double eta = t.use->shuffle_mixing;
        const double extra = eta > 0 && central ? std::nextafter((1 + std::exp(*central)) * eta * (1 + 1e-12), HUGE_VAL) : 0;
        if (central && *central < t.own && share + extra < 1) {
          m = dp::Mechanism::declared(*central, std::nextafter(share + extra, HUGE_VAL));
          if (explain) {
            t.built.mechanism = m;
            t.built.amplification = "shuffled among " + std::to_string(n) + " honest senders: local epsilon " +
                                    format_double_up(t.local, 4) + " → " + format_double_up(*central, 4) + " at delta " +
                                    format_compact(share_text);
            const auto closed = dp::shuffle_epsilon_closed_form(t.local, n, share);
            t.built.amplification += closed && *central < *closed
                                         ? " (numerical bound of Feldman, McMillan & Talwar 2021, Thm 3.2)"
                                         : " (closed form of Feldman, McMillan & Talwar 2021, Thm 3.1)";
            if (eta > 0)
              t.built.amplification += "; a network shuffle, its walks within " + format_double_up(eta, 3) +
                                       " of a true shuffle" +
                                       (t.use->shuffle_mixing_words.empty() ? "" : " by " + t.use->shuffle_mixing_words) +
                                       ": (1 + e^epsilon)·" + format_double_up(eta, 3) + " = " +
                                       format_double_up(extra, 3) + " added to delta";
          }
        }
      }
      std::string error;
      if (!comp.add(m, &error)) return std::make_pair(std::move(comp), error);
      if (t.built.tail && !comp.add(*t.built.tail, &error)) return std::make_pair(std::move(comp), error);
    }
    return std::make_pair(std::move(comp), std::string());
  }

  /// The part of δ, among none and the splits tried, with the smallest figure `measure`.
  double best_fraction(const Figure& measure) {
    double chosen = 0;
    auto [plain, plain_error] = compose(0, false);
    double best = plain_error.empty() ? measure(plain) : HUGE_VAL;
    for (double fraction : {0.999, 0.5, 0.1}) {
      auto [c, error] = compose(fraction, false);
      if (!error.empty()) continue;
      // A plain minimum (no tolerance for near ties): the figure must stay monotone in every
      // candidate's, for the coalition search.
      if (const double e = measure(c); e < best) best = e, chosen = fraction;
    }
    return chosen;
  }

 private:
  std::vector<Term>& terms_;
  std::size_t shuffled_;
  double delta_;
  std::vector<std::size_t> order_;
};

/// Why a release sent through a network shuffle was not amplified, or "" (the explanation's
/// "amplification:" line): the channel refused (a sender in the coalition, walks not shown
/// mixed), or its walks' distance from a true shuffle cost more δ than the shuffle saved.
std::string no_amplification_words(const Term& t) {
  if (!t.use->shuffle_refused.empty()) return t.use->shuffle_refused;
  if (t.local > 0 && t.use->shuffle_mixing > 0)
    return "none from the network shuffle: its walks are within " + format_double_up(t.use->shuffle_mixing, 3) +
           " of a true shuffle" + (t.use->shuffle_mixing_words.empty() ? "" : " (" + t.use->shuffle_mixing_words + ")") +
           ", and (1 + e^epsilon) times that in delta gives a larger figure than the local randomizer alone";
  return "";
}

/// The terms as the report lists them, each with its epsilon alone and its share of the total.
void add_release_terms(const flow::Graph& g, const std::vector<Term>& terms, double delta, Cache& cache,
                       flow::AccountantKind kind, Accounted& out) {
  for (const auto& t : terms) {
    const flow::Artifact& x = g.artifacts[t.use->artifact];
    ReleaseTerm term;
    term.artifact = t.use->artifact;
    term.mechanism = flow::kind_name(x.kind);
    term.parameters = t.built.parameters;
    term.copies = t.use->copies;
    term.amplification = t.built.amplification;
    if (term.amplification.empty()) term.amplification = no_amplification_words(t);
    term.network = t.built.network;
    term.route = route_of(t.use->route);  // for code-scanning paths (report/sarif.cpp)
    dp::Composition alone;
    alone.add(t.built.mechanism);
    if (t.built.tail) alone.add(*t.built.tail);
    auto e = cache.epsilon(alone, delta, kind);
    term.epsilon_alone = e.infinite ? HUGE_VAL : (e.exact ? to_double_up(*e.exact) : e.value);
    out.terms.push_back(term);
  }
  double total = 0;
  for (const auto& t : out.terms) total += t.epsilon_alone;
  for (auto& t : out.terms) t.share = total > 0 && std::isfinite(total) ? t.epsilon_alone / total : 0;
}

}  // namespace

Accounted account(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases, Question question,
                  double delta, Cache& cache, flow::AccountantKind kind, const std::vector<flow::Id>& exact,
                  const Figure& figure) {
  Accounted out;
  std::vector<ReleaseUse> sorted = releases;
  std::sort(sorted.begin(), sorted.end(), [&](const ReleaseUse& a, const ReleaseUse& b) {
    const auto& xa = g.artifacts[a.artifact];
    const auto& xb = g.artifacts[b.artifact];
    if (xa.span.begin != xb.span.begin) return xa.span.begin < xb.span.begin;
    return static_cast<int>(a.copy) < static_cast<int>(b.copy);
  });
  std::vector<Term> terms;
  std::size_t shuffled = 0;
  out.error = build_terms(g, data, sorted, question, exact, terms, shuffled);
  if (!out.error.empty()) return out;

  ShuffledComposition shuffling(terms, shuffled, delta);
  double best_fraction = 0;
  if (shuffled > 0 && delta > 0) {
    const Figure epsilon_at_delta = [&](const dp::Composition& c) {
      const auto e = cache.epsilon(c, delta, kind);
      double value = e.infinite ? HUGE_VAL : e.value;
      if (auto pure = c.exact_pure_epsilon()) value = std::min(value, to_double_up(*pure));
      return value;
    };
    best_fraction = shuffling.best_fraction(figure ? figure : epsilon_at_delta);
  }
  auto [composition, error] = shuffling.compose(best_fraction, true);
  if (!error.empty()) {
    for (const auto& t : terms) {  // name the release that the accountant refused
      dp::Composition alone;
      std::string e;
      if (!alone.add(t.built.mechanism, &e)) {
        out.error = "release " + g.artifacts[t.use->artifact].name + ": " + e;
        return out;
      }
    }
    out.error = error;
    return out;
  }
  out.composition = std::move(composition);
  if (best_fraction > 0) {
    std::size_t used = 0;
    for (const auto& t : terms) used += t.built.amplification.empty() ? 0 : 1;
    out.notes.push_back(
        steps::shuffling_split(used, shuffling.share_of(best_fraction).second, best_fraction, rational_up(delta)));
  }
  add_release_terms(g, terms, delta, cache, kind, out);
  if (question == Question::kValue && g.data[data].neighbouring == flow::Neighbouring::kAddRemove && !out.terms.empty())
    out.notes.push_back(steps::replace_one_question());
  return out;
}

}  // namespace privflow::analyzer::detail
