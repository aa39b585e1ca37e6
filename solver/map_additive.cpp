// Additive maps (solver/map_count.hpp, AdditiveForm): g(S_1, …, S_m), each score a sum of
// one-field terms. The scores are found structurally, each term is evaluated on its one field's
// values, and the classes are counted by convolving the terms' value counts: a count of 500
// likes has 501 values, not 2^500 tuples.
#include <algorithm>
#include <map>
#include <utility>

#include "solver/detail/map_count_steps.hpp"

namespace privflow::solver {
namespace detail {
namespace {

using Op = flow::Expr::Op;

// More scores than this are left to the other paths (their joint values multiply).
constexpr std::size_t kMaxScores = 8;

bool is_comparison(Op op) {
  return op == Op::kEq || op == Op::kNe || op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe;
}

/// Splits `e`, scaled by `coeff`, into per-field terms and a constant. False when a step joins
/// two fields in a way that is not a sum.
class Splitter {
 public:
  Splitter(const flow::Data& data, std::uint64_t max_values) : data_(data), max_values_(max_values) {}

  bool add(const Expr& e, const mpz_class& coeff) {
    const std::vector<flow::Id> reads = read_fields(e);
    if (reads.empty()) return constant(e, coeff);
    if (reads.size() == 1) return term(e, reads[0], coeff);
    switch (e.op) {
      case Op::kAdd: return add(e.children[0], coeff) && add(e.children[1], coeff);
      case Op::kSub: return add(e.children[0], coeff) && add(e.children[1], -coeff);
      case Op::kNeg: return add(e.children[0], -coeff);
      case Op::kMul: {
        // A product with a constant side scales the other.
        for (int side = 0; side < 2; ++side) {
          if (!read_fields(e.children[side]).empty()) continue;
          mpz_class c;
          if (!eval_mpz(e.children[side], {}, c, nullptr)) return false;
          return add(e.children[1 - side], coeff * c);
        }
        return false;
      }
      default: return false;
    }
  }

  const std::map<flow::Id, std::vector<mpz_class>>& terms() const { return terms_; }
  const mpz_class& offset() const { return offset_; }

 private:
  bool constant(const Expr& e, const mpz_class& coeff) {
    mpz_class v;
    if (!eval_mpz(e, {}, v, nullptr)) return false;
    offset_ += coeff * v;
    return true;
  }

  // h(x) on every value of the field, added to what the field already contributes.
  bool term(const Expr& e, flow::Id field, const mpz_class& coeff) {
    const auto [lo, hi] = value_range(data_.fields[field]);
    const mpz_class w = width(lo, hi);
    if (w > max_values_) return false;
    const std::uint64_t n = w.get_ui();
    auto& values = terms_[field];
    values.resize(n);
    std::vector<std::int64_t> rec(data_.fields.size(), 0);
    for (std::uint64_t d = 0; d < n; ++d) {
      rec[field] = lo + static_cast<std::int64_t>(d);
      mpz_class v;
      if (!eval_mpz(e, rec, v, nullptr)) return false;  // a division by zero: the general count finds it
      values[d] += coeff * v;
    }
    return true;
  }

  const flow::Data& data_;
  std::uint64_t max_values_;
  std::map<flow::Id, std::vector<mpz_class>> terms_;
  mpz_class offset_ = 0;
};

/// Whether `e` is where the score is computed: an integer sum, difference, negation or
/// product, or a comparison of two sides that both read fields (it compares their difference
/// with 0).
bool is_score_node(const Expr& e, bool& difference) {
  difference = is_comparison(e.op) && !read_fields(e.children[0]).empty() && !read_fields(e.children[1]).empty() &&
               e.children[0].type == flow::Expr::Type::kInt;
  return difference ||
         (e.type == flow::Expr::Type::kInt && (e.op == Op::kAdd || e.op == Op::kSub || e.op == Op::kNeg || e.op == Op::kMul));
}

/// Two expressions equal as trees (spans aside).
bool same_tree(const Expr& a, const Expr& b) {
  if (a.op != b.op || a.type != b.type || a.value != b.value || a.field != b.field || a.children.size() != b.children.size())
    return false;
  for (std::size_t i = 0; i < a.children.size(); ++i)
    if (!same_tree(a.children[i], b.children[i])) return false;
  return true;
}

/// A score as written: its node, and whether it is a comparison of two sides (their difference).
struct Score {
  const Expr* node = nullptr;
  bool difference = false;
};

/// The scores that every field read of `e` goes through (each may be written several times,
/// as in `if s >= 10 then 2 else if s <= -10 then 0 else 1`), or false when a field is read
/// outside them or there are more than kMaxScores.
class ScoreFinder {
 public:
  bool find(const Expr& e) { return walk(e) && !scores_.empty(); }
  const std::vector<Score>& scores() const { return scores_; }

