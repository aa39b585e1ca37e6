// docs/tutorial.md is executable: every `$ privflow …` line of its ```console blocks is run
// (the binary from this build, in a copy of the repository's docs/ and examples/ folders),
// and what it prints (stdout and stderr together) must be exactly the text pasted below it,
// apart from a trailing newline. A command that ends in `# exit code N` must exit with N.
// A ```pflow block right after `<!-- file: PATH -->` must be that file's whole text, and after
// `<!-- excerpt: PATH -->` a run of whole lines of it.
//
// If this fails because the tool's output changed on purpose, update the tutorial with
//   PRIVFLOW_UPDATE_TUTORIAL=1 ctest --test-dir <build> -R tutorial
// which rewrites the pasted outputs, the stated exit codes and the `file:` blocks from the
// real ones; then read the diff and fix the prose around them.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "base/file_io.hpp"

namespace {

namespace fs = std::filesystem;

/// One `$ command` of a console block and the lines pasted below it.
struct Command {
  std::size_t line = 0;             // 0-based line of the `$ ` line in the markdown
  std::string text;                 // the command, without `$ `
  std::optional<int> exit_code;     // from a trailing `# exit code N`
  std::size_t output_begin = 0;     // 0-based lines [output_begin, output_end) are its output
  std::size_t output_end = 0;
  std::string expected;             // those lines joined with '\n'
};

/// A ```pflow block that must match a file.
struct FileBlock {
  std::string path;
  bool whole = true;                // `file:` (whole text) or `excerpt:` (a run of lines)
  std::size_t begin = 0, end = 0;   // its content lines [begin, end)
  std::string text;                 // with a final '\n' per line
};

struct Tutorial {
  std::vector<std::string> lines;
  std::vector<Command> commands;
  std::vector<FileBlock> files;
  std::vector<std::string> problems;  // malformed markdown
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines, std::size_t begin, std::size_t end, bool final_newline) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    out += lines[i];
    if (i + 1 < end || final_newline) out += '\n';
  }
  return out;
}

std::string trim_trailing_newlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

Tutorial parse_tutorial(const std::string& markdown) {
  static const std::regex exit_re(R"(^(.*?)\s+#\s*exit code (\d+)\s*$)");
  static const std::regex marker_re(R"(^<!--\s*(file|excerpt):\s*(\S+)\s*-->\s*$)");
  Tutorial t;
  t.lines = split_lines(markdown);
  std::optional<FileBlock> pending;  // a marker waiting for its ```pflow block
  for (std::size_t i = 0; i < t.lines.size(); ++i) {
    const std::string& line = t.lines[i];
    std::smatch m;
    if (std::regex_match(line, m, marker_re)) {
      pending = FileBlock{};
      pending->path = m[2].str();
      pending->whole = m[1].str() == "file";
      continue;
    }
    if (line.rfind("```", 0) != 0) {
      if (!line.empty() && pending) {
        t.problems.push_back("line " + std::to_string(i + 1) + ": text between a file marker and its block");
        pending.reset();
      }
      continue;
    }
    const std::string info = line.substr(3);
    std::size_t close = i + 1;
    while (close < t.lines.size() && t.lines[close].rfind("```", 0) != 0) ++close;
    if (close == t.lines.size()) {
      t.problems.push_back("line " + std::to_string(i + 1) + ": a code block that is never closed");
      break;
    }
    if (pending) {
      if (info != "pflow") t.problems.push_back("line " + std::to_string(i + 1) + ": a file marker before a non-pflow block");
      pending->begin = i + 1;
      pending->end = close;
      pending->text = join_lines(t.lines, i + 1, close, true);
      t.files.push_back(*pending);
      pending.reset();
    } else if (info == "console") {
      Command* current = nullptr;
      for (std::size_t j = i + 1; j < close; ++j) {
        const std::string& l = t.lines[j];
        if (l.rfind("$ ", 0) == 0) {
          if (current) current->output_end = j;
          Command c;
          c.line = j;
          c.text = l.substr(2);
          if (std::regex_match(c.text, m, exit_re)) {
            c.exit_code = std::stoi(m[2].str());  // before c.text changes: m points into it
            c.text = m[1].str();
          }
          if (c.text.rfind("privflow ", 0) != 0 && c.text != "privflow")
            t.problems.push_back("line " + std::to_string(j + 1) + ": a console command that is not privflow");
          c.output_begin = j + 1;
          t.commands.push_back(c);
          current = &t.commands.back();
        } else if (!current) {
          t.problems.push_back("line " + std::to_string(j + 1) + ": output before any `$ ` command");
        }
      }
      if (current) current->output_end = close;
    }
    i = close;
  }
  for (auto& c : t.commands) c.expected = join_lines(t.lines, c.output_begin, c.output_end, false);
  return t;
}

struct Result {
  int code;
  std::string output;
};

