// The catalogue of computations (flow/catalogue.hpp) against the documentation and the layers
// that attach to it: docs/language.md's catalogue tables list the same kinds with the same
// parameters, required pairs, defaults and `only with` rules; the table itself is consistent;
// and every release kind has a privacy profile (analyzer/release_profile.cpp `release_profile`), shown by
// analysing one release of each kind written from the catalogue alone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "flow/catalogue.hpp"
#include "tests/support/spec.hpp"

namespace privflow::flow {
namespace {

// ------------------------------------------------------------------------------------------
// The parameters of a kind as one canonical line, from the catalogue or from the docs:
//   "needs epsilon|scale; optional sensitivity, times=1; delta=0 only with epsilon"
// ------------------------------------------------------------------------------------------

struct ParamsSummary {
  std::vector<std::string> required;   // "epsilon|scale", in order
  std::set<std::string> optional;      // "times=1", "sensitivity"
  std::set<std::string> only_with;     // "delta=0 only with epsilon"

  std::string line() const {
    std::ostringstream out;
    out << "needs";
    for (const auto& group : required) out << " " << group;
    out << "; optional";
    for (const auto& item : optional) out << " " << item;
    for (const auto& rule : only_with) out << "; " << rule;
    return out.str();
  }
};

std::string with_default(ParamKey key) {
  const ParamInfo& info = param_info(key);
  return info.default_text ? std::string(info.name) + "=" + info.default_text : std::string(info.name);
}

ParamsSummary from_catalogue(const KindInfo& kind) {
  ParamsSummary summary;
  std::set<ParamKey> governed;
  for (const ParamRule& rule : kind.rules) {
    governed.insert(rule.first);
    if (rule.kind == ParamRule::Kind::kRequired) {
      std::string group = param_name(rule.first);
      if (rule.second) {
        group += std::string("|") + param_name(*rule.second);
        governed.insert(*rule.second);
      }
      summary.required.push_back(group);
    } else {
      summary.only_with.insert(with_default(rule.first) + " only with " + param_name(*rule.second));
    }
  }
  for (ParamKey key : kind.params)
    if (!governed.count(key)) summary.optional.insert(with_default(key));
  return summary;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(' ') - begin + 1);
}

/// "`times: 1`" -> "times=1"; "`sensitivity`" -> "sensitivity".
std::string doc_param(const std::string& code) {
  const auto colon = code.find(':');
  if (colon == std::string::npos) return trim(code);
  return trim(code.substr(0, colon)) + "=" + trim(code.substr(colon + 1));
}

std::vector<std::string> backticked(const std::string& text) {
  std::vector<std::string> out;
  static const std::regex code("`([^`]*)`");
  for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

/// The docs' parameter cell: `;`-separated groups; `[...]` alone is optional; `a` or `b` is a
/// required pair; `a` [`x: d`] makes x optional only with a. Parenthesised prose and inputs
/// (`D.field`) are not parameters.
ParamsSummary from_docs(std::string cell) {
  cell = std::regex_replace(cell, std::regex(R"(\([^)]*\))"), "");
  ParamsSummary summary;
  std::stringstream groups(cell);
  std::string group;
  while (std::getline(groups, group, ';')) {
    group = trim(group);
    if (group.empty()) continue;
    if (group.front() == '[') {
      for (const auto& code : backticked(group)) summary.optional.insert(doc_param(code));
      continue;
    }
    std::vector<std::string> alternatives;
    std::string last;
    static const std::regex token(R"(\[[^\]]*\]|`[^`]*`)");
    for (std::sregex_iterator it(group.begin(), group.end(), token), end; it != end; ++it) {
      const std::string piece = it->str();
      if (piece.front() == '[') {
        for (const auto& code : backticked(piece)) summary.only_with.insert(doc_param(code) + " only with " + last);
      } else if (piece.find('.') == std::string::npos) {
        last = piece.substr(1, piece.size() - 2);
        alternatives.push_back(last);
      }
    }
    std::string joined;
    for (const auto& name : alternatives) joined += (joined.empty() ? "" : "|") + name;
    summary.required.push_back(joined);
  }
  return summary;
}

/// The rows of the table that follows `heading` in docs/language.md's catalogue section,
/// each split into its cells.
std::vector<std::vector<std::string>> table_after(const std::string& doc, const std::string& heading) {
  const auto section = doc.find("## The catalogue of computations");
  REQUIRE(section != std::string::npos);
  const auto at = doc.find(heading, section);
  INFO(heading);
  REQUIRE(at != std::string::npos);
  std::stringstream lines(doc.substr(at));
  std::string line;
  std::vector<std::vector<std::string>> rows;
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    if (line.rfind("|---", 0) == 0) continue;
    std::vector<std::string> cells;
    std::string cell;
    std::stringstream split(line.substr(1));
    while (std::getline(split, cell, '|')) cells.push_back(trim(cell));
    rows.push_back(cells);
  }
  REQUIRE(rows.size() > 1);
  rows.erase(rows.begin());  // the header
  return rows;
}

std::string language_md() {
  const std::string text = test::read_text(std::string(PRIVFLOW_SOURCE_DIR) + "/docs/language.md");
  REQUIRE(!text.empty());
  return text;
}

}  // namespace