 private:
  bool walk(const Expr& e) {
    if (read_fields(e).empty()) return true;
    bool difference = false;
    if (is_score_node(e, difference)) {
      for (const Score& s : scores_)
        if (same_tree(e, *s.node)) return s.difference == difference;
      scores_.push_back({&e, difference});
      return scores_.size() <= kMaxScores;
    }
    if (e.op == Op::kField) return false;  // a field read outside every score
    for (const Expr& c : e.children)
      if (!walk(c)) return false;
    return true;
  }

  std::vector<Score> scores_;
};

Expr score_leaf(flow::Id field, flow::Span span) {
  Expr leaf;
  leaf.op = Op::kField;
  leaf.type = flow::Expr::Type::kInt;
  leaf.field = field;
  leaf.span = span;
  return leaf;
}

/// `e` with every copy of score j replaced by the field `first + j` (a difference: `leaf op 0`).
Expr with_score_leaves(const Expr& e, const std::vector<Score>& scores, flow::Id first) {
  if (read_fields(e).empty()) return e;
  for (std::size_t j = 0; j < scores.size(); ++j) {
    if (!same_tree(e, *scores[j].node)) continue;
    if (!scores[j].difference) return score_leaf(first + j, e.span);
    Expr out = e;
    Expr zero;
    zero.op = Op::kInt;
    zero.span = e.span;
    out.children = {score_leaf(first + j, e.span), zero};
    return out;
  }
  Expr out = e;
  for (auto& c : out.children) c = with_score_leaves(c, scores, first);
  return out;
}

}  // namespace
}  // namespace detail

std::optional<mpz_class> AdditiveForm::output(const std::vector<mpz_class>& scores) const {
  std::vector<std::int64_t> rec(score_field + scores.size(), 0);
  for (std::size_t j = 0; j < scores.size(); ++j) {
    if (!scores[j].fits_slong_p()) return std::nullopt;
    rec[score_field + j] = scores[j].get_si();
  }
  mpz_class out;
  if (!detail::eval_mpz(outer, rec, out, nullptr)) return std::nullopt;
  return out;
}

std::optional<AdditiveForm> additive_form(const flow::Data& data, const flow::Expr& expr, std::uint64_t max_field_values) {
  if (detail::malformed(expr, data)) return std::nullopt;
  detail::ScoreFinder finder;
  if (!finder.find(expr)) return std::nullopt;
  const auto& scores = finder.scores();
  AdditiveForm f;
  std::map<flow::Id, std::vector<std::vector<mpz_class>>> terms;  // field -> [digit][score]
  for (std::size_t j = 0; j < scores.size(); ++j) {
    detail::Splitter split(data, max_field_values);
    const detail::Expr& e = *scores[j].node;
    if (scores[j].difference ? !(split.add(e.children[0], 1) && split.add(e.children[1], -1)) : !split.add(e, 1))
      return std::nullopt;
    f.offset.push_back(split.offset());
    for (const auto& [field, values] : split.terms()) {
      auto& t = terms[field];
      t.resize(values.size(), std::vector<mpz_class>(scores.size(), 0));
      for (std::size_t d = 0; d < values.size(); ++d) t[d][j] = values[d];
    }
  }
  for (auto& [field, values] : terms) f.terms.push_back({field, std::move(values)});
  f.score_field = data.fields.size();
  f.outer = detail::with_score_leaves(expr, scores, f.score_field);
  return f;
}

namespace detail {

std::optional<MapCount> count_additive(const flow::Data& data, const Expr& expr, MapCount m, const MapLimits& limits) {
  auto form = additive_form(data, expr);
  if (!form) return std::nullopt;
  using Scores = std::vector<mpz_class>;
  // Number of tuples per partial score vector, one term at a time.
  std::map<Scores, mpz_class> scores{{form->offset, 1}};
  std::uint64_t work = 0;
  for (const auto& t : form->terms) {
    std::map<Scores, unsigned long> counts;  // h(x) -> number of x
    for (const auto& v : t.value) ++counts[v];
    work += scores.size() * counts.size();
    if (work > limits.max_leaf_work) return std::nullopt;
    std::map<Scores, mpz_class> next;
    for (const auto& [s, n] : scores)
      for (const auto& [h, k] : counts) {
        Scores sum = s;
        for (std::size_t j = 0; j < sum.size(); ++j) sum[j] += h[j];
        next[std::move(sum)] += n * k;
      }
    if (next.size() > limits.max_classes) return std::nullopt;
    scores = std::move(next);
  }
  std::map<mpz_class, mpz_class> totals;
  for (const auto& [s, n] : scores) {
    auto out = form->output(s);
    if (!out) return std::nullopt;  // the general count finds and locates the division
    totals[*out] += n;
  }
  m.method = MapMethod::kAdditive;
  fill_classes(m, data, expr, totals);
  m.status = MapStatus::kExact;
  return m;
}

}  // namespace detail
}  // namespace privflow::solver
