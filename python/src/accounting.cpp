// privflow._core's accounting: dp::Mechanism, an accountant that composes them, calibration and
// the closed forms of `privflow account` (cli/cmd_account.cpp calls the same dp/ functions).
// Numbers arrive as Python int, float, str or fractions.Fraction and are read exactly; each is
// then rounded the safe way, as the command line rounds what it parses: noise down, ε, δ-free
// rates and ρ up, the target δ down (a smaller δ is the stricter question).
#include "python/src/core.hpp"

#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "dp/accountant.hpp"
#include "dp/tree_aggregation.hpp"

namespace privflow::python {
namespace {

/// ε and probabilities are printed as `privflow account` prints them: 6 digits rounded up.
std::string text_up(double x) { return std::isfinite(x) ? format_double_up(x, 6) : "inf"; }

Rational positive(const py::handle& value, const char* name) {
  Rational q = exact_number(value, name);
  if (sgn(q) <= 0) throw py::value_error(std::string(name) + " must be > 0");
  return q;
}

std::uint64_t whole(const py::handle& value, const char* name) {
  const Rational q = exact_number(value, name);
  if (q.get_den() != 1 || sgn(q) <= 0 || q > Rational(1e12))
    throw py::value_error(std::string(name) + " must be a whole number between 1 and 10^12");
  return static_cast<std::uint64_t>(q.get_d());
}

double probability_up(const py::handle& value, const char* name, bool zero_allowed) {
  const Rational q = exact_number(value, name);
  if (sgn(q) < 0 || (!zero_allowed && sgn(q) == 0) || q > 1)
    throw py::value_error(std::string(name) + (zero_allowed ? " must be in [0, 1]" : " must be in (0, 1]"));
  return to_double_up(q);
}

dp::Accountant accountant_of(const std::string& name) {
  if (name == "rdp") return dp::Accountant::kRdp;
  if (name == "pld") return dp::Accountant::kPld;
  if (name == "auto") return dp::Accountant::kAuto;
  throw py::value_error("accountant must be 'rdp', 'pld' or 'auto', not '" + name + "'");
}

dp::Neighbouring neighbouring_of(const std::string& name) {
  if (name == "add_remove" || name == "add-remove") return dp::Neighbouring::kAddRemove;
  if (name == "replace") return dp::Neighbouring::kReplace;
  throw py::value_error("neighbouring must be 'add_remove' or 'replace', not '" + name + "'");
}

dp::Sampling sampling_of(const std::string& name) {
  if (name == "poisson") return dp::Sampling::kPoisson;
  if (name == "fixed_size" || name == "fixed-size") return dp::Sampling::kFixedSize;
  throw py::value_error("sampling must be 'poisson' or 'fixed_size', not '" + name + "'");
}

/// The target δ: in [0, 1), rounded down; `shown` is the nearest double, for the text.
struct Delta {
  double value = 0;
  double shown = 0;
};
Delta delta_of(const py::handle& value) {
  const Rational d = exact_number(value, "delta");
  if (sgn(d) < 0 || d >= 1) throw py::value_error("delta must be in [0, 1)");
  const double lo = to_double_down(d), hi = to_double_up(d);
  return {lo, (Rational(hi) - d < d - Rational(lo)) ? hi : lo};
}

/// The shortest decimal that reads back as x (as Python's repr prints a float), exactly.
Rational shortest_decimal(double x) {
  if (!std::isfinite(x)) throw py::value_error("tolerance must be finite");
  char text[64];
  const auto end = std::to_chars(text, text + sizeof text, x).ptr;
  return exact_number(py::str(std::string(text, end)), "tolerance");
}

/// The PLD options for `tolerance`. A float is read as the decimal it prints as (0.001 as 1/1000,
/// not the double just above it), as the command line reads `--tolerance 0.001`: the tolerance
/// steers the grids, so one binary digit apart gives the program and the module different (both
/// certified) figures. It is a knob, not a privacy parameter: reading it either way is sound.
dp::PldOptions pld_of(const py::handle& tolerance) {
  const Rational tol = py::isinstance<py::float_>(tolerance) ? shortest_decimal(tolerance.cast<double>())
                                                              : exact_number(tolerance, "tolerance");
  if (sgn(tol) <= 0 || tol > Rational(1, 2)) throw py::value_error("tolerance must be in (0, 0.5]");
  dp::PldOptions pld;
  pld.tolerance = to_double_down(tol);
  pld.adaptive = true;  // one question, as `privflow account` asks it (dp::PldOptions)
  return pld;
}

py::dict epsilon_dict(const dp::EpsilonResult& r, const Delta& delta) {
  py::dict d;
  d["epsilon"] = r.infinite ? INFINITY : r.value;
  d["epsilon_text"] = r.infinite ? std::string("inf") : text_up(r.value);
  d["infinite"] = r.infinite;
  d["delta"] = delta.shown;
  d["delta_text"] = format_double(delta.shown);
  d["accountant"] = std::string(dp::to_string(r.accountant));
  d["exact"] = r.exact ? py::object(py::str(format_exact(*r.exact))) : py::object(py::none());
  d["order"] = r.order;
  d["discretization"] = r.discretization;
  d["tail_mass"] = r.tail_mass;
  d["how"] = r.how;
  return d;
}

py::dict tradeoff_dict(const char* kind, const char* at_name, double at, const dp::TradeoffResult& r) {
  py::dict d;
  d["kind"] = kind;
  d["at_name"] = at_name;
  d["at"] = at;
  d["at_text"] = format_double(at);
  d["tpr"] = r.tpr;
  d["tpr_text"] = text_up(r.tpr);
  d["how"] = r.how;
  if (!r.curve.empty()) d["curve"] = r.curve;  // reconstruction: which trade-off gave it
  return d;
}

/// Two parts that differ only in how often they run are one part run the sum of both.
bool same_but_times(const dp::Mechanism& a, const dp::Mechanism& b) {
  return a.kind == b.kind && a.epsilon == b.epsilon && a.exact_epsilon == b.exact_epsilon && a.delta == b.delta &&
         a.noise_multiplier == b.noise_multiplier && a.sampling_rate == b.sampling_rate && a.keep == b.keep &&
         a.values == b.values && a.rho == b.rho && a.neighbouring == b.neighbouring && a.sampling == b.sampling &&
         a.sigma == b.sigma && a.shift == b.shift;
}

constexpr std::uint64_t kMaxTimes = 1'000'000'000'000;  // dp::validate's limit on `times`

/// An accountant composing events, as dp_accounting's PrivacyAccountant does (compose, then ask
/// ε or δ). Parts that repeat are merged, so a loop that composes one step at a time keeps one
/// part. One lock per object: two threads may share it; the GIL is released while it computes.
class Composer {
 public:
  Composer(const std::string& accountant, const py::handle& tolerance)
      : accountant_(accountant_of(accountant)), pld_(pld_of(tolerance)) {}

