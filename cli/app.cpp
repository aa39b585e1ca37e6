#include "cli/app.hpp"

#include <exception>
#include <iostream>

#include "cli/commands.hpp"
#include "privflow/version.hpp"

namespace privflow::cli {

int run(const std::vector<std::string>& args, Io io) {
  CLI::App app{"privflow checks the privacy of multi-agent AI pipelines before they are built.", "privflow"};
  app.set_version_flag("--version", std::string("privflow ") + kVersion);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 every requirement holds, 1 one is violated, 2 invalid spec or command line,\n"
             "3 undecided (a solver limit was reached) and none violated, 4 internal failure.");
  Action action;
  add_check_command(app, action);
  add_report_command(app, action);
  add_diagram_command(app, action);
  add_explain_command(app, action);
  add_tune_command(app, action);
  add_account_command(app, action);
  add_fmt_command(app, action);
  add_graph_command(app, action);
  add_init_command(app, action);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, io.out, io.err);
    return code == 0 ? 0 : static_cast<int>(ExitStatus::kInvalid);
  }
  if (!action) return static_cast<int>(ExitStatus::kInvalid);
  try {
    return action(io);
  } catch (const std::exception& e) {
    io.err << "privflow: internal error: " << e.what() << "\n";
  } catch (...) {
    io.err << "privflow: internal error: unknown exception\n";
  }
  return static_cast<int>(ExitStatus::kInternal);
}

}  // namespace privflow::cli
