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

/// What every kind answers (cli/cmd_account_ldp.cpp, LdpAnswer).
struct Answer {
  double one = 0;
  std::uint64_t times = 1;
  double all = 0;
  std::optional<double> permanent, variance;
  std::uint64_t reports = 0;
  std::string how;

  Answer(const py::handle& times_value, const py::handle& reports_value) {
    times = whole(times_value, "times");
    if (!reports_value.is_none()) reports = whole(reports_value, "reports");
  }
  /// `times` reports of one value compose: times·ε rounded up.
  void compose() {
    const double x = one * static_cast<double>(times);
    all = std::isfinite(x) ? std::nextafter(x, HUGE_VAL) : x;
  }
  py::dict dict() const {
    py::dict d;
    d["epsilon"] = all;
    d["epsilon_text"] = text_up(all);
    d["epsilon_one_report"] = one;
    d["epsilon_one_report_text"] = text_up(one);
    d["times"] = times;
    d["epsilon_permanent"] = permanent ? py::object(py::float_(*permanent)) : py::none();
    d["epsilon_permanent_text"] = permanent ? py::object(py::str(text_up(*permanent))) : py::none();
    d["variance"] = variance ? py::object(py::float_(*variance)) : py::none();
    d["variance_text"] = variance ? py::object(py::str(text_up(*variance))) : py::none();
    d["standard_deviation_text"] = variance ? py::object(py::str(text_up(std::sqrt(*variance)))) : py::none();
    d["reports"] = reports;
    d["how"] = how;
    return d;
  }
};

py::dict rappor(const py::handle& f, const py::handle& p, const py::handle& q, const py::handle& hashes,
                const py::handle& times, const py::handle& reports) {
  Answer r(times, reports);
  dp::ldp::Rappor rap{to_double_down(probability(f, "f")), to_double_down(probability(p, "p")),
                      to_double_up(probability(q, "q")), whole(hashes, "hashes"), 0};
  if (rap.q <= rap.p && rap.f < 1) throw py::value_error("q must be above p");
  r.one = dp::ldp::rappor_epsilon_one(rap);
  r.permanent = dp::ldp::rappor_epsilon_permanent(rap);
  r.all = dp::ldp::rappor_epsilon(rap, r.times);
  if (r.reports) r.variance = dp::ldp::rappor_variance(rap, static_cast<double>(r.reports));
  r.how = "RAPPOR (Erlingsson, Pihur & Korolova 2014): one report h*ln(q*(1-p*)/(p*(1-q*))), q* = " +
          text_up(dp::ldp::rappor_q_star(rap)) + ", p* = " + text_up(dp::ldp::rappor_p_star(rap)) +
          "; reports of the same value at most the permanent response's 2h*ln((1-f/2)/(f/2))";
  if (r.variance) r.how += "; variance per Bloom bit, Wang et al. 2017 Thm 2";
  return r.dict();
}

py::dict unary_encoding(const py::handle& epsilon, const std::string& variant, const py::handle& p_value,
                        const py::handle& q_value, const py::handle& times, const py::handle& reports) {
  Answer r(times, reports);
  if (epsilon.is_none() == p_value.is_none()) throw py::value_error("give exactly one of epsilon and p");
  double p = 0, q = 0.5;
  if (!epsilon.is_none()) {
    r.one = local_epsilon(epsilon);
    if (variant == "oue") {
      p = dp::ldp::oue_p(r.one);
      r.how = "optimized unary encoding (Wang et al. 2017, Sec. 4.4): q = 1/2, p = 1/(e^epsilon + 1)";
    } else if (variant == "sue") {
      q = dp::ldp::sue_q(r.one);
      p = 1 - q;
      r.how = "symmetric unary encoding (basic RAPPOR; Wang et al. 2017, Sec. 4.3): q = e^(epsilon/2)/(e^(epsilon/2) + 1)";
    } else {
      throw py::value_error("variant must be 'oue' or 'sue', not '" + variant + "'");
    }
  } else {
    p = to_double_down(probability(p_value, "p"));
    q = to_double_up(q_value.is_none() ? Rational(1, 2) : probability(q_value, "q"));
    if (q <= p) throw py::value_error("q must be above p");
    r.one = dp::ldp::unary_epsilon(p, q);
    r.how = "unary encoding (Wang et al. 2017, Thm 3): epsilon = ln(q(1-p)/(p(1-q)))";
  }
  r.compose();
  if (r.reports) r.variance = dp::ldp::unary_variance(p, q, static_cast<double>(r.reports));
  if (r.variance) r.how += "; variance Wang et al. 2017 Thm 2";
  return r.dict();
}

py::dict local_hashing(const py::handle& epsilon, const py::handle& range, const py::handle& times,
                       const py::handle& reports) {
  Answer r(times, reports);
  r.one = local_epsilon(epsilon);
  std::uint64_t g = dp::ldp::olh_range(r.one);
  if (!range.is_none()) {
    g = whole(range, "range");
    if (g < 2) throw py::value_error("range must be at least 2");
  }
  r.compose();
  if (r.reports) r.variance = dp::ldp::olh_variance(r.one, g, static_cast<double>(r.reports));
  r.how = "local hashing onto " + std::to_string(g) + " values (Wang et al. 2017, Sec. 4.4" +
          (range.is_none() ? ": optimized, g = e^epsilon + 1 rounded)" : ")") + ", randomized response on the hash";
  return r.dict();
}

py::dict hadamard(const py::handle& epsilon, const py::handle& times, const py::handle& reports) {
  Answer r(times, reports);
  r.one = local_epsilon(epsilon);
  r.compose();
  if (r.reports) r.variance = dp::ldp::hadamard_variance(r.one, static_cast<double>(r.reports));
  r.how = "Hadamard response (Acharya, Sun & Zhang 2019): the value's codeword half w.p. e^epsilon/(e^epsilon + 1)";
  return r.dict();
}

py::dict count_mean_sketch(const py::handle& epsilon, const py::handle& width, const py::handle& hashes,
                           const py::handle& times, const py::handle& reports) {
  Answer r(times, reports);
  r.one = local_epsilon(epsilon);
  const std::uint64_t m = whole(width, "width"), k = whole(hashes, "hashes");
  if (m < 2) throw py::value_error("width must be at least 2");
  r.compose();
  if (r.reports) r.variance = dp::ldp::cms_variance(r.one, m, k, static_cast<double>(r.reports));
  r.how = "Apple's count-mean sketch (2017): width " + std::to_string(m) + ", " + std::to_string(k) +
          " hash functions, each entry flipped w.p. 1/(1 + e^(epsilon/2))";
  if (r.variance)
    r.how += "; variance with the other reports on distinct values, plus (m/(m-1))^2 (m-1)/(k m^2) per pair of "
             "reports of one other value";
  return r.dict();
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
