// libFuzzer target: the whole analysis of valid specs, as `privflow check` and `report` run it.
// Parse and check the bytes; when they are a valid spec, analyse it (solver limit 2 s a query)
// and render the text and JSON reports. The search for fixes (re-analyses with changed
// parameters; 5x the time of the flagship's analysis under ASan) runs only when the environment
// sets PRIVFLOW_FUZZ_FIXES, so that CI's 2 minutes reach more specs. Aborts on:
//   - an exception out of analyze() or a report (analyze "never throws on a valid graph");
//   - a NaN anywhere in the verdicts or the leakage matrix;
//   - a verdict that holds without a finite value within its bound (value <= bound, both
//     rounded up: rounding up is monotone, so a sound "holds" always passes), or a forbid rule
//     that holds with an offender;
//   - a JSON report that does not parse.
// Structure-aware: LLVMFuzzerCustomMutator edits specs token by token (numbers, names,
// keywords of one class, whole statements), so most mutants stay valid and reach the analysis.
#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analysis.hpp"
#include "base/rational.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "report/report.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using privflow::analyzer::Status;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_analysis: %s\n", what.c_str());
  std::abort();
}

bool is_probability(privflow::flow::Measure m) {
  using M = privflow::flow::Measure;
  return m == M::kPosterior || m == M::kAdvantage || m == M::kReidentification || m == M::kMembership ||
         m == M::kReconstruction;
}

