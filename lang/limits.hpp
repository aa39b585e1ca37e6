#pragma once
// Limits against hostile or runaway input (docs/limits.md explains each one). Every limit
// that is hit becomes a located error, never a crash, a hang or an exhausted stack.
#include <cstddef>
#include <cstdint>

namespace privflow::lang {

struct Limits {
  /// Largest spec accepted, in bytes.
  std::size_t max_bytes = std::size_t{64} << 20;
  /// Deepest nesting of expressions (parentheses, unary operators, if) and of `{...}` values.
  int max_depth = 256;
  /// Longest identifier.
  std::size_t max_identifier = 256;
  /// Most statements in one spec.
  std::size_t max_statements = 4'000'000;
  /// Errors reported before giving up on a file.
  std::size_t max_errors = 200;
  /// Largest population (`agent A[n]`) and largest `rows`.
  std::uint64_t max_population = 1'000'000'000'000ULL;
  /// Largest magnitude of an `int[lo, hi]` bound, and of an integer in a `map` expression.
  std::int64_t max_int = 1'000'000'000'000LL;
  /// Most values in one field's domain that a `prior`/`given` table may list.
  std::uint64_t max_domain = 1'000'000;
};

}  // namespace privflow::lang
