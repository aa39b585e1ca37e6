#pragma once
// Each subcommand lives in its own cmd_*.cpp and registers itself on the root app:
// it adds a CLI11 subcommand and, when that subcommand is chosen, sets `action`.
#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

#include "analyzer/analysis.hpp"
#include "cli/app.hpp"
#include "flow/graph.hpp"

namespace privflow::cli {

using Action = std::function<int(Io&)>;

void add_check_command(CLI::App& root, Action& action);
void add_report_command(CLI::App& root, Action& action);
void add_diagram_command(CLI::App& root, Action& action);
void add_explain_command(CLI::App& root, Action& action);
void add_tune_command(CLI::App& root, Action& action);
void add_account_command(CLI::App& root, Action& action);
void add_fmt_command(CLI::App& root, Action& action);
void add_graph_command(CLI::App& root, Action& action);
void add_init_command(CLI::App& root, Action& action);

/// Reads a spec ("-" is io.in), parses, checks and lowers it; prints its diagnostics
/// (warnings too) to io.err. Returns nullopt (after printing) when the spec is invalid.
/// Starts the --timeout clock when it returns a graph. `text`, when given, receives the spec.
std::optional<flow::Graph> load_spec_file(const std::string& path, Io& io, std::string* text = nullptr);

/// Errors the analysis found (a division by zero a record reaches) make the spec invalid:
/// they are printed located, with the line and a caret, and the caller writes no verdict and
/// exits 2 (returns true). Else prints the warnings when `warnings`, and returns false.
/// Stops the --timeout clock. `text` is the spec as load_spec_file read it.
bool print_findings(const flow::Graph& graph, const std::string& text, const analyzer::Analysis& analysis,
                    bool warnings, Io& io);

/// The analysis options of `--accountant rdp|pld|auto` (empty: the spec's) and
/// `--solver-timeout SECONDS`.
analyzer::Options analysis_options(const std::string& accountant, unsigned solver_timeout_s);

/// Reads a file or "-" into `contents`; on failure prints "privflow: error: …" to io.err.
bool read_spec_text(const std::string& path, Io& io, std::string& contents);

/// True (after saying so) when `output` names the same file as `input` (through links too):
/// the caller then exits 2 without writing, since a report must never replace its spec.
bool refuse_overwriting_input(const std::string& output, const std::string& input, Io& io);

/// Writes an output file atomically ("-" or empty: io.out); on failure prints the reason.
bool write_result(const std::string& path, const std::string& contents, Io& io);

}  // namespace privflow::cli
