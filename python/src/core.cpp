// privflow._core: the module, exact numbers from Python, and the analysis (api/privflow.hpp).
// The GIL is released while a spec is parsed, analysed or drawn; the results are turned into
// Python dicts afterwards, and python/privflow/_results.py makes them typed objects.
#include "python/src/core.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "privflow/privflow.hpp"

namespace privflow::python {

Rational exact_number(const py::handle& value, const char* name) {
  const std::string arg(name);
  if (py::isinstance<py::bool_>(value)) throw py::type_error(arg + " must be a number, not a bool");
  std::string text;
  if (py::isinstance<py::float_>(value)) {
    const double x = value.cast<double>();
    if (!std::isfinite(x)) throw py::value_error(arg + " must be finite");
    if (std::fabs(x) > 1e300) throw py::value_error(arg + " is too large (at most 1e300)");
    return Rational(x);  // a double is a rational: exact
  }
  if (py::isinstance<py::int_>(value) || py::isinstance<py::str>(value)) {
    text = py::str(value).cast<std::string>();
  } else if (py::hasattr(value, "numerator") && py::hasattr(value, "denominator")) {
    text = py::str(value.attr("numerator")).cast<std::string>() + "/" +
           py::str(value.attr("denominator")).cast<std::string>();  // fractions.Fraction, exactly
  } else {
    throw py::type_error(arg + " must be an int, float, str or Fraction, not " +
                         py::str(py::type::of(value).attr("__name__")).cast<std::string>());
  }
  NumberError why = NumberError::kNone;
  auto q = parse_number(text, &why, NumberRange::kDouble);
  if (q) return *q;
  switch (why) {
    case NumberError::kTooLarge: throw py::value_error(arg + " is too large (at most 1e300)");
    case NumberError::kTooSmall: throw py::value_error(arg + " is below the smallest positive double");
    case NumberError::kZeroDenominator: throw py::value_error(arg + " divides by zero");
    case NumberError::kTooManyDigits: throw py::value_error(arg + " has too many digits");
    default: throw py::value_error(arg + " '" + text + "' is not a number");
  }
}

namespace {

py::object optional_float(const std::optional<double>& x) { return x ? py::object(py::float_(*x)) : py::none(); }
py::object optional_str(const std::optional<std::string>& x) { return x ? py::object(py::str(*x)) : py::none(); }

py::list diagnostics_list(const api::ParseResult& parsed) {
  py::list out;
  for (const auto& d : parsed.diagnostics) {
    py::dict item;
    item["file"] = d.file;
    item["line"] = d.line;
    item["column"] = d.column;
    item["severity"] = api::severity_name(d.severity);
    item["message"] = d.message;
    out.append(item);
  }
  return out;
}

py::dict verdict_dict(const api::Verdict& v) {
  py::dict d;
  d["name"] = v.name;
  d["line"] = v.line;
  d["column"] = v.column;
  d["measure"] = v.measure;
  d["data"] = optional_str(v.data);
  d["adversary"] = optional_str(v.adversary);
  d["fpr"] = optional_float(v.fpr);
  d["status"] = v.status_text;
  d["value"] = optional_float(v.value);
  d["value_text"] = v.value_text;
  d["unit"] = v.unit;
  d["bound"] = optional_float(v.bound);
  d["bound_text"] = v.bound_text;
  d["delta"] = v.delta;
  d["delta_text"] = v.delta_text;
  d["exact"] = v.exact;
  d["coalition"] = v.coalition;
  d["method"] = v.method;
  d["reason"] = v.reason;
  d["fix"] = optional_str(v.fix);
  d["headline"] = v.headline;
  d["explanation"] = v.explanation;
  return d;
}

py::dict result_dict(const api::Result& r) {
  py::dict d;
  d["pipeline"] = r.pipeline;
  py::list verdicts, leakage, findings;
  for (const auto& v : r.verdicts) verdicts.append(verdict_dict(v));
  for (const auto& c : r.leakage) {
    py::dict cell;
    cell["data"] = c.data;
    cell["observer"] = c.observer;
    cell["epsilon"] = optional_float(c.epsilon);
    cell["delta"] = c.delta;
    cell["status"] = c.status;
    cell["loss"] = c.loss;
    leakage.append(cell);
  }
  for (const auto& f : r.findings) {
    py::dict finding;
    finding["severity"] = api::severity_name(f.severity);
    finding["line"] = f.line;
    finding["column"] = f.column;
    finding["message"] = f.message;
    findings.append(finding);
  }
  d["verdicts"] = verdicts;
  d["leakage"] = leakage;
  d["findings"] = findings;
  d["assumptions"] = r.assumptions;
  d["exit_code"] = r.exit_code;
  d["internal_error"] = r.internal_error;
  d["text"] = r.text;
  d["json"] = r.json;
  return d;
}

api::AnalyzeOptions analyze_options(const std::string& accountant, unsigned solver_timeout_ms, unsigned time_budget_ms,
                                    bool suggest_fixes) {
  api::AnalyzeOptions options;
  if (accountant == "spec") options.accountant = api::Accountant::kSpec;
  else if (accountant == "rdp") options.accountant = api::Accountant::kRdp;
  else if (accountant == "pld") options.accountant = api::Accountant::kPld;
  else if (accountant == "auto") options.accountant = api::Accountant::kAuto;
  else throw py::value_error("accountant must be 'spec', 'rdp', 'pld' or 'auto', not '" + accountant + "'");
  options.solver_timeout_ms = solver_timeout_ms;
  options.time_budget_ms = time_budget_ms;
  options.suggest_fixes = suggest_fixes;
  return options;
}

api::ParseResult load(const std::string& source, bool is_path, const std::string& name) {
  return is_path ? api::parse_file(source) : api::parse(source, name);
}

/// {"diagnostics", "diagnostics_text", "result"}: result is None when the spec did not load.
py::dict check(const std::string& source, bool is_path, const std::string& name, const std::string& accountant,
               unsigned solver_timeout_ms, unsigned time_budget_ms, bool suggest_fixes) {
  const api::AnalyzeOptions options = analyze_options(accountant, solver_timeout_ms, time_budget_ms, suggest_fixes);
  api::ParseResult parsed;
  std::optional<api::Result> result;
  {
    py::gil_scoped_release release;
    parsed = load(source, is_path, name);
    if (parsed.spec) result = api::analyze(*parsed.spec, options);
  }
  py::dict d;
  d["diagnostics"] = diagnostics_list(parsed);
  d["diagnostics_text"] = parsed.diagnostics_text;
  d["result"] = result ? py::object(result_dict(*result)) : py::none();
  return d;
}

/// {"diagnostics", "diagnostics_text", "output", "error"}: output is None when nothing was drawn.
py::dict diagram(const std::string& source, bool is_path, const std::string& name, const std::string& format,
                 const std::string& adversary, const std::string& requirement, const std::string& accountant,
                 unsigned solver_timeout_ms, unsigned time_budget_ms) {
  api::DiagramOptions options;
  options.analysis = analyze_options(accountant, solver_timeout_ms, time_budget_ms, true);  // as `privflow diagram`
  options.format = format;
  options.adversary = adversary;
  options.requirement = requirement;
  api::ParseResult parsed;
  api::DiagramResult drawn;
  {
    py::gil_scoped_release release;
    parsed = load(source, is_path, name);
    if (parsed.spec) drawn = api::diagram(*parsed.spec, options);
  }
  py::dict d;
  d["diagnostics"] = diagnostics_list(parsed);
  d["diagnostics_text"] = parsed.diagnostics_text;
  d["output"] = parsed.spec && drawn.ok() ? py::object(py::str(drawn.output)) : py::none();
  d["error"] = drawn.error;
  return d;
}

/// {"diagnostics", "diagnostics_text", "output", "error", "feasible"}: output is None when nothing was swept.
py::dict frontier(const std::string& source, bool is_path, const std::string& name, const std::string& param,
                  const std::vector<std::string>& requirements, unsigned points, const std::string& scale,
                  const std::string& format, const std::string& accountant, unsigned solver_timeout_ms,
                  unsigned time_budget_ms) {
  api::FrontierOptions options;
  options.analysis = analyze_options(accountant, solver_timeout_ms, time_budget_ms, false);
  options.param = param;
  options.requirements = requirements;
  options.points = points;
  options.scale = scale;
  options.format = format;
  api::ParseResult parsed;
  api::FrontierResult swept;
  {
    py::gil_scoped_release release;
    parsed = load(source, is_path, name);
    if (parsed.spec) swept = api::frontier(*parsed.spec, options);
  }
  py::dict d;
  d["diagnostics"] = diagnostics_list(parsed);
  d["diagnostics_text"] = parsed.diagnostics_text;
  d["output"] = parsed.spec && swept.ok() ? py::object(py::str(swept.output)) : py::none();
  d["error"] = swept.error;
  d["feasible"] = swept.feasible;
  return d;
}

}  // namespace

void bind_analysis(py::module_& m) {
  m.def("check", &check, py::arg("source"), py::arg("is_path"), py::arg("name"), py::arg("accountant"),
        py::arg("solver_timeout_ms"), py::arg("time_budget_ms"), py::arg("suggest_fixes"));
  m.def("diagram", &diagram, py::arg("source"), py::arg("is_path"), py::arg("name"), py::arg("format"),
        py::arg("adversary"), py::arg("requirement"), py::arg("accountant"), py::arg("solver_timeout_ms"),
        py::arg("time_budget_ms"));
  m.def("frontier", &frontier, py::arg("source"), py::arg("is_path"), py::arg("name"), py::arg("param"),
        py::arg("requirements"), py::arg("points"), py::arg("scale"), py::arg("format"), py::arg("accountant"),
        py::arg("solver_timeout_ms"), py::arg("time_budget_ms"));
}

}  // namespace privflow::python

PYBIND11_MODULE(_core, m) {
  m.doc() = "privflow's C++ core (api/privflow.hpp and dp/); use the package privflow, not this module.";
  m.attr("__version__") = privflow::api::version();
  privflow::python::bind_accounting(m);
  privflow::python::bind_analysis(m);
  privflow::python::bind_local_randomizers(m);
}
