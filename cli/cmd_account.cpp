// `privflow account KIND …`: the standalone accountant (the same numbers as dp/).
#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "cli/commands.hpp"
#include "dp/accountant.hpp"

namespace privflow::cli {
namespace {

struct AccountArgs {
  std::string accountant = "auto";
  bool json = false;
  std::string delta;
  // mechanism parameters, as written (parsed exactly)
  std::string noise_multiplier, sampling_rate, steps, epsilon, sigma, sensitivity = "1", times = "1", scale, keep,
      values, local_epsilon, senders, rho;
  // dpsgd and gaussian: how often the noise (--noise-multiplier, --sigma) and --epsilon were given
  std::size_t noise_given = 0, epsilon_given = 0;
};

/// Parses a number exactly; reports a user error (exit 2) otherwise.
std::optional<Rational> number(const std::string& text, const char* name, Io& io) {
  NumberError why = NumberError::kNone;
  auto q = parse_number(text, &why);
  if (!q) io.err << "privflow account: error: --" << name << " '" << printable(text) << "' is not a number\n";
  return q;
}

std::optional<std::uint64_t> count(const std::string& text, const char* name, Io& io) {
  auto q = number(text, name, io);
  if (!q) return std::nullopt;
  if (q->get_den() != 1 || sgn(*q) <= 0 || *q > Rational(1e12)) {
    io.err << "privflow account: error: --" << name << " must be a whole number between 1 and 10^12\n";
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(q->get_d());
}

/// Doubles for parameters where a larger value is less private are rounded up, and for
/// noise (where a smaller value is less private) rounded down.
double up(const Rational& q) { return to_double_up(q); }
double down(const Rational& q) { return to_double_down(q); }

/// Calibration targets above this take the PLD search through ever wider loss grids (fuzz_account:
/// dpsgd --epsilon 1e122 --accountant pld took 11 s) for a noise that protects nothing.
const Rational kMaxCalibratedEpsilon(1000);

std::string num_up(double x) { return std::isfinite(x) ? format_double_up(x, 6) : "inf"; }

nlohmann::json json_number_up(double x) {
  if (!std::isfinite(x)) return nullptr;
  return std::stod(format_double_up(x, 6));  // the double nearest a decimal ≥ x is ≥ x
}

int invalid(Io& io, const std::string& message) {
  io.err << "privflow account: error: " << message << "\n";
  return static_cast<int>(ExitStatus::kInvalid);
}

std::optional<dp::Accountant> parse_accountant(const std::string& s) {
  if (s == "rdp") return dp::Accountant::kRdp;
  if (s == "pld") return dp::Accountant::kPld;
  if (s == "auto") return dp::Accountant::kAuto;
  return std::nullopt;
}

/// The shared part of every kind: accountant, δ, and the output format.
struct Common {
  dp::Accountant accountant = dp::Accountant::kAuto;
  double delta = 0;        // rounded down: the stricter question
  double shown_delta = 0;  // the δ as written (nearest double), for output only
};

/// Prints an ε answer: text (two lines) or JSON.
int print_epsilon(const dp::EpsilonResult& r, const Common& c, const AccountArgs& a, Io& io,
                  std::optional<double> calibrated = std::nullopt, const char* calibrated_name = "noise_multiplier",
                  const std::string& calibration_how = "") {
  if (a.json) {
    nlohmann::json j;
    j["epsilon"] = r.infinite ? nlohmann::json(nullptr) : json_number_up(r.value);
    j["infinite"] = r.infinite;
    j["delta"] = c.shown_delta;
    j["accountant"] = std::string(dp::to_string(r.accountant));
    if (r.exact) j["epsilon_exact"] = format_exact(*r.exact);
    if (r.order > 0) j["order"] = r.order;
    if (r.discretization > 0) j["discretization"] = r.discretization;
    if (r.discretization > 0) j["tail_mass"] = json_number_up(r.tail_mass);
    if (calibrated) j[calibrated_name] = *calibrated;
    j["how"] = calibration_how.empty() ? r.how : calibration_how;
    io.out << j.dump(2) << "\n";
    return 0;
  }
  if (calibrated) {
    io.out << calibrated_name << " = " << format_double(*calibrated) << "  (epsilon " << num_up(r.value)
           << " at delta " << format_double(c.shown_delta) << ")\n";
    io.out << "how: " << calibration_how << "\n";
    return 0;
  }
  io.out << "epsilon = " << (r.infinite ? std::string("inf") : num_up(r.value));
  if (r.exact) io.out << " (exactly " << format_exact(*r.exact) << ")";
  io.out << " at delta = " << format_double(c.shown_delta) << "\n";
  io.out << "how: " << r.how << "\n";
  return 0;
}

std::optional<Common> common(const AccountArgs& a, Io& io) {
  Common c;
  auto acc = parse_accountant(a.accountant);
  if (!acc) {
    invalid(io, "--accountant must be rdp, pld or auto");
    return std::nullopt;
  }
  c.accountant = *acc;
  auto d = number(a.delta, "delta", io);
  if (!d) return std::nullopt;
  if (sgn(*d) < 0 || *d >= 1) {
    invalid(io, "--delta must be in [0, 1)");
    return std::nullopt;
  }
  c.delta = down(*d);  // a smaller δ is the stricter question
  {  // the nearest double to what was written (GMP's get_d truncates)
    const double lo = to_double_down(*d), hi = to_double_up(*d);
    c.shown_delta = (Rational(hi) - *d < *d - Rational(lo)) ? hi : lo;
  }
  return c;
}

int run_composition(const dp::Mechanism& m, const AccountArgs& a, Io& io) {
  auto c = common(a, io);
  if (!c) return static_cast<int>(ExitStatus::kInvalid);
  dp::Composition comp;
  std::string err;
  if (!comp.add(m, &err)) return invalid(io, err);
  return print_epsilon(comp.epsilon(c->delta, c->accountant), *c, a, io);
}

int run_dpsgd(const AccountArgs& a, Io& io) {
  auto c = common(a, io);
  if (!c) return static_cast<int>(ExitStatus::kInvalid);
  auto q = number(a.sampling_rate, "sampling-rate", io);
  auto t = count(a.steps, "steps", io);
  if (!q || !t) return static_cast<int>(ExitStatus::kInvalid);
  const double rate = up(*q);
  if (!(rate > 0 && rate <= 1)) return invalid(io, "--sampling-rate must be in (0, 1]");
  if (!a.epsilon.empty()) {
    auto e = number(a.epsilon, "epsilon", io);
    if (!e) return static_cast<int>(ExitStatus::kInvalid);
    if (sgn(*e) <= 0) return invalid(io, "--epsilon must be > 0");
    if (*e > kMaxCalibratedEpsilon) return invalid(io, "--epsilon above 1000 cannot be calibrated (it protects nothing)");
    if (c->delta <= 0) return invalid(io, "calibration needs --delta > 0");
    auto r = dp::calibrate_dpsgd(down(*e), c->delta, rate, *t, c->accountant);
    if (!r.found) return invalid(io, "no noise multiplier meets the target");
    return print_epsilon(r.achieved, *c, a, io, r.value, "noise_multiplier", r.how);
  }
  auto z = number(a.noise_multiplier, "noise-multiplier", io);
  if (!z) return static_cast<int>(ExitStatus::kInvalid);
  return run_composition(dp::Mechanism::subsampled_gaussian(down(*z), rate).repeated(*t), a, io);
}

int run_gaussian(const AccountArgs& a, Io& io) {
  auto s = number(a.sensitivity, "sensitivity", io);
  auto k = count(a.times, "times", io);
  if (!s || !k) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*s) <= 0) return invalid(io, "--sensitivity must be > 0");
  if (!a.epsilon.empty()) {
    auto c = common(a, io);
    auto e = number(a.epsilon, "epsilon", io);
    if (!c || !e) return static_cast<int>(ExitStatus::kInvalid);
    if (*e > kMaxCalibratedEpsilon) return invalid(io, "--epsilon above 1000 cannot be calibrated (it protects nothing)");
    if (c->delta <= 0) return invalid(io, "calibration needs --delta > 0");
    auto r = dp::calibrate_gaussian(down(*e), c->delta, *k, c->accountant);
    if (!r.found) return invalid(io, "no noise meets the target");
    return print_epsilon(r.achieved, *c, a, io, r.value * up(*s), "sigma", r.how);
  }
  auto sigma = number(a.sigma, "sigma", io);
  if (!sigma) return static_cast<int>(ExitStatus::kInvalid);
  Rational z = *sigma / *s;
  return run_composition(dp::Mechanism::gaussian(down(z)).repeated(*k), a, io);
}

int run_laplace(const AccountArgs& a, Io& io) {
  auto s = number(a.sensitivity, "sensitivity", io);
  auto k = count(a.times, "times", io);
  if (!s || !k) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*s) <= 0) return invalid(io, "--sensitivity must be > 0");
  if (a.epsilon.empty() == a.scale.empty()) return invalid(io, "give exactly one of --epsilon and --scale");
  Rational eps;
  if (!a.epsilon.empty()) {
    auto e = number(a.epsilon, "epsilon", io);
    if (!e) return static_cast<int>(ExitStatus::kInvalid);
    eps = *e;
  } else {
    auto b = number(a.scale, "scale", io);
    if (!b) return static_cast<int>(ExitStatus::kInvalid);
    if (sgn(*b) <= 0) return invalid(io, "--scale must be > 0");
    eps = *s / *b;  // pure ε = sensitivity / scale, exactly
  }
  return run_composition(dp::Mechanism::laplace(eps).repeated(*k), a, io);
}

