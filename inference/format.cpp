#include "inference/format.hpp"

namespace privflow::inference {

std::string format_probability(const Rational& q_in, int digits) {
  Rational q = q_in;
  q.canonicalize();
  std::string exact = format_exact(q);
  if (exact.size() <= 11) return exact;
  return format_up(q, digits);
}

std::string format_bits(const Bits& bits, int digits) {
  if (bits.exact) return format_probability(bits.value, digits);
  return format_up(bits.value, digits);
}

}  // namespace privflow::inference
