// The canonical layout of specs: goldens for tricky layouts and comments, spacing tables,
// lexical errors, and idempotence on every example.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lang/diagnostics.hpp"
#include "lang/format.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"

namespace fs = std::filesystem;
using privflow::lang::Diagnostics;
using privflow::lang::format_spec;
using privflow::lang::SourceFile;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Formats `text`; on failure returns "ERROR:" and the printed diagnostics.
std::string fmt_text(const std::string& text, std::size_t width = 100) {
  SourceFile source("t.pflow", text);
  Diagnostics diags(source);
  auto out = format_spec(source, diags, {width});
  if (!out) {
    std::ostringstream s;
    diags.print(s);
    return "ERROR:" + s.str();
  }
  return *out;
}

std::vector<fs::path> files_with(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("spacing and layout of single statements", "[format]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"pipeline   p   \"Title\"", "pipeline p \"Title\"\n"},
      {"settings{delta:1e-5,accountant:auto}", "settings { delta: 1e-5, accountant: auto }\n"},
      {"settings { delta: 1e-5; accountant: rdp, ; }", "settings { delta: 1e-5, accountant: rdp }\n"},
      {"settings {}", "settings {}\n"},
      {"region   EU region US", "region EU\nregion US\n"},
      {"category health   special", "category health special\n"},
      {"param sigma=1.1 in[0.3,8.0]", "param sigma = 1.1 in [0.3, 8.0]\n"},
      {"param q = 1/3", "param q = 1/3\n"},
      {"param q = 1 / 3", "param q = 1 / 3\n"},  // kept as written: never changes meaning
      {"agent h[20]\"Hospital\"{trust:curious,region:EU,holds:p by partition}",
       "agent h[20] \"Hospital\" { trust: curious, region: EU, holds: p by partition }\n"},
      {"agent a { holds: {d1,d2 by partition} trust: curious }",
       "agent a { holds: {d1, d2 by partition}, trust: curious }\n"},
      {"compute u at h=dpsgd(p,noise_multiplier:s,steps:10_000,distributed:true)",
       "compute u at h = dpsgd(p, noise_multiplier: s, steps: 10_000, distributed: true)\n"},
      {"compute c at a = map( people , zip/10 )", "compute c at a = map(people, zip / 10)\n"},
      {"compute c at a = map(people, if not(x>=-3)then -x%2 else (x*2)-1)",
       "compute c at a = map(people, if not (x >= -3) then -x % 2 else (x * 2) - 1)\n"},
      {"compute r at phone = randomized_response(typing.emoji,keep:3/5)",
       "compute r at phone = randomized_response(typing.emoji, keep: 3/5)\n"},
      {"send u to s via secure_aggregation(threshold:15,min_clients:16)",
       "send u to s via secure_aggregation(threshold: 15, min_clients: 16)\n"},
      {"send m from s to a via encrypted", "send m from s to a via encrypted\n"},
      {"adversary x={server,14 of hospital}+any 2 of{a,b}",
       "adversary x = {server, 14 of hospital} + any 2 of {a, b}\n"},
      {"adversary far=any 3 of{phone}at distance>=2", "adversary far = any 3 of {phone} at distance >= 2\n"},
      {"require f:dp(p)against{2 of phone}at   distance >=3<=epsilon 2",
       "require f: dp(p) against {2 of phone} at distance >= 3 <= epsilon 2\n"},
      {"require b:dp(p)against x<=epsilon 2.0 at delta 1e-6",
       "require b: dp(p) against x <= epsilon 2.0 at delta 1e-6\n"},
      {"require posterior(p.d=cancer) against {s}<=0.2",
       "require posterior(p.d = cancer) against {s} <= 0.2\n"},
      {"require leakage(p.d)against i<=1 bits", "require leakage(p.d) against i <= 1 bits\n"},
      {"require reidentification(r by{zip,sex})against {x}<=0.05",
       "require reidentification(r by {zip, sex}) against {x} <= 0.05\n"},
      {"forbid f:health from EU to US unless epsilon<=3.0",
       "forbid f: health from EU to US unless epsilon <= 3.0\n"},
      {"data d{rows:10 field a:{x,y}prior{1/2,1/2} field b:int[0,9] field c:bool category h}",
       "data d {\n  rows: 10\n  field a: {x, y} prior {1/2, 1/2}\n  field b: int[0, 9]\n  field c: bool category h\n}\n"},
      {"data d \"T\" { category: health neighbouring: replace }",
       "data d \"T\" {\n  category: health\n  neighbouring: replace\n}\n"},
      {"", ""},
      {"\n\n  \n", ""},
      {"region EU\n\n\n\nregion US\n", "region EU\n\nregion US\n"},
      {"\n\nregion EU", "region EU\n"},
      {"region EU\r\nregion US\r\n", "region EU\nregion US\n"},
      {"pipeline p \"a \\\"quoted\\\" \\\\ title\"", "pipeline p \"a \\\"quoted\\\" \\\\ title\"\n"},
      {"param x = 50_000.25e+7", "param x = 50_000.25e+7\n"},
      // Parameter expressions (docs/language.md): operators spaced, meaning unchanged.
      {"compute r at a = declared(n,rho:2.56*104,epsilon:-(1+x)/sqrt( 2 ))",
       "compute r at a = declared(n, rho: 2.56 * 104, epsilon: -(1 + x) / sqrt(2))\n"},
      {"compute r at a = laplace(n,epsilon:ln(3)/2,sensitivity:exp(-1/2))",
       "compute r at a = laplace(n, epsilon: ln(3) / 2, sensitivity: exp(-1/2))\n"},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.in);
    CHECK(fmt_text(c.in) == c.out);
    CHECK(fmt_text(c.out) == c.out);
  }
}

