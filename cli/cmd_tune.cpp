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
  std::string minimize;              // empty: one param, or --all's largest sum of epsilon
  std::vector<std::string> weights;  // RELEASE=W
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

const char* objective_name(analyzer::Objective o) {
  switch (o) {
    case analyzer::Objective::kSumEpsilon: return "sum-epsilon";
    case analyzer::Objective::kVariance: return "variance";
    case analyzer::Objective::kMaxRelativeError: return "max-relative-error";
  }
  return "sum-epsilon";
}

/// --minimize and --weight into `options`; an error message, or empty.
std::string objective_options(const TuneArgs& a, analyzer::TuneOptions& options) {
  if (a.minimize == "variance") options.objective = analyzer::Objective::kVariance;
  if (a.minimize == "max-relative-error") options.objective = analyzer::Objective::kMaxRelativeError;
  if (!a.weights.empty() && options.objective != analyzer::Objective::kVariance) return "--weight needs --minimize variance";
  for (const auto& w : a.weights) {
    const auto eq = w.find('=');
    auto value = eq == std::string::npos ? std::nullopt : parse_number(w.substr(eq + 1));
    if (!value || *value <= 0 || eq == 0) return "--weight '" + printable(w) + "' is not RELEASE=W with a positive W";
    options.weights.emplace_back(w.substr(0, eq), *value);
  }
  if (!a.minimize.empty() && a.minimize != "sum-epsilon" && !a.all && a.params.empty())
    return "give the params to allocate (--param NAME, repeatable) or --all";
  if (a.minimize.empty() && !a.all && a.params.size() != 1)
    return "give one --param NAME (or several with --minimize, or --all for several pure-epsilon params)";
  return "";
}

void print_allocation(const analyzer::TuneAllResult& r, analyzer::Objective o, Io& io) {
  for (const auto& [name, v] : r.values) io.out << name << " = " << format_exact(v) << "\n";
  if (r.objective) {
    io.out << "objective (" << (o == analyzer::Objective::kVariance ? "sum of weight x variance"
                                : o == analyzer::Objective::kMaxRelativeError ? "largest relative error" : "sum of epsilon")
           << "): " << (o == analyzer::Objective::kSumEpsilon ? format_down(Rational(*r.objective), 4) : format_double_up(*r.objective, 4)) << "\n";
    for (const auto& t : r.terms)
      io.out << "  " << t.release << ": " << format_double_up(t.figure, 4) << (t.weight != 1 ? " (weight " + format_exact(t.weight) + ")" : "") << "\n";
  }
  if (!r.method.empty()) io.out << "method: " << r.method << "\n";
  io.out << r.message << "\n";
}

nlohmann::json allocation_json(const analyzer::TuneAllResult& r, analyzer::Objective o) {
  nlohmann::json j;
  j["params"] = nlohmann::json::array();
  for (const auto& [name, v] : r.values) j["params"].push_back({{"param", name}, {"value", nearest(v)}, {"value_exact", format_exact(v)}});
  j["objective"] = {{"kind", objective_name(o)}, {"value", full(r.objective)}};
  j["terms"] = nlohmann::json::array();
  for (const auto& t : r.terms)
    j["terms"].push_back({{"release", t.release}, {"weight", t.weight.get_d()}, {"figure", full(t.figure)}});
  j["method"] = r.method;
  j["status"] = outcome_name(r.outcome);
  j["message"] = r.message;
  j["requirements"] = margins_json(r.requirements);
  j["analyses"] = r.analyses;
  return j;
}

int run_tune_all(const TuneArgs& a, const flow::Graph& graph, const analyzer::TuneOptions& options, Io& io) {
  auto r = analyzer::tune_all(graph, a.params, options);
  if (budget_spent(io)) return static_cast<int>(ExitStatus::kUndecided);
  if (r.outcome == analyzer::TuneOutcome::kInvalid) return tune_error(io, r.message);
  if (a.json) {
    io.out << allocation_json(r, options.objective).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    print_allocation(r, options.objective, io);
    print_margins(r.requirements, io.out);
  }
  return exit_of(r.outcome);
}

int run_tune(const TuneArgs& a, Io& io) {
  analyzer::TuneOptions options;
  if (const std::string e = objective_options(a, options); !e.empty()) return tune_error(io, e);
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

  if (a.all || !a.minimize.empty()) return run_tune_all(a, *graph, options, io);

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
  Arg minimize = option("--minimize",
                        "allocate the --param's (or --all) minimising: variance (the sum of weight x variance of the releases "
                        "their noise enters), max-relative-error (the largest relative error among them), or sum-epsilon "
                        "(the default of --all: the largest sum of pure epsilons)",
                        &a->minimize);
  minimize.choices = {"variance", "max-relative-error", "sum-epsilon"};
  return make_analysing_command(
      "tune", "The best value of a param that meets every requirement",
      "Several params (--minimize, --all) are allocated by a closed form where one applies (Laplace under\n"
      "basic composition, Gaussians under Gaussian DP, equal relative errors) or a search, and the values\n"
      "printed (rounded: noise up, epsilon and counts down) are re-checked by a full analysis.\n"
      "Exit codes: 0 a value meets every requirement, 1 no value in the range does, 2 invalid input\n"
      "(or a param that is not monotone), 3 undecided, 4 internal failure.",
      a, run_tune,
      {spec_argument(&a->spec),
       option("--param", "the param to tune (declared `param NAME = v in [lo, hi]`); with --minimize or --all, repeatable", &a->params),
       option("--all", "tune several params at once: without --minimize, every pure-epsilon param (Z3 optimize: the largest sum of epsilon); with it, every noise, pure-epsilon and count param with a range", &a->all),
       minimize,
       option("--weight", "RELEASE=W: the weight of a release in --minimize variance (repeatable; default 1)", &a->weights),
       option("--requirement", "meet only this requirement (repeatable); default: all", &a->requirements),
       option("--tolerance", "the answer is within this of the boundary (default: about range/1000)", &a->tolerance),
       probes,
       option("--json", "JSON: {\"param\", \"value\", \"requirements\": [{\"name\", \"value\", \"value_text\", \"bound\"}]}; "
              "with --minimize or --all: {\"params\", \"objective\", \"terms\", \"method\", \"requirements\"}", &a->json)});
}

}  // namespace privflow::cli
