#include <cmath>
#include <iterator>
#include <sstream>

#include "base/file_io.hpp"
#include "base/text.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/limits.hpp"

namespace privflow::cli {

analyzer::Options analysis_options(const AnalysisArgs& args, Io& io) {
  analyzer::Options options;
  if (args.accountant == "rdp") options.accountant = flow::AccountantKind::kRdp;
  if (args.accountant == "pld") options.accountant = flow::AccountantKind::kPld;
  if (args.accountant == "auto") options.accountant = flow::AccountantKind::kAuto;
  options.solver_timeout_ms = static_cast<unsigned>(std::ceil(args.solver_timeout_s * 1000));
  if (io.budget) io.budget->limit(options);
  return options;
}

bool budget_spent(Io& io) { return io.budget && io.budget->spent(io); }

bool read_spec_text(const std::string& path, Io& io, std::string& contents) {
  const std::size_t limit = lang::Limits{}.max_bytes;
  std::string error;
  if (path == "-") {
    if (read_bounded(io.in, contents, limit, error)) return true;
    io.err << "privflow: error: cannot read standard input: " << error << "\n";
    return false;
  }
  if (!read_input(path, contents, error, limit)) {
    io.err << "privflow: error: " << printable(error) << "\n";
    return false;
  }
  return true;
}

std::optional<flow::Graph> load_spec_file(const std::string& path, Io& io, std::string* text_out) {
  if (io.budget) io.budget->pause();  // reading and diagnosing a spec is not analysis
  std::string text;
  if (!read_spec_text(path, io, text)) return std::nullopt;
  if (text_out) *text_out = text;
  lang::SourceFile source(path == "-" ? "<stdin>" : path, std::move(text));
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  if (!diags.all().empty()) diags.print(io.err, io.color);
  if (diags.has_errors()) return std::nullopt;
  if (io.budget) io.budget->resume();
  return graph;
}

std::optional<int> stop_after_analysis(const flow::Graph& graph, const std::string& text,
                                       const analyzer::Analysis& analysis, bool warnings, Io& io) {
  if (budget_spent(io)) return static_cast<int>(ExitStatus::kUndecided);
  bool errors = analysis.exit_code() == static_cast<int>(ExitStatus::kInvalid);
  if (!errors) {
    // Warnings alone keep their one-line form, before the verdicts, as a compiler's do.
    if (!warnings) return std::nullopt;
    for (const auto& f : analysis.findings)
      if (f.severity == analyzer::Severity::kWarning)
        io.err << printable(graph.file) << ":" << f.span.line << ":" << f.span.column << ": warning: "
               << printable(f.message) << "\n";
    io.err.flush();
    return std::nullopt;
  }
  lang::SourceFile source(graph.file, text);
  lang::Diagnostics diags(source);
  for (const auto& f : analysis.findings) {
    if (f.severity == analyzer::Severity::kError) diags.error(f.span.begin, f.span.end, f.message);
    if (f.severity == analyzer::Severity::kWarning && warnings) diags.warning(f.span.begin, f.span.end, f.message);
  }
  diags.print(io.err, io.color);
  io.err.flush();
  return static_cast<int>(ExitStatus::kInvalid);
}

int write_analysed(const std::string& path, const std::string& contents, const analyzer::Analysis& analysis, Io& io) {
  return write_result(path, contents, io) ? analysis.exit_code() : static_cast<int>(ExitStatus::kInternal);
}

bool refuse_overwriting_input(const std::string& output, const std::string& input, Io& io) {
  if (output.empty() || output == "-" || !same_file(output, input)) return false;
  io.err << "privflow: error: the output '" << printable(output) << "' is the spec '" << printable(input)
         << "' itself; privflow never overwrites its input (choose another -o)\n";
  return true;
}

bool write_result(const std::string& path, const std::string& contents, Io& io) {
  if (io.budget) io.budget->disarm();  // the analysis is done: the output is written whole
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
