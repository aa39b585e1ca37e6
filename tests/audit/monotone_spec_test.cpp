// Soundness audit at the level of whole specs: composing more never lowers what an adversary
// learns. Every example is analysed as written and again with every `steps`, `epochs` and
// `times` doubled (more releases of the same kind); no figure may go down and no violated
// requirement may come to hold. A decrease would mean some part of the pipeline's
// composition is dropped or under-counted somewhere.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "analyzer/analysis.hpp"
#include "analyzer/wording.hpp"
#include "tests/support/spec.hpp"

using namespace privflow;

namespace {

analyzer::Analysis analyze_text(const std::string& name, const std::string& text) {
  analyzer::Options options;
  options.suggest_fixes = false;
  return analyzer::analyze(test::load_spec_text(name, text), options);
}

/// The spec with every `steps: N`, `epochs: N` and `times: N` doubled; "" when it has none.
std::string doubled(const std::string& text) {
  static const std::regex count(R"(\b(steps|epochs|times)(\s*:\s*)([0-9][0-9_]*)\b)");
  std::string out;
  auto last = text.cbegin();
  bool changed = false;
  for (std::sregex_iterator it(text.begin(), text.end(), count), end; it != end; ++it) {
    const auto& m = *it;
    out.append(last, m[0].first);
    std::string digits = m[3].str();
    digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
    out += m[1].str() + m[2].str() + std::to_string(2 * std::stoull(digits));
    last = m[0].second;
    changed = true;
  }
  out.append(last, text.cend());
  return changed ? out : std::string();
}

}  // namespace

TEST_CASE("doubling every count of releases never lowers a figure", "[audit][analyzer]") {
  int compared = 0;
  for (const char* example : {"hospital_fl", "phones_shuffler", "rr_survey", "social_recommender",
                              "genai_finetune", "census_stats", "support_agents", "smart_meters"}) {
    const std::string path = test::example_path(example);
    const std::string text = test::read_text(path);
    const std::string more = doubled(text);
    if (more.empty()) continue;
    const auto before = analyze_text(path, text);
    const auto after = analyze_text(path, more);
    REQUIRE(before.verdicts.size() == after.verdicts.size());
    for (std::size_t i = 0; i < before.verdicts.size(); ++i) {
      const auto& b = before.verdicts[i];
      const auto& a = after.verdicts[i];
      INFO(example << ": " << b.name << ": " << analyzer::value_text(b) << " (" << b.reason << ") then " << analyzer::value_text(a) << " ("
                   << a.reason << ")");
      if (b.status == analyzer::Status::kViolated) CHECK(a.status != analyzer::Status::kHolds);
      if (b.value && a.value) CHECK(*a.value >= *b.value - 1e-9);
      if (!b.value && b.status == analyzer::Status::kViolated) CHECK_FALSE(a.value);
      ++compared;
    }
  }
  CHECK(compared >= 8);
}
