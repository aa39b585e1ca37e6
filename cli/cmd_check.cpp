// privflow check SPEC...: loads every spec and prints its diagnostics. For now only the
// front end runs (exit 0 clean, 2 on any error); the analyzer extends `check_spec`.
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace privflow::cli {
namespace {

/// Checks one spec file ("-" is standard input): diagnostics go to io.err. Returns the exit
/// status of this file alone. The place where verdicts will be added.
ExitStatus check_spec(const std::string& path, Io& io) {
  auto graph = load_spec_file(path, io);
  if (!graph) return ExitStatus::kInvalid;
  return ExitStatus::kOk;
}

}  // namespace

void add_check_command(CLI::App& root, Action& action) {
  auto* sub = root.add_subcommand("check", "Check specs: syntax, names, types and values (verdicts come later)");
  auto specs = std::make_shared<std::vector<std::string>>();
  sub->add_option("SPEC", *specs, "spec files ('-' reads standard input)")->required();
  sub->footer("Exit codes: 0 no error, 2 a spec is invalid or unreadable.");
  sub->callback([&action, specs] {
    action = [specs](Io& io) {
      int worst = 0;
      for (const auto& path : *specs) worst = std::max(worst, static_cast<int>(check_spec(path, io)));
      return worst;
    };
  });
}

}  // namespace privflow::cli
