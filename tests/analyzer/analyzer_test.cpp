// Unit tests of the analyzer's rules (docs/language.md, "How the analysis works"), each with a hand-computed value.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <sstream>

#include "analyzer/analysis.hpp"
#include "analyzer/detail/knowledge.hpp"
#include "analyzer/wording.hpp"
#include "dp/accountant.hpp"
#include "lang/frontend.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

flow::Graph load(const std::string& text) { return test::load_spec_text("test.pflow", text); }

const analyzer::Verdict& verdict(const analyzer::Analysis& a, const std::string& name) {
  for (const auto& v : a.verdicts)
    if (v.name == name) return v;
  FAIL("no verdict " << name);
  return a.verdicts.front();
}

double gaussian_epsilon(double z, double delta) {
  dp::Composition c;
  c.add(dp::Mechanism::gaussian(z));
  return c.epsilon(delta).value;
}

// 64 clients each add 1/64 of the variance of a Gaussian with sigma 8.
std::string secure_sum_spec(const std::string& server_trust, const std::string& adversary) {
  return "data d { rows: 6400 field x: {a, b} }\n"
         "agent client[64] { trust: curious, holds: d by partition }\n"
         "agent server { trust: " + server_trust + " }\n"
         "compute g at client = gaussian(d, sigma: 8, distributed: true)\n"
         "send g to server via secure_aggregation(threshold: 40, min_clients: 40)\n"
         "adversary adv = " + adversary + "\n"
         "require r: dp(d) against adv <= epsilon 100\n";
}

}  // namespace

TEST_CASE("secure aggregation: honest shares protect the target", "[analyzer][views]") {
  struct Case {
    std::string trust, adversary;
    std::uint64_t shares;  // honest shares in what the coalition sees
  };
  // sigma 8 over 64 clients: 24 colluding -> 40 honest; malicious (min_clients 40) -> 16;
  // 40 colluding reach the threshold -> the target's own share.
  const Case cases[] = {
      {"curious", "{server, 24 of client}", 40},
      {"malicious", "{server, 24 of client}", 16},
      {"curious", "{server, 40 of client}", 1},
  };
  for (const auto& c : cases) {
    INFO(c.trust << " " << c.adversary);
    auto g = load(secure_sum_spec(c.trust, c.adversary));
    auto a = analyzer::analyze(g);
    const auto& v = verdict(a, "r");
    REQUIRE(v.releases.size() == 1);
    double z = 8.0 * std::sqrt(static_cast<double>(c.shares) / 64.0);
    REQUIRE(v.value);
    CHECK(*v.value >= gaussian_epsilon(z, 1e-5) * (1 - 1e-9));
    CHECK(*v.value <= gaussian_epsilon(z, 1e-5) * 1.02);
  }
}

TEST_CASE("exposure, holding and post-processing", "[analyzer][exposure]") {
  auto g = load(R"(
    data d { rows: 100 field age: int[0, 120] field sick: bool }
    agent a { trust: curious, holds: d }
    agent b { trust: curious }
    agent c { trust: curious }
    compute n at a = count(d)
    compute l at a = laplace(d, epsilon: 1/2)
    compute l2 at a = laplace(d, epsilon: 1/4)
    send n to b
    send l to c
    send l to b
    send l2 to c
    adversary ab = {a}
    require holds: dp(d) against ab <= epsilon 1
    require exposed: dp(d) against {b} <= epsilon 1
    require pure: dp(d) against {c} <= epsilon 1
  )");
  auto a = analyzer::analyze(g);
  CHECK(verdict(a, "holds").method == analyzer::Method::kHolds);
  CHECK(verdict(a, "holds").status == analyzer::Status::kViolated);
  CHECK(verdict(a, "exposed").method == analyzer::Method::kExposed);
  CHECK_FALSE(verdict(a, "exposed").value);
  // c sees two pure releases: 1/2 + 1/4, exactly.
  const auto& pure = verdict(a, "pure");
  CHECK(pure.status == analyzer::Status::kHolds);
  CHECK(analyzer::value_text(pure) == "0.75");  // the accountants may certify a little less than the sum
  CHECK(*pure.value <= 0.75);
}

TEST_CASE("parallel composition across partitions", "[analyzer][composition]") {
  // Each hospital's release touches only its own partition: one release counts.
  auto g = load(R"(
    data d { rows: 1000 field x: {a, b} }
    agent h[10] { trust: curious, holds: d by partition }
    agent s { trust: curious }
    compute l at h = laplace(d, epsilon: 0.3, times: 2)
    send l to s
    require r: dp(d) against {s} <= epsilon 1
  )");
  auto a = analyzer::analyze(g);
  CHECK(analyzer::value_text(verdict(a, "r")) == "0.6");
}

