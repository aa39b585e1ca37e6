#include "analyzer/beliefs.hpp"

#include <algorithm>

#include "inference/channel.hpp"
#include "inference/measures.hpp"
#include "inference/reidentification.hpp"

namespace privflow::analyzer::detail {
namespace {

constexpr std::uint64_t kMaxExactRepeats = 8;

/// The positions of `fields` in `order`.
std::vector<std::size_t> positions(const std::vector<flow::Id>& order, const std::vector<flow::Id>& fields) {
  std::vector<std::size_t> out;
  for (flow::Id f : fields)
    out.push_back(static_cast<std::size_t>(std::find(order.begin(), order.end(), f) - order.begin()));
  return out;
}

/// The fields involved, the secret (if any) first, then the others ascending.
std::vector<flow::Id> involved(const std::vector<RecordView>& views, const std::vector<ExactRr>& rr, flow::Id secret) {
  std::vector<flow::Id> rest;
  for (const auto& v : views) rest.insert(rest.end(), v.fields.begin(), v.fields.end());
  for (const auto& r : rr) rest.push_back(r.field);
  std::sort(rest.begin(), rest.end());
  rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
  std::vector<flow::Id> order;
  if (secret != flow::kNone) order.push_back(secret);
  for (flow::Id f : rest)
    if (f != secret) order.push_back(f);
  return order;
}

struct Pushed {
  std::string error;
  std::optional<inference::Observation> observation;
  bool exact = true;
};

/// Pushes the joint of the involved fields through the parallel composition of every view.
Pushed push(const flow::Graph& g, flow::Id data, const std::vector<RecordView>& views, const std::vector<ExactRr>& rr,
            flow::Id secret) {
  Pushed out;
  auto net = network_of(g.data[data]);
  std::vector<flow::Id> order = involved(views, rr, secret);
  std::vector<inference::FieldId> ids(order.begin(), order.end());
  auto joint = inference::joint_distribution(net, ids);
  if (!joint) {
    out.error = joint.error();
    return out;
  }
  std::vector<inference::Channel> parts;
  for (const auto& v : views) {
    // A map is post-processing of the fields it reads: seeing those fields is an upper bound.
    if (v.kind == RecordView::Kind::kMap) out.exact = false;
    auto ch = inference::Channel::projection(joint->domain, positions(order, v.fields));
    if (!ch) {
      out.error = ch.error();
      return out;
    }
    parts.push_back(*ch);
  }
  for (const auto& r : rr) {
    std::size_t pos = positions(order, {r.field})[0];
    for (std::uint64_t t = 0; t < r.times; ++t) {
      auto ch = inference::Channel::randomized_response(joint->domain, pos, r.keep);
      if (!ch) {
        out.error = ch.error();
        return out;
      }
      parts.push_back(*ch);
    }
  }
  if (parts.empty()) {
    // Nothing seen: the identity on nothing (a channel with one output).
    auto ch = inference::Channel::deterministic(std::vector<std::uint64_t>(joint->p.size(), 0), 1);
    if (!ch) {
      out.error = ch.error();
      return out;
    }
    parts.push_back(*ch);
  }
  auto channel = parts.size() == 1 ? inference::Result<inference::Channel>(parts[0]) : inference::Channel::parallel(parts);
  if (!channel) {
    out.error = channel.error();
    return out;
  }
  auto obs = inference::observe(*joint, *channel, 0);
  if (!obs) {
    out.error = obs.error();
    return out;
  }
  out.observation = std::move(*obs);
  return out;
}

}  // namespace

inference::BayesNet network_of(const flow::Data& d) {
  inference::BayesNet net;
  for (const auto& f : d.fields) {
    std::uint64_t k = f.domain_size();
    if (f.parent != flow::kNone && !f.prior.empty()) {
      net.add_field(f.name, k, {f.parent}, f.prior);
    } else if (!f.prior.empty() && !f.prior[0].empty()) {
      net.add_field(f.name, k, f.prior[0]);
    } else {
      net.add_field(f.name, k);
    }
  }
  return net;
}

std::vector<ExactRr> exact_rr(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases) {
  std::vector<ExactRr> out;
  for (const auto& use : releases) {
    const auto& x = g.artifacts[use.artifact];
    if (x.kind != flow::ComputeKind::kRandomizedResponse || !use.individually || use.copies != 1) continue;
    if (x.inputs.empty() || x.inputs[0].kind != flow::Input::Kind::kField || x.inputs[0].data != data) continue;
    auto keep = g.param(x, "keep");
    std::uint64_t times = g.times(x);
    if (!keep || times > kMaxExactRepeats) continue;
    out.push_back(ExactRr{use.artifact, x.inputs[0].field, *keep, times});
  }
  return out;
}

Belief exact_posterior(const flow::Graph& g, flow::Id data, const std::vector<RecordView>& views,
                       const std::vector<ExactRr>& rr, flow::Id field, std::uint64_t value) {
  Belief b;
  Pushed p = push(g, data, views, rr, field);
  if (!p.observation) {
    b.error = p.error;
    return b;
  }
  const auto& obs = *p.observation;
  b.prior = value < obs.prior.size() ? obs.prior[value] : Rational(0);
  auto best = inference::max_posterior(obs, value);
  b.value = best.value;
  b.exact = p.exact;
  return b;
}

Belief exact_leakage(const flow::Graph& g, flow::Id data, const std::vector<RecordView>& views,
                     const std::vector<ExactRr>& rr, flow::Id field) {
  Belief b;
  Pushed p = push(g, data, views, rr, field);
  if (!p.observation) {
    b.error = p.error;
    return b;
  }
  auto bits = inference::min_entropy_leakage(*p.observation);
  b.value = bits.value;
  b.exact = p.exact;  // the channel is exact; the logarithm is rounded up unless a power of 2
  b.how = bits.exact ? "exact" : "rounded up";
  b.prior = inference::prior_vulnerability(*p.observation);
  return b;
}

Belief reidentification(const flow::Graph& g, flow::Id data, const std::vector<RecordView>& views,
                        const std::vector<flow::Id>& quasi_identifiers, bool sees_all) {
  Belief b;
  const auto& d = g.data[data];
  // The views that read only quasi-identifiers form the cells the coalition can tell apart.
  std::vector<RecordView> cells;
  if (sees_all) {
    cells.push_back(RecordView{RecordView::Kind::kFields, flow::kNone, quasi_identifiers});
  } else {
    for (const auto& v : views) {
      RecordView kept = v;
      if (v.kind == RecordView::Kind::kFields) {
        kept.fields.clear();
        for (flow::Id f : v.fields)
          if (std::find(quasi_identifiers.begin(), quasi_identifiers.end(), f) != quasi_identifiers.end())
            kept.fields.push_back(f);
        if (kept.fields.empty()) continue;
      } else {
        bool only_qi = std::all_of(v.fields.begin(), v.fields.end(), [&](flow::Id f) {
          return std::find(quasi_identifiers.begin(), quasi_identifiers.end(), f) != quasi_identifiers.end();
        });
        if (!only_qi || v.fields.empty()) continue;
      }
      cells.push_back(kept);
    }
  }
  if (cells.empty()) {
    b.value = 0;
    b.how = "no quasi-identifier is seen in the clear";
    return b;
  }
  std::vector<flow::Id> seen;
  for (const auto& v : cells) {
    seen.insert(seen.end(), v.fields.begin(), v.fields.end());
    if (v.kind == RecordView::Kind::kMap) b.exact = false;
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  std::uint64_t rows = std::max<std::uint64_t>(1, d.rows);

  // Independent fields: the product of their priors, grouped by equal probability (never
  // enumerating 10^10 cells). Correlated ones: their exact joint.
  bool independent = std::all_of(seen.begin(), seen.end(), [&](flow::Id f) {
    const auto& field = d.fields[f];
    if (field.parent != flow::kNone) return false;
    return std::none_of(d.fields.begin(), d.fields.end(), [&](const flow::Field& other) {
      return other.parent == f && std::find(seen.begin(), seen.end(), static_cast<flow::Id>(&other - d.fields.data())) != seen.end();
    });
  });
  auto net = network_of(d);
  std::vector<inference::CellGroup> groups;
  if (independent) {
    std::vector<inference::Distribution> marginals;
    for (flow::Id f : seen) {
      auto m = inference::marginal(net, f);
      if (!m) {
        b.error = m.error();
        return b;
      }
      marginals.push_back(*m);
    }
    auto gr = inference::cell_groups_independent(marginals);
    if (!gr) {
      b.error = gr.error();
      return b;
    }
    groups = std::move(*gr);
  } else {
    auto joint = inference::joint_distribution(net, std::vector<inference::FieldId>(seen.begin(), seen.end()));
    if (!joint) {
      b.error = joint.error();
      return b;
    }
    groups = inference::cell_groups(*joint);
  }
  auto r = inference::reidentification(groups, rows);
  if (!r) {
    b.error = r.error();
    return b;
  }
  b.value = r->unique_fraction;
  b.exact = b.exact && rows <= 2;
  b.how = std::to_string(seen.size()) + " quasi-identifier field(s) seen in the clear over " + std::to_string(rows) + " rows";
  return b;
}

}  // namespace privflow::analyzer::detail
