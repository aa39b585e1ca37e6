// Metamorphic property audit over random small specs (tests/support/random_spec.hpp): the
// red team's method built into the suite. Each property relates the verdicts of a spec to
// those of a changed spec (or to an independent computation); a counterexample is printed
// with its seed and the spec text, the shortest one first.
//
//   P1 adding a coalition member (an instance, an agent, or one more pick of `any K`) never
//      lowers a figure (unbounded counts as +inf; a violated requirement never comes to hold);
//   P2 adding a release, a `times`, or an observed send never lowers a figure;
//   P3 renaming every name and reordering the statements never changes a figure;
//   P4 splitting `times: n` into two computations (a and n - a) sent to the same places
//      never lowers a figure (releases sent through a shuffler excepted: two shuffles are
//      unlinkable, so the split is a more private protocol);
//   P5 `any K of {…}` equals the worst fixed coalition of exactly K candidates (brute force),
//      and is at least every fixed coalition of at most K;
//   P6 exact figures (posterior, leakage, re-identification) of finite channels (RR with
//      keep, select, map) equal our own Bayes computation in GMP rationals;
//   P7 a forbid rule is violated when an agent in its destination region holds data of its
//      category that an agent in its source region holds;
//   P8 sending the reports of replicas (a population holding D whole), or of senders holding
//      several records each, through a shuffler instead of in plain never lowers a figure.
//
// Environment: PRIVFLOW_PROPERTY_SPECS (default 50 specs per property), PRIVFLOW_PROPERTY_SEED
// (default 20261206; spec i uses seed + i). The nightly fuzz stage runs 5000 (scripts/fuzz).
// Every counterexample found is a regression spec in tests/audit/regressions (README.md there).
#include <catch2/catch.hpp>

#include <gmpxx.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "lang/frontend.hpp"
#include "tests/support/random_spec.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;
using test::RandomSpec;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}
std::uint64_t spec_count() { return env_number("PRIVFLOW_PROPERTY_SPECS", 50); }
std::uint64_t base_seed() { return env_number("PRIVFLOW_PROPERTY_SEED", 20261206); }

std::optional<flow::Graph> try_load(const std::string& text, std::string* messages) {
  return test::try_load(text, messages, "random.pflow");
}

/// Analyses `text`; a spec that does not load fails the test (never skipped).
analyzer::Analysis analyze_text(const std::string& text) {
  std::string messages;
  auto g = try_load(text, &messages);
  if (!g) {
    INFO(text << "\n" << messages);
    FAIL("a generated spec does not load");
  }
  analyzer::Options options;
  options.suggest_fixes = false;
  static const bool verbose = std::getenv("PRIVFLOW_PROPERTY_VERBOSE") != nullptr;
  const auto start = std::chrono::steady_clock::now();
  auto a = analyzer::analyze(*g, options);
  if (verbose)
    std::cerr << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n"
              << (std::chrono::steady_clock::now() - start > std::chrono::seconds(1) ? text : std::string()) << std::flush;
  return a;
}

const analyzer::Verdict* find(const analyzer::Analysis& a, const std::string& name) {
  for (const auto& v : a.verdicts)
    if (v.name == name) return &v;
  return nullptr;
}

std::string show(const analyzer::Verdict& v) {
  std::ostringstream value;
  if (v.value) value << analyzer::value_text(v) << " (" << std::setprecision(17) << *v.value << ")";
  else value << "unbounded (" << analyzer::value_text(v) << ")";
  return std::string(analyzer::status_name(v.status)) + " " + value.str() + " [" + v.explanation.text + "]";
}

double figure(const analyzer::Verdict& v) { return v.value ? *v.value : std::numeric_limits<double>::infinity(); }


/// Equal up to outward rounding (1e-9 relative): see `lowered`.
bool near(double a, double b) {
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
}

/// "" when `after` is not below `before` (undecided verdicts are not compared), else why.
std::string lowered(const analyzer::Verdict& before, const analyzer::Verdict& after) {
  if (before.status == analyzer::Status::kUndecided || after.status == analyzer::Status::kUndecided) return "";
  if (before.status == analyzer::Status::kViolated && after.status == analyzer::Status::kHolds)
    return "violated became holds";
  // Figures are upper bounds rounded outwards: two roundings of the same quantity (log2 3 as
  // an exposure's cap and as an exact channel's leakage) may differ in the 12th digit.
  const double b = figure(before), a = figure(after);
  if (a < b && !(std::isfinite(a) && b - a <= 1e-9 * std::max(1.0, b))) return "figure fell";
  return "";
}

/// The counterexamples of one property, the shortest printed in full.
struct Tally {
  explicit Tally(std::string name) : property(std::move(name)) {}
  std::string property;
  std::uint64_t specs = 0, checked = 0, failed_specs = 0;
  std::string shortest;  // the shortest counterexample's report
  std::size_t shortest_size = SIZE_MAX;
  std::vector<std::uint64_t> seeds;

