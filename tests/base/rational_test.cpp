#include <catch2/catch.hpp>

#include "base/rational.hpp"

using privflow::format_down;
using privflow::format_exact;
using privflow::format_up;
using privflow::make_rational;
using privflow::NumberError;
using privflow::parse_number;
using privflow::Rational;

TEST_CASE("numbers are read exactly", "[base][rational]") {
  struct Case {
    const char* text;
    Rational expected;
  };
  const Case cases[] = {
      {"12", make_rational(12)},          {"50_000", make_rational(50000)},
      {"0.01", make_rational(1, 100)},    {"1e-5", make_rational(1, 100000)},
      {"1/3", make_rational(1, 3)},       {"0.1", make_rational(1, 10)},
      {"2.5E3", make_rational(2500)},     {"-0.5", make_rational(-1, 2)},
      {"1/2", make_rational(1, 2)},       {"0.70", make_rational(7, 10)},
      {"1_000.5", make_rational(2001, 2)}, {"3/0.5", make_rational(6)},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto q = parse_number(c.text);
    REQUIRE(q);
    CHECK(*q == c.expected);
  }
}

TEST_CASE("numbers that do not fit are refused, never infinity", "[base][rational]") {
  NumberError e{};
  CHECK_FALSE(parse_number("1e999", &e));
  CHECK(e == NumberError::kTooLarge);
  CHECK_FALSE(parse_number("1e-999", &e));
  CHECK(e == NumberError::kTooSmall);
  CHECK_FALSE(parse_number("1/0", &e));
  CHECK(e == NumberError::kZeroDenominator);
  CHECK_FALSE(parse_number("1__0", &e));
  CHECK_FALSE(parse_number("_1", &e));
  CHECK_FALSE(parse_number("1e", &e));
  CHECK_FALSE(parse_number("abc", &e));
  CHECK(parse_number("0e999"));  // zero is zero whatever its exponent
}

TEST_CASE("exact and rounded printing", "[base][rational]") {
  CHECK(format_exact(make_rational(1, 4)) == "0.25");
  CHECK(format_exact(make_rational(1, 3)) == "1/3");
  CHECK(format_exact(make_rational(7)) == "7");
  CHECK(format_exact(make_rational(-3, 8)) == "-0.375");
  // Long finite decimals stay exact, in scientific notation, and read back to the same value.
  CHECK(format_exact(*privflow::parse_number("123456789012345678901")) == "123456789012345678901");
  for (const char* text : {"1e-288", "2.5e-20", "-1.0000001e-13", "1.5e-300", "1e300", "-1.2345e40", "1.234567890123456789012e21"}) {
    const auto q = privflow::parse_number(text);
    REQUIRE(q);
    CHECK(format_exact(*q) == text);
    CHECK(*privflow::parse_number(format_exact(*q)) == *q);
  }
  CHECK(format_up(make_rational(1, 3), 4) == "0.3334");
  CHECK(format_down(make_rational(1, 3), 4) == "0.3333");
  CHECK(format_up(make_rational(-1, 3), 4) == "-0.3333");
  CHECK(format_up(make_rational(2), 4) == "2");
  CHECK(format_up(make_rational(41700), 3) == "41700");
  CHECK(format_up(make_rational(1, 100000), 3) == "0.00001");
  CHECK(format_up(make_rational(123456789, 1000), 4) == "123500");
  // Beyond the double range (a re-identification risk of (19/20)^50000 is about 1e-1114):
  // found by fuzz_analysis, where log10 of the double 0 was cast to an integer.
  {
    mpz_class big;
    mpz_ui_pow_ui(big.get_mpz_t(), 10, 1114);
    Rational tiny(mpz_class(3), big);  // 3e-1114
    tiny.canonicalize();
    CHECK(format_up(tiny, 4) == "3e-1114");
    CHECK(format_down(tiny, 4) == "3e-1114");
    CHECK(format_up(Rational(-tiny), 4) == "-3e-1114");
    CHECK(format_up(Rational(mpz_class(1), 3 * big), 3) == "3.34e-1115");
    CHECK(format_up(Rational(big * 7), 2) == "7e1114");
  }
  CHECK(privflow::format_compact(make_rational(1, 100000)) == "1e-5");
  CHECK(privflow::format_compact(make_rational(25, 10000000)) == "2.5e-6");
  CHECK(privflow::format_compact(make_rational(1, 4)) == "0.25");
  CHECK(privflow::format_compact(make_rational(1, 3000)) == "1/3000");
}

TEST_CASE("directed conversion to double", "[base][rational]") {
  Rational third = make_rational(1, 3);
  CHECK(privflow::to_double_down(third) < privflow::to_double_up(third));
  CHECK(Rational(privflow::to_double_down(third)) <= third);
  CHECK(Rational(privflow::to_double_up(third)) >= third);
  CHECK(privflow::rational_up(0.1) >= Rational(0.1));
}
