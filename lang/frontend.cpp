#include "lang/frontend.hpp"

namespace privflow::lang {

// Placeholder until the parser lands.
std::optional<flow::Graph> load_spec(const SourceFile& source, Diagnostics& diags) {
  diags.error(0, 0, "the parser is not built yet");
  return std::nullopt;
}

}  // namespace privflow::lang
