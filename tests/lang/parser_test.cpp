// Grammar coverage (docs/language.md: statements and expressions): every production, operator precedence,
// exact error messages with their places, and recovery at statement boundaries.
#include <catch2/catch.hpp>

#include "lang_test_util.hpp"

namespace privflow::lang {
namespace {

struct Parsed {
  ast::Program program;
  std::vector<std::string> errors;
};

Parsed parse(const std::string& text) {
  SourceFile source("t.pflow", text);
  Diagnostics diags(source);
  Parsed p{parse_program(source, diags), {}};
  for (const auto& d : diags.all())
    p.errors.push_back(std::to_string(d.span.line) + ":" + std::to_string(d.span.column) + ": " + d.message);
  return p;
}

std::string show(const ast::Expr& e) {
  using O = ast::Expr::Op;
  static const std::map<O, const char*> names = {
      {O::kNeg, "-"},  {O::kNot, "not"}, {O::kAdd, "+"}, {O::kSub, "-"}, {O::kMul, "*"},  {O::kDiv, "/"},
      {O::kMod, "%"},  {O::kEq, "="},    {O::kNe, "!="}, {O::kLt, "<"},  {O::kLe, "<="}, {O::kGt, ">"},
      {O::kGe, ">="},  {O::kAnd, "and"}, {O::kOr, "or"}, {O::kIf, "if"}};
  if (e.op == O::kInt) return e.number.text;
  if (e.op == O::kIdent) return e.ident.name;
  std::string s = std::string("(") + names.at(e.op);
  for (const auto& c : e.children) s.append(" ").append(show(c));
  return s + ")";
}

}  // namespace

TEST_CASE("every statement kind parses", "[lang][parser]") {
  auto p = parse(R"(
pipeline p "Title with \"quotes\" and \\"
settings { delta: 1/3, accountant: rdp; }
region EU
category health special
category contact
param s = 1.5 in [0.5, 2]
param t = 50_000
data d "D" { rows: 10 category: health neighbouring: replace
  field a: {x, y} prior {1/3, 2/3} category contact
  field b: bool given a {x: {0.5, 0.5}, y: {1, 0}}
  field c: int[-5, 5] }
agent phone[1_000] "P" { trust: honest, region: EU, holds: {d by partition}, }
agent s2 { trust: malicious holds: d }
compute r at phone = randomized_response(d.a, keep: 3/4, times: 2)
compute m at phone = map(d, if a = x and not b then c * 2 else -c % 3)
send r from phone to s2 via shuffler(by: s2)
send m to s2 via secure_aggregation(threshold: 5, min_clients: s)
adversary a1 = {s2, 3 of phone} + any 2 of {phone}
adversary a2 = any 1 of {phone, s2}
require n: dp(d) against a1 <= epsilon 1 at delta 1e-6
require posterior(d.a = x) against {s2} <= 0.5
require posterior(d.c = 3) against a2 <= 0.5
require advantage(d) against any 2 of {phone} <= 0.3
require leakage(d.a) against a1 <= 1 bits
require reidentification(d by {a, c}) against s2 <= 0.1
forbid f: health from EU to EU unless epsilon <= 2 at delta 1e-7
forbid contact from EU to EU
)");
  REQUIRE(p.errors.empty());
  const auto& g = p.program;
  CHECK(g.pipelines.size() == 1);
  CHECK(g.pipelines[0].title->text == "Title with \"quotes\" and \\");
  CHECK(g.settings[0].props.size() == 2);
  CHECK(g.settings[0].props[0].value.number.text == "1/3");
  CHECK(g.regions.size() == 1);
  CHECK(g.categories.size() == 2);
  CHECK(g.categories[0].special);
  CHECK_FALSE(g.categories[1].special);
  CHECK(g.params.size() == 2);
  CHECK(g.params[0].lo->text == "0.5");
  CHECK(g.params[1].value.text == "50_000");
  REQUIRE(g.data.size() == 1);
  REQUIRE(g.data[0].items.size() == 6);
  CHECK(g.data[0].items[3].field.category->name == "contact");
  CHECK(g.data[0].items[4].field.prior_kind == ast::Field::Prior::kGiven);
  CHECK(g.data[0].items[4].field.given.size() == 2);
  CHECK(g.data[0].items[5].field.type.lo.text == "-5");
  REQUIRE(g.agents.size() == 2);
  CHECK(g.agents[0].count->text == "1_000");
  CHECK(g.agents[0].props[2].value.kind == ast::Value::Kind::kList);
  CHECK(g.agents[0].props[2].value.items[0].kind == ast::Value::Kind::kHolding);
  CHECK(g.agents[1].props.size() == 2);
  CHECK(g.computes.size() == 2);
  CHECK(g.computes[0].args[0].kind == ast::Arg::Kind::kField);
  CHECK(g.computes[0].args[1].kind == ast::Arg::Kind::kNamed);
  CHECK(show(g.computes[1].args[1].expr) == "(if (and (= a x) (not b)) (* c 2) (% (- c) 3))");
  REQUIRE(g.sends.size() == 2);
  CHECK(g.sends[0].from->name == "phone");
  CHECK(g.sends[0].channel->name == "shuffler");
  CHECK(g.sends[1].channel_args.size() == 2);
  REQUIRE(g.adversaries.size() == 2);
  CHECK(g.adversaries[0].coalition.members.size() == 2);
  CHECK(g.adversaries[0].coalition.members[1].count->text == "3");
  CHECK(g.adversaries[0].coalition.has_choice);
  CHECK(g.adversaries[1].coalition.members.empty());
  CHECK(g.adversaries[1].coalition.candidates.size() == 2);
  REQUIRE(g.requires_.size() == 6);
  CHECK(g.requires_[0].name->name == "n");
  CHECK(g.requires_[0].bound.epsilon);
  CHECK(g.requires_[0].bound.delta->text == "1e-6");
  CHECK_FALSE(g.requires_[1].target_is_name);
  CHECK(g.requires_[2].measure.value.name == "3");
  CHECK(g.requires_[4].bound.bits);
  CHECK(g.requires_[5].measure.fields.size() == 2);
  CHECK(g.requires_[5].target_is_name);
  REQUIRE(g.forbids.size() == 2);
  CHECK(g.forbids[0].has_unless);
  CHECK(g.forbids[0].unless_delta->text == "1e-7");
  CHECK_FALSE(g.forbids[1].has_unless);
  CHECK(g.statement_count == 24);
}

TEST_CASE("spans are byte offsets of the whole production", "[lang][parser]") {
  std::string text = "region EU\n  data d { rows: 5 }  # comment\n";
  auto p = parse(text);
  REQUIRE(p.errors.empty());
  const auto& d = p.program.data[0];
  CHECK(text.substr(d.begin, d.end - d.begin) == "data d { rows: 5 }");
  CHECK(text.substr(d.name.begin, d.name.end - d.name.begin) == "d");
  CHECK(text.substr(d.items[0].rows.begin, d.items[0].rows.end - d.items[0].rows.begin) == "5");
}

TEST_CASE("expression precedence follows section 6", "[lang][parser]") {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"a + b * c", "(+ a (* b c))"},
      {"a * b + c", "(+ (* a b) c)"},
      {"a - b - c", "(- (- a b) c)"},
      {"a / 10 % 3", "(% (/ a 10) 3)"},
      {"(a + b) * c", "(* (+ a b) c)"},
      {"-a * b", "(* (- a) b)"},
      {"- - a", "(- (- a))"},
      {"a + 1 = b", "(= (+ a 1) b)"},
      {"a <= b", "(<= a b)"},
      {"a >= b", "(>= a b)"},
      {"a != b", "(!= a b)"},
      {"a < b", "(< a b)"},
      {"a > b", "(> a b)"},
      {"not a = b", "(not (= a b))"},
      {"not not a", "(not (not a))"},
      {"a and b or c", "(or (and a b) c)"},
      {"a or b and c", "(or a (and b c))"},
      {"not a and b", "(and (not a) b)"},
      {"if a then b else c + 1", "(if a b (+ c 1))"},
      {"if a then if b then 1 else 2 else 3", "(if a (if b 1 2) 3)"},
      {"a = 1_000", "(= a 1_000)"},
  };
  for (const auto& [text, expected] : table) {
    INFO(text);
    auto p = parse("compute m at x = map(d, " + text + ")");
    REQUIRE(p.errors.empty());
    CHECK(show(p.program.computes[0].args[1].expr) == expected);
  }
}

