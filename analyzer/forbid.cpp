// `forbid` requirements (docs/language.md, "Requirements"): data of a category held in one
// region must not be observed in another, unless with epsilon at most a bound.
#include <algorithm>
#include <cmath>

#include "analyzer/detail/analyzer.hpp"
#include "analyzer/detail/derivation_text.hpp"
#include "flow/describe.hpp"

namespace privflow::analyzer::detail {

Verdict Analyzer::forbid(const flow::Requirement& r) const {
  Verdict v;
  v.bound = r.unless_epsilon.value_or(Rational(0));
  v.delta = delta_of(r);
  v.method = Method::kForbid;
  const std::string cat = r.category != flow::kNone ? graph_.categories[r.category].name : "?";
  const std::string from = r.from_region != flow::kNone ? graph_.regions[r.from_region].name : "?";
  const std::string to = r.to_region != flow::kNone ? graph_.regions[r.to_region].name : "?";
  v.explanation.text = flow::measure_text(graph_, r);
  double worst = 0;
  bool unbounded = false;
  for (flow::Id di = 0; di < graph_.data.size(); ++di) {
    const auto& d = graph_.data[di];
    bool of_category = d.category == cat ||
                       std::any_of(d.fields.begin(), d.fields.end(), [&](const flow::Field& f) { return f.category == cat; });
    if (!of_category) continue;
    bool held_in_from = std::any_of(graph_.agents.begin(), graph_.agents.end(), [&](const flow::Agent& a) {
      return a.region == r.from_region &&
             std::any_of(a.holds.begin(), a.holds.end(), [&](const flow::Holding& h) { return h.data == di; });
    });
    if (!held_in_from) continue;
    Derivation& dnode = v.explanation.add(steps::held_in(d, cat, from), d.span.line);
    detail::SingleObserver single(graph_, di);
    for (flow::Id a = 0; a < graph_.agents.size(); ++a) {
      if (graph_.agents[a].region != r.to_region) continue;
      Observation obs = single.observe(a);
      Crossing x;
      x.observer = graph_.agents[a].name + (graph_.agents[a].population ? "[i]" : "");
      x.agent = a;
      x.data = di;
      // An agent that holds records of the data (a partition too) has them in its region.
      for (const auto& h : graph_.agents[a].holds)
        if (h.data == di && obs.kind != LossKind::kHoldsData) {
          obs.kind = LossKind::kHoldsData;
          obs.holds_path = {Step{h.span.line, graph_.agents[a].name + " holds " + (h.partitioned ? "a partition of " : "") + d.name, h.span.column}};
        }
      if (obs.kind == LossKind::kNothing) continue;
      if (obs.kind == LossKind::kHoldsData) {
        x.reason = "holds the data";
        for (const auto& s : obs.holds_path) x.path.push_back(s.text);
        x.route = route_of(obs.holds_path);
      } else if (obs.kind == LossKind::kExposedRecord || obs.kind == LossKind::kExposedStats) {
        x.reason = "exposed";
        for (const auto& s : obs.seen.exposure_path) x.path.push_back(steps::with_line(s));
        x.route = route_of(obs.seen.exposure_path);
      } else {
        auto acc = detail::account(graph_, di, obs.seen.releases, Question::kMembership, v.delta, cache_, accountant_);
        if (!acc.error.empty()) {
          v.status = Status::kUndecided;
          v.reason = acc.error;
          return v;
        }
        auto eps = cache_.epsilon(acc.composition, v.delta, accountant_);
        double e = eps.infinite ? HUGE_VAL : (eps.exact ? to_double_up(*eps.exact) : eps.value);
        bool within = r.unless_epsilon && !eps.infinite &&
                      (eps.exact ? *eps.exact <= *r.unless_epsilon : std::isfinite(e) && Rational(e) <= *r.unless_epsilon);
        if (std::isfinite(e)) x.epsilon = e;
        if (within) {
          dnode.add(steps::crossing_allowed(x.observer, to, e), graph_.agents[a].span.line);
          continue;
        }
        x.reason = "epsilon " + fmt_value(e) + (r.unless_epsilon ? " > " + format_exact(*r.unless_epsilon) : " > 0");
        for (const auto& use : obs.seen.releases)
          if (!use.route.empty()) {
            for (const auto& s : use.route) x.path.push_back(steps::with_line(s));
            x.route = route_of(use.route);
            break;
          }
      }
      if (!x.epsilon) unbounded = true; else worst = std::max(worst, *x.epsilon);
      Derivation& o = dnode.add(steps::crossing(x.observer, to, x.reason), graph_.agents[a].span.line);
      for (const auto& s : x.path) o.add(s);
      v.crossings.push_back(std::move(x));
    }
  }
  v.status = v.crossings.empty() ? Status::kHolds : Status::kViolated;
  if (v.crossings.empty()) {
    v.value = 0;
    v.reason = "no agent in " + to + " observes " + cat + " data held in " + from +
               (r.unless_epsilon ? " with epsilon above " + format_exact(*r.unless_epsilon) : "");
  } else {
    if (unbounded) v.value.reset(); else v.value = worst;
    std::vector<std::string> names;
    for (const auto& x : v.crossings) names.push_back(x.observer + " (" + x.reason + ")");
    v.reason = cat + " data crosses from " + from + " to " + to + ": " + join(names, ", ");
    v.fix = "release it to " + to + " only through private mechanisms" +
            (r.unless_epsilon ? " with epsilon ≤ " + format_exact(*r.unless_epsilon) : "") + ", or keep it in " + from;
    std::vector<std::string> holders;
    for (const auto& x : v.crossings)
      if (x.reason == "holds the data") holders.push_back(x.observer);
    if (!holders.empty()) v.fix = "keep the data itself out of " + to + " (held by " + join(holders, ", ") + "), and " + v.fix;
  }
  return v;
}

}  // namespace privflow::analyzer::detail
