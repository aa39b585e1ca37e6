#include "inference/reidentification.hpp"

#include <algorithm>
#include <map>

#include "inference/detail/mpfr_util.hpp"

namespace privflow::inference {
namespace {

std::vector<CellGroup> to_groups(std::map<Rational, mpz_class>& m) {
  std::vector<CellGroup> out;
  out.reserve(m.size());
  for (auto& [p, c] : m) out.push_back(CellGroup{p, std::move(c)});
  return out;
}

}  // namespace

std::vector<CellGroup> cell_groups(const Distribution& distribution) {
  std::vector<Rational> sorted;
  sorted.reserve(distribution.size());
  for (const Rational& q : distribution)
    if (sgn(q) > 0) {
      sorted.push_back(q);
      sorted.back().canonicalize();
    }
  std::sort(sorted.begin(), sorted.end());
  std::vector<CellGroup> out;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    out.push_back(CellGroup{sorted[i], mpz_class(static_cast<unsigned long>(j - i))});
    i = j;
  }
  return out;
}

std::vector<CellGroup> cell_groups(const Joint& joint) { return cell_groups(joint.p); }

std::vector<CellGroup> uniform_groups(std::uint64_t k) {
  if (k == 0) return {};
  Rational p(mpz_class(1), mpz_class(static_cast<unsigned long>(k)));
  return {CellGroup{p, mpz_class(static_cast<unsigned long>(k))}};
}

Result<std::vector<CellGroup>> cell_groups_product(const std::vector<std::vector<CellGroup>>& fields,
                                                   std::uint64_t max_groups) {
  std::map<Rational, mpz_class> cur;
  cur[Rational(1)] = 1;
  for (const std::vector<CellGroup>& g : fields) {
    if (static_cast<double>(cur.size()) * static_cast<double>(g.size()) > static_cast<double>(max_groups))
      return Result<std::vector<CellGroup>>::failure(
          "the quasi-identifier cells have more than " + std::to_string(max_groups) + " distinct probabilities");
    std::map<Rational, mpz_class> next;
    for (const auto& [p, c] : cur)
      for (const CellGroup& h : g) {
        if (sgn(h.probability) == 0 || sgn(h.count) == 0) continue;
        Rational q = p * h.probability;
        next[q] += c * h.count;
      }
    cur = std::move(next);
  }
  return to_groups(cur);
}

Result<std::vector<CellGroup>> cell_groups_independent(const std::vector<Distribution>& fields,
                                                       std::uint64_t max_groups) {
  std::vector<std::vector<CellGroup>> groups;
  groups.reserve(fields.size());
  for (const Distribution& f : fields) groups.push_back(cell_groups(f));
  return cell_groups_product(groups, max_groups);
}

