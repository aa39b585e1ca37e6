// `privflow account KIND …`: the standalone accountant (the same numbers as dp/).
#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "base/text.hpp"
#include "cli/account_input.hpp"
#include "cli/commands.hpp"
#include "dp/accountant.hpp"
#include "dp/tree_aggregation.hpp"
#include "flow/catalogue.hpp"

namespace privflow::cli {
namespace {

using account_input::invalid;
using account_input::number;
using account_input::whole;

struct AccountArgs {
  std::string accountant = "auto";
  bool json = false;
  std::string delta;
  // mechanism parameters, as written (parsed exactly)
  std::string noise_multiplier, sampling_rate, steps, epsilon, sigma, sensitivity = "1", times = "1", scale, keep,
      values, local_epsilon, senders, rho;
  std::string neighbouring = "add-remove", sampling = "poisson";  // dpsgd
  std::string tolerance = "0.001";  // relative width of the PLD's certified bracket (dp::PldOptions)
  // dpsgd and gaussian: how often the noise (--noise-multiplier, --sigma) and --epsilon were given
  std::size_t noise_given = 0, epsilon_given = 0;
  // attack figures of the same mechanism: --tpr-at-fpr F, --reconstruction-prior K
  std::string tpr_at_fpr, reconstruction_prior;
  // tree-aggregation and matrix-factorization (DP-FTRL)
  std::string epochs = "1", coefficients, min_separation, strategy_sensitivity;
  bool completion = false;
  std::string answers = "1", k;  // sparse-vector, top-k
};

/// Doubles for parameters where a larger value is less private are rounded up, and for
/// noise (where a smaller value is less private) rounded down.
double up(const Rational& q) { return to_double_up(q); }
double down(const Rational& q) { return to_double_down(q); }

/// Calibration targets above this take the PLD search through ever wider loss grids (fuzz_account:
/// dpsgd --epsilon 1e122 --accountant pld took 11 s) for a noise that protects nothing.
const Rational kMaxCalibratedEpsilon(1000);

std::string num_up(double x) { return std::isfinite(x) ? format_double_up(x, 6) : "inf"; }

/// The sound double itself, every digit (null for ∞); the 6-digit text goes beside it.
nlohmann::json json_number_up(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

std::optional<dp::Accountant> parse_accountant(const std::string& s) {
  if (s == "rdp") return dp::Accountant::kRdp;
  if (s == "pld") return dp::Accountant::kPld;
  if (s == "auto") return dp::Accountant::kAuto;
  return std::nullopt;
}

/// An attack's success bound from the mechanism's trade-off curve (dp/tradeoff.cpp): the TPR of
/// the best membership test at an FPR, or a reconstruction's success at a prior's baseline κ.
struct AttackFigure {
  const char* key;   // JSON key and text label
  const char* at_name;  // what the rate is: "fpr" or "prior"
  double at = 0;
  dp::TradeoffResult result;
};

/// The shared part of every kind: accountant, δ, and the output format.
struct Common {
  dp::Accountant accountant = dp::Accountant::kAuto;
  double delta = 0;        // rounded down: the stricter question
  double shown_delta = 0;  // the δ as written (nearest double), for output only
  std::vector<AttackFigure> attacks;
  dp::PldOptions pld;      // --tolerance
  // figures of the mechanism itself, printed before ε (DP-FTRL: sensitivity, μ, ρ)
  std::vector<std::pair<std::string, std::string>> figures;
  nlohmann::json json_figures = nlohmann::json::object();
};

/// Prints an ε answer: text (two lines) or JSON.
int print_epsilon(const dp::EpsilonResult& r, const Common& c, const AccountArgs& a, Io& io,
                  std::optional<double> calibrated = std::nullopt, const char* calibrated_name = "noise_multiplier",
                  const std::string& calibration_how = "") {
  if (a.json) {
    nlohmann::json j;
    j["epsilon"] = r.infinite ? nlohmann::json(nullptr) : json_number_up(r.value);
    j["epsilon_text"] = r.infinite ? std::string("inf") : num_up(r.value);
    j["infinite"] = r.infinite;
    j["delta"] = c.shown_delta;
    j["accountant"] = std::string(dp::to_string(r.accountant));
    if (r.exact) j["epsilon_exact"] = format_exact(*r.exact);
    if (r.order > 0) j["order"] = r.order;
    if (r.discretization > 0) j["discretization"] = r.discretization;
    if (r.discretization > 0) j["tail_mass"] = json_number_up(r.tail_mass);
    if (calibrated) j[calibrated_name] = *calibrated;
    if (!a.sampling_rate.empty()) j["neighbouring"] = a.neighbouring, j["sampling"] = a.sampling;  // dpsgd
    j["how"] = calibration_how.empty() ? r.how : calibration_how;
    for (const auto& f : c.attacks)
    {
      j[f.key] = {{f.at_name, f.at}, {"tpr", json_number_up(f.result.tpr)}, {"tpr_text", num_up(f.result.tpr)}, {"how", f.result.how}};
      if (!f.result.curve.empty()) j[f.key]["curve"] = f.result.curve;
    }
    for (const auto& [key, value] : c.json_figures.items()) j[key] = value;
    io.out << j.dump(2) << "\n";
    return 0;
  }
  if (calibrated) {
    io.out << calibrated_name << " = " << format_double(*calibrated) << "  (epsilon " << num_up(r.value)
           << " at delta " << format_double(c.shown_delta) << ")\n";
    io.out << "how: " << calibration_how << "\n";
    return 0;
  }
  for (const auto& [name, text] : c.figures) io.out << name << " = " << text << "\n";
  io.out << "epsilon = " << (r.infinite ? std::string("inf") : num_up(r.value));
  if (r.exact) io.out << " (exactly " << format_exact(*r.exact) << ")";
  io.out << " at delta = " << format_double(c.shown_delta) << "\n";
  io.out << "how: " << r.how << "\n";
  for (const auto& f : c.attacks)
    io.out << f.key << " at " << f.at_name << " " << format_double(f.at) << ": tpr <= " << num_up(f.result.tpr)
           << "\nhow: " << f.result.how << "\n";
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
  auto tol = number(a.tolerance, "tolerance", io);
  if (!tol) return std::nullopt;
  if (sgn(*tol) <= 0 || *tol > Rational(1, 2)) {
    invalid(io, "--tolerance must be in (0, 0.5]");
    return std::nullopt;
  }
  c.pld.tolerance = down(*tol);
  c.pld.adaptive = true;  // one question: the grid adapts to it (calibrations keep the fixed grid)
  {  // the nearest double to what was written (GMP's get_d truncates)
    const double lo = to_double_down(*d), hi = to_double_up(*d);
    c.shown_delta = (Rational(hi) - *d < *d - Rational(lo)) ? hi : lo;
  }
  return c;
}

/// A rate given on the command line: in (0, 1) (or (0, 1] with `one_allowed`), rounded up (every
/// attack bound grows with it). nullopt after an error; 0 when not given.
std::optional<double> attack_rate(const std::string& text, const char* name, bool one_allowed, Io& io) {
  if (text.empty()) return 0.0;
  auto q = number(text, name, io);
  if (!q) return std::nullopt;
  if (sgn(*q) <= 0 || *q > 1 || (!one_allowed && *q == 1)) {
    invalid(io, std::string("--") + name + " must be in (0, 1" + (one_allowed ? "]" : ")"));
    return std::nullopt;
  }
  return up(*q);
}

/// --tpr-at-fpr (the mechanism's own relation: membership) and --reconstruction-prior (the
/// smaller of its replace-one and, unless it is declared replace, add/remove curves; Hayes,
/// Mahloujifar & Balle 2023) for the composition of `m`.
bool add_attacks(const dp::Mechanism& m, const AccountArgs& a, Common& c, Io& io) {
  auto fpr = attack_rate(a.tpr_at_fpr, "tpr-at-fpr", false, io);
  auto prior = attack_rate(a.reconstruction_prior, "reconstruction-prior", true, io);
  if (!fpr || !prior) return false;
  if (*fpr > 0) {
    dp::Composition comp;
    comp.add(m);
    c.attacks.push_back({"membership", "fpr", *fpr, comp.tpr_at_fpr(*fpr, c.accountant)});
  }
  if (*prior > 0)
    c.attacks.push_back({"reconstruction", "prior", *prior, dp::reconstruction_tpr({m}, *prior, c.accountant)});
  return true;
}

/// The attack options apply to a mechanism's own figures, not to a calibration or shuffling.
int refuse_attacks(const AccountArgs& a, const char* why, Io& io) {
  const char* name = !a.tpr_at_fpr.empty() ? "--tpr-at-fpr" : "--reconstruction-prior";
  return invalid(io, std::string(name) + " is not available " + why);
}

bool attacks_given(const AccountArgs& a) { return !a.tpr_at_fpr.empty() || !a.reconstruction_prior.empty(); }

int run_composition(const dp::Mechanism& m, const AccountArgs& a, Io& io, const Common* prepared = nullptr) {
  auto c = prepared ? std::optional<Common>(*prepared) : common(a, io);
  if (!c) return static_cast<int>(ExitStatus::kInvalid);
  dp::Composition comp;
  comp.pld_options = c->pld;
  std::string err;
  if (!comp.add(m, &err)) return invalid(io, err);
  if (!add_attacks(m, a, *c, io)) return static_cast<int>(ExitStatus::kInvalid);
  return print_epsilon(comp.epsilon(c->delta, c->accountant), *c, a, io);
}

/// dpsgd's --neighbouring and --sampling.
std::optional<std::pair<dp::Neighbouring, dp::Sampling>> dpsgd_relation(const AccountArgs& a, Io& io) {
  if (a.neighbouring != "add-remove" && a.neighbouring != "replace") {
    invalid(io, "--neighbouring must be add-remove or replace");
    return std::nullopt;
  }
  if (a.sampling != "poisson" && a.sampling != "fixed-size") {
    invalid(io, "--sampling must be poisson or fixed-size");
    return std::nullopt;
  }
  return std::make_pair(a.neighbouring == "replace" ? dp::Neighbouring::kReplace : dp::Neighbouring::kAddRemove,
                        a.sampling == "fixed-size" ? dp::Sampling::kFixedSize : dp::Sampling::kPoisson);
}

int run_dpsgd(const AccountArgs& a, Io& io) {
  auto c = common(a, io);
  if (!c) return static_cast<int>(ExitStatus::kInvalid);
  const auto relation = dpsgd_relation(a, io);
  if (!relation) return static_cast<int>(ExitStatus::kInvalid);
  const auto [neighbouring, sampling] = *relation;
  auto q = number(a.sampling_rate, "sampling-rate", io);
  auto t = whole(a.steps, "steps", io);
  if (!q || !t) return static_cast<int>(ExitStatus::kInvalid);
  const double rate = up(*q);
  if (!(rate > 0 && rate <= 1)) return invalid(io, "--sampling-rate must be in (0, 1]");
  if (!a.epsilon.empty()) {
    auto e = number(a.epsilon, "epsilon", io);
    if (!e) return static_cast<int>(ExitStatus::kInvalid);
    if (sgn(*e) < 0) return invalid(io, "--epsilon must be >= 0");
    if (*e > kMaxCalibratedEpsilon) return invalid(io, "--epsilon above 1000 cannot be calibrated (it protects nothing)");
    if (c->delta <= 0) return invalid(io, "calibration needs --delta > 0");
    if (attacks_given(a)) return refuse_attacks(a, "with --epsilon (calibration): give the noise", io);
    auto r = dp::calibrate_dpsgd(down(*e), c->delta, rate, *t, c->accountant, 1e-3, {}, neighbouring, sampling);
    if (!r.found) return invalid(io, "no noise multiplier meets the target" + (r.how.empty() ? "" : ": " + r.how));
    return print_epsilon(r.achieved, *c, a, io, r.value, "noise_multiplier", r.how);
  }
  auto z = number(a.noise_multiplier, "noise-multiplier", io);
  if (!z) return static_cast<int>(ExitStatus::kInvalid);
  return run_composition(dp::Mechanism::subsampled_gaussian(down(*z), rate).with(neighbouring).with(sampling).repeated(*t),
                         a, io);
}

/// --sampling-rate of laplace, randomized-response and gaussian: the Poisson sample's rate q
/// (rounded up: a larger rate is less private), 1 when not given; nullopt (reported) if invalid.
std::optional<double> poisson_rate(const AccountArgs& a, Io& io) {
  if (a.sampling_rate.empty()) return 1.0;
  auto q = number(a.sampling_rate, "sampling-rate", io);
  if (!q) return std::nullopt;
  const double rate = up(*q);
  if (!(sgn(*q) > 0 && rate <= 1)) {
    invalid(io, "--sampling-rate must be in (0, 1]");
    return std::nullopt;
  }
  return rate;
}

int run_gaussian(const AccountArgs& a, Io& io) {
  auto s = number(a.sensitivity, "sensitivity", io);
  auto k = whole(a.times, "times", io);
  if (!s || !k) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*s) <= 0) return invalid(io, "--sensitivity must be > 0");
  const auto rate = poisson_rate(a, io);
  if (!rate) return static_cast<int>(ExitStatus::kInvalid);
  if (!a.epsilon.empty()) {
    auto c = common(a, io);
    auto e = number(a.epsilon, "epsilon", io);
    if (!c || !e) return static_cast<int>(ExitStatus::kInvalid);
    if (sgn(*e) < 0) return invalid(io, "--epsilon must be >= 0");
    if (*e > kMaxCalibratedEpsilon) return invalid(io, "--epsilon above 1000 cannot be calibrated (it protects nothing)");
    if (c->delta <= 0) return invalid(io, "calibration needs --delta > 0");
    if (attacks_given(a)) return refuse_attacks(a, "with --epsilon (calibration): give the noise", io);
    // On a Poisson sample the Gaussian is DP-SGD's subsampled Gaussian: its calibration.
    auto r = *rate < 1 ? dp::calibrate_dpsgd(down(*e), c->delta, *rate, *k, c->accountant)
                       : dp::calibrate_gaussian(down(*e), c->delta, *k, c->accountant);
    if (!r.found) return invalid(io, "no noise meets the target" + (r.how.empty() ? "" : ": " + r.how));
    return print_epsilon(r.achieved, *c, a, io, r.value * up(*s), "sigma", r.how);
  }
  auto sigma = number(a.sigma, "sigma", io);
  if (!sigma) return static_cast<int>(ExitStatus::kInvalid);
  Rational z = *sigma / *s;
  return run_composition(dp::Mechanism::gaussian(down(z)).poisson_sampled(*rate).repeated(*k), a, io);
}

/// Laplace under replace-one: x swapped for x', each within the sensitivity Δ of the rest's
/// output, so 2Δ apart. Unsampled: pure 2ε. On a Poisson sample: the PLD of the substitution
/// pair q·Lap(−Δ) + (1−q)·Lap(0) against q·Lap(Δ) + (1−q)·Lap(0) both ways, as a spec's sampled
/// laplace under a value question (analyzer/subsampling.cpp, sampled_laplace, factor 2); its pure
/// ε the smaller of log(1 + q(e^{2ε} − 1)) (Balle, Barthe & Gaboardi 2018, Thm 2) and twice
/// log(1 + q(e^ε − 1)) (Thm 8, x removed then x' added), never above 2ε.
int run_laplace_replace(const Rational& eps, double rate, std::uint64_t times, const AccountArgs& a, Io& io) {
  Rational doubled = eps * 2;
  doubled.canonicalize();
  if (rate >= 1) return run_composition(dp::Mechanism::laplace(doubled).repeated(times), a, io);
  return run_composition(dp::Mechanism::sampled_laplace_replace(eps, rate, Rational(2)).repeated(times), a, io);
}

int run_laplace(const AccountArgs& a, Io& io) {
  auto s = number(a.sensitivity, "sensitivity", io);
  auto k = whole(a.times, "times", io);
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
  const auto rate = poisson_rate(a, io);
  if (!rate) return static_cast<int>(ExitStatus::kInvalid);
  if (a.neighbouring != "add-remove" && a.neighbouring != "replace")
    return invalid(io, "--neighbouring must be add-remove or replace");
  if (a.neighbouring == "replace") return run_laplace_replace(eps, *rate, *k, a, io);
  return run_composition(dp::Mechanism::laplace(eps).poisson_sampled(*rate).repeated(*k), a, io);
}

int run_rr(const AccountArgs& a, Io& io) {
  auto k = whole(a.times, "times", io);
  auto v = whole(a.values, "values", io);
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
  const auto rate = poisson_rate(a, io);
  if (!rate) return static_cast<int>(ExitStatus::kInvalid);
  return run_composition(m.with(dp::Neighbouring::kReplace).poisson_sampled(*rate).repeated(*k), a, io);
}

int run_shuffle(const AccountArgs& a, Io& io) {
  auto c = common(a, io);
  auto e = number(a.local_epsilon, "local-epsilon", io);
  auto n = whole(a.senders, "senders", io);
  if (!c || !e || !n) return static_cast<int>(ExitStatus::kInvalid);
  if (c->delta <= 0) return invalid(io, "--delta must be > 0 for shuffling");
  if (attacks_given(a)) return refuse_attacks(a, "for shuffle", io);
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
    nlohmann::json j{{"epsilon", json_number_up(r.value)}, {"epsilon_text", num_up(r.value)},
                     {"delta", c->shown_delta}, {"accountant", "shuffle"},
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
  auto s = whole(a.sensitivity, "sensitivity", io);
  auto k = whole(a.times, "times", io);
  if (!sigma || !s || !k) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*sigma) <= 0) return invalid(io, "--sigma must be > 0");
  return run_composition(dp::Mechanism::discrete_gaussian(down(*sigma), *s).repeated(*k), a, io);
}

