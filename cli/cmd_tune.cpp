// privflow tune SPEC --param NAME [--json] [--all]: the best value of a param that meets every
// requirement (analyzer/tune.hpp), verified by a full analysis.
#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/tune.hpp"
#include "base/rational.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"

namespace privflow::cli {
namespace {

struct TuneArgs {
  std::string spec;
  std::vector<std::string> params;
  std::vector<std::string> requirements;
  std::string tolerance;
  unsigned probes = 5;
  bool json = false;
  bool all = false;
  AnalysisArgs analysis;
};

int tune_error(Io& io, const std::string& message) {
  io.err << "privflow tune: error: " << printable(message) << "\n";
  return static_cast<int>(ExitStatus::kInvalid);
}

int exit_of(analyzer::TuneOutcome o) {
  switch (o) {
    case analyzer::TuneOutcome::kFound: return static_cast<int>(ExitStatus::kOk);
    case analyzer::TuneOutcome::kNone: return static_cast<int>(ExitStatus::kViolated);
    case analyzer::TuneOutcome::kUndecided: return static_cast<int>(ExitStatus::kUndecided);
    default: return static_cast<int>(ExitStatus::kInvalid);
  }
}

const char* outcome_name(analyzer::TuneOutcome o) {
  switch (o) {
    case analyzer::TuneOutcome::kFound: return "found";
    case analyzer::TuneOutcome::kNone: return "none";
    case analyzer::TuneOutcome::kNotMonotone: return "not-monotone";
    case analyzer::TuneOutcome::kNoEffect: return "no-effect";
    case analyzer::TuneOutcome::kUndecided: return "undecided";
    case analyzer::TuneOutcome::kInvalid: return "invalid";
  }
  return "invalid";
}

/// The nearest double of an exact value (its decimal text when it has one).
double nearest(const Rational& q) {
  std::string t = format_exact(q);
  return t.find('/') == std::string::npos ? std::stod(t) : q.get_d();
}

/// The sound double at full precision (printed to round-trip); null if unbounded. Its short
/// text goes beside it.
nlohmann::json full(std::optional<double> x) {
  if (!x || !std::isfinite(*x)) return nullptr;
  return *x;
}

nlohmann::json margins_json(const std::vector<analyzer::TuneMargin>& ms) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& m : ms) {
    nlohmann::json j;
    j["name"] = m.name;
    j["value"] = full(m.value);  // the analysis's upper bound itself
    j["value_text"] = m.value_text;
    j["bound"] = m.bound.get_d();  // the bound as written (nearest double)
    j["bound_text"] = m.bound_text;
    j["status"] = analyzer::status_name(m.status);
    // The margin (bound − value, already rounded down: the safe side) itself, and as the text
    // prints it (4 digits rounded down).
    j["margin"] = full(m.margin);
    j["margin_text"] = m.margin && std::isfinite(*m.margin) ? nlohmann::json(format_down(Rational(*m.margin), 4))
                                                            : nlohmann::json(nullptr);
    arr.push_back(j);
  }
  return arr;
}

void print_margins(const std::vector<analyzer::TuneMargin>& ms, std::ostream& out) {
  for (const auto& m : ms) {
    std::string status = analyzer::status_name(m.status);
    std::string op = m.status == analyzer::Status::kHolds ? " ≤ " : (m.status == analyzer::Status::kViolated ? " > " : " ? ");
    out << "  " << status << std::string(10 - std::min<std::size_t>(9, status.size()), ' ') << m.name << ": " << m.value_text
        << op << m.bound_text;
    if (m.margin && std::isfinite(*m.margin)) out << "  (margin " << format_down(Rational(*m.margin), 4) << ")";
    out << "\n";
  }
}