Result<std::vector<CellGroup>> quasi_identifier_groups(const BayesNet& net, const std::vector<FieldId>& fields_in,
                                                       std::uint64_t max_cells, std::uint64_t max_groups) {
  using R = Result<std::vector<CellGroup>>;
  if (auto e = net.check(); !e.empty()) return R::failure(e);
  std::vector<FieldId> fields = fields_in;
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  const std::size_t n = fields.size();
  // Ancestry of each field (itself included).
  std::vector<std::vector<bool>> ancestry(n, std::vector<bool>(net.size(), false));
  for (std::size_t i = 0; i < n; ++i) {
    if (fields[i] >= net.size()) return R::failure("unknown quasi-identifier field");
    std::vector<FieldId> todo{fields[i]};
    while (!todo.empty()) {
      FieldId f = todo.back();
      todo.pop_back();
      if (ancestry[i][f]) continue;
      ancestry[i][f] = true;
      for (FieldId p : net.field(f).parents) todo.push_back(p);
    }
  }
  // Components of fields linked by shared ancestors (union-find).
  std::vector<std::size_t> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  auto find = [&](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      for (FieldId f = 0; f < net.size(); ++f)
        if (ancestry[i][f] && ancestry[j][f]) {
          parent[find(i)] = find(j);
          break;
        }
  std::map<std::size_t, std::vector<FieldId>> components;
  for (std::size_t i = 0; i < n; ++i) components[find(i)].push_back(fields[i]);
  std::vector<std::vector<CellGroup>> parts;
  for (const auto& [root, members] : components) {
    const NetField& f = net.field(members[0]);
    if (members.size() == 1 && f.parents.empty() && f.cpt.empty()) {
      parts.push_back(uniform_groups(f.size));
      continue;
    }
    auto joint = joint_distribution(net, members, max_cells);
    if (!joint) return R::failure(joint.error());
    parts.push_back(cell_groups(*joint));
  }
  return cell_groups_product(parts, max_groups);
}

Result<Reidentification> reidentification(const std::vector<CellGroup>& groups, std::uint64_t rows) {
  Rational total = 0;
  for (const CellGroup& g : groups) {
    if (sgn(g.probability) < 0 || sgn(g.count) < 0)
      return Result<Reidentification>::failure("negative cell probability or count");
    total += g.probability * g.count;
  }
  if (total != 1)
    return Result<Reidentification>::failure("the cells' probabilities sum to " + total.get_str() + ", not 1");
  Reidentification r;
  r.unique_fraction = 0;
  r.prosecutor_risk = 0;
  if (rows == 0) return r;

  // Prosecutor risk: 1 / (rows · p_min), capped at 1.
  const Rational* p_min = nullptr;
  for (const CellGroup& g : groups)
    if (sgn(g.probability) > 0 && sgn(g.count) > 0 && (!p_min || g.probability < *p_min)) p_min = &g.probability;
  if (p_min) {
    Rational expected = *p_min * Rational(mpz_class(static_cast<unsigned long>(rows)));
    r.prosecutor_risk = expected <= 1 ? Rational(1) : Rational(1 / expected);
    r.prosecutor_risk.canonicalize();
  }

  if (rows <= 2) {
    // Exact: Σ p (1 − p)^(rows − 1) with exponent 0 or 1.
    Rational sum = 0;
    for (const CellGroup& g : groups) {
      Rational term = g.probability * g.count;
      if (rows == 2) term *= 1 - g.probability;
      sum += term;
    }
    sum.canonicalize();
    r.unique_fraction = sum;
    return r;
  }
  // Σ count · p · exp((rows − 1) · log1p(−p)), every step rounded up: log1p(−p) is negative,
  // so rounding it up (towards 0) and multiplying up keeps the exponent an upper bound.
  detail::Mpfr sum, term, log_term, p_up;
  mpfr_set_zero(sum.get(), 1);
  for (const CellGroup& g : groups) {
    if (sgn(g.probability) == 0 || sgn(g.count) == 0 || g.probability >= 1) continue;  // p = 1: (1 − p)^(n−1) = 0
    Rational minus_p = -g.probability;
    mpfr_set_q(log_term.get(), minus_p.get_mpq_t(), MPFR_RNDU);
    mpfr_log1p(log_term.get(), log_term.get(), MPFR_RNDU);
    mpfr_mul_ui(log_term.get(), log_term.get(), static_cast<unsigned long>(rows - 1), MPFR_RNDU);
    mpfr_exp(term.get(), log_term.get(), MPFR_RNDU);
    mpfr_set_q(p_up.get(), g.probability.get_mpq_t(), MPFR_RNDU);
    mpfr_mul(term.get(), term.get(), p_up.get(), MPFR_RNDU);
    mpfr_mul_z(term.get(), term.get(), g.count.get_mpz_t(), MPFR_RNDU);
    mpfr_add(sum.get(), sum.get(), term.get(), MPFR_RNDU);
  }
  Rational u = sum.to_rational();
  r.unique_fraction = u > 1 ? Rational(1) : u;
  return r;
}

}  // namespace privflow::inference
