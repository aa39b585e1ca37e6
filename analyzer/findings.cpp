#include "analyzer/detail/findings.hpp"

#include <algorithm>
#include <climits>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "flow/param_expr.hpp"

namespace privflow::analyzer {
namespace {

void warn(std::vector<Finding>& out, const flow::Span& span, std::string message) {
  out.push_back(Finding{Severity::kWarning, span, std::move(message)});
}

void honest_members(const flow::Graph& g, const flow::Coalition& c, const flow::Span& span, const std::string& what,
                    std::vector<Finding>& out) {
  auto check = [&](flow::Id a) {
    if (a < g.agents.size() && g.agents[a].trust == flow::Trust::kHonest)
      warn(out, span, what + " names honest agent '" + g.agents[a].name + "': honest agents do not collude unless named");
  };
  for (const auto& m : c.fixed) check(m.agent);
}

/// DP-SGD's sampling rate is batch_size / the records its agent holds; a batch larger than
/// that is taken as rate 1 (no amplification: the safe side), which the user should know.
void batch_larger_than_rows(const flow::Graph& g, const flow::Artifact& x, std::vector<Finding>& out) {
  auto batch = g.param(x, flow::ParamKey::kBatchSize);
  if (!batch || x.at >= g.agents.size()) return;
  const flow::Agent& at = g.agents[x.at];
  for (const auto& in : x.inputs) {
    if (in.kind != flow::Input::Kind::kData || in.data >= g.data.size()) continue;
    const flow::Data& d = g.data[in.data];
    std::uint64_t rows = d.rows;
    bool partitioned = false;
    for (const auto& h : at.holds)
      if (h.data == in.data && h.partitioned && at.population && at.count > 0) rows = std::max<std::uint64_t>(1, d.rows / at.count), partitioned = true;
    if (*batch > Rational(static_cast<unsigned long>(std::min<std::uint64_t>(rows, ULONG_MAX))))
      warn(out, x.span, "batch_size " + format_compact(*batch) + " of '" + x.name + "' is more than the " +
                            std::to_string(rows) + " records of '" + d.name + "'" +
                            (partitioned ? " each '" + at.name + "' holds" : "") +
                            ": the sampling rate is taken as 1 (no amplification by subsampling)");
  }
}

/// Shuffled batches (`sampling: shuffle`) are accounted without amplification by sampling
/// (analyzer/release_profile.cpp); say that a Poisson-sampling figure, which most accountants and
/// papers report for such training, would be optimistic (Chua et al. 2024).
void shuffled_batches(const flow::Artifact& x, std::vector<Finding>& out) {
  if (x.batching != flow::Batching::kShuffle) return;
  warn(out, x.span,
       "'" + x.name + "' batches by shuffling: each record is in one batch per epoch, so its Gaussian is composed " +
           "over the epochs with no amplification by sampling; the Poisson-sampling figure usually reported for " +
           "such training would be optimistic (Chua et al. 2024, \"How Private are DP-SGD Implementations?\")");
}

/// A declared sensitivity below what one record can move the input by: the analysis uses the
/// derived one (analyzer/release_profile.cpp), and says so where the user wrote the smaller one.
void sensitivity_below_derived(const flow::Graph& g, const flow::Artifact& x, std::vector<Finding>& out) {
  auto it = x.params.find(flow::ParamKey::kSensitivity);
  if (it == x.params.end()) return;
  // A matrix mechanism's sensitivity is its strategy's, over clipped gradients: not the input's.
  if (x.kind == flow::ComputeKind::kMatrixFactorization) return;
  const auto derived = flow::derived_sensitivity(g, x, x.kind == flow::ComputeKind::kGaussian);
  const Rational declared = g.value(it->second);
  if (!derived || derived->value <= declared) return;
  warn(out, it->second.span.line ? it->second.span : x.span,
       "sensitivity " + format_exact(declared) + " of '" + x.name + "' is below the " + format_exact(derived->value) +
           " one record can move its input (" + derived->why + "): the analysis uses " + format_exact(derived->value));
}

}  // namespace

std::vector<Finding> collect_findings(const flow::Graph& g) {
  std::vector<Finding> out;
  std::vector<bool> artifact_used(g.artifacts.size(), false), data_used(g.data.size(), false),
      agent_used(g.agents.size(), false), param_used(g.params.size(), false), adversary_used(g.adversaries.size(), false),
      region_used(g.regions.size(), false), category_used(g.categories.size(), false);
  for (const auto& x : g.artifacts) {
    if (x.at < agent_used.size()) agent_used[x.at] = true;
    for (const auto& in : x.inputs) {
      if (in.kind == flow::Input::Kind::kArtifact && in.artifact < artifact_used.size()) artifact_used[in.artifact] = true;
      if (in.data < data_used.size()) data_used[in.data] = true;
    }
    auto mark_used = [&](const flow::ParamValue& p) {
      if (p.param < param_used.size()) param_used[p.param] = true;
      if (p.expr)
        for (flow::Id used : flow::params_in(*p.expr))
          if (used < param_used.size()) param_used[used] = true;
    };
    for (const auto& entry : x.params) mark_used(entry.second);
    for (const auto& entry : x.lists)
      for (const auto& p : entry.second) mark_used(p);
    if (x.kind == flow::ComputeKind::kPseudonymize)
      warn(out, x.span, "'" + x.name + "' is pseudonymized data: still personal data, linkable to the person");
    if (x.kind == flow::ComputeKind::kTrain)
      warn(out, x.span, "'" + x.name + "' is trained without privacy: the model can memorise its input");
    if (x.kind == flow::ComputeKind::kDpsgd) batch_larger_than_rows(g, x, out);
    if (x.kind == flow::ComputeKind::kDpsgd) shuffled_batches(x, out);
    if (flow::is_private(x.kind)) sensitivity_below_derived(g, x, out);
  }
  for (const auto& f : g.flows) {
    if (f.artifact < artifact_used.size()) artifact_used[f.artifact] = true;
    if (f.to < agent_used.size()) agent_used[f.to] = true;
    if (f.channel.shuffler < agent_used.size()) agent_used[f.channel.shuffler] = true;
  }
  auto use_coalition = [&](const flow::Coalition& c) {
    for (const auto& m : c.fixed)
      if (m.agent < agent_used.size()) agent_used[m.agent] = true;
    for (flow::Id a : c.candidates)
      if (a < agent_used.size()) agent_used[a] = true;
  };
  for (const auto& a : g.adversaries) {
    use_coalition(a.coalition);
    honest_members(g, a.coalition, a.span, "adversary '" + a.name + "'", out);
  }
  for (const auto& r : g.requirements) {
    if (r.data < data_used.size()) data_used[r.data] = true;
    if (r.adversary < adversary_used.size()) adversary_used[r.adversary] = true;
    if (r.adversary == flow::kNone && r.measure != flow::Measure::kForbid && r.measure != flow::Measure::kError) {
      use_coalition(r.coalition);
      honest_members(g, r.coalition, r.span, "requirement '" + r.name + "'", out);
    }
    if (r.category < category_used.size()) category_used[r.category] = true;
    if (r.from_region < region_used.size()) region_used[r.from_region] = true;
    if (r.to_region < region_used.size()) region_used[r.to_region] = true;
  }
  for (const auto& a : g.agents) {
    if (a.region < region_used.size()) region_used[a.region] = true;
    for (const auto& h : a.holds) {
      if (h.data < data_used.size()) data_used[h.data] = true;
      if (h.partitioned && !a.population && h.data < g.data.size())
        warn(out, h.span, "'" + g.data[h.data].name + " by partition' at '" + a.name +
                              "', a single agent: the partition has one part, which holds every record");
    }
  }
  for (const auto& d : g.data) {
    flow::Id c = g.find_category(d.category);
    if (c != flow::kNone) category_used[c] = true;
    for (const auto& f : d.fields) {
      flow::Id fc = g.find_category(f.category);
      if (fc != flow::kNone) category_used[fc] = true;
    }
  }
  for (std::size_t i = 0; i < g.artifacts.size(); ++i)
    if (!artifact_used[i])
      warn(out, g.artifacts[i].span, "artifact '" + g.artifacts[i].name + "' is computed but never used or sent");
  for (std::size_t i = 0; i < g.data.size(); ++i)
    if (!data_used[i]) warn(out, g.data[i].span, "data '" + g.data[i].name + "' is declared but never held or used");
  for (std::size_t i = 0; i < g.agents.size(); ++i) {
    bool holds = !g.agents[i].holds.empty();
    if (!agent_used[i] && !holds) warn(out, g.agents[i].span, "agent '" + g.agents[i].name + "' takes no part in any flow");
  }
  for (std::size_t i = 0; i < g.params.size(); ++i)
    if (!param_used[i]) warn(out, g.params[i].span, "param '" + g.params[i].name + "' is declared but never used");
  for (std::size_t i = 0; i < g.adversaries.size(); ++i)
    if (!adversary_used[i])
      warn(out, g.adversaries[i].span, "adversary '" + g.adversaries[i].name + "' is not used by any requirement");
  for (std::size_t i = 0; i < g.regions.size(); ++i)
    if (!region_used[i]) warn(out, g.regions[i].span, "region '" + g.regions[i].name + "' is declared but never used");
  for (std::size_t i = 0; i < g.categories.size(); ++i)
    if (!category_used[i])
      warn(out, g.categories[i].span, "category '" + g.categories[i].name + "' is declared but never used");
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.span.begin < b.span.begin; });
  return out;
}

