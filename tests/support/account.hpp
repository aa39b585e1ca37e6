#pragma once
// Shared by the tests of `privflow account`: the command run in process, as main() would.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/cli.hpp"

namespace privflow::test {

/// `privflow account ARGS…`.
inline CliRun run_account(std::vector<std::string> args) {
  args.insert(args.begin(), "account");
  return run_cli(args);
}

/// `privflow account ARGS… --json`, which must answer (exit 0); its JSON.
inline nlohmann::json run_account_json(std::vector<std::string> args) {
  args.push_back("--json");
  const CliRun r = run_account(args);
  INFO(r.err);
  REQUIRE(r.code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace privflow::test