  void compose(const dp::Mechanism& m, const py::handle& count) {
    const std::uint64_t n = whole(count, "count");
    std::optional<std::string> refused;
    {
      // Without the GIL: another thread may hold the lock while it computes an ε.
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      refused = add(m, n);
    }
    if (refused) throw py::value_error(*refused);
  }

  py::dict epsilon(const py::handle& delta_value) {
    const Delta delta = delta_of(delta_value);
    dp::EpsilonResult r;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      r = composition().epsilon(delta.value, accountant_);
    }
    return epsilon_dict(r, delta);
  }

  py::dict delta(const py::handle& epsilon_value) {
    const Rational e = exact_number(epsilon_value, "epsilon");
    if (sgn(e) < 0) throw py::value_error("epsilon must be >= 0");
    const double eps = to_double_down(e);  // δ falls with ε: the smaller ε is the safe side
    dp::DeltaResult r;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      dp::Composition c = composition();
      c.pld_options.adaptive = false;  // δ(ε) uses the fixed grid (dp::PldOptions)
      r = c.delta(eps, accountant_);
    }
    py::dict d;
    d["delta"] = r.value;
    d["delta_text"] = text_up(r.value);
    d["epsilon"] = eps;
    d["epsilon_text"] = format_double(eps);
    d["accountant"] = std::string(dp::to_string(r.accountant));
    d["how"] = r.how;
    return d;
  }

  std::vector<std::string> describe() {
    std::vector<std::string> out;
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& part : parts_) out.push_back(part.describe());
    return out;
  }

 private:
  /// Adds `m` run `n` times, merged into an equal part; why not, when it cannot be added.
  std::optional<std::string> add(const dp::Mechanism& m, std::uint64_t n) {
    for (auto& part : parts_) {
      if (!same_but_times(part, m)) continue;
      if (m.times > kMaxTimes / n || part.times + m.times * n > kMaxTimes)
        return "an event composed more than 10^12 times";
      part.times += m.times * n;
      return std::nullopt;
    }
    dp::Mechanism added = m.repeated(n);
    if (auto why = dp::validate(added)) return why;
    parts_.push_back(added);
    return std::nullopt;
  }

  dp::Composition composition() const {
    dp::Composition c;
    c.pld_options = pld_;
    for (const auto& part : parts_) c.add(part);
    return c;
  }

  dp::Accountant accountant_;
  dp::PldOptions pld_;
  std::vector<dp::Mechanism> parts_;
  std::mutex mutex_;
};