TEST_CASE("splitting times into statements and renaming change no figure", "[analyzer][metamorphic]") {
  auto one = load(R"(
    data d { rows: 10 field x: {a, b} }
    agent a { trust: curious, holds: d }
    agent b { trust: curious }
    compute g at a = gaussian(d, sigma: 3, times: 4)
    send g to b
    require r: dp(d) against {b} <= epsilon 5
  )");
  auto four = load(R"(
    data people { rows: 10 field x: {a, b} }
    agent owner { trust: curious, holds: people }
    agent reader { trust: curious }
    agent bystander { trust: curious }
    compute g1 at owner = gaussian(people, sigma: 3)
    compute g2 at owner = gaussian(people, sigma: 3)
    compute g3 at owner = gaussian(people, sigma: 3)
    compute g4 at owner = gaussian(people, sigma: 3)
    compute unseen at owner = laplace(people, epsilon: 5)
    send g4 to reader
    send g3 to reader
    send g2 to reader
    send g1 to reader
    send unseen to bystander
    require r: dp(people) against {reader} <= epsilon 5
  )");
  auto a1 = analyzer::analyze(one);
  auto a4 = analyzer::analyze(four);
  REQUIRE(verdict(a1, "r").value);
  REQUIRE(verdict(a4, "r").value);
  CHECK(*verdict(a1, "r").value == Approx(*verdict(a4, "r").value).epsilon(1e-9));
}

TEST_CASE("randomized response is an exact channel for beliefs", "[analyzer][inference]") {
  // Binary RR with keep 4/5, prior 1/5: the posterior of yes after "yes" is exactly 1/2.
  auto g = load(R"(
    data s { rows: 1000 neighbouring: replace field v: {yes, no} prior {1/5, 4/5} }
    agent p[1000] { trust: curious, holds: s by partition }
    agent q { trust: curious }
    compute r at p = randomized_response(s.v, keep: 4/5)
    send r to q
    require post: posterior(s.v = yes) against {q} <= 0.5
    require leak: leakage(s.v) against {q} <= 0 bits
  )");
  auto a = analyzer::analyze(g);
  const auto& post = verdict(a, "post");
  CHECK(post.exact);
  CHECK(analyzer::value_text(post) == "0.5");  // exact: 1/2
  CHECK(post.status == analyzer::Status::kHolds);
  const auto& leak = verdict(a, "leak");
  CHECK(analyzer::value_text(leak) == "0");
  CHECK(leak.status == analyzer::Status::kHolds);
}

TEST_CASE("a correlated field is learnt through what select reveals", "[analyzer][inference]") {
  // vote {1/3, 2/3}; attends given vote {a: {3/5, 2/5}, b: {1/4, 3/4}}: seeing attends = yes
  // gives posterior(vote = a) = (1/3·3/5) / (1/3·3/5 + 2/3·1/4) = 6/11.
  auto g = load(R"(
    data v { rows: 50 field vote: {a, b} prior {1/3, 2/3}
             field attends: {yes, no} given vote {a: {3/5, 2/5}, b: {1/4, 3/4}} }
    agent o { trust: curious, holds: v }
    agent w { trust: curious }
    compute seen at o = select(v, attends)
    send seen to w
    require post: posterior(v.vote = a) against {w} <= 0.5
  )");
  auto a = analyzer::analyze(g);
  const auto& post = verdict(a, "post");
  CHECK(analyzer::value_text(post) == "6/11");
  CHECK(post.status == analyzer::Status::kViolated);
}

TEST_CASE("a malicious receiver dropping honest senders is the worst choice", "[analyzer][search]") {
  auto g = load(secure_sum_spec("malicious", "{server} + any 24 of {client}"));
  auto a = analyzer::analyze(g);
  const auto& v = verdict(a, "r");
  CHECK(v.coalition.count(g.find_agent("client")) == 24);
  CHECK(v.coalition.count(g.find_agent("server")) == 1);
  CHECK(v.status == analyzer::Status::kHolds);
  bool proof = false;
  for (const auto& child : v.explanation.children)
    proof = proof || child.text.find("proof over all choices") != std::string::npos;
  CHECK(proof);
}

TEST_CASE("a map is an exact channel: coarsening hides the value", "[analyzer][inference][map]") {
  // age uniform over 0..120; seeing age / 10 leaves 10 candidates (1 in the class of 120).
  auto g = load(R"(
    data p { rows: 1000 neighbouring: replace field age: int[0, 120] }
    agent o { trust: curious, holds: p }
    agent w { trust: curious }
    compute decade at o = map(p, age / 10)
    send decade to w
    require five: posterior(p.age = 5) against {w} <= 0.1
    require top: posterior(p.age = 120) against {w} <= 0.5
    require bits: leakage(p.age) against {w} <= 4 bits
  )");
  auto a = analyzer::analyze(g);
  CHECK(analyzer::value_text(verdict(a, "five")) == "0.1");
  CHECK(verdict(a, "five").exact);
  CHECK(verdict(a, "five").status == analyzer::Status::kHolds);
  CHECK(analyzer::value_text(verdict(a, "top")) == "1");
  CHECK(verdict(a, "top").status == analyzer::Status::kViolated);
  // 13 classes under a uniform prior: log2(13) bits, rounded up.
  REQUIRE(verdict(a, "bits").value);
  CHECK(*verdict(a, "bits").value >= std::log2(13.0));
  CHECK(*verdict(a, "bits").value <= std::log2(13.0) + 1e-3);
}

