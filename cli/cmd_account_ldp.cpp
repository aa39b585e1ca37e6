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


int print(const dp::ldp::Answer& r, const LdpArgs& a, Io& io) {
  if (a.json) {
    nlohmann::json j{{"epsilon", json_up(r.all)}, {"epsilon_text", text_up(r.all)},
                     {"epsilon_one_report", json_up(r.one)}, {"times", r.times}, {"delta", 0},
                     {"local", true}, {"how", r.how}};
    if (r.permanent) j["epsilon_permanent"] = json_up(*r.permanent);
    if (r.variance) j["variance"] = json_up(*r.variance), j["reports"] = r.reports;
    io.out << j.dump(2) << "\n";
    return 0;
  }
  io.out << "epsilon = " << text_up(r.all) << " (local, delta = 0)";
  if (r.times > 1) io.out << " for " << r.times << " reports of the same value; one report " << text_up(r.one);
  io.out << "\n";
  if (r.permanent) io.out << "epsilon permanent = " << text_up(*r.permanent) << " (any number of reports)\n";
  if (r.variance)
    io.out << "variance = " << text_up(*r.variance) << " (count estimate of one value over " << r.reports
           << " reports, standard deviation " << text_up(std::sqrt(*r.variance)) << ")\n";
  io.out << "how: " << r.how << "\n";
  return 0;
}

/// --times and --reports, shared by every kind.
struct Repetitions {
  std::uint64_t times = 1, reports = 0;
};
std::optional<Repetitions> repetitions(const LdpArgs& a, Io& io) {
  Repetitions r;
  auto t = whole(a.times, "times", io);
  if (!t) return std::nullopt;
  r.times = *t;
  if (!a.reports.empty()) {
    auto n = whole(a.reports, "reports", io);
    if (!n) return std::nullopt;
    r.reports = *n;
  }
  return r;
}

constexpr int kInvalid = static_cast<int>(ExitStatus::kInvalid);

int run_rappor(const LdpArgs& a, Io& io) {
  auto f = probability(a.f, "f", io);
  auto p = probability(a.p, "p", io);
  auto q = probability(a.q, "q", io);
  auto h = whole(a.hashes, "hashes", io);
  auto n = repetitions(a, io);
  if (!f || !p || !q || !h || !n) return kInvalid;
  // Probabilities rounded so that the randomization is less random: a larger ε.
  dp::ldp::Rappor rap{to_double_down(*f), to_double_down(*p), to_double_up(*q), *h, 0};
  if (rap.q <= rap.p && rap.f < 1) return invalid(io, "--q must be above --p");
  return print(dp::ldp::rappor_answer(rap, n->times, n->reports), a, io);
}

int run_unary(const LdpArgs& a, Io& io) {
  auto n = repetitions(a, io);
  if (!n) return kInvalid;
  if (a.epsilon.empty() == a.p.empty()) return invalid(io, "give exactly one of --epsilon and --p");
  if (!a.epsilon.empty()) {
    auto e = positive_epsilon(a.epsilon, io);
    if (!e) return kInvalid;
    if (a.variant != "oue" && a.variant != "sue") return invalid(io, "--variant must be oue or sue");
    const auto variant = a.variant == "oue" ? dp::ldp::UnaryVariant::kOptimized : dp::ldp::UnaryVariant::kSymmetric;
    return print(dp::ldp::unary_answer(*e, variant, n->times, n->reports), a, io);
  }
  auto pp = probability(a.p, "p", io);
  auto qq = probability(a.q.empty() ? std::string("1/2") : a.q, "q", io);
  if (!pp || !qq) return kInvalid;
  const double p = to_double_down(*pp), q = to_double_up(*qq);
  if (q <= p) return invalid(io, "--q must be above --p");
  return print(dp::ldp::unary_answer(p, q, n->times, n->reports), a, io);
}

int run_local_hashing(const LdpArgs& a, Io& io) {
  auto e = positive_epsilon(a.epsilon, io);
  auto n = repetitions(a, io);
  if (!e || !n) return kInvalid;
  std::optional<std::uint64_t> range;
  if (!a.range.empty()) {
    range = whole(a.range, "range", io);
    if (!range) return kInvalid;
    if (*range < 2) return invalid(io, "--range must be at least 2");
  }
  return print(dp::ldp::local_hashing_answer(*e, range, n->times, n->reports), a, io);
}

int run_hadamard(const LdpArgs& a, Io& io) {
  auto e = positive_epsilon(a.epsilon, io);
  auto n = repetitions(a, io);
  if (!e || !n) return kInvalid;
  return print(dp::ldp::hadamard_answer(*e, n->times, n->reports), a, io);
}

int run_count_mean_sketch(const LdpArgs& a, Io& io) {
  auto e = positive_epsilon(a.epsilon, io);
  auto m = whole(a.width, "width", io);
  auto k = whole(a.sketch_hashes, "hashes", io);
  auto n = repetitions(a, io);
  if (!e || !m || !k || !n) return kInvalid;
  if (*m < 2) return invalid(io, "--width must be at least 2");
  return print(dp::ldp::count_mean_sketch_answer(*e, *m, *k, n->times, n->reports), a, io);
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