/// ε of one composition at δ, with the attack figures of `privflow account --tpr-at-fpr` and
/// `--reconstruction-prior` (dp/tradeoff.cpp) when asked.
py::dict compose_epsilon(const std::vector<dp::Mechanism>& parts, const py::handle& delta_value,
                         const std::string& accountant, const py::handle& tolerance, const py::handle& tpr_at_fpr,
                         const py::handle& reconstruction_prior) {
  const Delta delta = delta_of(delta_value);
  const dp::Accountant a = accountant_of(accountant);
  dp::Composition c;
  c.pld_options = pld_of(tolerance);
  for (const auto& m : parts) {
    std::string error;
    if (!c.add(m, &error)) throw py::value_error(error);
  }
  double fpr = 0, prior = 0;
  if (!tpr_at_fpr.is_none()) {
    fpr = probability_up(tpr_at_fpr, "tpr_at_fpr", false);
    if (fpr >= 1) throw py::value_error("tpr_at_fpr must be in (0, 1)");
  }
  if (!reconstruction_prior.is_none()) prior = probability_up(reconstruction_prior, "reconstruction_prior", false);
  dp::EpsilonResult r;
  std::optional<dp::TradeoffResult> membership, reconstruction;
  {
    py::gil_scoped_release release;
    r = c.epsilon(delta.value, a);
    if (fpr > 0) membership = c.tpr_at_fpr(fpr, a);
    if (prior > 0) reconstruction = dp::reconstruction_tpr(parts, prior, a);  // Hayes et al. 2023, as the CLI
  }
  py::dict d = epsilon_dict(r, delta);
  py::list attacks;
  if (membership) attacks.append(tradeoff_dict("membership", "fpr", fpr, *membership));
  if (reconstruction) attacks.append(tradeoff_dict("reconstruction", "prior", prior, *reconstruction));
  d["attacks"] = attacks;
  return d;
}

/// Calibration targets above this protect nothing (cli/cmd_account.cpp, kMaxCalibratedEpsilon).
double calibration_target(const py::handle& epsilon) {
  const Rational e = exact_number(epsilon, "epsilon");
  if (sgn(e) < 0) throw py::value_error("epsilon must be >= 0");
  if (e > 1000) throw py::value_error("epsilon above 1000 cannot be calibrated (it protects nothing)");
  return to_double_down(e);
}

py::dict calibration_dict(const dp::CalibrationResult& r, const Delta& delta, const char* name, double value) {
  if (!r.found) throw py::value_error(std::string("no ") + name + " meets the target");
  py::dict d = epsilon_dict(r.achieved, delta);
  d["how"] = r.how;
  d["parameter"] = name;
  d["value"] = value;
  d["value_text"] = format_double(value);
  return d;
}

py::dict calibrate_dpsgd(const py::handle& epsilon, const py::handle& delta_value, const py::handle& rate,
                         const py::handle& steps, const std::string& accountant, const std::string& neighbouring,
                         const std::string& sampling) {
  const double target = calibration_target(epsilon);
  const Delta delta = delta_of(delta_value);
  if (delta.value <= 0) throw py::value_error("calibration needs delta > 0");
  const double q = probability_up(rate, "sampling_rate", false);
  const std::uint64_t t = whole(steps, "steps");
  const dp::Accountant a = accountant_of(accountant);
  const dp::Neighbouring n = neighbouring_of(neighbouring);
  const dp::Sampling s = sampling_of(sampling);
  dp::CalibrationResult r;
  {
    py::gil_scoped_release release;
    r = dp::calibrate_dpsgd(target, delta.value, q, t, a, 1e-3, {}, n, s);
  }
  return calibration_dict(r, delta, "noise_multiplier", r.value);
}

py::dict calibrate_gaussian(const py::handle& epsilon, const py::handle& delta_value, const py::handle& sensitivity,
                            const py::handle& times, const std::string& accountant) {
  const double target = calibration_target(epsilon);
  const Delta delta = delta_of(delta_value);
  if (delta.value <= 0) throw py::value_error("calibration needs delta > 0");
  const double s = to_double_up(positive(sensitivity, "sensitivity"));  // σ = z·s: a larger s, more noise
  const std::uint64_t k = whole(times, "times");
  const dp::Accountant a = accountant_of(accountant);
  dp::CalibrationResult r;
  {
    py::gil_scoped_release release;
    r = dp::calibrate_gaussian(target, delta.value, k, a);
  }
  return calibration_dict(r, delta, "sigma", r.value * s);
}