TEST_CASE("a division by zero that a record reaches is an error of the spec", "[analyzer][map]") {
  auto g = load(R"(
    data p { rows: 10 field age: int[0, 120] }
    agent o { trust: curious, holds: p }
    compute ratio at o = map(p, 100 / age)
    require r: dp(p) against {o} <= epsilon 1
  )");
  auto a = analyzer::analyze(g);
  bool found = false;
  for (const auto& f : a.findings)
    found = found || (f.severity == analyzer::Severity::kError && f.message.find("age = 0") != std::string::npos);
  CHECK(found);
  CHECK(a.exit_code() == 2);
}

TEST_CASE("the division check of a large map asks the solver for a witness, not a count", "[analyzer][map]") {
  // 1001^3 records: past enumeration. The unguarded divisor reaches 0 at c = 500; the guarded one
  // and a written divisor never do.
  auto g = load(R"(
    data p { rows: 10 field a: int[0, 1000] field b: int[0, 1000] field c: int[0, 1000] }
    agent o { trust: curious, holds: p }
    compute bad at o = map(p, (a + b) / (c - 500))
    compute guarded at o = map(p, if c = 500 then 0 else (a + b) / (c - 500))
    compute mean3 at o = map(p, (a + b + c) / 3)
    require r: dp(p) against {o} <= epsilon 1
  )");
  auto a = analyzer::analyze(g);
  std::vector<std::string> errors;
  for (const auto& f : a.findings)
    if (f.severity == analyzer::Severity::kError) errors.push_back(f.message);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("division by zero in map 'bad'") != std::string::npos);
  CHECK(errors[0].find("c = 500") != std::string::npos);
}

TEST_CASE("re-identification counts the cells a coarsening map leaves", "[analyzer][reidentification]") {
  // zip/100 gives 10 areas x 80 years x 2 sexes = 1600 equally likely cells:
  // (1 - 1/1600)^49999 ~ 2.7e-14; in the clear 160000 cells: (1 - 1/160000)^49999 ~ 0.7316.
  auto g = load(R"(
    data r { rows: 50_000 field zip: int[0, 999] field year: int[1925, 2004] field sex: {f, m} }
    agent office { trust: trusted, holds: r }
    agent portal { trust: curious }
    agent researcher { trust: curious }
    compute area at office = map(r, zip / 100)
    compute demo at office = select(r, year, sex)
    compute micro at office = select(r, zip, year, sex)
    send area to portal
    send demo to portal
    send micro to researcher
    require open: reidentification(r by {zip, year, sex}) against {portal} <= 0.05
    require clear: reidentification(r by {zip, year, sex}) against {researcher} <= 0.05
  )");
  auto a = analyzer::analyze(g);
  REQUIRE(verdict(a, "open").value);
  CHECK(*verdict(a, "open").value < 1e-13);
  CHECK(*verdict(a, "open").value > 2e-14);
  CHECK(verdict(a, "open").status == analyzer::Status::kHolds);
  REQUIRE(verdict(a, "clear").value);
  CHECK(*verdict(a, "clear").value == Approx(0.7316).epsilon(1e-3));
  CHECK(verdict(a, "clear").status == analyzer::Status::kViolated);
}

TEST_CASE("reordering statements changes no figure", "[analyzer][metamorphic]") {
  // One statement per line: the same spec forwards and backwards.
  std::vector<std::string> lines = {
      "data d { rows: 5000 field x: {a, b, c} prior {1/2, 1/4, 1/4} }",
      "agent p[50] { trust: curious, holds: d by partition }",
      "agent s { trust: malicious }",
      "agent t { trust: curious }",
      "compute g at p = gaussian(d, sigma: 6, distributed: true, times: 3)",
      "compute l at p = laplace(d, epsilon: 1/10)",
      "send g to s via secure_aggregation(threshold: 10, min_clients: 30)",
      "send l to t",
      "compute m at s = aggregate(g)",
      "send m to t",
      "adversary inside = {s, 5 of p}",
      "require one: dp(d) against inside <= epsilon 4",
      "require two: dp(d) against {t} <= epsilon 4",
      "require three: posterior(d.x = c) against {t} <= 0.9",
      "require four: advantage(d) against inside <= 0.9",
  };
  std::string forwards, backwards;
  for (const auto& l : lines) forwards += l + "\n";
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) backwards += *it + "\n";
  const auto forwards_graph = load(forwards), backwards_graph = load(backwards);
  auto a = analyzer::analyze(forwards_graph);
  auto b = analyzer::analyze(backwards_graph);
  REQUIRE(a.verdicts.size() == b.verdicts.size());
  for (const auto& v : a.verdicts) {
    INFO(v.name);
    const auto& w = verdict(b, v.name);
    CHECK(v.status == w.status);
    CHECK(analyzer::value_text(v) == analyzer::value_text(w));
    CHECK(analyzer::describe(forwards_graph, v.coalition) == analyzer::describe(backwards_graph, w.coalition));
  }
}

