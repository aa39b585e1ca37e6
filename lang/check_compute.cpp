// `compute` statements (docs/language.md, "compute" and "The catalogue of computations"): the
// kind, its inputs and its parameters, all as flow/catalogue.hpp describes the kind.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>

#include "base/text.hpp"
#include "flow/catalogue.hpp"
#include "lang/detail/checker.hpp"

namespace privflow::lang::detail {
namespace {

/// Which inputs a position accepts.
struct Accepts {
  bool data, field, artifact;
  const char* expected;  // "a data or an artifact"
};

std::optional<flow::Input> unknown_input(CheckContext& context, const flow::KindInfo& info, const ast::Ident& name,
                                         const Accepts& accepts) {
  auto it = context.names.find(name.name);
  if (it != context.names.end()) {
    context.error(name, std::string(info.name) + " takes " + accepts.expected + "; " + quoted(name.name) + " is " +
                            with_article(it->second.kind));
    return std::nullopt;
  }
  if (context.broken.count(name.name)) return std::nullopt;
  std::vector<std::string> candidates;
  if (accepts.data) candidates = context.names_by_kind[DeclKind::kData];
  if (accepts.artifact) {
    auto& artifacts = context.names_by_kind[DeclKind::kArtifact];
    candidates.insert(candidates.end(), artifacts.begin(), artifacts.end());
  }
  context.error(name, quoted(name.name) + " is not declared" + suggest(name.name, candidates));
  return std::nullopt;
}

std::optional<flow::Input> lower_input(CheckContext& context, const flow::KindInfo& info, const ast::Arg& arg,
                                       const Accepts& accepts) {
  flow::Input input;
  input.span = context.span(arg);
  if (arg.kind == ast::Arg::Kind::kField) {
    if (!accepts.field) {
      context.error(arg, std::string(info.name) + " takes " + accepts.expected + ", not a field");
      return std::nullopt;
    }
    input.kind = flow::Input::Kind::kField;
    input.data = context.resolve(arg.key, DeclKind::kData);
    if (input.data == kNone) return std::nullopt;
    input.field = context.field_of(input.data, arg.field);
    if (input.field == kNone) return std::nullopt;
    return input;
  }
  if (arg.kind != ast::Arg::Kind::kExpr || arg.expr.op != ast::Expr::Op::kIdent) {
    context.error(arg, std::string(info.name) + " takes " + accepts.expected + " here");
    return std::nullopt;
  }
  const ast::Ident& name = arg.expr.ident;
  auto it = context.names.find(name.name);
  if (it != context.names.end() && it->second.kind == DeclKind::kData && accepts.data) {
    input.kind = flow::Input::Kind::kData;
    input.data = it->second.index;
    return input;
  }
  if (it != context.names.end() && it->second.kind == DeclKind::kArtifact && accepts.artifact) {
    input.kind = flow::Input::Kind::kArtifact;
    input.artifact = it->second.index;
    return input;
  }
  return unknown_input(context, info, name, accepts);
}

constexpr Accepts kOneData{true, false, false, "a data"};
constexpr Accepts kAnything{true, true, true, "data, fields or artifacts"};

/// map(D, expr): the data, then the expression over its fields.
void lower_map(CheckContext& context, const flow::KindInfo& info, const std::vector<const ast::Arg*>& positional,
               flow::Artifact& artifact) {
  auto input = lower_input(context, info, *positional[0], kOneData);
  if (!input) return;
  artifact.inputs.push_back(*input);
  const ast::Arg& expression = *positional[1];
  if (expression.kind != ast::Arg::Kind::kExpr) {
    context.error(expression, "the second input of map is an expression over the fields of " +
                                  quoted(context.graph.data[input->data].name));
    return;
  }
  artifact.expr = check_expr(context, expression.expr, input->data, kNone);
}

/// select(D, f1, f2, …): the data, then distinct field names of it.
void lower_select(CheckContext& context, const flow::KindInfo& info, const std::vector<const ast::Arg*>& positional,
                  flow::Artifact& artifact) {
  auto input = lower_input(context, info, *positional[0], kOneData);
  if (!input) return;
  artifact.inputs.push_back(*input);
  std::set<Id> seen;
  for (std::size_t i = 1; i < positional.size(); ++i) {
    const ast::Arg& arg = *positional[i];
    if (arg.kind != ast::Arg::Kind::kExpr || arg.expr.op != ast::Expr::Op::kIdent) {
      context.error(arg, "select lists field names of " + quoted(context.graph.data[input->data].name));
      continue;
    }
    Id field = context.field_of(input->data, arg.expr.ident);
    if (field == kNone) continue;
    if (!seen.insert(field).second) {
      context.error(arg, "field " + quoted(arg.expr.ident.name) + " is selected twice");
      continue;
    }
    artifact.selected.push_back(field);
  }
}

/// The randomized response's input: a field, whose values are the mechanism's domain.
std::optional<flow::Input> lower_finite_field(CheckContext& context, const flow::KindInfo& info, const ast::Arg& arg) {
  if (arg.kind != ast::Arg::Kind::kField) {
    context.error(arg, std::string(info.name) + " needs a field D.field of a finite type (enum, bool or int) as input, not " +
                           std::string(arg.kind == ast::Arg::Kind::kExpr && arg.expr.op == ast::Expr::Op::kIdent
                                           ? quoted(arg.expr.ident.name)
                                           : "an expression"));
    return std::nullopt;
  }
  return lower_input(context, info, arg, {false, true, false, "a field"});
}

/// The positional arguments as the kind's input shape wants them.
void lower_inputs(CheckContext& context, const flow::KindInfo& info, const ast::Compute& written,
                  const std::vector<const ast::Arg*>& positional, flow::Artifact& artifact) {
  using Shape = flow::InputShape;
  const bool several = info.inputs == Shape::kDataAndFields || info.inputs == Shape::kAnyInputs;
  const std::size_t least = info.inputs == Shape::kDataAndExpression || info.inputs == Shape::kDataAndFields ? 2 : 1;
  const std::size_t most = several ? SIZE_MAX : least;
  if (positional.size() < least || positional.size() > most) {
    context.error(written.kind, std::string(info.name) + " takes " + flow::input_shape_text(info.inputs) + ", not " +
                                    std::to_string(positional.size()) + (positional.size() == 1 ? " input" : " inputs"));
    return;
  }
  auto add = [&](std::optional<flow::Input> input) {
    if (input) artifact.inputs.push_back(*input);
  };
  switch (info.inputs) {
    case Shape::kDataAndExpression: lower_map(context, info, positional, artifact); break;
    case Shape::kDataAndFields: lower_select(context, info, positional, artifact); break;
    case Shape::kDataOrArtifact:
      add(lower_input(context, info, *positional[0], {true, false, true, "a data or an artifact"}));
      break;
    case Shape::kNumericField:
    case Shape::kField: {
      auto input = lower_input(context, info, *positional[0], {false, true, false, "a field D.field"});
      if (input && info.inputs == Shape::kNumericField &&
          context.graph.data[input->data].fields[input->field].type == flow::FieldType::kEnum) {
        context.error(*positional[0], std::string(info.name) + " needs a numeric field; " +
                                          quoted(positional[0]->field.name) + " is enumerated");
        input.reset();
      }
      add(input);
      break;
    }
    case Shape::kArtifact: add(lower_input(context, info, *positional[0], {false, false, true, "an artifact"})); break;
    case Shape::kFiniteField: add(lower_finite_field(context, info, *positional[0])); break;
    case Shape::kAnyInputs:
      for (const auto* arg : positional) add(lower_input(context, info, *arg, kAnything));
      break;
  }
}

/// A parameter value: a number, a param name, or an expression of them (rounded the way
/// `round_up` says when it is irrational: flow::rounds_up).
std::optional<flow::ParamValue> param_value(CheckContext& context, const ast::Value& written, bool round_up) {
  flow::ParamValue value;
  value.span = context.span(written);
  value.round_up = round_up;
  if (written.kind == ast::Value::Kind::kNumber) {
    if (!context.number(written.number, value.literal)) return std::nullopt;
    return value;
  }
  if (written.kind == ast::Value::Kind::kArith) {
    auto lowered = lower_param_expr(context, written.arith);
    if (!lowered) return std::nullopt;
    auto evaluated = evaluate_param_expr(context, *lowered);
    if (!evaluated) return std::nullopt;
    value.literal = flow::settle(*evaluated, round_up);
    value.expr = std::make_shared<const flow::ParamExpr>(std::move(*lowered));
    return value;
  }
  value.param = context.resolve(written.ident, DeclKind::kParam);
  if (value.param == kNone) return std::nullopt;
  value.literal = context.graph.params[value.param].value;
  return value;
}

/// A list parameter (`coefficients: [1, 1/2, 3/8, 5/16]`): one or more numeric values, at most
/// flow::kMaxListItems. Every element is read, so that each bad one is reported.
std::optional<std::vector<flow::ParamValue>> list_value(CheckContext& context, const flow::ParamInfo& param,
                                                        const ast::Arg& arg) {
  const std::string name = param.name;
  if (arg.value.kind != ast::Value::Kind::kArray) {
    context.error(arg.value, name + " " + flow::range_violation(param.range) + ", not one value");
    return std::nullopt;
  }
  if (arg.value.items.empty()) {
    context.error(arg.value, name + " needs at least one number, e.g. [1, 1/2, 3/8]");
    return std::nullopt;
  }
  if (arg.value.items.size() > flow::kMaxListItems) {
    context.error(arg.value, name + " has " + std::to_string(arg.value.items.size()) + " elements; at most " +
                                 std::to_string(flow::kMaxListItems) + " are accepted");
    return std::nullopt;
  }
  std::vector<flow::ParamValue> values;
  bool complete = true;
  for (const ast::Value& item : arg.value.items) {
    auto value = param_value(context, item, true);
    if (value)
      values.push_back(std::move(*value));
    else
      complete = false;
  }
  if (!complete) return std::nullopt;
  return values;
}

/// How a parameter's value reads in a message: as written, with its value when it is a param
/// or an expression (an irrational one shown to 6 digits, rounded as the analysis rounds it).
std::string shown_value(const CheckContext& context, const ast::Arg& arg, const flow::ParamValue& value) {
  if (arg.value.kind == ast::Value::Kind::kNumber) return arg.value.number.text;
  if (!value.expr) return arg.value.ident.name + " = " + format_exact(value.literal);
  std::string text = flow::expr_text(*value.expr, context.graph.params);
  auto exact = flow::evaluate(*value.expr, context.graph.params);
  if (exact.value && exact.value->exact()) return text + " = " + format_exact(value.literal);
  return text + " = " + (value.round_up ? format_up(value.literal, 6) : format_down(value.literal, 6)) + "...";
}

/// The range of a numeric parameter; `domain` is the number of values of a randomized
/// response's input (0 when unknown), which `keep` must exceed the reciprocal of.
void check_param_range(CheckContext& context, const flow::ParamInfo& param, const flow::ParamValue& written,
                       const ast::Arg& arg, std::uint64_t domain) {
  const std::string name = param.name;
  const Rational& value = written.literal;
  std::string shown = shown_value(context, arg, written);
  if (!flow::in_range(param.range, value)) {
    context.error(arg.value, name + " " + flow::range_violation(param.range) + ", not " + shown);
  } else if (param.range == flow::Range::kKeepProbability && domain > 0 &&
             value * Rational(mpz_class(std::to_string(domain))) <= 1) {
    context.error(arg.value, name + " " + shown + " is at most 1/" + std::to_string(domain) + " for " +
                                 std::to_string(domain) +
                                 " values: the report would not depend on the true value (keep must exceed 1/k)");
  }
}

/// `distributed: true|false`, `tree_completion: true|false`.
void set_flag(CheckContext& context, const flow::ParamInfo& param, const ast::Arg& arg, flow::Artifact& artifact) {
  const std::string& word = arg.value.ident.name;
  if (arg.value.kind != ast::Value::Kind::kIdent || (word != "true" && word != "false")) {
    context.error(arg.value, std::string(param.name) + " " + flow::range_violation(param.range));
    return;
  }
  if (param.key == flow::ParamKey::kTreeCompletion)
    artifact.tree_completion = word == "true";
  else
    artifact.distributed = word == "true";
}

/// `sampling: poisson|fixed_size|shuffle` (dpsgd).
void set_batching(CheckContext& context, const flow::ParamInfo& param, const ast::Arg& arg, flow::Artifact& artifact) {
  const std::string& word = arg.value.ident.name;
  for (flow::Batching batching : {flow::Batching::kPoisson, flow::Batching::kFixedSize, flow::Batching::kShuffle}) {
    if (arg.value.kind == ast::Value::Kind::kIdent && word == flow::batching_name(batching)) {
      artifact.batching = batching;
      return;
    }
  }
  std::string suggestion =
      arg.value.kind == ast::Value::Kind::kIdent ? suggest(word, {"poisson", "fixed_size", "shuffle"}) : "";
  context.error(arg.value, std::string(param.name) + " " + flow::range_violation(param.range) + suggestion);
}

/// The named arguments: each a parameter of the kind, given once, in its range. Returns
/// whether one was unknown or unreadable (then a missing one is not reported as well).
bool lower_parameters(CheckContext& context, const flow::KindInfo& info, const std::vector<const ast::Arg*>& named,
                      flow::Artifact& artifact) {
  std::vector<std::string> accepted;
  for (flow::ParamKey key : info.params) accepted.push_back(flow::param_name(key));
  std::uint64_t domain = 0;
  if (info.inputs == flow::InputShape::kFiniteField && artifact.inputs.size() == 1 &&
      artifact.inputs[0].kind == flow::Input::Kind::kField)
    domain = context.graph.data[artifact.inputs[0].data].fields[artifact.inputs[0].field].domain_size();
  bool unreadable = false, batching_seen = false;
  std::vector<flow::ParamKey> flags_seen;
  const bool beside_epsilon = std::any_of(named.begin(), named.end(), [](const ast::Arg* arg) {
    return arg->key.name == flow::param_name(flow::ParamKey::kEpsilon);
  });
  for (const auto* arg : named) {
    const std::string& spelling = arg->key.name;
    auto position = std::find(accepted.begin(), accepted.end(), spelling);
    if (position == accepted.end()) {
      unreadable = true;
      if (accepted.empty()) {
        context.error(arg->key, std::string(info.name) + " takes no parameters");
      } else {
        std::string suggestion = suggest(spelling, accepted);
        context.error(arg->key, "unknown parameter " + quoted(spelling) + " of " + info.name +
                                    (suggestion.empty() ? " (it takes " + join(accepted, ", ") + ")" : suggestion));
      }
      continue;
    }
    const flow::ParamInfo& param = flow::param_info(info.params[static_cast<std::size_t>(position - accepted.begin())]);
    const bool flag = param.range == flow::Range::kFlag;
    if (artifact.params.count(param.key) || artifact.lists.count(param.key) ||
        (flag && std::find(flags_seen.begin(), flags_seen.end(), param.key) != flags_seen.end())) {
      context.error(arg->key, "parameter " + quoted(spelling) + " is given twice");
      continue;
    }
    if (flag) {
      flags_seen.push_back(param.key);
      set_flag(context, param, *arg, artifact);
      continue;
    }
    if (param.range == flow::Range::kBatching) {
      if (batching_seen) context.error(arg->key, "parameter " + quoted(spelling) + " is given twice");
      batching_seen = true;
      set_batching(context, param, *arg, artifact);
      continue;
    }
    if (param.range == flow::Range::kNumberList) {
      auto values = list_value(context, param, *arg);
      if (values)
        artifact.lists.emplace(param.key, std::move(*values));
      else
        unreadable = true;
      continue;
    }
    if (arg->value.kind == ast::Value::Kind::kArray) {
      context.error(arg->value, spelling + " takes one number, not a list");
      unreadable = true;
      continue;
    }
    auto value = param_value(context, arg->value, flow::rounds_up(param.key, beside_epsilon));
    if (!value) {
      unreadable = true;  // reported; do not also say that it is missing
      continue;
    }
    check_param_range(context, param, *value, *arg, domain);
    artifact.params.emplace(param.key, *value);
  }
  return unreadable;
}

const ast::Arg* named_arg(const ast::Compute& written, flow::ParamKey key) {
  for (const auto& arg : written.args)
    if (arg.kind == ast::Arg::Kind::kNamed && arg.key.name == flow::param_name(key)) return &arg;
  return &written.args.front();
}

/// The catalogue's rules: required parameters, pairs of which exactly one is written, and
/// parameters that go only with another.
void check_param_rules(CheckContext& context, const flow::KindInfo& info, const ast::Compute& written,
                       const flow::Artifact& artifact, bool unreadable) {
  auto has = [&](flow::ParamKey key) { return artifact.params.count(key) > 0 || artifact.lists.count(key) > 0; };
  auto begin_of = [&](flow::ParamKey key) {
    auto list = artifact.lists.find(key);
    return list != artifact.lists.end() ? list->second.front().span.begin : artifact.params.at(key).span.begin;
  };
  const std::string kind = info.name;
  for (const flow::ParamRule& rule : info.rules) {
    const std::string first = quoted(flow::param_name(rule.first));
    if (rule.kind == flow::ParamRule::Kind::kRequired) {
      const auto& second = rule.second;
      if (!has(rule.first) && (!second || !has(*second)) && !unreadable) {  // a misspelt one was reported
        context.error(written.kind, kind + " needs " + first + (second ? " or " + quoted(flow::param_name(*second)) : ""));
      } else if (second && has(rule.first) && has(*second)) {
        const bool second_first = begin_of(*second) < begin_of(rule.first);
        context.error(*named_arg(written, second_first ? rule.first : *second),
                      kind + " takes " + first + " or " + quoted(flow::param_name(*second)) + ", not both");
      }
      continue;
    }
    // kOnlyWith: reported when the partner's alternative is written; a missing partner is
    // reported by the partner's own rule.
    for (const flow::ParamRule& pair : info.rules) {
      if (pair.kind != flow::ParamRule::Kind::kRequired || !pair.second) continue;
      const bool partner_first = pair.first == *rule.second, partner_second = *pair.second == *rule.second;
      if (!partner_first && !partner_second) continue;
      const flow::ParamKey alternative = partner_first ? *pair.second : pair.first;
      if (has(rule.first) && has(alternative))
        context.error(*named_arg(written, rule.first),
                      kind + " takes " + first + " only with " + quoted(flow::param_name(*rule.second)));
    }
  }
}

/// `matrix_factorization(coefficients: [...])`: the conditions of the banded Toeplitz sensitivity
/// (dp::banded_toeplitz_sensitivity_squared), located here. c0 ≠ 0 (a lower-triangular Toeplitz
/// strategy is invertible only then); more than one participation needs `min_separation`; and
/// the bands fit in the separation, so that the columns of a participation pattern have disjoint
/// rows (Choquette-Choo et al. 2023, Thm 2). One participation: the separation is `steps`.
void check_banded_strategy(CheckContext& context, const ast::Compute& written, const flow::Artifact& artifact) {
  auto list = artifact.lists.find(flow::ParamKey::kCoefficients);
  if (list == artifact.lists.end()) return;
  const ast::Arg& arg = *named_arg(written, flow::ParamKey::kCoefficients);
  const std::vector<flow::ParamValue>& bands = list->second;
  if (sgn(bands.front().literal) == 0)
    context.error(arg.value.items.front(), "the first coefficient c0 must not be 0: the strategy would not be invertible");
  auto value_of = [&](flow::ParamKey key) -> std::optional<Rational> {
    auto it = artifact.params.find(key);
    if (it == artifact.params.end()) return std::nullopt;
    return it->second.literal;
  };
  const bool several = value_of(flow::ParamKey::kEpochs).value_or(Rational(1)) > 1;
  auto separation = value_of(flow::ParamKey::kMinSeparation);
  const char* bound = "min_separation";
  if (!separation && several) {
    context.error(*named_arg(written, flow::ParamKey::kEpochs),
                  "matrix_factorization with epochs above 1 needs 'min_separation' (the fewest steps between two "
                  "participations of a record)");
    return;
  }
  if (!separation) {
    separation = value_of(flow::ParamKey::kSteps);
    bound = "steps";
  }
  if (!separation || Rational(mpz_class(std::to_string(bands.size()))) <= *separation) return;
  const std::string head = "coefficients has " + std::to_string(bands.size()) + " bands, more than " + bound + " " +
                           format_exact(*separation);
  context.error(arg.value, head + (std::string(bound) == "steps"
                                       ? ": a band past the last step is never used (leave it out)"
                                       : ": participations could share rows of the strategy (give its sensitivity instead)"));
}

}  // namespace

void check_compute(CheckContext& context, const ast::Compute& written, flow::Artifact& artifact) {
  artifact.at = context.resolve(written.at, DeclKind::kAgent);
  const flow::KindInfo* info = flow::find_kind(written.kind.name);
  if (!info) {
    std::vector<std::string> kind_names;
    for (const auto& entry : flow::catalogue()) kind_names.push_back(entry.name);
    context.error(written.kind,
                  "unknown computation kind " + quoted(written.kind.name) + suggest(written.kind.name, kind_names));
    return;
  }
  artifact.kind = info->kind;
  // Positional arguments are inputs; named ones are parameters.
  std::vector<const ast::Arg*> positional, named;
  for (const auto& arg : written.args) (arg.kind == ast::Arg::Kind::kNamed ? named : positional).push_back(&arg);
  lower_inputs(context, *info, written, positional, artifact);
  const bool unreadable = lower_parameters(context, *info, named, artifact);
  check_param_rules(context, *info, written, artifact, unreadable);
  if (info->kind == flow::ComputeKind::kMatrixFactorization) check_banded_strategy(context, written, artifact);
  if (flow::is_network_protocol(info->kind) && artifact.at < context.program.agents.size()) {
    const flow::Agent& agent = context.graph.agents[artifact.at];
    // A topology written but refused has its own error already.
    const auto& props = context.program.agents[artifact.at].props;
    const bool given = std::any_of(props.begin(), props.end(), [](const ast::Prop& p) { return p.key.name == "topology"; });
    if (!given && (!agent.population || !agent.topology))
      context.error(written.at, std::string(info->name) + " runs among the members of a population on its topology: " +
                                    (agent.population ? "give " + quoted(agent.name) + " one, e.g. 'topology: ring'"
                                                      : quoted(agent.name) + " is a single agent (declare " +
                                                            quoted(agent.name + "[n]") + " with a topology)"));
  }
}

}  // namespace privflow::lang::detail