/// DP-FTRL's Gaussian of a linear map's L2 sensitivity (dp/tree_aggregation.hpp): the
/// sensitivity, μ = sensitivity / z (μ-GDP, exact) and ρ = μ² / 2 (zCDP) before ε.
int run_linear_gaussian(const AccountArgs& a, Io& io, const Rational& sensitivity_squared, const std::string& why) {
  auto c = common(a, io);
  auto z = number(a.noise_multiplier, "noise-multiplier", io);
  if (!c || !z) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*z) <= 0) return invalid(io, "--noise-multiplier must be > 0");
  if (sgn(sensitivity_squared) <= 0) return invalid(io, "--coefficients: the strategy's sensitivity is 0 (every band is 0)");
  const double z_eff = dp::effective_noise_multiplier(*z, sensitivity_squared);
  const Rational mu = Rational(1) / Rational(z_eff);
  const double mu_up = up(mu), rho_up = up(mu * mu / 2);
  c->figures = {{"sensitivity", "sqrt(" + format_exact(sensitivity_squared) + ") = " +
                                    format_double_up(std::sqrt(up(sensitivity_squared)), 6) + "  (" + why + ")"},
                {"mu", num_up(mu_up) + "  (Gaussian DP: sensitivity / noise multiplier)"},
                {"rho", num_up(rho_up) + "  (zCDP: mu^2 / 2)"}};
  c->json_figures = {{"sensitivity_squared", format_exact(sensitivity_squared)},
                     {"sensitivity_how", why},
                     {"mu", json_number_up(mu_up)},
                     {"rho", json_number_up(rho_up)}};
  return run_composition(dp::Mechanism::gaussian(z_eff), a, io, &*c);
}

