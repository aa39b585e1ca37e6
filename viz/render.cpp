// Rendering through Graphviz's C API (cgraph + gvc 2.42). The only file that includes gvc.h:
// its macros (TRUE, MIN, ROUND, …) stay here.
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

// One GVC per process (Graphviz's context is costly and global): created on first use with the plugins listed in Graphviz's
// installed config (gvContext loads libgvplugin_* through config6a, which gives the cairo
// png/pdf renderers of the pango plugin), freed at exit.
GVC_t* context() {
  static std::unique_ptr<GVC_t, decltype(&gvFreeContext)> gvc(gvContext(), &gvFreeContext);
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

Agraph_t* read_dot(const std::string& dot) {
  static Agiodisc_t io = {memory_read, AgIoDisc.putstr, AgIoDisc.flush};
  static Agdisc_t disc = {&AgMemDisc, &g_id_disc, &io};
  MemoryReader reader{dot.c_str(), dot.size()};
  return agread(&reader, &disc);
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
  GraphPtr graph(read_dot(dot));
  if (!graph || agerrors() >= AGERR) {
    error = "Graphviz cannot read the diagram: " + first_line(messages);
    return false;
  }
  if (gvLayout(gvc, graph.get(), "dot") != 0) {
    error = "Graphviz layout failed: " + first_line(messages);
    return false;
  }
  LayoutGuard layout(gvc, graph.get());
  if (format == Format::kPng) fit_bitmap(graph.get());
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
