// Adversaries, requirements and forbid rules (docs/language.md, "Adversaries" and
// "Requirements"): coalitions, measures, targets and bounds.
#include <algorithm>
#include <map>
#include <set>

#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

using MeasureKind = ast::Measure::Kind;

/// The fixed members of a coalition; `taken` receives the instances each one takes.
void lower_members(CheckContext& context, const ast::Coalition& written, flow::Coalition& out,
                   std::map<Id, std::uint64_t>& taken) {
  for (const auto& member : written.members) {
    flow::Member lowered;
    lowered.span = context.span(member);
    lowered.agent = context.resolve(member.agent, DeclKind::kAgent);
    if (lowered.agent == kNone) continue;
    const flow::Agent& agent = context.graph.agents[lowered.agent];
    if (!context.check_trust(agent, member.agent, "a coalition")) continue;
    if (taken.count(lowered.agent)) {
      context.error(member, "agent " + quoted(agent.name) + " is named twice in this coalition");
      continue;
    }
    if (member.count) {
      auto k = context.whole_number(*member.count, "the number of " + agent.name + " instances", 1,
                                    context.limits.max_population);
      if (!k) continue;
      if (*k > agent.count) {
        context.error(*member.count, std::to_string(*k) + " of " + agent.name + " exceeds its " +
                                         std::to_string(agent.count) + (agent.count == 1 ? " instance" : " instances"));
        continue;
      }
      lowered.count = *k;
      lowered.all = false;
    } else {
      lowered.count = agent.count;
      lowered.all = true;
    }
    taken[lowered.agent] = lowered.count;
    out.fixed.push_back(lowered);
  }
}

/// `any K of {candidates}`: K must not exceed the instances left to choose from.
void lower_choice(CheckContext& context, const ast::Coalition& written, flow::Coalition& out,
                  std::map<Id, std::uint64_t>& taken) {
  auto k = context.whole_number(written.choose, "the number of agents to choose", 1, context.limits.max_population);
  std::uint64_t available = 0;
  std::set<Id> seen;
  for (const auto& name : written.candidates) {
    Id id = context.resolve(name, DeclKind::kAgent);
    if (id == kNone) continue;
    const flow::Agent& agent = context.graph.agents[id];
    if (!context.check_trust(agent, name, "the agents an adversary may choose")) continue;
    if (!seen.insert(id).second) {
      context.error(name, "agent " + quoted(agent.name) + " is listed twice");
      continue;
    }
    out.candidates.push_back(id);
    available += agent.count - (taken.count(id) ? taken[id] : 0);
  }
  if (!k) return;
  out.choose = *k;
  if (*k > available && out.candidates.size() == seen.size())
    context.error(written.choose, "any " + std::to_string(*k) + " of these agents: only " + std::to_string(available) +
                                      (available == 1 ? " instance is" : " instances are") + " left to choose from");
}

/// The largest distance between two members of a topology (0 when it is only known once the
/// graph is built: random_regular, edges).
std::uint64_t diameter(const flow::Agent& agent) {
  const flow::Topology& t = *agent.topology;
  switch (t.kind) {
    case flow::Topology::Kind::kRing: return agent.count / 2;
    case flow::Topology::Kind::kComplete: return 1;
    case flow::Topology::Kind::kStar: return agent.count >= 3 ? 2 : 1;
    case flow::Topology::Kind::kTorus: return t.rows / 2 + t.columns / 2;
    case flow::Topology::Kind::kRandomRegular:
    case flow::Topology::Kind::kEdges: return 0;
  }
  return 0;
}

