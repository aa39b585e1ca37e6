#pragma once
// Shared by the test programs that analyse specs: a verdict by name, and a derivation as text.
#include <catch2/catch.hpp>

#include <string>

#include "analyzer/analysis.hpp"

namespace privflow::test {

/// The verdict of requirement `name`; fails the test when there is none.
inline const analyzer::Verdict& verdict(const analyzer::Analysis& a, const std::string& name) {
  for (const auto& v : a.verdicts)
    if (v.name == name) return v;
  FAIL("no verdict " << name);
  return a.verdicts.front();
}

/// A derivation tree as lines of text, depth first.
inline std::string flatten(const analyzer::Derivation& d) {
  std::string out = d.text + "\n";
  for (const auto& c : d.children) out += flatten(c);
  return out;
}

}  // namespace privflow::test