std::vector<std::string> collect_assumptions(const flow::Graph& g) {
  std::vector<std::string> out;
  for (const auto& x : g.artifacts) {
    if (x.kind != flow::ComputeKind::kDeclared) continue;
    std::string what;
    if (auto rho = g.param(x, flow::ParamKey::kRho)) what = "rho " + format_compact(*rho) + " (zero-concentrated DP)";
    else {
      what = "epsilon " + format_compact(g.param(x, flow::ParamKey::kEpsilon).value_or(Rational(0)));
      if (auto d = g.param(x, flow::ParamKey::kDelta)) what += ", delta " + format_compact(*d);
    }
    out.push_back("line " + std::to_string(x.span.line) + ": '" + x.name + "' is declared " + what +
                  ": taken as stated, not verified");
  }
  std::vector<std::string> trusted, honest;
  for (const auto& a : g.agents) {
    if (a.trust == flow::Trust::kTrusted) trusted.push_back(a.name);
    if (a.trust == flow::Trust::kHonest) honest.push_back(a.name);
  }
  if (!trusted.empty())
    out.push_back("trusted agents never collude and are never part of a coalition: " + join(trusted, ", "));
  if (!honest.empty())
    out.push_back("honest agents follow the protocol and collude only where a coalition names them: " + join(honest, ", "));
  out.push_back("per-record artifacts of the same data are linkable to each other (the worst case)");
  return out;
}

}  // namespace privflow::analyzer