/// Tree aggregation: --epochs trees (restarts) of --steps leaves, a record once per tree.
int run_tree_aggregation(const AccountArgs& a, Io& io) {
  auto t = whole(a.steps, "steps", io);
  auto e = whole(a.epochs, "epochs", io);
  if (!t || !e) return static_cast<int>(ExitStatus::kInvalid);
  const std::uint64_t nodes = dp::tree_nodes_per_leaf(*t, a.completion);
  const std::string why = std::to_string(nodes) + " tree nodes per leaf" + (a.completion ? " (tree completion)" : "") +
                          " x " + std::to_string(*e) + (*e == 1 ? " tree" : " trees");
  return run_linear_gaussian(a, io, dp::tree_sensitivity_squared(*t, *e, a.completion), why);
}

/// Parses --coefficients c0,c1,…: the first column of a banded Toeplitz strategy.
std::optional<std::vector<Rational>> coefficient_list(const std::string& text, Io& io) {
  std::vector<Rational> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    auto c = number(text.substr(start, comma - start), "coefficients", io);
    if (!c) return std::nullopt;
    out.push_back(*c);
    start = comma + 1;
  }
  if (out.size() > flow::kMaxListItems) {  // as a spec's `coefficients: [...]`
    invalid(io, "--coefficients: at most " + std::to_string(flow::kMaxListItems) + " bands");
    return std::nullopt;
  }
  return out;
}

