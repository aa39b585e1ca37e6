// bench/accounting: for each reference case, the median time of one ε query with each
// accountant (and of one calibration for the inverse cases), beside the fastest reference
// library of the same tightness (seconds_by_library of tests/dp/data/dp_reference.json).
// Then the side-by-side table of issue #17 (tests/dp/data/pld_adaptive_reference.json): the
// tightest peer value and its time, privflow's value, library time and whole-process CLI time
// (CPU of the child, `privflow account …` as a user types it), and the speed-ups.
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "dp/accountant.hpp"

using namespace privflow::dp;
using nlohmann::json;

namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double last_wall = 0;  // median wall time of the last measurement

/// Median CPU seconds of `runs` calls (the machine is shared: CPU time is what the reference's
/// "no other load" wall time compares with); the median wall time is kept in last_wall.
double median_seconds(const std::function<void()>& f, int runs) {
  std::vector<double> t, w;
  for (int i = 0; i < runs; ++i) {
    const auto a = std::chrono::steady_clock::now();
    const double c0 = cpu_now();
    f();
    const double c1 = cpu_now();
    const auto b = std::chrono::steady_clock::now();
    t.push_back(c1 - c0);
    w.push_back(std::chrono::duration<double>(b - a).count());
  }
  std::sort(t.begin(), t.end());
  std::sort(w.begin(), w.end());
  last_wall = w[w.size() / 2];
  return t[t.size() / 2];
}

std::optional<Mechanism> mechanism(const json& c) {
  const std::string m = c["mechanism"];
  const json& p = c["params"];
  if (m == "poisson_subsampled_gaussian" && p.contains("noise_multiplier_sigma"))
    return Mechanism::subsampled_gaussian(p["noise_multiplier_sigma"], p["sampling_rate_q"]).repeated(p["steps"]);
  if (m == "gaussian" && p.contains("sigma")) return Mechanism::gaussian_sigma(p["sigma"], p["sensitivity"]).repeated(p["k"]);
  if (m == "laplace" && p.contains("laplace_scale_b")) return Mechanism::laplace_scale(p["laplace_scale_b"], p["sensitivity"]).repeated(p["k"]);
  if (m == "randomized_response") {
    const double noise = p["noise_parameter_p"];
    const std::uint64_t k = p["num_buckets"];
    return Mechanism::randomized_response_keep(1 - noise + noise / double(k), k).with(Neighbouring::kReplace).repeated(p["k"]);
  }
  if (m == "discrete_laplace") return Mechanism::geometric(double(p["noise_parameter_a"])).repeated(p["k"]);
  if (m == "zcdp") return Mechanism::zcdp(p["rho"]);
  if (m == "exponential_mechanism") return Mechanism::exponential(double(p["eps0"])).repeated(p["k"]);
  return std::nullopt;
}

/// Fastest library time among keys containing any of `needles` (0 if none).
double fastest(const json& c, std::initializer_list<const char*> needles, std::string* which) {
  double best = 0;
  if (!c.contains("seconds_by_library")) return 0;
  for (auto it = c["seconds_by_library"].begin(); it != c["seconds_by_library"].end(); ++it) {
    const std::string key = it.key();
    const std::string kind = c["kind_by_library"].value(key, "");
    if (kind.find("BUG") != std::string::npos || kind == "approximation_not_a_bound" || kind == "not_same_mechanism") continue;
    if (key.find("optimistic") != std::string::npos || key.find("vdi0.001") != std::string::npos) continue;
    for (const char* n : needles) {
      if (key.find(n) != std::string::npos && (best == 0 || double(it.value()) < best)) {
        best = it.value();
        *which = key;
      }
    }
  }
  return best;
}

void row(const std::string& id, const char* what, const char* acc, double value, double secs, double ref, const std::string& lib) {
  std::printf("%-32s %-9s %-4s %11.6f %10.6f %10.6f %10.6f %8.1fx  %s\n", id.c_str(), what, acc, value, secs, last_wall, ref,
              ref > 0 ? ref / secs : 0.0, lib.c_str());
}

/// The replace-one (substitution) PLD of DP-SGD beside add/remove for the same case (the target
/// is at most twice the time); ref_s: dp_accounting 0.6.0's pessimistic REPLACE_ONE PLD at grid
/// 1e-4 on this machine (tests/dp/data/replace_one_reference.json has its values).
void replace_one_rows() {
  struct Case {
    double z, q;
    std::uint64_t steps;
    double delta, dp_accounting_seconds;
  };
  for (const Case& c : {Case{1.1, 0.01, 10000, 1e-5, 7.65}, Case{0.8, 0.004, 5000, 1e-6, 11.8}, Case{1.0, 0.1, 100, 1e-5, 14.2}}) {
    char id[64];
    std::snprintf(id, sizeof id, "dpsgd z%g q%g T%llu", c.z, c.q, static_cast<unsigned long long>(c.steps));
    double add_remove = 0;
    for (Neighbouring n : {Neighbouring::kAddRemove, Neighbouring::kReplace}) {
      EpsilonResult r;
      const double secs = median_seconds(
          [&] {
            Composition comp;
            comp.add(Mechanism::subsampled_gaussian(c.z, c.q).with(n).repeated(c.steps));
            r = comp.epsilon(c.delta, Accountant::kPld);
          },
          5);
      const bool replace = n == Neighbouring::kReplace;
      if (!replace) add_remove = secs;
      row(id, replace ? "replace" : "add/rem", "pld", r.value, secs, replace ? c.dp_accounting_seconds : 0,
          replace ? "dp_accounting REPLACE_ONE pld; replace/add-remove time " + std::to_string(secs / add_remove) : "");
    }
  }
}

