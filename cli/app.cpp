#include "cli/app.hpp"

#include <unistd.h>

#include <algorithm>
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
#include "base/text.hpp"

#include "cli/commands.hpp"
#include "privflow/version.hpp"

namespace privflow::cli {
namespace {

// The analysis budget (--timeout): a watchdog thread that ends the process with exit 3
// (undecided) when the budget runs out before the output is being written. The analysis
// passes have no cancellation points, so ending the process is the only way to stop them;
// the watchdog removes a pending output's temporary file first, so nothing partial remains.
// Only analysis counts: the clock runs between resume_timeout() (a spec was loaded) and
// pause_timeout(), so reading an invalid spec and printing its diagnostics is never cut
// (an invalid spec is exit 2, whatever its size).
using Clock = std::chrono::steady_clock;

struct WatchdogState {
  std::mutex mutex;
  std::condition_variable wake;
  bool armed = false;
  bool running = false;
  Clock::duration spent{};      // analysis time before the current run
  Clock::time_point started{};  // when the current run began
};

WatchdogState& watchdog_state() {
  static WatchdogState state;
  return state;
}

void say(const std::string& text) {
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

[[noreturn]] void time_out(double seconds) {
  remove_pending_output();
  say("privflow: undecided: the analysis did not finish within " + format_double(seconds) +
      " seconds (--timeout); nothing more is written\n");
  std::_Exit(static_cast<int>(ExitStatus::kUndecided));
}

// The watchdog's loop: sleeps while paused, else until the budget (or the 10 s note) is due.
void watch(double seconds) {
  auto& st = watchdog_state();
  const auto budget = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  const auto note_after = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(10));
  bool noted = note_after >= budget;
  std::unique_lock<std::mutex> lock(st.mutex);
  while (st.armed) {
    if (!st.running) {
      st.wake.wait(lock, [&st] { return !st.armed || st.running; });
      continue;
    }
    auto due = st.started + ((noted ? budget : note_after) - st.spent);
    if (st.wake.wait_until(lock, due, [&st] { return !st.armed || !st.running; })) continue;
    if (noted) time_out(seconds);
    noted = true;  // a long run is not silent on a terminal: one note after 10 seconds
    if (::isatty(STDERR_FILENO))
      say("privflow: still analysing after 10 seconds (gives up after " + format_double(seconds) +
          "; --timeout SECONDS changes it)\n");
  }
}

class Watchdog {
 public:
  explicit Watchdog(double seconds) {
    if (!(seconds > 0)) return;
    {
      auto& st = watchdog_state();
      std::lock_guard<std::mutex> lock(st.mutex);
      st.armed = true;  // a fresh budget: run() may be called again in one process (tests)
      st.running = false;
      st.spent = {};
    }
    thread_ = std::thread([seconds] { watch(seconds); });
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

void resume_timeout() {
  auto& st = watchdog_state();
  {
    std::lock_guard<std::mutex> lock(st.mutex);
    if (!st.armed || st.running) return;
    st.running = true;
    st.started = Clock::now();
  }
  st.wake.notify_all();
}

void pause_timeout() {
  auto& st = watchdog_state();
  {
    std::lock_guard<std::mutex> lock(st.mutex);
    if (!st.running) return;
    st.running = false;
    st.spent += Clock::now() - st.started;
  }
  st.wake.notify_all();
}

namespace {

// "privflow chekc x.pflow": CLI11 would say only that a subcommand is required; name the
// word and suggest the closest subcommand.
bool unknown_subcommand(CLI::App& app, const std::vector<std::string>& args, Io& io) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return false;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), args[0]) != names.end()) return false;
  io.err << "privflow: error: unknown subcommand '" << printable(args[0]) << "'";
  if (auto close = closest_match(args[0], names)) io.err << "; did you mean '" << *close << "'?";
  io.err << " (subcommands: " << join(names, ", ") << ")\n";
  return true;
}

}  // namespace

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
        ->check(CLI::Range(0.0, 1e6))
        ->check(CLI::Validator(
            [](std::string& text) {
              double v = 0;  // NaN passes a range check (every comparison is false)
              return CLI::detail::lexical_cast(text, v) && std::isfinite(v) ? std::string()
                                                                            : "SECONDS must be a finite number";
            },
            "", "finite"));
  }
  add_init_command(app, action);
  if (unknown_subcommand(app, args, io)) return static_cast<int>(ExitStatus::kInvalid);
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