/// A matrix-factorisation mechanism: --sensitivity given, or computed for a banded Toeplitz
/// strategy from --coefficients over --steps with --epochs participations --min-separation apart.
int run_matrix_factorization(const AccountArgs& a, Io& io) {
  if (a.strategy_sensitivity.empty() == a.coefficients.empty())
    return invalid(io, "give exactly one of --sensitivity and --coefficients");
  if (!a.strategy_sensitivity.empty()) {
    auto s = number(a.strategy_sensitivity, "sensitivity", io);
    if (!s) return static_cast<int>(ExitStatus::kInvalid);
    if (sgn(*s) <= 0) return invalid(io, "--sensitivity must be > 0");
    return run_linear_gaussian(a, io, *s * *s, "the strategy's sensitivity, as given");
  }
  if (a.steps.empty()) return invalid(io, "--coefficients needs --steps");
  auto coefficients = coefficient_list(a.coefficients, io);
  auto t = whole(a.steps, "steps", io);
  auto e = whole(a.epochs, "epochs", io);
  if (!coefficients || !t || !e) return static_cast<int>(ExitStatus::kInvalid);
  std::uint64_t separation = *t;
  if (*e > 1 || !a.min_separation.empty()) {
    if (a.min_separation.empty()) return invalid(io, "--epochs above 1 needs --min-separation");
    auto b = whole(a.min_separation, "min-separation", io);
    if (!b) return static_cast<int>(ExitStatus::kInvalid);
    separation = *b;
  }
  dp::BandedToeplitz strategy{*coefficients, *t, *e, separation};
  std::string error;
  auto squared = dp::banded_toeplitz_sensitivity_squared(strategy, &error);
  if (!squared) return invalid(io, "--coefficients: " + error);
  const std::string pattern = *e == 1 ? "1 participation"
                                       : std::to_string(*e) + " participations at least " + std::to_string(separation) +
                                             " steps apart";
  const std::string why = std::to_string(coefficients->size()) + "-banded Toeplitz, " + pattern +
                          " (Choquette-Choo et al. 2023, Thm 2)";
  return run_linear_gaussian(a, io, *squared, why);
}