/// Runs `command` through sh in `dir`, with this build's privflow first on PATH, stderr
/// merged into stdout, and no colour.
Result run_shell(const std::string& command, const fs::path& dir) {
  const std::string full = "cd '" + dir.string() + "' && PATH='" + std::string(PRIVFLOW_BINARY_DIR) +
                           "':\"$PATH\" NO_COLOR=1 LC_ALL=C.UTF-8 " + command + " 2>&1";
  Result r{-1, {}};
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) r.output.append(buffer, n);
  int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// A fresh working folder holding copies of the repository's docs/ and examples/, so that the
/// tutorial's relative paths work as from the repository root and what it writes lands here.
fs::path working_copy() {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests-docs-tutorial";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path root(PRIVFLOW_SOURCE_DIR);
  for (const char* sub : {"docs", "examples"})
    fs::copy(root / sub, dir / sub, fs::copy_options::recursive);
  return dir;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains_lines(const std::string& file, const std::string& excerpt) {
  return ("\n" + file).find("\n" + excerpt) != std::string::npos;
}

const fs::path kTutorial = fs::path(PRIVFLOW_SOURCE_DIR) / "docs" / "tutorial.md";

}  // namespace

TEST_CASE("the tutorial's markdown is read as commands, outputs, exit codes and file blocks", "[docs][tutorial]") {
  const std::string md =
      "Intro\n"
      "```console\n"
      "$ privflow check a.pflow   # exit code 1\n"
      "a.pflow:3:1: violated\n"
      "\n"
      "1 requirement: 1 violated\n"
      "$ privflow fmt --check a.pflow\n"
      "```\n"
      "<!-- file: docs/tutorial/a.pflow -->\n"
      "```pflow\n"
      "pipeline a\n"
      "```\n"
      "<!-- excerpt: docs/tutorial/b.pflow -->\n"
      "\n"
      "```pflow\n"
      "data d { rows: 1 }\n"
      "```\n"
      "```\n"
      "$ not a command: a block without the console tag\n"
      "```\n";
  auto t = parse_tutorial(md);
  CHECK(t.problems.empty());
  REQUIRE(t.commands.size() == 2);
  CHECK(t.commands[0].text == "privflow check a.pflow");
  CHECK(t.commands[0].exit_code == 1);
  CHECK(t.commands[0].expected == "a.pflow:3:1: violated\n\n1 requirement: 1 violated");
  CHECK(t.commands[1].text == "privflow fmt --check a.pflow");
  CHECK_FALSE(t.commands[1].exit_code.has_value());
  CHECK(t.commands[1].expected.empty());
  REQUIRE(t.files.size() == 2);
  CHECK(t.files[0].path == "docs/tutorial/a.pflow");
  CHECK(t.files[0].whole);
  CHECK(t.files[0].text == "pipeline a\n");
  CHECK(t.files[1].path == "docs/tutorial/b.pflow");
  CHECK_FALSE(t.files[1].whole);
  CHECK(t.files[1].text == "data d { rows: 1 }\n");

  auto bad = parse_tutorial("```console\nstray\n$ ls -l\n```\n<!-- file: x -->\ntext\n```console\n");
  CHECK(bad.problems.size() == 4);

  CHECK(contains_lines("a\nbc\nd\n", "bc\nd\n"));
  CHECK_FALSE(contains_lines("a\nbc\nd\n", "c\nd\n"));
}

TEST_CASE("the harness runs this build's privflow, with stderr merged and the exit code", "[docs][tutorial]") {
  fs::path dir = fs::path(PRIVFLOW_BINARY_DIR) / "tests-docs-harness";
  fs::create_directories(dir);
  auto version = run_shell("privflow --version", dir);
  CHECK(version.code == 0);
  CHECK(version.output.rfind("privflow ", 0) == 0);
  auto missing = run_shell("privflow check no_such.pflow", dir);
  CHECK(missing.code == 2);
  CHECK(missing.output.find("no_such.pflow") != std::string::npos);
}

