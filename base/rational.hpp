#pragma once
// Exact numbers: every number a spec writes is read as a GMP rational, and every
// rational the tool prints goes through here so that rounding is always stated.
#include <gmpxx.h>

#include <optional>
#include <string>
#include <string_view>

namespace privflow {

using Rational = mpq_class;

/// Why a number literal was refused.
enum class NumberError { kNone, kSyntax, kTooLarge, kTooSmall, kZeroDenominator, kTooManyDigits };

/// The limits of a number literal: at most kMaxNumberDigits digits (each side of a ratio),
/// and a value (a ratio's quotient) of magnitude below 1e301 and at least 1e-301, or zero.
inline constexpr std::size_t kMaxNumberDigits = 4000;

/// Which small magnitudes a number may have: a spec's (at least 1e-301, or zero), or any a
/// double holds (at least its smallest subnormal 2^-1074 ≈ 4.9e-324, or zero: command lines).
enum class NumberRange { kLanguage, kDouble };

/// Parses a number literal exactly: `12`, `50_000`, `0.01`, `1e-5`, `2.5E3`, `1/3`
/// (a ratio of two such numbers). A leading `-` is allowed. Magnitudes must fit a
/// double's range (about 1e-300 to 1e300, or zero): `1e999` is kTooLarge, never infinity.
/// With NumberRange::kDouble, values down to 2^-1074 are accepted too.
std::optional<Rational> parse_number(std::string_view text, NumberError* error = nullptr,
                                     NumberRange range = NumberRange::kLanguage);

/// A rational in canonical form (constructors from n/d must canonicalize: gmpxx does not).
Rational make_rational(long num, long den = 1);

/// Exact text: an integer (`3`), a short decimal when exact (`0.25`, `1e-05` style is never
/// used), else a fraction (`1/3`). Integers beyond 21 digits and long finite decimals are
/// written in exact scientific notation (`1e300`, `1e-288`).
std::string format_exact(const Rational& q);

/// Like format_exact, but small exact decimals in scientific form as a spec writes them:
/// 1/100000 is `1e-5`, 25/10^7 is `2.5e-6`; other values as format_exact.
std::string format_compact(const Rational& q);

/// Decimal text with at most `digits` significant digits, rounded towards +infinity
/// (the safe direction for a loss or a probability the adversary achieves).
std::string format_up(const Rational& q, int digits = 4);
/// The same, rounded towards -infinity (the safe direction for a bound the user wrote).
std::string format_down(const Rational& q, int digits = 4);

/// Shortest decimal text for a double that reads back as the same double, with a fixed,
/// locale-independent format; `inf` for infinity. Used for figures that are doubles by design.
std::string format_double(double x);
/// `x` printed with `digits` significant digits, rounded up (towards +inf).
std::string format_double_up(double x, int digits = 4);

/// The double nearest to q rounded towards +infinity / -infinity (directed, exact).
double to_double_up(const Rational& q);
double to_double_down(const Rational& q);

/// The smallest rational with a short decimal expansion that is >= x (x finite).
Rational rational_up(double x);

}  // namespace privflow
