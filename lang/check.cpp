// Semantic checks and lowering: ast::Program -> flow::Graph, as passes over one shared
// context (lang/detail/checker.hpp). Name resolution comes first, so that names may be used
// before they are declared; then each statement kind is lowered by its own file.
#include "lang/check.hpp"

#include <algorithm>

#include "lang/detail/checker.hpp"

namespace privflow::lang {

flow::Graph check_program(const ast::Program& program, Diagnostics& diags, const Limits& limits) {
  detail::CheckContext context(program, diags, limits);
  flow::Graph& graph = context.graph;
  detail::declare_all(context);
  detail::check_pipeline(context);
  detail::check_settings(context);
  detail::check_params(context);
  for (std::size_t i = 0; i < program.data.size(); ++i) detail::check_data(context, program.data[i], graph.data[i]);
  for (std::size_t i = 0; i < program.agents.size(); ++i) detail::check_agent(context, program.agents[i], graph.agents[i]);
  // Artifacts: kinds and inputs first, then who holds what, then the holdings checks.
  for (std::size_t i = 0; i < program.computes.size(); ++i)
    detail::check_compute(context, program.computes[i], graph.artifacts[i]);
  for (const auto& send : program.sends) detail::check_send(context, send);
  detail::compute_holdings(context);
  for (std::size_t i = 0; i < program.computes.size(); ++i) detail::check_inputs_held(context, graph.artifacts[i], i);
  for (std::size_t i = 0; i < program.sends.size(); ++i) detail::check_sender_holds(context, program.sends[i], i);
  detail::check_cycles(context);
  for (std::size_t i = 0; i < program.adversaries.size(); ++i)
    graph.adversaries[i].coalition = detail::lower_coalition(context, program.adversaries[i].coalition);
  for (const auto& written : program.requires_) detail::check_require(context, written);
  for (const auto& written : program.forbids) detail::check_forbid(context, written);
  // Requirements and forbid rules in source order.
  std::stable_sort(graph.requirements.begin(), graph.requirements.end(),
                   [](const flow::Requirement& a, const flow::Requirement& b) { return a.span.begin < b.span.begin; });
  return std::move(graph);
}

}  // namespace privflow::lang