TEST_CASE("a fix is found by search and holds when applied", "[analyzer][fix]") {
  auto spec = [](const std::string& sigma, const std::string& threshold) {
    return "param sigma = " + sigma + " in [0.3, 20]\n"
           "data d { rows: 50000 field x: {a, b} }\n"
           "agent h[20] { trust: curious, holds: d by partition }\n"
           "agent s { trust: curious }\n"
           "compute u at h = dpsgd(d, noise_multiplier: sigma, sampling_rate: 0.01, steps: 100, distributed: true)\n"
           "send u to s via secure_aggregation(threshold: " + threshold + ")\n"
           "require open: dp(d) against {s, 15 of h} <= epsilon 6\n";
  };
  auto a = analyzer::analyze(load(spec("1.1", "15")));
  const auto& v = verdict(a, "open");
  REQUIRE(v.status == analyzer::Status::kViolated);
  INFO(v.fix);
  // Either raise the threshold above the 15 colluding hospitals, or add noise.
  CHECK(v.fix.find("threshold ≥ 16") != std::string::npos);
  auto at = v.fix.find("sigma ≥ ");
  REQUIRE(at != std::string::npos);
  std::string sigma = v.fix.substr(at + std::string("sigma ≥ ").size());
  sigma = sigma.substr(0, sigma.find_first_of(" ,"));
  CHECK(verdict(analyzer::analyze(load(spec(sigma, "15"))), "open").status == analyzer::Status::kHolds);
  CHECK(verdict(analyzer::analyze(load(spec("1.1", "16"))), "open").status == analyzer::Status::kHolds);
}

TEST_CASE("the fix search scales a release by at most 4096, to 3 digits", "[analyzer][fix]") {
  auto spec = [](const std::string& epsilon) {
    return "param eps = " + epsilon + " in [0.0001, 100]\n"
           "data d { rows: 100 field x: {a, b} }\n"
           "agent a { trust: curious, holds: d }\n"
           "agent b { trust: curious }\n"
           "compute l at a = laplace(d, epsilon: eps)\n"
           "send l to b\n"
           "require r: dp(d) against {b} <= epsilon 1/100\n";
  };
  // epsilon 10 must shrink a thousandfold, within the largest scaling: the bisection stops within
  // 0.5 % of the least factor, so the fix is in (0.00995, 0.01] and holds when applied.
  const auto thousandfold = analyzer::analyze(load(spec("10")));
  const auto& v = verdict(thousandfold, "r");
  REQUIRE(v.status == analyzer::Status::kViolated);
  INFO(v.fix);
  const auto at = v.fix.find("eps ≤ ");
  REQUIRE(at != std::string::npos);
  std::string eps = v.fix.substr(at + std::string("eps ≤ ").size());
  eps = eps.substr(0, eps.find_first_of(" ,"));
  CHECK(std::stod(eps) <= 0.01);
  CHECK(std::stod(eps) >= 0.00995);
  CHECK(verdict(analyzer::analyze(load(spec(eps))), "r").status == analyzer::Status::kHolds);
  // epsilon 100 must shrink ten-thousandfold, beyond the largest scaling tried: no number is
  // offered, only the advice to release less.
  const auto beyond = analyzer::analyze(load(spec("100")));
  CHECK(verdict(beyond, "r").fix == "reduce what l releases (more noise, fewer uses), or keep it from the coalition");
}

TEST_CASE("findings: a batch larger than the records, a partition with one part", "[analyzer][findings]") {
  auto g = load(R"(
    data d { rows: 1000 field x: {a, b} }
    agent site[10] { trust: curious, holds: d by partition }
    agent solo { trust: curious, holds: d by partition }
    agent analyst { trust: curious }
    compute m at site = dpsgd(d, noise_multiplier: 1, batch_size: 200, steps: 100)
    compute m2 at solo = dpsgd(d, noise_multiplier: 1, batch_size: 200, steps: 100)
    send m to analyst
    send m2 to analyst
    require r: dp(d) against {analyst} <= epsilon 1000
  )");
  auto a = analyzer::analyze(g);
  std::vector<std::string> messages;
  for (const auto& f : a.findings) messages.push_back(std::to_string(f.span.line) + ": " + f.message);
  CHECK(messages == std::vector<std::string>{
                        "4: 'd by partition' at 'solo', a single agent: the partition has one part, which holds every record",
                        "6: batch_size 200 of 'm' is more than the 100 records of 'd' each 'site' holds: the sampling "
                        "rate is taken as 1 (no amplification by subsampling)"});
  // m2's 200 of 1000 records is a rate of 1/5: no warning, and the release says so.
  const auto& v = verdict(a, "r");
  REQUIRE(v.releases.size() == 2);
}

