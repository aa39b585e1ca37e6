#pragma once
#include <string>
#include <vector>

#include "base/rational.hpp"

namespace privflow::inference::test {

/// "1/3" → exact rational (test tables are written as text).
inline Rational q(const std::string& text) { return *parse_number(text); }
inline std::vector<Rational> qs(const std::vector<std::string>& texts) {
  std::vector<Rational> out;
  for (const auto& t : texts) out.push_back(q(t));
  return out;
}

}  // namespace privflow::inference::test