/// `at distance >= D`: the coalition takes members of a population with a topology, and some
/// member of each such population is D hops from another.
void lower_distance(CheckContext& context, const ast::Coalition& written, flow::Coalition& out) {
  const ast::Number& literal = *written.distance;
  auto d = context.whole_number(literal, "the distance", 1, context.limits.max_population);
  if (!d) return;
  std::vector<Id> agents = out.candidates;
  for (const auto& m : out.fixed) agents.push_back(m.agent);
  bool networked = false;
  for (Id a : agents) {
    const flow::Agent& agent = context.graph.agents[a];
    if (!agent.population || !agent.topology) continue;
    networked = true;
    const std::uint64_t most = diameter(agent);
    if (most > 0 && *d > most) {
      context.error(literal, "no member of " + quoted(agent.name) + " is " + std::to_string(*d) +
                                 " hops from another: its topology's members are at most " + std::to_string(most) +
                                 (most == 1 ? " hop" : " hops") + " apart");
      return;
    }
  }
  if (!networked) {
    context.error(literal, "'at distance' needs a population with a topology in the coalition (e.g. `agent phone[100] { "
                           "topology: ring }`): distance is counted on its communication graph");
    return;
  }
  out.distance = *d;
}

/// `posterior(D.f = v)`: the index of v in the field's domain.
void lower_posterior_value(CheckContext& context, const ast::Measure& measure, flow::Requirement& requirement) {
  const flow::Field& field = context.graph.data[requirement.data].fields[requirement.field];
  const std::string& value = measure.value.name;
  if (field.type == flow::FieldType::kInt) {
    auto n = parse_number(value);
    if (!n || !is_integer(*n) || *n < field.lo || *n > field.hi)
      context.error(measure.value, quoted(value) + " is not a value of " + quoted(field.name) + " (an int in [" +
                                       std::to_string(field.lo) + ", " + std::to_string(field.hi) + "])");
    else
      requirement.value = static_cast<std::uint64_t>(std::stoll(n->get_num().get_str()) - field.lo);
    return;
  }
  auto it = std::find(field.values.begin(), field.values.end(), value);
  if (it == field.values.end())
    context.error(measure.value, quoted(value) + " is not a value of " + quoted(field.name) +
                                     suggest_or_list(value, field.values));
  else
    requirement.value = static_cast<std::uint64_t>(it - field.values.begin());
}

/// `error(X)`: X must be a release, or an aggregate of one (docs/language.md, "Utility requirements").
void lower_error_artifact(CheckContext& context, const ast::Measure& measure, flow::Requirement& requirement) {
  requirement.artifact = context.resolve(measure.artifact, DeclKind::kArtifact);
  if (requirement.artifact == kNone) return;
  const flow::Artifact& x = context.graph.artifacts[requirement.artifact];
  if (flow::is_private(x.kind)) return;
  if (x.kind == flow::ComputeKind::kAggregate && !x.inputs.empty() && x.inputs[0].kind == flow::Input::Kind::kArtifact &&
      x.inputs[0].artifact < context.graph.artifacts.size() &&
      flow::is_private(context.graph.artifacts[x.inputs[0].artifact].kind))
    return;
  context.error(measure.artifact, quoted(x.name) + " is a " + flow::kind_name(x.kind) +
                                      ", not a release: only a private mechanism's output, or an aggregate of one, "
                                      "has an error");
}