TEST_CASE("syntax errors name what was expected, where", "[lang][parser]") {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"data d {\n  rows 5\n}", "2:8: expected ':' after 'rows'"},
      {"region", "1:7: expected region name after 'region' (at end of file)"},
      {"region to", "1:8: expected region name after 'region'; 'to' is a keyword"},
      {"agent a trust: curious }", "1:9: expected '{' after 'a'"},
      {"param p = 1 in [0, 2", "1:21: expected ']' after '2' (at end of file)"},
      {"param p = x", "1:11: expected number after '='"},
      {"compute m at x = map(d, if a then 1)", "1:36: expected 'else' after '1'"},
      {"compute m at x = map(d, a +)", "1:28: expected expression after '+'"},
      {"send m to", "1:10: expected agent name after 'to' (at end of file)"},
      {"send m to b via secure_aggregation(threshold 3)", "1:46: expected ')' after 'threshold'"},
      {"adversary a = {b, 2 c}", "1:21: expected 'of' after '2'"},
      {"adversary a = b", "1:15: expected coalition ('{a, K of b}' or 'any K of {...}') after '='"},
      {"require dp(d) against a <= ", "1:27: expected bound ('epsilon X', 'X' or 'X bits') after '<=' (at end of file)"},
      {"require dp(d) against a < 3", "1:25: expected '<=' after 'a'"},
      {"require dpp(d) against a <= 1", "1:9: expected measure (dp, posterior, advantage, leakage, reidentification, membership, reconstruction or error) after 'require'"},
      {"require reidentification(d by {a b}) against a <= 1", "1:34: expected '}' after 'a'"},
      {"forbid c from A", "1:16: expected 'to' after 'A' (at end of file)"},
      {"data d { field x: int[0 5] }", "1:25: expected ',' after '0'"},
      {"data d { field x: {a, b} prior 0.5 }", "1:32: expected distribution '{p1, p2, ...}' or 'from \"FILE.csv\"' after 'prior'"},
      {"data d { field x: text }", "1:19: expected field type ('{a, b, ...}', 'int[lo, hi]' or 'bool') after ':'"},
      {"pipeline p \"abc", "1:12: unterminated string (strings end on the same line)"},
      {"pipeline p \"a\\nb\"", "1:15: unknown escape in string (only \\\" and \\\\ are allowed)"},
      {"agnet a { trust: curious }", "1:1: expected a statement, found 'agnet'"},
      {"region EU US", "1:11: expected a statement, found 'US'"},
      {"region EU\n}", "2:1: expected a statement, found '}'"},
  };
  for (const auto& [text, expected] : table) {
    INFO(text);
    auto p = parse(text);
    REQUIRE_FALSE(p.errors.empty());
    CHECK(p.errors.front() == expected);
  }
}

