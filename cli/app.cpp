// cli::run: the table of commands (cli/commands.hpp) turned into CLI11 calls, parsed, and the
// chosen command run. The only translation unit that includes CLI11.
#include "cli/app.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <iostream>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/text.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "privflow/version.hpp"

namespace privflow::cli {
namespace {

// nan and inf pass a range check (every comparison with NaN is false): refused by name.
CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) {
        double value = 0;
        return CLI::detail::lexical_cast(text, value) && std::isfinite(value) ? std::string()
                                                                             : "SECONDS must be a finite number";
      },
      "", "finite");
}

// The analysis options shared by check, report, diagram, explain and tune (docs/limits.md).
std::vector<Arg> analysis_args(AnalysisArgs& args) {
  return {
      {.names = "--accountant",
       .help = "override the spec's accountant: rdp, pld or auto",
       .target = &args.accountant,
       .choices = {"rdp", "pld", "auto"}},
      {.names = "--solver-timeout",
       .help = "seconds per solver query (default 10; 0: no time limit)",
       .target = &args.solver_timeout_s,
       .range = std::pair(0.0, 86400.0),
       .finite = true},
      {.names = "--timeout",
       .help = "give up after SECONDS of analysis: undecided, exit 3, no output file (default " +
               std::to_string(static_cast<int>(kDefaultTimeoutSeconds)) + "; 0: no limit)",
       .target = &args.timeout_s,
       .range = std::pair(0.0, 1e6),
       .finite = true},
  };
}

// One argument as CLI11 sees it: a flag for a bool, else an option typed by its target.
CLI::Option* add_arg(CLI::App& app, const Arg& arg) {
  CLI::Option* option = std::visit(
      [&](auto* target) -> CLI::Option* {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, bool>) return app.add_flag(arg.names, *target, arg.help);
        else return app.add_option(arg.names, *target, arg.help);
      },
      arg.target);
  if (arg.required) option->required();
  if (arg.show_default) option->capture_default_str();
  if (!arg.choices.empty()) option->check(CLI::IsMember(arg.choices));
  if (arg.range) {
    // Checked and worded in the target's own type: "Value 1 not in range 2 to 101".
    if (std::holds_alternative<unsigned*>(arg.target))
      option->check(CLI::Range(static_cast<unsigned>(arg.range->first), static_cast<unsigned>(arg.range->second)));
    else
      option->check(CLI::Range(arg.range->first, arg.range->second));
  }
  if (arg.finite) option->check(finite_number());
  return option;
}

// Adds `command` under `parent`; when it is parsed, `chosen` becomes it (its innermost
// subcommand, for `account dpsgd`) and the options it counts learn how often they were given.
void add_command(CLI::App& parent, Command& command, Command*& chosen) {
  CLI::App* app = parent.add_subcommand(command.name, command.description);
  if (command.analysis)
    for (auto& arg : analysis_args(*command.analysis)) command.args.push_back(std::move(arg));
  std::vector<std::pair<const Arg*, CLI::Option*>> counted;
  for (const Arg& arg : command.args) {
    CLI::Option* option = add_arg(*app, arg);
    if (arg.given) counted.emplace_back(&arg, option);
  }
  for (const auto& [first, second] : command.exclusive) app->get_option(first)->excludes(app->get_option(second));
  if (!command.footer.empty()) app->footer(command.footer);
  if (!command.subcommands.empty()) app->require_subcommand(1);
  for (Command& sub : command.subcommands) add_command(*app, sub, chosen);
  if (!command.action) return;
  app->callback([&command, &chosen, counted] {
    chosen = &command;
    for (const auto& [arg, option] : counted) *arg->given = option->count();
  });
}

// "privflow chekc x.pflow": CLI11 would say only that a subcommand is required; name the
// word and suggest the closest subcommand.
bool unknown_subcommand(const std::vector<Command>& table, const std::vector<std::string>& args, Io& io) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return false;
  std::vector<std::string> names;
  for (const Command& command : table) names.push_back(command.name);
  if (std::find(names.begin(), names.end(), args[0]) != names.end()) return false;
  io.err << "privflow: error: unknown subcommand '" << printable(args[0]) << "'";
  if (auto close = closest_match(args[0], names)) io.err << "; did you mean '" << *close << "'?";
  io.err << " (subcommands: " << join(names, ", ") << ")\n";
  return true;
}

int run_chosen(const Command& command, Io io) {
  // Only the commands that analyse have a budget; it lives as long as this run.
  AnalysisBudget budget(command.analysis ? command.analysis->timeout_s : 0);
  io.budget = &budget;
  try {
    return command.action(io);
  } catch (const std::exception& e) {
    io.err << "privflow: internal error: " << e.what() << "\n";
  } catch (...) {
    io.err << "privflow: internal error: unknown exception\n";
  }
  return static_cast<int>(ExitStatus::kInternal);
}

}  // namespace

int run(const std::vector<std::string>& args, Io io) {
  std::vector<Command> table;
  table.push_back(check_command());
  table.push_back(report_command());
  table.push_back(diagram_command());
  table.push_back(explain_command());
  table.push_back(tune_command());
  table.push_back(frontier_command());
  table.push_back(account_command());
  table.push_back(fmt_command());
  table.push_back(graph_command());
  table.push_back(init_command());
  table.push_back(lsp_command());
  if (unknown_subcommand(table, args, io)) return static_cast<int>(ExitStatus::kInvalid);

  CLI::App app{"privflow checks the privacy of multi-agent AI pipelines before they are built.", "privflow"};
  app.set_version_flag("--version", std::string("privflow ") + kVersion);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 every requirement holds, 1 one is violated, 2 invalid spec or command line,\n"
             "3 undecided (a solver limit was reached) and none violated, 4 internal failure.");
  Command* chosen = nullptr;
  for (Command& command : table) add_command(app, command, chosen);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, io.out, io.err);
    return code == 0 ? 0 : static_cast<int>(ExitStatus::kInvalid);
  }
  if (!chosen) return static_cast<int>(ExitStatus::kInvalid);
  return run_chosen(*chosen, io);
}

}  // namespace privflow::cli