TEST_CASE("DP-SGD on replace-one data: the substitution pair, amplified by subsampling", "[analyzer][composition]") {
  // Under `neighbouring: replace` a replaced record swaps one clipped gradient for another:
  // the accountant's substitution pair q·N(−1, z²) + (1−q)·N(0, z²) vs q·N(1, z²) + (1−q)·N(0, z²).
  // dp_accounting 0.6.0, from_gaussian_mechanism(2, sampling_prob=0.01, neighboring_relation=
  // REPLACE_ONE, value_discretization_interval=1e-4).self_compose(100).get_epsilon_for_delta(1e-5):
  // 0.344370 (pessimistic, connect the dots), 0.339368 (optimistic). Without the amplification
  // (sensitivity 2 in every step, as privflow did before) it was gaussian_epsilon(0.1, 1e-5).
  auto spec = [](const std::string& neighbouring) {
    return "data d { rows: 10000 neighbouring: " + neighbouring + " field x: {a, b} }\n"
           "agent trainer { trust: curious, holds: d }\n"
           "agent analyst { trust: curious }\n"
           "compute m at trainer = dpsgd(d, noise_multiplier: 2, sampling_rate: 0.01, steps: 100)\n"
           "send m to analyst\n"
           "require r: dp(d) against {analyst} <= epsilon 1000\n";
  };
  const auto replace = analyzer::analyze(load(spec("replace")));
  const auto add_remove = analyzer::analyze(load(spec("add_remove")));
  REQUIRE(verdict(replace, "r").value);
  REQUIRE(verdict(add_remove, "r").value);
  CHECK(*verdict(replace, "r").value >= 0.3393680865541628);
  CHECK(*verdict(replace, "r").value <= 0.34436964204912457 * 1.02);
  CHECK(*verdict(replace, "r").value < gaussian_epsilon(0.1, 1e-5) / 100);
  CHECK(*verdict(add_remove, "r").value < *verdict(replace, "r").value);
}

TEST_CASE("leakage capped at the field's size is exactly log2 of it", "[analyzer][leakage]") {
  // A release of epsilon 50 about a bool field: the bound ε·log2(e) is capped at log2 2 = 1
  // bit, exactly, so a bound of 1 bit holds.
  auto g = load(R"(
    data d { rows: 100 field sick: bool }
    agent a { trust: curious, holds: d }
    agent b { trust: curious }
    compute s at a = laplace(d, epsilon: 50)
    send s to b
    require r: leakage(d.sick) against {b} <= 1 bits
  )");
  const auto analysis = analyzer::analyze(g);
  const auto& v = verdict(analysis, "r");
  REQUIRE(v.value);
  CHECK(*v.value == 1);
  CHECK(v.status == analyzer::Status::kHolds);
}

TEST_CASE("repeated shuffled rounds share the delta budget and never do worse than no shuffling",
          "[analyzer][shuffle]") {
  // R rounds of shuffled randomized response (keep 0.6 of 6 values: local epsilon ln 7.5)
  // among 10^6 phones. Each round's amplification takes a share of δ; before the shares were
  // split, 12 rounds took 12 tenths of δ and the figure was unbounded.
  auto spec = [](int rounds, const std::string& adversary, bool shuffled) {
    std::string s = "data t { rows: 1_000_000 field e: {a, b, c, d, f, g} }\n"
                    "agent phone[1_000_000] { trust: curious, holds: t by partition }\n"
                    "agent shuffler { trust: curious }\n"
                    "agent collector { trust: malicious }\n";
    for (int i = 0; i < rounds; ++i) {
      std::string r = "r";
      r += std::to_string(i);
      s += "compute " + r + " at phone = randomized_response(t.e, keep: 3/5)\n";
      s += "send " + r + " to collector" + (shuffled ? " via shuffler(by: shuffler)\n" : "\n");
    }
    s += "require q: dp(t) against " + adversary + " <= epsilon 1 at delta 1e-6\n";
    return s;
  };
  auto figure = [&](int rounds, const std::string& adversary, bool shuffled = true) {
    auto a = analyzer::analyze(load(spec(rounds, adversary, shuffled)));
    const auto& v = verdict(a, "q");
    INFO(rounds << " rounds against " << adversary << ": " << analyzer::value_text(v) << ", " << v.reason);
    REQUIRE(v.value);
    return *v.value;
  };
  const double local = std::log(7.5);
  const double one = figure(1, "{collector}");
  CHECK(one > 0.005589);  // the exact ε of one value's count alone (examples_test)
  CHECK(one < 0.0134);    // FMT's numerical bound at nearly the whole δ
  const double twelve = figure(12, "{collector}");
  CHECK(twelve < 12 * 0.0165);  // each round's bound at a twelfth of δ, summed
  CHECK(twelve >= one);
  // Many rounds: never above the local randomizers composed without amplification.
  CHECK(figure(400, "{collector}") <= figure(400, "{collector}", false));
  CHECK(figure(400, "{collector}") < 400 * local);
  // Opening the shuffle (the shuffler colludes) gives the unshuffled figure, never less.
  CHECK(figure(12, "{collector, shuffler}") == figure(12, "{collector}", false));
  CHECK(figure(12, "{collector, 500_000 of phone}") >= twelve);  // fewer honest senders
}

