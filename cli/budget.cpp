#include "cli/budget.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <string>

#include "analyzer/analysis.hpp"
#include "base/file_io.hpp"
#include "base/rational.hpp"

namespace privflow::cli {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration from_seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, seconds)));
}

// The library checks its deadline between requirements and between search steps, but a step
// may overrun it: a solver query, the leakage matrix (computed even when no requirement was
// reached), tune's probe analyses. The watchdog waits 3 s and a tenth of the budget longer.
Clock::duration backstop_of(double seconds) { return from_seconds(seconds + 3 + seconds / 10); }

// On a terminal a long run is not silent: one note after this much analysis.
constexpr std::chrono::seconds kNoteAfter{10};

std::string timed_out_message(double seconds) {
  return "privflow: undecided: the analysis did not finish within " + format_double(seconds) +
         " seconds (--timeout); nothing more is written\n";
}

void say(const std::string& text) {
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

}  // namespace

AnalysisBudget::AnalysisBudget(double seconds)
    : seconds_(seconds), budget_(from_seconds(seconds)), backstop_(backstop_of(seconds)) {
  if (!(seconds > 0)) return;
  armed_ = true;
  watchdog_ = std::thread([this] { watch(); });
}

AnalysisBudget::~AnalysisBudget() {
  disarm();
  if (watchdog_.joinable()) watchdog_.join();
}

void AnalysisBudget::resume() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!armed_ || running_) return;
    running_ = true;
    started_ = Clock::now();
  }
  wake_.notify_all();
}

void AnalysisBudget::pause() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!running_) return;
    running_ = false;
    used_ += Clock::now() - started_;
  }
  wake_.notify_all();
}

void AnalysisBudget::disarm() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
  }
  wake_.notify_all();
}

Clock::duration AnalysisBudget::used_locked() const {
  return running_ ? used_ + (Clock::now() - started_) : used_;
}

void AnalysisBudget::limit(analyzer::Options& options) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!armed_) return;
  const auto left = budget_ - used_locked();
  options.deadline = Clock::now() + left;
  const double left_ms = std::chrono::duration<double, std::milli>(left).count();
  options.time_budget_ms = static_cast<unsigned>(std::clamp(std::ceil(left_ms), 1.0, 4e9));
}

bool AnalysisBudget::spent(Io& io) {
  pause();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!armed_ || used_ < budget_) return false;
  }
  timed_out_ = true;
  io.err << timed_out_message(seconds_);
  io.err.flush();
  return true;
}

void AnalysisBudget::kill() const {
  remove_pending_output();
  say(timed_out_message(seconds_));
  std::_Exit(static_cast<int>(ExitStatus::kUndecided));
}

// Sleeps while the clock is paused, else until the note or the backstop is due.
void AnalysisBudget::watch() {
  bool noted = kNoteAfter >= budget_;
  std::unique_lock<std::mutex> lock(mutex_);
  while (armed_) {
    if (!running_) {
      wake_.wait(lock, [this] { return !armed_ || running_; });
      continue;
    }
    const auto due = started_ + ((noted ? backstop_ : Clock::duration(kNoteAfter)) - used_);
    if (wake_.wait_until(lock, due, [this] { return !armed_ || !running_; })) continue;
    if (noted) kill();
    noted = true;
    if (::isatty(STDERR_FILENO))
      say("privflow: still analysing after 10 seconds (gives up after " + format_double(seconds_) +
          "; --timeout SECONDS changes it)\n");
  }
}

}  // namespace privflow::cli
