#pragma once
// Each subcommand lives in its own cmd_*.cpp and describes itself as a Command (cli/command.hpp);
// these are the helpers they share. Nothing here includes CLI11.
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analysis.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "flow/graph.hpp"

namespace privflow::cli {

// The table's rows, in the order of the help. A fresh Command (with fresh argument storage)
// is built for every cli::run: nothing is kept between runs in one process.
Command check_command();
Command report_command();
Command diagram_command();
Command explain_command();
Command tune_command();
Command frontier_command();
Command account_command();
Command fmt_command();
Command graph_command();
Command init_command();
/// `privflow lsp`, the language server: cli/cmd_lsp.cpp.
Command lsp_command();
/// `account`'s local randomizers (rappor, unary-encoding, local-hashing, hadamard,
/// count-mean-sketch): cli/cmd_account_ldp.cpp.
std::vector<Command> local_randomizer_account_kinds();
/// `account`'s decentralized protocols (gossip, token-walk): cli/cmd_account_network.cpp.
std::vector<Command> network_account_kinds();

/// Reads a spec ("-" is io.in), parses, checks and lowers it; prints its diagnostics
/// (warnings too) to io.err. Returns nullopt (after printing) when the spec is invalid.
/// Starts the --timeout clock when it returns a graph. `text`, when given, receives the spec.
std::optional<flow::Graph> load_spec_file(const std::string& path, Io& io, std::string* text = nullptr);

/// The analysis options the shared arguments ask for (--accountant, --solver-timeout), with
/// what is left of the run's --timeout budget. Call it just before analysing.
analyzer::Options analysis_options(const AnalysisArgs& args, Io& io);

/// Stops the --timeout clock. True (after saying so) when the analysis used the whole budget:
/// the caller writes nothing more and exits 3.
bool budget_spent(Io& io);

/// What follows an analysis: nullopt when the verdicts are to be written, else the exit status
/// to end with now, after saying why: 3 when the budget was spent (budget_spent), 2 when the
/// analysis found errors (a division by zero a record reaches), printed located with the line
/// and a caret. Otherwise prints the warnings when `warnings`. `text` is the spec as
/// load_spec_file read it.
std::optional<int> stop_after_analysis(const flow::Graph& graph, const std::string& text,
                                       const analyzer::Analysis& analysis, bool warnings, Io& io);

/// Writes what an analysis gave (write_result) and returns the exit status: the analysis's
/// (1 when a requirement is violated, as check), or 4 when the output cannot be written.
int write_analysed(const std::string& path, const std::string& contents, const analyzer::Analysis& analysis, Io& io);

/// Reads a file or "-" into `contents`; on failure prints "privflow: error: …" to io.err.
bool read_spec_text(const std::string& path, Io& io, std::string& contents);

/// True (after saying so) when `output` names the same file as `input` (through links too):
/// the caller then exits 2 without writing, since a report must never replace its spec.
bool refuse_overwriting_input(const std::string& output, const std::string& input, Io& io);

/// Writes an output file atomically ("-" or empty: io.out); on failure prints the reason.
/// The --timeout budget no longer applies: an output is written whole.
bool write_result(const std::string& path, const std::string& contents, Io& io);

}  // namespace privflow::cli