/// CPU seconds (user + system) of one run of the privflow binary with `args`, output discarded;
/// a negative value when it could not run.
double cli_seconds(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::vector<std::string> all{binary};
  all.insert(all.end(), args.begin(), args.end());
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

double median_cli_seconds(const std::string& binary, const std::vector<std::string>& args, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const double s = cli_seconds(binary, args);
    if (s < 0) return -1;
    t.push_back(s);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

Mechanism issue_mechanism(const json& m) {
  const std::string kind = m["kind"];
  if (kind == "dpsgd") return Mechanism::subsampled_gaussian(m["noise_multiplier"], m["sampling_rate"]).repeated(m["steps"]);
  if (kind == "laplace") return Mechanism::laplace(double(m["epsilon"])).repeated(m["times"]);
  return Mechanism::gaussian_sigma(m["sigma"]).repeated(m["times"]);
}

/// The issue #17 table: every case of pld_adaptive_reference.json, asked as a user does (auto).
void issue_table(const std::string& path, const std::string& binary) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return;
  }
  const json ref = json::parse(in);
  std::printf("\nissue #17 cases (peer: %s)\n", std::string(ref["peer_version"]).c_str());
  std::printf("%-34s %14s %9s %14s %6s %9s %9s %8s %8s\n", "case", "tightest_peer", "peer_s", "privflow", "+%", "lib_s",
              "cli_s", "peer/lib", "peer/cli");
  for (const auto& c : ref["cases"]) {
    const double delta = c["delta"];
    const Mechanism m = issue_mechanism(c["mechanism"]);
    EpsilonResult r;
    const double lib = median_seconds(
        [&] {
          Composition comp;
          comp.pld_options.adaptive = true;  // as `privflow account` asks
          comp.add(m);
          r = comp.epsilon(delta);
        },
        5);
    std::vector<std::string> args{"account"};
    const std::string command = c["command"];
    std::istringstream words(command);
    for (std::string w; words >> w;) args.push_back(w);
    const double cli = median_cli_seconds(binary, args, 5);
    // The tightest value a peer (or the exact computation) gave: an upper bound, or the exact one.
    const double tight = c["tight"];
    const double peer = c.contains("peer_upper") ? std::min(double(c["peer_upper"]), tight) : tight;
    const double peer_s = c.value("peer_seconds", 0.0);
    std::printf("%-34s %14.8g %9.4f %14.8g %6.3f %9.5f %9.5f %8.1f %8.1f\n", std::string(c["id"]).c_str(), peer, peer_s,
                r.value, 100 * (r.value / peer - 1), lib, cli, peer_s > 0 ? peer_s / lib : 0.0,
                peer_s > 0 && cli > 0 ? peer_s / cli : 0.0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/dp_reference.json";
  if (argc > 1) path = argv[1];
  const std::string issue_path = std::string(PRIVFLOW_SOURCE_DIR) + "/tests/dp/data/pld_adaptive_reference.json";
  const std::string binary = argc > 2 ? argv[2] : PRIVFLOW_CLI;
  if (std::getenv("BENCH_ISSUE_ONLY")) {  // the issue #17 table alone
    issue_table(issue_path, binary);
    return 0;
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 2;
  }
  const json ref = json::parse(in);
  std::printf("%-32s %-9s %-4s %11s %10s %10s %10s %9s  %s\n", "case", "query", "acc", "value", "cpu_s", "wall_s", "ref_s",
              "speedup", "fastest reference of the same tightness (ref_s: its seconds_by_library)");
  for (const auto& c : ref["cases"]) {
    const std::string id = c["case_id"];
    const double delta = c["delta"];
    if (c["group"] == "inverse_calibration") {
      const json& p = c["params"];
      const double target = p["target_epsilon"];
      for (Accountant a : {Accountant::kRdp, Accountant::kPld}) {
        std::string lib;
        const bool rdp = a == Accountant::kRdp;
        CalibrationResult r;
        std::function<void()> f;
        const std::string mech = c["mechanism"];
        if (mech == "poisson_subsampled_gaussian")
          f = [&] { r = calibrate_dpsgd(target, delta, p["sampling_rate_q"], p["steps"], a); };
        else if (mech == "gaussian")
          f = [&] { r = calibrate_gaussian(target, delta, p["k"], a); };
        else
          f = [&] { r = calibrate_laplace(target, delta, p["k"], a); };
        const double secs = median_seconds(f, rdp ? 5 : 3);
        const double lib_s = rdp ? fastest(c, {"(rdp)", "ana_gaussian", "get_sigma_gaussian(exact)"}, &lib)
                                 : fastest(c, {"calibrate_dp_mechanism(pld)", "get_smallest"}, &lib);
        row(id, "calibrate", rdp ? "rdp" : "pld", r.value, secs, lib_s, lib);
      }
      continue;
    }
    const auto m = mechanism(c);
    if (!m) continue;
    for (Accountant a : {Accountant::kRdp, Accountant::kPld, Accountant::kAuto}) {
      EpsilonResult r;
      const bool rdp = a == Accountant::kRdp;
      const double secs = median_seconds(
          [&] {
            Composition comp;
            comp.add(*m);
            r = comp.epsilon(delta, a);
          },
          rdp ? 21 : 5);
      std::string lib;
      double lib_s = 0;
      if (a == Accountant::kRdp) lib_s = fastest(c, {"rdp"}, &lib);
      else lib_s = fastest(c, {"pld_pessimistic_vdi0.0001", "dp_accounting.pld", "cc.pld"}, &lib);  // same tightness
      row(id, "epsilon", std::string(to_string(a)).c_str(), r.infinite ? INFINITY : r.value, secs, lib_s, lib);
    }
  }
  replace_one_rows();
  issue_table(issue_path, binary);
  return 0;
}
