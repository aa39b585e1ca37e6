// Hostile, huge and odd inputs through the real binary: output bounded by the input, the size
// limit enforced while reading, invalid input always exit 2, outputs that never replace an
// input nor widen its permissions, and bytes that do not depend on the time zone.
#include <sys/stat.h>
#include <unistd.h>

#include "tests/reliability/run.hpp"

namespace {

using namespace reliability;

const std::string kSpec = (kExamples / "rr_survey.pflow").string();

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("semantic errors are capped and long lines are cut: stderr is linear in the input",
          "[reliability][hostile]") {
  TempDir dir;
  // 1 MB on one line, 40,000 semantic errors: before, every error echoed the whole line.
  spit(dir / "x.pflow", repeat("agent a { trust: bogus } ", 40000) + "\n");
  Result r = run_privflow({"check", "x.pflow"}, dir.path());
  CHECK(r.code == 2);
  CHECK(r.err.size() < 200'000);
  CHECK(r.err.find("more errors and warnings are not shown (the first 200 are)") != std::string::npos);
  CHECK(r.err.find("79999 errors generated.") != std::string::npos);
  CHECK(r.out.empty());
  // Many short lines of syntax errors too.
  spit(dir / "y.pflow", repeat("agent { ]\n", 100000));
  Result y = run_privflow({"check", "y.pflow"}, dir.path());
  CHECK(y.code == 2);
  CHECK(y.err.size() < 100'000);
}

TEST_CASE("an invalid spec is exit 2 whatever --timeout says", "[reliability][hostile]") {
  TempDir dir;
  // Parsing and printing 100,000 errors is not analysis: the budget does not cover it.
  spit(dir / "x.pflow", repeat("agent a { trust: bogus }\n", 100000));
  Result r = run_privflow({"check", "--timeout", "0.001", "x.pflow"}, dir.path());
  CHECK(r.code == 2);
  CHECK(r.err.find("undecided") == std::string::npos);
  Result nan = run_privflow({"check", "--timeout", "nan", kSpec}, dir.path());
  CHECK(nan.code == 2);
  CHECK(nan.err.find("finite") != std::string::npos);
}

// AddressSanitizer reserves terabytes of shadow memory: a `ulimit -v` would kill it at start.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST_CASE("the size limit stops reading: /dev/zero is exit 2 at once", "[reliability][hostile]") {
  TempDir dir;
  // About 1 GB of address space: reading /dev/zero whole would need more.
  const std::string limit = kAddressSanitizer ? "" : "ulimit -v 1000000; ";
  Result r = shell(limit + quote(kExe) + " check --timeout 2 /dev/zero", dir.path());
  CHECK(r.code == 2);
  CHECK(r.err ==
        "privflow: error: cannot read '/dev/zero': it is more than 67108864 bytes, the limit of a spec; nothing "
        "was read past it\n");
  Result in = shell("head -c 70000000 /dev/zero | " + quote(kExe) + " fmt -", dir.path());
  CHECK(in.code == 2);
  CHECK(in.err.find("cannot read standard input: it is more than 67108864 bytes") != std::string::npos);
}

TEST_CASE("an output (-o) never overwrites the spec it reads", "[reliability][hostile]") {
  TempDir dir;
  fs::copy_file(kSpec, dir / "s.pflow");
  fs::create_symlink("s.pflow", dir / "link.pflow");
  fs::create_hard_link(dir / "s.pflow", dir / "hard.pflow");
  const std::string before = slurp(dir / "s.pflow");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"report", "s.pflow", "-o", "s.pflow"},
           {"report", "s.pflow", "--format", "json", "-o", "./s.pflow"},
           {"diagram", "--format", "dot", "s.pflow", "-o", "link.pflow"},
           {"report", "link.pflow", "-o", "hard.pflow"}}) {
    Result r = run_privflow(args, dir.path());
    CAPTURE(args);
    CHECK(r.code == 2);
    CHECK(r.err.find("privflow never overwrites its input") != std::string::npos);
    CHECK(slurp(dir / "s.pflow") == before);
  }
}

