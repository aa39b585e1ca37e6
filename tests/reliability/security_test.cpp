// Security: a spec's text ($HOME, $(id), backticks, ../../etc/passwd, %s%n, ESC/CSI/OSC, C1
// and bidi controls, NUL, invalid UTF-8) never reaches a terminal raw, never names a file
// privflow opens or creates, and never runs anything.
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

#include "tests/reliability/run.hpp"

namespace {

using namespace reliability;

const fs::path kEvil = kSpecs / "evil.pflow";  // every string and comment carries the payloads

bool has_raw_escape(const std::string& s) { return s.find('\x1b') != std::string::npos; }
bool has_raw_controls(const std::string& s) {
  return has_raw_escape(s) || s.find("\xc2\x9b") != std::string::npos ||  // C1 CSI
         s.find("\xe2\x80\xae") != std::string::npos ||                     // right-to-left override
         s.find('\x9b') != std::string::npos;                               // a raw 8-bit CSI byte
}

}  // namespace

TEST_CASE("the evil spec's payloads are really in it", "[reliability][security]") {
  std::string spec = slurp(kEvil);
  for (const char* payload : {"$HOME", "$(id)", "`id`", "../../etc/passwd", "%s%n", "\x1b[31m", "\x1b]0;", "\xc2\x9b",
                              "\xe2\x80\xae", "\xff\xfe"})
    CHECK(spec.find(payload) != std::string::npos);
  CHECK(spec.find('\0') != std::string::npos);
}

TEST_CASE("no output format carries a raw ESC, JSON escapes it, only named files appear", "[reliability][security]") {
  TempDir dir;
  fs::copy_file(kEvil, dir / "evil.pflow");
  struct Output {
    std::vector<std::string> args;
    std::string file;  // the named output ("" : standard output)
    int code;
  };
  const std::vector<Output> outputs = {
      {{"check", "evil.pflow"}, "", 1},
      {{"check", "-v", "evil.pflow"}, "", 1},
      {{"report", "evil.pflow", "--format", "text", "-o", "r.txt"}, "r.txt", 1},
      {{"report", "evil.pflow", "--format", "markdown", "-o", "r.md"}, "r.md", 1},
      {{"report", "evil.pflow", "--format", "json", "-o", "r.json"}, "r.json", 1},
      {{"report", "evil.pflow", "--format", "sarif", "-o", "r.sarif"}, "r.sarif", 1},
      {{"report", "evil.pflow", "--format", "html", "-o", "r.html"}, "r.html", 1},
      {{"diagram", "evil.pflow", "-o", "d.dot"}, "d.dot", 1},
      {{"diagram", "evil.pflow", "-o", "d.svg"}, "d.svg", 1},
      {{"explain", "evil.pflow", "r"}, "", 1},
      {{"graph", "evil.pflow", "--format", "json"}, "", 0},
      {{"graph", "evil.pflow", "--format", "dot"}, "", 0},
  };
  std::set<std::string> named = {"evil.pflow"};
  for (const auto& o : outputs) {
    CAPTURE(o.args);
    Result r = run_privflow(o.args, dir.path());
    CHECK(r.code == o.code);
    CHECK(r.err.find("internal error") == std::string::npos);
    std::string bytes = o.file.empty() ? r.out : slurp(dir / o.file);
    CHECK(!bytes.empty());
    CHECK_FALSE(has_raw_escape(bytes));
    CHECK_FALSE(has_raw_controls(r.err));
    if (!o.file.empty()) named.insert(o.file);
  }
  // JSON keeps the text, escaped; invalid UTF-8 becomes U+FFFD instead of an internal error.
  CHECK(slurp(dir / "r.json").find("\\u001b[31mRED") != std::string::npos);
  for (const char* file : {"r.json", "r.sarif"}) CHECK_NOTHROW(nlohmann::json::parse(slurp(dir / file)));
  Result graph = run_privflow({"graph", "evil.pflow", "--format", "json"}, dir.path());
  CHECK(graph.out.find("\\u001b") != std::string::npos);
  CHECK_NOTHROW(nlohmann::json::parse(graph.out));
  // The payloads named no file: the folder holds the spec and the outputs asked for, nothing else.
  CHECK(dir.list() == named);
}

TEST_CASE("diagnostics quote the spec's lines without raw control characters", "[reliability][security]") {
  TempDir dir;
  Result r = run_privflow({"check", (kSpecs / "evil_bad.pflow").string()}, dir.path());
  CHECK(r.code == 2);
  CHECK(r.err.find("evil_bad.pflow:3:11: error:") != std::string::npos);
  CHECK_FALSE(has_raw_controls(r.err));
  CHECK(r.err.find("\\x1b[31mRED") != std::string::npos);  // shown escaped
  CHECK(r.err.find("\\u{202e}") != std::string::npos);
  CHECK(r.err.find("\\xff\\xfe") != std::string::npos);
  CHECK(dir.list().empty());
}