int run_rr(const AccountArgs& a, Io& io) {
  auto k = count(a.times, "times", io);
  auto v = count(a.values, "values", io);
  if (!k || !v) return static_cast<int>(ExitStatus::kInvalid);
  if (*v < 2) return invalid(io, "--values must be at least 2");
  if (a.epsilon.empty() == a.keep.empty()) return invalid(io, "give exactly one of --keep and --epsilon");
  dp::Mechanism m;
  if (!a.epsilon.empty()) {
    auto e = number(a.epsilon, "epsilon", io);
    if (!e) return static_cast<int>(ExitStatus::kInvalid);
    if (sgn(*e) <= 0) return invalid(io, "--epsilon must be > 0");
    m = dp::Mechanism::randomized_response(*e, *v);
  } else {
    auto p = number(a.keep, "keep", io);
    if (!p) return static_cast<int>(ExitStatus::kInvalid);
    m = dp::Mechanism::randomized_response_keep(up(*p), *v);
  }
  return run_composition(m.with(dp::Neighbouring::kReplace).repeated(*k), a, io);
}

int run_shuffle(const AccountArgs& a, Io& io) {
  auto c = common(a, io);
  auto e = number(a.local_epsilon, "local-epsilon", io);
  auto n = count(a.senders, "senders", io);
  if (!c || !e || !n) return static_cast<int>(ExitStatus::kInvalid);
  if (c->delta <= 0) return invalid(io, "--delta must be > 0 for shuffling");
  const double local = up(*e);
  auto eps = dp::shuffle_epsilon(local, *n, c->delta);
  if (!eps) return invalid(io, "--local-epsilon must be >= 0");
  const auto closed = dp::shuffle_epsilon_closed_form(local, *n, c->delta);
  dp::EpsilonResult r;
  r.value = *eps;
  r.delta = c->delta;
  if (*eps >= local)
    r.how = "no amplification found for these senders: the local epsilon (post-processing)";
  else if (closed && *eps < *closed)
    r.how = "amplification by shuffling, numerical bound of Feldman-McMillan-Talwar 2021 (Thm 3.2; closed form " +
            num_up(*closed) + ")";
  else
    r.how = "amplification by shuffling, closed form of Feldman-McMillan-Talwar 2021 (Thm 3.1)";
  if (*eps < local && *eps >= local * (1 - 1e-3)) r.how += "; a gain under 0.1 %, which `check` does not use";
  if (a.json) {
    nlohmann::json j{{"epsilon", json_number_up(r.value)}, {"delta", c->shown_delta}, {"accountant", "shuffle"},
                     {"infinite", false}, {"how", r.how}};
    io.out << j.dump(2) << "\n";
    return 0;
  }
  io.out << "epsilon = " << num_up(r.value) << " at delta = " << format_double(c->shown_delta) << "\n";
  io.out << "how: " << r.how << "\n";
  return 0;
}

