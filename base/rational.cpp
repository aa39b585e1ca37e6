#include "base/rational.hpp"

#include <mpfr.h>

#include <cctype>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <limits>

namespace privflow {
namespace {

// Magnitude limits: a literal must be representable as a finite, normal double.
constexpr long kMaxDecimalExponent = 300;

/// `check_range` false: the magnitude is checked on a ratio's quotient, not on its sides.
std::optional<Rational> parse_decimal(std::string_view s, NumberError* error, bool check_range = true) {
  auto fail = [&](NumberError e) -> std::optional<Rational> {
    if (error) *error = e;
    return std::nullopt;
  };
  bool negative = false;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    negative = s[i] == '-';
    ++i;
  }
  std::string digits;
  long frac_digits = 0;
  bool seen_digit = false, seen_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      seen_digit = true;
      if (seen_point) ++frac_digits;
    } else if (c == '_' && seen_digit && i + 1 < s.size() &&
               std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      continue;  // digit separator, between digits only
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return fail(NumberError::kSyntax);
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      exp_negative = s[i] == '-';
      ++i;
    }
    if (i >= s.size()) return fail(NumberError::kSyntax);
    long e = 0;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return fail(NumberError::kSyntax);
      if (e < 100000) e = e * 10 + (s[i] - '0');
    }
    exponent = exp_negative ? -e : e;
  }
  if (i != s.size()) return fail(NumberError::kSyntax);
  if (digits.size() > kMaxNumberDigits) return fail(NumberError::kTooManyDigits);

  mpz_class mantissa(digits, 10);
  if (mantissa == 0) return Rational(0);
  long scale = exponent - frac_digits;
  // Order of magnitude of the value: number of significant digits + scale.
  std::size_t first_nonzero = digits.find_first_not_of('0');
  long magnitude = static_cast<long>(digits.size() - first_nonzero) + scale;  // value < 10^magnitude
  if (check_range && magnitude > kMaxDecimalExponent + 1) return fail(NumberError::kTooLarge);
  if (check_range && magnitude < -kMaxDecimalExponent) return fail(NumberError::kTooSmall);
  // A side of a ratio far out of range cannot give a quotient in range: no huge powers.
  if (magnitude > 10 * kMaxDecimalExponent + 4000) return fail(NumberError::kTooLarge);
  if (magnitude < -10 * kMaxDecimalExponent - 4000) return fail(NumberError::kTooSmall);

  Rational q;
  mpz_class power;
  mpz_ui_pow_ui(power.get_mpz_t(), 10, static_cast<unsigned long>(scale < 0 ? -scale : scale));
  if (scale >= 0) {
    q = Rational(mantissa * power);
  } else {
    q = Rational(mantissa, power);
    q.canonicalize();
  }
  if (negative) q = -q;
  if (error) *error = NumberError::kNone;
  return q;
}

