// Beliefs about a latent trait through many `given` fields: the analyzer takes the factored
// engine (inference/factored.hpp), so no size below 1000 fields is undecided, and a bound is
// said to be one.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <sstream>

#include "analyzer/analysis.hpp"
#include "tests/support/spec.hpp"
#include "tests/support/verdicts.hpp"

using namespace privflow;

namespace {

/// A trait of 5 values and `n` likes given it, all sent in the clear to `ads`. `kinds` distinct
/// tables (0: every like its own); the requirements: leakage and posterior of the trait.
std::string likes_spec(int n, int kinds) {
  std::ostringstream s;
  s << "pipeline p\ndata users {\n  rows: 1000\n"
    << "  field trait: {a, b, c, d, e} prior {3/10, 1/4, 1/5, 3/20, 1/10}\n";
  for (int i = 0; i < n; ++i) {
    const int kind = kinds == 0 ? i : i % kinds;
    s << "  field l" << i << ": {no, yes} given trait {";
    for (int v = 0; v < 5; ++v) {
      const int yes = 50 + (kind * 37 + v * 151) % 900;  // thousandths, in (0, 1)
      s << (v ? ", " : "") << "abcde"[v] << ": {" << 1000 - yes << "/1000, " << yes << "/1000}";
    }
    s << "}\n";
  }
  s << "}\nagent platform { trust: trusted, holds: users }\nagent ads { trust: malicious }\n";
  s << "compute seen at platform = select(users";
  for (int i = 0; i < n; ++i) s << ", l" << i;
  s << ")\nsend seen to ads\nadversary A = {ads}\n"
    << "require leakage(users.trait) against A <= 1 bits\n"
    << "require posterior(users.trait = e) against A <= 0.5\n";
  return s.str();
}

}  // namespace

TEST_CASE("factored beliefs: many likes are decided, exactly with equal tables", "[analyzer][factored]") {
  const double cap = std::log2(10.0 / 3);  // log2(1 / V_prior)
  for (int n : {24, 300}) {
    auto analysis = analyzer::analyze(test::load_spec_text("likes.pflow", likes_spec(n, 1)));
    INFO(n << " likes");
    REQUIRE(analysis.verdicts.size() == 2);
    for (const auto& v : analysis.verdicts) {
      INFO(v.name << ": " << v.reason);
      REQUIRE(v.status != analyzer::Status::kUndecided);
      CHECK(v.method == analyzer::Method::kExact);
    }
    CHECK(*analysis.verdicts[0].value <= cap + 1e-9);
  }
}

TEST_CASE("factored beliefs: 200 distinct likes are bounded, said so, never undecided", "[analyzer][factored]") {
  auto analysis = analyzer::analyze(test::load_spec_text("likes.pflow", likes_spec(200, 0)));
  REQUIRE(analysis.verdicts.size() == 2);
  for (const auto& v : analysis.verdicts) {
    INFO(v.name << ": " << v.reason);
    REQUIRE(v.status == analyzer::Status::kViolated);
    CHECK(v.method == analyzer::Method::kBound);
  }
  // The derivation names the bound and the exact leakage's range.
  std::ostringstream text;
  std::function<void(const analyzer::Derivation&)> walk = [&](const analyzer::Derivation& d) {
    text << d.text << "\n";
    for (const auto& c : d.children) walk(c);
  };
  walk(analysis.verdicts[0].explanation);
  CHECK(text.str().find("Bayes capacity") != std::string::npos);
  CHECK(text.str().find("the exact leakage is between") != std::string::npos);
}

TEST_CASE("factored beliefs: the analyzer's figures equal an independent Python fractions computation", "[analyzer][factored]") {
  // Case A of tests/inference/data/factored_reference.py: trait {1/2, 3/10, 1/5}, 12 likes of
  // three kinds, all seen: V_post = 15919777/18750000, max P(trait = c | likes) = 64000/64489.
  const char* kinds[3] = {"a: {9/10, 1/10}, b: {1/2, 1/2}, c: {1/5, 4/5}", "a: {2/5, 3/5}, b: {4/5, 1/5}, c: {3/4, 1/4}",
                          "a: {2/3, 1/3}, b: {2/3, 1/3}, c: {1/3, 2/3}"};
  const int kind_of[12] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
  std::ostringstream s;
  s << "pipeline p\ndata users {\n  rows: 1000\n  field trait: {a, b, c} prior {1/2, 3/10, 1/5}\n";
  for (int i = 0; i < 12; ++i) s << "  field l" << i << ": {no, yes} given trait {" << kinds[kind_of[i]] << "}\n";
  s << "}\nagent platform { trust: trusted, holds: users }\nagent ads { trust: malicious }\n"
    << "compute seen at platform = select(users, l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11)\n"
    << "send seen to ads\nadversary A = {ads}\n"
    << "require leakage(users.trait) against A <= 1 bits\nrequire posterior(users.trait = c) against A <= 0.5\n";
  auto analysis = analyzer::analyze(test::load_spec_text("case_a.pflow", s.str()));
  REQUIRE(analysis.verdicts.size() == 2);
  const double bits = std::log2(15919777.0 / 9375000);
  REQUIRE(analysis.verdicts[0].value);
  CHECK(analysis.verdicts[0].method == analyzer::Method::kExact);
  CHECK(*analysis.verdicts[0].value >= bits);
  CHECK(*analysis.verdicts[0].value <= bits + 1e-3);
  REQUIRE(analysis.verdicts[1].value);
  CHECK(analysis.verdicts[1].method == analyzer::Method::kExact);
  CHECK(*analysis.verdicts[1].value >= 64000.0 / 64489);
  CHECK(*analysis.verdicts[1].value <= 64000.0 / 64489 + 1e-9);
}

