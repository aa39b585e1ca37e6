// privflow fmt SPEC... [--check | -i]: the canonical layout of specs (lang/format.hpp).
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "lang/diagnostics.hpp"
#include "lang/format.hpp"
#include "lang/source.hpp"

namespace privflow::cli {
namespace {

struct FmtOptions {
  std::vector<std::string> specs;
  bool check = false;
  bool in_place = false;
};

int run_fmt(const FmtOptions& opt, Io& io) {
  if (opt.in_place) {
    for (const auto& path : opt.specs)
      if (path == "-") {
        io.err << "privflow: error: -i cannot rewrite standard input\n";
        return static_cast<int>(ExitStatus::kInvalid);
      }
  }
  bool invalid = false, failed = false;
  std::size_t unformatted = 0;
  for (const auto& path : opt.specs) {
    std::string text;
    if (!read_spec_text(path, io, text)) {
      invalid = true;
      continue;
    }
    lang::SourceFile source(path == "-" ? "<stdin>" : path, std::move(text));
    lang::Diagnostics diags(source);
    auto formatted = lang::format_spec(source, diags);
    if (!diags.all().empty()) diags.print(io.err, io.color);
    if (!formatted) {
      invalid = true;
      continue;
    }
    bool same = *formatted == source.text();
    if (opt.check) {
      if (!same) {
        io.out << source.path() << "\n";  // gofmt -l style: the files that need formatting
        ++unformatted;
      }
    } else if (opt.in_place) {
      if (!same && !write_result(path, *formatted, io)) failed = true;
    } else if (!write_result("-", *formatted, io)) {
      failed = true;
    }
  }
  if (failed) return static_cast<int>(ExitStatus::kInternal);
  if (invalid) return static_cast<int>(ExitStatus::kInvalid);
  if (unformatted > 0) {
    io.err << "privflow: " << unformatted << (unformatted == 1 ? " spec is" : " specs are")
           << " not formatted; 'privflow fmt -i' rewrites them\n";
    return 1;
  }
  return 0;
}

}  // namespace

Command fmt_command() {
  auto opt = std::make_shared<FmtOptions>();
  Command fmt = make_command(
      "fmt", "Print a spec in the canonical layout (comments kept)",
      "Exit codes: 0 done (or formatted already), 1 --check found a file to format,\n"
      "2 a spec could not be read or has a lexical error, 4 a file could not be written.",
      opt, run_fmt,
      {required(option("SPEC", "spec files ('-' reads standard input)", &opt->specs)),
       option("--check", "print the specs that are not formatted and exit 1 if there are any; change nothing", &opt->check),
       option("-i,--in-place", "rewrite the files that are not formatted", &opt->in_place)});
  fmt.exclusive = {{"--check", "--in-place"}};
  return fmt;
}

}  // namespace privflow::cli
