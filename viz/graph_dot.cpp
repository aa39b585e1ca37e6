// The flow graph as plain DOT (`privflow graph --format dot`), in declaration order.
//
// Not viz::to_dot (dot_writer.cpp): that one draws the leakage diagram, sorted by name, styled
// and coloured by an overlay, with labels escaped as escStrings (a control character becomes a
// space). This is the structure alone, in the spec's order, with "\n" line breaks in labels;
// scripts read its exact bytes (tests/lang/cli_graph_test.cpp), so the two stay apart.
#include <sstream>
#include <string>

#include "viz/flow_graph.hpp"

namespace privflow::viz {
namespace {

using flow::kNone;

/// DOT text, quoted and escaped by hand (no Graphviz needed to print a graph).
std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string graph_dot(const flow::Graph& g) {
  std::ostringstream o;
  o << "digraph " << dot_quote(g.pipeline.empty() ? "privflow" : g.pipeline) << " {\n";
  o << "  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (const auto& d : g.data) {
    std::string label = d.name;
    if (d.rows) label += "\n" + std::to_string(d.rows) + " rows";
    o << "  " << dot_quote("data:" + d.name) << " [shape=cylinder, label=" << dot_quote(label) << "];\n";
  }
  for (const auto& a : g.agents) {
    std::string label = a.name + (a.population ? "[" + std::to_string(a.count) + "]" : "") + "\n" + trust_name(a.trust);
    if (a.region != kNone) label += ", " + g.regions[a.region].name;
    o << "  " << dot_quote("agent:" + a.name) << " [shape=box, label=" << dot_quote(label) << "];\n";
    for (const auto& h : a.holds)
      o << "  " << dot_quote("data:" + g.data[h.data].name) << " -> " << dot_quote("agent:" + a.name)
        << " [style=dashed, label=" << dot_quote(h.partitioned ? "holds by partition" : "holds") << "];\n";
  }
  for (const auto& a : g.artifacts) {
    std::string label = a.name + "\n" + flow::kind_name(a.kind);
    o << "  " << dot_quote("artifact:" + a.name) << " [shape=" << (flow::is_private(a.kind) ? "doubleoctagon" : "ellipse")
      << ", label=" << dot_quote(label) << "];\n";
    if (a.at != kNone)
      o << "  " << dot_quote("agent:" + g.agents[a.at].name) << " -> " << dot_quote("artifact:" + a.name)
        << " [style=dotted, label=\"computes\"];\n";
    for (const auto& in : a.inputs) {
      std::string from = in.kind == flow::Input::Kind::kArtifact ? "artifact:" + g.artifacts[in.artifact].name
                                                                 : "data:" + g.data[in.data].name;
      std::string field = in.kind == flow::Input::Kind::kField ? g.data[in.data].fields[in.field].name : "";
      o << "  " << dot_quote(from) << " -> " << dot_quote("artifact:" + a.name);
      if (!field.empty()) o << " [label=" << dot_quote(field) << "]";
      o << ";\n";
    }
  }
  for (const auto& f : g.flows) {
    std::string label = channel_name(f.channel.kind);
    if (f.channel.kind == flow::Channel::Kind::kSecureAggregation)
      label += "(threshold: " + std::to_string(f.channel.threshold) + ")";
    if (f.channel.kind == flow::Channel::Kind::kShuffler) label += "(by: " + g.agents[f.channel.shuffler].name + ")";
    if (f.channel.kind == flow::Channel::Kind::kNetworkShuffle) label += "(steps: " + std::to_string(f.channel.walk_steps) + ")";
    o << "  " << dot_quote("artifact:" + g.artifacts[f.artifact].name) << " -> " << dot_quote("agent:" + g.agents[f.to].name)
      << " [label=" << dot_quote("send from " + g.agents[f.from].name + " via " + label) << "];\n";
  }
  o << "}\n";
  return o.str();
}


}  // namespace privflow::viz
