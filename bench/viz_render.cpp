// bench/viz_render: time to write the DOT of a synthetic pipeline and to lay it out and render it
// in-process with Graphviz (dot engine), by number of computations. Prints a table. Layout
// dominates and grows faster than linearly (dot's crossing minimisation); the DOT writer is linear.
// PNG is mostly cairo rasterising a large canvas. Wall times on a shared machine vary: the
// png_cpu column (process CPU time) is the steadier figure.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include "tests/viz/sample_graphs.hpp"
#include "viz/diagram.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main() {
  using namespace privflow;
  std::printf("%12s %8s %10s %10s %10s %10s %12s %10s %10s\n", "computations", "agents", "dot_ms", "dot_kB",
              "svg_ms", "png_ms", "png_cpu_ms", "png_kB", "pdf_ms");
  const std::size_t sizes[][2] = {{10, 3}, {50, 5}, {100, 10}, {200, 10}, {400, 20}};
  for (const auto& [n, agents] : sizes) {
    auto graph = viz::testing::synthetic(n, agents);
    auto t0 = Clock::now();
    std::string dot;
    for (int i = 0; i < 10; ++i) dot = viz::to_dot(graph, {});
    double dot_ms = ms_since(t0) / 10;
    std::string bytes, error;
    double ms[3] = {0, 0, 0};
    std::size_t png_size = 0;
    double png_cpu = 0;
    const viz::Format formats[] = {viz::Format::kSvg, viz::Format::kPng, viz::Format::kPdf};
    for (int f = 0; f < 3; ++f) {
      auto t = Clock::now();
      std::clock_t c = std::clock();
      if (!viz::render(dot, formats[f], bytes, error)) {
        std::fprintf(stderr, "render failed: %s\n", error.c_str());
        return 1;
      }
      ms[f] = ms_since(t);
      if (formats[f] == viz::Format::kPng) {
        png_size = bytes.size();
        png_cpu = 1000.0 * static_cast<double>(std::clock() - c) / CLOCKS_PER_SEC;
      }
    }
    std::printf("%12zu %8zu %10.2f %10.1f %10.0f %10.0f %12.0f %10.1f %10.0f\n", n, agents, dot_ms,
                dot.size() / 1024.0, ms[0], ms[1], png_cpu, png_size / 1024.0, ms[2]);
  }
  return 0;
}
