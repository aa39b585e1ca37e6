#pragma once
// The command line as a function, so that tests run it in-process with captured streams.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace privflow::cli {

class AnalysisBudget;

/// Exit codes (docs/limits.md, "Faults and exit codes"): 0 every requirement holds, 1 one is violated, 2 invalid spec or
/// command line, 3 undecided and none violated, 4 internal failure.
enum class ExitStatus : int { kOk = 0, kViolated = 1, kInvalid = 2, kUndecided = 3, kInternal = 4 };

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool color = false;  // ANSI colour on diagnostics (a terminal, and NO_COLOR unset)
  AnalysisBudget* budget = nullptr;  // set by run() for the commands that analyse (--timeout)
};

/// The default of `--timeout` (seconds of analysis for check, report, diagram, explain and
/// tune): past it the run ends as undecided (exit 3) with no output file (cli/budget.hpp).
inline constexpr double kDefaultTimeoutSeconds = 120;

/// Runs privflow with `args` (without the program name). Never throws.
int run(const std::vector<std::string>& args, Io io);

}  // namespace privflow::cli
