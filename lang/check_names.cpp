// Name resolution (every declaration gets its index before any statement is lowered, so names
// may be used before they are declared) and the context's shared helpers; then the pipeline,
// settings and param statements (docs/language.md, "Statements").
#include <set>

#include "base/text.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {

const char* kind_word(DeclKind kind) {
  switch (kind) {
    case DeclKind::kRegion: return "region";
    case DeclKind::kCategory: return "category";
    case DeclKind::kParam: return "param";
    case DeclKind::kData: return "data";
    case DeclKind::kAgent: return "agent";
    case DeclKind::kArtifact: return "artifact";
    case DeclKind::kAdversary: return "adversary";
    case DeclKind::kRequirement: return "requirement";
  }
  return "?";
}

std::string with_article(DeclKind kind) {
  switch (kind) {
    case DeclKind::kData: return "data";
    case DeclKind::kAgent:
    case DeclKind::kArtifact:
    case DeclKind::kAdversary: return std::string("an ") + kind_word(kind);
    default: return std::string("a ") + kind_word(kind);
  }
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

std::string shown_literal(const std::string& text) { return text.size() <= 40 ? text : text.substr(0, 30) + "..."; }

std::string suggest(const std::string& name, const std::vector<std::string>& candidates) {
  if (auto match = closest_match(name, candidates)) return "; did you mean " + quoted(*match) + "?";
  return "";
}

std::string suggest_or_list(const std::string& name, const std::vector<std::string>& values) {
  std::string suggestion = suggest(name, values);
  if (!suggestion.empty() || values.empty() || values.size() > 12) return suggestion;
  return " (its values are " + join(values, ", ") + ")";
}

bool is_integer(const Rational& value) { return value.get_den() == 1; }

CheckContext::CheckContext(const ast::Program& program_in, Diagnostics& diags_in, const Limits& limits_in)
    : program(program_in), diags(diags_in), limits(limits_in) {
  broken.insert(program.broken_names.begin(), program.broken_names.end());
}

void CheckContext::declare(const ast::Ident& name, DeclKind kind, Id index) {
  auto [it, inserted] = names.try_emplace(name.name, Decl{kind, index, name.begin, name.end});
  if (!inserted) {
    auto& e = error(name, quoted(name.name) + " is already declared as " + with_article(it->second.kind));
    diags.note(e, span(it->second.begin, it->second.end), "the first declaration of " + quoted(name.name) + " is here");
    return;
  }
  names_by_kind[kind].push_back(name.name);
}

Id CheckContext::resolve_any(const ast::Ident& name, std::initializer_list<DeclKind> kinds) {
  auto it = names.find(name.name);
  DeclKind want = *kinds.begin();
  if (it != names.end()) {
    for (DeclKind kind : kinds)
      if (it->second.kind == kind) return it->second.index;
    auto& e = error(name, quoted(name.name) + " is " + with_article(it->second.kind) + ", not " + with_article(want));
    diags.note(e, span(it->second.begin, it->second.end), quoted(name.name) + " is declared here");
    return kNone;
  }
  if (broken.count(name.name)) return kNone;
  // The kind asked for first: an undeclared adversary is offered an adversary's name before
  // an agent's.
  std::string suggestion;
  for (DeclKind kind : kinds)
    if (suggestion.empty()) suggestion = suggest(name.name, names_by_kind[kind]);
  error(name, std::string(kind_word(want)) + " " + quoted(name.name) + " is not declared" + suggestion);
  return kNone;
}

bool CheckContext::number(const ast::Number& literal, Rational& out) {
  NumberError why = NumberError::kNone;
  auto value = parse_number(literal.text, &why);
  if (value) {
    out = *value;
    return true;
  }
  std::string shown = quoted(shown_literal(literal.text));
  switch (why) {
    case NumberError::kTooLarge: error(literal, "number " + shown + " is too large (numbers must be below 1e301)"); break;
    case NumberError::kTooSmall:
      error(literal, "number " + shown + " is too small (numbers other than 0 must be at least 1e-301)");
      break;
    case NumberError::kTooManyDigits:
      error(literal, "number " + shown + " has more than " + std::to_string(kMaxNumberDigits) + " digits");
      break;
    case NumberError::kZeroDenominator: error(literal, "number " + shown + " divides by zero"); break;
    default: error(literal, "invalid number " + shown); break;
  }
  return false;
}

std::optional<std::uint64_t> CheckContext::whole_number(const ast::Number& literal, const std::string& what,
                                                        std::uint64_t lo, std::uint64_t hi) {
  Rational value;
  if (!number(literal, value)) return std::nullopt;
  if (!is_integer(value)) {
    error(literal, what + " must be a whole number, not " + quoted(shown_literal(literal.text)));
    return std::nullopt;
  }
  if (value < Rational(mpz_class(std::to_string(lo)))) {
    error(literal, what + " must be at least " + std::to_string(lo) + ", not " + shown_literal(literal.text));
    return std::nullopt;
  }
  if (value > Rational(mpz_class(std::to_string(hi)))) {
    error(literal, what + " must be at most " + std::to_string(hi) + ", not " + shown_literal(literal.text));
    return std::nullopt;
  }
  return std::stoull(value.get_num().get_str());
}

Id CheckContext::field_of(Id data, const ast::Ident& name) {
  const flow::Data& d = graph.data[data];
  Id field = d.field_index(name.name);
  if (field == kNone) {
    std::vector<std::string> field_names;
    for (const auto& f : d.fields) field_names.push_back(f.name);
    error(name, quoted(name.name) + " is not a field of " + quoted(d.name) + suggest(name.name, field_names));
  }
  return field;
}

bool CheckContext::check_trust(const flow::Agent& agent, const ast::Ident& at, const std::string& where) {
  if (agent.trust == flow::Trust::kTrusted) {
    auto& e = error(at, "agent " + quoted(agent.name) + " is trusted: it never colludes and cannot be part of " + where);
    diags.note(e, agent.span, quoted(agent.name) + " is declared trusted here");
    return false;
  }
  if (agent.trust == flow::Trust::kHonest)
    warning(at, "agent " + quoted(agent.name) + " is honest but named in " + where + ": it is assumed to collude here");
  return true;
}

void declare_all(CheckContext& context) {
  const ast::Program& program = context.program;
  flow::Graph& graph = context.graph;
  for (std::size_t i = 0; i < program.regions.size(); ++i) {
    context.declare(program.regions[i].name, DeclKind::kRegion, static_cast<Id>(i));
    graph.regions.push_back({program.regions[i].name.name, context.span(program.regions[i])});
  }
  for (std::size_t i = 0; i < program.categories.size(); ++i) {
    const auto& category = program.categories[i];
    context.declare(category.name, DeclKind::kCategory, static_cast<Id>(i));
    graph.categories.push_back({category.name.name, category.special, context.span(category)});
  }
  for (std::size_t i = 0; i < program.params.size(); ++i) {
    context.declare(program.params[i].name, DeclKind::kParam, static_cast<Id>(i));
    flow::Param param;
    param.name = program.params[i].name.name;
    param.span = context.span(program.params[i]);
    param.value_span = context.span(program.params[i].value);
    graph.params.push_back(std::move(param));
  }
  for (std::size_t i = 0; i < program.data.size(); ++i) {
    context.declare(program.data[i].name, DeclKind::kData, static_cast<Id>(i));
    flow::Data data;
    data.name = program.data[i].name.name;
    data.title = program.data[i].title ? program.data[i].title->text : "";
    data.span = context.span(program.data[i]);
    graph.data.push_back(std::move(data));
  }
  for (std::size_t i = 0; i < program.agents.size(); ++i) {
    context.declare(program.agents[i].name, DeclKind::kAgent, static_cast<Id>(i));
    flow::Agent agent;
    agent.name = program.agents[i].name.name;
    agent.title = program.agents[i].title ? program.agents[i].title->text : "";
    agent.span = context.span(program.agents[i]);
    graph.agents.push_back(std::move(agent));
  }
  for (std::size_t i = 0; i < program.computes.size(); ++i) {
    context.declare(program.computes[i].name, DeclKind::kArtifact, static_cast<Id>(i));
    flow::Artifact artifact;
    artifact.name = program.computes[i].name.name;
    artifact.span = context.span(program.computes[i]);
    graph.artifacts.push_back(std::move(artifact));
  }
  for (std::size_t i = 0; i < program.adversaries.size(); ++i) {
    context.declare(program.adversaries[i].name, DeclKind::kAdversary, static_cast<Id>(i));
    graph.adversaries.push_back({program.adversaries[i].name.name, {}, context.span(program.adversaries[i])});
  }
  // Requirement names share the namespace; their indices are assigned in check order.
  Id requirement = 0;
  for (const auto& written : program.requires_)
    if (written.name) context.declare(*written.name, DeclKind::kRequirement, requirement++);
  for (const auto& written : program.forbids)
    if (written.name) context.declare(*written.name, DeclKind::kRequirement, requirement++);
}

void check_pipeline(CheckContext& context) {
  const auto& pipelines = context.program.pipelines;
  if (pipelines.empty()) return;
  const auto& first = pipelines.front();
  context.graph.pipeline = first.name.name;
  context.graph.title = first.title ? first.title->text : "";
  context.graph.pipeline_span = context.span(first);
  for (std::size_t i = 1; i < pipelines.size(); ++i) {
    auto& e = context.error(pipelines[i], "a spec has at most one pipeline statement");
    context.diags.note(e, context.span(first), "the first pipeline statement is here");
  }
}

namespace {

void set_delta(CheckContext& context, const ast::Value& value) {
  Rational delta;
  if (value.kind != ast::Value::Kind::kNumber) {
    context.error(value, "delta must be a number");
  } else if (context.number(value.number, delta)) {
    if (delta <= 0 || delta >= 1)
      context.error(value, "delta must be greater than 0 and less than 1, not " + value.number.text);
    else
      context.graph.settings.delta = delta;
  }
}

void set_accountant(CheckContext& context, const ast::Value& value) {
  const std::string& word = value.ident.name;
  if (value.kind != ast::Value::Kind::kIdent || (word != "rdp" && word != "pld" && word != "auto")) {
    std::string text = value.kind == ast::Value::Kind::kIdent ? word : "";
    context.error(value, "accountant must be rdp, pld or auto" +
                             (text.empty() ? std::string() : suggest(text, {"rdp", "pld", "auto"})));
    return;
  }
  context.graph.settings.accountant = word == "rdp"   ? flow::AccountantKind::kRdp
                                      : word == "pld" ? flow::AccountantKind::kPld
                                                      : flow::AccountantKind::kAuto;
}

void set_confidence(CheckContext& context, const ast::Value& value) {
  Rational confidence;
  if (value.kind != ast::Value::Kind::kNumber) {
    context.error(value, "confidence must be a number");
  } else if (context.number(value.number, confidence)) {
    if (confidence <= 0 || confidence >= 1)
      context.error(value, "confidence must be greater than 0 and less than 1, not " + value.number.text);
    else
      context.graph.settings.confidence = confidence;
  }
}

}  // namespace

void check_settings(CheckContext& context) {
  const auto& all_settings = context.program.settings;
  for (std::size_t i = 0; i < all_settings.size(); ++i) {
    const auto& settings = all_settings[i];
    if (i > 0) {
      auto& e = context.error(settings, "a spec has at most one settings statement");
      context.diags.note(e, context.span(all_settings.front()), "the first settings statement is here");
      continue;
    }
    context.graph.settings.span = context.span(settings);
    std::set<std::string> seen;
    for (const auto& prop : settings.props) {
      const std::string& key = prop.key.name;
      if (!seen.insert(key).second) {
        context.error(prop.key, "setting " + quoted(key) + " is given twice");
        continue;
      }
      if (key == "delta") {
        set_delta(context, prop.value);
      } else if (key == "accountant") {
        set_accountant(context, prop.value);
      } else if (key == "confidence") {
        set_confidence(context, prop.value);
      } else {
        context.error(prop.key, "unknown setting " + quoted(key) + suggest(key, {"delta", "accountant", "confidence"}) +
                                    (closest_match(key, {"delta", "accountant", "confidence"})
                                         ? ""
                                         : " (settings are delta, accountant and confidence)"));
      }
    }
  }
}

void check_params(CheckContext& context) {
  for (std::size_t i = 0; i < context.program.params.size(); ++i) {
    const auto& written = context.program.params[i];
    flow::Param& param = context.graph.params[i];
    bool valid = context.number(written.value, param.value);
    if (!written.lo || !written.hi) continue;
    Rational lo, hi;
    if (!context.number(*written.lo, lo) || !context.number(*written.hi, hi)) continue;
    param.lo = lo;
    param.hi = hi;
    const std::string& name = written.name.name;
    if (lo > hi) {
      context.error(*written.lo,
                    "the range of param " + quoted(name) + " is empty: " + written.lo->text + " > " + written.hi->text);
    } else if (valid && (param.value < lo || param.value > hi)) {
      context.error(written.value, "param " + quoted(name) + " = " + written.value.text + " is outside its own range [" +
                                       written.lo->text + ", " + written.hi->text + "]");
    }
  }
}

}  // namespace privflow::lang::detail
