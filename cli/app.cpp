#include "cli/app.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <mutex>
#include <thread>

#include "base/file_io.hpp"
#include "base/rational.hpp"

#include "cli/commands.hpp"
#include "privflow/version.hpp"

namespace privflow::cli {
namespace {

// The analysis budget (--timeout): a watchdog thread that ends the process with exit 3
// (undecided) when the budget runs out before the output is being written. The analysis
// passes have no cancellation points, so ending the process is the only way to stop them;
// the watchdog removes a pending output's temporary file first, so nothing partial remains.
struct WatchdogState {
  std::mutex mutex;
  std::condition_variable wake;
  bool armed = false;
};

WatchdogState& watchdog_state() {
  static WatchdogState state;
  return state;
}

class Watchdog {
 public:
  explicit Watchdog(double seconds) {
    if (!(seconds > 0)) return;
    auto& st = watchdog_state();
    {
      std::lock_guard<std::mutex> lock(st.mutex);
      st.armed = true;
    }
    thread_ = std::thread([seconds] {
      auto& st = watchdog_state();
      auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
      std::unique_lock<std::mutex> lock(st.mutex);
      // A long run is not silent on a terminal: one note after 10 seconds.
      auto note_at = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      if (note_at < until && !st.wake.wait_until(lock, note_at, [&st] { return !st.armed; }) &&
          ::isatty(STDERR_FILENO)) {
        std::string note = "privflow: still analysing after 10 seconds (gives up after " + format_double(seconds) +
                           "; --timeout SECONDS changes it)\n";
        ssize_t ignored = ::write(STDERR_FILENO, note.data(), note.size());
        (void)ignored;
      }
      if (st.wake.wait_until(lock, until, [&st] { return !st.armed; })) return;
      remove_pending_output();
      std::string message = "privflow: undecided: the analysis did not finish within " +
                            format_double(seconds) + " seconds (--timeout); nothing more is written\n";
      ssize_t ignored = ::write(STDERR_FILENO, message.data(), message.size());
      (void)ignored;
      std::_Exit(static_cast<int>(ExitStatus::kUndecided));
    });
  }
  ~Watchdog() {
    disarm_timeout();
    if (thread_.joinable()) thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::thread thread_;
};

}  // namespace

void disarm_timeout() {
  auto& st = watchdog_state();
  {
    std::lock_guard<std::mutex> lock(st.mutex);
    st.armed = false;
  }
  st.wake.notify_all();
}

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
  // The wall-clock budget of the commands that analyse (docs/limits.md).
  double timeout_s = kDefaultTimeoutSeconds;
  for (const char* name : {"check", "report", "diagram", "explain", "tune"}) {
    app.get_subcommand(name)
        ->add_option("--timeout", timeout_s,
                     "give up after SECONDS of analysis: undecided, exit 3, no output file (default " +
                         std::to_string(static_cast<int>(kDefaultTimeoutSeconds)) + "; 0: no limit)")
        ->check(CLI::Range(0.0, 1e6));
  }
  add_init_command(app, action);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, io.out, io.err);
    return code == 0 ? 0 : static_cast<int>(ExitStatus::kInvalid);
  }
  if (!action) return static_cast<int>(ExitStatus::kInvalid);
  bool analyses = false;  // only the commands that analyse have a budget
  for (const char* name : {"check", "report", "diagram", "explain", "tune"}) analyses = analyses || app.got_subcommand(name);
  Watchdog watchdog(analyses ? timeout_s : 0);
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
