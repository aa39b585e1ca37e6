// `privflow account rappor|unary-encoding|local-hashing|hadamard|count-mean-sketch …`: the local
// randomizers for frequency estimation (dp/local_randomizers.hpp): ε of one report, of several
// reports of the same value, and the variance of the count estimate of one value over n reports.
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
#include "dp/local_randomizers.hpp"

namespace privflow::cli {
namespace {

using account_input::invalid;
using account_input::json_up;
using account_input::number;
using account_input::text_up;
using account_input::whole;

struct LdpArgs {
  bool json = false;
  std::string epsilon, f, p, q, hashes = "1", times = "1", reports, variant = "oue", range, width = "1024";
  std::string sketch_hashes = "65536";
};

std::optional<Rational> probability(const std::string& text, const char* name, Io& io) {
  auto q = number(text, name, io);
  if (q && (sgn(*q) < 0 || *q > 1)) {
    invalid(io, std::string("--") + name + " is a probability and must be in [0, 1]");
    return std::nullopt;
  }
  return q;
}

std::optional<double> positive_epsilon(const std::string& text, Io& io) {
  auto e = number(text, "epsilon", io);
  if (!e) return std::nullopt;
  if (sgn(*e) <= 0 || *e > 700) {
    invalid(io, "--epsilon must be in (0, 700]");
    return std::nullopt;
  }
  return to_double_up(*e);
}


/// What every kind prints: ε of one report, of `times` reports, and the variance over n.
struct LdpAnswer {
  double epsilon_one = 0;
  double epsilon_times = 0;
  std::uint64_t times = 1;
  std::optional<double> epsilon_permanent;  // RAPPOR's ε∞
  std::optional<double> variance;           // Var* of one value's count over `reports`
  std::uint64_t reports = 0;
  std::string how;
};

int print(const LdpAnswer& r, const LdpArgs& a, Io& io) {
  if (a.json) {
    nlohmann::json j{{"epsilon", json_up(r.epsilon_times)}, {"epsilon_text", text_up(r.epsilon_times)},
                     {"epsilon_one_report", json_up(r.epsilon_one)}, {"times", r.times}, {"delta", 0},
                     {"local", true}, {"how", r.how}};
    if (r.epsilon_permanent) j["epsilon_permanent"] = json_up(*r.epsilon_permanent);
    if (r.variance) j["variance"] = json_up(*r.variance), j["reports"] = r.reports;
    io.out << j.dump(2) << "\n";
    return 0;
  }
  io.out << "epsilon = " << text_up(r.epsilon_times) << " (local, delta = 0)";
  if (r.times > 1) io.out << " for " << r.times << " reports of the same value; one report " << text_up(r.epsilon_one);
  io.out << "\n";
  if (r.epsilon_permanent) io.out << "epsilon permanent = " << text_up(*r.epsilon_permanent) << " (any number of reports)\n";
  if (r.variance)
    io.out << "variance = " << text_up(*r.variance) << " (count estimate of one value over " << r.reports
           << " reports, standard deviation " << text_up(std::sqrt(*r.variance)) << ")\n";
  io.out << "how: " << r.how << "\n";
  return 0;
}

/// --times and --reports, shared by every kind.
bool repetitions(const LdpArgs& a, LdpAnswer& r, Io& io) {
  auto t = whole(a.times, "times", io);
  if (!t) return false;
  r.times = *t;
  if (!a.reports.empty()) {
    auto n = whole(a.reports, "reports", io);
    if (!n) return false;
    r.reports = *n;
  }
  return true;
}

double composed(double one, std::uint64_t times) {
  const double x = one * static_cast<double>(times);
  return std::isfinite(x) ? std::nextafter(x, HUGE_VAL) : x;
}

int run_rappor(const LdpArgs& a, Io& io) {
  LdpAnswer r;
  auto f = probability(a.f, "f", io);
  auto p = probability(a.p, "p", io);
  auto q = probability(a.q, "q", io);
  auto h = whole(a.hashes, "hashes", io);
  if (!f || !p || !q || !h || !repetitions(a, r, io)) return static_cast<int>(ExitStatus::kInvalid);
  // Probabilities rounded so that the randomization is less random: a larger ε.
  dp::ldp::Rappor rap{to_double_down(*f), to_double_down(*p), to_double_up(*q), *h, 0};
  if (rap.q <= rap.p && rap.f < 1) return invalid(io, "--q must be above --p");
  r.epsilon_one = dp::ldp::rappor_epsilon_one(rap);
  r.epsilon_permanent = dp::ldp::rappor_epsilon_permanent(rap);
  r.epsilon_times = dp::ldp::rappor_epsilon(rap, r.times);
  if (r.reports) r.variance = dp::ldp::rappor_variance(rap, static_cast<double>(r.reports));
  r.how = "RAPPOR (Erlingsson, Pihur & Korolova 2014): one report h*ln(q*(1-p*)/(p*(1-q*))), q* = " +
          text_up(dp::ldp::rappor_q_star(rap)) + ", p* = " + text_up(dp::ldp::rappor_p_star(rap)) +
          "; reports of the same value at most the permanent response's 2h*ln((1-f/2)/(f/2))";
  if (r.variance) r.how += "; variance per Bloom bit, Wang et al. 2017 Thm 2";
  return print(r, a, io);
}

int run_unary(const LdpArgs& a, Io& io) {
  LdpAnswer r;
  if (!repetitions(a, r, io)) return static_cast<int>(ExitStatus::kInvalid);
  if (a.epsilon.empty() == a.p.empty()) return invalid(io, "give exactly one of --epsilon and --p");
  double p = 0, q = 0.5;
  if (!a.epsilon.empty()) {
    auto e = positive_epsilon(a.epsilon, io);
    if (!e) return static_cast<int>(ExitStatus::kInvalid);
    if (a.variant != "oue" && a.variant != "sue") return invalid(io, "--variant must be oue or sue");
    r.epsilon_one = *e;
    if (a.variant == "oue") {
      p = dp::ldp::oue_p(*e);
      r.how = "optimized unary encoding (Wang et al. 2017, Sec. 4.4): q = 1/2, p = 1/(e^epsilon + 1)";
    } else {
      q = dp::ldp::sue_q(*e);
      p = 1 - q;
      r.how = "symmetric unary encoding (basic RAPPOR; Wang et al. 2017, Sec. 4.3): q = e^(epsilon/2)/(e^(epsilon/2) + 1)";
    }
  } else {
    auto pp = probability(a.p, "p", io);
    auto qq = probability(a.q.empty() ? std::string("1/2") : a.q, "q", io);
    if (!pp || !qq) return static_cast<int>(ExitStatus::kInvalid);
    p = to_double_down(*pp);
    q = to_double_up(*qq);
    if (q <= p) return invalid(io, "--q must be above --p");
    r.epsilon_one = dp::ldp::unary_epsilon(p, q);
    r.how = "unary encoding (Wang et al. 2017, Thm 3): epsilon = ln(q(1-p)/(p(1-q)))";
  }
  r.epsilon_times = composed(r.epsilon_one, r.times);
  if (r.reports) r.variance = dp::ldp::unary_variance(p, q, static_cast<double>(r.reports));
  if (r.variance) r.how += "; variance Wang et al. 2017 Thm 2";
  return print(r, a, io);
}

int run_local_hashing(const LdpArgs& a, Io& io) {
  LdpAnswer r;
  auto e = positive_epsilon(a.epsilon, io);
  if (!e || !repetitions(a, r, io)) return static_cast<int>(ExitStatus::kInvalid);
  std::uint64_t g = dp::ldp::olh_range(*e);
  if (!a.range.empty()) {
    auto given = whole(a.range, "range", io);
    if (!given) return static_cast<int>(ExitStatus::kInvalid);
    if (*given < 2) return invalid(io, "--range must be at least 2");
    g = *given;
  }
  r.epsilon_one = *e;
  r.epsilon_times = composed(*e, r.times);
  if (r.reports) r.variance = dp::ldp::olh_variance(*e, g, static_cast<double>(r.reports));
  r.how = "local hashing onto " + std::to_string(g) + " values (Wang et al. 2017, Sec. 4.4" +
          (a.range.empty() ? ": optimized, g = e^epsilon + 1 rounded)" : ")") + ", randomized response on the hash";
  return print(r, a, io);
}

int run_hadamard(const LdpArgs& a, Io& io) {
  LdpAnswer r;
  auto e = positive_epsilon(a.epsilon, io);
  if (!e || !repetitions(a, r, io)) return static_cast<int>(ExitStatus::kInvalid);
  r.epsilon_one = *e;
  r.epsilon_times = composed(*e, r.times);
  if (r.reports) r.variance = dp::ldp::hadamard_variance(*e, static_cast<double>(r.reports));
  r.how = "Hadamard response (Acharya, Sun & Zhang 2019): the value's codeword half w.p. e^epsilon/(e^epsilon + 1)";
  return print(r, a, io);
}

int run_count_mean_sketch(const LdpArgs& a, Io& io) {
  LdpAnswer r;
  auto e = positive_epsilon(a.epsilon, io);
  auto m = whole(a.width, "width", io);
  auto k = whole(a.sketch_hashes, "hashes", io);
  if (!e || !m || !k || !repetitions(a, r, io)) return static_cast<int>(ExitStatus::kInvalid);
  if (*m < 2) return invalid(io, "--width must be at least 2");
  r.epsilon_one = *e;
  r.epsilon_times = composed(*e, r.times);
  if (r.reports) r.variance = dp::ldp::cms_variance(*e, *m, *k, static_cast<double>(r.reports));
  r.how = "Apple's count-mean sketch (2017): width " + std::to_string(*m) + ", " + std::to_string(*k) +
          " hash functions, each entry flipped w.p. 1/(1 + e^(epsilon/2))";
  if (r.variance)
    r.how += "; variance with the other reports on distinct values, plus (m/(m-1))^2 (m-1)/(k m^2) per pair of "
             "reports of one other value";
  return print(r, a, io);
}

using LdpRun = int (*)(const LdpArgs&, Io&);

Command ldp_kind(std::shared_ptr<LdpArgs> args, std::string name, std::string description, std::vector<Arg> own,
                 LdpRun run) {
  LdpArgs& a = *args;
  own.push_back(with_default(option("--times", "reports of the same value by one user", &a.times)));
  own.push_back(option("--reports", "also: the variance of one value's count over this many reports", &a.reports));
  own.push_back(option("--json", "print JSON", &a.json));
  return make_command(std::move(name), std::move(description), "", args, run, std::move(own));
}

}  // namespace

std::vector<Command> local_randomizer_account_kinds() {
  auto args = std::make_shared<LdpArgs>();
  LdpArgs& a = *args;
  return {
      ldp_kind(args, "rappor", "RAPPOR: Bloom filter, permanent and instantaneous randomized response (local)",
               {required(option("--f", "permanent randomized response: a bit becomes a fair coin w.p. f", &a.f)),
                required(option("--p", "instantaneous: probability of reporting 1 for a 0 bit", &a.p)),
                required(option("--q", "instantaneous: probability of reporting 1 for a 1 bit", &a.q)),
                with_default(option("--hashes", "Bloom filter hash functions h", &a.hashes))},
               run_rappor),
      ldp_kind(args, "unary-encoding", "unary encoding, OUE or SUE by epsilon, or by p and q (local)",
               {option("--epsilon", "epsilon of one report", &a.epsilon),
                with_default(option("--variant", "with --epsilon: oue or sue", &a.variant)),
                option("--p", "probability of reporting 1 for a 0 bit", &a.p),
                option("--q", "probability of reporting 1 for a 1 bit (with --p; default 1/2)", &a.q)},
               run_unary),
      ldp_kind(args, "local-hashing", "optimized local hashing (local)",
               {required(option("--epsilon", "epsilon of one report", &a.epsilon)),
                option("--range", "hash range g (default e^epsilon + 1, rounded)", &a.range)},
               run_local_hashing),
      ldp_kind(args, "hadamard", "Hadamard response (local)",
               {required(option("--epsilon", "epsilon of one report", &a.epsilon))}, run_hadamard),
      ldp_kind(args, "count-mean-sketch", "Apple's count-mean sketch (local)",
               {required(option("--epsilon", "epsilon of one report", &a.epsilon)),
                with_default(option("--width", "sketch width m", &a.width)),
                with_default(option("--hashes", "hash functions k (sketch rows)", &a.sketch_hashes))},
               run_count_mean_sketch),
  };
}

}  // namespace privflow::cli
