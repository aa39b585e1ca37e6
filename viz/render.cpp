// Rendering through Graphviz's C API (cgraph + gvc 2.42). The only file that includes gvc.h:
// its macros (TRUE, MIN, ROUND, …) stay here.
#include <gvc.h>

#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "viz/diagram.hpp"

namespace privflow::viz {
namespace {

// Messages from agerr() (parse errors, layout warnings) land here instead of stderr. The
// callback is a process-global plain function pointer, so its sink is a global guarded by
// the render mutex.
std::string* g_messages = nullptr;

int collect_message(char* message) {
  if (g_messages && message) g_messages->append(message);
  return 0;
}

std::mutex& render_mutex() {
  static std::mutex m;
  return m;
}

// One GVC per process (STYLE.md): created on first use with the plugins listed in Graphviz's
// installed config (gvContext loads libgvplugin_* through config6a, which gives the cairo
// png/pdf renderers of the pango plugin), freed at exit.
GVC_t* context() {
  static std::unique_ptr<GVC_t, decltype(&gvFreeContext)> gvc(gvContext(), &gvFreeContext);
  return gvc.get();
}

struct GraphCloser {
  void operator()(Agraph_t* g) const { agclose(g); }
};
using GraphPtr = std::unique_ptr<Agraph_t, GraphCloser>;

// Frees the layout before the graph is closed (declared after the GraphPtr, destroyed first).
class LayoutGuard {
 public:
  LayoutGuard(GVC_t* gvc, Agraph_t* g) : gvc_(gvc), g_(g) {}
  ~LayoutGuard() { gvFreeLayout(gvc_, g_); }
  LayoutGuard(const LayoutGuard&) = delete;
  LayoutGuard& operator=(const LayoutGuard&) = delete;

 private:
  GVC_t* gvc_;
  Agraph_t* g_;
};

struct RenderDataFree {
  void operator()(char* p) const { gvFreeRenderData(p); }
};

// The first line of Graphviz's messages, without "Error: " noise or a trailing newline.
std::string first_line(std::string text) {
  auto nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

bool render_locked(const std::string& dot, Format format, std::string& bytes, std::string& error,
                   std::string& messages) {
  GVC_t* gvc = context();
  if (!gvc) {
    error = "cannot start Graphviz (gvContext failed)";
    return false;
  }
  agreseterrors();
  GraphPtr graph(agmemread(dot.c_str()));
  if (!graph || agerrors() >= AGERR) {
    error = "Graphviz cannot read the diagram: " + first_line(messages);
    return false;
  }
  if (gvLayout(gvc, graph.get(), "dot") != 0) {
    error = "Graphviz layout failed: " + first_line(messages);
    return false;
  }
  LayoutGuard layout(gvc, graph.get());
  char* raw = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc, graph.get(), format_name(format), &raw, &length);
  std::unique_ptr<char, RenderDataFree> data(raw);
  if (rc != 0 || !raw) {
    error = std::string("Graphviz cannot render ") + format_name(format) +
            (messages.empty() ? std::string(" (is the cairo plugin, libgvplugin_pango, installed?)")
                              : ": " + first_line(messages));
    return false;
  }
  bytes.assign(raw, length);
  return true;
}

}  // namespace

bool render(const std::string& dot, Format format, std::string& bytes, std::string& error) {
  bytes.clear();
  error.clear();
  if (format == Format::kDot) {
    bytes = dot;
    return true;
  }
  std::lock_guard<std::mutex> lock(render_mutex());
  std::string messages;
  g_messages = &messages;
  agusererrf previous = agseterrf(&collect_message);
  bool ok = false;
  try {
    ok = render_locked(dot, format, bytes, error, messages);
  } catch (const std::bad_alloc&) {
    error = "out of memory while rendering the diagram";
  }
  agseterrf(previous);
  g_messages = nullptr;
  return ok;
}

}  // namespace privflow::viz
