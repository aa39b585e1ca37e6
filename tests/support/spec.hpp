#pragma once
// Shared by the test programs: load a spec from text or from examples/, failing the test
// with the spec's diagnostics when it does not check.
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "lang/frontend.hpp"

namespace privflow::test {

/// The path of examples/NAME.pflow in the source tree.
inline std::string example_path(const std::string& name) {
  return std::string(PRIVFLOW_SOURCE_DIR) + "/examples/" + name + ".pflow";
}

/// The contents of a file (empty when it cannot be read: the load then fails visibly).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// Parses, checks and lowers `text`; the graph, or nullopt with the diagnostics in `messages`.
inline std::optional<flow::Graph> try_load(const std::string& text, std::string* messages,
                                           const std::string& file_name = "test.pflow") {
  lang::SourceFile source(file_name, text);
  lang::Diagnostics diags(source);
  auto g = lang::load_spec(source, diags);
  if (messages) {
    std::ostringstream out;
    diags.print(out);
    *messages = out.str();
  }
  return g;
}

/// Parses, checks and lowers `text`; REQUIREs that it has no error (printing the diagnostics).
inline flow::Graph load_spec_text(const std::string& file_name, const std::string& text) {
  lang::SourceFile source(file_name, text);
  lang::Diagnostics diags(source);
  auto g = lang::load_spec(source, diags);
  std::ostringstream out;
  diags.print(out);
  INFO(out.str());
  REQUIRE(g);
  return *g;
}

/// examples/NAME.pflow, loaded.
inline flow::Graph load_example(const std::string& name) {
  const std::string path = example_path(name);
  return load_spec_text(path, read_text(path));
}

}  // namespace privflow::test
