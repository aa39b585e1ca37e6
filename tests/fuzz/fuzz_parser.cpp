// libFuzzer target: the whole front end (parse, check, lower) and the diagnostic printer
// on arbitrary bytes. Must never crash, hang, overflow the stack or let an exception out;
// an "internal error" diagnostic (a library exception caught by load_spec) is a bug too, and
// so is printed output that is not linear in the input.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace privflow::lang;
  SourceFile source("fuzz.pflow", std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics diags(source);
  auto graph = load_spec(source, diags);
  std::ostringstream out;
  diags.print(out);
  for (const auto& d : diags.all())
    if (d.message.rfind("internal error", 0) == 0) std::abort();
  if (graph.has_value() == diags.has_errors()) std::abort();
  // The printed diagnostics are linear in the input (at most 200 shown, long lines windowed).
  if (out.str().size() > 8192 + 64 * size) std::abort();
  return 0;
}