TEST_CASE("the catalogue is indexed by its enums and every rule names a parameter of its kind", "[catalogue]") {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kComputeKindCount; ++i) {
    const KindInfo& kind = catalogue()[i];
    INFO("row " << i);
    REQUIRE(kind.name != nullptr);  // a kind of ComputeKind without its row in catalogue()
    INFO(kind.name);
    CHECK(static_cast<std::size_t>(kind.kind) == i);
    CHECK(names.insert(kind.name).second);
    CHECK(find_kind(kind.name) == &kind);
    CHECK(std::string(kind.description).size() > 10);
    CHECK(is_private(kind.kind) == (kind.guarantee != Guarantee::kNone));
    // The guarantee the hover text promises is the one the analysis reads.
    const std::string description = kind.description;
    CHECK((description.find("pure ε") != std::string::npos) == (kind.guarantee == Guarantee::kPureEpsilon));
    CHECK((description.find("local DP") != std::string::npos) == (kind.guarantee == Guarantee::kLocalPureEpsilon));
    CHECK(is_local_randomizer(kind.kind) ==
          (kind.guarantee == Guarantee::kPureEpsilon || kind.guarantee == Guarantee::kLocalPureEpsilon));
    auto accepted = [&](ParamKey key) {
      return std::find(kind.params.begin(), kind.params.end(), key) != kind.params.end();
    };
    for (const auto& rule : kind.rules) {
      CHECK(accepted(rule.first));
      if (rule.second) CHECK(accepted(*rule.second));
      if (rule.kind == ParamRule::Kind::kOnlyWith) CHECK(rule.second.has_value());
    }
    for (const auto& turn : kind.fix) CHECK(accepted(turn.key));
    // A release has a parameter the fix search turns; a deterministic kind has no parameters.
    CHECK(is_private(kind.kind) == !kind.fix.empty());
    if (!is_private(kind.kind)) CHECK(kind.params.empty());
  }
  for (std::size_t i = 0; i < kParamKeyCount; ++i) {
    const ParamInfo& param = parameters()[i];
    INFO("parameter " << i);
    REQUIRE(param.name != nullptr);  // a ParamKey without its row in parameters()
    CHECK(static_cast<std::size_t>(param.key) == i);
    if (i > 0) CHECK(std::string(parameters()[i - 1].name) < param.name);  // the map's old order
  }
}

TEST_CASE("the catalogue table of docs/language.md lists every private mechanism with its parameters", "[docs][catalogue]") {
  const auto rows = table_after(language_md(), "### Private mechanisms");
  std::vector<std::string> documented, expected;
  for (const auto& kind : catalogue())
    if (is_private(kind.kind)) expected.push_back(kind.name);
  for (const auto& row : rows) {
    REQUIRE(row.size() >= 3);
    const auto names = backticked(row[0]);
    REQUIRE(names.size() == 1);
    documented.push_back(names[0]);
    const KindInfo* kind = find_kind(names[0]);
    INFO("docs/language.md row of " << names[0]);
    REQUIRE(kind != nullptr);
    CHECK(from_docs(row[1]).line() == from_catalogue(*kind).line());
    if (kind->inputs == InputShape::kFiniteField) CHECK(row[1].find("`D.field`") != std::string::npos);
  }
  CHECK(documented == expected);
}

TEST_CASE("the deterministic table of docs/language.md lists every other kind", "[docs][catalogue]") {
  const auto rows = table_after(language_md(), "### Deterministic computations");
  std::vector<std::string> documented, expected;
  for (const auto& kind : catalogue())
    if (!is_private(kind.kind)) expected.push_back(kind.name);
  static const std::regex call(R"(`([a-z_]+)\()");
  for (const auto& row : rows)
    for (std::sregex_iterator it(row[0].begin(), row[0].end(), call), end; it != end; ++it)
      documented.push_back((*it)[1]);
  CHECK(documented == expected);
}

