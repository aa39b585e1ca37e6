#pragma once
// The command line as a function, so that tests run it in-process with captured streams.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace privflow::cli {

/// Exit codes (docs/limits.md, "Faults and exit codes"): 0 every requirement holds, 1 one is violated, 2 invalid spec or
/// command line, 3 undecided and none violated, 4 internal failure.
enum class ExitStatus : int { kOk = 0, kViolated = 1, kInvalid = 2, kUndecided = 3, kInternal = 4 };

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool color = false;  // ANSI colour on diagnostics (a terminal, and NO_COLOR unset)
};

/// The default of `--timeout` (seconds of wall-clock time for check, report, diagram, explain
/// and tune): past it the run ends as undecided (exit 3) with no output file.
inline constexpr double kDefaultTimeoutSeconds = 120;

/// Runs privflow with `args` (without the program name). Never throws.
int run(const std::vector<std::string>& args, Io io);

/// Stops the --timeout watchdog of the current run: called when the output starts being
/// written (the analysis is over; an output is then written whole or not at all).
void disarm_timeout();

/// Starts (or continues) the --timeout clock: called once a spec is loaded and its analysis
/// begins. pause_timeout() stops it (reading a spec and printing diagnostics or verdicts
/// are not analysis). Both do nothing when there is no budget or it was disarmed.
void resume_timeout();
void pause_timeout();

}  // namespace privflow::cli