TEST_CASE("discrete Gaussian noise on a count: its exact epsilon, a fractional sensitivity rounded up",
          "[analyzer][composition][discrete_gaussian]") {
  auto spec = [](const std::string& sigma_and_sensitivity, const std::string& delta) {
    return "data d { rows: 1000 field x: bool }\n"
           "agent curator { trust: curious, holds: d }\n"
           "agent analyst { trust: curious }\n"
           "compute c at curator = count(d)\n"
           "compute n at curator = discrete_gaussian(c, " + sigma_and_sensitivity + ")\n"
           "send n to analyst\n"
           "require r: dp(d) against {analyst} <= epsilon 1000 at delta " + delta + "\n";
  };
  // σ = 1, Δ = 1 (a count): P(x) = e^{−x²/2}/Z, Q(x) = P(x − 1), loss L(x) = 1/2 − x. For ε in
  // [1.5, 2.5) the hockey stick sums over x ≤ −2: δ = A − e^ε·B with A = P(x ≤ −2) and
  // B = Q(x ≤ −2) = P(x ≤ −3), so at δ = 0.01 ε = ln((A − 0.01)/B) with A = 0.0585581376421085,
  // B = 0.00456717141780325 (Z = Σ e^{−x²/2} over |x| ≤ 40): ε = 2.36386772682539.
  const auto one = analyzer::analyze(load(spec("sigma: 1", "0.01")));
  REQUIRE(verdict(one, "r").value);
  CHECK(*verdict(one, "r").value >= 2.36386772682539 * (1 - 1e-9));
  CHECK(*verdict(one, "r").value <= 2.36386772682539 * 1.01);
  // A declared sensitivity of 3/2 is accounted as 2, never 1.5 or 1: at σ = 3, shift 2, the
  // exact δ(1) = Σ_x [P(x) − e·Q(x)]_+ = 0.0315612472402233 (mpmath, 40 digits), so ε at that
  // δ is 1; with shift 1 it would be below 0.5.
  const auto rounded = analyzer::analyze(load(spec("sigma: 3, sensitivity: 1.5", "0.0315612472402233")));
  REQUIRE(verdict(rounded, "r").value);
  CHECK(*verdict(rounded, "r").value >= 1 - 1e-6);
  CHECK(*verdict(rounded, "r").value <= 1.01);
}

TEST_CASE("two releases with the same noise multiplier but different mechanisms never share a cached figure",
          "[analyzer][composition][discrete_gaussian]") {
  // σ 1, Δ 1 and σ 2, Δ 2: the same σ/Δ, but the coarser lattice leaks more (2.364 at δ 0.01,
  // above). The accounting cache once keyed neither σ nor Δ, so whichever came first gave both
  // figures: the finer one's would have been optimistic for the coarser.
  auto spec = [](const std::string& first, const std::string& second) {
    return "data d { rows: 1000 field x: bool }\n"
           "agent curator { trust: curious, holds: d }\n"
           "agent a { trust: curious }\nagent b { trust: curious }\n"
           "compute c at curator = count(d)\n"
           "compute n1 at curator = discrete_gaussian(c, " + first + ")\n"
           "compute n2 at curator = discrete_gaussian(c, " + second + ")\n"
           "send n1 to a\nsend n2 to b\n"
           "require ra: dp(d) against {a} <= epsilon 1000 at delta 0.01\n"
           "require rb: dp(d) against {b} <= epsilon 1000 at delta 0.01\n";
  };
  for (bool coarse_first : {true, false}) {
    const std::string coarse = "sigma: 1", fine = "sigma: 2, sensitivity: 2";
    const auto a = analyzer::analyze(load(coarse_first ? spec(coarse, fine) : spec(fine, coarse)));
    REQUIRE(verdict(a, "ra").value);
    REQUIRE(verdict(a, "rb").value);
    const double coarse_eps = *verdict(a, coarse_first ? "ra" : "rb").value;
    const double fine_eps = *verdict(a, coarse_first ? "rb" : "ra").value;
    CHECK(coarse_eps >= 2.36386772682539 * (1 - 1e-9));  // its own exact figure, as above
    CHECK(fine_eps < coarse_eps);
  }
}

