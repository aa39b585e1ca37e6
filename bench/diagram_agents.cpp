// bench/diagram_agents: `privflow diagram` of specs with thousands of agents, stage by stage
// (load, analysis, DOT, SVG layout and rendering) with the peak resident memory, one process per
// size (fork), so each peak is its own. Prints a table. The agents receive one release each:
// past 100 agents the diagram draws agents that receive the same things as one frame, so the
// layout no longer grows with them (before: 3,000 agents took 60-96 s and 2 GB in Graphviz).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "analyzer/analysis.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"
#include "report/overlay.hpp"
#include "viz/diagram.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point& start) {
  auto now = Clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  return ms;
}

/// A hub that releases a count to `n` agents, one of them the adversary.
std::string generate(std::size_t n) {
  std::string s = "pipeline fanout\ndata d { rows: 1000 field x: {a, b} prior {1/2, 1/2} }\n"
                  "agent hub { trust: curious, holds: d }\n";
  for (std::size_t i = 0; i < n; ++i) s += "agent a" + std::to_string(i) + " { trust: curious }\n";
  s += "compute n at hub = count(d)\ncompute c at hub = laplace(n, epsilon: 1)\n";
  for (std::size_t i = 0; i < n; ++i) s += "send c to a" + std::to_string(i) + "\n";
  return s + "require dp(d) against {a0} <= epsilon 2\n";
}

void row(std::size_t n) {
  using namespace privflow;
  auto t = Clock::now();
  auto total = t;
  lang::SourceFile source("fanout.pflow", generate(n));
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  if (!graph) {
    std::fprintf(stderr, "the generated spec is invalid\n");
    _exit(1);
  }
  double load = ms_since(t);
  analyzer::Analysis analysis = analyzer::analyze(*graph);
  double analyse = ms_since(t);
  std::string dot = viz::to_dot(*graph, report::analysis_overlay(*graph, analysis, flow::kNone, flow::kNone));
  double write = ms_since(t);
  std::string svg, error;
  if (!viz::render(dot, viz::Format::kSvg, svg, error)) {
    std::fprintf(stderr, "render failed: %s\n", error.c_str());
    _exit(1);
  }
  double render = ms_since(t);
  double all = ms_since(total);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%8zu %9.0f %10.0f %8.0f %10.0f %9.0f %9.0f %9ld\n", n, load, analyse, write, render, all,
              dot.size() / 1024.0, usage.ru_maxrss / 1024);
  std::fflush(stdout);
}

}  // namespace

int main() {
  std::printf("%8s %9s %10s %8s %10s %9s %9s %9s\n", "agents", "load_ms", "analyse_ms", "dot_ms", "svg_ms",
              "total_ms", "dot_kB", "peak_MB");
  std::fflush(stdout);
  for (std::size_t n : {100, 300, 1000, 3000}) {
    pid_t pid = fork();
    if (pid == 0) {
      row(n);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  return 0;
}