/// The selection mechanisms of the catalogue (analyzer/release_profile.cpp, build_selection): sparse
/// vector and report noisy max are pure ε per run; one-shot top-k is k exponential mechanisms.
int run_selection(const AccountArgs& a, Io& io, std::uint64_t selections, bool bounded_range) {
  auto e = number(a.epsilon, "epsilon", io);
  auto t = whole(a.times, "times", io);
  if (!e || !t) return static_cast<int>(ExitStatus::kInvalid);
  if (sgn(*e) <= 0) return invalid(io, "--epsilon must be > 0");
  constexpr std::uint64_t kMaxUses = 1'000'000'000'000;  // as --times
  if (*t > kMaxUses / selections) return invalid(io, "--times x --k must be at most 10^12");
  const std::uint64_t uses = *t * selections;
  const dp::Mechanism one = bounded_range ? dp::Mechanism::exponential(*e) : dp::Mechanism::declared(*e);
  return run_composition(one.repeated(uses), a, io);
}
int run_sparse_vector(const AccountArgs& a, Io& io) {
  auto c = whole(a.answers, "answers", io);
  if (!c) return static_cast<int>(ExitStatus::kInvalid);
  return run_selection(a, io, 1, false);
}
int run_noisy_max(const AccountArgs& a, Io& io) { return run_selection(a, io, 1, false); }
int run_top_k(const AccountArgs& a, Io& io) {
  auto k = whole(a.k, "k", io);
  if (!k) return static_cast<int>(ExitStatus::kInvalid);
  return run_selection(a, io, *k, true);
}

