// privflow: the command line. Everything but stream and signal set-up lives in cli::run.
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <streambuf>
#include <string>

#include "base/file_io.hpp"
#include "base/text.hpp"
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

// Standard output on a terminal: what a spec wrote (names, strings, comments through fmt) must
// not reach the terminal as escape sequences, so control characters, C1 and bidirectional
// controls and bytes that are not UTF-8 are shown escaped (printable_lines). Whole lines are
// filtered (a UTF-8 sequence never spans a newline); files and pipes get the exact bytes.
class TerminalSafeBuf : public std::streambuf {
 public:
  explicit TerminalSafeBuf(std::streambuf* target) : target_(target) {}
  TerminalSafeBuf(const TerminalSafeBuf&) = delete;
  TerminalSafeBuf& operator=(const TerminalSafeBuf&) = delete;

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    pending_.push_back(traits_type::to_char_type(ch));
    return emit(false) ? ch : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    pending_.append(s, static_cast<std::size_t>(n));
    return emit(false) ? n : 0;
  }
  int sync() override { return emit(true) && target_->pubsync() == 0 ? 0 : -1; }

 private:
  bool emit(bool all) {
    std::size_t end = all ? pending_.size() : pending_.rfind('\n');
    if (end == std::string::npos) return true;
    if (!all) ++end;
    std::string chunk = privflow::printable_lines(std::string_view(pending_).substr(0, end));
    pending_.erase(0, end);
    return target_->sputn(chunk.data(), static_cast<std::streamsize>(chunk.size())) ==
           static_cast<std::streamsize>(chunk.size());
  }

  std::streambuf* target_;
  std::string pending_;
};

}  // namespace

int main(int argc, char** argv) {
  // The accountant's grids allocate and free arrays of a few MB at every refinement level;
  // glibc gives each back to the kernel (mmap above 128 KiB, trimming above 128 KiB of free
  // heap top) and the next one faults its pages in again: a fifth of `privflow account`'s
  // time on a virtual machine. Freed memory is kept for reuse up to these bounds instead.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
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
  std::streambuf* real_stdout = std::cout.rdbuf();
  TerminalSafeBuf terminal_safe(real_stdout);
  if (::isatty(STDOUT_FILENO)) std::cout.rdbuf(&terminal_safe);
  int code = privflow::cli::run(args, {std::cin, std::cout, std::cerr, color});
  std::cout.flush();
  std::cout.rdbuf(real_stdout);
  // std::cout writes through C's stdout: a failed write may show only in its error flag.
  const bool stdout_failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
  if (stdout_failed) {
    // Verdicts that did not reach their reader are a failure whatever they said
    // (commands that write through write_result have already said why: exit 4).
    if (code != 4) std::cerr << "privflow: error: cannot write to standard output\n";
    code = 4;
  }
  return code;
}
