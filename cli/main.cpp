// privflow: the command line. Everything but stream and signal set-up lives in cli::run.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "base/file_io.hpp"
#include "cli/app.hpp"

namespace {

// SIGINT, SIGTERM, SIGHUP: remove the temporary file of an output being written (so no partial
// file is left), say so, and end by the same signal (the shell then reports 130 for SIGINT,
// 143 for SIGTERM, 129 for SIGHUP). Only async-signal-safe calls.
extern "C" void on_terminate(int sig) {
  privflow::remove_pending_output();
  static const char message[] = "privflow: interrupted; no output file was written\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout becomes a write error, not a silent kill
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = on_terminate;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* no_color = std::getenv("NO_COLOR");
  bool color = ::isatty(STDERR_FILENO) && !(no_color && *no_color);
  int code = privflow::cli::run(args, {std::cin, std::cout, std::cerr, color});
  std::cout.flush();
  if (!std::cout) {
    // Verdicts that did not reach their reader are a failure whatever they said
    // (commands that write through write_result have already said why: exit 4).
    if (code != 4) std::cerr << "privflow: error: cannot write to standard output\n";
    code = 4;
  }
  return code;
}