TEST_CASE("comments stay where they were", "[format]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"# head\nregion EU # eu\n// tail", "# head\nregion EU  # eu\n// tail\n"},
      {"region EU\n\n# about US\nregion US", "region EU\n\n# about US\nregion US\n"},
      {"region EU\n# about US\n\nregion US", "region EU\n# about US\n\nregion US\n"},
      {"agent a { trust: curious, # why\n region: EU }", "agent a {\n  trust: curious  # why\n  region: EU\n}\n"},
      {"agent a { trust: curious\n # own line\n }", "agent a {\n  trust: curious\n  # own line\n}\n"},
      {"data d { # rows follow\n rows: 5 }", "data d {  # rows follow\n  rows: 5\n}\n"},
      {"require dp(p) # the budget\n against x <= epsilon 1",
       "require dp(p)  # the budget\n    against x <= epsilon 1\n"},
      {"compute u at h = dpsgd(p, # data\n steps: 10)",
       "compute u at h = dpsgd(p,  # data\n                       steps: 10)\n"},
      {"compute u at h = dpsgd( # args\n p, steps: 10)", "compute u at h = dpsgd(  # args\n    p, steps: 10)\n"},
      {"region EU   #   spaced   comment   ", "region EU  #   spaced   comment\n"},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.in);
    CHECK(fmt_text(c.in) == c.out);
    CHECK(fmt_text(c.out) == c.out);
  }
}

TEST_CASE("long argument lists and given tables wrap", "[format]") {
  const std::string in =
      "compute update at hospital = dpsgd(patients, noise_multiplier: sigma, sampling_rate: 0.01, steps: 10000, "
      "distributed: true)\n";
  const std::string out =
      "compute update at hospital = dpsgd(patients, noise_multiplier: sigma, sampling_rate: 0.01,\n"
      "                                   steps: 10000, distributed: true)\n";
  CHECK(fmt_text(in) == out);
  CHECK(fmt_text(out) == out);
  // Narrow width: one argument per line, aligned after the parenthesis.
  CHECK(fmt_text("compute u at h = laplace(c, scale: 4, times: 3)", 30) ==
        "compute u at h = laplace(c,\n                         scale: 4,\n                         times: 3)\n");
  const std::string given =
      "data p { field smoker: {yes, no} given diagnosis {flu: {0.2, 0.8}, covid: {0.25, 0.75}, cancer: {1/2, 1/2}} "
      "category health }";
  CHECK(fmt_text(given) ==
        "data p {\n"
        "  field smoker: {yes, no} given diagnosis {\n"
        "    flu: {0.2, 0.8},\n"
        "    covid: {0.25, 0.75},\n"
        "    cancer: {1/2, 1/2}\n"
        "  } category health\n"
        "}\n");
  // A short table stays on its line.
  CHECK(fmt_text("data p { field s: {y, n} given d {a: {1/2, 1/2}, b: {1, 0}} }") ==
        "data p {\n  field s: {y, n} given d {a: {1/2, 1/2}, b: {1, 0}}\n}\n");
  // A property block too long for one line: one property per line.
  const std::string agent =
      "agent hospital_with_a_long_name[20] \"University hospital of a city with a long name\" { trust: curious, "
      "region: EU, holds: patients by partition }";
  CHECK(fmt_text(agent) ==
        "agent hospital_with_a_long_name[20] \"University hospital of a city with a long name\" {\n"
        "  trust: curious\n  region: EU\n  holds: patients by partition\n}\n");
}

