#pragma once
// Flow graphs built by hand for the diagram tests and the rendering benchmark (the parser is
// written concurrently; these do not depend on it).
#include <algorithm>
#include <string>
#include <vector>

#include "flow/graph.hpp"

namespace privflow::viz::testing {

inline flow::Span at_line(std::uint32_t line) {
  flow::Span s;
  s.line = line;
  s.column = 1;
  return s;
}

/// The federated-learning spec of docs/language.md and examples/hospital_fl.pflow: regions EU/US, 20 hospitals holding patients by partition, a
/// distributed dpsgd release, secure aggregation to a server, a plain send to an analyst.
/// `reversed` declares every list in the opposite order (same spec, other declaration order).
inline flow::Graph hospital_fl(bool reversed = false) {
  using namespace flow;
  Graph g;
  g.file = "hospital_fl.pflow";
  g.pipeline = "hospital_fl";
  g.title = "Federated diagnosis model";
  std::vector<std::string> regions = {"EU", "US"};
  if (reversed) std::swap(regions[0], regions[1]);
  for (auto& r : regions) g.regions.push_back({r, at_line(5)});
  g.categories.push_back({"health", true, at_line(7)});
  g.params.push_back({"sigma", make_rational(11, 10), make_rational(3, 10), make_rational(8), at_line(9), at_line(9)});

  Data patients;
  patients.name = "patients";
  patients.title = "Patient records";
  patients.rows = 50000;
  patients.category = "health";
  Field diagnosis;
  diagnosis.name = "diagnosis";
  diagnosis.values = {"flu", "covid", "cancer"};
  diagnosis.prior = {{make_rational(7, 10), make_rational(1, 4), make_rational(1, 20)}};
  Field age;
  age.name = "age";
  age.type = FieldType::kInt;
  age.lo = 0;
  age.hi = 120;
  patients.fields = {diagnosis, age};
  patients.span = at_line(11);
  g.data.push_back(patients);

  Agent hospital;
  hospital.name = "hospital";
  hospital.title = "University hospital";
  hospital.population = true;
  hospital.count = 20;
  hospital.trust = Trust::kCurious;
  hospital.holds.push_back({0, true, at_line(18)});
  hospital.span = at_line(18);
  Agent server;
  server.name = "server";
  server.trust = Trust::kMalicious;
  server.span = at_line(19);
  Agent analyst;
  analyst.name = "analyst";
  analyst.trust = Trust::kCurious;
  analyst.span = at_line(20);
  std::vector<Agent> agents = {hospital, server, analyst};
  if (reversed) std::reverse(agents.begin(), agents.end());
  for (auto& a : agents) a.region = g.find_region(a.name == "hospital" ? "EU" : "US");
  g.agents = agents;
  Id h = g.find_agent("hospital"), s = g.find_agent("server"), an = g.find_agent("analyst");

  Artifact update;
  update.name = "update";
  update.at = h;
  update.kind = ComputeKind::kDpsgd;
  update.inputs.push_back({Input::Kind::kData, 0, kNone, kNone, {}});
  update.params[flow::ParamKey::kNoiseMultiplier] = {Rational(0), 0, {}, nullptr, true};
  update.params[flow::ParamKey::kSamplingRate] = {make_rational(1, 100), kNone, {}, nullptr, true};
  update.params[flow::ParamKey::kSteps] = {make_rational(10000), kNone, {}, nullptr, true};
  update.distributed = true;
  update.span = at_line(22);
  Artifact model;
  model.name = "model";
  model.at = s;
  model.kind = ComputeKind::kAggregate;
  model.span = at_line(25);
  std::vector<Artifact> arts = {update, model};
  if (reversed) std::reverse(arts.begin(), arts.end());
  g.artifacts = arts;
  Id up = g.find_artifact("update"), mo = g.find_artifact("model");
  g.artifacts[mo].inputs.push_back({Input::Kind::kArtifact, kNone, kNone, up, {}});

  Flow f1;
  f1.artifact = up;
  f1.from = h;
  f1.to = s;
  f1.channel.kind = Channel::Kind::kSecureAggregation;
  f1.channel.threshold = 15;
  f1.channel.min_clients = 15;
  f1.span = at_line(24);
  Flow f2;
  f2.artifact = mo;
  f2.from = s;
  f2.to = an;
  f2.span = at_line(26);
  g.flows = reversed ? std::vector<Flow>{f2, f1} : std::vector<Flow>{f1, f2};

  Adversary outsider{"outsider", {}, at_line(28)};
  outsider.coalition.fixed.push_back({an, 1, true, {}});
  Adversary insider{"insider", {}, at_line(29)};
  insider.coalition.fixed.push_back({s, 1, true, {}});
  insider.coalition.fixed.push_back({h, 14, false, {}});
  Adversary any16{"any16", {}, at_line(30)};
  any16.coalition.choose = 16;
  any16.coalition.candidates = {s, h, an};
  g.adversaries = {outsider, insider, any16};

  Requirement budget;
  budget.name = "outsider_budget";
  budget.named = true;
  budget.measure = Measure::kDp;
  budget.data = 0;
  budget.adversary = 0;
  budget.bound = make_rational(2);
  budget.bound_is_epsilon = true;
  budget.span = at_line(32);
  Requirement post;
  post.name = "line33";
  post.measure = Measure::kPosterior;
  post.data = 0;
  post.field = 0;
  post.value = 2;
  post.adversary = 1;
  post.bound = make_rational(1, 5);
  post.span = at_line(33);
  Requirement forbid;
  forbid.name = "line35";
  forbid.measure = Measure::kForbid;
  forbid.category = 0;
  forbid.from_region = g.find_region("EU");
  forbid.to_region = g.find_region("US");
  forbid.unless_epsilon = make_rational(3);
  forbid.span = at_line(35);
  g.requirements = {budget, post, forbid};
  return g;
}

/// A pipeline with `computations` artifacts over `agents` agents in 3 regions: each agent
/// holds a slice of one data set, chains select/map/laplace/count/gaussian computations, and in
/// every fourth round each agent sends its latest artifact to the next agent (alternating
/// channels), whose next computation uses it. Long names test wrapping.
inline flow::Graph synthetic(std::size_t computations, std::size_t agents = 10) {
  using namespace flow;
  Graph g;
  g.pipeline = "synthetic";
  g.title = "Synthetic pipeline with " + std::to_string(computations) + " computations";
  for (const char* r : {"north", "south", "east"}) g.regions.push_back({r, {}});
  Data d;
  d.name = "customer_transaction_records_with_a_long_name";
  d.rows = 1000000;
  d.fields.push_back(Field{});
  d.fields[0].name = "amount";
  d.fields[0].type = FieldType::kInt;
  d.fields[0].hi = 1000;
  g.data.push_back(d);
  for (std::size_t a = 0; a < agents; ++a) {
    Agent ag;
    ag.name = "agent_" + std::to_string(a);
    ag.trust = a % 3 == 0 ? Trust::kMalicious : Trust::kCurious;
    ag.region = static_cast<Id>(a % 3);
    ag.population = a % 4 == 0;
    ag.count = ag.population ? 100 : 1;
    ag.holds.push_back({0, ag.population, {}});
    g.agents.push_back(ag);
  }
  const ComputeKind kinds[] = {ComputeKind::kSelect, ComputeKind::kMap, ComputeKind::kLaplace, ComputeKind::kCount,
                               ComputeKind::kGaussian};
  std::vector<Id> last(agents, kNone), pending(agents, kNone);
  for (std::size_t i = 0; i < computations; ++i) {
    Artifact x;
    Id at = static_cast<Id>(i % agents);
    x.name = (i % 7 == 0 ? "intermediate_feature_vector_" : "step_") + std::to_string(i);
    x.at = at;
    x.kind = kinds[(i / agents + at) % 5];
    if (last[at] == kNone || x.kind == ComputeKind::kSelect) {
      x.inputs.push_back({Input::Kind::kData, 0, kNone, kNone, {}});
      if (x.kind == ComputeKind::kSelect) x.selected = {0};
    } else {
      x.inputs.push_back({Input::Kind::kArtifact, kNone, kNone, last[at], {}});
    }
    if (pending[at] != kNone && x.kind != ComputeKind::kSelect) {
      x.inputs.push_back({Input::Kind::kArtifact, kNone, kNone, pending[at], {}});
      pending[at] = kNone;
    }
    Id id = static_cast<Id>(g.artifacts.size());
    g.artifacts.push_back(x);
    last[at] = id;
    if ((i / agents) % 4 == 3) {
      Flow f;
      f.artifact = id;
      f.from = at;
      f.to = static_cast<Id>((at + 1) % agents);
      const auto kind = static_cast<Channel::Kind>(i % 3);  // plain, encrypted, secure aggregation
      f.channel.kind = g.agents[at].population ? kind : Channel::Kind::kPlain;
      f.channel.threshold = f.channel.min_clients = 50;
      g.flows.push_back(f);
      pending[f.to] = id;
    }
  }
  return g;
}

}  // namespace privflow::viz::testing
