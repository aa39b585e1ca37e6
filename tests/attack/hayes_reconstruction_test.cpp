// `privflow account dpsgd … --tpr-at-fpr κ --reconstruction-prior κ` against the reconstruction
// bound of Hayes, Mahloujifar & Balle (NeurIPS 2023, arXiv 2302.07225), recomputed independently
// in tests/attack/data/hayes_reconstruction.json (script beside it; its "how_read" says where
// the parameters come from and why no value is read off the paper's plots).
//
// Their bound is B_κ(μ, ν) = sup{ν(E) : μ(E) ≤ κ} with μ the run without the target's gradient
// and ν the run with it: the TPR at FPR κ of the remove direction of the add/remove pair. So
// privflow's add/remove curve (--tpr-at-fpr on dpsgd's own relation) and its reconstruction
// figure (--reconstruction-prior: the smaller of the add/remove and replace-one curves, here the
// add/remove one) must be at least that value (never optimistic) and at most 2 % above it
// (tight). With --neighbouring replace the run without the target is not a neighbour: the figure
// stays on the replace-one curve (the reference run holds another value of the record, up to 2
// clip norms away), 1.2 to 2.3 times Hayes' bound here (for q = 1 exactly the same curve at
// sensitivity 2).
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

struct Figures {
  double membership = 1, reconstruction = 1, replace_only = 1;
  std::string curve, replace_curve;
};

/// privflow's TPRs at FPR κ for one case of the reference: membership and reconstruction on
/// dpsgd's add/remove relation, and reconstruction with --neighbouring replace.
Figures privflow_tprs(const json& c) {
  const std::string kappa = number(c["kappa"]);
  std::vector<std::string> args{"dpsgd", "--noise-multiplier", number(c["noise_multiplier"]), "--sampling-rate",
                                number(c["sampling_rate"]), "--steps", std::to_string(int(c["steps"])), "--delta",
                                "1e-5", "--reconstruction-prior", kappa};
  std::vector<std::string> replace = args;
  args.insert(args.end(), {"--tpr-at-fpr", kappa});
  replace.insert(replace.end(), {"--neighbouring", "replace"});
  const json j = privflow::test::run_account_json(args), r = privflow::test::run_account_json(replace);
  return {j["membership"]["tpr"], j["reconstruction"]["tpr"], r["reconstruction"]["tpr"],
          j["reconstruction"]["curve"], r["reconstruction"]["curve"]};
}

}  // namespace

TEST_CASE("dpsgd at Hayes et al.'s settings: the reconstruction figure is their bound, within 2 %",
          "[attack][cli][hayes]") {
  for (const json& c : reference()["cases"]) {
    const Figures f = privflow_tprs(c);
    const double mc = c["monte_carlo"], se = c["monte_carlo_stderr"];
    INFO("z " << c["noise_multiplier"] << " q " << c["sampling_rate"] << " T " << c["steps"] << " kappa " << c["kappa"]
              << ": privflow " << f.reconstruction << " (" << f.curve << "), membership " << f.membership
              << ", replace-one " << f.replace_only << ", Monte Carlo " << mc << " +- " << se);
    CHECK(f.curve == "add/remove");
    CHECK(f.replace_curve == "replace-one");
    // The same curve answers both questions at FPR κ.
    CHECK(f.reconstruction == f.membership);
    // Never below the paper's Monte Carlo estimate less 3 standard errors, and within 2 % above
    // its upper end.
    CHECK(f.reconstruction >= mc - 3 * se);
    CHECK(f.reconstruction <= (mc + 3 * se) * 1.02);
    if (c.contains("exact")) {  // q = 1: the Gaussian closed form, exact
      const double exact = c["exact"];
      CHECK(f.reconstruction >= exact);
      CHECK(f.reconstruction <= exact * (1 + 1e-9));
      CHECK(f.replace_only >= double(c["replace_one_exact"]));
      CHECK(f.replace_only <= double(c["replace_one_exact"]) * (1 + 1e-9));
    } else {  // q < 1: between dp_accounting's optimistic and 2 % above its pessimistic PLD
      CHECK(f.reconstruction >= double(c["dp_accounting_optimistic"]));
      CHECK(f.reconstruction <= double(c["dp_accounting_pessimistic"]) * 1.02);
    }
    // The replace-one figure is sound for the same attack, and larger here.
    CHECK(f.replace_only > f.reconstruction);
  }
}