/// The invariants every analysis must keep (see the file comment).
void check_analysis(const privflow::flow::Graph& graph, const privflow::analyzer::Analysis& a) {
  for (const auto& v : a.verdicts) {
    if (v.value && std::isnan(*v.value)) fail("NaN value in verdict " + v.name);
    if (std::isnan(v.delta)) fail("NaN delta in verdict " + v.name);
    for (const auto& t : v.releases)
      if (std::isnan(t.epsilon_alone) || std::isnan(t.share)) fail("NaN release epsilon in verdict " + v.name);
    if (v.status != Status::kHolds) continue;
    if (v.measure == privflow::flow::Measure::kForbid) {
      if (!v.crossings.empty()) fail("forbid " + v.name + " holds with an offender");
      continue;
    }
    if (!v.value) fail("verdict " + v.name + " holds without a value (unbounded)");
    const double x = *v.value;
    if (!std::isfinite(x)) fail("verdict " + v.name + " holds with an infinite value");
    if (x < 0) fail("verdict " + v.name + " holds with a negative value");
    if (is_probability(v.measure) && x > 1) fail("verdict " + v.name + " holds with a probability above 1");
    if (x > privflow::to_double_up(v.bound))
      fail("verdict " + v.name + " holds with value " + std::to_string(x) + " above its bound " +
           privflow::format_exact(v.bound));
  }
  for (const auto& cell : a.leakage)
    if ((cell.epsilon && std::isnan(*cell.epsilon)) || std::isnan(cell.delta)) fail("NaN in the leakage matrix");
  (void)graph;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace privflow;
  lang::SourceFile source("fuzz.pflow", std::string(reinterpret_cast<const char*>(data), size));
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  if (!graph) return 0;
  try {
    analyzer::Options options;
    options.solver_timeout_ms = 2000;
    // The flagship example takes about 5 s under ASan; on a loaded machine a mutated copy passed
    // libFuzzer's 10 s limit. A budget keeps the harness about crashes, not speed (what is not
    // reached is undecided, never `holds`).
    options.time_budget_ms = 4000;
    options.suggest_fixes = std::getenv("PRIVFLOW_FUZZ_FIXES") != nullptr;
    analyzer::Analysis analysis = analyzer::analyze(*graph, options);
    check_analysis(*graph, analysis);
    report::Options ropts;
    ropts.spec_path = "fuzz.pflow";
    std::string text = report::to_text(*graph, analysis, ropts);
    ropts.compact = true;
    text += report::to_text(*graph, analysis, ropts);
    std::string json = report::to_json(*graph, analysis, ropts);
    auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) fail("the JSON report does not parse:\n" + json);
    if (!parsed.contains("requirements") || parsed["requirements"].size() != analysis.verdicts.size())
      fail("the JSON report lacks requirements");
  } catch (const std::exception& e) {
    fail(std::string("uncaught exception: ") + e.what());
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The structure-aware mutator.

namespace {

enum class Tok { kSpace, kIdent, kNumber, kString, kPunct };

struct Token {
  Tok kind;
  std::string text;
};

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

/// A loose lexer: whitespace and comments are kept as tokens, so joining the tokens gives the
/// input back byte for byte; any byte it does not know is a one-byte punctuation token.
std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const char c = s[i];
    Tok kind = Tok::kPunct;
    if (std::isspace(static_cast<unsigned char>(c)) || c == '#' || (c == '/' && i + 1 < s.size() && s[i + 1] == '/')) {
      kind = Tok::kSpace;
      while (i < s.size()) {
        if (s[i] == '#' || (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '/')) {
          while (i < s.size() && s[i] != '\n') ++i;
        } else if (std::isspace(static_cast<unsigned char>(s[i]))) {
          ++i;
        } else {
          break;
        }
      }
    } else if (ident_start(c)) {
      kind = Tok::kIdent;
      while (i < s.size() && ident_char(s[i])) ++i;
    } else if (digit(c)) {
      kind = Tok::kNumber;
      while (i < s.size() && (ident_char(s[i]) || s[i] == '.' ||
                              ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E'))))
        ++i;
      if (i + 1 < s.size() && s[i] == '/' && digit(s[i + 1])) {  // an exact ratio 1/3
        ++i;
        while (i < s.size() && (ident_char(s[i]) || s[i] == '.')) ++i;
      }
    } else if (c == '"') {
      kind = Tok::kString;
      ++i;
      while (i < s.size() && s[i] != '"' && s[i] != '\n') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
      if (i < s.size() && s[i] == '"') ++i;
    } else {
      ++i;
    }
    out.push_back({kind, std::string(s.substr(start, i - start))});
  }
  return out;
}

std::string join(const std::vector<Token>& toks) {
  std::string s;
  for (const auto& t : toks) s += t.text;
  return s;
}

const char* const kStatementKeywords[] = {"pipeline", "settings", "region", "category", "param", "data",
                                          "agent", "compute", "send", "adversary", "require", "forbid"};

bool is_statement_keyword(const std::string& w) {
  for (const char* k : kStatementKeywords)
    if (w == k) return true;
  return false;
}

/// Keywords that may stand for one another (one class each).
const std::vector<std::vector<const char*>> kClasses = {
    {"trusted", "honest", "curious", "malicious"},
    {"dp", "posterior", "advantage", "leakage", "reidentification"},
    {"laplace", "geometric", "gaussian", "randomized_response", "exponential", "dpsgd", "declared", "map", "select",
     "count", "sum", "mean", "histogram", "aggregate", "train", "pseudonymize"},
    {"plain", "encrypted", "secure_aggregation", "shuffler"},
    {"rdp", "pld", "auto"},
    {"add_remove", "replace"},
    {"true", "false"},
    {"epsilon", "scale", "sensitivity", "times", "sigma", "noise_multiplier", "sampling_rate", "batch_size", "steps",
     "epochs", "distributed", "keep", "threshold", "min_clients", "by", "delta", "rho", "rows"},
    {"and", "or", "not"},
    {"prior", "given"},
    {"trust", "region", "holds", "category"},
    {"pipeline", "settings", "region", "category", "param", "data", "agent", "compute", "send", "adversary", "require",
     "forbid"},
    {"int", "bool"},
    {"from", "to", "via", "at", "unless"},
};

const char* const kNumbers[] = {"0", "1", "2", "3", "10", "15", "16", "100", "1e12", "1/3", "2/3", "1/2", "0.5",
                                "0.01", "0.999999", "1e-5", "1e-12", "1e-300", "1e300", "1e999", "1e-999",
                                "999999999999999999999999", "123456789/987654321", "1_000_000", "1000000000000",
                                "1000000000001", "4294967296", "18446744073709551616", "0.000000001", "7", "64",
                                "1e6", "50000", "1/0", "0/1", "1.1", "0.3", "8.0", "2.5", "1e-18"};

const char* const kPunct[] = {"{", "}", "(", ")", "[", "]", ",", ":", ";", "=", "<=", ".", "+", "-", "*", "/",
                              "%", "<", ">", "!=", ">=", "->"};

using Rng = std::minstd_rand;

std::size_t pick(Rng& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

/// Indices of the tokens of one kind (identifiers: `keyword` selects keywords of a class or
/// plain names).
std::vector<std::size_t> indices(const std::vector<Token>& toks, Tok kind) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < toks.size(); ++i)
    if (toks[i].kind == kind) out.push_back(i);
  return out;
}

const std::vector<const char*>* keyword_class(const std::string& w) {
  for (const auto& cls : kClasses)
    for (const char* k : cls)
      if (w == k) return &cls;
  return nullptr;
}

/// Statement boundaries: the token index where each top-level statement starts (brace and
/// parenthesis depth 0, a statement keyword), plus toks.size() at the end.
std::vector<std::size_t> statements(const std::vector<Token>& toks) {
  std::vector<std::size_t> starts;
  int depth = 0;
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const auto& t = toks[i];
    if (t.kind == Tok::kPunct) {
      if (t.text == "{" || t.text == "(" || t.text == "[") ++depth;
      if ((t.text == "}" || t.text == ")" || t.text == "]") && depth > 0) --depth;
    } else if (t.kind == Tok::kIdent && depth == 0 && is_statement_keyword(t.text)) {
      starts.push_back(i);
    }
  }
  starts.push_back(toks.size());
  return starts;
}

