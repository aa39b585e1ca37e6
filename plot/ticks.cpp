// Nice tick values and locale-free number text for the chart writer. Tick values are k·m·10^e
// with whole k and m ∈ {1, 2, 5}: their labels are written from those integers, so they are
// exact decimals whatever the floating-point value rounds to.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "plot/chart.hpp"

namespace privflow::plot {
namespace {

/// The decimal text of n·10^e: `1200`, `0.015`, `-3`; beyond 10^7 or under 10^-4, `1.5e-7`.
std::string decimal(long long n, int e) {
  if (n == 0) return "0";
  const bool negative = n < 0;
  std::string digits = std::to_string(std::llabs(n));
  while (digits.size() > 1 && digits.back() == '0') {  // 1200·10^-3 is 12·10^-1
    digits.pop_back();
    ++e;
  }
  const int magnitude = static_cast<int>(digits.size()) - 1 + e;  // 10^magnitude ≤ |value|
  std::string text;
  if (magnitude >= 7 || magnitude < -4) {
    text = digits.substr(0, 1);
    if (digits.size() > 1) text += "." + digits.substr(1);
    text += "e" + std::to_string(magnitude);
  } else if (e >= 0) {
    text = digits + std::string(static_cast<std::size_t>(e), '0');
  } else if (static_cast<int>(digits.size()) > -e) {
    const std::size_t point = digits.size() - static_cast<std::size_t>(-e);
    text = digits.substr(0, point) + "." + digits.substr(point);
  } else {
    text = "0." + std::string(static_cast<std::size_t>(-e) - digits.size(), '0') + digits;
  }
  return negative ? "-" + text : text;
}

}  // namespace

Ticks nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) {  // a single value (or none): a unit-wide axis around it
    const double pad = lo == 0 ? 1 : std::fabs(lo) / 2;
    lo = lo - pad < 0 && lo >= 0 ? 0 : lo - pad;
    hi = hi + pad;
  }
  const double raw = (hi - lo) / std::max(1, target);
  int e = static_cast<int>(std::floor(std::log10(raw)));
  long long m = 1;
  long long k0 = 0, k1 = 0;
  for (;;) {  // the least step m·10^e (m = 1, 2, 5, then the next decade) giving ≤ target gaps
    const double step = static_cast<double>(m) * std::pow(10.0, e);
    k0 = static_cast<long long>(std::floor(lo / step * (1 + 1e-12)));
    k1 = static_cast<long long>(std::ceil(hi / step * (1 - 1e-12)));
    if (k1 - k0 <= target) break;
    if (m == 1) m = 2; else if (m == 2) m = 5; else { m = 1; ++e; }
  }
  Ticks t;
  for (long long k = k0; k <= k1; ++k) {
    t.values.push_back(static_cast<double>(k * m) * std::pow(10.0, e));
    t.labels.push_back(decimal(k * m, e));
  }
  t.lo = t.values.front();
  t.hi = t.values.back();
  return t;
}

Ticks log_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) hi = lo * 10;
  const int e0 = static_cast<int>(std::floor(std::log10(lo) + 1e-12));
  int e1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-12));
  if (e1 == e0) ++e1;
  const bool fine = e1 - e0 <= 3;  // 1, 2, 5 in each decade; else the powers of ten alone
  const int every = std::max(1, (e1 - e0 + target - 1) / std::max(1, target));
  auto fill = [&](double from, double to) {
    Ticks t;
    t.log = true;
    t.lo = from;
    t.hi = to;
    for (int e = e0; e <= e1; e += every)
      for (long long m : {1LL, 2LL, 5LL}) {
        const double v = static_cast<double>(m) * std::pow(10.0, e);
        if ((m > 1 && !fine) || v < from * (1 - 1e-9) || v > to * (1 + 1e-9)) continue;
        t.values.push_back(v);
        t.labels.push_back(decimal(m, e));
      }
    return t;
  };
  Ticks t = fill(lo, hi);  // the axis spans the data
  if (t.values.size() < 2) t = fill(std::pow(10.0, e0), std::pow(10.0, e1));  // too few ticks: whole decades
  return t;
}

std::string coordinate(double v) {
  const double r = std::round(v * 100) / 100;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, r == 0 ? 0.0 : r, std::chars_format::fixed, 2);
  std::string s(buf, res.ptr);
  while (s.back() == '0') s.pop_back();  // 12.50 → 12.5, 3.00 → 3.
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace privflow::plot