TEST_CASE("the docs parser reads each form of a parameter cell", "[docs][catalogue]") {
  // So that a change of the docs' notation fails here rather than passing vacuously.
  CHECK(from_docs("`epsilon` or `scale`; [`sensitivity`, `times: 1`]").line() ==
        "needs epsilon|scale; optional sensitivity times=1");
  CHECK(from_docs("`epsilon` [`delta: 0`], or `rho` (zero-concentrated DP); [`times: 1`]").line() ==
        "needs epsilon|rho; optional times=1; delta=0 only with epsilon");
  CHECK(from_docs("an input `D.field` of finite type, and `epsilon` or `keep`").line() == "needs epsilon|keep; optional");
}

namespace {

/// A value inside the range, as a spec writes it.
std::string value_in(Range range) {
  switch (range) {
    case Range::kPositive: return "1/2";
    case Range::kWholeAtLeastOne: return "3";
    case Range::kRate: return "1/10";
    case Range::kBelowOne: return "1e-7";
    case Range::kKeepProbability: return "3/4";
    case Range::kFlag: return "false";
    case Range::kBatching: return "poisson";
    case Range::kNumberList: return "[1, 1/2]";
  }
  return "?";
}

/// One release of `kind` over a field, sent to a curious analyst, with a dp requirement. The
/// arguments: for each required rule its first (or, with `second`, its second) alternative.
std::string spec_of(const KindInfo& kind, bool second) {
  // A protocol among members runs at a population with a topology, over its partition of d.
  const bool network = is_network_protocol(kind.kind);
  std::string arguments = kind.inputs == InputShape::kDataOrArtifact ? "(d" : "(d.f";
  for (const auto& rule : kind.rules) {
    if (rule.kind != ParamRule::Kind::kRequired) continue;
    const ParamKey key = second && rule.second ? *rule.second : rule.first;
    arguments += std::string(", ") + param_name(key) + ": " + value_in(param_info(key).range);
  }
  arguments += ")";
  return "pipeline p \"one release\"\n"
         "data d \"records\" {\n  rows: 1000\n  field f: int[0, 1]\n}\n"
         + std::string(network ? "agent owner[10] \"holders\" { trust: trusted, holds: d by partition, topology: ring }\n"
                               : "agent owner \"holder\" { trust: trusted, holds: d }\n") +
         "agent analyst \"reader\" { trust: curious }\n"
         "compute r at owner = " + std::string(kind.name) + arguments + "\n"
         "send r to analyst\n"
         "require dp(d) against analyst <= epsilon 1000000\n";
}

}  // namespace

TEST_CASE("every release kind of the catalogue has a privacy profile", "[catalogue][analyzer]") {
  for (const auto& kind : catalogue()) {
    if (!is_private(kind.kind)) continue;
    for (bool second : {false, true}) {
      const std::string text = spec_of(kind, second);
      INFO(text);
      const Graph graph = test::load_spec_text("catalogue.pflow", text);
      const analyzer::Analysis analysis = analyzer::analyze(graph);
      REQUIRE(analysis.verdicts.size() == 1);
      const auto& verdict = analysis.verdicts[0];
      CHECK(verdict.loss == analyzer::LossKind::kPrivate);
      REQUIRE(verdict.value.has_value());
      CHECK(std::isfinite(*verdict.value));
      CHECK(*verdict.value > 0);
      CHECK(verdict.status == analyzer::Status::kHolds);
    }
  }
}

TEST_CASE("a release is pure epsilon as its kind's guarantee and its written parameters say", "[catalogue]") {
  // The release's `epsilon` composes by basic composition exactly when is_pure_epsilon_release
  // says so: tune --all reads it (analyzer/tune.cpp).
  for (const auto& kind : catalogue()) {
    if (!is_private(kind.kind)) continue;
    for (bool second : {false, true}) {
      const Graph graph = test::load_spec_text("catalogue.pflow", spec_of(kind, second));
      const Artifact* release = nullptr;
      for (const auto& artifact : graph.artifacts)
        if (artifact.kind == kind.kind) release = &artifact;
      REQUIRE(release != nullptr);
      INFO(kind.name << (second ? " (second form)" : ""));
      bool expected = kind.guarantee == Guarantee::kPureEpsilon;
      if (kind.guarantee == Guarantee::kDeclared)
        expected = !release->params.count(ParamKey::kDelta) && !release->params.count(ParamKey::kRho);
      CHECK(is_pure_epsilon_release(*release) == expected);
    }
  }
}

}  // namespace privflow::flow