TEST_CASE("recovery reports every syntax error of a file", "[lang][parser]") {
  auto p = parse(
      "region\n"
      "category health special\n"
      "data people { rows: 10 field x bool }\n"
      "agent a { trust curious }\n"
      "agent b { trust: curious }\n");
  REQUIRE(p.errors.size() == 3);
  CHECK(p.errors[0] == "1:7: expected region name after 'region'");
  CHECK(p.errors[1] == "3:32: expected ':' after 'x'");
  CHECK(p.errors[2] == "4:17: expected ':' after 'trust'");
  // The statements between the errors still parsed.
  CHECK(p.program.categories.size() == 1);
  CHECK(p.program.agents.size() == 1);
  CHECK(p.program.agents[0].name.name == "b");
  // The names the broken statements meant to declare are remembered.
  CHECK(p.program.broken_names == std::vector<std::string>{"people", "a"});
}

TEST_CASE("recovery: 'category:' inside a data block is not a statement", "[lang][parser]") {
  auto p = parse(
      "data d {\n"
      "  rows: x\n"
      "category: health\n"
      "  field f: bool\n"
      "}\n"
      "region EU\n");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "2:9: expected number after ':'");
  CHECK(p.program.regions.size() == 1);
}

TEST_CASE("recovery survives a missing closing brace", "[lang][parser]") {
  auto p = parse(
      "agent a { trust: curious\n"
      "region EU\n"
      "region US\n");
  // `region` reads as an agent property here; the statement keyword at the start of a
  // line still ends the broken statement, so both regions are declared.
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "2:8: expected ':' after 'region'");
  CHECK(p.program.regions.size() == 2);
}