/// Amplification by shuffling (dp/shuffle.cpp), as `privflow account shuffle` words it.
py::dict shuffle(const py::handle& local_epsilon, const py::handle& senders, const py::handle& delta_value) {
  const Delta delta = delta_of(delta_value);
  if (delta.value <= 0) throw py::value_error("delta must be > 0 for shuffling");
  const Rational e = exact_number(local_epsilon, "local_epsilon");
  if (sgn(e) < 0) throw py::value_error("local_epsilon must be >= 0");
  const double local = to_double_up(e);
  const std::uint64_t n = whole(senders, "senders");
  std::optional<double> eps, closed;
  {
    py::gil_scoped_release release;
    eps = dp::shuffle_epsilon(local, n, delta.value);
    closed = dp::shuffle_epsilon_closed_form(local, n, delta.value);
  }
  if (!eps) throw py::value_error("local_epsilon out of range");
  dp::EpsilonResult r;
  r.value = *eps;
  r.delta = delta.value;
  if (*eps >= local)
    r.how = "no amplification found for these senders: the local epsilon (post-processing)";
  else if (closed && *eps < *closed)
    r.how = "amplification by shuffling, numerical bound of Feldman-McMillan-Talwar 2021 (Thm 3.2; closed form " +
            text_up(*closed) + ")";
  else
    r.how = "amplification by shuffling, closed form of Feldman-McMillan-Talwar 2021 (Thm 3.1)";
  py::dict d = epsilon_dict(r, delta);
  d["accountant"] = "shuffle";
  d["attacks"] = py::list();
  return d;
}

/// DP-FTRL's linear map (dp/tree_aggregation.hpp): the Gaussian of noise multiplier z over a
/// strategy of squared sensitivity s², i.e. dp::effective_noise_multiplier, with μ and ρ.
py::dict linear_gaussian(const py::handle& noise_multiplier, const Rational& sensitivity_squared) {
  const Rational z = positive(noise_multiplier, "noise_multiplier");
  if (sgn(sensitivity_squared) <= 0) throw py::value_error("the strategy's sensitivity is 0");
  const double z_eff = dp::effective_noise_multiplier(z, sensitivity_squared);
  const Rational mu = Rational(1) / Rational(z_eff);
  py::dict d;
  d["mechanism"] = dp::Mechanism::gaussian(z_eff);
  d["sensitivity_squared"] = format_exact(sensitivity_squared);
  d["mu"] = to_double_up(mu);
  d["rho"] = to_double_up(mu * mu / 2);
  return d;
}

py::dict tree_aggregation(const py::handle& noise_multiplier, const py::handle& steps, const py::handle& epochs,
                          bool completion) {
  const std::uint64_t t = whole(steps, "steps"), e = whole(epochs, "epochs");
  py::dict d = linear_gaussian(noise_multiplier, dp::tree_sensitivity_squared(t, e, completion));
  d["nodes_per_leaf"] = dp::tree_nodes_per_leaf(t, completion);
  return d;
}

py::dict matrix_factorization(const py::handle& noise_multiplier, const py::handle& sensitivity,
                              const py::handle& coefficients, const py::handle& steps, const py::handle& epochs,
                              const py::handle& min_separation) {
  if (sensitivity.is_none() == coefficients.is_none())
    throw py::value_error("give exactly one of sensitivity and coefficients");
  if (!sensitivity.is_none()) {
    const Rational s = positive(sensitivity, "sensitivity");
    return linear_gaussian(noise_multiplier, s * s);
  }
  if (steps.is_none()) throw py::value_error("coefficients needs steps");
  dp::BandedToeplitz strategy;
  for (const auto& c : coefficients) strategy.coefficients.push_back(exact_number(c, "coefficients"));
  if (strategy.coefficients.empty() || strategy.coefficients.size() > 100000)
    throw py::value_error("coefficients: between 1 and 100000 bands");
  strategy.steps = whole(steps, "steps");
  strategy.participations = whole(epochs, "epochs");
  strategy.min_separation = strategy.steps;
  if (strategy.participations > 1 || !min_separation.is_none()) {
    if (min_separation.is_none()) throw py::value_error("epochs above 1 needs min_separation");
    strategy.min_separation = whole(min_separation, "min_separation");
  }
  std::string error;
  std::optional<Rational> squared;
  {
    py::gil_scoped_release release;  // exact sums over the bands
    squared = dp::banded_toeplitz_sensitivity_squared(strategy, &error);
  }
  if (!squared) throw py::value_error("coefficients: " + error);
  return linear_gaussian(noise_multiplier, *squared);
}