TEST_CASE("every command of docs/tutorial.md prints what the tutorial shows", "[docs][tutorial]") {
  REQUIRE(fs::is_regular_file(kTutorial));
  const std::string markdown = slurp(kTutorial);
  Tutorial t = parse_tutorial(markdown);
  for (const auto& p : t.problems) FAIL_CHECK("docs/tutorial.md " << p);
  REQUIRE(t.commands.size() >= 8);

  const bool update = std::getenv("PRIVFLOW_UPDATE_TUTORIAL") != nullptr;
  const fs::path dir = working_copy();
  std::vector<std::string> lines = t.lines;  // the rewritten tutorial (update mode)
  // Replacements go from the end so that earlier line numbers stay valid.
  struct Edit {
    std::size_t begin, end;
    std::vector<std::string> with;
  };
  std::vector<Edit> edits;

  for (const auto& block : t.files) {
    const fs::path file = fs::path(PRIVFLOW_SOURCE_DIR) / block.path;
    INFO("docs/tutorial.md line " << block.begin << ": the block of " << block.path);
    REQUIRE(fs::is_regular_file(file));
    const std::string text = slurp(file);
    if (block.whole) {
      CHECK(block.text == text);
      if (update && block.text != text) edits.push_back({block.begin, block.end, split_lines(text)});
    } else {
      CHECK(contains_lines(text, block.text));
    }
  }

  for (const auto& c : t.commands) {
    const Result r = run_shell(c.text, dir);
    const std::string actual = trim_trailing_newlines(r.output);
    INFO("docs/tutorial.md line " << c.line + 1 << ": $ " << c.text << "\n(exit code " << r.code
                                  << "; PRIVFLOW_UPDATE_TUTORIAL=1 rewrites the pasted output)");
    CHECK(r.code >= 0);
    CHECK(actual == c.expected);
    if (c.exit_code) CHECK(r.code == *c.exit_code);
    if (update) {
      std::vector<std::string> with;
      std::string command = "$ " + c.text;
      if (c.exit_code || r.code != 0) command += "   # exit code " + std::to_string(r.code);
      with.push_back(command);
      if (!actual.empty())
        for (auto& l : split_lines(actual)) with.push_back(l);
      edits.push_back({c.line, c.output_end, with});
    }
  }

  if (update) {
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
    for (const auto& e : edits) {
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(e.begin), lines.begin() + static_cast<std::ptrdiff_t>(e.end));
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(e.begin), e.with.begin(), e.with.end());
    }
    std::string rewritten = join_lines(lines, 0, lines.size(), true);
    if (rewritten != markdown) {
      std::string error;
      REQUIRE(privflow::write_output(kTutorial.string(), rewritten, error));
      WARN("PRIVFLOW_UPDATE_TUTORIAL: rewrote " << kTutorial.string() << "; review the diff");
    }
  }
}

TEST_CASE("the tutorial builds up to the flagship example, statement for statement", "[docs][tutorial]") {
  // Comments and blank lines aside, step 3 is examples/hospital_fl.pflow.
  auto statements = [](const fs::path& path) {
    std::vector<std::string> kept;
    for (auto& line : split_lines(slurp(path)))
      if (!line.empty() && line.front() != '#') kept.push_back(line);
    return kept;
  };
  const fs::path root(PRIVFLOW_SOURCE_DIR);
  auto example = statements(root / "examples" / "hospital_fl.pflow");
  CHECK(example.size() >= 20);
  CHECK(statements(root / "docs" / "tutorial" / "step3_hospital_fl.pflow") == example);
  // The fix changes one line of it: the noise.
  auto fixed = statements(root / "docs" / "tutorial" / "step4_fix.pflow");
  REQUIRE(fixed.size() == example.size());
  std::vector<std::string> changed;
  for (std::size_t i = 0; i < fixed.size(); ++i)
    if (fixed[i] != example[i]) changed.push_back(fixed[i]);
  CHECK(changed == std::vector<std::string>{"param sigma = 7.65 in [0.3, 8.0]"});
}

namespace {

// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'.
std::string anchor_of(const std::string& heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (c == ' ' || c == '-') out += '-';
    else if (c == '_') out += '_';
  }
  return out;
}

std::vector<std::string> anchors_of(const fs::path& markdown) {
  std::vector<std::string> anchors;
  bool in_code = false;
  for (const auto& line : split_lines(slurp(markdown))) {
    if (line.rfind("```", 0) == 0) in_code = !in_code;
    if (in_code || line.empty() || line.front() != '#') continue;
    std::size_t text = line.find_first_not_of('#');
    if (text == std::string::npos || line[text] != ' ') continue;
    anchors.push_back(anchor_of(line.substr(text + 1)));
  }
  return anchors;
}

}  // namespace

TEST_CASE("the user guides link to files and headings that exist", "[docs][links]") {
  CHECK(anchor_of("Verdicts: holds, violated, undecided") == "verdicts-holds-violated-undecided");
  CHECK(anchor_of("Layout: `privflow fmt`") == "layout-privflow-fmt");
  static const std::regex link_re(R"(\]\(([^)\s]+)\))");
  const fs::path docs = fs::path(PRIVFLOW_SOURCE_DIR) / "docs";
  std::size_t checked = 0;
  for (const char* page : {"tutorial.md", "concepts.md"}) {
    const std::string text = slurp(docs / page);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link_re); it != std::sregex_iterator(); ++it) {
      std::string target = (*it)[1].str();
      if (target.rfind("http", 0) == 0) continue;
      std::string file = target, anchor;
      if (auto hash = target.find('#'); hash != std::string::npos) {
        file = target.substr(0, hash);
        anchor = target.substr(hash + 1);
      }
      const fs::path path = file.empty() ? docs / page : docs / file;
      INFO("docs/" << page << ": link " << target);
      CHECK(fs::exists(path));
      if (!anchor.empty() && fs::is_regular_file(path)) {
        auto anchors = anchors_of(path);
        CHECK(std::find(anchors.begin(), anchors.end(), anchor) != anchors.end());
      }
      ++checked;
    }
  }
  CHECK(checked >= 15);
}
