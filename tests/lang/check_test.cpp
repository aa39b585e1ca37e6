// Semantic checks and lowering: the federated-learning example lowered field by
// field, then one table row per check with its exact message and place.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "lang_test_util.hpp"

namespace privflow::lang {
namespace {

using testing::first_error;
using testing::load;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Rational r(const char* text) { return *parse_number(text); }

// A small valid prefix that the check cases build on.
const std::string kBase =
    "region EU\n"
    "region US\n"
    "data people { rows: 1000  field age: int[0, 99]  field sex: {f, m} }\n"
    "agent clinic { trust: curious, region: EU, holds: people }\n"
    "agent server { trust: malicious, region: US }\n";

}  // namespace

TEST_CASE("the section 1 example lowers to the right graph", "[lang][lower]") {
  auto l = load(read_file(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/lang/hospital_fl.pflow"));
  INFO(l.rendered);
  REQUIRE(l.graph);
  const flow::Graph& g = *l.graph;
  CHECK(l.rendered.empty());
  CHECK(g.file == "t.pflow");
  CHECK(g.pipeline == "hospital_fl");
  CHECK(g.title == "Federated diagnosis model");
  CHECK(g.pipeline_span.line == 2);
  CHECK(g.settings.delta == r("1/100000"));
  CHECK(g.settings.accountant == flow::AccountantKind::kAuto);
  CHECK(g.regions.size() == 2);
  REQUIRE(g.categories.size() == 1);
  CHECK(g.categories[0].special);
  REQUIRE(g.params.size() == 1);
  CHECK(g.params[0].value == r("11/10"));
  CHECK(*g.params[0].lo == r("3/10"));
  CHECK(*g.params[0].hi == 8);

  REQUIRE(g.data.size() == 1);
  const flow::Data& d = g.data[0];
  CHECK(d.name == "patients");
  CHECK(d.title == "Patient records");
  CHECK(d.rows == 50000);
  CHECK(d.category == "health");
  CHECK(d.neighbouring == flow::Neighbouring::kAddRemove);
  CHECK(d.span.line == 11);
  CHECK(d.span.column == 1);
  REQUIRE(d.fields.size() == 3);
  CHECK(d.fields[0].values == std::vector<std::string>{"flu", "covid", "cancer"});
  REQUIRE(d.fields[0].prior.size() == 1);
  CHECK(d.fields[0].prior[0] == std::vector<Rational>{r("7/10"), r("1/4"), r("1/20")});
  CHECK(d.fields[0].parent == flow::kNone);
  CHECK(d.fields[0].span.line == 14);
  CHECK(d.fields[0].span.column == 3);
  CHECK(d.fields[1].parent == 0);
  REQUIRE(d.fields[1].prior.size() == 3);
  CHECK(d.fields[1].prior[0] == std::vector<Rational>{r("1/5"), r("4/5")});
  CHECK(d.fields[1].prior[1] == std::vector<Rational>{r("1/4"), r("3/4")});
  CHECK(d.fields[1].prior[2] == std::vector<Rational>{r("1/2"), r("1/2")});
  CHECK(d.fields[2].type == flow::FieldType::kInt);
  CHECK(d.fields[2].lo == 0);
  CHECK(d.fields[2].hi == 120);
  CHECK(d.fields[2].domain_size() == 121);
  CHECK(d.fields[2].prior.empty());

  REQUIRE(g.agents.size() == 3);
  const flow::Agent& h = g.agents[0];
  CHECK(h.population);
  CHECK(h.count == 20);
  CHECK(h.trust == flow::Trust::kCurious);
  CHECK(h.region == 0);
  REQUIRE(h.holds.size() == 1);
  CHECK(h.holds[0].data == 0);
  CHECK(h.holds[0].partitioned);
  CHECK(h.holds[0].span.line == 19);
  CHECK(h.holds[0].span.column == 79);
  CHECK_FALSE(g.agents[1].population);
  CHECK(g.agents[1].count == 1);
  CHECK(g.agents[1].trust == flow::Trust::kMalicious);
  CHECK(g.agents[1].region == 1);

  REQUIRE(g.artifacts.size() == 2);
  const flow::Artifact& u = g.artifacts[0];
  CHECK(u.kind == flow::ComputeKind::kDpsgd);
  CHECK(u.at == 0);
  CHECK(u.distributed);
  REQUIRE(u.inputs.size() == 1);
  CHECK(u.inputs[0].kind == flow::Input::Kind::kData);
  CHECK(u.params.at(flow::ParamKey::kNoiseMultiplier).param == 0);
  CHECK(g.value(u.params.at(flow::ParamKey::kNoiseMultiplier)) == r("11/10"));
  CHECK(u.params.at(flow::ParamKey::kSamplingRate).literal == r("1/100"));
  CHECK(g.times(u) == 1);
  CHECK(*g.param(u, flow::ParamKey::kSteps) == 10000);
  CHECK(u.span.line == 23);
  CHECK(g.artifacts[1].kind == flow::ComputeKind::kAggregate);
  CHECK(g.artifacts[1].inputs[0].artifact == 0);

  REQUIRE(g.flows.size() == 2);
  CHECK(g.flows[0].from == 0);
  CHECK(g.flows[0].to == 1);
  CHECK(g.flows[0].channel.kind == flow::Channel::Kind::kSecureAggregation);
  CHECK(g.flows[0].channel.threshold == 15);
  CHECK(g.flows[0].channel.min_clients == 15);
  CHECK(g.flows[1].from == 1);  // defaults to the artifact's agent
  CHECK(g.flows[1].to == 2);
  CHECK(g.flows[1].channel.kind == flow::Channel::Kind::kPlain);

  REQUIRE(g.adversaries.size() == 3);
  const auto& insider = g.adversaries[1].coalition;
  REQUIRE(insider.fixed.size() == 2);
  CHECK(insider.fixed[0].agent == 1);
  CHECK(insider.fixed[0].all);
  CHECK(insider.fixed[1].agent == 0);
  CHECK(insider.fixed[1].count == 14);
  CHECK_FALSE(insider.fixed[1].all);
  const auto& any16 = g.adversaries[2].coalition;
  CHECK(any16.fixed.empty());
  CHECK(any16.choose == 16);
  CHECK(any16.candidates == std::vector<flow::Id>{1, 0, 2});

  REQUIRE(g.requirements.size() == 4);
  const auto& q0 = g.requirements[0];
  CHECK(q0.name == "outsider_budget");
  CHECK(q0.named);
  CHECK(q0.measure == flow::Measure::kDp);
  CHECK(q0.adversary == 0);
  CHECK(q0.bound == 2);
  CHECK(q0.bound_is_epsilon);
  CHECK(g.delta_of(q0) == r("1e-5"));
  const auto& q1 = g.requirements[1];
  CHECK(q1.name == "line34");
  CHECK_FALSE(q1.named);
  CHECK(q1.measure == flow::Measure::kPosterior);
  CHECK(q1.field == 0);
  CHECK(q1.value == 2);
  CHECK(q1.bound == r("1/5"));
  CHECK(g.requirements[2].measure == flow::Measure::kAdvantage);
  CHECK(g.requirements[2].adversary == 2);
  const auto& f = g.requirements[3];
  CHECK(f.name == "line36");
  CHECK(f.measure == flow::Measure::kForbid);
  CHECK(f.category == 0);
  CHECK(f.from_region == 0);
  CHECK(f.to_region == 1);
  CHECK(*f.unless_epsilon == 3);
}

TEST_CASE("names may be used before their declaration", "[lang][lower]") {
  auto l = load(
      "send n to server\n"
      "compute n at clinic = count(people)\n"
      "agent server { trust: curious }\n"
      "agent clinic { trust: curious, holds: people }\n"
      "data people { rows: 3 }\n");
  INFO(l.rendered);
  REQUIRE(l.graph);
  CHECK(l.graph->flows[0].artifact == 0);
  CHECK(l.graph->flows[0].from == 1);
}

TEST_CASE("map expressions are typed and lowered", "[lang][lower]") {
  auto l = load(kBase + "compute m at clinic = map(people, if sex = f and age >= 18 then age / 10 else 0)\n");
  INFO(l.rendered);
  REQUIRE(l.graph);
  const auto& e = *l.graph->artifacts[0].expr;
  CHECK(e.op == flow::Expr::Op::kIf);
  CHECK(e.type == flow::Expr::Type::kInt);
  const auto& cond = e.children[0];
  CHECK(cond.op == flow::Expr::Op::kAnd);
  const auto& eq = cond.children[0];
  CHECK(eq.op == flow::Expr::Op::kEq);
  CHECK(eq.children[0].op == flow::Expr::Op::kField);
  CHECK(eq.children[0].field == 1);
  CHECK(eq.children[0].type == flow::Expr::Type::kEnum);
  CHECK(eq.children[1].op == flow::Expr::Op::kEnum);
  CHECK(eq.children[1].field == 1);
  CHECK(eq.children[1].value == 0);
  CHECK(e.children[1].op == flow::Expr::Op::kDiv);
  CHECK(e.children[2].value == 0);
  // A bare value on the left is resolved against the field on the right.
  auto l2 = load(kBase + "compute m at clinic = map(people, m = sex)\n");
  REQUIRE(l2.graph);
  CHECK(l2.graph->artifacts[0].expr->children[0].value == 1);
}

TEST_CASE("select, randomized response and targets lower", "[lang][lower]") {
  auto l = load(kBase +
                "agent phone[50] { trust: curious, holds: people by partition }\n"
                "compute s at clinic = select(people, sex, age)\n"
                "compute rr at phone = randomized_response(people.sex, epsilon: 1/2)\n"
                "send rr to server via shuffler(by: clinic)\n"
                "require dp(people) against server <= epsilon 1\n"
                "require leakage(people.sex) against {server, 10 of phone} <= 0.5 bits at delta 0\n");
  INFO(l.rendered);
  REQUIRE(l.graph);
  const auto& g = *l.graph;
  CHECK(g.artifacts[0].selected == std::vector<flow::Id>{1, 0});
  CHECK(g.artifacts[1].inputs[0].kind == flow::Input::Kind::kField);
  CHECK(g.artifacts[1].inputs[0].field == 1);
  CHECK(g.flows[0].channel.kind == flow::Channel::Kind::kShuffler);
  CHECK(g.flows[0].channel.shuffler == 0);
  CHECK(g.requirements[0].adversary == flow::kNone);
  REQUIRE(g.requirements[0].coalition.fixed.size() == 1);
  CHECK(g.requirements[0].coalition.fixed[0].agent == 1);
  CHECK(g.requirements[1].bound_in_bits);
  CHECK(*g.requirements[1].delta == 0);
  CHECK(g.requirements[1].coalition.fixed[1].count == 10);
}

TEST_CASE("warnings do not stop lowering", "[lang][lower]") {
  auto l = load(kBase + "agent clerk { trust: honest }\nadversary a = {server, clerk}\n");
  REQUIRE(l.graph);
  REQUIRE(l.warnings.size() == 1);
  CHECK(l.warnings[0] == "7:24: agent 'clerk' is honest but named in a coalition: it is assumed to collude here");
}

TEST_CASE("each semantic check reports its message at its place", "[lang][check]") {
  const std::vector<std::pair<std::string, std::string>> table = {
      // names
      {"region EU\ndata EU { rows: 1 }", "2:6: 'EU' is already declared as a region"},
      {"pipeline a\npipeline b", "2:1: a spec has at most one pipeline statement"},
      {"settings { delta: 0 }", "1:19: delta must be greater than 0 and less than 1, not 0"},
      {"settings { accountant: rdpp }", "1:24: accountant must be rdp, pld or auto; did you mean 'rdp'?"},
      {"settings { deltta: 1e-5 }", "1:12: unknown setting 'deltta'; did you mean 'delta'?"},
      {"settings {}\nsettings {}", "2:1: a spec has at most one settings statement"},
      {kBase + "send x to server", "6:6: artifact 'x' is not declared"},
      {kBase + "compute n at clinc = count(people)", "6:14: agent 'clinc' is not declared; did you mean 'clinic'?"},
      {kBase + "compute n at people = count(people)", "6:14: 'people' is data, not an agent"},
      {"agent a { trust: curious, region: EUU }\nregion EU", "1:35: region 'EUU' is not declared; did you mean 'EU'?"},
      {"agent a { trust: curious, trust: curious }", "1:27: property 'trust' of agent 'a' is given twice"},
      {"agent a { trust: curious, holds: {d, d} }\ndata d {}", "1:38: agent 'a' holds 'd' twice"},
      {"agent a { trust: curious, holds: dd }\ndata d {}", "1:34: data 'dd' is not declared; did you mean 'd'?"},
      {"agent a { trust: sure }", "1:18: trust must be trusted, honest, curious or malicious"},
      {"agent a { }", "1:7: agent 'a' has no trust level (add 'trust: trusted|honest|curious|malicious')"},
      {"agent a { trust: curious, colour: red }", "1:27: unknown agent property 'colour' (agent properties are trust, region, holds and topology)"},
      // computations
      {kBase + "compute n at clinic = lapalce(people, epsilon: 1)", "6:23: unknown computation kind 'lapalce'; did you mean 'laplace'?"},
      {kBase + "compute n at clinic = laplace(people, sigma: 1)", "6:39: unknown parameter 'sigma' of laplace (it takes epsilon, scale, sensitivity, times, sampling_rate)"},
      {kBase + "compute n at clinic = count(people, epsilon: 1)", "6:37: count takes no parameters"},
      {kBase + "compute n at clinic = laplace(people)", "6:23: laplace needs 'epsilon' or 'scale'"},
      {kBase + "compute n at clinic = laplace(people, epsilon: 1, scale: 2)", "6:51: laplace takes 'epsilon' or 'scale', not both"},
      {kBase + "compute n at clinic = gaussian(people)", "6:23: gaussian needs 'sigma'"},
      {kBase + "compute n at clinic = dpsgd(people, noise_multiplier: 1, steps: 3)", "6:23: dpsgd needs 'sampling_rate' or 'batch_size'"},
      {kBase + "compute n at clinic = declared(people, rho: 1, delta: 0)", "6:48: declared takes 'delta' only with 'epsilon'"},
      {kBase + "compute n at clinic = laplace(people, epsilon: -1)", "6:48: epsilon must be positive, not -1"},
      {kBase + "compute n at clinic = laplace(people, scale: 0)", "6:46: scale must be positive, not 0"},
      {kBase + "compute n at clinic = gaussian(people, sigma: 0)", "6:47: sigma must be positive, not 0"},
      {kBase + "compute n at clinic = laplace(people, epsilon: 1, times: 0)", "6:58: times must be a whole number of at least 1, not 0"},
      {kBase + "compute n at clinic = dpsgd(people, noise_multiplier: 1, sampling_rate: 0, steps: 1)", "6:73: sampling_rate must be in (0, 1], not 0"},
      {kBase + "compute n at clinic = dpsgd(people, noise_multiplier: 1, sampling_rate: 1, steps: 1.5)", "6:83: steps must be a whole number of at least 1, not 1.5"},
      {kBase + "compute n at clinic = dpsgd(people, noise_multiplier: 1, sampling_rate: 1, steps: 1, distributed: yes)", "6:99: distributed must be true or false"},
      {kBase + "compute n at clinic = randomized_response(people.sex, keep: 1.2)", "6:61: keep is a probability and must be in [0, 1], not 1.2"},
      {kBase + "compute n at clinic = randomized_response(people.sex, keep: 0.4)", "6:61: keep 0.4 is at most 1/2 for 2 values: the report would not depend on the true value (keep must exceed 1/k)"},
      {kBase + "compute n at clinic = randomized_response(people, keep: 0.9)", "6:43: randomized_response needs a field D.field of a finite type (enum, bool or int) as input, not 'people'"},
      {kBase + "compute n at clinic = sum(people.sex)", "6:27: sum needs a numeric field; 'sex' is enumerated"},
      {kBase + "compute n at clinic = aggregate(people)", "6:33: aggregate takes an artifact; 'people' is data"},
      {kBase + "compute n at clinic = map(people)", "6:23: map takes a data and an expression: map(D, expr), not 1 input"},
      {kBase + "compute n at clinic = select(people, age, age)", "6:43: field 'age' is selected twice"},
      {kBase + "param e = 0\ncompute n at clinic = laplace(people, epsilon: e)", "7:48: epsilon must be positive, not e = 0"},
      {kBase + "compute n at clinic = laplace(people, epsilon: eps)", "6:48: param 'eps' is not declared"},
      {"param p = 3 in [4, 2]", "1:17: the range of param 'p' is empty: 4 > 2"},
      {"param p = 3 in [0, 2]", "1:11: param 'p' = 3 is outside its own range [0, 2]"},
      // holdings and flows
      {kBase + "compute n at server = count(people)", "6:29: agent 'server' computes 'n' from 'people', which it does not hold"},
      {kBase + "compute n at clinic = count(people)\ncompute m at server = train(n)", "7:29: agent 'server' computes 'm' from 'n', which it does not hold"},
      {kBase + "compute n at clinic = count(people)\nsend n from server to clinic", "7:13: agent 'server' sends 'n', which it does not hold"},
      {kBase + "compute n at clinic = count(people)\nsend n to clinic", "7:11: agent 'clinic' sends 'n' to itself"},
      {kBase + "compute n at clinic = count(people)\nsend n to server via carrier_pigeon", "7:22: unknown channel 'carrier_pigeon' (channels are plain, encrypted, secure_aggregation, shuffler and network_shuffle)"},
      {kBase + "compute n at clinic = count(people)\nsend n to server via plain(x: 1)", "7:28: plain takes no arguments"},
      {kBase + "compute n at clinic = count(people)\nsend n to server via secure_aggregation(threshold: 2)", "7:22: secure_aggregation needs a population of senders; 'clinic' is a single agent (declare it as 'agent clinic[n]')"},
      {kBase + "agent p[5] { trust: curious, holds: people by partition }\ncompute n at p = count(people)\nsend n to server via secure_aggregation(min_clients: 2)", "8:22: secure_aggregation needs 'threshold' (the number of senders it needs to open a sum)"},
      {kBase + "agent p[5] { trust: curious, holds: people by partition }\ncompute n at p = count(people)\nsend n to server via secure_aggregation(threshold: 6)", "8:52: threshold must be at most 5, not 6"},
      {kBase + "agent p[5] { trust: curious, holds: people by partition }\ncompute n at p = count(people)\nsend n to server via shuffler(by: shuf)", "8:35: agent 'shuf' is not declared"},
      {kBase + "compute a at clinic = train(b)\ncompute b at clinic = train(c)\ncompute c at clinic = train(a)", "8:29: computations form a cycle: c → b → a → c"},
      {kBase + "compute a at clinic = train(a)", "6:29: computations form a cycle: a → a"},
      // map expressions
      {kBase + "compute m at clinic = map(people, sex = 1)", "6:35: cannot compare a value of 'sex' with int"},
      {kBase + "compute m at clinic = map(people, age + sex)", "6:41: '+' needs ints, not a value of 'sex'"},
      {kBase + "compute m at clinic = map(people, sex = male)", "6:41: 'male' is not a value of 'sex' (its values are f, m)"},
      {kBase + "compute m at clinic = map(people, agee > 3)", "6:35: 'agee' is neither a field of 'people' nor a value of one of its fields; did you mean 'age'?"},
      {kBase + "compute m at clinic = map(people, age and true)", "6:35: 'and' needs bools, not int"},
      {kBase + "compute m at clinic = map(people, if age then 1 else 2)", "6:38: the condition of 'if' must be a bool, not int"},
      {kBase + "compute m at clinic = map(people, if age > 1 then 1 else f)", "6:35: the branches of 'if' have different types: int and a value of 'sex'"},
      {kBase + "compute m at clinic = map(people, not age)", "6:39: 'not' needs a bool, not int"},
      {kBase + "compute m at clinic = map(people, 1 + 2 * age < 3 = true)", ""},
      {kBase + "compute m at clinic = map(people, 99999999999999)", "6:35: integer 99999999999999 is too large (at most 1000000000000)"},
      // data
      {"data d { rows: 0 }", "1:16: rows must be at least 1, not 0"},
      {"data d { rows: 2.5 }", "1:16: rows must be a whole number, not '2.5'"},
      {"data d { rows: 1 rows: 2 }", "1:18: rows of 'd' are given twice"},
      {"data d { rows: 1e999 }", "1:16: number '1e999' is too large (numbers must be below 1e301)"},
      {"data d { rows: 1e-999 }", "1:16: number '1e-999' is too small (numbers other than 0 must be at least 1e-301)"},
      // A 5,000-digit literal: the limit is said, the literal is not echoed whole.
      {"data d { rows: " + std::string(5000, '7') + " }",
       "1:16: number '" + std::string(30, '7') + "...' has more than 4000 digits"},
      // A ratio of two 1,500-digit numbers is 0.5: in range, whatever the size of its sides.
      {"data d { field a: {x, y} prior {5" + std::string(1499, '0') + "/1" + std::string(1500, '0') + ", 1/2} }", ""},
      {"data d { rows: 1/1" + std::string(400, '0') + " }",
       "1:16: number '1/1" + std::string(27, '0') + "...' is too small (numbers other than 0 must be at least 1e-301)"},
      {"data d { neighbouring: replaces }", "1:24: neighbouring must be add_remove or replace; did you mean 'replace'?"},
      {"data d { category: health }", "1:20: category 'health' is not declared"},
      {"data d { field a: {x, x} }", "1:23: value 'x' is listed twice in field 'a'"},
      {"data d { field a: {x, y} prior {0.5, 0.6} }", "1:32: the prior of 'a' sums to 1.1, not exactly 1"},
      {"data d { field a: {x, y} prior {1} }", "1:32: the prior of 'a' has 1 entry but the field has 2 values"},
      {"data d { field a: {x, y} prior {2, -1} }", "1:33: probability 2 in the prior of 'a' is outside [0, 1]"},
      {"data d { field a: int[0, 2] prior {1/3, 1/3, 1/3} }", ""},
      {"data d { field a: int[0.5, 2] }", "1:23: int bounds must be whole numbers, not '0.5'"},
      {"data d { field a: int[0, 1e13] }", "1:26: int bound 1e13 is outside [-1000000000000, 1000000000000]"},
      {"data d { field a: bool given b {x: {1, 0}} }", "1:30: 'b' is not a field of 'd'; did you mean 'a'?"},
      {"data d { field a: bool given a {false: {1, 0}, true: {0, 1}} }", "1:30: fields of 'd' depend on each other through 'given': a → a"},
      {"data d { field b: {x, y} field a: bool given b {x: {1, 0}, y: {0, 1}, z: {0, 1}} }", "1:71: 'z' is not a value of 'b'; did you mean 'x'?"},
      {"data d { field b: {x, y} field a: bool given b {x: {1, 0}} }", "1:32: field 'a' is given 'b' but has no row for value 'y'"},
      {"data d { field b: {x, y} field a: bool given b {x: {1, 0}, y: {1, 1}} }", "1:63: the row 'y' of 'a' sums to 2, not exactly 1"},
      {"agent a[0] { trust: curious }", "1:9: the population of 'a' must be at least 1, not 0"},
      {"agent a[1e13] { trust: curious }", "1:9: the population of 'a' must be at most 1000000000000, not 1e13"},
      // adversaries
      {kBase + "agent t { trust: trusted }\nadversary a = {t}", "7:16: agent 't' is trusted: it never colludes and cannot be part of a coalition"},
      {kBase + "adversary a = {server, server}", "6:24: agent 'server' is named twice in this coalition"},
      {kBase + "adversary a = {2 of server}", "6:16: 2 of server exceeds its 1 instance"},
      {kBase + "agent p[5] { trust: curious }\nadversary a = {3 of p} + any 3 of {p}", "7:30: any 3 of these agents: only 2 instances are left to choose from"},
      {kBase + "agent t { trust: trusted }\nadversary a = any 1 of {server, t}", "7:33: agent 't' is trusted: it never colludes and cannot be part of the agents an adversary may choose"},
      {kBase + "adversary a = any 0 of {server}", "6:19: the number of agents to choose must be at least 1, not 0"},
      // requirements
      {kBase + "require dp(people) against nobody <= epsilon 1", "6:28: adversary 'nobody' is not declared"},
      {kBase + "require dp(peopl) against server <= epsilon 1", "6:12: data 'peopl' is not declared; did you mean 'people'?"},
      {kBase + "require posterior(people.sex = x) against server <= 0.5", "6:32: 'x' is not a value of 'sex'; did you mean 'f'?"},
      {kBase + "require posterior(people.age = 100) against server <= 0.5", "6:32: '100' is not a value of 'age' (an int in [0, 99])"},
      {kBase + "require leakage(people.ages) against server <= 1 bits", "6:24: 'ages' is not a field of 'people'; did you mean 'age'?"},
      {kBase + "require reidentification(people by {age, age}) against server <= 0.1", "6:42: field 'age' is listed twice"},
      {kBase + "require posterior(people.sex = f) against server <= 2", "6:53: the bound of posterior is a probability: at most 1, not 2"},
      {kBase + "require dp(people) against server <= 1 bits", "6:38: only leakage is measured in bits, not dp"},
      {kBase + "require leakage(people.sex) against server <= epsilon 1", "6:47: a leakage bound is in bits, not 'epsilon'"},
      {kBase + "require dp(people) against server <= epsilon 1 at delta 1", "6:57: delta must be in [0, 1), not 1"},
      {kBase + "require x: dp(people) against server <= epsilon 1\nforbid x: c from EU to US\ncategory c", "7:8: 'x' is already declared as a requirement"},
      {kBase + "forbid health from EU to UK", "6:8: category 'health' is not declared"},
  };
  for (const auto& [text, expected] : table) {
    INFO(text);
    auto l = load(text);
    INFO(l.rendered);
    if (expected.empty()) {
      CHECK(l.errors.empty());
      CHECK(l.graph);
    } else {
      REQUIRE_FALSE(l.errors.empty());
      CHECK(l.errors.front() == expected);
      CHECK_FALSE(l.graph);
    }
  }
}

TEST_CASE("a broken statement does not cascade into undeclared-name errors", "[lang][check]") {
  auto l = load(
      "agent server { trust: malicious region: US }\n"  // missing ',' is fine; missing region decl is not
      "agent clinic { trust curious }\n"
      "data people { rows: 5 }\n"
      "compute n at clinic = count(people)\n"
      "send n to server\n");
  REQUIRE(l.errors.size() == 2);
  CHECK(l.errors[0] == "1:41: region 'US' is not declared");
  CHECK(l.errors[1] == "2:22: expected ':' after 'trust'");
}

TEST_CASE("three separate errors in one file are all reported", "[lang][check]") {
  auto l = load(kBase +
                "compute n at clinic = laplace(people, epsilon: 0)\n"
                "send n to sever\n"
                "adversary a = {server, 2 of clinic}\n");
  REQUIRE(l.errors.size() == 3);
  CHECK(l.errors[0] == "6:48: epsilon must be positive, not 0");
  CHECK(l.errors[1] == "7:11: agent 'sever' is not declared; did you mean 'server'?");
  CHECK(l.errors[2] == "8:24: 2 of clinic exceeds its 1 instance");
  CHECK(l.rendered.substr(l.rendered.size() - 20) == "3 errors generated.\n");
}

}  // namespace privflow::lang