TEST_CASE("comments and white space", "[lang][parser]") {
  auto p = parse("# a comment\nregion EU // another\n\tregion US#no space\n// end");
  REQUIRE(p.errors.empty());
  CHECK(p.program.regions.size() == 2);
  CHECK(p.program.regions[1].name.name == "US");
}

TEST_CASE("limits: nesting depth and identifier length are located errors", "[lang][parser][limits]") {
  std::string deep = "compute m at x = map(d, " + std::string(100000, '(') + "a" + std::string(100000, ')') + ")";
  auto p = parse(deep);
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "1:281: nesting is deeper than 256 levels");
  std::string minus = "compute m at x = map(d, " + std::string(100000, '-') + "a)";
  p = parse(minus);
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].find("nesting is deeper than 256 levels") != std::string::npos);
  std::string values = "agent a { holds: " + std::string(5000, '{') + "d" + std::string(5000, '}') + " }";
  p = parse(values);
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].find("nesting is deeper than 256 levels") != std::string::npos);
  // A long chain of binary operators is a deep tree too.
  std::string chain = "compute m at x = map(d, a";
  for (int i = 0; i < 100000; ++i) chain += " + a";
  p = parse(chain + ")");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "1:1049: nesting is deeper than 256 levels");
  std::string ok = "compute m at x = map(d, a";
  for (int i = 0; i < 255; ++i) ok += " and a";
  CHECK(parse(ok + ")").errors.empty());
  p = parse("region " + std::string(300, 'x'));
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0] == "1:8: identifier is longer than 256 characters");
}

TEST_CASE("limits: statement count and error count", "[lang][parser][limits]") {
  std::string many;
  for (int i = 0; i < 300; ++i) many += "region\n";
  auto p = parse(many);
  REQUIRE(p.errors.size() == 201);
  CHECK(p.errors.back() == "201:1: too many errors; stopping here");

  SourceFile source("t.pflow", "region a\nregion b\nregion c\n");
  Diagnostics diags(source);
  Limits limits;
  limits.max_statements = 2;
  auto program = parse_program(source, diags, limits);
  CHECK(program.regions.size() == 2);
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].message == "more than 2 statements");

  SourceFile big("t.pflow", std::string(100, ' '));
  Diagnostics d2(big);
  limits.max_bytes = 10;
  parse_program(big, d2, limits);
  REQUIRE(d2.all().size() == 1);
  CHECK(d2.all()[0].message == "the spec is 100 bytes, more than the limit of 10");
}

}  // namespace privflow::lang