TEST_CASE("factored beliefs: an explanation lists a few randomized likes, then how many more", "[analyzer][factored]") {
  // 30 likes, each sent through randomized response: the exact channel names 8 and counts 22.
  std::ostringstream s;
  s << "pipeline p\ndata users {\n  rows: 1000\n  field trait: {a, b} prior {1/2, 1/2}\n";
  for (int i = 0; i < 30; ++i) s << "  field l" << i << ": {no, yes} given trait {a: {9/10, 1/10}, b: {1/5, 4/5}}\n";
  s << "}\nagent platform { trust: trusted, holds: users }\nagent lab { trust: curious }\n";
  for (int i = 0; i < 30; ++i)
    s << "compute r" << i << " at platform = randomized_response(users.l" << i << ", keep: 3/5)\nsend r" << i << " to lab\n";
  s << "require posterior(users.trait = b) against {lab} <= 0.5\n";
  auto analysis = analyzer::analyze(test::load_spec_text("rr_likes.pflow", s.str()));
  REQUIRE(analysis.verdicts.size() == 1);
  std::ostringstream text;
  std::function<void(const analyzer::Derivation&)> walk = [&](const analyzer::Derivation& d) {
    text << d.text << "\n";
    for (const auto& c : d.children) walk(c);
  };
  walk(analysis.verdicts[0].explanation);
  INFO(text.str());
  CHECK(text.str().find("and 22 more randomized responses (lines ") != std::string::npos);
  std::size_t listed = 0;
  for (std::size_t at = text.str().find("randomized response on"); at != std::string::npos;
       at = text.str().find("randomized response on", at + 1))
    ++listed;
  CHECK(listed == 8);
}

namespace {

/// A trait {left, centre, right} (uniform) and 40 likes: even ones P(yes) 1/5, 1/2, 4/5, odd
/// ones 4/5, 1/2, 1/5. The ads partner sees their count (a map of one additive score), and
/// with `also_seen` like l00 in the clear too.
std::string score_spec(bool also_seen) {
  std::ostringstream s;
  s << "pipeline p\ndata users {\n  rows: 1000\n  field leaning: {left, centre, right} prior {1/3, 1/3, 1/3}\n";
  for (int i = 0; i < 40; ++i)
    s << "  field l" << i << ": {no, yes} given leaning "
      << (i % 2 == 0 ? "{left: {4/5, 1/5}, centre: {1/2, 1/2}, right: {1/5, 4/5}}\n"
                     : "{left: {1/5, 4/5}, centre: {1/2, 1/2}, right: {4/5, 1/5}}\n");
  s << "}\nagent platform { trust: trusted, holds: users }\nagent ads { trust: curious }\n"
    << "compute score at platform = map(users, ";
  for (int i = 0; i < 40; ++i) s << (i ? " + " : "") << "(if l" << i << " = yes then 1 else 0)";
  s << ")\nsend score to ads\n";
  if (also_seen) s << "compute first at platform = select(users, l0)\nsend first to ads\n";
  s << "adversary A = {ads}\nrequire posterior(users.leaning = right) against A <= 0.9\n"
    << "require leakage(users.leaning) against A <= 1 bits\n";
  return s.str();
}

}  // namespace

TEST_CASE("factored beliefs: a count of 40 likes is exact, against Python fractions", "[analyzer][factored]") {
  // tests/inference/data/factored_reference.py, "case count 40": P(count | leaning) is the
  // convolution of Bin(20, p_even) and Bin(20, p_odd) in Python fractions: max P(right | count)
  // = 0.35790174130523..., leakage log2(V_post / (1/3)) = 0.15063801425678... bits.
  auto analysis = analyzer::analyze(test::load_spec_text("score.pflow", score_spec(false)));
  REQUIRE(analysis.verdicts.size() == 2);
  const auto& posterior = analysis.verdicts[0];
  const auto& leakage = analysis.verdicts[1];
  CHECK(posterior.status == analyzer::Status::kHolds);
  CHECK(posterior.method == analyzer::Method::kExact);
  CHECK(*posterior.value >= 0.35790174130523);
  CHECK(*posterior.value <= 0.35790174130523 + 1e-9);
  CHECK(leakage.method == analyzer::Method::kExact);
  CHECK(*leakage.value >= 0.15063801425678);
  CHECK(*leakage.value <= 0.15063801425678 + 1e-9);
  CHECK(test::flatten(leakage.explanation).find("map 'score' is a function of one additive score of 40 fields") !=
        std::string::npos);
}