  void fail(std::uint64_t seed, const std::string& spec_size_key, const std::string& report) {
    if (seeds.empty() || seeds.back() != seed) {
      ++failed_specs;
      seeds.push_back(seed);
    }
    static const bool all = std::getenv("PRIVFLOW_PROPERTY_ALL") != nullptr;
    if (all) std::cout << "counterexample of " << property << ", seed " << seed << "\n" << report << "\n";
    if (spec_size_key.size() < shortest_size) {
      shortest_size = spec_size_key.size();
      shortest = "seed " + std::to_string(seed) + "\n" + report;
    }
  }
  void finish() {
    std::cout << "property " << property << ": " << specs << " specs from seed " << base_seed() << ", " << checked
              << " figures compared, " << (specs - failed_specs) << " specs passed, " << failed_specs << " failed\n";
    if (failed_specs) {
      std::string list;
      for (std::size_t i = 0; i < seeds.size() && i < 12; ++i) list += (i ? " " : "") + std::to_string(seeds[i]);
      std::cout << "  failing seeds: " << list << (seeds.size() > 12 ? " ..." : "") << "\n  shortest counterexample:\n"
                << shortest << "\n";
    }
    INFO(property << ": shortest counterexample (" << failed_specs << " of " << specs << " specs fail)\n" << shortest);
    CHECK(failed_specs == 0);
  }
};

/// Compares every requirement of `before` with the same-named one of `after` (names mapped
/// through `rename` when given) with `check`; counts and records counterexamples.
template <class Check>
void compare_all(Tally& t, std::uint64_t seed, const std::string& before_text, const analyzer::Analysis& before,
                 const std::string& after_text, const analyzer::Analysis& after, const std::vector<std::string>& only,
                 Check check, const std::map<std::string, std::string>* rename = nullptr) {
  for (const auto& b : before.verdicts) {
    if (!only.empty() && std::find(only.begin(), only.end(), b.name) == only.end()) continue;
    std::string name = b.name;
    if (rename && rename->count(name)) name = rename->at(name);
    const analyzer::Verdict* a = find(after, name);
    if (!a) {
      t.fail(seed, before_text, "requirement " + b.name + " is missing after the change");
      continue;
    }
    ++t.checked;
    const std::string why = check(b, *a);
    if (!why.empty())
      t.fail(seed, before_text + after_text,
             "requirement " + b.name + ": " + why + "\n  before: " + show(b) + "\n  after:  " + show(*a) +
                 "\n--- spec ---\n" + before_text + "--- changed spec ---\n" + after_text);
  }
}

// ---------------------------------------------------------------------------------------
// Mutations.

/// One more coalition member in every requirement that can take one: one more pick of an
/// `any K` (when its candidates have room), else one more instance of a population member,
/// else one more named agent.
RandomSpec add_member(RandomSpec s, test::SpecRng& r, std::vector<std::string>* changed) {
  for (auto& q : s.requirements) {
    if (!q.forbid.empty()) continue;
    auto& t = q.target;
    std::set<std::string> used;
    for (const auto& m : t.fixed) used.insert(m.agent);
    for (const auto& c : t.candidates) used.insert(c);
    if (t.k) {
      std::uint64_t capacity = 0;
      for (const auto& c : t.candidates) capacity += s.agent(c)->instances();
      if (capacity > t.k && r.chance(70)) {
        ++t.k;
        changed->push_back(q.name);
        continue;
      }
    }
    std::vector<std::function<void()>> options;
    for (auto& m : t.fixed)
      if (m.count && m.count < s.agent(m.agent)->count) options.push_back([&m] { ++m.count; });
    for (const auto& a : s.agents)
      if (a.trust != "trusted" && !used.count(a.name)) {
        const std::string n = a.name;
        const bool pop = a.population();
        options.push_back([&t, n, pop] { t.fixed.push_back({n, pop ? 1u : 0u}); });
      }
    if (options.empty()) continue;
    options[static_cast<std::size_t>(r.pick(static_cast<int>(options.size())))]();
    changed->push_back(q.name);
  }
  return s;
}

bool takes_times(const std::string& kind) {
  return kind == "laplace" || kind == "geometric" || kind == "gaussian" || kind == "randomized_response" ||
         kind == "exponential" || kind == "declared";
}

