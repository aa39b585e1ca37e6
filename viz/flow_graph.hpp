#pragma once
// The flow graph as the front end lowered it, written out for tools (`privflow graph`): as JSON
// (every declaration with its line and column, numbers as exact fractions) and as plain DOT.
// Unlike to_dot (viz/diagram.hpp) these carry no analysis and keep the spec's declaration order.
#include <string>

#include "flow/graph.hpp"

namespace privflow::viz {

/// The graph as JSON: pipeline, settings, regions, categories, params, data, agents,
/// artifacts, flows, adversaries and requirements, in declaration order; ends with a newline.
/// Invalid UTF-8 in a name or string becomes U+FFFD.
std::string graph_json(const flow::Graph& graph);

/// The graph as DOT: one node per data set, agent and artifact, one edge per holding, input,
/// computation and send, in declaration order. Needs no Graphviz.
std::string graph_dot(const flow::Graph& graph);

/// The words of the language for a trust level ("curious") and a channel ("secure_aggregation").
const char* trust_name(flow::Trust trust);
const char* channel_name(flow::Channel::Kind kind);

}  // namespace privflow::viz
