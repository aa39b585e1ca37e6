// bench/inference, second table: a latent trait of 5 values and N binary likes given it, the
// factored engine (inference/factored.hpp) against the joint table. Each case runs in a child
// process so that its CPU time and peak memory are its own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/rational.hpp"
#include "inference/bayes_net.hpp"
#include "inference/factored.hpp"
#include "inference/measures.hpp"

using namespace privflow::inference;
using privflow::Rational;

namespace {

/// P(like | trait) in thousandths, as a spec's decimal tables are: `kinds` distinct tables.
BayesNet likes(std::size_t n, std::size_t kinds, std::mt19937& rng) {
  BayesNet net;
  net.add_field("trait", 5, {Rational(3, 10), Rational(1, 4), Rational(1, 5), Rational(3, 20), Rational(1, 10)});
  std::vector<std::vector<std::vector<Rational>>> tables(kinds);
  for (auto& t : tables)
    for (int v = 0; v < 5; ++v) {
      const Rational p(std::uniform_int_distribution<int>(20, 980)(rng), 1000);
      t.push_back({1 - p, p});
    }
  for (std::size_t i = 0; i < n; ++i) net.add_field("like" + std::to_string(i), 2, {0}, tables[i % kinds]);
  return net;
}

/// Runs `work` in a child; prints CPU seconds and peak resident MB with its result line.
void measured(const std::string& what, const std::function<std::string()>& work) {
  int fds[2];
  if (pipe(fds) != 0) return;
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    const std::string line = work();
    (void)!write(fds[1], line.data(), line.size());
    _exit(0);
  }
  close(fds[1]);
  char buffer[512] = {};
  const ssize_t got = read(fds[0], buffer, sizeof buffer - 1);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  std::printf("%-40s %9.3f s %8.1f MB  %s\n", what.c_str(), cpu, static_cast<double>(usage.ru_maxrss) / 1024.0,
              got > 0 ? buffer : "(failed)");
}

std::string factored_case(const BayesNet& net) {
  std::vector<FieldView> views;
  for (FieldId f = 1; f < net.size(); ++f) views.push_back({f, *Channel::projection(Domain{{2}}, {0})});
  auto model = factor(net, 0, views);
  if (!model) return model.error();
  const auto v = model->posterior_vulnerability();
  const auto post = model->max_posterior(4);
  const auto bits = log2_up(v.value / model->prior_vulnerability());
  return std::string(v.exact ? "exact " : "bound ") + privflow::format_up(bits.value, 4) + " bits" +
         (v.exact ? "" : " (exact ≥ " + privflow::format_double(std::floor(std::log2(privflow::to_double_down(v.lower / model->prior_vulnerability())) * 1e4) / 1e4) + ")") +
         ", max P(trait=4|likes) " + privflow::format_up(post.value, 4) + (post.exact ? "" : " (bound)") + ", " +
         std::to_string(model->groups().size()) + " groups";
}

std::string joint_case(const BayesNet& net) {
  std::vector<FieldId> all(net.size());
  for (FieldId f = 0; f < net.size(); ++f) all[f] = f;
  auto obs = observe_fields(net, 0, std::vector<FieldId>(all.begin() + 1, all.end()));
  if (!obs) return obs.error();
  return "exact " + privflow::format_up(min_entropy_leakage(*obs).value, 4) + " bits, max P(trait=4|likes) " +
         privflow::format_up(max_posterior(*obs, 4).value, 4);
}

/// The likes seen only through their count (a `map` of one additive score, ScoreView).
std::string score_case(const BayesNet& net) {
  ScoreView view;
  for (FieldId f = 1; f < net.size(); ++f) view.terms.push_back({f, {{0}, {1}}});
  view.offset = {0};
  view.output = [](const ScoreView::Scores& s) -> std::optional<std::uint64_t> { return s[0].get_ui(); };
  auto model = factor(net, 0, {}, {view});
  if (!model) return model.error();
  const auto v = model->posterior_vulnerability();
  const auto bits = log2_up(v.value / model->prior_vulnerability());
  return std::string(v.exact ? "exact " : "bound ") + privflow::format_up(bits.value, 4) + " bits, max P(trait=4|count) " +
         privflow::format_up(model->max_posterior(4).value, 4);
}

}  // namespace

void factored_table() {
  std::printf("\nlatent trait (5 values), N binary likes given it, all seen in the clear\n");
  std::printf("%-40s %11s %11s  %s\n", "case", "cpu time", "peak RSS", "result");
  for (std::size_t kinds : {std::size_t{1}, std::size_t{5}, std::size_t{0}}) {
    for (std::size_t n : {10, 20, 50, 100, 200, 500, 1000}) {
      std::mt19937 rng(7);
      const std::size_t k = kinds == 0 ? n : kinds;  // 0: every like its own table
      const BayesNet net = likes(n, k, rng);
      const std::string label = std::to_string(n) + " likes, " + (kinds == 0 ? "all distinct" : std::to_string(k) + " kind(s)");
      measured("factored: " + label, [&] { return factored_case(net); });
      if (n <= 10) measured("joint table: " + label, [&] { return joint_case(net); });
    }
  }
  std::printf("\nthe same likes seen only through their count (a map of one additive score)\n");
  std::printf("%-40s %11s %11s  %s\n", "case", "cpu time", "peak RSS", "result");
  for (std::size_t kinds : {std::size_t{1}, std::size_t{0}}) {
    for (std::size_t n : {10, 100, 500, 1000}) {
      std::mt19937 rng(7);
      const std::size_t k = kinds == 0 ? n : kinds;
      const BayesNet net = likes(n, k, rng);
      measured("score: " + std::to_string(n) + " likes, " + (kinds == 0 ? "all distinct" : "1 kind"),
               [&] { return score_case(net); });
    }
  }
}
