// Faults: unreadable inputs, unwritable outputs, a closed standard output, signals. Each
// gives a message and a defined exit code, and never leaves a partial output file.
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "base/file_io.hpp"
#include "tests/reliability/run.hpp"

extern char** environ;

namespace {

using namespace reliability;

const std::string kSpec = (kExamples / "rr_survey.pflow").string();

}  // namespace

TEST_CASE("unreadable specs: exit 2 with the reason", "[reliability][faults]") {
  TempDir dir;
  Result missing = run_privflow({"check", "no_such.pflow"}, dir.path());
  CHECK(missing.code == 2);
  CHECK(missing.err == "privflow: error: cannot read 'no_such.pflow': No such file or directory\n");

  fs::create_directory(dir / "folder.pflow");
  Result folder = run_privflow({"report", "folder.pflow"}, dir.path());
  CHECK(folder.code == 2);
  CHECK(folder.err == "privflow: error: cannot read 'folder.pflow': it is a directory\n");

  // Unreadable even for root: the kernel refuses to read address 0 of /proc/self/mem.
  Result mem = run_privflow({"check", "/proc/self/mem"}, dir.path());
  CHECK(mem.code == 2);
  CHECK(mem.err.find("privflow: error: cannot read '/proc/self/mem': ") == 0);

  // chmod 000: refused to a normal user; root reads anything, so as root the check runs as
  // the user nobody (setpriv), from a folder nobody may enter.
  fs::copy_file(kSpec, dir / "locked.pflow");
  ::chmod((dir / "locked.pflow").c_str(), 0);
  std::string command = quote(kExe) + " check locked.pflow";
  if (::geteuid() == 0) {
    if (!has_tool("setpriv")) RELIABILITY_SKIP("running as root without setpriv: the chmod 000 case cannot run");
    ::chmod(dir.path().c_str(), 0711);
    command = "setpriv --reuid=65534 --regid=65534 --clear-groups " + command;
  }
  Result locked = shell(command, dir.path());
  if (locked.code == 126 || locked.code == 127) {  // /proc/self/mem above covers root already
    WARN("skipped: the user nobody cannot run " << kExe << " (a private build folder)");
    return;
  }
  CHECK(locked.code == 2);
  CHECK(locked.err == "privflow: error: cannot read 'locked.pflow': Permission denied\n");
}

TEST_CASE("unwritable outputs: exit 4, the reason, and no file", "[reliability][faults]") {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"report", kSpec, "-o", "/dev/full"}, "privflow: error: cannot write '/dev/full': No space left on device\n"},
      {{"report", kSpec, "--format", "json", "-o", "missing/r.json"},
       "privflow: error: cannot write 'missing/r.json': folder 'missing' does not exist\n"},
      {{"diagram", kSpec, "-o", "missing/d.svg"}, "privflow: error: cannot write 'missing/d.svg': folder 'missing' does not exist\n"},
      {{"report", kSpec, "-o", "."}, "privflow: error: cannot write '.': it is a directory\n"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    Result r = run_privflow(c.args, dir.path());
    CHECK(r.code == 4);
    CHECK(r.err == c.error);
    CHECK(r.out.empty());
  }
  CHECK(dir.list().empty());
  // A read-only folder (a normal user; root writes anyway, so only the message is checked then).
  fs::create_directory(dir / "ro");
  ::chmod((dir / "ro").c_str(), 0555);
  Result ro = run_privflow({"report", kSpec, "-o", "ro/r.txt"}, dir.path());
  if (::geteuid() != 0) {
    CHECK(ro.code == 4);
    CHECK(ro.err == "privflow: error: cannot write 'ro/r.txt': Permission denied\n");
  }
}

TEST_CASE("a closed standard output: exit 4 and a message, not a crash", "[reliability][faults]") {
  TempDir dir;
  // Closed outright.
  for (const char* sub : {"check", "report", "graph", "fmt"}) {
    CAPTURE(sub);
    Result r = shell(quote(kExe) + " " + sub + " " + quote(kSpec) + " >&-", dir.path());
    CHECK(r.code == 4);
    CHECK(r.err.find("cannot write to standard output") != std::string::npos);
  }
  // Closed by the reader after one byte (`| head -c 1`), with more than a pipe buffer to write.
  std::string big = "pipeline big\n";
  for (int i = 0; i < 8000; ++i) big += "region region_number_" + std::to_string(i) + "\n";
  spit(dir / "big.pflow", big);
  Result piped = shell("bash -c " + quote(quote(kExe) + " fmt big.pflow | head -c 1 > /dev/null; exit ${PIPESTATUS[0]}"),
                       dir.path());
  CHECK(piped.code == 4);
  CHECK(piped.err == "privflow: error: cannot write to standard output\n");
}

namespace {

/// Starts privflow ARGS in `cwd` (posix_spawn), returns its pid.
pid_t spawn(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& err) {
  std::vector<std::string> full = {"/bin/sh", "-c",
                                   "cd " + quote(cwd.string()) + " && exec " + quote(kExe)};
  for (const auto& a : args) full[2].append(" ").append(quote(a));  // not " " + …: GCC bug 105329 warns
  full[2] += " 2> " + quote(err.string());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ) == 0);
  return pid;
}

// For the write test below: what main.cpp's handler does, then a recognisable exit.
extern "C" void on_file_size_limit(int) {
  privflow::remove_pending_output();
  _exit(42);
}

}  // namespace

TEST_CASE("SIGINT and SIGTERM during an analysis: ended by the signal, no output file", "[reliability][faults]") {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    CAPTURE(sig);
    TempDir dir, logs;
    pid_t pid = spawn({"report", (kSpecs / "slow_search.pflow").string(), "--format", "html", "-o", "out.html"}, dir.path(),
                      logs / "err");
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    REQUIRE(::kill(pid, sig) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == sig);
    CHECK(slurp(logs / "err") == "privflow: interrupted; no output file was written\n");
    CHECK(dir.list().empty());
  }
}

TEST_CASE("a signal while the output is being written removes the temporary file", "[reliability][faults]") {
  // Deterministic: a file-size limit makes the kernel send SIGXFSZ in the middle of the write.
  TempDir dir;
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    struct rlimit limit {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    ::signal(SIGXFSZ, on_file_size_limit);
    std::string error;
    privflow::write_output((dir / "out.txt").string(), std::string(1 << 20, 'x'), error);
    _exit(0);  // not reached: the write exceeds the limit
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 42);
  CHECK(dir.list().empty());  // without remove_pending_output, .privflow-XXXXXX (4096 bytes) stays

  // Without a signal, a failed write (the same limit, SIGXFSZ ignored: EFBIG) also leaves nothing.
  pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    struct rlimit limit {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    ::signal(SIGXFSZ, SIG_IGN);
    std::string error;
    bool ok = privflow::write_output((dir / "out.txt").string(), std::string(1 << 20, 'x'), error);
    _exit(!ok && error.find("File too large") != std::string::npos ? 7 : 8);
  }
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WEXITSTATUS(status) == 7);
  CHECK(dir.list().empty());
}
