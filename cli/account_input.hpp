#pragma once
// Reading the arguments of `privflow account` and its kinds (cmd_account*.cpp): one wording of
// a bad number and of a refused option for all of them.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "base/rational.hpp"
#include "cli/app.hpp"

namespace privflow::cli::account_input {

/// Parses a number exactly, as the language writes it (docs/language.md, "Numbers": digit
/// separators `1_000` and ratios `1/3` included), and also below the language's 1e-301 down to
/// the smallest double (`--delta 5e-324`); reports a user error (exit 2) naming the argument.
std::optional<Rational> number(const std::string& text, const char* name, Io& io);

/// Says "privflow account: error: MESSAGE" and returns the exit status of invalid input.
int invalid(Io& io, const std::string& message);

/// A whole number in [lo, 10^12], or nullopt after naming the option.
std::optional<std::uint64_t> whole(const std::string& text, const char* name, Io& io, std::uint64_t lo = 1);

/// An upper bound as printed (6 digits, rounded up; "inf") and in JSON (null when infinite).
std::string text_up(double x);
nlohmann::json json_up(double x);

}  // namespace privflow::cli::account_input
