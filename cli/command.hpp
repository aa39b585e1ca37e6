#pragma once
// The command line as a table. Each cmd_*.cpp describes its command as data (a Command: names,
// help, where each value goes, what runs); cli/app.cpp alone turns the table into CLI11 calls,
// so CLI11's large header is compiled once, not in every command.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "cli/app.hpp"

namespace privflow::cli {

/// What a chosen command does once its arguments are parsed: the exit status.
using Action = std::function<int(Io&)>;

/// Where a parsed value is stored. A `bool*` makes a flag (it takes no value). The type also
/// decides what the help shows (TEXT, UINT, FLOAT) and how a range is checked and worded.
using Target = std::variant<std::string*, std::vector<std::string>*, unsigned*, double*, bool*>;

/// One positional argument ("SPEC") or option ("--format", "-o,--output") of a command.
struct Arg {
  std::string names{};
  std::string help{};
  Target target{};
  bool required = false;
  std::vector<std::string> choices{};              // the value must be one of these
  std::optional<std::pair<double, double>> range{};  // closed interval, in the target's type
  bool finite = false;                             // rejects nan and inf (a range check lets NaN pass)
  bool show_default = false;                       // the help shows the target's initial value
  std::size_t* given = nullptr;                    // receives how many times the option was given
};

/// The options every analysing command (check, report, diagram, explain, tune) takes, defined
/// once so that they accept the same words and give the same analysis (docs/limits.md).
struct AnalysisArgs {
  std::string accountant{};                    // --accountant rdp|pld|auto; empty: the spec's
  double solver_timeout_s = 10;                // --solver-timeout: seconds per solver query
  double timeout_s = kDefaultTimeoutSeconds;   // --timeout: the run's analysis budget; 0: none
};

/// A subcommand: its arguments, and either an action or subcommands of its own (one of which
/// must then be chosen: `account dpsgd`).
struct Command {
  std::string name{};
  std::string description{};
  std::string footer{};
  std::vector<Arg> args{};
  /// Options (by their first long name, "--sigma") that may not be given together.
  std::vector<std::pair<std::string, std::string>> exclusive{};
  /// Set for the commands that analyse: the shared analysis options are added after `args`,
  /// and the run gets the --timeout budget.
  AnalysisArgs* analysis = nullptr;
  std::vector<Command> subcommands{};
  Action action{};
};

/// Footer of the commands whose exit status is the analysis's and that write an output.
inline constexpr const char* kAnalysisExitCodes =
    "Exit codes: 0 every requirement holds, 1 one is violated, 2 invalid spec or command line,\n"
    "3 undecided and none violated, 4 internal failure (e.g. the output cannot be written).";

/// An Action that runs `run(*state, io)`: the state the parsed arguments were stored in is
/// kept alive by the action itself (one state per invocation of cli::run).
template <class State, class Run>
Action act(std::shared_ptr<State> state, Run run) {
  return [state, run](Io& io) { return run(*state, io); };
}

// The rows of the table are written with these, one line an argument.

/// A positional argument ("SPEC"), an option ("-o,--output") or, for a bool, a flag.
template <class T>
Arg option(std::string names, std::string help, T* target) {
  return Arg{.names = std::move(names), .help = std::move(help), .target = target};
}

inline Arg required(Arg arg) {
  arg.required = true;
  return arg;
}

/// An option whose help shows its default value.
inline Arg with_default(Arg arg) {
  arg.show_default = true;
  return arg;
}

/// The one spec a command reads.
inline Arg spec_argument(std::string* spec) {
  return required(option("SPEC", "the .pflow spec ('-' reads standard input)", spec));
}

/// A command that runs `run(*state, io)`.
template <class State, class Run>
Command make_command(std::string name, std::string description, std::string footer, std::shared_ptr<State> state,
                Run run, std::vector<Arg> args) {
  return Command{.name = std::move(name),
                 .description = std::move(description),
                 .footer = std::move(footer),
                 .args = std::move(args),
                 .action = act(state, run)};
}

/// A command that analyses: it also takes the shared analysis options, into `state->analysis`.
template <class State, class Run>
Command make_analysing_command(std::string name, std::string description, std::string footer,
                               std::shared_ptr<State> state, Run run, std::vector<Arg> args) {
  Command result = make_command(std::move(name), std::move(description), std::move(footer), state, run, std::move(args));
  result.analysis = &state->analysis;
  return result;
}

}  // namespace privflow::cli
