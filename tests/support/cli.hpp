#pragma once
// Shared by the test programs: run the command line in process, as main() would.
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"

namespace privflow::test {

struct CliRun {
  int code = 0;
  std::string out, err;
};

/// cli::run with `input` on standard input; no colour.
inline CliRun run_cli(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int code = cli::run(args, {in, out, err, false});
  return {code, out.str(), err.str()};
}

}  // namespace privflow::test
