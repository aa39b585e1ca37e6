// Rendering through Graphviz's C API (cgraph + gvc 2.42). The only file that includes gvc.h:
// its macros (TRUE, MIN, ROUND, …) stay here. libgvc is opened at the first render
// (base/shared_library.hpp), not linked: the commands that draw nothing do not load it.
#include <gvc.h>
#include <locale.h>

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/shared_library.hpp"
#include "viz/diagram.hpp"

namespace privflow::viz {
namespace {

// The entry points of Graphviz this file calls, each with the type its header declares.
struct Graphviz {
  decltype(&gvContext) context;
  decltype(&gvFreeContext) free_context;
  decltype(&gvLayout) layout;
  decltype(&gvFreeLayout) free_layout;
  decltype(&gvRenderData) render_data;
  decltype(&gvFreeRenderData) free_render_data;
  decltype(&agread) read;
  decltype(&agclose) close;
  decltype(&agerrors) errors;
  decltype(&agreseterrors) reset_errors;
  decltype(&agseterrf) set_error_function;
  Agiodisc_t* io_disc;
  Agmemdisc_t* mem_disc;
};

// libgvc (PRIVFLOW_GVC_SONAME, from the library pkg-config names at configure time) and through
// it libcgraph, opened once; nullptr, with `error` set, when either or a symbol is missing.
const Graphviz* graphviz(std::string& error) {
  static SharedLibrary lib(PRIVFLOW_GVC_SONAME);
  static const Graphviz api{lib.symbol<decltype(gvContext)>("gvContext"),
                            lib.symbol<decltype(gvFreeContext)>("gvFreeContext"),
                            lib.symbol<decltype(gvLayout)>("gvLayout"),
                            lib.symbol<decltype(gvFreeLayout)>("gvFreeLayout"),
                            lib.symbol<decltype(gvRenderData)>("gvRenderData"),
                            lib.symbol<decltype(gvFreeRenderData)>("gvFreeRenderData"),
                            lib.symbol<decltype(agread)>("agread"),
                            lib.symbol<decltype(agclose)>("agclose"),
                            lib.symbol<decltype(agerrors)>("agerrors"),
                            lib.symbol<decltype(agreseterrors)>("agreseterrors"),
                            lib.symbol<decltype(agseterrf)>("agseterrf"),
                            lib.symbol<Agiodisc_t>("AgIoDisc"),
                            lib.symbol<Agmemdisc_t>("AgMemDisc")};
  static const bool complete = lib.loaded() && lib.error().empty();
  if (!complete) {
    error = "cannot draw without Graphviz: " + lib.error();
    return nullptr;
  }
  return &api;
}

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

// One GVC per process (Graphviz's context is costly and global): created on first use with the plugins listed in Graphviz's
// installed config (gvContext loads libgvplugin_* through config6a, which gives the cairo
// png/pdf renderers of the pango plugin), freed at exit.
GVC_t* context(const Graphviz& api) {
  static std::unique_ptr<GVC_t, decltype(&gvFreeContext)> gvc(api.context(), api.free_context);
  return gvc.get();
}

// Deterministic object ids. Graphviz 2.42's default id discipline (cgraph/id.c) gives a named
// object the address of its interned name as id, and keeps subgraphs ordered by id: cluster
// order, and with it the layout, then depended on the heap (a second render in the same
// process, or another locale, drew the clusters in another order). This discipline numbers
// names in order of first appearance (even ids) and anonymous objects with a per-graph
// counter (odd ids), so the same DOT text always gives the same graph.
struct IdState {
  std::unordered_map<std::string, IDTYPE> ids;
  std::deque<std::string> names;  // names[i] has id 2(i+1); deque: stable c_str() pointers
  IDTYPE next_anonymous = 1;
};

void* id_open(Agraph_t*, Agdisc_t*) { return new IdState; }

long id_map(void* state, int, char* str, IDTYPE* id, int createflag) {
  auto* st = static_cast<IdState*>(state);
  if (!str) {
    *id = st->next_anonymous;
    st->next_anonymous += 2;
    return 1;
  }
  auto it = st->ids.find(str);
  if (it != st->ids.end()) {
    *id = it->second;
    return 1;
  }
  if (!createflag) return 0;
  st->names.emplace_back(str);
  *id = static_cast<IDTYPE>(2 * st->names.size());
  st->ids.emplace(str, *id);
  return 1;
}

long id_alloc(void*, int, IDTYPE) { return 0; }  // no caller-chosen ids (as the default)
void id_free(void*, int, IDTYPE) {}               // a name keeps its id until the graph closes

char* id_print(void* state, int, IDTYPE id) {
  auto* st = static_cast<IdState*>(state);
  if (id % 2 != 0 || id == 0 || id / 2 > st->names.size()) return nullptr;  // anonymous
  return st->names[id / 2 - 1].data();
}

void id_close(void* state) { delete static_cast<IdState*>(state); }
void id_register(void*, int, void*) {}

Agiddisc_t g_id_disc = {id_open, id_map, id_alloc, id_free, id_print, id_close, id_register};

// Reading DOT from memory through agread with that discipline (agmemread fixes the default one).
struct MemoryReader {
  const char* data;
  std::size_t size;
  std::size_t pos = 0;
};

int memory_read(void* chan, char* buf, int bufsize) {
  auto* r = static_cast<MemoryReader*>(chan);
  int n = 0;
  while (n < bufsize && r->pos < r->size) {  // one line at a time, as Graphviz's own reader
    char c = r->data[r->pos++];
    buf[n++] = c;
    if (c == '\n') break;
  }
  return n;
}

Agraph_t* read_dot(const Graphviz& api, const std::string& dot) {
  static Agiodisc_t io = {memory_read, api.io_disc->putstr, api.io_disc->flush};
  static Agdisc_t disc = {api.mem_disc, &g_id_disc, &io};
  MemoryReader reader{dot.c_str(), dot.size()};
  return api.read(&reader, &disc);
}

// cairo 1.16 stamps PDFs with the current local time (it ignores SOURCE_DATE_EPOCH), as
// "D:20260101120000Z" in UTC but "D:20260101130000+01'00" elsewhere: each date becomes the
// fixed "D:19700101000000Z", and since the length may change, the cross-reference offsets
// behind it are shifted, so the bytes depend on neither the clock nor the time zone.
struct PdfEdit {
  std::size_t at;    // where the old text changed
  long long delta;   // bytes added (negative: removed)
};

long long shifted(long long offset, const std::vector<PdfEdit>& edits) {
  long long moved = offset;
  for (const auto& e : edits)
    if (static_cast<long long>(e.at) < offset) moved += e.delta;
  return moved;
}

std::vector<PdfEdit> replace_pdf_dates(std::string& pdf) {
  std::vector<std::pair<std::size_t, std::size_t>> dates;  // [from, to) of each date's digits
  for (const char* key : {"/CreationDate (D:", "/ModDate (D:"})
    for (std::size_t at = pdf.find(key); at != std::string::npos; at = pdf.find(key, at + 1)) {
      std::size_t from = at + std::strlen(key), to = pdf.find(')', from);
      if (to != std::string::npos) dates.emplace_back(from, to);
    }
  std::sort(dates.begin(), dates.end());
  const std::string fixed = "19700101000000Z";
  std::string out;
  std::vector<PdfEdit> edits;
  std::size_t copied = 0;
  for (auto [from, to] : dates) {
    out.append(pdf, copied, from - copied).append(fixed);
    edits.push_back({from, static_cast<long long>(fixed.size()) - static_cast<long long>(to - from)});
    copied = to;
  }
  out.append(pdf, copied, std::string::npos);
  pdf = std::move(out);
  return edits;
}

// Shifts the entries of the classic cross-reference table ("0000001234 00000 n \n") and
// the number after "startxref". cairo writes one subsection.
void shift_xref(std::string& pdf, const std::vector<PdfEdit>& edits) {
  std::size_t start = pdf.rfind("startxref\n");
  std::size_t xref = pdf.rfind("\nxref\n", start);
  if (start == std::string::npos || xref == std::string::npos) return;
  for (std::size_t line = pdf.find('\n', xref + 6) + 1; line + 20 <= start; line += 20) {
    if (pdf.compare(line, 7, "trailer") == 0) break;
    if (pdf[line + 17] != 'n' || pdf[line + 10] != ' ') continue;  // a free entry  // free entries and subsection lines
    char digits[16];
    std::snprintf(digits, sizeof digits, "%010lld", shifted(std::atoll(pdf.c_str() + line), edits));
    pdf.replace(line, 10, digits, 10);
  }
  std::size_t number = start + 10, end = pdf.find('\n', number);
  if (end == std::string::npos) return;
  pdf.replace(number, end - number, std::to_string(shifted(std::atoll(pdf.c_str() + number), edits)));
}

void fix_pdf_dates(std::string& pdf) {
  std::vector<PdfEdit> edits = replace_pdf_dates(pdf);
  bool moved = false;
  for (const auto& e : edits) moved = moved || e.delta != 0;
  if (moved) shift_xref(pdf, edits);
}

// cairo's bitmaps are at most 32767 pixels a side: past it the plugin scales the drawing
// down but first prints "(null): graph is too large for cairo-renderer bitmaps" straight to
// stderr. Setting the drawing's size (points) so that it fits makes Graphviz scale it instead,
// silently, the same way.
void fit_bitmap(Agraph_t* g) {
  constexpr double kMaxPixels = 32000;
  layout_t* drawing = GD_drawing(g);
  if (!drawing) return;
  const double dpi = drawing->dpi > 0 ? drawing->dpi : 96;  // the PNG device's default
  const boxf bb = GD_bb(g);
  const double pad = 2 * 0.2 * 72;  // the diagram's pad="0.2" (inches) on each side
  const double width = (bb.UR.x - bb.LL.x + pad) * dpi / 72, height = (bb.UR.y - bb.LL.y + pad) * dpi / 72;
  if (width < kMaxPixels && height < kMaxPixels) return;
  const double limit = (kMaxPixels - 2 * dpi) * 72 / dpi;  // points, with a margin for rounding
  drawing->size = {limit, limit};
}

struct GraphCloser {
  decltype(&agclose) close;
  void operator()(Agraph_t* g) const { close(g); }
};
using GraphPtr = std::unique_ptr<Agraph_t, GraphCloser>;

// Frees the layout before the graph is closed (declared after the GraphPtr, destroyed first).
class LayoutGuard {
 public:
  LayoutGuard(const Graphviz& api, GVC_t* gvc, Agraph_t* g) : api_(api), gvc_(gvc), g_(g) {}
  ~LayoutGuard() { api_.free_layout(gvc_, g_); }
  LayoutGuard(const LayoutGuard&) = delete;
  LayoutGuard& operator=(const LayoutGuard&) = delete;

