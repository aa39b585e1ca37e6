#pragma once
// A small hand-built graph and analysis for the report tests: every measure, every status,
// an unbounded value, a forbid rule with crossings, and hostile text to escape.
#include "analyzer/analysis.hpp"
#include "flow/graph.hpp"

namespace privflow::report::testing {

inline flow::Span at(std::uint32_t line, std::uint32_t column = 1) {
  flow::Span s;
  s.line = line;
  s.column = column;
  return s;
}

inline flow::Graph sample_graph() {
  flow::Graph g;
  g.file = "specs/demo.pflow";
  g.pipeline = "demo";
  g.title = "Demo <b>pipeline</b> & \"friends\"";
  g.regions = {{"EU", at(2)}, {"US", at(3)}};
  g.categories = {{"health", true, at(4)}};
  flow::Data d;
  d.name = "patients";
  d.rows = 1000;
  d.category = "health";
  d.span = at(5);
  flow::Field diag;
  diag.name = "diagnosis";
  diag.values = {"flu", "covid", "cancer"};
  flow::Field zip;
  zip.name = "zip";
  zip.type = flow::FieldType::kInt;
  zip.lo = 0;
  zip.hi = 99;
  d.fields = {diag, zip};
  g.data.push_back(d);
  flow::Agent hospital;
  hospital.name = "hospital";
  hospital.population = true;
  hospital.count = 20;
  hospital.region = 0;
  hospital.holds = {{0, true, at(8)}};
  hospital.span = at(8);
  flow::Agent server;
  server.name = "server";
  server.trust = flow::Trust::kMalicious;
  server.region = 1;
  server.span = at(9);
  g.agents = {hospital, server};
  flow::Artifact update;
  update.name = "update";
  update.at = 0;
  update.kind = flow::ComputeKind::kDpsgd;
  update.span = at(11);
  g.artifacts = {update};
  g.adversaries = {{"insider", {}, at(13)}};

  flow::Requirement dp;
  dp.name = "budget";
  dp.named = true;
  dp.measure = flow::Measure::kDp;
  dp.data = 0;
  dp.adversary = 0;
  dp.bound = make_rational(2);
  dp.bound_is_epsilon = true;
  dp.span = at(20);
  flow::Requirement post;
  post.name = "line21";
  post.measure = flow::Measure::kPosterior;
  post.data = 0;
  post.field = 0;
  post.value = 2;
  post.adversary = 0;
  post.bound = make_rational(1, 5);
  post.delta = make_rational(1, 1000000);
  post.span = at(21, 3);
  flow::Requirement leak;
  leak.name = "line22";
  leak.measure = flow::Measure::kLeakage;
  leak.data = 0;
  leak.field = 0;
  leak.adversary = 0;
  leak.bound = make_rational(1, 2);
  leak.bound_in_bits = true;
  leak.span = at(22);
  flow::Requirement reid;
  reid.name = "reid";
  reid.named = true;
  reid.measure = flow::Measure::kReidentification;
  reid.data = 0;
  reid.fields = {1, 0};
  reid.adversary = 0;
  reid.bound = make_rational(1, 20);
  reid.span = at(23);
  flow::Requirement forbid;
  forbid.name = "line24";
  forbid.measure = flow::Measure::kForbid;
  forbid.category = 0;
  forbid.from_region = 0;
  forbid.to_region = 1;
  forbid.unless_epsilon = make_rational(3);
  forbid.span = at(24);
  g.requirements = {dp, post, leak, reid, forbid};
  return g;
}

inline analyzer::Analysis sample_analysis() {
  using analyzer::Status;
  analyzer::Analysis a;
  analyzer::Coalition c;
  c.taken = {14, 1};

  analyzer::Verdict dp;
  dp.requirement = 0;
  dp.name = "budget";
  dp.measure = flow::Measure::kDp;
  dp.status = Status::kViolated;
  dp.value = 41.7;
  dp.rational = make_rational(417, 10);  // printed rounded up: 41.7
  dp.bound = make_rational(2);
  dp.delta = 1e-5;
  dp.method = analyzer::Method::kRdp;
  dp.coalition = c;
  dp.adversary = "insider";
  dp.loss = analyzer::LossKind::kPrivate;
  for (int i = 0; i < 5; ++i) {
    analyzer::ReleaseTerm t;
    t.artifact = 0;
    t.mechanism = "dpsgd";
    t.epsilon_alone = 1.0 + i;
    t.share = (1.0 + i) / 15.0;
    dp.releases.push_back(t);
  }
  dp.explanation.text = "dp(patients) against insider: 41.7 > epsilon 2";
  dp.explanation.add("coalition: hospital[1..14] + server", 13);
  dp.explanation.add("target: the worst-case record of patients held by no member of the coalition", 5);
  auto& rel = dp.explanation.add("releases observed (composed sequentially)");
  for (int i = 0; i < 5; ++i)
    rel.add("release r" + std::to_string(i) + " (dpsgd at hospital, line 11): epsilon alone " + std::to_string(1 + i), 11)
        .add(i == 4 ? "amplification: none <script>alert(1)</script>" : "amplification: secure sum");
  dp.explanation.add("composition: 5 release(s), rdp");
  dp.fix = "noise_multiplier ≥ 2.5";

  analyzer::Verdict post;
  post.requirement = 1;
  post.name = "line21";
  post.measure = flow::Measure::kPosterior;
  post.status = Status::kHolds;
  post.value = 15.0 / 53.0;
  post.rational = make_rational(15, 53);
  post.exact = true;
  post.bound = make_rational(1, 5);
  post.delta = 1e-6;
  post.method = analyzer::Method::kExact;
  post.coalition = c;
  post.adversary = "insider";
  post.explanation.text = "posterior";
  post.explanation.add("coalition: hospital[1..14] + server", 13);

  analyzer::Verdict leak;
  leak.requirement = 2;
  leak.name = "line22";
  leak.measure = flow::Measure::kLeakage;
  leak.status = Status::kUndecided;
  leak.bound = make_rational(1, 2);
  leak.delta = 1e-5;
  leak.method = analyzer::Method::kNone;
  leak.coalition = c;
  leak.adversary = "insider";
  leak.reason = "solver limit reached";

  analyzer::Verdict reid;
  reid.requirement = 3;
  reid.name = "reid";
  reid.measure = flow::Measure::kReidentification;
  reid.status = Status::kViolated;
  reid.loss = analyzer::LossKind::kExposedRecord;
  reid.method = analyzer::Method::kExposed;
  reid.bound = make_rational(1, 20);
  reid.delta = 1e-5;
  reid.coalition = c;
  reid.adversary = "insider";
  auto& target = reid.explanation.add("target: the worst-case record of patients held by no member of the coalition", 5);
  auto& exposed = target.add("exposed: the record's own fields reach the coalition in the clear");
  exposed.add("hospital holds patients", 8);
  exposed.add("send update from hospital to server (line 12)", 12);
  reid.fix = "release it through a private mechanism";

  analyzer::Verdict forbid;
  forbid.requirement = 4;
  forbid.name = "line24";
  forbid.measure = flow::Measure::kForbid;
  forbid.status = Status::kViolated;
  forbid.bound = make_rational(3);
  forbid.delta = 1e-5;
  forbid.method = analyzer::Method::kForbid;
  analyzer::Crossing x;
  x.observer = "server";
  x.epsilon = 6.809329;
  x.reason = "epsilon 6.81 > 3";
  x.path = {"compute update at hospital = dpsgd(…) (line 11)", "send update from hospital to server (line 12)"};
  forbid.crossings.push_back(x);
  forbid.value = 6.809329;
  forbid.reason = "health data crosses from EU to US: server (epsilon 6.81 > 3)";
  forbid.fix = "keep it in EU";

  a.verdicts = {dp, post, leak, reid, forbid};

  analyzer::LeakageCell hosp;
  hosp.data = 0;
  hosp.observer = "hospital";
  hosp.loss = analyzer::LossKind::kNothing;
  hosp.epsilon = 0;
  hosp.delta = 1e-5;
  analyzer::LeakageCell srv = hosp;
  srv.observer = "server";
  srv.loss = analyzer::LossKind::kPrivate;
  srv.epsilon = 6.809329;
  analyzer::LeakageCell all = hosp;
  all.observer = "curious+malicious";
  all.loss = analyzer::LossKind::kHoldsData;
  all.epsilon.reset();
  a.leakage = {hosp, srv, all};
  a.findings = {{analyzer::Severity::kWarning, at(11, 5), "'update' is <trained> without privacy"}};
  a.assumptions = {"per-record artifacts are linkable & \"worst case\""};
  return a;
}

}  // namespace privflow::report::testing
