#include "lang/frontend.hpp"

#include <exception>
#include <new>

#include "lang/check.hpp"
#include "lang/detail/tables.hpp"
#include "lang/parser.hpp"

namespace privflow::lang {

std::optional<flow::Graph> load_spec(const SourceFile& source, Diagnostics& diags) {
  const Limits limits;
  try {
    ast::Program program = parse_program(source, diags, limits);
    read_tables(program, source, diags, limits);  // `prior from` / `given … from` CSV files
    flow::Graph graph = check_program(program, diags, limits);
    graph.file = source.path();
    if (diags.has_errors()) return std::nullopt;
    return graph;
  } catch (const std::bad_alloc&) {
    diags.error(0, 0, "out of memory while reading the spec");
  } catch (const std::exception& e) {
    // A library failure (not a user error): reported, never thrown to the caller.
    diags.error(0, 0, std::string("internal error in the front end: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace privflow::lang
