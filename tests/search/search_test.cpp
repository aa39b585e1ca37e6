// Worst-case coalitions (`any K of {…}`): counterexamples and proofs for each view rule, a
// brute-force enumerator that must agree on random small specs, and limits giving undecided.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "analyzer/search.hpp"
#include "lang/frontend.hpp"
#include "tests/support/spec.hpp"
#include "tests/support/verdicts.hpp"

using namespace privflow;

namespace {

std::optional<flow::Graph> try_load(const std::string& text, std::string* messages = nullptr) {
  return test::try_load(text, messages);
}

flow::Graph load(const std::string& text) {
  std::string messages;
  auto g = try_load(text, &messages);
  INFO(text << "\n" << messages);
  REQUIRE(g);
  return *g;
}

using test::flatten;
using test::verdict;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("hospital_fl: server plus 15 hospitals opens the secure aggregation", "[search]") {
  auto g = load(read_file(std::string(PRIVFLOW_SOURCE_DIR) + "/examples/hospital_fl.pflow"));
  auto a = analyzer::analyze(g);
  const auto& v = a.verdicts[2];  // advantage against any16
  REQUIRE(v.status == analyzer::Status::kViolated);
  // Server + 15 hospitals (threshold reached) ties with server + 14 hospitals + analyst (the
  // malicious server drops all but one honest share): either is a worst choice.
  const std::string worst = analyzer::describe(g, v.coalition);
  CHECK((worst == "server + hospital[1..15]" || worst == "analyst + server + hospital[1..14]"));
  std::string text = flatten(v.explanation);
  CHECK(text.find("worst choice of any 16 among server, hospital[20], analyst") != std::string::npos);
  CHECK((text.find("secure aggregation of update opened") != std::string::npos ||
         text.find("malicious server drops honest senders of update: 1 honest share(s) left") != std::string::npos));
  // The explanation names the fewest members that reach the figure, and they do reach it.
  CHECK(text.find("4 of hospital only make up the 16: server + hospital[1..11] alone reach the same figure") !=
        std::string::npos);
  std::string spec = read_file(std::string(PRIVFLOW_SOURCE_DIR) + "/examples/hospital_fl.pflow");
  for (const std::string members : {"{server, 11 of hospital}", "{server, 10 of hospital}"}) {
    std::string fixed = spec;
    const std::string any = "any 16 of {server, hospital, analyst}";
    fixed.replace(fixed.find(any), any.size(), members);
    const auto core = analyzer::analyze(load(fixed)).verdicts[2];
    INFO(members);
    REQUIRE(core.value);
    if (members == "{server, 11 of hospital}") CHECK(*core.value == *v.value);
    else CHECK(*core.value < *v.value);  // one fewer hospital no longer reaches it
  }
}

namespace {

// Secure sum of 10 clients (threshold 6, min_clients 8) to a server, forwarded to an analyst.
std::string secure_sum(const std::string& server_trust, const std::string& target, const std::string& bound) {
  return "data d { rows: 1000 field x: {a, b} }\n"
         "agent client[10] { trust: curious, holds: d by partition }\n"
         "agent server { trust: " + server_trust + " }\n"
         "agent analyst { trust: curious }\n"
         "compute g at client = gaussian(d, sigma: 4, distributed: true)\n"
         "send g to server via secure_aggregation(threshold: 6, min_clients: 8)\n"
         "compute s at server = aggregate(g)\n"
         "send s to analyst\n"
         "require r: dp(d) against " + target + " <= epsilon " + bound + "\n";
}

}  // namespace

TEST_CASE("view rules: counterexamples and proofs", "[search]") {
  struct Case {
    std::string spec;
    analyzer::Status status;
    std::string coalition;  // the worst choice
    std::string why;        // a phrase of the explanation
  };
  const Case cases[] = {
      // threshold: server + 6 clients open the sum (each update seen: sigma 4/sqrt(10) alone).
      {secure_sum("curious", "any 7 of {server, client, analyst}", "1"), analyzer::Status::kViolated,
       "server + client[1..6]", "secure aggregation of g opened"},
      // 6 picks cannot include the server and 6 clients: the sum keeps ≥ 5 honest shares.
      {secure_sum("curious", "any 6 of {server, client, analyst}", "1000"), analyzer::Status::kHolds, "",
       "proof over all choices: no choice of 6 among server, client[10], analyst"},
      // a malicious server with 5 clients keeps max(1, 8 - 5) = 3 honest shares.
      {secure_sum("malicious", "{server} + any 5 of {client}", "1"), analyzer::Status::kViolated, "server + client[1..5]",
       "malicious server drops honest senders"},
      // all 10 clients hold every partition.
      {secure_sum("curious", "any 10 of {client, analyst}", "1000"), analyzer::Status::kViolated, "client[1..10]",
       "hold every partition"},
      // the analyst alone sees the sum: 10 honest shares, sigma 4.
      {secure_sum("curious", "any 1 of {analyst, server}", "100"), analyzer::Status::kHolds, "",
       "proof over all choices: no choice of 1 among analyst, server violates it"},
  };
  for (const auto& c : cases) {
    auto g = load(c.spec);
    auto a = analyzer::analyze(g);
    const auto& v = verdict(a, "r");
    std::string text = flatten(v.explanation);
    INFO(c.spec << "\n" << text);
    CHECK(v.status == c.status);
    if (!c.coalition.empty()) CHECK(analyzer::describe(g, v.coalition) == c.coalition);
    CHECK(text.find(c.why) != std::string::npos);
  }
}

TEST_CASE("shuffler: the shuffler with the receiver opens the shuffle", "[search]") {
  const std::string spec =
      "data d { rows: 100000 field x: {a, b, c, d} }\n"
      "agent phone[100000] { trust: curious, holds: d by partition }\n"
      "agent shuf { trust: curious }\n"
      "agent collector { trust: curious }\n"
      "agent other { trust: curious }\n"
      "compute r at phone = randomized_response(d.x, epsilon: 2)\n"
      "send r to collector via shuffler(by: shuf)\n"
      "require open: dp(d) against any 2 of {shuf, collector, other, phone} <= epsilon 1.5\n"
      "require closed: dp(d) against {collector} + any 2 of {other, phone} <= epsilon 1.5\n";
  auto g = load(spec);
  auto a = analyzer::analyze(g);
  const auto& open = verdict(a, "open");
  INFO(flatten(open.explanation));
  CHECK(open.status == analyzer::Status::kViolated);
  CHECK(analyzer::describe(g, open.coalition) == "collector + shuf");
  CHECK(flatten(open.explanation).find("opens the shuffle of r") != std::string::npos);
  const auto& closed = verdict(a, "closed");
  INFO(flatten(closed.explanation));
  CHECK(closed.status == analyzer::Status::kHolds);
}

namespace {

/// A server and n phones summing their noise securely, with `any n/2 of {server, phone}`.
std::string half_of_phones_spec(std::uint64_t n) {
  return "data d { rows: " + std::to_string(n) + " field x: {a, b} }\n"
         "agent phone[" + std::to_string(n) + "] { trust: curious, holds: d by partition }\n"
         "agent server { trust: malicious }\n"
         "compute g at phone = gaussian(d, sigma: 2, distributed: true)\n"
         "send g to server via secure_aggregation(threshold: " + std::to_string(n / 2) + ")\n"
         "adversary adv = any " + std::to_string(n / 2) + " of {server, phone}\n"
         "require r: dp(d) against adv <= epsilon 1000\n";
}

/// A stand-in loss for that spec: violated exactly when the server and ≥ n/2 - 1 phones are in.
analyzer::Verdict half_of_phones_loss(const flow::Graph& g, std::uint64_t n, const analyzer::Coalition& c) {
  analyzer::Verdict v;
  v.coalition = c;
  const flow::Id phone = g.find_agent("phone"), server = g.find_agent("server");
  v.value = static_cast<double>(c.count(phone) + (c.contains(server) ? 1000 : 0));
  v.status = c.contains(server) && c.count(phone) + 1 >= n / 2 ? analyzer::Status::kViolated : analyzer::Status::kHolds;
  return v;
}

}  // namespace

TEST_CASE("populations of a million cost what ten do", "[search]") {
  for (std::uint64_t n : {10ull, 1000ull, 1000000ull}) {
    auto g = load(half_of_phones_spec(n));
    analyzer::SearchStats stats;
    analyzer::Coalition fixed;
    fixed.taken.assign(g.agents.size(), 0);
    std::uint64_t calls = 0;
    auto eval = [&](const analyzer::Coalition& c) {
      ++calls;
      return half_of_phones_loss(g, n, c);
    };
    auto v = analyzer::search_worst(g, g.adversaries[0].coalition, fixed, eval, {}, 0, {}, &stats);
    INFO("n = " << n << ", evaluations " << stats.evaluations << ", classes " << stats.classes);
    CHECK(v.status == analyzer::Status::kViolated);
    CHECK(stats.evaluations <= 10);
    CHECK(calls <= 12);
  }
}

TEST_CASE("limits give undecided, never holds", "[search]") {
  auto g = load(secure_sum("curious", "any 7 of {server, client, analyst}", "1"));
  const auto& target = g.requirements[0].coalition;
  analyzer::Coalition fixed;
  fixed.taken.assign(g.agents.size(), 0);
  auto value_of = [&](const analyzer::Coalition& c) {
    analyzer::Verdict v;
    v.coalition = c;
    v.value = static_cast<double>(c.count(g.find_agent("client")) + 3 * c.count(g.find_agent("server")) +
                                  c.count(g.find_agent("analyst")));
    v.status = *v.value > 100 ? analyzer::Status::kViolated : analyzer::Status::kHolds;
    return v;
  };
  SECTION("an evaluation limit") {
    // Holds everywhere, but the limit stops the search before the proof... and even then the
    // whole candidate set at once holds: a proof by the upper bound.
    analyzer::SearchLimits limits;
    limits.max_evaluations = 1;
    auto v = analyzer::search_worst(g, target, fixed, value_of, {}, 0, limits);
    CHECK(v.status == analyzer::Status::kHolds);
    CHECK(flatten(v.explanation).find("even all of them together hold") != std::string::npos);
  }
  SECTION("a limit with a violating upper bound is undecided") {
    auto tight = [&](const analyzer::Coalition& c) {
      analyzer::Verdict v = value_of(c);
      // Violated only when the whole candidate set is in (more than 7: never a real choice).
      v.status = c.count(g.find_agent("client")) + c.count(g.find_agent("server")) + c.count(g.find_agent("analyst")) > 7
                     ? analyzer::Status::kViolated
                     : analyzer::Status::kHolds;
      return v;
    };
    analyzer::SearchLimits limits;
    limits.max_evaluations = 1;
    auto v = analyzer::search_worst(g, target, fixed, tight, {}, 0, limits);
    CHECK(v.status == analyzer::Status::kUndecided);
    CHECK(v.reason.find("search limit of 1 evaluations") != std::string::npos);
    // Without the limit, the same search proves it holds.
    auto full = analyzer::search_worst(g, target, fixed, tight, {}, 0);
    CHECK(full.status == analyzer::Status::kHolds);
  }
  SECTION("a Z3 resource limit") {
    analyzer::SearchLimits limits;
    limits.rlimit = 1;
    auto tight = [&](const analyzer::Coalition& c) {
      analyzer::Verdict v = value_of(c);
      v.status = c.count(g.find_agent("client")) + c.count(g.find_agent("server")) + c.count(g.find_agent("analyst")) > 7
                     ? analyzer::Status::kViolated
                     : analyzer::Status::kHolds;
      return v;
    };
    auto v = analyzer::search_worst(g, target, fixed, tight, {}, 0, limits);
    CHECK(v.status == analyzer::Status::kUndecided);
    CHECK(v.reason.find("Z3") != std::string::npos);
  }
}

namespace {

struct RandomSpec {
  std::string text;
  std::vector<std::pair<std::string, std::uint64_t>> candidates;  // name, instances
  std::uint64_t k = 0;
  std::string fixed;  // "server" or ""
};

RandomSpec random_spec(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  RandomSpec s;
  const std::uint64_t n1 = 2 + pick(4), n2 = 1 + pick(3);
  const bool malicious = pick(2);
  std::ostringstream t;
  t << "data d { rows: 60 field x: {a, b, c} }\n";
  t << "agent p[" << n1 << "] { trust: curious, holds: d by partition }\n";
  t << "agent q[" << n2 << "] { trust: curious }\n";
  t << "agent server { trust: " << (malicious ? "malicious" : "curious") << " }\n";
  t << "agent analyst { trust: curious }\n";
  t << "agent shuf { trust: curious }\n";
  switch (pick(3)) {
    case 0: t << "compute u at p = gaussian(d, sigma: " << (1 + pick(6)) << ", distributed: true)\n"; break;
    case 1: t << "compute u at p = laplace(d, epsilon: " << (1 + pick(4)) << "/4)\n"; break;
    default: t << "compute u at p = randomized_response(d.x, epsilon: " << (1 + pick(3)) << ")\n"; break;
  }
  switch (pick(3)) {
    case 0: {
      std::uint64_t th = 1 + pick(static_cast<int>(n1)), mc = th + pick(static_cast<int>(n1 - th + 1));
      t << "send u to server via secure_aggregation(threshold: " << th << ", min_clients: " << mc << ")\n";
      break;
    }
    case 1: t << "send u to server via shuffler(by: shuf)\n"; break;
    default: t << "send u to server\n"; break;
  }
  t << "compute agg at server = aggregate(u)\n";
  if (pick(2)) {
    t << "send agg to q\n";
    t << "compute w at q = laplace(agg, epsilon: 1/2)\n";
    t << "send w to analyst\n";
  } else {
    t << "send agg to analyst\n";
    // a second secure sum from p to q
    t << "compute u2 at p = gaussian(d, sigma: " << (2 + pick(4)) << ", distributed: true)\n";
    t << "send u2 to q via secure_aggregation(threshold: " << (1 + pick(static_cast<int>(n1))) << ")\n";
  }
  s.candidates = {{"server", 1}, {"p", n1}, {"q", n2}, {"analyst", 1}, {"shuf", 1}};
  if (pick(3) == 0) {
    s.fixed = "server";
    s.candidates.erase(s.candidates.begin());
  }
  std::uint64_t capacity = 0;
  for (const auto& c : s.candidates) capacity += c.second;
  s.k = 1 + rng() % std::min<std::uint64_t>(capacity, 6);
  std::vector<std::string> names;
  for (const auto& c : s.candidates) names.push_back(c.first);
  std::string choice = "any " + std::to_string(s.k) + " of {";
  for (std::size_t i = 0; i < names.size(); ++i) choice += (i ? ", " : "") + names[i];
  choice += "}";
  const std::string target = s.fixed.empty() ? choice : "{" + s.fixed + "} + " + choice;
  const std::string eps = std::to_string(1 + pick(12));
  const std::string adv = "0." + std::to_string(1 + pick(9));
  t << "require search_dp: dp(d) against " << target << " <= epsilon " << eps << "\n";
  t << "require search_adv: advantage(d) against " << target << " <= " << adv << "\n";
  // Brute force: one requirement per split of exactly K among the candidates.
  std::vector<std::uint64_t> take(s.candidates.size(), 0);
  int index = 0;
  std::function<void(std::size_t, std::uint64_t)> walk = [&](std::size_t i, std::uint64_t left) {
    if (i == s.candidates.size()) {
      if (left != 0) return;
      std::vector<std::string> members;
      if (!s.fixed.empty()) members.push_back(s.fixed);
      for (std::size_t j = 0; j < take.size(); ++j) {
        if (take[j] == 0) continue;
        members.push_back(s.candidates[j].second == 1 ? s.candidates[j].first
                                                      : std::to_string(take[j]) + " of " + s.candidates[j].first);
      }
      std::string c = "{";
      for (std::size_t j = 0; j < members.size(); ++j) c += (j ? ", " : "") + members[j];
      c += "}";
      t << "require bf_dp_" << index << ": dp(d) against " << c << " <= epsilon " << eps << "\n";
      t << "require bf_adv_" << index << ": advantage(d) against " << c << " <= " << adv << "\n";
      ++index;
      return;
    }
    for (std::uint64_t x = 0; x <= std::min(s.candidates[i].second, left); ++x) {
      take[i] = x;
      walk(i + 1, left - x);
    }
    take[i] = 0;
  };
  walk(0, s.k);
  s.text = t.str();
  return s;
}

/// The worse of two verdicts for the user (violated, then the larger value; unbounded largest).
bool worse(const analyzer::Verdict& a, const analyzer::Verdict& b) {
  if (a.status != b.status) return a.status == analyzer::Status::kViolated;
  if (!a.value && b.value) return true;
  if (!b.value) return false;
  return *a.value > *b.value;
}

}  // namespace

TEST_CASE("brute force agrees with the search on random small specs", "[search][random]") {
  std::mt19937 rng(20261122);
  int checked = 0;
  for (int round = 0; round < 150; ++round) {
    RandomSpec s = random_spec(rng);
    std::string messages;
    auto g = try_load(s.text, &messages);
    if (!g) {
      INFO(s.text << messages);
      FAIL("generated spec does not load");
    }
    analyzer::Options no_fixes;
    no_fixes.suggest_fixes = false;  // fixes are not what this test compares, and they cost
    auto a = analyzer::analyze(*g, no_fixes);
    for (const std::string measure : {"dp", "adv"}) {
      const auto& v = verdict(a, "search_" + measure);
      const analyzer::Verdict* truth = nullptr;
      for (const auto& w : a.verdicts)
        if (w.name.rfind("bf_" + measure + "_", 0) == 0 && (!truth || worse(w, *truth))) truth = &w;
      REQUIRE(truth);
      INFO(s.text << "\nsearch: " << analyzer::status_name(v.status) << " " << analyzer::value_text(v) << " "
                  << analyzer::describe(*g, v.coalition) << "\nbrute force: " << analyzer::status_name(truth->status) << " "
                  << analyzer::value_text(*truth) << " " << analyzer::describe(*g, truth->coalition) << "\n" << flatten(v.explanation));
      REQUIRE(v.status == truth->status);
      REQUIRE(v.value.has_value() == truth->value.has_value());
      if (v.value) CHECK(*v.value == *truth->value);
      ++checked;
    }
  }
  CHECK(checked == 300);
}

TEST_CASE("a spent time budget stops the search: undecided, never holds", "[search][limits]") {
  // The stand-in of "populations of a million cost what ten do": violated only with the
  // server and half the phones. With the budget already spent, no choice is evaluated, and
  // all candidates together violate: no proof, so undecided.
  const std::uint64_t n = 1000;
  auto g = load(half_of_phones_spec(n));
  analyzer::Coalition fixed;
  fixed.taken.assign(g.agents.size(), 0);
  auto eval = [&](const analyzer::Coalition& c) { return half_of_phones_loss(g, n, c); };
  analyzer::Options options;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  analyzer::SearchStats stats;
  auto v = analyzer::search_worst(g, g.adversaries[0].coalition, fixed, eval, options, 0, {}, &stats);
  INFO(flatten(v.explanation));
  CHECK(v.status == analyzer::Status::kUndecided);
  CHECK(v.reason.find("the time budget of the analysis") != std::string::npos);
  CHECK(stats.evaluations == 0);

  // The whole analysis with its budget spent: every requirement undecided, not analysed.
  analyzer::Options spent;
  spent.time_budget_ms = 5;
  spent.deadline = options.deadline;
  const auto a = analyzer::analyze(g, spent);
  REQUIRE(a.verdicts.size() == 1);
  CHECK(a.verdicts[0].status == analyzer::Status::kUndecided);
  CHECK(a.verdicts[0].reason == "not analysed: the time budget of 5 ms was spent");
  CHECK(a.exit_code() == 3);
}
