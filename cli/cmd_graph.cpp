// privflow graph SPEC [--format json|dot]: the flow graph as the front end lowered it
// (the serialisers are viz/flow_graph.hpp's).
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "viz/flow_graph.hpp"

namespace privflow::cli {
namespace {

struct GraphOptions {
  std::string spec;
  std::string format = "json";
};

int run_graph(const GraphOptions& opts, Io& io) {
  auto graph = load_spec_file(opts.spec, io);
  if (!graph) return static_cast<int>(ExitStatus::kInvalid);
  std::string text = opts.format == "dot" ? viz::graph_dot(*graph) : viz::graph_json(*graph);
  return write_result("-", text, io) ? 0 : static_cast<int>(ExitStatus::kInternal);
}

}  // namespace

Command graph_command() {
  auto opts = std::make_shared<GraphOptions>();
  Arg format = option("--format", "json (default) or dot", &opts->format);
  format.choices = {"json", "dot"};
  return make_command("graph", "Print the flow graph of a spec as parsed (JSON or DOT)", "", opts, run_graph,
                      {required(option("SPEC", "spec file ('-' reads standard input)", &opts->spec)), format});
}

}  // namespace privflow::cli
