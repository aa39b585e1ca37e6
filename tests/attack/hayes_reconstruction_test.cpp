// `privflow account dpsgd … --tpr-at-fpr κ --reconstruction-prior κ` against the reconstruction
// bound of Hayes, Mahloujifar & Balle (NeurIPS 2023, arXiv 2302.07225), recomputed independently
// in tests/attack/data/hayes_reconstruction.json (script beside it; its "how_read" says where
// the parameters come from and why no value is read off the paper's plots).
//
// Their bound is B_κ(μ, ν) = sup{ν(E) : μ(E) ≤ κ} with μ the run without the target's gradient
// and ν the run with it: the TPR at FPR κ of the remove direction of the add/remove pair. So
// privflow's add/remove curve (--tpr-at-fpr on dpsgd's own relation) must be at least that value
// (never optimistic) and at most 2 % above it (tight). --reconstruction-prior asks the replace-one
// curve (the reference run holds another value of the record, up to 2 clip norms away): it is
// never below Hayes' bound, and it is 1.2 to 2.3 times it at these settings (for q = 1 exactly
// the same curve at sensitivity 2).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/account.hpp"

namespace {

using nlohmann::json;

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(PRIVFLOW_SOURCE_DIR) + "/tests/attack/data/hayes_reconstruction.json");
    REQUIRE(in);
    return json::parse(in);
  }();
  return j;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// privflow's (membership, reconstruction) TPRs at FPR κ for one case of the reference.
std::pair<double, double> privflow_tprs(const json& c) {
  const std::string kappa = number(c["kappa"]);
  const json j = privflow::test::run_account_json(
      {"dpsgd", "--noise-multiplier", number(c["noise_multiplier"]), "--sampling-rate", number(c["sampling_rate"]),
       "--steps", std::to_string(int(c["steps"])), "--delta", "1e-5", "--tpr-at-fpr", kappa, "--reconstruction-prior",
       kappa});
  return {j["membership"]["tpr"], j["reconstruction"]["tpr"]};
}

}  // namespace

TEST_CASE("dpsgd at Hayes et al.'s settings: the add/remove curve is their reconstruction bound, within 2 %",
          "[attack][cli][hayes]") {
  for (const json& c : reference()["cases"]) {
    const auto [tpr, replace_tpr] = privflow_tprs(c);
    const double mc = c["monte_carlo"], se = c["monte_carlo_stderr"];
    INFO("z " << c["noise_multiplier"] << " q " << c["sampling_rate"] << " T " << c["steps"] << " kappa " << c["kappa"]
              << ": privflow " << tpr << ", replace-one " << replace_tpr << ", Monte Carlo " << mc << " +- " << se);
    // Never below the paper's Monte Carlo estimate less 3 standard errors, and within 2 % above
    // its upper end.
    CHECK(tpr >= mc - 3 * se);
    CHECK(tpr <= (mc + 3 * se) * 1.02);
    if (c.contains("exact")) {  // q = 1: the Gaussian closed form, exact
      const double exact = c["exact"];
      CHECK(tpr >= exact);
      CHECK(tpr <= exact * (1 + 1e-9));
      CHECK(replace_tpr >= double(c["replace_one_exact"]));
      CHECK(replace_tpr <= double(c["replace_one_exact"]) * (1 + 1e-9));
    } else {  // q < 1: between dp_accounting's optimistic and 2 % above its pessimistic PLD
      CHECK(tpr >= double(c["dp_accounting_optimistic"]));
      CHECK(tpr <= double(c["dp_accounting_pessimistic"]) * 1.02);
    }
    // The replace-one figure is sound for the same attack, and larger.
    CHECK(replace_tpr >= tpr);
  }
}
