// The fix search (docs/concepts.md, "Verdicts: holds, violated, undecided"): for a violated
// requirement, the smallest change that makes it hold, each candidate checked by analysing a
// changed copy of the graph.
#include <algorithm>
#include <cmath>

#include "analyzer/detail/analyzer.hpp"

namespace privflow::analyzer::detail {
namespace {

/// The largest factor by which the fix search multiplies a noise parameter (or divides an ε):
/// 2^12, reached from 2 in 11 doublings. A release that needs more is better redesigned (fewer
/// uses, another mechanism), which is the fix given then.
constexpr double kLargestScaling = 4096;
/// The bisection on the factor stops when its bracket is within 0.5 %: the fix is printed with
/// 3 significant digits (rounded toward safety), which a finer factor would not change much, and
/// each step is a full analysis.
constexpr double kScalingPrecision = 1.005;

/// The spec's spelling of a numeric parameter: the param's name when it is one.
std::string param_text(const flow::Graph& g, const flow::Artifact& x, flow::ParamKey name) {
  auto it = x.params.find(name);
  if (it != x.params.end() && it->second.param != flow::kNone) return g.params[it->second.param].name;
  return flow::param_name(name) + std::string(" of ") + x.name;
}


}  // namespace

void Analyzer::secure_aggregation_fixes(const Coalition& c, const HoldsWith& holds_with,
                                        std::vector<std::string>& fixes) const {
  // A threshold above the coalition's members and the fewest min_clients that keep enough
  // honest shares in the sum.
  for (std::size_t fi = 0; fi < graph_.flows.size(); ++fi) {
    const auto& f = graph_.flows[fi];
    if (f.channel.kind != flow::Channel::Kind::kSecureAggregation || !c.contains(f.to)) continue;
    const auto& sender = graph_.agents[f.from];
    std::uint64_t members = c.count(f.from), n = sender.count;
    if (members + 1 > n) continue;
    std::uint64_t threshold = std::max<std::uint64_t>(f.channel.threshold, members + 1);
    auto with = [&](std::uint64_t min_clients) {
      flow::Graph changed = graph_;
      changed.flows[fi].channel.threshold = std::min(threshold, min_clients);
      changed.flows[fi].channel.min_clients = min_clients;
      return changed;
    };
    std::uint64_t lo = std::max<std::uint64_t>(threshold, f.channel.min_clients ? f.channel.min_clients : f.channel.threshold);
    if (lo > n || !holds_with(with(n))) continue;
    std::uint64_t hi = n;  // holds at hi; find the least
    while (lo < hi) {
      std::uint64_t mid = lo + (hi - lo) / 2;
      if (holds_with(with(mid))) hi = mid; else lo = mid + 1;
    }
    std::uint64_t current = f.channel.min_clients ? f.channel.min_clients : f.channel.threshold;
    std::string where = " on " + graph_.artifacts[f.artifact].name + " (line " + std::to_string(f.span.line) + ")";
    if (hi <= current)
      fixes.push_back("threshold ≥ " + std::to_string(std::min(threshold, hi)) + where);
    else
      fixes.push_back("min_clients ≥ " + std::to_string(hi) + " with threshold ≥ " + std::to_string(std::min(threshold, hi)) + where);
  }
}

void Analyzer::suggest_fix(Verdict& v, const Observation& obs, const flow::Requirement& r, const Coalition& c) const {
  v.fix_edit.reset();
  v.fix = fix_text(v, obs, r, c);
}

std::string Analyzer::fix_text(Verdict& v, const Observation& obs, const flow::Requirement& r,
                               const Coalition& c) const {
  if (obs.kind == LossKind::kHoldsData)
    return "no mechanism protects data its holder sees: keep " + obs.holds_reason.substr(0, obs.holds_reason.find(' ')) +
           " out of the coalition, or do not give it " + graph_.data[r.data].name;
  if (obs.kind == LossKind::kExposedStats || obs.kind == LossKind::kExposedRecord) {
    // The last statement on the exposure path is where a private mechanism is missing.
    const auto& path = obs.seen.exposure_path;
    if (!path.empty())
      return "release it through a private mechanism (or not at all) before it reaches the coalition: " + path.back().text +
             (path.back().line ? " (line " + std::to_string(path.back().line) + ")" : "");
    return "";
  }
  if (!search_fixes_ || v.releases.empty()) return "";
  const flow::Id ri = static_cast<flow::Id>(&r - graph_.requirements.data());
  // Trials use RDP first (fast, an upper bound on the others: what it accepts holds), then
  // the spec's accountant where RDP is too coarse to decide.
  Options fast = options_;
  fast.accountant = flow::AccountantKind::kRdp;
  // Out of time, a trial counts as failed: every fix given is still one that was checked.
  const HoldsWith holds_with = [&](const flow::Graph& changed) {
    if (out_of_time()) return false;
    Analyzer trial(changed, fast);
    trial.search_fixes_ = false;
    if (trial.evaluate(changed.requirements[ri], c).status == Status::kHolds) return true;
    if (accountant_ == flow::AccountantKind::kRdp) return false;
    Analyzer accurate(changed, options_);
    accurate.search_fixes_ = false;
    return accurate.evaluate(changed.requirements[ri], c).status == Status::kHolds;
  };
  std::vector<std::string> fixes;

  // 1. Secure aggregation the coalition breaks open or starves.
  secure_aggregation_fixes(c, holds_with, fixes);

  // 2. More noise on the binding release (or a smaller ε): the least factor, to 3 digits.
  const ReleaseTerm* top = &v.releases[0];
  for (const auto& t : v.releases)
    if (t.epsilon_alone > top->epsilon_alone) top = &t;
  const auto& x = graph_.artifacts[top->artifact];
  const auto turn = flow::parameter_to_turn(x);  // the catalogue's choice (flow/catalogue.hpp)
  const flow::ParamKey name = turn ? turn->key : flow::ParamKey::kEpsilon;
  const bool divide = turn && turn->direction == flow::Protects::kLowering;  // ε-like parameters shrink, noise grows
  if (turn) {
    auto with = [&](double factor) {
      flow::Graph changed = graph_;
      scale_param(changed, top->artifact, name, rational_up(factor), divide);
      return changed;
    };
    double lo = 1, hi = 2;
    while (hi <= kLargestScaling && !holds_with(with(hi))) {
      lo = hi;
      hi *= 2;
    }
    if (hi <= kLargestScaling) {
      while (hi / lo > kScalingPrecision) {
        double mid = std::sqrt(lo * hi);
        if (holds_with(with(mid))) hi = mid; else lo = mid;
      }
      flow::Graph changed = with(hi);
      Rational value = changed.value(changed.artifacts[top->artifact].params[name]);
      // Rounded the way that protects more (monotone in the parameter): what the edit writes.
      const std::string written = divide ? format_down(value, 3) : format_up(value, 3);
      std::string fix = param_text(graph_, x, name) + (divide ? " ≤ " : " ≥ ") + written;
      auto it = x.params.find(name);
      bool in_range = true;
      if (it != x.params.end() && it->second.param != flow::kNone) {
        const auto& p = graph_.params[it->second.param];
        const Rational w = parse_number(written).value_or(value);  // what the edit would write
        in_range = !((p.hi && w > *p.hi) || (p.lo && w < *p.lo));
        if (!in_range)
          fix += " (outside its declared range [" + format_exact(p.lo.value_or(0)) + ", " + format_exact(p.hi.value_or(0)) + "])";
      }
      // A fix that breaks a utility requirement is not offered (issue #22): say why instead.
      if (const auto broken = utilities_broken(changed); !broken.empty())
        fix = "no value meets both: " + fix + " would fix it but break " + join(broken, ", ");
      else if (in_range && it != x.params.end() && (v.fix_edit = fix_edit(graph_, it->second, written)))
        v.fix_edit->description = fix;
      fixes.push_back(fix);
    }
  }
  if (fixes.empty()) return "reduce what " + x.name + " releases (more noise, fewer uses), or keep it from the coalition";
  return join(fixes, ", or ");
}

std::optional<FixEdit> fix_edit(const flow::Graph& g, const flow::ParamValue& pv, const std::string& written) {
  // A value written as an expression (of params) is not replaced by a number: no edit.
  const flow::Span span = pv.param != flow::kNone ? g.params[pv.param].value_span : pv.span;
  if ((pv.param == flow::kNone && pv.expr) || span.end <= span.begin || span.line == 0) return std::nullopt;
  return FixEdit{span, written, {}};
}

void scale_param(flow::Graph& g, flow::Id artifact, flow::ParamKey key, const Rational& factor, bool divide) {
  auto& pv = g.artifacts[artifact].params[key];
  Rational value = g.value(pv);
  Rational scaled = divide ? Rational(value / factor) : Rational(value * factor);
  scaled.canonicalize();
  if (pv.param != flow::kNone) {
    g.params[pv.param].value = scaled;
  } else {
    pv.expr.reset();
    pv.literal = scaled;
  }
}

}  // namespace privflow::analyzer::detail
