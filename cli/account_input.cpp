#include "cli/account_input.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

#include "base/text.hpp"

namespace privflow::cli::account_input {

std::optional<Rational> number(const std::string& text, const char* name, Io& io) {
  NumberError why = NumberError::kNone;
  auto q = parse_number(text, &why, NumberRange::kDouble);
  if (q) return q;
  io.err << "privflow account: error: --" << name << " '" << printable(text) << "' ";
  switch (why) {
    case NumberError::kTooLarge: io.err << "is too large (at most 1e300)\n"; break;
    case NumberError::kTooSmall: io.err << "is below the smallest positive double (4.9e-324)\n"; break;
    case NumberError::kZeroDenominator: io.err << "divides by zero\n"; break;
    case NumberError::kTooManyDigits: io.err << "has too many digits\n"; break;
    default: io.err << "is not a number\n"; break;
  }
  return q;
}

int invalid(Io& io, const std::string& message) {
  io.err << "privflow account: error: " << message << "\n";
  return static_cast<int>(ExitStatus::kInvalid);
}

std::optional<std::uint64_t> whole(const std::string& text, const char* name, Io& io, std::uint64_t lo) {
  auto q = number(text, name, io);
  if (!q) return std::nullopt;
  if (q->get_den() != 1 || *q < Rational(static_cast<double>(lo)) || *q > Rational(1e12)) {
    invalid(io, std::string("--") + name + " must be a whole number between " + std::to_string(lo) + " and 10^12");
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(q->get_d());
}

std::string text_up(double x) { return std::isfinite(x) ? format_double_up(x, 6) : "inf"; }
nlohmann::json json_up(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

}  // namespace privflow::cli::account_input
