// Beliefs about a field from the factored engine (inference/factored.hpp): what the coalition
// sees of each field in the clear or through exact randomized response, as channels on the
// record's `given` tree, without the joint table of the fields involved.
#include <algorithm>
#include <map>
#include <memory>
#include <numeric>

#include "analyzer/detail/beliefs.hpp"
#include "inference/channel.hpp"
#include "inference/factored.hpp"
#include "solver/map_count.hpp"

namespace privflow::analyzer::detail {
namespace {
// A field seen whose values are more than this is left to the joint table (whose limit then
// says so): the factored engine lists each field's channel densely.
constexpr std::uint64_t kMaxFieldValues = 1u << 16;

/// An additive map (solver::AdditiveForm) as a view of the factored engine, or nullopt.
std::optional<inference::ScoreView> score_view(const flow::Graph& g, flow::Id artifact) {
  const auto& x = g.artifacts[artifact];
  if (x.kind != flow::ComputeKind::kMap || !x.expr || x.inputs.empty() || x.inputs[0].data >= g.data.size())
    return std::nullopt;
  auto form = solver::additive_form(g.data[x.inputs[0].data], *x.expr);
  if (!form) return std::nullopt;
  inference::ScoreView view;
  for (auto& t : form->terms) view.terms.push_back({t.field, std::move(t.value)});
  view.offset = form->offset;
  // Output values become class ids in the order met (the engine orders columns canonically).
  auto ids = std::make_shared<std::map<mpz_class, std::uint64_t>>();
  auto shared = std::make_shared<solver::AdditiveForm>(std::move(*form));
  view.output = [ids, shared](const inference::ScoreView::Scores& scores) -> std::optional<std::uint64_t> {
    auto out = shared->output(scores);
    if (!out) return std::nullopt;
    return ids->emplace(*out, ids->size()).first->second;
  };
  return view;
}

}  // namespace

std::optional<FactoredBelief> factored_model(const flow::Graph& g, flow::Id data, const std::vector<RecordView>& views,
                                             const std::vector<ExactRr>& rr, flow::Id field, bool bound_maps) {
  const auto& d = g.data[data];
  auto net = network_of(d);
  if (!inference::is_forest(net)) return std::nullopt;
  FactoredBelief out;
  std::vector<flow::Id> clear;
  std::vector<inference::ScoreView> scores;
  for (const auto& v : views) {
    if (v.kind == RecordView::Kind::kMap) {
      if (auto score = score_view(g, v.artifact)) {
        scores.push_back(std::move(*score));
        out.additive_maps.push_back(v.artifact);
        continue;
      }
      if (!bound_maps) return std::nullopt;
      // A map is post-processing of the fields it reads: seeing those fields is an upper bound.
      out.maps_bounded = true;
    }
    clear.insert(clear.end(), v.fields.begin(), v.fields.end());
  }
  std::sort(clear.begin(), clear.end());
  clear.erase(std::unique(clear.begin(), clear.end()), clear.end());
  std::vector<inference::FieldView> seen;
  for (flow::Id f : clear) {
    const std::uint64_t k = d.fields[f].domain_size();
    if (k > kMaxFieldValues) return std::nullopt;  // an identity this large is not listed
    std::vector<std::uint64_t> identity(k);
    std::iota(identity.begin(), identity.end(), std::uint64_t{0});
    auto ch = inference::Channel::deterministic(std::move(identity), k);
    if (!ch) return std::nullopt;
    seen.push_back({f, *ch});
  }
  for (const auto& r : rr) {
    // Only k-ary randomized response is a channel here; RAPPOR's and unary encoding's bit
    // channels (and RAPPOR's permanent response) are the joint table's (analyzer/beliefs.cpp).
    if (r.kind != flow::ComputeKind::kRandomizedResponse || r.permanent) return std::nullopt;
    if (d.fields[r.field].domain_size() > kMaxFieldValues) return std::nullopt;
    // A field seen in the clear learns nothing more from its randomized response.
    if (std::binary_search(clear.begin(), clear.end(), r.field)) continue;
    const inference::Domain domain{{d.fields[r.field].domain_size()}};
    auto ch = r.times == 1 ? inference::Channel::randomized_response(domain, 0, r.keep)
                           : inference::Channel::repeated_randomized_response(domain, 0, r.keep, r.times);
    if (!ch) return std::nullopt;
    seen.push_back({r.field, *ch});
  }
  auto model = inference::factor(net, field, seen, scores);
  if (!model && !scores.empty() && bound_maps) {
    // The scores' fields are seen otherwise too (not independent given the field): bound
    // every map by the fields it reads.
    std::vector<RecordView> as_fields = views;
    for (auto& v : as_fields) v.kind = RecordView::Kind::kFields;
    auto bounded = factored_model(g, data, as_fields, rr, field, true);
    if (bounded) bounded->maps_bounded = true;
    return bounded;
  }
  if (!model) return std::nullopt;
  out.model = std::make_shared<inference::FactoredModel>(std::move(*model));
  return out;
}

}  // namespace privflow::analyzer::detail