/// The measure's data and, by measure, its field and value or its quasi-identifier fields.
void lower_measure(CheckContext& context, const ast::Measure& measure, flow::Requirement& requirement) {
  switch (measure.kind) {
    case MeasureKind::kDp: requirement.measure = flow::Measure::kDp; break;
    case MeasureKind::kPosterior: requirement.measure = flow::Measure::kPosterior; break;
    case MeasureKind::kAdvantage: requirement.measure = flow::Measure::kAdvantage; break;
    case MeasureKind::kLeakage: requirement.measure = flow::Measure::kLeakage; break;
    case MeasureKind::kReidentification: requirement.measure = flow::Measure::kReidentification; break;
    case MeasureKind::kMembership: requirement.measure = flow::Measure::kMembership; break;
    case MeasureKind::kReconstruction: requirement.measure = flow::Measure::kReconstruction; break;
    case MeasureKind::kError:
      requirement.measure = flow::Measure::kError;
      lower_error_artifact(context, measure, requirement);
      return;
  }
  if (measure.fpr) {  // membership: a test's false-positive rate, strictly between 0 and 1
    Rational fpr;
    if (context.number(*measure.fpr, fpr)) {
      if (fpr <= 0 || fpr >= 1)
        context.error(*measure.fpr, "the false-positive rate must be in (0, 1), not " + measure.fpr->text);
      else
        requirement.fpr = fpr;
    }
  }
  requirement.data = context.resolve(measure.data, DeclKind::kData);
  if (requirement.data == kNone) return;
  if (measure.kind == MeasureKind::kPosterior || measure.kind == MeasureKind::kLeakage ||
      measure.kind == MeasureKind::kReconstruction) {
    requirement.field = context.field_of(requirement.data, measure.field);
    if (requirement.field != kNone && measure.kind == MeasureKind::kPosterior)
      lower_posterior_value(context, measure, requirement);
  }
  if (measure.kind == MeasureKind::kReidentification) {
    std::set<Id> seen;
    for (const auto& name : measure.fields) {
      Id field = context.field_of(requirement.data, name);
      if (field == kNone) continue;
      if (!seen.insert(field).second) {
        context.error(name, "field " + quoted(name.name) + " is listed twice");
        continue;
      }
      requirement.fields.push_back(field);
    }
  }
}

/// `against NAME` (an adversary, or an agent alone) or `against {coalition}`.
void lower_target(CheckContext& context, const ast::Require& written, flow::Requirement& requirement) {
  const bool utility = written.measure.kind == MeasureKind::kError;
  if (utility) {
    if (written.has_target)
      context.error(written.target_is_name ? static_cast<const ast::Node&>(written.target_name) : written.target,
                    "error(...) is a utility requirement: it bounds the release's error, against no adversary; "
                    "drop 'against ...'");
    return;
  }
  if (!written.has_target) {
    context.error(written.measure, std::string(flow::measure_name(requirement.measure)) +
                                       " needs 'against' and an adversary or coalition before '<='");
    return;
  }
  if (!written.target_is_name) {
    requirement.coalition = lower_coalition(context, written.target);
    return;
  }
  auto it = context.names.find(written.target_name.name);
  if (it != context.names.end() && it->second.kind == DeclKind::kAgent) {
    // `against server`: the coalition of that one agent.
    const flow::Agent& agent = context.graph.agents[it->second.index];
    if (context.check_trust(agent, written.target_name, "a coalition")) {
      requirement.coalition.span = context.span(written.target_name);
      requirement.coalition.fixed.push_back({it->second.index, agent.count, true, context.span(written.target_name)});
    }
    return;
  }
  requirement.adversary = context.resolve_any(written.target_name, {DeclKind::kAdversary, DeclKind::kAgent});
}

/// `<= X [relative] [at confidence C]` of error(X): in the release's units, or a fraction of its
/// expected true value.
void lower_error_bound(CheckContext& context, const ast::Bound& bound, flow::Requirement& requirement) {
  requirement.relative = bound.relative;
  if (bound.epsilon) context.error(bound, "an error bound is in the release's own units (or 'relative'), not 'epsilon'");
  else if (bound.bits) context.error(bound, "an error bound is in the release's own units (or 'relative'), not bits");
  if (bound.delta)
    context.error(*bound.delta, "an error bound takes 'at confidence C' (the probability that the error is within it), not 'at delta'");
  if (context.number(bound.value, requirement.bound) && requirement.bound <= 0)
    context.error(bound.value, "the bound of error must be positive, not " + bound.value.text);
  if (bound.confidence) {
    Rational c;
    if (context.number(*bound.confidence, c)) {
      if (c <= 0 || c >= 1) context.error(*bound.confidence, "the confidence must be in (0, 1), not " + bound.confidence->text);
      else requirement.confidence = c;
    }
  }
}

