#include <iterator>
#include <sstream>

#include "base/file_io.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"
#include "lang/frontend.hpp"

namespace privflow::cli {

analyzer::Options analysis_options(const std::string& accountant, unsigned solver_timeout_s) {
  analyzer::Options options;
  if (accountant == "rdp") options.accountant = flow::AccountantKind::kRdp;
  if (accountant == "pld") options.accountant = flow::AccountantKind::kPld;
  if (accountant == "auto") options.accountant = flow::AccountantKind::kAuto;
  options.solver_timeout_ms = solver_timeout_s * 1000;
  return options;
}

bool read_spec_text(const std::string& path, Io& io, std::string& contents) {
  if (path == "-") {
    contents.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
    return true;
  }
  std::string error;
  if (!read_input(path, contents, error)) {
    io.err << "privflow: error: " << printable(error) << "\n";
    return false;
  }
  return true;
}

std::optional<flow::Graph> load_spec_file(const std::string& path, Io& io) {
  std::string text;
  if (!read_spec_text(path, io, text)) return std::nullopt;
  lang::SourceFile source(path == "-" ? "<stdin>" : path, std::move(text));
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  if (!diags.all().empty()) diags.print(io.err, io.color);
  if (diags.has_errors()) return std::nullopt;
  return graph;
}

bool write_result(const std::string& path, const std::string& contents, Io& io) {
  disarm_timeout();  // the analysis is done: the output is written whole, not cut by the budget
  if (path.empty() || path == "-") {
    io.out << contents;
    io.out.flush();
    if (!io.out) {
      io.err << "privflow: error: cannot write to standard output\n";
      return false;
    }
    return true;
  }
  std::string error;
  if (!write_output(path, contents, error)) {
    io.err << "privflow: error: " << printable(error) << "\n";
    return false;
  }
  return true;
}

}  // namespace privflow::cli