TEST_CASE("factored beliefs: a scored like seen again falls back to a stated bound", "[analyzer][factored]") {
  // The count and l0 together are not independent given leaning: the map is bounded by the
  // fields it reads (seeing all 40 likes), an upper bound that says so.
  auto analysis = analyzer::analyze(test::load_spec_text("score.pflow", score_spec(true)));
  REQUIRE(analysis.verdicts.size() == 2);
  for (const auto& v : analysis.verdicts) {
    INFO(v.name);
    CHECK(v.status != analyzer::Status::kUndecided);
    CHECK(v.method != analyzer::Method::kExact);
    CHECK(test::flatten(v.explanation).find("a map is bounded by the fields it reads") != std::string::npos);
  }
  CHECK(*analysis.verdicts[1].value >= 0.15063801425678);
}

TEST_CASE("factored beliefs: the largest of three counts is exact, against Python fractions", "[analyzer][factored]") {
  // factored_reference.py, "case argmax 30": 30 likes with the same table, seen through which of
  // three counts of 10 is largest. The counts are exchangeable given leaning, so the category
  // tells almost nothing: 0.047926100040368 bits, max P(right | top) 0.3449478066348825.
  // (Bounded by the 30 likes it reads, this was 1.511 bits, violated, after 115 s.)
  std::ostringstream s;
  s << "pipeline p\ndata users {\n  rows: 1000\n  field leaning: {left, centre, right} prior {1/3, 1/3, 1/3}\n";
  for (int i = 0; i < 30; ++i)
    s << "  field l" << i << ": {no, yes} given leaning {left: {4/5, 1/5}, centre: {1/2, 1/2}, right: {1/5, 4/5}}\n";
  s << "}\nagent platform { trust: trusted, holds: users }\nagent ads { trust: curious }\n";
  const auto count = [&](int first) {
    std::string c = "(";
    for (int i = first; i < first + 10; ++i) c += (i > first ? " + " : "") + std::string("(if l") + std::to_string(i) + " = yes then 1 else 0)";
    return c + ")";
  };
  s << "compute top at platform = map(users, if " << count(0) << " > " << count(10) << " and " << count(0) << " > "
    << count(20) << " then 2 else if " << count(10) << " > " << count(20) << " then 0 else 1)\n"
    << "send top to ads\nadversary A = {ads}\nrequire posterior(users.leaning = right) against A <= 0.9\n"
    << "require leakage(users.leaning) against A <= 1 bits\n";
  auto analysis = analyzer::analyze(test::load_spec_text("top.pflow", s.str()));
  REQUIRE(analysis.verdicts.size() == 2);
  for (const auto& v : analysis.verdicts) {
    CHECK(v.status == analyzer::Status::kHolds);
    CHECK(v.method == analyzer::Method::kExact);
  }
  CHECK(*analysis.verdicts[0].value >= 0.3449478066348825);
  CHECK(*analysis.verdicts[0].value <= 0.3449478066348825 + 1e-9);
  CHECK(*analysis.verdicts[1].value >= 0.047926100040368);
  CHECK(*analysis.verdicts[1].value <= 0.047926100040368 + 1e-9);
}

TEST_CASE("factored beliefs: a map that is no score is bounded by its outputs when that is tighter", "[analyzer][factored]") {
  // flag = (l0 and l1) or (l2 and l3) or … over 24 likes: not additive, too large for the joint
  // table (3 · 2^24 cells). Seeing the 24 likes would give log2(3) ≈ 1.585 bits; a yes/no map
  // leaks at most log2(2) = 1 bit (min-entropy leakage ≤ log2 of the number of outputs).
  std::ostringstream s;
  s << "pipeline p\ndata users {\n  rows: 1000\n  field leaning: {left, centre, right} prior {1/3, 1/3, 1/3}\n";
  for (int i = 0; i < 24; ++i)
    s << "  field l" << i << ": {no, yes} given leaning {left: {4/5, 1/5}, centre: {1/2, 1/2}, right: {1/5, 4/5}}\n";
  s << "}\nagent platform { trust: trusted, holds: users }\nagent ads { trust: curious }\n"
    << "compute flag at platform = map(users, ";
  for (int i = 0; i < 24; i += 2) s << (i ? " or " : "") << "(l" << i << " = yes and l" << i + 1 << " = yes)";
  s << ")\nsend flag to ads\nadversary A = {ads}\nrequire leakage(users.leaning) against A <= 1 bits\n";
  auto analysis = analyzer::analyze(test::load_spec_text("flag.pflow", s.str()));
  REQUIRE(analysis.verdicts.size() == 1);
  const auto& v = analysis.verdicts[0];
  CHECK(v.status == analyzer::Status::kHolds);
  CHECK(v.method == analyzer::Method::kBound);
  CHECK(*v.value == 1.0);
  CHECK(test::flatten(v.explanation).find("'flag' (2 outputs) counted by their outputs") != std::string::npos);
}
