// privflow init [NAME] [-o FILE] [--force]: a commented starter spec that checks cleanly.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/text.hpp"
#include "cli/commands.hpp"
#include "lang/diagnostics.hpp"
#include "lang/frontend.hpp"
#include "lang/lexical.hpp"
#include "lang/limits.hpp"
#include "lang/source.hpp"

namespace privflow::cli {
namespace {

constexpr std::string_view kDefaultName = "my_pipeline";  // `pipeline` itself is a keyword

// Every line commented so that a newcomer learns the language from it. @NAME@ and @FILE@ are
// replaced. It must check with exit 0 and no warning, and be in `privflow fmt` layout
// (tests/docs/init_test.cpp checks both).
constexpr std::string_view kTemplate = R"(# @NAME@: a starter spec written by `privflow init`. Check it with:
#   privflow check @FILE@
# A spec says what personal data there is, who holds it, what is computed and sent, who might
# attack, and what must hold. Comments run from '#' to the end of the line. The language is
# described in docs/language.md, and docs/tutorial.md builds a larger pipeline step by step.

# The pipeline's name (used in reports) and a title for people.
pipeline @NAME@ "A clinic shares noisy statistics with an analyst"

# delta: the chance that a guarantee may fail; every epsilon is reported at this delta.
settings { delta: 1e-5 }

# The personal data: a table with one record per patient. privflow protects each record.
data patients "Patient records" {
  rows: 1000  # how many records (people) the table holds
  # A sensitive field: its values, then its prior (what an attacker believes beforehand).
  # A prior lists one probability per value, in order, and must sum to exactly 1.
  field diagnosis: {healthy, flu, cancer} prior {0.90, 0.08, 0.02}
}

# The agents. trusted: never part of an attack. curious: follows the protocol but may pry.
agent clinic "The clinic" { trust: trusted, holds: patients }  # the clinic holds the records
agent analyst "A data analyst" { trust: curious }  # outside the clinic

# An exact histogram of the diagnoses: deterministic, so on its own it protects nobody...
compute counts at clinic = histogram(patients.diagnosis)
# ...so the clinic adds Laplace noise: a differentially private release with epsilon 0.5.
compute noisy_counts at clinic = laplace(counts, epsilon: 0.5)
# Only the noisy counts leave the clinic (a plain send: the analyst sees them).
send noisy_counts to analyst

# An adversary: a named coalition of agents that pool everything they see.
adversary prying_analyst = {analyst}

# The requirement: what the adversary learns about any one patient is at most epsilon 1.
require budget: dp(patients) against prying_analyst <= epsilon 1.0

# Next steps: raise the epsilon above 1 and re-check (the verdict turns to violated, exit 1),
# or add a requirement on what the analyst may believe about one patient's diagnosis:
#   require posterior(patients.diagnosis = cancer) against prying_analyst <= 0.05
# `privflow explain @FILE@ budget` shows how a verdict was derived.
)";

struct InitOptions {
  std::string name{kDefaultName};
  std::string output;  // empty: NAME.pflow
  bool force = false;
};

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// Why NAME cannot name a pipeline, or empty when it can. Keywords are found by the front end
/// itself (it reads the generated spec), so this never disagrees with `privflow check`.
std::string name_problem(const std::string& name, const std::string& spec) {
  if (name.empty()) return "the pipeline name is empty";
  if (!lang::lexical::is_identifier(name)) {
    std::string problem = "'";  // appended, not "'" + ...: GCC 12 warns falsely (-Wrestrict) on that
    problem += printable(name);
    return problem + "' is not a name: a name starts with a letter or '_' and has only letters, digits and '_'";
  }
  if (name.size() > lang::Limits{}.max_identifier)
    return "the pipeline name is longer than " + std::to_string(lang::Limits{}.max_identifier) + " characters";
  lang::SourceFile source(name + ".pflow", spec);
  lang::Diagnostics diags(source);
  auto graph = lang::load_spec(source, diags);
  for (const auto& d : diags.all()) {
    if (d.severity != lang::Severity::kError) continue;
    auto reason = d.message;
    if (auto semi = reason.find("; "); semi != std::string::npos) reason = reason.substr(semi + 2);
    return "'" + name + "' cannot name a pipeline: " + reason;
  }
  if (!graph) return "'" + name + "' cannot name a pipeline";
  return {};
}

int run_init(const InitOptions& opt, Io& io) {
  const std::string path = opt.output.empty() ? opt.name + ".pflow" : opt.output;
  const std::string shown = path == "-" ? opt.name + ".pflow" : path;
  std::string spec = replace_all(std::string(kTemplate), "@NAME@", opt.name);
  spec = replace_all(std::move(spec), "@FILE@", shown);
  if (auto problem = name_problem(opt.name, spec); !problem.empty()) {
    io.err << "privflow: error: " << problem << "\n";
    return static_cast<int>(ExitStatus::kInvalid);
  }
  if (path != "-" && !opt.force) {
    std::error_code ec;
    auto status = std::filesystem::symlink_status(path, ec);
    if (!ec && status.type() != std::filesystem::file_type::not_found) {
      io.err << "privflow: error: '" << printable(path)
             << "' exists already; privflow init does not overwrite it without --force\n";
      return static_cast<int>(ExitStatus::kInvalid);
    }
  }
  if (!write_result(path, spec, io)) return static_cast<int>(ExitStatus::kInternal);
  if (path != "-")
    io.out << "wrote " << printable(path) << "; check it with: privflow check " << printable(path) << "\n";
  return 0;
}

}  // namespace

Command init_command() {
  auto opt = std::make_shared<InitOptions>();
  return make_command("init", "Write a commented starter spec to learn the language from",
                      "Exit codes: 0 written, 2 an invalid NAME or an existing file (without --force),\n"
                      "4 the file could not be written.",
                      opt, run_init,
                      {option("NAME", "the pipeline's name, a name of the language (default: my_pipeline)", &opt->name),
                       option("-o,--output", "the file to write ('-' prints it; default: NAME.pflow)", &opt->output),
                       option("--force", "overwrite the file if it exists", &opt->force)});
}

}  // namespace privflow::cli
