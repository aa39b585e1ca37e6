#include "cli/commands.hpp"

namespace privflow::cli {

// Placeholder until its owner lands it; exits 4 so nobody mistakes it for a result.
void add_fmt_command(CLI::App& root, Action& action) {
  auto* sub = root.add_subcommand("fmt", "(not built yet)");
  sub->allow_extras();
  sub->callback([&action] {
    action = [](Io& io) {
      io.err << "privflow: 'fmt' is not built yet\n";
      return 4;
    };
  });
}

}  // namespace privflow::cli