// Writes |q| with `digits` significant digits, rounding in direction `up` on the
// absolute value; the caller handles the sign so that "up" means towards +infinity.
std::string format_rounded(const Rational& q, int digits, bool towards_plus_inf) {
  if (q == 0) return "0";
  bool negative = q < 0;
  Rational a = negative ? Rational(-q) : q;
  bool round_abs_up = negative ? !towards_plus_inf : towards_plus_inf;
  // Find k with 10^(k-1) <= a < 10^k: from the double when a is in its range, else (a below
  // 1e-308, say a re-identification risk of 1e-1000) from the digit counts; corrected below.
  const double approx = to_double_down(a);
  long k = approx > 0 && std::isfinite(approx)
               ? static_cast<long>(std::floor(std::log10(approx)))
               : static_cast<long>(mpz_sizeinbase(a.get_num_mpz_t(), 10)) -
                     static_cast<long>(mpz_sizeinbase(a.get_den_mpz_t(), 10));
  // Correct any floating error in k.
  auto pow10 = [](long e) {
    mpz_class p;
    mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(e < 0 ? -e : e));
    Rational r = e >= 0 ? Rational(p) : Rational(mpz_class(1), p);
    r.canonicalize();
    return r;
  };
  while (a >= pow10(k + 1)) ++k;
  while (a < pow10(k)) --k;
  long scale = digits - 1 - k;  // scaled = a * 10^scale has `digits` integer digits
  Rational scaled = a * pow10(scale);
  mpz_class n = scaled.get_num() / scaled.get_den();  // floor
  if (round_abs_up && Rational(n) != scaled) n += 1;
  std::string s = n.get_str();
  // Rebuild as fixed notation when reasonable, else scientific.
  long point = static_cast<long>(s.size()) - scale;  // digits before the decimal point
  std::string out;
  if (point > 21 || point < -6) {
    std::string mant = s.substr(0, 1);
    std::string rest = s.substr(1);
    while (!rest.empty() && rest.back() == '0') rest.pop_back();
    if (!rest.empty()) mant += "." + rest;
    out = mant + "e" + std::to_string(point - 1);
  } else if (point <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-point), '0') + s;
  } else if (point >= static_cast<long>(s.size())) {
    out = s + std::string(static_cast<std::size_t>(point - static_cast<long>(s.size())), '0');
  } else {
    out = s.substr(0, static_cast<std::size_t>(point)) + "." + s.substr(static_cast<std::size_t>(point));
  }
  if (out.find('.') != std::string::npos && out.find('e') == std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return negative ? "-" + out : out;
}

double to_double_dir(const Rational& q, mpfr_rnd_t rnd) {
  mpfr_t x;
  mpfr_init2(x, 53);
  mpfr_set_q(x, q.get_mpq_t(), rnd);
  double d = mpfr_get_d(x, rnd);
  mpfr_clear(x);
  return d;
}

}  // namespace

std::optional<Rational> parse_number(std::string_view text, NumberError* error, NumberRange range) {
  if (range == NumberRange::kDouble) {
    NumberError why = NumberError::kNone;
    auto q = parse_number(text, &why);
    if (q || why != NumberError::kTooSmall) {
      if (error) *error = why;
      return q;
    }
    // Below 1e-301: the quotient of the two sides read without the lower limit (each side keeps
    // parse_decimal's guard against huge powers), kept if a double can hold it.
    auto slash = text.find('/');
    q = parse_decimal(text.substr(0, slash), error, false);
    if (q && slash != std::string_view::npos) {
      auto den = parse_decimal(text.substr(slash + 1), error, false);
      q = den && *den != 0 ? std::optional<Rational>(*q / *den) : std::nullopt;
    }
    const Rational smallest(std::numeric_limits<double>::denorm_min());
    if (!q || abs(*q) < smallest) {
      if (error) *error = NumberError::kTooSmall;
      return std::nullopt;
    }
    q->canonicalize();
    if (error) *error = NumberError::kNone;
    return q;
  }
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return parse_decimal(text, error);
  auto num = parse_decimal(text.substr(0, slash), error, false);
  if (!num) return std::nullopt;
  auto den = parse_decimal(text.substr(slash + 1), error, false);
  if (!den) return std::nullopt;
  if (*den == 0) {
    if (error) *error = NumberError::kZeroDenominator;
    return std::nullopt;
  }
  Rational q = *num / *den;
  q.canonicalize();
  // The same range as a decimal literal: |q| < 10^301, and |q| >= 10^-301 unless zero.
  Rational size = abs(q);
  mpz_class big;
  mpz_ui_pow_ui(big.get_mpz_t(), 10, static_cast<unsigned long>(kMaxDecimalExponent + 1));
  NumberError why = NumberError::kNone;
  if (size >= Rational(big)) why = NumberError::kTooLarge;
  else if (size != 0 && size * Rational(big) < 1) why = NumberError::kTooSmall;
  if (why != NumberError::kNone) {
    if (error) *error = why;
    return std::nullopt;
  }
  if (error) *error = NumberError::kNone;
  return q;
}

Rational make_rational(long num, long den) {
  Rational q(num, den);
  q.canonicalize();
  return q;
}

