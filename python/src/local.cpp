// privflow._core's local randomizers (dp/local_randomizers.hpp), as `privflow account rappor |
// unary-encoding | local-hashing | hadamard | count-mean-sketch` answers them
// (cli/cmd_account_ldp.cpp): ε of one report, of `times` reports of the same value, and the
// variance of one value's count estimate over `reports` reports. Probabilities are rounded so
// that the randomization is less random (a larger ε), ε up.
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>

#include "dp/local_randomizers.hpp"
#include "python/src/core.hpp"

namespace privflow::python {
namespace {

std::string text_up(double x) { return std::isfinite(x) ? format_double_up(x, 6) : "inf"; }

Rational probability(const py::handle& value, const char* name) {
  const Rational q = exact_number(value, name);
  if (sgn(q) < 0 || q > 1) throw py::value_error(std::string(name) + " is a probability and must be in [0, 1]");
  return q;
}

std::uint64_t whole(const py::handle& value, const char* name) {
  const Rational q = exact_number(value, name);
  if (q.get_den() != 1 || sgn(q) <= 0 || q > Rational(1e12))
    throw py::value_error(std::string(name) + " must be a whole number between 1 and 10^12");
  return static_cast<std::uint64_t>(q.get_d());
}

double local_epsilon(const py::handle& value) {
  const Rational e = exact_number(value, "epsilon");
  if (sgn(e) <= 0 || e > 700) throw py::value_error("epsilon must be in (0, 700]");
  return to_double_up(e);
}

/// --times and --reports as Python passes them (reports: None for no variance).
struct Repetitions {
  std::uint64_t times = 1, reports = 0;
  Repetitions(const py::handle& times_value, const py::handle& reports_value) : times(whole(times_value, "times")) {
    if (!reports_value.is_none()) reports = whole(reports_value, "reports");
  }
};

py::object optional_number(const std::optional<double>& x) { return x ? py::object(py::float_(*x)) : py::none(); }
py::object optional_text(const std::optional<double>& x) { return x ? py::object(py::str(text_up(*x))) : py::none(); }

/// The answer as privflow._results.LocalEpsilon takes it (the words of dp::ldp's answers).
py::dict dict(const dp::ldp::Answer& r) {
  py::dict d;
  d["epsilon"] = r.all;
  d["epsilon_text"] = text_up(r.all);
  d["epsilon_one_report"] = r.one;
  d["epsilon_one_report_text"] = text_up(r.one);
  d["times"] = r.times;
  d["epsilon_permanent"] = optional_number(r.permanent);
  d["epsilon_permanent_text"] = optional_text(r.permanent);
  d["variance"] = optional_number(r.variance);
  d["variance_text"] = optional_text(r.variance);
  d["standard_deviation_text"] = r.variance ? optional_text(std::sqrt(*r.variance)) : py::none();
  d["reports"] = r.reports;
  d["how"] = r.how;
  return d;
}

py::dict rappor(const py::handle& f, const py::handle& p, const py::handle& q, const py::handle& hashes,
                const py::handle& times, const py::handle& reports) {
  const Repetitions n(times, reports);
  dp::ldp::Rappor rap{to_double_down(probability(f, "f")), to_double_down(probability(p, "p")),
                      to_double_up(probability(q, "q")), whole(hashes, "hashes"), 0};
  if (rap.q <= rap.p && rap.f < 1) throw py::value_error("q must be above p");
  return dict(dp::ldp::rappor_answer(rap, n.times, n.reports));
}

py::dict unary_encoding(const py::handle& epsilon, const std::string& variant, const py::handle& p_value,
                        const py::handle& q_value, const py::handle& times, const py::handle& reports) {
  const Repetitions n(times, reports);
  if (epsilon.is_none() == p_value.is_none()) throw py::value_error("give exactly one of epsilon and p");
  if (!epsilon.is_none()) {
    const double e = local_epsilon(epsilon);
    if (variant != "oue" && variant != "sue") throw py::value_error("variant must be 'oue' or 'sue', not '" + variant + "'");
    const auto v = variant == "oue" ? dp::ldp::UnaryVariant::kOptimized : dp::ldp::UnaryVariant::kSymmetric;
    return dict(dp::ldp::unary_answer(e, v, n.times, n.reports));
  }
  const double p = to_double_down(probability(p_value, "p"));
  const double q = to_double_up(q_value.is_none() ? Rational(1, 2) : probability(q_value, "q"));
  if (q <= p) throw py::value_error("q must be above p");
  return dict(dp::ldp::unary_answer(p, q, n.times, n.reports));
}

py::dict local_hashing(const py::handle& epsilon, const py::handle& range, const py::handle& times,
                       const py::handle& reports) {
  const Repetitions n(times, reports);
  const double e = local_epsilon(epsilon);
  std::optional<std::uint64_t> g;
  if (!range.is_none()) {
    g = whole(range, "range");
    if (*g < 2) throw py::value_error("range must be at least 2");
  }
  return dict(dp::ldp::local_hashing_answer(e, g, n.times, n.reports));
}

py::dict hadamard(const py::handle& epsilon, const py::handle& times, const py::handle& reports) {
  const Repetitions n(times, reports);
  return dict(dp::ldp::hadamard_answer(local_epsilon(epsilon), n.times, n.reports));
}

py::dict count_mean_sketch(const py::handle& epsilon, const py::handle& width, const py::handle& hashes,
                           const py::handle& times, const py::handle& reports) {
  const Repetitions n(times, reports);
  const double e = local_epsilon(epsilon);
  const std::uint64_t m = whole(width, "width"), k = whole(hashes, "hashes");
  if (m < 2) throw py::value_error("width must be at least 2");
  return dict(dp::ldp::count_mean_sketch_answer(e, m, k, n.times, n.reports));
}

}  // namespace

void bind_local_randomizers(py::module_& m) {
  m.def("rappor", &rappor);
  m.def("unary_encoding", &unary_encoding);
  m.def("local_hashing", &local_hashing);
  m.def("hadamard", &hadamard);
  m.def("count_mean_sketch", &count_mean_sketch);
}

}  // namespace privflow::python