TEST_CASE("DP-FTRL: tree aggregation and matrix factorisation are the Gaussian of their sensitivity",
          "[analyzer][composition][dpftrl]") {
  auto spec = [](const std::string& mechanism, const std::string& neighbouring) {
    return "data d { rows: 1000 field x: bool" + neighbouring + " }\n"
           "agent server { trust: trusted, holds: d }\n"
           "agent analyst { trust: curious }\n"
           "compute m at server = " + mechanism + "\n"
           "send m to analyst\n"
           "require r: dp(d) against {analyst} <= epsilon 1000 at delta 1e-6\n";
  };
  // 100 steps, 1 tree: a leaf is in floor(log2 100) + 1 = 7 nodes; z = 1: mu = sqrt(7). The exact
  // epsilon of mu-GDP at delta 1e-6 (Dong, Roth & Su 2019, Cor. 2.13, mpmath) is 15.50641;
  // dp_accounting 0.6.0's RDP (SingleEpochTreeAggregationDpEvent(1, 100)) gives 16.43809
  // (tests/dp/data/tree_aggregation_reference.json).
  const auto tree = analyzer::analyze(load(spec("tree_aggregation(d, noise_multiplier: 1, steps: 100)", "")));
  REQUIRE(verdict(tree, "r").value);
  CHECK(*verdict(tree, "r").value >= 15.50641 * (1 - 1e-6));
  CHECK(*verdict(tree, "r").value <= 15.50641 * 1.01);
  // Matrix factorisation with sensitivity 7 at noise multiplier 7 is mu = 1. Tree aggregation over
  // 3 steps with tree completion puts a leaf in ceil(log2 3) + 1 = 3 nodes (2 without): 3 trees
  // give sensitivity^2 9, and z = 3 is mu = 1 too. Exact epsilon of 1-GDP at delta 1e-6:
  // 4.886554 (mpmath).
  const auto mf = analyzer::analyze(load(spec("matrix_factorization(d, noise_multiplier: 7, sensitivity: 7)", "")));
  const auto completed = analyzer::analyze(
      load(spec("tree_aggregation(d, noise_multiplier: 3, steps: 3, epochs: 3, tree_completion: true)", "")));
  for (const auto* a : {&mf, &completed}) {
    REQUIRE(verdict(*a, "r").value);
    CHECK(*verdict(*a, "r").value >= 4.886554 * (1 - 1e-6));
    CHECK(*verdict(*a, "r").value <= 4.886554 * 1.01);
  }
  // Replace-one data: one clipped gradient for another doubles the sensitivity: mu = 2, exact
  // epsilon at delta 1e-6 is 10.99715 (mpmath).
  const auto replaced = analyzer::analyze(
      load(spec("matrix_factorization(d, noise_multiplier: 7, sensitivity: 7)", "\n  neighbouring: replace")));
  REQUIRE(verdict(replaced, "r").value);
  CHECK(*verdict(replaced, "r").value >= 10.99715 * (1 - 1e-6));
  CHECK(*verdict(replaced, "r").value <= 10.99715 * 1.01);
}

TEST_CASE("matrix_factorization computes a banded strategy's sensitivity from its coefficients",
          "[analyzer][composition][dpftrl]") {
  auto spec = [](const std::string& arguments, const std::string& delta) {
    return "param c = 1/2 in [0, 4]\n"
           "data d { rows: 1000 field x: bool }\n"
           "agent server { trust: trusted, holds: d }\n"
           "agent analyst { trust: curious }\n"
           "compute m at server = matrix_factorization(d, " + arguments + ")\n"
           "send m to analyst\n"
           "require r: dp(d) against {analyst} <= epsilon 1000 at delta " + delta + "\n";
  };
  // Brute force over every participation pattern (tests/analyzer/data/banded_mf_reference.py):
  // bands 2, 1, 2 over 10 steps, 4 participations 3 apart: sensitivity^2 31, the last column cut
  // by the last step. z = sqrt(31) (rounded down) is mu = 1: exact epsilon at 1e-6 4.886554.
  const auto cut = analyzer::analyze(
      load(spec("noise_multiplier: sqrt(31), coefficients: [2, 1, 2], steps: 10, epochs: 4, min_separation: 3", "1e-6")));
  REQUIRE(verdict(cut, "r").value);
  CHECK(*verdict(cut, "r").value >= 4.886554117462212 * (1 - 1e-9));
  CHECK(*verdict(cut, "r").value <= 4.886554117462212 * 1.01);
  // gboard_dpftrl's compose_model: bands 1, 1/2, 3/8, 5/16 (the middle one written 3 * c^3 with
  // c = 1/2, an expression over a param), 4 participations 500 apart in 2000 steps:
  // sensitivity^2 381/64, z = 4: epsilon at 1e-10 3.832517 (mpmath).
  const std::string gboard = "noise_multiplier: 4, coefficients: [1, c, 3 * c * c * c, 5/16], steps: 2000, epochs: 4, "
                             "min_separation: 500";
  const auto compose = analyzer::analyze(load(spec(gboard, "1e-10")));
  REQUIRE(verdict(compose, "r").value);
  CHECK(*verdict(compose, "r").value >= 3.832517086223042 * (1 - 1e-9));
  CHECK(*verdict(compose, "r").value <= 3.832517086223042 * 1.01);
  // The same strategy written as its sensitivity gives the same figure (one code path).
  const auto written = analyzer::analyze(load(spec("noise_multiplier: 4, sensitivity: sqrt(381/64)", "1e-10")));
  REQUIRE(verdict(written, "r").value);
  CHECK(*verdict(written, "r").value == Approx(*verdict(compose, "r").value).epsilon(1e-9));
  // Steps left out: unbounded, every participation a whole column (an upper bound for any n):
  // the same 381/64 here; one participation of [7] is sensitivity 7, z = 7: mu = 1.
  const auto unbounded = analyzer::analyze(
      load(spec("noise_multiplier: 4, coefficients: [1, 1/2, 3/8, 5/16], epochs: 4, min_separation: 500", "1e-10")));
  REQUIRE(verdict(unbounded, "r").value);
  CHECK(*verdict(unbounded, "r").value == Approx(*verdict(compose, "r").value).epsilon(1e-9));
  const auto single = analyzer::analyze(load(spec("noise_multiplier: 7, coefficients: [7]", "1e-6")));
  REQUIRE(verdict(single, "r").value);
  CHECK(*verdict(single, "r").value >= 4.886554117462212 * (1 - 1e-9));
  CHECK(*verdict(single, "r").value <= 4.886554117462212 * 1.01);
  // A negative or irrational coefficient counts by its magnitude, rounded up: [-7] is [7], and
  // [-sqrt(49)] too; never below the exact figure.
  for (const char* band : {"-7", "-sqrt(49)", "-(7 - sqrt(2)) - sqrt(2)"}) {
    const auto negative =
        analyzer::analyze(load(spec(std::string("noise_multiplier: 7, coefficients: [") + band + "]", "1e-6")));
    INFO(band);
    REQUIRE(verdict(negative, "r").value);
    CHECK(*verdict(negative, "r").value >= 4.886554117462212 * (1 - 1e-9));
    CHECK(*verdict(negative, "r").value <= 4.886554117462212 * 1.01);
  }
  // The derivation says how the sensitivity was computed.
  std::ostringstream derivation;
  std::function<void(const analyzer::Derivation&)> walk = [&](const analyzer::Derivation& d) {
    derivation << d.text << "\n";
    for (const auto& child : d.children) walk(child);
  };
  walk(verdict(compose, "r").explanation);
  INFO(derivation.str());
  CHECK(derivation.str().find("banded Toeplitz strategy [1, c, 3 * c * c * c, 5/16]") != std::string::npos);
  CHECK(derivation.str().find("sensitivity √(381/64)") != std::string::npos);
  // A param inside a coefficient is re-read when it changes (as tune changes params): c = 1 makes
  // the bands 1, 1, 3, 5/16: sensitivity^2 = 4 * (1 + 1 + 9 + 25/256) = 2841/64.
  flow::Graph changed = load(spec(gboard, "1e-10"));
  changed.params[0].value = 1;
  const auto larger = analyzer::analyze(changed);
  REQUIRE(verdict(larger, "r").value);
  CHECK(*verdict(larger, "r").value > *verdict(compose, "r").value * 2);
}