/// One more release (a `times`, a DP-SGD step, a new mechanism sent somewhere) or one more
/// send of an existing artifact to an agent that does not hold it. `what` says which.
RandomSpec add_observation(RandomSpec s, test::SpecRng& r, std::string* what) {
  const int choice = r.pick(3);
  if (choice == 0) {
    std::vector<test::ComputeSpec*> releases;
    for (auto& c : s.computes)
      if (takes_times(c.kind) || c.kind == "dpsgd") releases.push_back(&c);
    if (!releases.empty()) {
      auto* c = releases[static_cast<std::size_t>(r.pick(static_cast<int>(releases.size())))];
      if (c->kind == "dpsgd") {
        c->set_param("steps", std::to_string(std::stoi(c->param("steps")) + 1));
        *what = "one more step of " + c->name;
      } else {
        const std::string t = c->param("times");
        c->set_param("times", std::to_string((t.empty() ? 1 : std::stoi(t)) + 1));
        *what = "one more time of " + c->name;
      }
      return s;
    }
  }
  if (choice <= 1) {
    // A new release of the first data set from its first holder, sent in plain to another agent.
    const auto& d = s.data[0];
    const test::AgentSpec* holder = nullptr;
    for (const auto& a : s.agents)
      for (const auto& h : a.holds)
        if (h.first == d.name && !holder) holder = &a;
    test::ComputeSpec c;
    c.name = "extra";
    c.at = holder->name;
    c.release = true;
    if (r.chance(50)) {
      c.kind = "laplace";
      c.inputs = {d.name};
      c.params = {{"epsilon", "1/2"}};
    } else {
      c.kind = "randomized_response";
      c.inputs = {d.name + "." + d.fields[0].name};
      c.params = {{"keep", "3/4"}};
    }
    std::vector<std::string> to;
    for (const auto& a : s.agents)
      if (a.name != holder->name) to.push_back(a.name);
    const std::string dest = r.one(to);
    s.computes.push_back(c);
    s.sends.push_back({c.name, "", dest, ""});
    *what = "a new release " + c.kind + " at " + holder->name + " sent to " + dest;
    return s;
  }
  // A send of an existing artifact from where it is computed to an agent that does not hold it.
  std::vector<std::pair<std::string, std::string>> options;
  for (const auto& c : s.computes)
    for (const auto& a : s.agents)
      if (!s.holds_artifact(a.name, c.name)) options.emplace_back(c.name, a.name);
  if (options.empty()) return add_observation(s, r, what);
  const auto& o = options[static_cast<std::size_t>(r.pick(static_cast<int>(options.size())))];
  s.sends.push_back({o.first, s.compute(o.first)->at, o.second, ""});
  *what = "send " + o.first + " to " + o.second;
  return s;
}

