#include "cli/account_input.hpp"

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

}  // namespace privflow::cli::account_input
