#pragma once
// Helpers for the front-end tests: load a spec from text, keep its rendered diagnostics.
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/parser.hpp"
#include "lang/source.hpp"

namespace privflow::lang::testing {

struct Loaded {
  std::optional<flow::Graph> graph;
  std::string rendered;                // exactly what the CLI prints
  std::vector<std::string> errors;     // "line:col: message" of each error, sorted by place
  std::vector<std::string> warnings;   // the same for warnings
};

inline Loaded load(const std::string& text, const std::string& path = "t.pflow") {
  SourceFile source(path, text);
  Diagnostics diags(source);
  Loaded out;
  out.graph = load_spec(source, diags);
  std::ostringstream o;
  diags.print(o);
  out.rendered = o.str();
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : diags.all()) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->span.begin < b->span.begin; });
  for (const Diagnostic* d : sorted) {
    std::string s = std::to_string(d->span.line) + ":" + std::to_string(d->span.column) + ": " + d->message;
    (d->severity == Severity::kError ? out.errors : out.warnings).push_back(s);
  }
  return out;
}

/// The first error ("line:col: message"), or "" when there is none.
inline std::string first_error(const std::string& text) {
  auto l = load(text);
  return l.errors.empty() ? "" : l.errors.front();
}

}  // namespace privflow::lang::testing
