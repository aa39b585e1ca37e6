#pragma once
// One run's analysis budget: `--timeout SECONDS` of check, report, diagram, explain and tune
// (docs/limits.md, "Limits"). The library ends the analysis itself: the budget reaches it as
// analyzer::Options::time_budget_ms and deadline, and the command then writes nothing more and
// exits 3. A watchdog thread stays only as a backstop, for a step that overruns the deadline
// (one solver query, the leakage matrix): past the budget and a margin it ends the process.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cli/app.hpp"

namespace privflow::analyzer {
struct Options;
}

namespace privflow::cli {

class AnalysisBudget {
 public:
  /// `seconds` of analysis; 0 or less: no budget (no deadline, no watchdog).
  explicit AnalysisBudget(double seconds);
  ~AnalysisBudget();
  AnalysisBudget(const AnalysisBudget&) = delete;
  AnalysisBudget& operator=(const AnalysisBudget&) = delete;

  /// Only analysis counts: the clock runs from resume() (a spec was loaded) to pause(), so
  /// reading an invalid spec and printing diagnostics or verdicts are never cut.
  void resume();
  void pause();
  /// The output is being written: from now on it is written whole, never cut.
  void disarm();
  /// Gives `options` what is left of the budget, as its deadline (kept by the nested analyses
  /// of tune) and time_budget_ms.
  void limit(analyzer::Options& options) const;
  /// Pauses the clock. True, after saying so on io.err, when the analysis used the whole
  /// budget: the caller then writes nothing more and exits 3 (undecided).
  bool spent(Io& io);
  /// True once spent() has said so.
  bool timed_out() const { return timed_out_; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::duration used_locked() const;  // analysis time so far (mutex_ held)
  void watch();
  [[noreturn]] void kill() const;

  const double seconds_;
  const Clock::duration budget_;
  const Clock::duration backstop_;  // the watchdog's limit: the budget and a margin
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool armed_ = false;
  bool running_ = false;
  Clock::duration used_{};      // analysis time before the current stretch
  Clock::time_point started_{};  // when the current stretch began
  bool timed_out_ = false;
  std::thread watchdog_;
};

}  // namespace privflow::cli