 private:
  const Graphviz& api_;
  GVC_t* gvc_;
  Agraph_t* g_;
};

struct RenderDataFree {
  decltype(&gvFreeRenderData) free;
  void operator()(char* p) const { free(p); }
};

// The first line of Graphviz's messages, without "Error: " noise or a trailing newline.
std::string first_line(std::string text) {
  auto nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

bool render_locked(const Graphviz& api, const std::string& dot, Format format, std::string& bytes,
                   std::string& error, std::string& messages) {
  GVC_t* gvc = context(api);
  if (!gvc) {
    error = "cannot start Graphviz (gvContext failed)";
    return false;
  }
  api.reset_errors();
  GraphPtr graph(read_dot(api, dot), GraphCloser{api.close});
  if (!graph || api.errors() >= AGERR) {
    error = "Graphviz cannot read the diagram: " + first_line(messages);
    return false;
  }
  if (api.layout(gvc, graph.get(), "dot") != 0) {
    error = "Graphviz layout failed: " + first_line(messages);
    return false;
  }
  LayoutGuard layout(api, gvc, graph.get());
  if (format == Format::kPng) fit_bitmap(graph.get());
  char* raw = nullptr;
  unsigned int length = 0;
  int rc = api.render_data(gvc, graph.get(), format_name(format), &raw, &length);
  std::unique_ptr<char, RenderDataFree> data(raw, RenderDataFree{api.free_render_data});
  if (rc != 0 || !raw) {
    error = std::string("Graphviz cannot render ") + format_name(format) +
            (messages.empty() ? std::string(" (is the cairo plugin, libgvplugin_pango, installed?)")
                              : ": " + first_line(messages));
    return false;
  }
  bytes.assign(raw, length);
  if (format == Format::kPdf) fix_pdf_dates(bytes);
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
  const Graphviz* api = graphviz(error);
  if (!api) return false;
  // Graphviz prints coordinates with printf: under a host's setlocale(LC_ALL, "de_DE.UTF-8")
  // they came out as "1,5". This thread renders in the C locale, whatever the process uses.
  struct CLocale {
    locale_t c = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
    locale_t previous = c ? uselocale(c) : static_cast<locale_t>(nullptr);
    ~CLocale() {
      if (c) {
        uselocale(previous);
        freelocale(c);
      }
    }
  } c_locale;
  std::string messages;
  g_messages = &messages;
  agusererrf previous = api->set_error_function(&collect_message);
  bool ok = false;
  try {
    ok = render_locked(*api, dot, format, bytes, error, messages);
  } catch (const std::bad_alloc&) {
    error = "out of memory while rendering the diagram";
  }
  api->set_error_function(previous);
  g_messages = nullptr;
  return ok;
}

}  // namespace privflow::viz