/// A permutation of the statements and a renaming of every name.
std::pair<std::string, std::map<std::string, std::string>> renamed_reordered(const RandomSpec& s, test::SpecRng& r,
                                                                            bool reverse) {
  const std::set<std::string> all = s.names();
  std::vector<std::string> names(all.begin(), all.end());
  std::vector<int> ids(names.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int>(i);
  std::shuffle(ids.begin(), ids.end(), r.engine());
  std::map<std::string, std::string> rename;
  for (std::size_t i = 0; i < names.size(); ++i) rename[names[i]] = "m" + std::to_string(ids[i]) + "_" + names[(i + 1) % names.size()];
  auto statements = s.statements();
  if (reverse) std::reverse(statements.begin(), statements.end());  // every pair of statements swapped
  else std::shuffle(statements.begin(), statements.end(), r.engine());
  std::string text;
  for (const auto& st : statements) text += test::rename_identifiers(st, rename) + "\n";
  return {text, rename};
}

/// Splits a leaf release that takes `times` (given times n ≥ 2 first when it has none) into
/// two computations with times a and n - a, each sent where the original was. Returns the
/// spec before (with its times) and after; false when no leaf release takes times.
bool split_times(const RandomSpec& s, test::SpecRng& r, RandomSpec* before, RandomSpec* after, std::string* what) {
  std::vector<std::size_t> leaves;
  for (std::size_t i = 0; i < s.computes.size(); ++i) {
    const auto& c = s.computes[i];
    if (!takes_times(c.kind)) continue;
    // Two shuffles cannot be linked to each other: splitting a shuffled release legitimately
    // amplifies each part on its own (composition of two shuffled mechanisms), so only
    // releases sent without a shuffler are split.
    bool shuffled = false;
    for (const auto& f : s.sends)
      if (f.artifact == c.name && f.channel.rfind("shuffler", 0) == 0) shuffled = true;
    if (shuffled) continue;
    bool used = false;
    for (const auto& o : s.computes)
      for (const auto& in : o.inputs)
        if (in == c.name) used = true;
    if (!used) leaves.push_back(i);
  }
  if (leaves.empty()) return false;
  const std::size_t i = leaves[static_cast<std::size_t>(r.pick(static_cast<int>(leaves.size())))];
  *before = s;
  auto& c = before->computes[i];
  std::string t = c.param("times");
  int n = t.empty() ? 2 + r.pick(3) : std::stoi(t);
  if (n < 2) n = 2;
  c.set_param("times", std::to_string(n));
  *after = *before;
  const int a = 1 + r.pick(n - 1);
  auto& orig = after->computes[i];
  test::ComputeSpec copy = orig;
  copy.name = orig.name + "_split";
  orig.set_param("times", std::to_string(n - a));
  copy.set_param("times", std::to_string(a));
  const std::string name = orig.name;
  after->computes.push_back(copy);  // (orig is not used past this point)
  std::vector<test::SendSpec> extra;
  for (const auto& f : after->sends)
    if (f.artifact == name) {
      auto g = f;
      g.artifact = copy.name;
      extra.push_back(g);
    }
  for (const auto& g : extra) after->sends.push_back(g);
  *what = "split " + name + " (times " + std::to_string(n) + ") into times " + std::to_string(n - a) + " and " +
          std::to_string(a);
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------

TEST_CASE("property: every generated spec loads", "[audit][property]") {
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    for (const std::string& text : {test::random_spec(seed).text(), test::random_exact_spec(seed).spec.text()}) {
      std::string messages;
      auto g = try_load(text, &messages);
      INFO("seed " << seed << "\n" << text << "\n" << messages);
      REQUIRE(g);
    }
  }
}

TEST_CASE("property P1: adding a coalition member never lowers a figure", "[audit][property]") {
  Tally t{"P1 add a coalition member"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    test::SpecRng r(seed * 7 + 1);
    const RandomSpec s = test::random_spec(seed);
    std::vector<std::string> changed;
    const RandomSpec more = add_member(s, r, &changed);
    const std::string a = s.text(), b = more.text();
    ++t.specs;
    compare_all(t, seed, a, analyze_text(a), b, analyze_text(b), changed,
                [](const auto& x, const auto& y) { return lowered(x, y); });
  }
  t.finish();
}

TEST_CASE("property P2: adding a release, a times or an observed send never lowers a figure",
          "[audit][property]") {
  Tally t{"P2 add a release or a send"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    test::SpecRng r(seed * 7 + 2);
    const RandomSpec s = test::random_spec(seed);
    std::string what;
    const RandomSpec more = add_observation(s, r, &what);
    const std::string a = s.text(), b = "# " + what + "\n" + more.text();
    ++t.specs;
    compare_all(t, seed, a, analyze_text(a), b, analyze_text(b), {},
                [](const auto& x, const auto& y) { return lowered(x, y); });
  }
  t.finish();
}

TEST_CASE("property P3: renaming and reordering never change a figure", "[audit][property]") {
  Tally t{"P3 rename and reorder"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    test::SpecRng r(seed * 7 + 3);
    // Both kinds of spec: the broad ones and the finite-channel ones (sends of select/map/RR).
    const RandomSpec s = i % 2 ? test::random_exact_spec(seed).spec : test::random_spec(seed);
    const std::string a = s.text();
    const auto before = analyze_text(a);
    ++t.specs;
    for (const bool reverse : {false, true}) {
      const auto [b, rename] = renamed_reordered(s, r, reverse);
      compare_all(
          t, seed, a, before, b, analyze_text(b), {},
          [](const analyzer::Verdict& x, const analyzer::Verdict& y) -> std::string {
            if (x.status != y.status) return "status changed";
            if (x.value.has_value() != y.value.has_value()) return "boundedness changed";
            if (x.value && *x.value != *y.value) return "figure changed";
            return "";
          },
          &rename);
    }
  }
  t.finish();
}

TEST_CASE("property P4: splitting a times in two never lowers a figure", "[audit][property]") {
  Tally t{"P4 split times"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    test::SpecRng r(seed * 7 + 4);
    RandomSpec before, after;
    std::string what;
    if (!split_times(test::random_spec(seed), r, &before, &after, &what)) continue;
    const std::string a = before.text(), b = "# " + what + "\n" + after.text();
    ++t.specs;
    compare_all(t, seed, a, analyze_text(a), b, analyze_text(b), {},
                [](const auto& x, const auto& y) { return lowered(x, y); });
  }
  t.finish();
}

TEST_CASE("property P5: any K of equals the worst fixed coalition of K (brute force)", "[audit][property]") {
  Tally t{"P5 any K brute force"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    RandomSpec s = test::random_spec(seed);
    // For each `any K` requirement: one fixed requirement per choice of at most K candidates.
    struct Choice {
      std::string name;
      std::uint64_t size;
    };
    std::map<std::string, std::vector<Choice>> choices;
    std::map<std::string, std::uint64_t> k_of;
    std::vector<test::RequirementSpec> extra;
    for (const auto& q : s.requirements) {
      if (!q.forbid.empty() || !q.target.k) continue;
      k_of[q.name] = q.target.k;
      std::vector<test::RequirementSpec> mine;
      std::vector<std::uint64_t> take(q.target.candidates.size(), 0);
      std::function<void(std::size_t, std::uint64_t)> walk = [&](std::size_t j, std::uint64_t used) {
        if (j == take.size()) {
          if (used == 0 && q.target.fixed.empty()) return;
          test::RequirementSpec b = q;
          b.name = q.name + "_bf" + std::to_string(mine.size());
          b.target.k = 0;
          b.target.candidates.clear();
          for (std::size_t c = 0; c < take.size(); ++c) {
            if (!take[c]) continue;
            const auto* a = s.agent(q.target.candidates[c]);
            b.target.fixed.push_back({a->name, a->population() ? take[c] : 0});
          }
          choices[q.name].push_back({b.name, used});
          mine.push_back(b);
          return;
        }
        const std::uint64_t cap = s.agent(q.target.candidates[j])->instances();
        for (std::uint64_t x = 0; x <= cap && used + x <= q.target.k; ++x) {
          take[j] = x;
          walk(j + 1, used + x);
        }
        take[j] = 0;
      };
      walk(0, 0);
      if (mine.size() > 60) {
        choices.erase(q.name);
        continue;
      }
      extra.insert(extra.end(), mine.begin(), mine.end());
    }
    if (choices.empty()) continue;
    s.requirements.insert(s.requirements.end(), extra.begin(), extra.end());
    const std::string text = s.text();
    const auto a = analyze_text(text);
    ++t.specs;
    for (const auto& [name, list] : choices) {
      const auto* any = find(a, name);
      REQUIRE(any);
      const analyzer::Verdict* worst = nullptr;
      std::string report;
      for (const auto& c : list) {
        const auto* v = find(a, c.name);
        REQUIRE(v);
        ++t.checked;
        const std::string why = lowered(*v, *any);
        if (!why.empty())
          t.fail(seed, text, "requirement " + name + " (" + show(*any) + ") is below the fixed coalition " + c.name +
                                 " (" + show(*v) + "): " + why + "\n--- spec ---\n" + text);
        if (c.size == k_of[name]) {
          if (!worst || (v->status == analyzer::Status::kViolated && worst->status != analyzer::Status::kViolated) ||
              (v->status == worst->status && figure(*v) > figure(*worst)))
            worst = v;
        }
      }
      if (!worst || any->status == analyzer::Status::kUndecided || worst->status == analyzer::Status::kUndecided) continue;
      if (any->status != worst->status || !near(figure(*any), figure(*worst)))
        t.fail(seed, text, "requirement " + name + ": any K gives " + show(*any) + ", the worst fixed choice of K " +
                               worst->name + " gives " + show(*worst) + "\n--- spec ---\n" + text);
    }
  }
  t.finish();
}

// ---------------------------------------------------------------------------------------
// P6: our own Bayes computation of the exact figures.

namespace {

mpq_class q_of(const std::string& fraction) {
  mpq_class x(fraction);
  x.canonicalize();
  return x;
}

/// The prior of every record value (tuples of value indices, odometer order).
std::vector<std::pair<std::vector<std::size_t>, mpq_class>> joint_prior(const test::DataSpec& d) {
  std::vector<std::pair<std::vector<std::size_t>, mpq_class>> out;
  std::vector<std::size_t> x(d.fields.size(), 0);
  while (true) {
    mpq_class p = 1;
    for (std::size_t i = 0; i < d.fields.size(); ++i) {
      const auto& f = d.fields[i];
      if (!f.given.empty()) {
        std::size_t parent = 0;
        while (d.fields[parent].name != f.given) ++parent;
        p *= q_of(f.table[x[parent]][x[i]]);
      } else if (!f.prior.empty()) {
        p *= q_of(f.prior[x[i]]);
      } else {
        p *= mpq_class(1, static_cast<unsigned long>(f.size()));
      }
    }
    out.emplace_back(x, p);
    std::size_t i = 0;
    while (i < x.size() && ++x[i] == d.fields[i].size()) x[i++] = 0;
    if (i == x.size()) break;
  }
  return out;
}

/// The joint P(x, y) over every view y of the target record: y maps to the vector over x.
std::map<std::vector<long>, std::vector<mpq_class>> joint_view(const test::ExactSpec& e,
                                                               const std::vector<std::pair<std::vector<std::size_t>, mpq_class>>& prior) {
  const auto& d = e.spec.data[0];
  std::map<std::vector<long>, std::vector<mpq_class>> view;
  std::vector<mpq_class> start;
  for (const auto& [x, p] : prior) start.push_back(p);
  view[{}] = start;
  for (const auto& ch : e.seen) {
    const std::size_t copies = ch.kind == test::ExactChannel::Kind::kRR ? ch.copies : 1;
    for (std::size_t copy = 0; copy < copies; ++copy) {
      std::map<std::vector<long>, std::vector<mpq_class>> next;
      for (const auto& [y, px] : view) {
        if (ch.kind == test::ExactChannel::Kind::kRR) {
          const std::size_t k = d.fields[ch.field].size();
          const mpq_class keep = q_of(ch.keep);
          const mpq_class other = (1 - keep) / mpq_class(static_cast<unsigned long>(k - 1));
          for (std::size_t o = 0; o < k; ++o) {
            auto y2 = y;
            y2.push_back(static_cast<long>(o));
            auto& v = next[y2];
            v.resize(prior.size());
            for (std::size_t xi = 0; xi < prior.size(); ++xi) v[xi] += px[xi] * (prior[xi].first[ch.field] == o ? keep : other);
          }
        } else {
          for (std::size_t xi = 0; xi < prior.size(); ++xi) {
            if (px[xi] == 0) continue;
            auto y2 = y;
            if (ch.kind == test::ExactChannel::Kind::kSelect)
              for (std::size_t f : ch.selected) y2.push_back(static_cast<long>(prior[xi].first[f]));
            else
              y2.push_back(ch.map.eval(prior[xi].first));
            auto& v = next[y2];
            v.resize(prior.size());
            v[xi] += px[xi];
          }
        }
      }
      view.swap(next);
    }
  }
  return view;
}

/// The clear view's cells (select and map only) and their probabilities.
std::map<std::vector<long>, mpq_class> clear_cells(const test::ExactSpec& e,
                                                   const std::vector<std::pair<std::vector<std::size_t>, mpq_class>>& prior) {
  std::map<std::vector<long>, mpq_class> cells;
  for (const auto& [x, p] : prior) {
    std::vector<long> y;
    for (const auto& ch : e.seen) {
      if (ch.kind == test::ExactChannel::Kind::kSelect)
        for (std::size_t f : ch.selected) y.push_back(static_cast<long>(x[f]));
      else if (ch.kind == test::ExactChannel::Kind::kMap)
        y.push_back(ch.map.eval(x));
    }
    cells[y] += p;
  }
  return cells;
}

double log2q(const mpq_class& x) {
  long en = 0, ed = 0;
  const double n = mpz_get_d_2exp(&en, x.get_num_mpz_t());
  const double dd = mpz_get_d_2exp(&ed, x.get_den_mpz_t());
  return std::log2(n) - std::log2(dd) + static_cast<double>(en - ed);
}

}  // namespace

namespace {

enum class ExactCheck { kPosteriorLeakage, kReidentificationSound, kReidentificationEqual };

/// P6 on random finite-channel specs: `which` figures against our Bayes computation.
void exact_property(Tally& t, ExactCheck which) {
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    const test::ExactSpec e = test::random_exact_spec(seed);
    const std::string text = e.spec.text();
    const auto a = analyze_text(text);
    ++t.specs;
    const auto& d = e.spec.data[0];
    const auto prior = joint_prior(d);
    const auto view = joint_view(e, prior);
    std::string seen;
    for (const auto& ch : e.seen)
      seen += ch.kind == test::ExactChannel::Kind::kRR ? " rr(" + d.fields[ch.field].name + ", keep " + ch.keep + ") x" + std::to_string(ch.copies)
              : ch.kind == test::ExactChannel::Kind::kSelect ? " select" : " map(" + ch.map.text + ")";
    auto expect = [&](const std::string& name, double truth, const std::string& truth_text) {
      const bool reid = name == "reid";
      if (reid == (which == ExactCheck::kPosteriorLeakage)) return;
      const auto* v = find(a, name);
      REQUIRE(v);
      ++t.checked;
      std::string why;
      const bool equal = v->value && std::fabs(*v->value - truth) <= 1e-9 * std::max(1.0, truth);
      if (!v->value) why = "unbounded";
      else if (which == ExactCheck::kReidentificationSound && *v->value < truth && !equal) why = "below the true figure";
      else if (which != ExactCheck::kReidentificationSound && !equal) why = "figure differs";
      if (!why.empty())
        t.fail(seed, text, "requirement " + name + ": " + why + ": privflow " + show(*v) + (v->exact ? " (exact)" : " (bound)") +
                               ", our Bayes computation " + truth_text + "\n  the observer sees:" + seen + "\n--- spec ---\n" + text);
    };
    int post = 0;
    for (std::size_t f = 0; f < d.fields.size(); ++f) {
      // The marginal prior of each value of f, and V_prior.
      std::vector<mpq_class> marginal(d.fields[f].size());
      for (const auto& [x, p] : prior) marginal[x[f]] += p;
      mpq_class v_prior = 0;
      for (const auto& m : marginal) v_prior = std::max(v_prior, m);
      for (std::size_t value = 0; value < d.fields[f].size(); ++value) {
        mpq_class best = 0;
        for (const auto& [y, px] : view) {
          mpq_class py = 0, pv = 0;
          for (std::size_t xi = 0; xi < prior.size(); ++xi) {
            py += px[xi];
            if (prior[xi].first[f] == value) pv += px[xi];
          }
          if (py > 0) best = std::max(best, mpq_class(pv / py));
        }
        best.canonicalize();
        expect("post" + std::to_string(post++), best.get_d(), best.get_str());
      }
      mpq_class v_post = 0;
      for (const auto& [y, px] : view) {
        std::vector<mpq_class> by(d.fields[f].size());
        for (std::size_t xi = 0; xi < prior.size(); ++xi) by[prior[xi].first[f]] += px[xi];
        v_post += *std::max_element(by.begin(), by.end());
      }
      const mpq_class ratio = v_post / v_prior;
      expect("leak" + std::to_string(f), log2q(ratio), "log2(" + ratio.get_str() + ")");
    }
    mpq_class reid = 0;
    for (const auto& [y, p] : clear_cells(e, prior)) {
      mpq_class rest = 1, base = 1 - p;
      for (std::uint64_t k = 1; k < d.rows; ++k) rest *= base;
      reid += p * rest;
    }
    reid.canonicalize();
    expect("reid", reid.get_d(), reid.get_str());
  }
  }

}  // namespace