int run_zcdp(const AccountArgs& a, Io& io) {
  auto rho = number(a.rho, "rho", io);
  if (!rho) return static_cast<int>(ExitStatus::kInvalid);
  return run_composition(dp::Mechanism::zcdp(up(*rho)), a, io);
}

/// The discrete Gaussian N_Z(0, σ²) with a whole-number sensitivity (dp::Mechanism::discrete_gaussian).
int run_discrete_gaussian(const AccountArgs& a, Io& io) {
  auto sigma = number(a.sigma, "sigma", io);
  auto s = count(a.sensitivity, "sensitivity", io);
  auto k = count(a.times, "times", io);
  if (!sigma || !s || !k) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*sigma) <= 0) return invalid(io, "--sigma must be > 0");
  return run_composition(dp::Mechanism::discrete_gaussian(down(*sigma), *s).repeated(*k), a, io);
}

using Run = int (*)(const AccountArgs&, Io&);

Command account_kind(std::shared_ptr<AccountArgs> args, std::string name, std::string description,
                     std::vector<Arg> own, Run run) {
  AccountArgs& a = *args;
  own.push_back(required(option("--delta", "target delta", &a.delta)));
  Arg accountant = option("--accountant", "rdp, pld or auto (both, the smaller epsilon)", &a.accountant);
  accountant.show_default = true;
  own.push_back(accountant);
  own.push_back(option("--json", "print JSON", &a.json));
  return make_command(std::move(name), std::move(description), "", args, run, std::move(own));
}

