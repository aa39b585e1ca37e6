#pragma once
// Internal to solver/ (not installed): the pieces of a map count (solver/map_count.cpp) that
// need no solver. The validation of an expression and its two evaluators
// (solver/expression.cpp), the output classes met while enumerating a box of the read fields'
// domain, and interval arithmetic over a box (solver/intervals.cpp).
#include <gmpxx.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flow/graph.hpp"

namespace privflow::solver::detail {

using flow::Expr;

/// Deepest expression tree accepted (every pass below recurses on it).
inline constexpr std::size_t kMaxDepth = 4096;

/// Why a count must not walk `root` (a wrong number of operands, a field out of range, an
/// empty domain, nesting deeper than every pass below can recurse), or nullopt. The front end
/// type-checks, but a count must never crash on a malformed tree.
std::optional<std::string> malformed(const Expr& root, const flow::Data& data);
/// Value range of a field in "value space": lo..hi for int, 0..k-1 for enum and bool.
std::pair<std::int64_t, std::int64_t> value_range(const flow::Field& f);
/// hi - lo + 1, exactly.
mpz_class width(std::int64_t lo, std::int64_t hi);

// ---------------------------------------------------------------------------------------
// Evaluation: a fast int64 evaluator that reports overflow, and the exact mpz reference.
// Both evaluate operands left to right and short-circuit `and`, `or`, `if` identically, so
// they find the same division by zero first.
// ---------------------------------------------------------------------------------------

enum class EvalStatus : std::uint8_t { kOk, kOverflow, kDivZero };

/// `e` on the record `rec` (indexed by field) in int64; kOverflow when a step leaves int64
/// (then eval_mpz decides); kDivZero with `*division` set to the `/` or `%` reached.
EvalStatus eval64(const Expr& e, const std::int64_t* rec, std::int64_t& out, const Expr** division);
/// `e` on `rec` exactly; false on a division by zero, with `*division` set to its node.
bool eval_mpz(const Expr& e, const std::vector<std::int64_t>& rec, mpz_class& out, const Expr** division);

// ---------------------------------------------------------------------------------------
// Output classes met while enumerating.
// ---------------------------------------------------------------------------------------

class ClassTable {
 public:
  std::uint64_t id(std::int64_t v) {
    auto [it, fresh] = small_.try_emplace(v, values_.size());
    if (fresh) add(mpz_class(static_cast<long>(v)));
    return it->second;
  }
  std::uint64_t id(const mpz_class& v) {
    if (v.fits_slong_p()) return id(static_cast<std::int64_t>(v.get_si()));
    auto [it, fresh] = big_.try_emplace(v, values_.size());
    if (fresh) add(v);
    return it->second;
  }
  void count(std::uint64_t id) { ++counts_[id]; }
  std::size_t size() const { return values_.size(); }
  const std::vector<mpz_class>& values() const { return values_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }

 private:
  void add(const mpz_class& v) {
    values_.push_back(v);
    counts_.push_back(0);
  }
  std::unordered_map<std::int64_t, std::uint64_t> small_;
  std::map<mpz_class, std::uint64_t> big_;
  std::vector<mpz_class> values_;
  std::vector<std::uint64_t> counts_;
};


/// A box of the read fields' domain: per read position, an inclusive value range.
using Box = std::vector<std::pair<std::int64_t, std::int64_t>>;

/// The number of tuples in `box`.
mpz_class box_size(const Box& box);

struct EnumerationOutcome {
  bool division_by_zero = false;
  std::vector<std::int64_t> witness;  // per read position
  const Expr* division = nullptr;
};

/// Enumerates every tuple of `box` (last read field fastest), calling sink(class id).
template <typename Sink>
EnumerationOutcome enumerate_box(const Expr& expr, const std::vector<flow::Id>& fields, std::size_t field_count,
                                 const Box& box, ClassTable& table, Sink&& sink) {
  EnumerationOutcome outcome;
  std::vector<std::int64_t> rec(field_count, 0);
  for (std::size_t j = 0; j < fields.size(); ++j) rec[fields[j]] = box[j].first;
  mpz_class exact;
  while (true) {
    std::int64_t v;
    const Expr* division = nullptr;
    EvalStatus r = eval64(expr, rec.data(), v, &division);
    if (r == EvalStatus::kOverflow) {
      r = eval_mpz(expr, rec, exact, &division) ? EvalStatus::kOk : EvalStatus::kDivZero;
      if (r == EvalStatus::kOk) sink(table.id(exact));
    } else if (r == EvalStatus::kOk) {
      sink(table.id(v));
    }
    if (r == EvalStatus::kDivZero) {
      outcome.division_by_zero = true;
      outcome.division = division;
      for (flow::Id f : fields) outcome.witness.push_back(rec[f]);
      return outcome;
    }
    // odometer: the last read field runs fastest
    std::size_t j = fields.size();
    while (j > 0) {
      --j;
      std::int64_t& x = rec[fields[j]];
      if (x < box[j].second) { ++x; break; }
      x = box[j].first;
      if (j == 0) return outcome;
    }
    if (fields.empty()) return outcome;
  }
}

// ---------------------------------------------------------------------------------------
// Interval arithmetic over a box: a cheap sound over-approximation of an expression's values.
// `empty` means "not evaluated on any path" (e.g. a division whose divisor is 0 on the whole
// box: the division-by-zero check has shown that no input reaches it).
// ---------------------------------------------------------------------------------------

struct Interval {
  bool empty = false;
  mpz_class lo, hi;
};

Interval range(const mpz_class& lo, const mpz_class& hi);
/// An interval holding every value `e` takes on the box whose field ranges are `field_iv`.
Interval interval(const Expr& e, const std::vector<Interval>& field_iv);

}  // namespace privflow::solver::detail
