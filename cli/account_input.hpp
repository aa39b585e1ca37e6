#pragma once
// Reading the arguments of `privflow account` and its kinds (cmd_account*.cpp): one wording of
// a bad number and of a refused option for all of them.
#include <optional>
#include <string>

#include "base/rational.hpp"
#include "cli/app.hpp"

namespace privflow::cli::account_input {

/// Parses a number exactly, as the language writes it (docs/language.md, "Numbers": digit
/// separators `1_000` and ratios `1/3` included), and also below the language's 1e-301 down to
/// the smallest double (`--delta 5e-324`); reports a user error (exit 2) naming the argument.
std::optional<Rational> number(const std::string& text, const char* name, Io& io);

/// Says "privflow account: error: MESSAGE" and returns the exit status of invalid input.
int invalid(Io& io, const std::string& message);

}  // namespace privflow::cli::account_input