// dpsgd and gaussian: the noise is given (`noise`), or calibrated to a target --epsilon; one
// of the two, not both.
Command calibrated_kind(std::shared_ptr<AccountArgs> args, std::string name, std::string description, Arg noise,
                        std::string epsilon_help, std::vector<Arg> own, Run run) {
  noise.given = &args->noise_given;
  Arg epsilon = option("--epsilon", std::move(epsilon_help), &args->epsilon);
  epsilon.given = &args->epsilon_given;
  const std::string noise_name = noise.names;
  own.insert(own.begin(), {noise, epsilon});
  Command command = account_kind(args, std::move(name), std::move(description), std::move(own), run);
  command.exclusive = {{noise_name, "--epsilon"}};
  command.action = [args, run, noise_name](Io& io) {
    if (args->noise_given + args->epsilon_given == 0) return invalid(io, "give " + noise_name + " or --epsilon");
    return run(*args, io);
  };
  return command;
}

Arg with_default(Arg arg) {
  arg.show_default = true;
  return arg;
}

}  // namespace

Command account_command() {
  auto args = std::make_shared<AccountArgs>();
  AccountArgs& a = *args;
  Command account{.name = "account", .description = "Privacy accounting of one mechanism, without a spec"};
  account.subcommands = {
      calibrated_kind(args, "dpsgd", "DP-SGD: Poisson-subsampled Gaussian over steps",
                      option("--noise-multiplier", "noise std / clipping norm", &a.noise_multiplier),
                      "target epsilon: calibrates the noise multiplier",
                      {required(option("--sampling-rate", "Poisson sampling rate q", &a.sampling_rate)),
                       required(option("--steps", "number of steps", &a.steps))},
                      run_dpsgd),
      calibrated_kind(args, "gaussian", "Gaussian mechanism", option("--sigma", "noise standard deviation", &a.sigma),
                      "target epsilon: calibrates sigma",
                      {with_default(option("--sensitivity", "L2 sensitivity", &a.sensitivity)),
                       with_default(option("--times", "number of uses", &a.times))},
                      run_gaussian),
      account_kind(args, "laplace", "Laplace mechanism",
                   {option("--epsilon", "epsilon per use", &a.epsilon), option("--scale", "noise scale b", &a.scale),
                    with_default(option("--sensitivity", "L1 sensitivity", &a.sensitivity)),
                    with_default(option("--times", "number of uses", &a.times))},
                   run_laplace),
      account_kind(args, "randomized-response", "k-ary randomized response (replace one value)",
                   {option("--keep", "probability of reporting the true value", &a.keep),
                    option("--epsilon", "epsilon per use", &a.epsilon),
                    required(option("--values", "number of values k", &a.values)),
                    with_default(option("--times", "number of uses", &a.times))},
                   run_rr),
      account_kind(args, "shuffle", "amplification by shuffling of local-DP reports",
                   {required(option("--local-epsilon", "local epsilon of each sender", &a.local_epsilon)),
                    required(option("--senders", "number of senders n", &a.senders))},
                   run_shuffle),
      account_kind(args, "discrete-gaussian", "discrete Gaussian mechanism (integer noise N_Z(0, sigma^2))",
                   {required(option("--sigma", "sigma of the discrete Gaussian", &a.sigma)),
                    with_default(option("--sensitivity", "sensitivity, a whole number", &a.sensitivity)),
                    with_default(option("--times", "number of uses", &a.times))},
                   run_discrete_gaussian),
      account_kind(args, "zcdp", "convert rho-zCDP to (epsilon, delta)", {required(option("--rho", "rho", &a.rho))},
                   run_zcdp),
  };
  return account;
}

}  // namespace privflow::cli