/// One token-level or statement-level edit; false when the input offers nothing to edit.
bool mutate_tokens(std::vector<Token>& toks, Rng& rng) {
  switch (pick(rng, 8)) {
    case 0:
    case 1: {  // a number becomes an interesting number
      auto nums = indices(toks, Tok::kNumber);
      if (nums.empty()) return false;
      toks[nums[pick(rng, nums.size())]].text = kNumbers[pick(rng, std::size(kNumbers))];
      return true;
    }
    case 2: {  // a name becomes another name of the same spec
      std::vector<std::size_t> names;
      for (auto i : indices(toks, Tok::kIdent))
        if (!keyword_class(toks[i].text)) names.push_back(i);
      if (names.size() < 2) return false;
      toks[names[pick(rng, names.size())]].text = toks[names[pick(rng, names.size())]].text;
      return true;
    }
    case 3: {  // a keyword becomes another of its class
      std::vector<std::size_t> kws;
      for (auto i : indices(toks, Tok::kIdent))
        if (keyword_class(toks[i].text)) kws.push_back(i);
      if (kws.empty()) return false;
      auto& t = toks[kws[pick(rng, kws.size())]];
      const auto& cls = *keyword_class(t.text);
      t.text = cls[pick(rng, cls.size())];
      return true;
    }
    case 4:
    case 5: {  // duplicate, delete or swap whole statements
      auto st = statements(toks);
      if (st.size() < 2) return false;
      const std::size_t n = st.size() - 1;
      const std::size_t a = pick(rng, n), b = pick(rng, n);
      std::vector<Token> sa(toks.begin() + st[a], toks.begin() + st[a + 1]);
      std::vector<Token> sb(toks.begin() + st[b], toks.begin() + st[b + 1]);
      std::vector<Token> out(toks.begin(), toks.begin() + st[0]);
      const std::size_t how = pick(rng, 3);
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<Token> cur(toks.begin() + st[i], toks.begin() + st[i + 1]);
        if (how == 1 && i == a) continue;  // delete a
        if (how == 2 && i == a) cur = sb;  // swap a and b
        else if (how == 2 && i == b) cur = sa;
        out.insert(out.end(), cur.begin(), cur.end());
        if (how == 0 && i == a) {  // duplicate a (with a newline between)
          out.push_back({Tok::kSpace, "\n"});
          out.insert(out.end(), sa.begin(), sa.end());
        }
      }
      toks = std::move(out);
      return true;
    }
    case 6: {  // delete or insert one punctuation token
      if (pick(rng, 2) == 0) {
        auto ps = indices(toks, Tok::kPunct);
        if (ps.empty()) return false;
        toks.erase(toks.begin() + static_cast<std::ptrdiff_t>(ps[pick(rng, ps.size())]));
      } else {
        toks.insert(toks.begin() + static_cast<std::ptrdiff_t>(pick(rng, toks.size() + 1)),
                    Token{Tok::kPunct, kPunct[pick(rng, std::size(kPunct))]});
      }
      return true;
    }
    default: {  // copy a token (name, number or keyword) over another of any kind
      std::vector<std::size_t> words;
      for (std::size_t i = 0; i < toks.size(); ++i)
        if (toks[i].kind == Tok::kIdent || toks[i].kind == Tok::kNumber) words.push_back(i);
      if (words.size() < 2) return false;
      toks[words[pick(rng, words.size())]] = toks[words[pick(rng, words.size())]];
      return true;
    }
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  Rng rng(seed);
  // Sometimes libFuzzer's own byte-level mutations (they find what the token view cannot).
  if (pick(rng, 6) == 0) return LLVMFuzzerMutate(data, size, max_size);
  auto toks = lex(std::string_view(reinterpret_cast<const char*>(data), size));
  bool changed = false;
  const std::size_t edits = 1 + pick(rng, 3);
  for (std::size_t i = 0; i < edits; ++i) changed |= mutate_tokens(toks, rng);
  std::string out = join(toks);
  if (!changed || out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

/// Crossover at statement level: the statements of one spec with a run of the other's.
extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2, std::uint8_t* out,
                                                 std::size_t max_out_size, unsigned int seed) {
  Rng rng(seed);
  auto a = lex(std::string_view(reinterpret_cast<const char*>(data1), size1));
  auto b = lex(std::string_view(reinterpret_cast<const char*>(data2), size2));
  auto sb = statements(b);
  if (sb.size() < 2) return 0;
  const std::size_t n = sb.size() - 1;
  const std::size_t from = pick(rng, n), count = 1 + pick(rng, std::min<std::size_t>(n - from, 4));
  std::string result = join(a);
  result += "\n";
  for (std::size_t i = sb[from]; i < sb[from + count]; ++i) result += b[i].text;
  if (result.size() > max_out_size) return 0;
  std::memcpy(out, result.data(), result.size());
  return result.size();
}