TEST_CASE("an argument longer than a line is filled, broken before its terms' + and -", "[format]") {
  const std::string in = "compute s at h = map(u, (if a = yes then 1 else 0) + (if b = yes then 1 else 0) - (if c = yes "
                         "then 1 else 0) + -2 * (x - 1))\n";
  const std::string out =
      "compute s at h = map(u,\n"
      "                     (if a = yes then 1 else 0) + (if b = yes then 1 else 0)\n"
      "                     - (if c = yes then 1 else 0) + -2 * (x - 1))\n";
  CHECK(fmt_text(in, 80) == out);
  CHECK(fmt_text(out, 80) == out);
  // A unary minus is never a break: the negative number stays whole at any width.
  CHECK(fmt_text(in, 40).find("-\n") == std::string::npos);
  CHECK(fmt_text(in, 40).find("+ -2 * (x - 1))") != std::string::npos);
}

TEST_CASE("a list parameter is spaced, and filled after its commas when it is too long", "[format]") {
  CHECK(fmt_text("compute r at a = matrix_factorization(n,noise_multiplier:4,coefficients:[ 1,-1/2 ,c*2 ])\n") ==
        "compute r at a = matrix_factorization(n, noise_multiplier: 4, coefficients: [1, -1/2, c * 2])\n");
  const std::string in = "compute r at a = matrix_factorization(n,noise_multiplier:4,coefficients:[1,1/2,3/8,5/16,"
                         "35/128,63/256,231/1024,429/2048,6435/32768,12155/65536,46189/262144],steps:2000)\n";
  const std::string out =
      "compute r at a = matrix_factorization(n, noise_multiplier: 4,\n"
      "                                      coefficients: [1, 1/2, 3/8, 5/16, 35/128, 63/256, 231/1024,\n"
      "                                      429/2048, 6435/32768, 12155/65536, 46189/262144], steps: 2000)\n";
  CHECK(fmt_text(in, 100) == out);
  CHECK(fmt_text(out, 100) == out);
  CHECK(fmt_text("compute r at a = matrix_factorization(n, noise_multiplier: 4, coefficients: [])\n") ==
        "compute r at a = matrix_factorization(n, noise_multiplier: 4, coefficients: [])\n");
}

TEST_CASE("a UTF-8 byte order mark is accepted, as check accepts it, and kept", "[format]") {
  CHECK(fmt_text("\xEF\xBB\xBFregion   EU\n") == "\xEF\xBB\xBFregion EU\n");
  CHECK(fmt_text("\xEF\xBB\xBF# c\nregion EU") == "\xEF\xBB\xBF# c\nregion EU\n");
}