/// `<= epsilon X`, `<= X`, `<= X bits`, and `at delta D`: each in the measure's own unit.
void lower_bound(CheckContext& context, const ast::Require& written, flow::Requirement& requirement) {
  const ast::Bound& bound = written.bound;
  const MeasureKind kind = written.measure.kind;
  if (kind == MeasureKind::kError) {
    lower_error_bound(context, bound, requirement);
    return;
  }
  if (bound.relative) context.error(bound, "only an error bound is 'relative'");
  if (bound.confidence) context.error(*bound.confidence, "only an error bound is 'at confidence C'; a privacy bound takes 'at delta D'");
  requirement.bound_is_epsilon = bound.epsilon;
  requirement.bound_in_bits = bound.bits;
  if (context.number(bound.value, requirement.bound)) {
    const char* measure = flow::measure_name(requirement.measure);
    if (bound.epsilon && kind != MeasureKind::kDp) {
      context.error(bound, std::string("a ") + measure + " bound is " +
                               (kind == MeasureKind::kLeakage ? "in bits" : "a probability") + ", not 'epsilon'");
    } else if (bound.bits && kind != MeasureKind::kLeakage) {
      context.error(bound, std::string("only leakage is measured in bits, not ") + measure);
    } else if (requirement.bound < 0) {
      context.error(bound.value, std::string("the bound of ") + measure + " must not be negative");
    } else if ((kind == MeasureKind::kPosterior || kind == MeasureKind::kAdvantage ||
                kind == MeasureKind::kReidentification || kind == MeasureKind::kMembership ||
                kind == MeasureKind::kReconstruction) &&
               requirement.bound > 1) {
      context.error(bound.value,
                    std::string("the bound of ") + measure + " is a probability: at most 1, not " + bound.value.text);
    }
  }
  if (bound.delta) {
    Rational delta;
    if (context.number(*bound.delta, delta)) {
      if (delta < 0 || delta >= 1) context.error(*bound.delta, "delta must be in [0, 1), not " + bound.delta->text);
      else requirement.delta = delta;
    }
  }
}

}  // namespace

flow::Coalition lower_coalition(CheckContext& context, const ast::Coalition& written) {
  flow::Coalition out;
  out.span = context.span(written);
  std::map<Id, std::uint64_t> taken;
  lower_members(context, written, out, taken);
  if (written.has_choice) lower_choice(context, written, out, taken);
  if (written.distance) lower_distance(context, written, out);
  return out;
}

void check_require(CheckContext& context, const ast::Require& written) {
  flow::Requirement requirement;
  requirement.span = context.span(written);
  requirement.named = written.name.has_value();
  requirement.name = written.name ? written.name->name : "line" + std::to_string(requirement.span.line);
  lower_measure(context, written.measure, requirement);
  lower_target(context, written, requirement);
  lower_bound(context, written, requirement);
  context.graph.requirements.push_back(std::move(requirement));
}

void check_forbid(CheckContext& context, const ast::Forbid& written) {
  flow::Requirement requirement;
  requirement.span = context.span(written);
  requirement.measure = flow::Measure::kForbid;
  requirement.named = written.name.has_value();
  requirement.name = written.name ? written.name->name : "line" + std::to_string(requirement.span.line);
  requirement.category = context.resolve(written.category, DeclKind::kCategory);
  requirement.from_region = context.resolve(written.from, DeclKind::kRegion);
  requirement.to_region = context.resolve(written.to, DeclKind::kRegion);
  if (written.has_unless) {
    Rational epsilon;
    if (context.number(written.unless_epsilon, epsilon)) {
      if (epsilon < 0) context.error(written.unless_epsilon, "epsilon must not be negative");
      else requirement.unless_epsilon = epsilon;
    }
    if (written.unless_delta) {
      Rational delta;
      if (context.number(*written.unless_delta, delta)) {
        if (delta < 0 || delta >= 1)
          context.error(*written.unless_delta, "delta must be in [0, 1), not " + written.unless_delta->text);
        else
          requirement.delta = delta;
      }
    }
  }
  context.graph.requirements.push_back(std::move(requirement));
}

}  // namespace privflow::lang::detail
