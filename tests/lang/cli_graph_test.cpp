// `privflow graph` and the front-end part of `privflow check`, run in-process.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/app.hpp"
#include "tests/support/cli.hpp"

namespace privflow::cli {
namespace {

using Run = test::CliRun;
using test::run_cli;

const std::string kSpec = std::string(PRIVFLOW_SOURCE_DIR) + "/tests/lang/hospital_fl.pflow";

}  // namespace

TEST_CASE("graph --format json is the lowered graph, deterministic", "[lang][cli]") {
  auto a = run_cli({"graph", kSpec});
  auto b = run_cli({"graph", kSpec, "--format", "json"});
  REQUIRE(a.code == 0);
  CHECK(a.err.empty());
  CHECK(a.out == b.out);
  auto j = nlohmann::json::parse(a.out);
  CHECK(j["pipeline"]["name"] == "hospital_fl");
  CHECK(j["settings"]["delta"] == "1/100000");
  CHECK(j["data"][0]["fields"][0]["prior"][0] == nlohmann::json({"7/10", "1/4", "1/20"}));
  CHECK(j["data"][0]["fields"][1]["given"] == "diagnosis");
  CHECK(j["data"][0]["fields"][1]["prior"][2] == nlohmann::json({"1/2", "1/2"}));
  CHECK(j["data"][0]["line"] == 11);
  CHECK(j["data"][0]["column"] == 1);
  CHECK(j["agents"][0]["count"] == 20);
  CHECK(j["agents"][0]["holds"][0]["partitioned"] == true);
  CHECK(j["artifacts"][0]["params"]["noise_multiplier"]["value"] == "11/10");
  CHECK(j["artifacts"][0]["params"]["noise_multiplier"]["param"] == "sigma");
  CHECK(j["flows"][0]["channel"]["threshold"] == 15);
  CHECK(j["flows"][1]["from"] == "server");
  CHECK(j["adversaries"][1]["coalition"]["fixed"][1]["count"] == 14);
  CHECK(j["requirements"][1]["name"] == "line34");
  CHECK(j["requirements"][3]["measure"] == "forbid");
  CHECK(j["requirements"][3]["unless_epsilon"] == "3");
}

TEST_CASE("graph --format dot and standard input", "[lang][cli]") {
  std::ostringstream text;
  text << "data d { rows: 3 }\nagent a { trust: curious, holds: d }\ncompute n at a = count(d)\n";
  auto r = run_cli({"graph", "-", "--format", "dot"}, text.str());
  REQUIRE(r.code == 0);
  CHECK(r.out ==
        "digraph \"privflow\" {\n"
        "  rankdir=LR;\n"
        "  node [fontname=\"Helvetica\"];\n"
        "  \"data:d\" [shape=cylinder, label=\"d\\n3 rows\"];\n"
        "  \"agent:a\" [shape=box, label=\"a\\ncurious\"];\n"
        "  \"data:d\" -> \"agent:a\" [style=dashed, label=\"holds\"];\n"
        "  \"artifact:n\" [shape=ellipse, label=\"n\\ncount\"];\n"
        "  \"agent:a\" -> \"artifact:n\" [style=dotted, label=\"computes\"];\n"
        "  \"data:d\" -> \"artifact:n\";\n"
        "}\n");
}

TEST_CASE("graph and check refuse an invalid spec with exit 2", "[lang][cli]") {
  auto r = run_cli({"graph", "-"}, "region\n");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "<stdin>:1:7: error: expected region name after 'region' (at end of file)\n"
        "    1 | region\n"
        "      |       ^\n"
        "1 error generated.\n");
  CHECK(run_cli({"check", "-"}, "region\n").code == 2);
  CHECK(run_cli({"graph", "--format", "svg", kSpec}).code == 2);
  CHECK(run_cli({"graph", "/nonexistent.pflow"}).code == 2);
}

}  // namespace privflow::cli