namespace {
// d.ddd…e±x of a digit string (trailing zeros of the fraction dropped), built by appending: gcc
// 12 at -O3 warns (-Wrestrict, a false positive) on `"-" + std::string` chains.
std::string scientific(bool negative, const std::string& digits, long exponent) {
  std::string rest = digits.substr(1);
  while (!rest.empty() && rest.back() == '0') rest.pop_back();
  std::string out = negative ? "-" : "";
  out += digits[0];
  if (!rest.empty()) {
    out += '.';
    out += rest;
  }
  out += 'e';
  out += std::to_string(exponent);
  return out;
}
}  // namespace

std::string format_exact(const Rational& q) {
  if (q.get_den() == 1) {
    std::string digits = q.get_num().get_str();
    const bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.erase(0, 1);
    if (digits.size() <= 21) return q.get_num().get_str();
    // A huge integer (a bound of 1e300): exact scientific notation, not 301 digits.
    return scientific(negative, digits, static_cast<long>(digits.size()) - 1);
  }
  // A denominator of the form 2^a 5^b has a finite decimal expansion.
  mpz_class d = q.get_den();
  long twos = 0, fives = 0;
  while (mpz_divisible_ui_p(d.get_mpz_t(), 2)) { d /= 2; ++twos; }
  while (mpz_divisible_ui_p(d.get_mpz_t(), 5)) { d /= 5; ++fives; }
  long places = std::max(twos, fives);
  if (d == 1 && places <= 12) {
    mpz_class p;
    mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(places));
    mpz_class n = q.get_num() * p / q.get_den();
    bool negative = n < 0;
    if (negative) n = -n;
    std::string s = n.get_str();
    if (static_cast<long>(s.size()) <= places) s = std::string(static_cast<std::size_t>(places - static_cast<long>(s.size()) + 1), '0') + s;
    s.insert(s.end() - places, '.');
    if (negative) s.insert(s.begin(), '-');
    return s;
  }
  if (d == 1) {  // a long finite decimal (1e-288): exact scientific notation, not a huge fraction
    mpz_class p;
    mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(places));
    mpz_class n = q.get_num() * p / q.get_den();
    const bool negative = n < 0;
    if (negative) n = -n;
    const std::string digits = n.get_str();
    return scientific(negative, digits, static_cast<long>(digits.size()) - 1 - places);
  }
  return q.get_str();
}

std::string format_compact(const Rational& q) {
  if (q <= 0 || q >= Rational(1, 1000)) return format_exact(q);
  // Find k with q·10^k an integer of at most 6 digits.
  Rational scaled = q;
  for (int k = 1; k <= 300; ++k) {
    scaled *= 10;
    if (scaled.get_den() == 1) {
      std::string digits = scaled.get_num().get_str();
      if (digits.size() > 6) break;
      int exponent = -k + static_cast<int>(digits.size()) - 1;
      std::string mantissa = digits.substr(0, 1);
      std::string rest = digits.substr(1);
      while (!rest.empty() && rest.back() == '0') rest.pop_back();
      if (!rest.empty()) mantissa += "." + rest;
      return mantissa + "e" + std::to_string(exponent);
    }
  }
  return format_exact(q);
}

std::string format_up(const Rational& q, int digits) { return format_rounded(q, digits, true); }
std::string format_down(const Rational& q, int digits) { return format_rounded(q, digits, false); }

std::string format_double(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (std::isnan(x)) return "nan";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

std::string format_double_up(double x, int digits) {
  if (!std::isfinite(x)) return format_double(x);
  return format_up(Rational(x), digits);  // a double converts to mpq exactly
}

double to_double_up(const Rational& q) { return to_double_dir(q, MPFR_RNDU); }
double to_double_down(const Rational& q) { return to_double_dir(q, MPFR_RNDD); }

Rational rational_up(double x) {
  Rational exact(x);  // exact binary value
  auto text = format_up(exact, 12);
  auto parsed = parse_number(text);
  return parsed ? *parsed : exact;
}

}  // namespace privflow
