// The analysis-free part of a diagram's overlay, requirement descriptions (worded by
// flow/describe.hpp, as in the reports) and formats.
#include <algorithm>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "flow/describe.hpp"
#include "viz/diagram.hpp"

namespace privflow::viz {
namespace {

std::string agent_name(const flow::Graph& g, flow::Id id) {
  return id < g.agents.size() ? g.agents[id].name : std::string("?");
}

/// " at distance ≥ 3" for `at distance >= 3`; nothing at D ≤ 1 (no restriction).
std::string distance_text(std::uint64_t d) {
  return d <= 1 ? std::string() : " at distance \xe2\x89\xa5 " + std::to_string(d);
}

CoalitionView coalition_view(const flow::Graph& g, const std::string& name, const flow::Coalition& c) {
  CoalitionView view;
  view.name = name;
  for (const auto& m : c.fixed) {
    if (m.agent >= g.agents.size()) continue;
    const auto& agent = g.agents[m.agent];
    std::uint64_t count = m.all ? agent.count : std::min(m.count, agent.count);
    view.members[m.agent] += count;
    if (view.members[m.agent] > agent.count) view.members[m.agent] = agent.count;
  }
  view.distance = c.distance;
  if (c.choose > 0) {
    std::vector<std::string> cands;
    for (auto id : c.candidates) cands.push_back(agent_name(g, id));
    for (auto id : c.candidates) view.chosen[id] = c.choose;
    view.note = "+ any " + std::to_string(c.choose) + " of {" + join(cands, ", ") + "}" + distance_text(c.distance) +
                ": the worst choice comes from the analysis";
  }
  return view;
}

}  // namespace

flow::Id find_requirement(const flow::Graph& graph, const std::string& name) {
  for (std::size_t i = 0; i < graph.requirements.size(); ++i)
    if (graph.requirements[i].name == name) return static_cast<flow::Id>(i);
  return flow::kNone;
}

std::string describe_requirement(const flow::Graph& g, const flow::Requirement& r) {
  return flow::requirement_text(g, r);
}

Overlay structural_overlay(const flow::Graph& g, flow::Id adversary, flow::Id requirement) {
  Overlay overlay;
  if (requirement < g.requirements.size()) {
    overlay.requirement = requirement;
    const auto& r = g.requirements[requirement];
    if (r.measure != flow::Measure::kForbid && r.measure != flow::Measure::kError) {
      if (r.adversary < g.adversaries.size())
        overlay.coalition = coalition_view(g, g.adversaries[r.adversary].name, g.adversaries[r.adversary].coalition);
      else
        overlay.coalition = coalition_view(g, flow::coalition_text(g, r.coalition), r.coalition);
    }
  }
  // An explicit --adversary names whose view is drawn, even for a requirement.
  if (adversary < g.adversaries.size())
    overlay.coalition = coalition_view(g, g.adversaries[adversary].name, g.adversaries[adversary].coalition);
  if (overlay.coalition) overlay.observer = "coalition " + overlay.coalition->name;
  return overlay;
}

std::optional<Format> format_from_name(std::string_view name) {
  if (name == "dot" || name == "gv") return Format::kDot;
  if (name == "svg") return Format::kSvg;
  if (name == "png") return Format::kPng;
  if (name == "pdf") return Format::kPdf;
  return std::nullopt;
}

std::optional<Format> format_from_path(std::string_view path) {
  auto slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string ext(base.substr(dot + 1));
  for (auto& c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return format_from_name(ext);
}

const char* format_name(Format format) {
  switch (format) {
    case Format::kDot: return "dot";
    case Format::kSvg: return "svg";
    case Format::kPng: return "png";
    case Format::kPdf: return "pdf";
  }
  return "dot";
}

}  // namespace privflow::viz