TEST_CASE("property P6a: exact posterior and leakage of finite channels equal our Bayes computation",
          "[audit][property]") {
  Tally t{"P6a exact posterior and leakage"};
  exact_property(t, ExactCheck::kPosteriorLeakage);
  t.finish();
}

TEST_CASE("property P6b: re-identification through finite channels is never below the cell formula",
          "[audit][property]") {
  Tally t{"P6b re-identification is sound"};
  exact_property(t, ExactCheck::kReidentificationSound);
  t.finish();
}

TEST_CASE("property P6c: re-identification through select and map equals the cell formula",
          "[audit][property]") {
  Tally t{"P6c re-identification is exact"};
  exact_property(t, ExactCheck::kReidentificationEqual);
  t.finish();
}

TEST_CASE("property P7: data held across the border breaks a forbid rule", "[audit][property]") {
  Tally t{"P7 forbid and holders"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    const RandomSpec s = test::random_spec(seed);
    bool any = false;
    for (const auto& q : s.requirements)
      if (!q.forbid.empty()) any = true;
    if (!any) continue;
    const std::string text = s.text();
    const auto a = analyze_text(text);
    ++t.specs;
    for (const auto& q : s.requirements) {
      if (q.forbid.empty()) continue;
      std::istringstream in(q.forbid);
      std::string cat, from_kw, from, to_kw, to;
      in >> cat >> from_kw >> from >> to_kw >> to;
      bool expected = false;
      std::string why;
      for (const auto& d : s.data) {
        bool of_category = d.category == cat;
        for (const auto& f : d.fields) of_category = of_category || f.category == cat;
        if (!of_category) continue;
        const test::AgentSpec* in_from = nullptr;
        const test::AgentSpec* in_to = nullptr;
        for (const auto& ag : s.agents)
          for (const auto& h : ag.holds)
            if (h.first == d.name) {
              if (ag.region == from && !in_from && (ag.region != to || !in_to)) in_from = &ag;
              if (ag.region == to && &ag != in_from && !in_to) in_to = &ag;
            }
        if (in_from && in_to) {
          expected = true;
          why = in_to->name + " in " + to + " holds " + d.name + " (" + cat + "), which " + in_from->name + " holds in " + from;
        }
      }
      if (!expected) continue;
      const auto* v = find(a, q.name);
      REQUIRE(v);
      ++t.checked;
      if (v->status != analyzer::Status::kViolated)
        t.fail(seed, text, "forbid " + q.name + ": " + why + ", yet " + show(*v) + "\n--- spec ---\n" + text);
    }
  }
  t.finish();
}

