// privflow: the command line. Everything but stream set-up lives in cli::run.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout becomes a write error, not a silent kill
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* no_color = std::getenv("NO_COLOR");
  bool color = ::isatty(STDERR_FILENO) && !(no_color && *no_color);
  int code = privflow::cli::run(args, {std::cin, std::cout, std::cerr, color});
  std::cout.flush();
  if (!std::cout && code == 0) code = 4;
  return code;
}
