#pragma once
// A value or the reason it could not be computed. inference/ never throws on bad
// input or on a size limit: it returns a Result whose error the caller turns into a
// diagnostic (or an `undecided` verdict).
#include <optional>
#include <string>
#include <utility>

namespace privflow::inference {

/// Either a value or an error message (never both). `if (r) use(*r); else report(r.error());`
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  /// A failed result with a human-readable message.
  static Result failure(std::string message) {
    Result r;
    r.error_ = std::move(message);
    return r;
  }
  explicit operator bool() const { return value_.has_value(); }
  bool ok() const { return value_.has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  /// The message of a failed result; empty when ok.
  const std::string& error() const { return error_; }

 private:
  Result() = default;
  std::optional<T> value_;
  std::string error_;
};

/// Default ceiling on the number of cells any intermediate table may have. Larger
/// problems are refused with an error instead of exhausting memory or time.
inline constexpr unsigned long long kDefaultMaxCells = 20'000'000ULL;

}  // namespace privflow::inference