TEST_CASE("written files keep the original's mode and owner and links and new ones follow the umask",
          "[reliability][hostile]") {
  TempDir dir;
  spit(dir / "s.pflow", "region   EU\n");
  ::chmod((dir / "s.pflow").c_str(), 0600);
  if (::geteuid() == 0) REQUIRE(::chown((dir / "s.pflow").c_str(), 65534, 65534) == 0);
  Result r = run_privflow({"fmt", "-i", "s.pflow"}, dir.path());
  CHECK(r.code == 0);
  CHECK(slurp(dir / "s.pflow") == "region EU\n");
  CHECK(mode_of(dir / "s.pflow") == 0600);
  if (::geteuid() == 0) {
    struct stat st {};
    REQUIRE(::stat((dir / "s.pflow").c_str(), &st) == 0);
    CHECK(st.st_uid == 65534u);
    CHECK(st.st_gid == 65534u);
  }

  // A symbolic link is written through: the link stays, its target is formatted.
  spit(dir / "real.pflow", "region   EU\n");
  fs::create_symlink("real.pflow", dir / "link.pflow");
  CHECK(run_privflow({"fmt", "-i", "link.pflow"}, dir.path()).code == 0);
  CHECK(fs::is_symlink(dir / "link.pflow"));
  CHECK(slurp(dir / "real.pflow") == "region EU\n");

  // Hard links stay one file.
  spit(dir / "h1.pflow", "region   EU\n");
  fs::create_hard_link(dir / "h1.pflow", dir / "h2.pflow");
  CHECK(run_privflow({"fmt", "-i", "h1.pflow"}, dir.path()).code == 0);
  CHECK(slurp(dir / "h2.pflow") == "region EU\n");
  CHECK(fs::hard_link_count(dir / "h1.pflow") == 2);

  // A new output honours the umask.
  Result out = shell("umask 077; " + quote(kExe) + " report " + quote(kSpec) + " --format json -o r.json", dir.path());
  CHECK(out.code <= 1);
  CHECK(mode_of(dir / "r.json") == 0600);
  Result out2 = shell("umask 022; " + quote(kExe) + " report " + quote(kSpec) + " -o r.txt", dir.path());
  CHECK(out2.code <= 1);
  CHECK(mode_of(dir / "r.txt") == 0644);
  for (const auto& name : dir.list()) CHECK(name.find(".privflow-") == std::string::npos);
}

TEST_CASE("an output name as long as the system allows can be written", "[reliability][hostile]") {
  TempDir dir;
  const std::string name = std::string(250, 'r') + ".txt";  // 254 bytes: a suffix no longer fits
  Result r = run_privflow({"report", kSpec, "-o", name}, dir.path());
  CHECK(r.code <= 1);
  CHECK(r.err.empty());
  CHECK(fs::exists(dir / name));
  CHECK(dir.list().size() == 1);
}

TEST_CASE("PDF bytes do not depend on the time zone", "[reliability][hostile]") {
  TempDir dir;
  Result berlin = run_privflow({"diagram", kSpec, "-o", "b.pdf"}, dir.path(), "TZ=Europe/Berlin");
  Result utc = run_privflow({"diagram", kSpec, "-o", "u.pdf"}, dir.path(), "TZ=UTC");
  Result kolkata = run_privflow({"diagram", kSpec, "-o", "k.pdf"}, dir.path(), "TZ=Asia/Kolkata");
  REQUIRE(berlin.code <= 1);
  const std::string pdf = slurp(dir / "b.pdf");
  CHECK(pdf == slurp(dir / "u.pdf"));
  CHECK(pdf == slurp(dir / "k.pdf"));
  CHECK(pdf.find("/CreationDate (D:19700101000000Z)") != std::string::npos);
  // The cross-reference table still points at the objects.
  auto start = pdf.rfind("startxref\n");
  REQUIRE(start != std::string::npos);
  auto xref = static_cast<std::size_t>(std::stoll(pdf.substr(start + 10)));
  CHECK(pdf.compare(xref, 4, "xref") == 0);
}

TEST_CASE("a division by zero found by the analysis: located error, exit 2, no verdict, no report",
          "[reliability][hostile]") {
  TempDir dir;
  spit(dir / "z.pflow",
       "data p { rows: 10 field age: int[0, 120] }\n"
       "agent o { trust: curious, holds: p }\n"
       "compute ratio at o = map(p, 100 / age)\n"
       "require r: dp(p) against {o} <= epsilon 1\n");
  Result check = run_privflow({"check", "z.pflow"}, dir.path());
  CHECK(check.code == 2);
  CHECK(check.out.empty());
  CHECK(check.err.find("z.pflow:3:") == 0);
  CHECK(check.err.find("    3 | compute ratio at o = map(p, 100 / age)\n") != std::string::npos);
  CHECK(check.err.find("^") != std::string::npos);
  Result report = run_privflow({"report", "z.pflow", "--format", "json", "-o", "r.json"}, dir.path());
  CHECK(report.code == 2);
  CHECK_FALSE(fs::exists(dir / "r.json"));
  Result diagram = run_privflow({"diagram", "z.pflow", "-o", "d.dot"}, dir.path());
  CHECK(diagram.code == 2);
  CHECK_FALSE(fs::exists(dir / "d.dot"));
}