void bind_mechanism(py::module_& m) {
  py::class_<dp::Mechanism>(m, "Mechanism", "One dp::Mechanism (dp/accountant.hpp), already rounded the safe way.")
      .def("describe", &dp::Mechanism::describe)
      .def("__repr__", [](const dp::Mechanism& x) { return "<privflow mechanism " + x.describe() + ">"; })
      .def_property_readonly("times", [](const dp::Mechanism& x) { return x.times; })
      .def(
          "repeated",
          [](const dp::Mechanism& x, const py::handle& n, const std::string& name) {
            dp::Mechanism r = x.repeated(whole(n, name.c_str()));
            if (auto why = dp::validate(r)) throw py::value_error(*why);
            return r;
          },
          py::arg("count"), py::arg("name") = "count");
  // Factories: noise rounded down, ε and rates rounded up (as cli/cmd_account.cpp rounds).
  m.def("gaussian", [](const py::handle& z) { return dp::Mechanism::gaussian(to_double_down(positive(z, "noise_multiplier"))); });
  m.def("gaussian_sigma", [](const py::handle& sigma, const py::handle& sensitivity) {
    return dp::Mechanism::gaussian(to_double_down(positive(sigma, "sigma") / positive(sensitivity, "sensitivity")));
  });
  m.def("subsampled_gaussian", [](const py::handle& z, const py::handle& q, const std::string& n, const std::string& s) {
    return dp::Mechanism::subsampled_gaussian(to_double_down(positive(z, "noise_multiplier")),
                                              probability_up(q, "sampling_rate", false))
        .with(neighbouring_of(n))
        .with(sampling_of(s));
  });
  m.def("laplace", [](const py::handle& epsilon) { return dp::Mechanism::laplace(exact_number(epsilon, "epsilon")); });
  m.def("laplace_scale", [](const py::handle& scale, const py::handle& sensitivity) {
    return dp::Mechanism::laplace(Rational(positive(sensitivity, "sensitivity") / positive(scale, "scale")));
  });
  m.def("geometric", [](const py::handle& e) { return dp::Mechanism::geometric(exact_number(e, "epsilon")); });
  m.def("exponential", [](const py::handle& e) { return dp::Mechanism::exponential(positive(e, "epsilon")); });
  m.def("declared", [](const py::handle& e, const py::handle& delta) {
    return dp::Mechanism::declared(exact_number(e, "epsilon"), probability_up(delta, "delta", true));
  });
  m.def("randomized_response", [](const py::handle& e, const py::handle& values) {
    return dp::Mechanism::randomized_response(positive(e, "epsilon"), whole(values, "values"))
        .with(dp::Neighbouring::kReplace);
  });
  m.def("randomized_response_keep", [](const py::handle& keep, const py::handle& values) {
    return dp::Mechanism::randomized_response_keep(probability_up(keep, "keep", false), whole(values, "values"))
        .with(dp::Neighbouring::kReplace);
  });
  m.def("zcdp", [](const py::handle& rho) { return dp::Mechanism::zcdp(to_double_up(exact_number(rho, "rho"))); });
  m.def("discrete_gaussian", [](const py::handle& sigma, const py::handle& sensitivity) {
    return dp::Mechanism::discrete_gaussian(to_double_down(positive(sigma, "sigma")), whole(sensitivity, "sensitivity"));
  });
  m.def("validate", [](const dp::Mechanism& x) { return dp::validate(x); });
}

}  // namespace

void bind_accounting(py::module_& m) {
  bind_mechanism(m);
  py::class_<Composer>(m, "Composer")
      .def(py::init<const std::string&, const py::handle&>(), py::arg("accountant"), py::arg("tolerance"))
      .def("compose", &Composer::compose, py::arg("mechanism"), py::arg("count"))
      .def("epsilon", &Composer::epsilon, py::arg("delta"))
      .def("delta", &Composer::delta, py::arg("epsilon"))
      .def("describe", &Composer::describe);
  m.def("compose_epsilon", &compose_epsilon, py::arg("parts"), py::arg("delta"), py::arg("accountant"),
        py::arg("tolerance"), py::arg("tpr_at_fpr"), py::arg("reconstruction_prior"));
  m.def("calibrate_dpsgd", &calibrate_dpsgd);
  m.def("calibrate_gaussian", &calibrate_gaussian);
  m.def("shuffle", &shuffle);
  m.def("tree_aggregation", &tree_aggregation);
  m.def("matrix_factorization", &matrix_factorization);
}

}  // namespace privflow::python