using AccountRun = int (*)(const AccountArgs&, Io&);

Command account_kind(std::shared_ptr<AccountArgs> args, std::string name, std::string description,
                     std::vector<Arg> own, AccountRun run) {
  AccountArgs& a = *args;
  own.push_back(required(option("--delta", "target delta", &a.delta)));
  Arg accountant = option("--accountant", "rdp, pld or auto (both, the smaller epsilon)", &a.accountant);
  accountant.show_default = true;
  own.push_back(accountant);
  own.push_back(with_default(option("--tolerance",
                                    "PLD: refine the loss grid until the certified bracket is within this relative width",
                                    &a.tolerance)));
  own.push_back(option("--json", "print JSON", &a.json));
  own.push_back(option("--tpr-at-fpr", "also: the highest TPR of a membership test at this FPR", &a.tpr_at_fpr));
  own.push_back(option("--reconstruction-prior",
                       "also: the highest reconstruction success at this prior baseline (add/remove or replace-one curve)",
                       &a.reconstruction_prior));
  return make_command(std::move(name), std::move(description), "", args, run, std::move(own));
}

// dpsgd and gaussian: the noise is given (`noise`), or calibrated to a target --epsilon; one
// of the two, not both.
Command calibrated_kind(std::shared_ptr<AccountArgs> args, std::string name, std::string description, Arg noise,
                        std::string epsilon_help, std::vector<Arg> own, AccountRun run) {
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

}  // namespace