TEST_CASE("diagram exits 1 on a violation, as its help says", "[reliability][hostile]") {
  TempDir dir;
  Result r = run_privflow({"diagram", (kExamples / "hospital_fl.pflow").string(), "-o", "d.dot"}, dir.path());
  Result check = run_privflow({"check", (kExamples / "hospital_fl.pflow").string()}, dir.path());
  CHECK(r.code == check.code);
  Result help = run_privflow({"diagram", "--help"}, dir.path());
  CHECK(help.out.find("1 one is violated") != std::string::npos);
}

TEST_CASE("smaller ones: an unknown subcommand is named, a spec without requirements warns", "[reliability][hostile]") {
  TempDir dir;
  Result typo = run_privflow({"chekc", kSpec}, dir.path());
  CHECK(typo.code == 2);
  CHECK(typo.err.find("privflow: error: unknown subcommand 'chekc'; did you mean 'check'?") == 0);
  spit(dir / "empty.pflow", "region EU\n");
  Result empty = run_privflow({"check", "empty.pflow"}, dir.path());
  CHECK(empty.code == 0);
  CHECK(empty.err.find("empty.pflow: warning: the spec states no requirement (require or forbid)") != std::string::npos);
}

TEST_CASE("fmt refuses a spec that does not lex and accepts a byte order mark", "[reliability][hostile]") {
  TempDir dir;
  spit(dir / "c.pflow", "/* x */\nregion EU\n");
  Result c = run_privflow({"fmt", "-i", "c.pflow"}, dir.path());
  CHECK(c.code == 2);
  CHECK(c.err.find("c.pflow:1:1: error: '/*': block comments") == 0);
  CHECK(slurp(dir / "c.pflow") == "/* x */\nregion EU\n");
  spit(dir / "b.pflow", "\xEF\xBB\xBFregion   EU\n");
  Result b = run_privflow({"fmt", "b.pflow"}, dir.path());
  CHECK(b.code == 0);
  CHECK(b.out == "\xEF\xBB\xBFregion EU\n");
}

TEST_CASE("HTML and Markdown reports carry no invalid UTF-8", "[reliability][hostile]") {
  TempDir dir;
  spit(dir / "u.pflow", "pipeline p \"bad \xff\xfe bytes\"\ndata d { rows: 10 }\nagent o { trust: curious, holds: d }\n"
                        "require dp(d) against {o} <= epsilon 1\n");
  for (const std::string format : {"html", "markdown"}) {
    Result r = run_privflow({"report", "u.pflow", "--format", format}, dir.path());
    CAPTURE(format);
    CHECK(r.code <= 1);
    CHECK(r.out.find("\xff") == std::string::npos);
    CHECK(r.out.find("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes") != std::string::npos);
  }
}

TEST_CASE("a bitmap too large for cairo is scaled without a message from Graphviz", "[reliability][hostile]") {
  TempDir dir;
  std::string spec = "data d { rows: 1000 }\nagent hub { trust: curious, holds: d }\n";
  for (int i = 0; i < 300; ++i) spec += "agent a" + std::to_string(i) + " { trust: curious }\n";
  spec += "compute n at hub = count(d)\ncompute c at hub = laplace(n, epsilon: 1)\n";
  for (int i = 0; i < 300; ++i) spec += "send c to a" + std::to_string(i) + "\n";
  spec += "require dp(d) against {a0} <= epsilon 2\n";
  spit(dir / "wide.pflow", spec);
  Result r = run_privflow({"diagram", "wide.pflow", "-o", "wide.png"}, dir.path());
  CHECK(r.code == 0);
  CHECK(r.err.empty());  // was "(null): graph is too large for cairo-renderer bitmaps. Scaling by …"
  CHECK(slurp(dir / "wide.png").rfind("\x89PNG", 0) == 0);
}

TEST_CASE("the standard error of check is linear in its input for several hostile shapes", "[reliability][hostile]") {
  TempDir dir;
  struct Shape {
    const char* name;
    std::string unit;  // repeated to the size
  };
  const Shape shapes[] = {
      {"one line of semantic errors", "agent a { trust: bogus } "},
      {"lines of syntax errors", "agent { ] \xff\n"},
      {"a binary", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\x1b[2J\xc3(", 16)},
      {"unclosed blocks", "data d { field f: {"},
      {"long literals", "param p = " + std::string(90, '9') + "e9999 in [0, 1]\n"},
  };
  for (const auto& shape : shapes) {
    for (std::size_t size : {10'000u, 1'000'000u}) {
      CAPTURE(shape.name, size);
      spit(dir / "h.pflow", repeat(shape.unit, size / shape.unit.size()));
      Result r = run_privflow({"check", "h.pflow"}, dir.path());
      CHECK(r.code == 2);
      CHECK(r.err.size() <= 8192 + 64 * size);  // linear
      CHECK(r.err.size() <= 1'000'000);         // and at most 200 diagnostics, each cut
    }
  }
}
