#pragma once
// Running the real privflow binary from tests: arguments quoted for /bin/sh, standard output
// and error captured to files, the exit status as a shell reports it (128+N for signal N).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace reliability {

namespace fs = std::filesystem;

inline const std::string kExe = PRIVFLOW_EXE;
inline const fs::path kSource = PRIVFLOW_SOURCE_DIR;
inline const fs::path kSpecs = kSource / "tests" / "reliability" / "specs";
inline const fs::path kExamples = kSource / "examples";

/// PRIVFLOW_CI=1: a check that cannot run here (a missing tool or locale) fails instead of
/// being skipped with a warning.
inline bool strict() {
  const char* v = std::getenv("PRIVFLOW_CI");
  return v && *v && std::string(v) != "0";
}

#define RELIABILITY_SKIP(message)            \
  do {                                       \
    if (::reliability::strict()) FAIL(message); \
    WARN("skipped: " << message);            \
    return;                                  \
  } while (0)

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

/// A fresh empty folder, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "privflow-reliability-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  /// The names in the folder, sorted.
  std::set<std::string> list() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.insert(e.path().filename().string());
    return names;
  }

 private:
  fs::path path_;
};

struct Result {
  int code = -1;  // exit status; 128+N when killed by signal N
  std::string out, err;
};

/// Runs a shell command line (already quoted) in `cwd`, capturing its streams.
inline Result shell(const std::string& command, const fs::path& cwd) {
  TempDir capture;
  // The cd is inside the braces so that a failure of the shell itself (a folder that vanished)
  // reaches the captured standard error instead of being lost.
  std::string line = "{ cd " + quote(cwd.string()) + " && " + command + " ; } > " +
                     quote((capture / "out").string()) + " 2> " + quote((capture / "err").string());
  int status = std::system(line.c_str());
  Result r;
  if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.code = 128 + WTERMSIG(status);
  r.out = slurp(capture / "out");
  r.err = slurp(capture / "err");
  return r;
}

/// privflow ARGS in `cwd`, with an optional environment prefix such as "LC_ALL=de_DE.UTF-8".
inline Result run_privflow(const std::vector<std::string>& args, const fs::path& cwd, const std::string& env = "") {
  std::string command = env.empty() ? "" : "env " + env + " ";
  command += quote(kExe);
  for (const auto& a : args) command.append(" ").append(quote(a));  // not " " + …: GCC bug 105329 warns
  return shell(command, cwd);
}

inline bool has_tool(const std::string& name) {
  return std::system(("command -v " + name + " > /dev/null 2>&1").c_str()) == 0;
}

}  // namespace reliability