TEST_CASE("command-line text is echoed escaped in error messages", "[reliability][security]") {
  TempDir dir;
  const std::string evil = "1\x1b]0;TITLE\x07\xe2\x80\xae";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"account", "laplace", "--epsilon", "1", "--delta", evil},
           {"tune", (kExamples / "genai_finetune.pflow").string(), "--param", "noise", "--tolerance", evil},
           {"explain", (kExamples / "rr_survey.pflow").string(), evil},
           {"diagram", (kExamples / "rr_survey.pflow").string(), "--adversary", evil},
           {"report", (kExamples / "rr_survey.pflow").string(), "--format", evil},
           {"check", evil}}) {
    CAPTURE(args);
    Result r = run_privflow(args, dir.path());
    CHECK(r.code == 2);
    CHECK_FALSE(has_raw_controls(r.err));
    CHECK(r.err.find("\\x1b]0;TITLE\\x07") != std::string::npos);
  }
}

TEST_CASE("standard output on a terminal is escaped (fmt prints comments as written)", "[reliability][security]") {
  if (!has_tool("script")) RELIABILITY_SKIP("no `script` (util-linux) to give privflow a terminal");
  TempDir dir;
  fs::copy_file(kEvil, dir / "evil.pflow");
  for (std::string sub : {"fmt", "check", "explain"}) {
    CAPTURE(sub);
    std::string command = quote(kExe) + " " + sub + " evil.pflow" + (sub == "explain" ? " r" : "");
    Result r = shell("script -qec " + quote(command) + " /dev/null", dir.path());
    CHECK(!r.out.empty());
    CHECK_FALSE(has_raw_controls(r.out));
    if (sub == "fmt") CHECK(r.out.find("\\x1b[31mRED\\x1b[0m") != std::string::npos);
  }
  // Not a terminal: fmt keeps the spec's bytes (it is the spec's own text).
  Result piped = run_privflow({"fmt", "evil.pflow"}, dir.path());
  CHECK(piped.out.find("\x1b[31mRED") != std::string::npos);
}

TEST_CASE("strace: privflow runs nothing and opens for writing only the named output", "[reliability][security]") {
  if (!has_tool("strace")) RELIABILITY_SKIP("strace is not installed (scripts/setup installs it)");
  TempDir dir, logs;
  fs::copy_file(kEvil, dir / "evil.pflow");
  for (const auto& [sub, file] : std::vector<std::pair<std::string, std::string>>{
           {"report", "r.html"}, {"diagram", "d.svg"}, {"check", ""}, {"fmt", ""}}) {
    CAPTURE(sub);
    std::string trace = (logs / (sub + ".trace")).string();
    // LeakSanitizer cannot run under ptrace: a sanitizer build is traced without it.
    std::string command = "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" strace -f -qq -e trace=execve,execveat,fork,vfork,open,openat,creat,rename,unlink,mkdir -o " +
                          quote(trace) + " " + quote(kExe) + " " + sub + " evil.pflow";
    if (sub == "report") command += " --format html";
    if (!file.empty()) command += " -o " + file;
    Result r = shell(command, dir.path());
    std::string text = slurp(trace);
    if (text.empty() || text.find("ptrace") != std::string::npos)
      RELIABILITY_SKIP("strace cannot trace here (ptrace refused): " << r.err);
    CHECK(r.code <= 1);
    std::istringstream lines(text);
    std::string line;
    int execs = 0;
    const std::regex write_open(R"re((open|openat|creat)\(.*"([^"]*)".*O_(WRONLY|RDWR|CREAT))re");
    while (std::getline(lines, line)) {
      CAPTURE(line);
      if (line.find("execve(") != std::string::npos) ++execs;
      CHECK(line.find("fork(") == std::string::npos);
      CHECK(line.find("passwd") == std::string::npos);
      CHECK(line.find("$HOME") == std::string::npos);
      CHECK(line.find("(id)") == std::string::npos);
      std::smatch m;
      if (std::regex_search(line, m, write_open)) {
        std::string path = m[2];
        // The temporary file is ./.privflow-XXXXXX beside the output. fontconfig (through
        // Graphviz's text layout) may refresh its own cache: a library's file.
        bool allowed = (!file.empty() && (path == file || path.rfind("./.privflow-", 0) == 0)) ||
                       path.find("/fontconfig/") != std::string::npos;
        CHECK(allowed);
      }
      if (line.find("rename(") != std::string::npos) CHECK(line.find(", \"" + file + "\")") != std::string::npos);
    }
    CHECK(execs == 1);  // privflow itself, nothing else
  }
}