TEST_CASE("sparse vector, report noisy max and top-k: pure epsilon, top-k as k exponential mechanisms",
          "[analyzer][composition][selection]") {
  auto spec = [](const std::string& releases, const std::string& delta) {
    return "data d { rows: 1000 field x: bool }\n"
           "agent curator { trust: curious, holds: d }\n"
           "agent analyst { trust: curious }\n"
           "compute c at curator = count(d)\n" +
           releases + "require r: dp(d) against {analyst} <= epsilon 1000 at delta " + delta + "\n";
  };
  // At δ = 0 pure ε-DP parts add exactly (basic composition): 1/2 + 1/4 + 3·(1/10) = 21/20.
  const std::string three = "compute sv at curator = sparse_vector(c, epsilon: 1/2, answers: 3)\n"
                            "compute nm at curator = report_noisy_max(c, epsilon: 1/4)\n"
                            "compute tk at curator = top_k(c, epsilon: 1/10, k: 3)\n"
                            "send sv to analyst\nsend nm to analyst\nsend tk to analyst\n";
  const auto pure = analyzer::analyze(load(spec(three, "0")));
  REQUIRE(verdict(pure, "r").value);
  CHECK(*verdict(pure, "r").value == Approx(1.05).epsilon(1e-12));
  CHECK(*verdict(pure, "r").value >= 1.05);
  // Top-k alone at δ > 0: k = 100 selections of ε = 0.1 each compose below k·ε = 10 (bounded
  // range), and never below the exact ε of one pair they cover: 100 exponential mechanisms over
  // two items with scores (0, 0) against (1, 0), P = (1/2, 1/2) against Q = (p, 1 − p) with
  // p = e^{0.05}/(1 + e^{0.05}): ε at δ = 1e-5 is 0.917962235831812 (binomial sum in 40-digit
  // mpmath, bisection on δ(ε)).
  const auto tk = analyzer::analyze(
      load(spec("compute tk at curator = top_k(c, epsilon: 0.1, k: 100)\nsend tk to analyst\n", "1e-5")));
  REQUIRE(verdict(tk, "r").value);
  CHECK(*verdict(tk, "r").value < 10);
  CHECK(*verdict(tk, "r").value >= 0.917962235831812);
  // The same as 100 exponential mechanisms of 0.1 written out.
  const auto em = analyzer::analyze(
      load(spec("compute e at curator = exponential(c, epsilon: 0.1, times: 100)\nsend e to analyst\n", "1e-5")));
  REQUIRE(verdict(em, "r").value);
  CHECK(*verdict(tk, "r").value == *verdict(em, "r").value);
}
