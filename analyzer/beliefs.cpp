#include "analyzer/detail/beliefs.hpp"
#include "analyzer/detail/local_randomizers.hpp"

#include <algorithm>
#include <cmath>

#include "inference/channel.hpp"
#include "inference/measures.hpp"
#include "inference/reidentification.hpp"
#include "base/text.hpp"

namespace privflow::analyzer::detail {
namespace {

constexpr std::uint64_t kMaxExactRepeats = 64;  // beyond, RR counts as its ε
// Correlated views of quasi-identifiers are listed tuple by tuple up to this many tuples (a
// fraction of a second); beyond, each map counts as the fields it reads (an upper bound).
constexpr std::uint64_t kMaxCorrelatedCells = 1u << 20;

/// The root of a field's `given` tree.
flow::Id tree_root(const flow::Data& d, flow::Id f) {
  for (std::size_t guard = 0; d.fields[f].parent != flow::kNone && guard < d.fields.size(); ++guard) f = d.fields[f].parent;
  return f;
}

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

/// The exact channel of an enumerated map over the joint domain of `order` (nullopt when the
/// solver could only count its classes, or the domain is too large to list).
std::optional<inference::Channel> map_channel(const solver::MapCount& mc, const inference::Domain& domain,
                                              const std::vector<flow::Id>& order) {
  if (mc.status != solver::MapStatus::kExact || mc.function.empty()) return std::nullopt;
  std::vector<std::size_t> pos = positions(order, mc.read_fields);
  std::vector<std::uint64_t> output_of(domain.cardinality());
  for (std::uint64_t x = 0; x < output_of.size(); ++x) {
    std::uint64_t index = 0;
    for (std::size_t j = 0; j < pos.size(); ++j) index = index * mc.radix[j] + domain.value_at(x, pos[j]);
    output_of[x] = mc.function[index];
  }
  auto ch = inference::Channel::deterministic(std::move(output_of), mc.classes.size());
  if (!ch) return std::nullopt;
  return *ch;
}

struct Pushed {
  std::string error;
  std::optional<inference::Observation> observation;
  bool exact = true;
  bool rounded = false;  // a local randomizer's channel from e^ε rounded up: an upper bound
};

/// Why a channel with a local randomizer's e^ε rounded up bounds the exact figure.
constexpr const char* kRoundedBound =
    "e^epsilon of a local randomizer rounded up to 128 bits: its channel is at least as informative as the "
    "true one, the figure an upper bound within 2^-120 of the exact one";

/// Pushes the joint of the involved fields through the parallel composition of every view.
Pushed push(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views, const std::vector<ExactRr>& rr,
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
    if (v.kind == RecordView::Kind::kMap) {
      if (auto ch = map_channel(maps.count(v.artifact), joint->domain, order)) {
        parts.push_back(*ch);
        continue;
      }
      // A map is post-processing of the fields it reads: seeing those fields is an upper bound.
      out.exact = false;
    }
    auto ch = inference::Channel::projection(joint->domain, positions(order, v.fields));
    if (!ch) {
      out.error = ch.error();
      return out;
    }
    parts.push_back(*ch);
  }
  for (const auto& r : rr) {
    std::size_t pos = positions(order, {r.field})[0];
    if (r.kind != flow::ComputeKind::kRandomizedResponse) {
      // RAPPOR's reports after the first are post-processing of its permanent response.
      auto bits = local_channel(g, g.artifacts[r.artifact], joint->domain, pos, r.permanent);
      out.rounded = out.rounded || local_channel_rounded(g, g.artifacts[r.artifact]);
      if (!bits) {
        out.error = "the exact channel of " + r.label + " has too many outputs";
        return out;
      }
      parts.push_back(*bits);
      continue;
    }
    // T reports of the same value: their counts are a sufficient statistic.
    auto ch = r.times == 1 ? inference::Channel::randomized_response(joint->domain, pos, r.keep)
                           : inference::Channel::repeated_randomized_response(joint->domain, pos, r.keep, r.times);
    if (!ch) {
      out.error = ch.error();
      return out;
    }
    parts.push_back(*ch);
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

/// The distribution of a map's output classes under the priors: the joint of the fields it
/// reads pushed through its enumerated function (nullopt when not enumerated or too large).
std::optional<inference::Distribution> map_cells(const solver::MapCount& mc, const inference::BayesNet& net) {
  if (mc.status != solver::MapStatus::kExact || mc.function.empty()) return std::nullopt;
  auto joint = inference::joint_distribution(net, std::vector<inference::FieldId>(mc.read_fields.begin(), mc.read_fields.end()));
  if (!joint) return std::nullopt;
  inference::Distribution out(mc.classes.size(), Rational(0));
  for (std::uint64_t x = 0; x < joint->p.size(); ++x) {
    std::uint64_t index = 0;
    for (std::size_t j = 0; j < mc.read_fields.size(); ++j) index = index * mc.radix[j] + joint->domain.value_at(x, j);
    out[mc.function[index]] += joint->p[x];
  }
  return out;
}

bool contains(const std::vector<flow::Id>& set, flow::Id f) { return std::find(set.begin(), set.end(), f) != set.end(); }

/// What the views tell about the quasi-identifiers, order-independently: the fields seen in the
/// clear; each map reading only quasi-identifiers that are not all seen already; and for a map
/// that also reads other fields (`if sex = female then zip else zip + 1000` tells zip) the
/// quasi-identifiers it reads, seen in the clear (`bounded`: an upper bound, finer cells only
/// make more records unique).
std::vector<RecordView> quasi_identifier_views(const std::vector<RecordView>& views, const std::vector<flow::Id>& qi,
                                               bool& bounded) {
  RecordView clear{RecordView::Kind::kFields, flow::kNone, {}};
  std::vector<RecordView> maps;
  for (const auto& v : views) {
    std::vector<flow::Id> read;
    for (flow::Id f : v.fields)
      if (contains(qi, f)) read.push_back(f);
    if (read.empty()) continue;
    if (v.kind == RecordView::Kind::kFields || read.size() < v.fields.size()) {
      if (v.kind == RecordView::Kind::kMap) bounded = true;
      clear.fields.insert(clear.fields.end(), read.begin(), read.end());
    } else {
      maps.push_back(v);
    }
  }
  std::sort(clear.fields.begin(), clear.fields.end());
  clear.fields.erase(std::unique(clear.fields.begin(), clear.fields.end()), clear.fields.end());
  std::vector<RecordView> cells;
  if (!clear.fields.empty()) cells.push_back(clear);
  for (const auto& m : maps) {
    // A map of fields all seen in the clear adds nothing to them (post-processing).
    const bool redundant = std::all_of(m.fields.begin(), m.fields.end(), [&](flow::Id f) { return contains(clear.fields, f); });
    if (!redundant && std::find(cells.begin(), cells.end(), m) == cells.end()) cells.push_back(m);
  }
  return cells;
}

/// The distribution of the cells that all `views` together tell apart, over the exact joint of
/// the fields they read: a tuple's cell is its clear fields and every map's output. nullopt when
/// a map is not enumerated or the joint is too large to list.
std::optional<inference::Distribution> correlated_cells(Maps& maps, const inference::BayesNet& net,
                                                        const std::vector<RecordView>& views) {
  std::vector<flow::Id> order;
  for (const auto& v : views) order.insert(order.end(), v.fields.begin(), v.fields.end());
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  for (const auto& v : views)
    if (v.kind == RecordView::Kind::kMap) {
      const auto& mc = maps.count(v.artifact);
      if (mc.status != solver::MapStatus::kExact || mc.function.empty()) return std::nullopt;
    }
  auto joint = inference::joint_distribution(net, std::vector<inference::FieldId>(order.begin(), order.end()),
                                             kMaxCorrelatedCells);
  if (!joint) return std::nullopt;
  std::map<std::vector<std::uint64_t>, Rational> cells;
  for (std::uint64_t x = 0; x < joint->p.size(); ++x) {
    std::vector<std::uint64_t> key;
    for (const auto& v : views) {
      const std::vector<std::size_t> pos = positions(order, v.fields);
      if (v.kind == RecordView::Kind::kFields) {
        for (std::size_t j : pos) key.push_back(joint->domain.value_at(x, j));
        continue;
      }
      const auto& mc = maps.count(v.artifact);
      const std::vector<std::size_t> read = positions(order, mc.read_fields);
      std::uint64_t index = 0;
      for (std::size_t j = 0; j < read.size(); ++j) index = index * mc.radix[j] + joint->domain.value_at(x, read[j]);
      key.push_back(mc.function[index]);
    }
    cells[key] += joint->p[x];
  }
  inference::Distribution out;
  for (auto& [key, p] : cells) out.push_back(std::move(p));
  return out;
}

/// The seen quasi-identifier views as independent distributions over their cells: fields by
/// their marginals, maps of uniform fields by their output classes' preimage counts. nullopt
/// when pieces are correlated (shared fields or `given` ancestors) or a map is not counted.
std::optional<std::vector<std::vector<inference::CellGroup>>> independent_components(const flow::Graph& g, Maps& maps,
                                                                           const flow::Data& d,
                                                                           const inference::BayesNet& net,
                                                                           const std::vector<RecordView>& cells) {
  std::vector<std::vector<inference::CellGroup>> parts;
  std::vector<flow::Id> used;
  std::vector<std::size_t> piece;  // the part each used field belongs to
  for (const auto& v : cells) {
    if (v.kind == RecordView::Kind::kFields) {
      for (flow::Id f : v.fields) {
        if (std::find(used.begin(), used.end(), f) != used.end()) return std::nullopt;
        // A uniform field stays one group however large its domain.
        auto groups = inference::quasi_identifier_groups(net, {f});
        if (!groups) return std::nullopt;
        used.push_back(f);
        piece.push_back(parts.size());
        parts.push_back(std::move(*groups));
      }
      continue;
    }
    const auto& mc = maps.count(v.artifact);
    if (mc.status != solver::MapStatus::kExact || mc.tuples == 0) return std::nullopt;
    bool uniform = true;
    for (flow::Id f : mc.read_fields) {
      const auto& field = d.fields[f];
      uniform = uniform && field.parent == flow::kNone && (field.prior.empty() || field.prior[0].empty());
      if (std::find(used.begin(), used.end(), f) != used.end()) return std::nullopt;
      used.push_back(f);
      piece.push_back(parts.size());
    }
    inference::Distribution dist;
    if (uniform) {
      // Uniform fields: each class weighs its preimage (never listing 10^10 tuples).
      for (const auto& c : mc.classes) {
        Rational p(c.preimage, mc.tuples);
        p.canonicalize();
        dist.push_back(p);
      }
    } else if (auto pushed = map_cells(mc, net)) {
      dist = std::move(*pushed);
    } else {
      return std::nullopt;
    }
    parts.push_back(inference::cell_groups(dist));
  }
  // Independence: no two pieces read fields of one `given` tree (a map's own fields may).
  std::map<flow::Id, std::size_t> piece_of_root;
  for (std::size_t i = 0; i < used.size(); ++i) {
    auto [it, fresh] = piece_of_root.emplace(tree_root(d, used[i]), piece[i]);
    if (!fresh && it->second != piece[i]) return std::nullopt;
  }
  return parts;
}

}  // namespace

Maps::Maps(const flow::Graph& g) : graph_(g), session_(std::make_unique<solver::Session>()) {}
Maps::~Maps() = default;

const solver::MapCount& Maps::count(flow::Id artifact) {
  auto it = counts_.find(artifact);
  if (it != counts_.end()) return it->second;
  solver::MapCount mc;
  mc.reason = "not a map of a data set";
  const auto& x = graph_.artifacts[artifact];
  if (x.kind == flow::ComputeKind::kMap && x.expr && !x.inputs.empty() && x.inputs[0].data < graph_.data.size())
    mc = solver::count_map(*session_, graph_.data[x.inputs[0].data], *x.expr);
  return counts_.emplace(artifact, std::move(mc)).first->second;
}

namespace {

/// A `/` or `%` whose divisor is not a nonzero number written in the expression.
bool may_divide_by_zero(const flow::Expr& e) {
  using Op = flow::Expr::Op;
  if ((e.op == Op::kDiv || e.op == Op::kMod) &&
      (e.children.size() < 2 || e.children[1].op != Op::kInt || e.children[1].value == 0))
    return true;
  return std::any_of(e.children.begin(), e.children.end(), may_divide_by_zero);
}

}  // namespace

solver::DivisionCheck Maps::division(flow::Id artifact) {
  solver::DivisionCheck out;
  const auto& x = graph_.artifacts[artifact];
  if (x.kind != flow::ComputeKind::kMap || !x.expr || x.inputs.empty() || x.inputs[0].data >= graph_.data.size()) {
    out.reason = "not a map of a data set";
    return out;
  }
  if (auto it = counts_.find(artifact); it != counts_.end()) {
    const solver::MapCount& mc = it->second;
    out.read_fields = mc.read_fields;
    if (mc.status == solver::MapStatus::kDivisionByZero) {
      out.status = solver::SolveStatus::kSat;
      out.witness = mc.witness;
      out.division = mc.division;
    } else if (mc.status == solver::MapStatus::kExact) {
      out.status = solver::SolveStatus::kUnsat;
    }
    if (out.status != solver::SolveStatus::kUnknown) return out;
  }
  if (!may_divide_by_zero(*x.expr)) {
    out.status = solver::SolveStatus::kUnsat;
    return out;
  }
  return solver::find_division_by_zero(*session_, graph_.data[x.inputs[0].data], *x.expr);
}

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

namespace {

/// The randomized response with a rational `keep` of a field of `data`, or nullptr.
const flow::Artifact* exact_rr_artifact(const flow::Graph& g, flow::Id data, const ReleaseUse& use) {
  const auto& x = g.artifacts[use.artifact];
  const bool rr = x.kind == flow::ComputeKind::kRandomizedResponse && g.param(x, flow::ParamKey::kKeep);
  if (!rr && !has_exact_local_channel(g, x)) return nullptr;
  if (x.inputs.empty() || x.inputs[0].kind != flow::Input::Kind::kField || x.inputs[0].data != data) return nullptr;
  return &x;
}


}  // namespace

std::vector<ExactRr> exact_rr(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases,
                              bool include_summed) {
  std::vector<ExactRr> out;
  std::vector<flow::Id> done;
  for (const auto& first : releases) {
    const flow::Artifact* x = exact_rr_artifact(g, data, first);
    if (!x || std::find(done.begin(), done.end(), first.artifact) != done.end()) continue;
    done.push_back(first.artifact);
    // Every use of the artifact: the target's instance and the replicas that hold it too.
    ExactRr e{first.artifact, x->inputs[0].field, g.param(*x, flow::ParamKey::kKeep).value_or(Rational(0)), 0, false, x->kind, false, ""};
    bool usable = true;
    for (const auto& use : releases) {
      if (use.artifact != first.artifact) continue;
      e.through_sum = e.through_sum || !use.individually;
      e.times = std::min<std::uint64_t>(kMaxExactRepeats + 1, e.times + use.copies);
    }
    const std::uint64_t per_use = g.times(*x);
    const std::string& field_name = g.data[data].fields[e.field].name;
    e.kind = x->kind;
    if (x->kind != flow::ComputeKind::kRandomizedResponse) {
      // One instance's reports (each instance has its own randomness): one report exactly;
      // more are bounded by RAPPOR's permanent response, which they post-process (unary
      // encoding has none: its repeated reports go to the accountant).
      if (e.times != 1 || (per_use > 1 && x->kind != flow::ComputeKind::kRappor)) continue;
      if (!include_summed && e.through_sum) continue;
      e.label = std::string(flow::kind_name(x->kind)) + " on " + field_name +
                (per_use > 1 ? " x " + std::to_string(per_use) + ", bounded by its permanent response" : "");
      if (x->kind == flow::ComputeKind::kLocalHashing) e.label += " (the worst hash: each value in a bucket of its own)";
      if (x->kind == flow::ComputeKind::kCountMeanSketch) e.label += " (each value in a bucket of its own)";
      e.permanent = per_use > 1;
      out.push_back(e);
      continue;
    }
    usable = (include_summed || !e.through_sum) && per_use <= kMaxExactRepeats && e.times * per_use <= kMaxExactRepeats;
    if (!usable) continue;
    e.times *= per_use;
    e.label = "randomized response on " + field_name + " with keep " + format_exact(e.keep);
    out.push_back(e);
  }
  return out;
}

bool has_summed_rr(const flow::Graph& g, flow::Id data, const std::vector<ReleaseUse>& releases) {
  return std::any_of(releases.begin(), releases.end(),
                     [&](const ReleaseUse& use) { return !use.individually && exact_rr_artifact(g, data, use); });
}

std::vector<ReleaseUse> relevant_releases(const flow::Graph& g, flow::Id data, flow::Id field,
                                          const std::vector<ReleaseUse>& releases) {
  const auto& d = g.data[data];
  const flow::Id root = tree_root(d, field);
  std::vector<ReleaseUse> out;
  for (const auto& use : releases)
    if (std::any_of(use.reads.begin(), use.reads.end(), [&](flow::Id f) { return tree_root(d, f) == root; }))
      out.push_back(use);
  return out;
}

namespace {

/// log2 of a positive rational rounded down, as text with 4 digits (the lower end of a bound).
std::string log2_down_text(const Rational& q) {
  const double x = to_double_down(q);
  if (!(x > 0)) return "0";
  const double l = std::log2(x);
  return format_down(Rational(std::max(0.0, l - std::fabs(l) * 1e-12 - 1e-15)), 4);
}

/// The exactness of a pushed channel's figure: a map bounded by its fields, or a local
/// randomizer's rounded e^ε, makes it an upper bound.
void mark_rounded(const Pushed& p, Belief& b) {
  b.exact = p.exact && !p.rounded;
  if (!p.rounded) return;
  b.bound = kRoundedBound;
  b.map_bounded = !p.exact;
}

Belief factored_posterior(const FactoredBelief& f, std::uint64_t value) {
  Belief b;
  const auto& prior = f.model->prior();
  b.prior = value < prior.size() ? prior[value] : Rational(0);
  const auto best = f.model->max_posterior(value);
  b.value = best.value;
  b.exact = best.exact && !f.maps_bounded;
  b.map_bounded = f.maps_bounded;
  b.additive_maps = f.additive_maps;
  if (!best.exact)
    b.bound = "too many distinct observations to list: the posterior is bounded per group of equal channels "
              "(the smallest likelihood ratio of each, Bayes' rule)";
  return b;
}

Belief factored_vulnerability(const FactoredBelief& f, bool bits) {
  Belief b;
  const auto v = f.model->posterior_vulnerability();
  b.prior = f.model->prior_vulnerability();
  b.exact = v.exact && !f.maps_bounded;
  b.map_bounded = f.maps_bounded;
  b.additive_maps = f.additive_maps;
  if (bits) {
    const auto up = inference::log2_up(v.value / b.prior);
    b.value = up.value;
    b.how = !v.exact ? "upper bound" : up.exact ? "exact" : "rounded up";
    if (!v.exact)
      b.bound = v.how + " (V(π ▷ C1‖C2) ≤ V(π ▷ C1)·ML(C2)); the exact leakage is between " +
                log2_down_text(v.lower / b.prior) + " and " + format_up(up.value, 4) + " bits";
  } else {
    b.value = v.value;
    b.how = v.exact ? "exact" : "upper bound";
    if (!v.exact)
      b.bound = v.how + "; the exact vulnerability is between " + format_down(v.lower, 4) + " and " +
                format_up(v.value, 4);
  }
  return b;
}

/// The number of outputs of a map: its type's for bool and enum, its count's for int (nullopt
/// when not counted exactly).
std::optional<std::uint64_t> map_outputs(const flow::Graph& g, Maps& maps, flow::Id artifact) {
  const auto& x = g.artifacts[artifact];
  if (!x.expr || x.inputs.empty()) return std::nullopt;
  if (x.expr->type == flow::Expr::Type::kBool) return 2;
  if (x.expr->type == flow::Expr::Type::kEnum && x.expr->field < g.data[x.inputs[0].data].fields.size())
    return g.data[x.inputs[0].data].fields[x.expr->field].domain_size();
  const auto& mc = maps.count(artifact);
  if (mc.status != solver::MapStatus::kExact) return std::nullopt;
  return mc.output_count();
}

/// A map bounded by the fields it reads is also bounded by its number of outputs |Y|: a
/// channel's multiplicative Bayes capacity is at most |Y|, and V(π ▷ C1‖C2) ≤ V(π ▷ C1)·ML(C2)
/// (Alvim et al. 2020, "The Science of QIF", Thm. 7.2 and §8.2). `b` (from the bounded model)
/// keeps the smaller of the two bounds.
void tighten_by_outputs(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                        const std::vector<ExactRr>& rr, flow::Id field, const FactoredBelief& bounded, bool bits,
                        Belief& b) {
  std::vector<RecordView> rest;
  Rational outputs = 1;
  std::vector<std::string> names;
  for (const auto& v : views) {
    const bool exact_map = std::find(bounded.additive_maps.begin(), bounded.additive_maps.end(), v.artifact) !=
                           bounded.additive_maps.end();
    if (v.kind != RecordView::Kind::kMap || exact_map) {
      rest.push_back(v);
      continue;
    }
    const auto k = map_outputs(g, maps, v.artifact);
    if (!k) return;
    outputs *= Rational(static_cast<unsigned long>(*k));
    names.push_back("'" + g.artifacts[v.artifact].name + "' (" + std::to_string(*k) + " outputs)");
  }
  auto f = factored_model(g, data, rest, rr, field, false);
  if (!f) return;
  Rational v = f->model->posterior_vulnerability().value * outputs;
  if (v > 1) v = 1;
  const Rational prior = f->model->prior_vulnerability();
  const Rational value = bits ? inference::log2_up(v / prior).value : v;
  if (value >= b.value) return;
  b.value = value;
  b.exact = false;
  b.map_bounded = false;
  b.how = "upper bound";
  b.bound = "the map(s) " + join(names, ", ") +
            " counted by their outputs: a channel's Bayes capacity is at most its number of outputs, "
            "V(π ▷ C1‖C2) ≤ V(π ▷ C1)·|Y2| (tighter here than seeing the fields they read)";
}

}  // namespace

Belief exact_posterior(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                       const std::vector<ExactRr>& rr, flow::Id field, std::uint64_t value) {
  Belief b;
  if (auto f = factored_model(g, data, views, rr, field, false)) return factored_posterior(*f, value);
  Pushed p = push(g, maps, data, views, rr, field);
  if (!p.observation) {
    // The joint table is too large: the factored engine, each map bounded by what it reads.
    if (auto f = factored_model(g, data, views, rr, field, true)) return factored_posterior(*f, value);
    b.error = p.error;
    return b;
  }
  const auto& obs = *p.observation;
  b.prior = value < obs.prior.size() ? obs.prior[value] : Rational(0);
  auto best = inference::max_posterior(obs, value);
  b.value = best.value;
  mark_rounded(p, b);
  return b;
}

Belief exact_leakage(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                     const std::vector<ExactRr>& rr, flow::Id field) {
  Belief b;
  if (auto f = factored_model(g, data, views, rr, field, false)) return factored_vulnerability(*f, true);
  Pushed p = push(g, maps, data, views, rr, field);
  if (!p.observation) {
    if (auto f = factored_model(g, data, views, rr, field, true)) {
      b = factored_vulnerability(*f, true);
      if (f->maps_bounded) tighten_by_outputs(g, maps, data, views, rr, field, *f, true, b);
      return b;
    }
    b.error = p.error;
    return b;
  }
  auto bits = inference::min_entropy_leakage(*p.observation);
  b.value = bits.value;
  mark_rounded(p, b);  // the channel is exact; the logarithm is rounded up unless a power of 2
  b.how = bits.exact ? "exact" : "rounded up";
  b.prior = inference::prior_vulnerability(*p.observation);
  return b;
}

Belief exact_vulnerability(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                           const std::vector<ExactRr>& rr, flow::Id field) {
  Belief b;
  if (auto f = factored_model(g, data, views, rr, field, false)) return factored_vulnerability(*f, false);
  Pushed p = push(g, maps, data, views, rr, field);
  if (!p.observation) {
    if (auto f = factored_model(g, data, views, rr, field, true)) {
      b = factored_vulnerability(*f, false);
      if (f->maps_bounded) tighten_by_outputs(g, maps, data, views, rr, field, *f, false, b);
      return b;
    }
    b.error = p.error;
    return b;
  }
  b.value = inference::posterior_vulnerability(*p.observation);
  mark_rounded(p, b);
  b.how = "exact";
  b.prior = inference::prior_vulnerability(*p.observation);
  return b;
}

Belief reidentification(const flow::Graph& g, Maps& maps, flow::Id data, const std::vector<RecordView>& views,
                        const std::vector<flow::Id>& quasi_identifiers, bool sees_all) {
  Belief b;
  const auto& d = g.data[data];
  // The views that read only quasi-identifiers form the cells the coalition can tell apart.
  std::vector<RecordView> cells;
  bool bounded = false;  // a view was replaced by the quasi-identifiers it reads (an upper bound)
  if (sees_all) {
    cells.push_back(RecordView{RecordView::Kind::kFields, flow::kNone, quasi_identifiers});
  } else {
    cells = quasi_identifier_views(views, quasi_identifiers, bounded);
  }
  if (cells.empty()) {
    b.value = 0;
    b.how = "no quasi-identifier is seen in the clear";
    return b;
  }
  std::uint64_t rows = std::max<std::uint64_t>(1, d.rows);
  auto net = network_of(d);
  std::vector<inference::CellGroup> groups;
  bool exact_cells = true;
  if (auto parts = independent_components(g, maps, d, net, cells)) {
    // Independent pieces: the product of their distributions, grouped by equal probability
    // (never enumerating 10^10 cells).
    auto gr = inference::cell_groups_product(*parts);
    if (!gr) {
      b.error = gr.error();
      return b;
    }
    groups = std::move(*gr);
  } else if (auto joint_cells = correlated_cells(maps, net, cells)) {
    // Correlated pieces: the cells of all views together, over the exact joint of their fields.
    groups = inference::cell_groups(*joint_cells);
  } else {
    // Too large to list: a map is bounded by the fields it reads (finer cells only make more
    // records unique).
    std::vector<flow::Id> seen;
    for (const auto& v : cells) {
      seen.insert(seen.end(), v.fields.begin(), v.fields.end());
      if (v.kind == RecordView::Kind::kMap) exact_cells = false;
    }
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    auto gr = inference::quasi_identifier_groups(net, std::vector<inference::FieldId>(seen.begin(), seen.end()));
    if (!gr) {
      b.error = gr.error();
      return b;
    }
    groups = std::move(*gr);
  }
  b.exact = exact_cells && !bounded;
  auto r = inference::reidentification(groups, rows);
  if (!r) {
    b.error = r.error();
    return b;
  }
  b.value = r->unique_fraction;
  b.exact = b.exact && rows <= 2;
  std::uint64_t cells_count = 0;
  for (const auto& gr : groups) cells_count += gr.count.fits_ulong_p() ? gr.count.get_ui() : 0;
  b.how = std::to_string(cells.size()) + " view(s) of quasi-identifiers seen in the clear, " +
          (cells_count ? std::to_string(cells_count) + " cells, " : "") + std::to_string(rows) + " rows";
  return b;
}

}  // namespace privflow::analyzer::detail
