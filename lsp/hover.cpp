// textDocument/hover (lsp/detail/features.hpp): the words of flow/describe.hpp and
// analyzer/wording.hpp, as every other output of privflow uses them.
#include <string>

#include "analyzer/wording.hpp"
#include "base/rational.hpp"
#include "flow/catalogue.hpp"
#include "flow/describe.hpp"
#include "lsp/detail/features.hpp"

namespace privflow::lsp::detail {
namespace {

std::string code(const std::string& text) { return "`" + text + "`"; }

// The statement as written, in a fenced block (one line of it at most 300 bytes).
std::string statement_text(const Document& document, const Occurrence& declaration) {
  std::string text = document.text().substr(declaration.statement_begin,
                                            declaration.statement_end - declaration.statement_begin);
  if (text.size() > 600) text = text.substr(0, 600) + " …";
  return "```pflow\n" + text + "\n```\n";
}

std::string mechanism_text(const flow::KindInfo& info) {
  std::string text = "**" + std::string(info.name) + "** — " + info.description + "\n";
  if (!info.params.empty()) {
    text += "\nparameters:\n";
    for (flow::ParamKey key : info.params) {
      const flow::ParamInfo& p = flow::param_info(key);
      text += "- " + code(p.name) + ": " + p.meaning;
      if (p.default_text) text += " (default " + std::string(p.default_text) + ")";
      text += "\n";
    }
  }
  return text;
}

std::string parameter_text(const Occurrence& occurrence) {
  const flow::KindInfo* kind = flow::find_kind(occurrence.scope);
  if (kind)
    for (flow::ParamKey key : kind->params) {
      const flow::ParamInfo& p = flow::param_info(key);
      if (occurrence.name != p.name) continue;
      std::string text = "parameter " + code(p.name) + " of " + code(kind->name) + ": " + p.meaning;
      if (p.default_text) text += " (default " + std::string(p.default_text) + ")";
      return text + "\n";
    }
  return "parameter " + code(occurrence.name) + (occurrence.scope.empty() ? "" : " of " + code(occurrence.scope)) + "\n";
}

// δ as a spec writes it: 1e-6, not 1e-06.
std::string delta_text(double delta) {
  std::string text = format_double(delta);
  for (auto at = text.find("e-0"); at != std::string::npos; at = text.find("e-0")) text.erase(at + 2, 1);
  return text;
}

std::string leak_text(const analyzer::ElementLeak& leak, double delta) {
  switch (leak.loss) {
    case analyzer::LossKind::kNothing: return "nothing that depends on a record";
    case analyzer::LossKind::kPrivate:
      return leak.epsilon ? "epsilon " + analyzer::epsilon_text(*leak.epsilon) + " at delta " + delta_text(delta)
                          : "epsilon unbounded";
    case analyzer::LossKind::kExposedRecord: return "the record itself (exposed)";
    case analyzer::LossKind::kExposedStats: return "an exact statistic of the record (exposed)";
    case analyzer::LossKind::kHoldsData: return "the data itself (held)";
  }
  return "";
}

// A release: its ε alone (as each requirement's composition counts it) and what each declared
// adversary's coalition sees of it (analyzer::leakage_map).
std::string release_text(const flow::Graph& graph, const AnalysisResult& result, flow::Id artifact) {
  std::string text;
  for (const auto& verdict : result.analysis.verdicts)
    for (const auto& term : verdict.releases) {
      if (term.artifact != artifact) continue;
      text += "- alone, in " + code(verdict.name) + ": epsilon " + analyzer::epsilon_text(term.epsilon_alone) +
              " at delta " + delta_text(verdict.delta) + " (" + term.parameters + ")";
      if (!term.amplification.empty()) text += "; " + term.amplification;
      text += "\n";
      if (text.size() > kMaxHoverBytes / 2) return text;
    }
  if (text.empty()) text = "- no requirement's coalition observes it\n";
  for (std::size_t i = 0; i < result.adversary_views.size() && i < graph.adversaries.size(); ++i) {
    const analyzer::LeakageMap& view = result.adversary_views[i];
    text += "- against " + code(graph.adversaries[i].name) + ": ";
    auto it = view.artifacts.find(artifact);
    if (!view.seen_artifacts.count(artifact)) text += "not observed directly";
    else text += it == view.artifacts.end() ? "nothing" : leak_text(it->second, view.delta);
    text += "\n";
  }
  return text;
}

std::string requirement_text(const flow::Graph& graph, const AnalysisResult& result, flow::Id id) {
  for (const auto& verdict : result.analysis.verdicts) {
    if (verdict.requirement != id) continue;
    const flow::Requirement& requirement = graph.requirements[id];
    std::string text = "**" + std::string(analyzer::status_name(verdict.status)) + "**: " +
                       analyzer::headline(graph, requirement, verdict) + "\n\n";
    text += "- value: " + analyzer::value_with_unit(requirement, verdict) + "\n";
    text += "- against: " + analyzer::target_text(graph, verdict) + "\n";
    if (!verdict.reason.empty() && text.find(verdict.reason) == std::string::npos) text += "- why: " + verdict.reason + "\n";
    if (!verdict.fix.empty()) text += "- fix: " + verdict.fix + "\n";
    return text;
  }
  return "";
}

// What the analysis says of a declaration, or why it says nothing yet.
std::string analysed_text(const Document& document, const AnalysisResult* result, const Occurrence& declaration) {
  const bool release = declaration.kind == SymbolKind::kArtifact;
  if (!release && declaration.kind != SymbolKind::kRequirement) return "";
  if (!document.graph) return "\n_The spec has errors: it is not analysed._\n";
  if (!result) return "\n_The analysis of this version is running._\n";
  if (!result->failure.empty()) return "\n_The analysis failed: " + result->failure + "_\n";
  const flow::Graph& graph = *result->graph;
  if (release) {
    flow::Id id = graph.find_artifact(declaration.name);
    if (id == flow::kNone || !flow::is_private(graph.artifacts[id].kind)) return "";
    const flow::KindInfo& kind = flow::kind_info(graph.artifacts[id].kind);
    return "\n**Release** of " + code(kind.name) + " (" + kind.description + "):\n" + release_text(graph, *result, id);
  }
  for (flow::Id id = 0; id < graph.requirements.size(); ++id)
    if (graph.requirements[id].name == declaration.name) return "\n" + requirement_text(graph, *result, id);
  return "";
}

// An unnamed requirement has no name to hover: its statement does.
std::optional<flow::Id> requirement_at(const flow::Graph& graph, std::uint32_t offset) {
  for (flow::Id id = 0; id < graph.requirements.size(); ++id) {
    const flow::Span& span = graph.requirements[id].span;
    if (span.begin <= offset && offset < span.end) return id;
  }
  return std::nullopt;
}

json hover_reply(std::string text, Range range) {
  if (text.size() > kMaxHoverBytes) text = text.substr(0, kMaxHoverBytes) + "\n…";
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", to_json(range)}};
}

}  // namespace

json hover(const Document& document, const AnalysisResult* result, Position position) {
  if (!document.symbols) return nullptr;
  const auto offset = static_cast<std::uint32_t>(document.lines.offset(position));
  auto occurrence = document.symbols->at(offset);
  if (!occurrence) {
    const flow::Graph* graph = result ? result->graph.get() : nullptr;
    auto id = graph ? requirement_at(*graph, offset) : std::nullopt;
    if (!id) return nullptr;
    const flow::Requirement& requirement = graph->requirements[*id];
    return hover_reply("**requirement** " + code(flow::requirement_text(*graph, requirement)) + "\n\n" +
                           requirement_text(*graph, *result, *id),
                       document.range(requirement.span.begin, requirement.span.end));
  }
  Range range = document.range(occurrence->begin, occurrence->end);
  if (occurrence->kind == SymbolKind::kMechanism) {
    const flow::KindInfo* info = flow::find_kind(occurrence->name);
    return info ? hover_reply(mechanism_text(*info), range) : nullptr;
  }
  if (occurrence->kind == SymbolKind::kParameter) return hover_reply(parameter_text(*occurrence), range);
  auto declaration = document.symbols->declaration_of(*occurrence);
  std::string name = occurrence->kind == SymbolKind::kField ? occurrence->scope + "." + occurrence->name : occurrence->name;
  std::string text = "**" + std::string(symbol_kind_word(occurrence->kind)) + "** " + code(name) + "\n\n";
  if (!declaration) return hover_reply(text + "_not declared_\n", range);
  text += statement_text(document, *declaration);
  return hover_reply(text + analysed_text(document, result, *declaration), range);
}

}  // namespace privflow::lsp::detail
