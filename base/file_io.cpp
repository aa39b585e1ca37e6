#include "base/file_io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
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

std::string too_large(std::size_t max_bytes) {
  return "it is more than " + std::to_string(max_bytes) + " bytes, the limit of a spec; nothing was read past it";
}

/// Reads fd to its end, or fails as soon as more than max_bytes came (so that /dev/zero or a
/// huge file costs at most the limit). On a read error `error` stays empty (errno says why).
bool read_bounded(int fd, std::string& contents, std::size_t max_bytes, std::string& error) {
  contents.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    // Checked before appending: the string never grows past the limit (/dev/zero costs 64 MiB).
    if (contents.size() + static_cast<std::size_t>(n) > max_bytes) {
      contents.clear();
      contents.shrink_to_fit();
      error = too_large(max_bytes);
      return false;
    }
    contents.append(buf, static_cast<std::size_t>(n));
  }
}

/// The file a path names after following symbolic links (the path itself when it is not a
/// link, or a link to nothing yet: then the link's own place is written).
std::string resolve_links(const std::string& path) {
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0 || !S_ISLNK(lst.st_mode)) return path;
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) return path;
  std::string resolved(real);
  std::free(real);
  return resolved;
}

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// The mode of a new file: 0666 less the umask, as open(2) would give it.
mode_t new_file_mode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

/// Gives the temporary file the original's owner, group and mode (what may be kept). When the
/// group cannot be kept, the group's permissions are dropped: they were granted to another group.
void copy_attributes(int fd, const struct stat& st) {
  mode_t mode = st.st_mode & 07777;
  if (::fchown(fd, st.st_uid, st.st_gid) != 0 && ::fchown(fd, static_cast<uid_t>(-1), st.st_gid) != 0) {
    struct stat now {};
    if (::fstat(fd, &now) == 0 && now.st_gid != st.st_gid) mode &= ~static_cast<mode_t>(S_IRWXG);
  }
  ::fchmod(fd, mode);
}

/// A device or a pipe (/dev/null, /dev/full): written in place, it cannot be renamed over.
bool write_special(const std::string& path, const std::string& target, const std::string& contents,
                   std::string& error) {
  int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || !write_all(fd, contents)) {
    error = describe("write", path, errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

/// Creates the temporary file beside `target` (a short name: a long target name still fits)
/// and registers it for removal by a signal handler.
int create_temp(const std::string& path, const std::string& target, std::string& temp, std::string& error) {
  const std::string folder = folder_of(target);
  temp = folder + "/.privflow-XXXXXX";
  if (temp.size() >= sizeof g_pending) {
    error = "cannot write '" + path + "': the path is too long";
    return -1;
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
    if (err == ENOENT) error = "cannot write '" + path + "': folder '" + folder_of(path) + "' does not exist";
  }
  return fd;
}

/// Writes a temporary file, synced, then renames it over the target: whole or not at all.
/// The result has the original's mode and owner (where permitted), else the umask's mode.
bool write_replacing(const std::string& path, const std::string& target, const struct stat* original,
                     const std::string& contents, std::string& error) {
  std::string temp;
  int fd = create_temp(path, target, temp, error);
  if (fd < 0) return false;
  if (original) copy_attributes(fd, *original);
  else ::fchmod(fd, new_file_mode());
  bool ok = write_all(fd, contents) && ::fsync(fd) == 0;
  int saved = errno;
  ok = (::close(fd) == 0) && ok;
  SignalBlock block;  // rename or remove, then forget the temporary file, uninterrupted
  if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
    saved = errno;
    ok = false;
  }
  if (!ok) ::unlink(temp.c_str());
  g_pending_set = 0;
  if (!ok) error = describe("write", path, saved);
  return ok;
}

/// A file with several hard links: a rename would split them (the other names would keep
/// the old text), so the new text is written into the file itself. It is written to a
/// temporary file first (so that a full disk fails before the file is touched), and the old
/// text is put back if writing in place fails; signals wait until it is done.
bool write_linked(const std::string& path, const std::string& target, const struct stat& st,
                  const std::string& contents, std::string& error) {
  std::string old;
  std::string ignored;
  int in = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = in >= 0 && read_bounded(in, old, static_cast<std::size_t>(st.st_size) + 65536, ignored);
  if (in >= 0) ::close(in);
  std::string temp;
  int fd = ok ? create_temp(path, target, temp, error) : -1;
  if (!ok || fd < 0) {
    if (!ok) error = describe("write", path, errno);
    return false;
  }
  ok = write_all(fd, contents) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  SignalBlock block;
  ::unlink(temp.c_str());
  g_pending_set = 0;
  if (!ok) {
    error = describe("write", path, saved);
    return false;
  }
  auto put = [&target](const std::string& text) {
    int out = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
    bool done = out >= 0 && write_all(out, text) && ::ftruncate(out, static_cast<off_t>(text.size())) == 0 &&
                ::fsync(out) == 0;
    if (out >= 0) ::close(out);
    return done;
  };
  if (put(contents)) return true;
  saved = errno;
  put(old);
  error = describe("write", path, saved);
  return false;
}

}  // namespace

bool read_input(const std::string& path, std::string& contents, std::string& error, std::size_t max_bytes) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      error = describe("read", path, errno);
      return false;
    }
    if (S_ISDIR(st.st_mode)) {
      error = "cannot read '" + path + "': it is a directory";
      return false;
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = describe("read", path, errno);
      return false;
    }
  }
  bool ok = read_bounded(fd, contents, max_bytes, error);
  if (!ok && error.empty()) error = describe("read", path, errno);
  else if (!ok) error = "cannot read '" + path + "': " + error;
  if (fd != STDIN_FILENO) ::close(fd);
  return ok;
}

bool read_bounded(std::istream& in, std::string& contents, std::size_t max_bytes, std::string& error) {
  contents.clear();
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    if (contents.size() + static_cast<std::size_t>(in.gcount()) > max_bytes) {
      contents.clear();
      contents.shrink_to_fit();
      error = too_large(max_bytes);
      return false;
    }
    contents.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  return true;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  if (a == "-" || b == "-" || ::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
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
  // A symbolic link is written through (its target changes, the link stays).
  std::string target = resolve_links(path);
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    error = "cannot write '" + path + "': it is a directory";
    return false;
  }
  if (exists && !S_ISREG(st.st_mode)) return write_special(path, target, contents, error);
  if (exists && st.st_nlink > 1) return write_linked(path, target, st, contents, error);
  return write_replacing(path, target, exists ? &st : nullptr, contents, error);
}

void remove_pending_output() noexcept {
  if (g_pending_set) {
    ::unlink(g_pending);
    g_pending_set = 0;
  }
}

}  // namespace privflow