TEST_CASE("property P8: shuffling replicas or many-record senders hides nothing", "[audit][property]") {
  // Amplification by shuffling (Feldman, McMillan, Talwar 2021) needs every sender to be an
  // ε0-local randomizer of its own record. Replicas (a population holding D whole) all report
  // on the same records: the shuffled multiset tells as much as the reports themselves. A
  // sender holding a partition of many records is no ε0-local randomizer of its input (its
  // report's ε over its whole partition is rows/instances times larger). Either way, sending
  // through a shuffler instead of in plain must not lower a figure.
  Tally t{"P8 shuffled replicas and many-record senders"};
  for (std::uint64_t i = 0; i < spec_count(); ++i) {
    const std::uint64_t seed = base_seed() + i;
    RandomSpec plain = test::random_spec(seed);
    auto* p = plain.agent("p");
    if (!p->population()) continue;
    if (i % 2) {
      p->holds[0].second = false;  // replicas
    } else {
      p->holds[0].second = true;  // partitions of several records each
      plain.data[0].rows = p->count * (2 + i % 5);
    }
    test::SendSpec* first = nullptr;
    for (auto& f : plain.sends)
      if (!first && plain.compute(f.artifact)->at == "p") first = &f;
    if (!first) continue;
    first->channel = "";
    // Its artifact a private mechanism, and a dp and an advantage requirement against its receiver.
    for (auto& c : plain.computes)
      if (c.name == first->artifact && !c.release) {
        c.kind = "laplace";
        c.inputs = {"d0"};
        c.params = {{"epsilon", "1"}};
        c.release = true;
      }
    const auto* receiver = plain.agent(first->to);
    if (receiver->trust == "trusted") continue;
    for (const std::string m : {"dp(d0)", "advantage(d0)"}) {
      test::RequirementSpec q;
      q.name = m[0] == 'd' ? "receiver_dp" : "receiver_adv";
      q.measure = m;
      q.target.fixed = {{receiver->name, receiver->population() ? 1u : 0u}};
      q.bound = m[0] == 'd' ? "epsilon 1" : "1/2";
      plain.requirements.push_back(q);
    }
    RandomSpec shuffled = plain;
    for (auto& f : shuffled.sends)
      if (f.artifact == first->artifact && f.to == first->to) f.channel = "shuffler(by: u)";
    const std::string a = plain.text(), b = shuffled.text();
    ++t.specs;
    compare_all(t, seed, a, analyze_text(a), b, analyze_text(b), {},
                [](const auto& x, const auto& y) { return lowered(x, y); });
  }
  t.finish();
}

