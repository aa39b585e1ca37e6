#include "base/file_io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <sstream>

namespace privflow {
namespace {

// The temporary file of the write in progress (one at a time: privflow writes one output).
// Read by remove_pending_output() from a signal handler: a fixed buffer and an atomic flag.
char g_pending[4096];
volatile sig_atomic_t g_pending_set = 0;

/// Blocks the signals that end a run (SIGINT, SIGTERM, SIGHUP) for its lifetime.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

std::string describe(const std::string& verb, const std::string& path, int err) {
  return "cannot " + verb + " '" + path + "': " + std::strerror(err);
}

bool write_all(int fd, const std::string& contents) {
  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool read_input(const std::string& path, std::string& contents, std::string& error) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    contents = buffer.str();
    return true;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = describe("read", path, errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "cannot read '" + path + "': it is a directory";
    return false;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = describe("read", path, errno);
    return false;
  }
  contents.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = describe("read", path, errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    contents.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

bool write_output(const std::string& path, const std::string& contents, std::string& error) {
  if (path == "-") {
    std::cout << contents;
    std::cout.flush();
    if (!std::cout) {
      error = "cannot write to standard output";
      return false;
    }
    return true;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      error = "cannot write '" + path + "': it is a directory";
      return false;
    }
    if (!S_ISREG(st.st_mode)) {  // a device or a pipe: write in place
      int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || !write_all(fd, contents)) {
        error = describe("write", path, errno);
        if (fd >= 0) ::close(fd);
        return false;
      }
      ::close(fd);
      return true;
    }
  }
  std::string folder = ".";
  auto slash = path.rfind('/');
  if (slash != std::string::npos) folder = slash == 0 ? "/" : path.substr(0, slash);
  std::string temp = path + ".tmp-XXXXXX";
  if (temp.size() >= sizeof g_pending) {
    error = "cannot write '" + path + "': the path is too long";
    return false;
  }
  int fd = -1;
  {
    SignalBlock block;  // the temporary file exists only once it is registered
    fd = ::mkstemp(temp.data());
    if (fd >= 0) {
      std::memcpy(g_pending, temp.c_str(), temp.size() + 1);
      g_pending_set = 1;
    }
  }
  if (fd < 0) {
    int err = errno;
    error = describe("write", path, err);
    if (err == ENOENT) error = "cannot write '" + path + "': folder '" + folder + "' does not exist";
    return false;
  }
  bool ok = write_all(fd, contents) && ::fsync(fd) == 0;
  int saved = errno;
  ::fchmod(fd, 0644);
  ok = (::close(fd) == 0) && ok;
  SignalBlock block;  // rename or remove, then forget the temporary file, uninterrupted
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    saved = errno;
    ok = false;
  }
  if (!ok) ::unlink(temp.c_str());
  g_pending_set = 0;
  if (!ok) {
    error = describe("write", path, saved);
    return false;
  }
  return true;
}

void remove_pending_output() noexcept {
  if (g_pending_set) {
    ::unlink(g_pending);
    g_pending_set = 0;
  }
}

}  // namespace privflow