Command account_command() {
  auto args = std::make_shared<AccountArgs>();
  AccountArgs& a = *args;
  // The kinds inherit this footer: the spec commands' exit codes (1 violated, 3 undecided) do not apply.
  Command account{.name = "account",
                  .description = "Privacy accounting of one mechanism, without a spec",
                  .footer = "Exit codes: 0 answered, 2 invalid command line (or no noise meets the target),\n"
                            "4 internal failure. Numbers are written as in a spec: 1_000, 0.01, 1e-5, 1/3."};
  account.subcommands = {
      calibrated_kind(args, "dpsgd", "DP-SGD: subsampled Gaussian over steps",
                      option("--noise-multiplier", "noise std / clipping norm", &a.noise_multiplier),
                      "target epsilon: calibrates the noise multiplier",
                      {required(option("--sampling-rate", "sampling rate q (batch size / records when fixed-size)",
                                       &a.sampling_rate)),
                       required(option("--steps", "number of steps", &a.steps)),
                       with_default(option("--neighbouring", "add-remove or replace (one record swapped for another)",
                                           &a.neighbouring)),
                       with_default(option("--sampling", "poisson or fixed-size (batches drawn without replacement)",
                                           &a.sampling))},
                      run_dpsgd),
      calibrated_kind(args, "gaussian", "Gaussian mechanism", option("--sigma", "noise standard deviation", &a.sigma),
                      "target epsilon: calibrates sigma",
                      {with_default(option("--sensitivity", "L2 sensitivity", &a.sensitivity)),
                       with_default(option("--times", "number of uses", &a.times)),
                       option("--sampling-rate", "on a Poisson sample of this rate q (add/remove; subsampled Gaussian)",
                              &a.sampling_rate)},
                      run_gaussian),
      account_kind(args, "laplace", "Laplace mechanism",
                   {option("--epsilon", "epsilon per use", &a.epsilon), option("--scale", "noise scale b", &a.scale),
                    with_default(option("--sensitivity", "L1 sensitivity", &a.sensitivity)),
                    with_default(option("--times", "number of uses", &a.times)),
                    option("--sampling-rate", "on a Poisson sample of this rate q (PLD of Zhu-Dong-Wang 2022)",
                           &a.sampling_rate),
                    with_default(option("--neighbouring",
                                        "add-remove or replace (one record swapped for another, each within "
                                        "--sensitivity of the rest: 2x apart; sampled: PLD of the substitution pair)",
                                        &a.neighbouring))},
                   run_laplace),
      account_kind(args, "randomized-response", "k-ary randomized response (replace one value)",
                   {option("--keep", "probability of reporting the true value", &a.keep),
                    option("--epsilon", "epsilon per use", &a.epsilon),
                    required(option("--values", "number of values k", &a.values)),
                    with_default(option("--times", "number of uses", &a.times)),
                    option("--sampling-rate", "each report sent with this probability q (its absence seen)",
                           &a.sampling_rate)},
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
      account_kind(args, "sparse-vector",
                   "sparse vector (AboveThreshold, Lyu-Su-Li 2017 Alg. 1): pure epsilon per run, any number of queries",
                   {required(option("--epsilon", "epsilon of one run (threshold + queries)", &a.epsilon)),
                    with_default(option("--answers", "answers above the threshold before it stops", &a.answers)),
                    with_default(option("--times", "number of runs", &a.times))},
                   run_sparse_vector),
      account_kind(args, "report-noisy-max", "report noisy max (Laplace noise 2*sensitivity/epsilon): pure epsilon",
                   {required(option("--epsilon", "epsilon per use", &a.epsilon)),
                    with_default(option("--times", "number of uses", &a.times))},
                   run_noisy_max),
      account_kind(args, "top-k", "one-shot top-k with Gumbel noise: k exponential mechanisms (Durfee-Rogers 2019)",
                   {required(option("--epsilon", "epsilon of each selection", &a.epsilon)),
                    required(option("--k", "number of items selected", &a.k)),
                    with_default(option("--times", "number of uses", &a.times))},
                   run_top_k),
      account_kind(args, "zcdp", "convert rho-zCDP to (epsilon, delta)", {required(option("--rho", "rho", &a.rho))},
                   run_zcdp),
      account_kind(args, "tree-aggregation", "DP-FTRL tree aggregation (Gaussian noise on every tree node)",
                   {required(option("--noise-multiplier", "noise std per node / clipping norm", &a.noise_multiplier)),
                    required(option("--steps", "steps per tree (per epoch)", &a.steps)),
                    with_default(option("--epochs", "trees: the tree restarts every epoch, a record once per tree",
                                        &a.epochs)),
                    option("--completion", "tree completion: each tree padded to 2^k leaves, its root released",
                           &a.completion)},
                   run_tree_aggregation),
      account_kind(args, "matrix-factorization", "matrix-factorisation mechanism (DP-FTRL with a strategy C)",
                   {required(option("--noise-multiplier", "noise std / clipping norm", &a.noise_multiplier)),
                    option("--sensitivity", "the strategy's sensitivity under its participation pattern",
                           &a.strategy_sensitivity),
                    option("--coefficients", "banded Toeplitz strategy: its bands c0,c1,... (instead of --sensitivity)",
                           &a.coefficients),
                    option("--steps", "with --coefficients: steps n", &a.steps),
                    with_default(option("--epochs", "with --coefficients: participations of a record", &a.epochs)),
                    option("--min-separation", "with --coefficients: fewest steps between two participations",
                           &a.min_separation)},
                   run_matrix_factorization),
  };
  for (Command& kind : local_randomizer_account_kinds()) account.subcommands.push_back(std::move(kind));
  for (Command& kind : network_account_kinds()) account.subcommands.push_back(std::move(kind));
  return account;
}

}  // namespace privflow::cli