// ---------------------------------------------------------------------------------------
// Regressions: counterexamples found by the properties, minimised by hand, in
// tests/audit/regressions/P*_NAME.pflow. Each states the property in `# check:` lines:
//   # check: not_below A B   requirement B's figure is not below A's (nor B holds when A is violated)
//   # check: equals A X      requirement A's figure is X (a fraction), within 1e-9
//   # check: equals_log2 A X requirement A's figure is log2(X) bits, within 1e-9
//   # check: violated A      requirement A is violated
//   # check: reorder         the spec with its statement lines in reverse order has the same figures

namespace {

std::vector<std::string> regression_files(const std::string& prefix) {
  std::vector<std::string> out;
  const std::string dir = std::string(PRIVFLOW_SOURCE_DIR) + "/tests/audit/regressions";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".pflow") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string all_verdicts(const analyzer::Analysis& a) {
  std::string out;
  for (const auto& v : a.verdicts) out += "  " + v.name + ": " + show(v) + (v.exact ? " exact" : "") + "\n";
  return out;
}

void check_regression(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const auto a = analyze_text(text);
  INFO(path << "\n" << all_verdicts(a));
  std::istringstream lines(text);
  std::string line;
  int checks = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string hash, tag, what, x, y;
    words >> hash >> tag >> what >> x >> y;
    if (hash != "#" || tag != "check:") continue;
    ++checks;
    if (what == "not_below") {
      const auto* before = find(a, x);
      const auto* after = find(a, y);
      REQUIRE(before);
      REQUIRE(after);
      INFO(x << " " << show(*before) << " then " << y << " " << show(*after));
      CHECK(lowered(*before, *after) == "");
    } else if (what == "equals") {
      const auto* v = find(a, x);
      REQUIRE(v);
      const double truth = q_of(y).get_d();
      INFO(x << " " << show(*v) << ", expected " << y);
      REQUIRE(v->value);
      CHECK(std::fabs(*v->value - truth) <= 1e-9 * std::max(1.0, truth));
    } else if (what == "equals_log2") {
      const auto* v = find(a, x);
      REQUIRE(v);
      const double truth = log2q(q_of(y));
      INFO(x << " " << show(*v) << ", expected log2(" << y << ") = " << truth);
      REQUIRE(v->value);
      CHECK(std::fabs(*v->value - truth) <= 1e-9 * std::max(1.0, truth));
    } else if (what == "violated") {
      const auto* v = find(a, x);
      REQUIRE(v);
      INFO(x << " " << show(*v));
      CHECK(v->status == analyzer::Status::kViolated);
    } else if (what == "reorder") {
      std::vector<std::string> statements;
      std::istringstream all(text);
      while (std::getline(all, line))
        if (!line.empty() && line[0] != '#') statements.push_back(line);
      std::string reversed;
      for (auto it = statements.rbegin(); it != statements.rend(); ++it) reversed += *it + "\n";
      const auto b = analyze_text(reversed);
      INFO("reversed:\n" << reversed << all_verdicts(b));
      for (const auto& v : a.verdicts) {
        const auto* w = find(b, v.name);
        REQUIRE(w);
        INFO(v.name << ": " << show(v) << " then " << show(*w));
        CHECK(v.status == w->status);
        CHECK(figure(v) == figure(*w));
      }
    } else {
      FAIL("unknown check " << what);
    }
  }
  CHECK(checks > 0);
}

