// privflow lsp: the language server for editors (lsp/server.hpp), over standard input and
// output. Its analyses take the same options as check's, but --timeout is per analysis.
#include <cmath>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>

#include "cli/commands.hpp"
#include "lsp/server.hpp"

namespace privflow::cli {
namespace {

struct LspOptions {
  std::string accountant;
  double solver_timeout_s = 10;
  double timeout_s = 30;
  bool stdio = false;  // accepted for editors that always pass it: stdio is the only transport
};

int run_lsp(const LspOptions& opts, Io& io) {
  lsp::ServerOptions options;
  options.time_budget_ms = static_cast<unsigned>(std::ceil(opts.timeout_s * 1000));
  options.solver_timeout_ms = static_cast<unsigned>(std::ceil(opts.solver_timeout_s * 1000));
  if (opts.accountant == "rdp") options.accountant = flow::AccountantKind::kRdp;
  if (opts.accountant == "pld") options.accountant = flow::AccountantKind::kPld;
  if (opts.accountant == "auto") options.accountant = flow::AccountantKind::kAuto;
  auto server = std::make_unique<lsp::Server>(io.out, options);
  int code = server->run(io.in);
  // An analysis still running is not waited for: the editor asked the server to exit.
  if (server->busy()) {
    io.out.flush();
    std::_Exit(code);
  }
  return code;
}

}  // namespace

Command lsp_command() {
  auto opts = std::make_shared<LspOptions>();
  return make_command(
      "lsp", "Run the language server for editors (LSP over standard input and output)",
      "Diagnostics as you type, hover, definition, references, completion, symbols, formatting\n"
      "and quick fixes (docs/privflow.1, \"lsp\"). Exit codes: 0 after shutdown and exit, 1 when\n"
      "the input ends or exit comes without shutdown, 2 invalid command line.",
      opts, run_lsp,
      {option("--stdio", "talk over standard input and output (the default and only transport)", &opts->stdio),
       Arg{.names = "--accountant",
           .help = "override the specs' accountant: rdp, pld or auto",
           .target = &opts->accountant,
           .choices = {"rdp", "pld", "auto"}},
       Arg{.names = "--solver-timeout",
           .help = "seconds per solver query (default 10; 0: no time limit)",
           .target = &opts->solver_timeout_s,
           .range = std::pair(0.0, 86400.0),
           .finite = true},
       Arg{.names = "--timeout",
           .help = "seconds of one analysis; what it does not reach is undecided (default 30; 0: no limit)",
           .target = &opts->timeout_s,
           .range = std::pair(0.0, 1e6),
           .finite = true}});
}

}  // namespace privflow::cli