TEST_CASE("lexical errors are reported and nothing is formatted", "[format]") {
  struct Case {
    const char* in;
    const char* message;
  };
  const Case cases[] = {
      {"region E$U", "t.pflow:1:9: error: unexpected character '$'"},
      {"pipeline p \"open", "t.pflow:1:12: error: unterminated string (a string ends on its own line)"},
      {"pipeline p \"a\\nb\"", "t.pflow:1:14: error: unknown escape in string (only \\\" and \\\\ are allowed)"},
      {"param x = 12abc", "t.pflow:1:11: error: malformed number '12abc'"},
      {"param x = 1.2.3", "t.pflow:1:11: error: malformed number '1.2.3'"},
      // The grammar's number (lang/lexical.hpp): underscores only between digits of the whole part.
      {"param x = 0.000_1e+7", "t.pflow:1:11: error: malformed number '0.000_1e+7'"},
      {"param x = 1__000", "t.pflow:1:11: error: malformed number '1__000'"},
      {"region EU\nregion \xC3\xA9t\xC3\xA9", "t.pflow:2:8: error: unexpected character '\\xC3\\xA9'"},
      {"region a ! b", "t.pflow:1:10: error: unexpected character '!'"},
      // A C comment is not a comment here: fmt used to print "/ * x * /" and exit 0.
      {"/* x */\nregion EU", "t.pflow:1:1: error: '/*': block comments are not part of the language"},
      {"region EU /* x */", "t.pflow:1:16: error: '*/': block comments are not part of the language"},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.in);
    std::string got = fmt_text(c.in);
    REQUIRE(got.rfind("ERROR:", 0) == 0);
    CHECK(got.find(c.message) != std::string::npos);
  }
  // Every error of the file is reported, not just the first.
  SourceFile source("t.pflow", "region $\nregion @\n");
  Diagnostics diags(source);
  CHECK_FALSE(format_spec(source, diags).has_value());
  CHECK(diags.error_count() == 2);
}

TEST_CASE("fmt and check read numbers and strings by the same lexical rules", "[format][lexical]") {
  // lang/lexical.hpp is the one definition: what check reads, fmt keeps as written; what check
  // cannot read as a token, fmt refuses too.
  auto formats = [](const std::string& text) {
    SourceFile source("t.pflow", text);
    Diagnostics diags(source);
    return format_spec(source, diags).has_value();
  };
  auto checks = [](const std::string& text) {
    SourceFile source("t.pflow", text);
    Diagnostics diags(source);
    return privflow::lang::load_spec(source, diags).has_value();
  };
  const std::vector<std::string> read = {
      "param x = 12\n",          "param x = 50_000\n",          "param x = 0.01\n", "param x = 1e-5\n",
      "param x = 1E+5\n",        "param x = 1_000.5e3\n",       "param x = -3/4\n", "pipeline p \"a\"\n",
      "pipeline p \"a \\\"b\\\" \\\\\"\n"};
  for (const auto& text : read) {
    INFO("spec: " << text);
    CHECK(checks(text));
    CHECK(fmt_text(text) == text);
  }
  const std::vector<std::string> refused = {
      "param x = 1__0\n", "param x = 1_\n",          "param x = 0.0_1\n",        "param x = 12abc\n",
      "param x = 0x10\n", "param x = 1_0e1_0\n",     "param x = 1.2.3\n",        "param x = 1e+\n",
      "pipeline p \"open\n", "pipeline p \"a\\nb\"\n"};
  for (const auto& text : refused) {
    INFO("spec: " << text);
    CHECK_FALSE(checks(text));
    CHECK_FALSE(formats(text));
  }
}

TEST_CASE("goldens: tricky layouts and comments", "[format][golden]") {
  const fs::path dir = fs::path(PRIVFLOW_SOURCE_DIR) / "tests/format/golden";
  const bool update = std::getenv("PRIVFLOW_UPDATE_GOLDENS") != nullptr;
  auto inputs = files_with(dir, ".pflow");
  REQUIRE(inputs.size() >= 4);
  for (const auto& in : inputs) {
    INFO("golden: " << in.filename().string());
    std::string got = fmt_text(read_file(in));
    fs::path expected = in;
    expected.replace_extension(".expected");
    if (update) std::ofstream(expected, std::ios::binary) << got;
    CHECK(got == read_file(expected));
    CHECK(fmt_text(got) == got);
  }
}

TEST_CASE("every example is formatted idempotently", "[format][examples]") {
  auto examples = files_with(fs::path(PRIVFLOW_SOURCE_DIR) / "examples", ".pflow");
  REQUIRE(examples.size() >= 6);
  for (const auto& path : examples) {
    INFO("example: " << path.filename().string());
    std::string once = fmt_text(read_file(path));
    REQUIRE(once.rfind("ERROR:", 0) != 0);
    CHECK(fmt_text(once) == once);
    // The examples are kept in the canonical layout (privflow fmt --check passes).
    CHECK(once == read_file(path));
  }
}