void check_regressions(const std::string& prefix) {
  const auto files = regression_files(prefix);
  CHECK_FALSE(files.empty());
  for (const auto& f : files) check_regression(f);
}

}  // namespace

// Run one file: PRIVFLOW_PROPERTY_FILE=path test_audit "property: one regression file"
TEST_CASE("property: one regression file", "[.][property-file]") {
  const char* path = std::getenv("PRIVFLOW_PROPERTY_FILE");
  REQUIRE(path);
  check_regression(path);
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::cout << all_verdicts(analyze_text(buffer.str()));
}

TEST_CASE("property regressions P1: a coalition member joining lowers a figure", "[audit][property]") {
  check_regressions("p1_");
}
TEST_CASE("property regressions P3: the order of sends changes re-identification", "[audit][property]") {
  check_regressions("p3_");
}
TEST_CASE("property regressions P5: any K below a fixed coalition of fewer", "[audit][property]") {
  check_regressions("p5_");
}
TEST_CASE("property regressions P6: exact figures differ from the Bayes computation", "[audit][property]") {
  check_regressions("p6_");
}
TEST_CASE("property regressions P7: forbid misses data held across the border", "[audit][property]") {
  check_regressions("p7_");
}
TEST_CASE("property regressions P8: shuffling amplifies replicas and many-record senders", "[audit][property]") {
  check_regressions("p8_");
}