int run_tune(const TuneArgs& a, Io& io) {
  if (!a.all && a.params.size() != 1) return tune_error(io, "give one --param NAME (or --all for several pure-epsilon params)");
  analyzer::TuneOptions options;
  options.requirements = a.requirements;
  options.probes = a.probes;
  if (!a.tolerance.empty()) {
    auto t = parse_number(a.tolerance);
    if (!t || *t <= 0) return tune_error(io, "--tolerance '" + printable(a.tolerance) + "' is not a positive number");
    options.tolerance = *t;
  }
  auto graph = load_spec_file(a.spec, io);
  if (!graph) return static_cast<int>(ExitStatus::kInvalid);
  options.analysis = analysis_options(a.analysis, io);

  if (a.all) {
    auto r = analyzer::tune_all(*graph, a.params, options);
    if (budget_spent(io)) return static_cast<int>(ExitStatus::kUndecided);
    if (r.outcome == analyzer::TuneOutcome::kInvalid) return tune_error(io, r.message);
    if (a.json) {
      nlohmann::json j;
      j["params"] = nlohmann::json::array();
      for (const auto& [name, v] : r.values)
        j["params"].push_back({{"param", name}, {"value", nearest(v)}, {"value_exact", format_exact(v)}});
      j["status"] = outcome_name(r.outcome);
      j["message"] = r.message;
      j["requirements"] = margins_json(r.requirements);
      j["analyses"] = r.analyses;
      io.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      for (const auto& [name, v] : r.values) io.out << name << " = " << format_exact(v) << "\n";
      io.out << r.message << "\n";
      print_margins(r.requirements, io.out);
    }
    return exit_of(r.outcome);
  }

  auto r = analyzer::tune(*graph, a.params[0], options);
  if (budget_spent(io)) return static_cast<int>(ExitStatus::kUndecided);
  if (r.outcome == analyzer::TuneOutcome::kInvalid) return tune_error(io, r.message);
  if (a.json) {
    nlohmann::json j;
    j["param"] = r.param;
    j["value"] = r.outcome == analyzer::TuneOutcome::kFound ? nlohmann::json(nearest(r.value)) : nlohmann::json(nullptr);
    j["value_exact"] = r.value_text;
    j["status"] = outcome_name(r.outcome);
    j["direction"] = r.larger_is_private ? "larger is more private" : "smaller is more private";
    j["tolerance"] = format_exact(r.tolerance);
    j["range"] = {format_exact(r.lo), format_exact(r.hi)};
    j["message"] = r.message;
    j["requirements"] = margins_json(r.requirements);
    j["analyses"] = r.analyses;
    io.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    if (r.outcome == analyzer::TuneOutcome::kFound) {
      io.out << r.message << "\n";
    } else {
      io.err << "privflow tune: " << printable(r.message) << "\n";
      if (!r.requirements.empty()) io.out << "at " << r.param << " = " << r.value_text << ":\n";
    }
    print_margins(r.requirements, io.out);
  }
  return exit_of(r.outcome);
}

}  // namespace

Command tune_command() {
  auto a = std::make_shared<TuneArgs>();
  Arg probes = option("--probes", "grid points for the monotonicity check (default 5)", &a->probes);
  probes.range = std::pair(2.0, 101.0);
  return make_analysing_command(
      "tune", "The best value of a param that meets every requirement",
      "Exit codes: 0 a value meets every requirement, 1 no value in the range does, 2 invalid input\n"
      "(or a param that is not monotone), 3 undecided, 4 internal failure.",
      a, run_tune,
      {spec_argument(&a->spec),
       option("--param", "the param to tune (declared `param NAME = v in [lo, hi]`); with --all, repeatable", &a->params),
       option("--all", "tune several pure-epsilon params at once (Z3 optimize: the largest sum of epsilon)", &a->all),
       option("--requirement", "meet only this requirement (repeatable); default: all", &a->requirements),
       option("--tolerance", "the answer is within this of the boundary (default: about range/1000)", &a->tolerance),
       probes,
       option("--json", "JSON: {\"param\", \"value\", \"requirements\": [{\"name\", \"value\", \"value_text\", \"bound\"}]}", &a->json)});
}

}  // namespace privflow::cli
