#include "inference/bayes_net.hpp"
#include "inference/detail/saturating.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <set>

namespace privflow::inference {
namespace {

using detail::kSaturated;
using detail::mul_sat;

// A table over some fields, mixed radix with the first variable most significant, in integer
// form: entry i is num[i] / den. Products and sums then need integer arithmetic only.
struct Factor {
  std::vector<FieldId> vars;
  std::vector<std::uint64_t> sizes;
  std::vector<mpz_class> num;
  mpz_class den = 1;
};

// Divides numerators and denominator by their common factor (keeps numbers short).
void reduce(Factor& f) {
  mpz_class g = f.den;
  for (const mpz_class& n : f.num) {
    if (g == 1) return;
    if (sgn(n) != 0) mpz_gcd(g.get_mpz_t(), g.get_mpz_t(), n.get_mpz_t());
  }
  if (g == 1) return;
  for (mpz_class& n : f.num)
    if (sgn(n) != 0) mpz_divexact(n.get_mpz_t(), n.get_mpz_t(), g.get_mpz_t());
  mpz_divexact(f.den.get_mpz_t(), f.den.get_mpz_t(), g.get_mpz_t());
}

// Σ over `sum_out` of the product of `factors`, as a factor over `keep` (in that order).
// Iterates the union space once with an odometer that keeps each factor's offset current.
Factor combine(const std::vector<const Factor*>& factors, const std::vector<FieldId>& keep,
               const std::vector<FieldId>& sum_out, const BayesNet& net) {
  std::vector<FieldId> all = keep;
  all.insert(all.end(), sum_out.begin(), sum_out.end());
  const std::size_t n = all.size();
  std::vector<std::uint64_t> sizes(n);
  for (std::size_t j = 0; j < n; ++j) sizes[j] = net.field(all[j]).size;

  Factor out;
  out.vars = keep;
  out.sizes.assign(sizes.begin(), sizes.begin() + static_cast<std::ptrdiff_t>(keep.size()));
  std::uint64_t out_cells = 1, inner = 1;
  for (std::size_t j = 0; j < keep.size(); ++j) out_cells *= sizes[j];
  for (std::size_t j = keep.size(); j < n; ++j) inner *= sizes[j];
  out.num.resize(out_cells);
  out.den = 1;
  for (const Factor* f : factors) out.den *= f->den;

  // stride[f][j]: how far factor f's offset moves when variable j increases by one.
  const std::size_t nf = factors.size();
  std::vector<std::vector<std::uint64_t>> stride(nf, std::vector<std::uint64_t>(n, 0));
  for (std::size_t f = 0; f < nf; ++f) {
    const Factor& fac = *factors[f];
    std::uint64_t s = 1;
    for (std::size_t v = fac.vars.size(); v-- > 0;) {
      auto it = std::find(all.begin(), all.end(), fac.vars[v]);
      assert(it != all.end());
      stride[f][static_cast<std::size_t>(it - all.begin())] = s;
      s *= fac.sizes[v];
    }
  }
  std::vector<std::uint64_t> digit(n, 0), offset(nf, 0);
  const std::uint64_t total = out_cells * inner;
  mpz_class term;
  for (std::uint64_t idx = 0; idx < total; ++idx) {
    bool zero = false;
    for (std::size_t f = 0; f < nf && !zero; ++f) zero = sgn(factors[f]->num[offset[f]]) == 0;
    if (!zero) {
      mpz_class& acc = out.num[idx / inner];
      if (nf == 0) {
        acc += 1;
      } else if (nf == 1) {
        acc += factors[0]->num[offset[0]];
      } else {
        if (nf == 2) {
          mpz_addmul(acc.get_mpz_t(), factors[0]->num[offset[0]].get_mpz_t(),
                     factors[1]->num[offset[1]].get_mpz_t());
        } else {
          term = factors[0]->num[offset[0]];
          for (std::size_t f = 1; f + 1 < nf; ++f) term *= factors[f]->num[offset[f]];
          mpz_addmul(acc.get_mpz_t(), term.get_mpz_t(), factors[nf - 1]->num[offset[nf - 1]].get_mpz_t());
        }
      }
    }
    // Advance the odometer.
    for (std::size_t j = n; j-- > 0;) {
      if (++digit[j] < sizes[j]) {
        for (std::size_t f = 0; f < nf; ++f) offset[f] += stride[f][j];
        break;
      }
      digit[j] = 0;
      for (std::size_t f = 0; f < nf; ++f) offset[f] -= stride[f][j] * (sizes[j] - 1);
    }
  }
  reduce(out);
  return out;
}

std::string row_sum_error(const NetField& f, const std::vector<Rational>& row, std::size_t r) {
  Rational sum = 0;
  for (const Rational& q : row) {
    if (q < 0 || q > 1) return "field '" + f.name + "': probability " + q.get_str() + " is outside [0, 1]";
    sum += q;
  }
  if (sum != 1)
    return "field '" + f.name + "': distribution " + std::to_string(r + 1) + " sums to " + sum.get_str() +
           ", not 1";
  return {};
}

}  // namespace

std::uint64_t Domain::cardinality() const {
  std::uint64_t c = 1;
  for (std::uint64_t s : sizes) c = mul_sat(c, s);
  return c;
}

std::uint64_t Domain::index_of(const std::vector<std::uint64_t>& values) const {
  assert(values.size() == sizes.size());
  std::uint64_t idx = 0;
  for (std::size_t j = 0; j < sizes.size(); ++j) idx = idx * sizes[j] + values[j];
  return idx;
}

std::vector<std::uint64_t> Domain::values_of(std::uint64_t index) const {
  std::vector<std::uint64_t> v(sizes.size());
  for (std::size_t j = sizes.size(); j-- > 0;) {
    v[j] = index % sizes[j];
    index /= sizes[j];
  }
  return v;
}

std::uint64_t Domain::stride(std::size_t pos) const {
  std::uint64_t s = 1;
  for (std::size_t j = pos + 1; j < sizes.size(); ++j) s *= sizes[j];
  return s;
}

std::uint64_t Domain::value_at(std::uint64_t index, std::size_t pos) const {
  return (index / stride(pos)) % sizes[pos];
}

Distribution Joint::marginal(std::size_t pos) const {
  Distribution m(domain.sizes.at(pos), Rational(0));
  const std::uint64_t stride = domain.stride(pos), k = domain.sizes[pos];
  for (std::uint64_t i = 0; i < p.size(); ++i)
    if (sgn(p[i]) != 0) m[(i / stride) % k] += p[i];
  return m;
}

FieldId BayesNet::add_field(std::string name, std::uint64_t size) {
  return add_field(std::move(name), size, std::vector<FieldId>{}, {});
}

FieldId BayesNet::add_field(std::string name, std::uint64_t size, std::vector<Rational> prior) {
  std::vector<std::vector<Rational>> cpt;
  if (!prior.empty()) cpt.push_back(std::move(prior));
  return add_field(std::move(name), size, std::vector<FieldId>{}, std::move(cpt));
}

FieldId BayesNet::add_field(std::string name, std::uint64_t size, std::vector<FieldId> parents,
                            std::vector<std::vector<Rational>> cpt) {
  for (auto& row : cpt)
    for (auto& q : row) q.canonicalize();
  fields_.push_back(NetField{std::move(name), size, std::move(parents), std::move(cpt)});
  return fields_.size() - 1;
}

std::string BayesNet::check() const {
  const std::size_t n = fields_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const NetField& f = fields_[i];
    if (f.size == 0) return "field '" + f.name + "' has no values";
    std::uint64_t rows = 1;
    for (FieldId p : f.parents) {
      if (p >= n) return "field '" + f.name + "' depends on an unknown field";
      if (p == i) return "field '" + f.name + "' depends on itself";
      rows = mul_sat(rows, fields_[p].size);
    }
    if (std::set<FieldId>(f.parents.begin(), f.parents.end()).size() != f.parents.size())
      return "field '" + f.name + "' names a parent twice";
    if (f.cpt.empty()) continue;
    if (f.cpt.size() != rows)
      return "field '" + f.name + "' has " + std::to_string(f.cpt.size()) + " distributions, expected " +
             std::to_string(rows);
    for (std::size_t r = 0; r < f.cpt.size(); ++r) {
      if (f.cpt[r].size() != f.size)
        return "field '" + f.name + "': distribution " + std::to_string(r + 1) + " has " +
               std::to_string(f.cpt[r].size()) + " entries, expected " + std::to_string(f.size);
      if (auto e = row_sum_error(f, f.cpt[r], r); !e.empty()) return e;
    }
  }
  // Cycles: depth-first search with colours.
  std::vector<int> colour(n, 0);
  std::vector<std::pair<FieldId, std::size_t>> stack;
  for (FieldId s = 0; s < n; ++s) {
    if (colour[s]) continue;
    stack.push_back({s, 0});
    colour[s] = 1;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next < fields_[v].parents.size()) {
        FieldId p = fields_[v].parents[next++];
        if (colour[p] == 1) return "field '" + fields_[p].name + "' depends on itself through a cycle";
        if (colour[p] == 0) {
          colour[p] = 1;
          stack.push_back({p, 0});
        }
      } else {
        colour[v] = 2;
        stack.pop_back();
      }
    }
  }
  return {};
}

Result<Joint> joint_distribution(const BayesNet& net, const std::vector<FieldId>& fields, std::uint64_t max_cells) {
  if (auto e = net.check(); !e.empty()) return Result<Joint>::failure(e);
  const std::size_t n = net.size();
  std::vector<bool> wanted(n, false);
  std::uint64_t result_cells = 1;
  for (FieldId f : fields) {
    if (f >= n) return Result<Joint>::failure("unknown field in a joint distribution");
    if (wanted[f]) return Result<Joint>::failure("field '" + net.field(f).name + "' named twice in a joint");
    wanted[f] = true;
    result_cells = mul_sat(result_cells, net.field(f).size);
  }
  if (result_cells > max_cells)
    return Result<Joint>::failure("the joint distribution of the fields has " +
                                  (result_cells == kSaturated ? std::string("over 2^64")
                                                              : std::to_string(result_cells)) +
                                  " cells, more than the limit of " + std::to_string(max_cells));
  // Only ancestors matter: every other field sums out to 1.
  std::vector<bool> relevant(n, false);
  std::vector<FieldId> todo(fields.begin(), fields.end());
  while (!todo.empty()) {
    FieldId f = todo.back();
    todo.pop_back();
    if (relevant[f]) continue;
    relevant[f] = true;
    for (FieldId p : net.field(f).parents) todo.push_back(p);
  }
  std::vector<Factor> factors;
  for (FieldId f = 0; f < n; ++f) {
    if (!relevant[f]) continue;
    const NetField& nf = net.field(f);
    Factor fac;
    fac.vars = nf.parents;
    fac.vars.push_back(f);
    std::uint64_t cells = 1;
    for (FieldId v : fac.vars) {
      fac.sizes.push_back(net.field(v).size);
      cells = mul_sat(cells, net.field(v).size);
    }
    if (cells > max_cells)
      return Result<Joint>::failure("the table of field '" + nf.name + "' has more than " +
                                    std::to_string(max_cells) + " cells");
    if (nf.cpt.empty()) {
      fac.num.assign(cells, mpz_class(1));
      fac.den = nf.size;
    } else {
      for (const auto& row : nf.cpt)
        for (const Rational& q : row) mpz_lcm(fac.den.get_mpz_t(), fac.den.get_mpz_t(), q.get_den_mpz_t());
      fac.num.reserve(cells);
      for (const auto& row : nf.cpt)
        for (const Rational& q : row) fac.num.push_back(q.get_num() * (fac.den / q.get_den()));
    }
    factors.push_back(std::move(fac));
  }
  std::vector<FieldId> eliminate;
  for (FieldId f = 0; f < n; ++f)
    if (relevant[f] && !wanted[f]) eliminate.push_back(f);

  // Greedy min-size elimination order.
  while (!eliminate.empty()) {
    std::size_t best = 0;
    std::uint64_t best_cells = kSaturated;
    for (std::size_t e = 0; e < eliminate.size(); ++e) {
      std::set<FieldId> scope;
      for (const Factor& fac : factors)
        if (std::find(fac.vars.begin(), fac.vars.end(), eliminate[e]) != fac.vars.end())
          scope.insert(fac.vars.begin(), fac.vars.end());
      std::uint64_t cells = 1;
      for (FieldId v : scope) cells = mul_sat(cells, net.field(v).size);
      if (cells < best_cells) {
        best_cells = cells;
        best = e;
      }
    }
    const FieldId var = eliminate[best];
    if (best_cells > max_cells)
      return Result<Joint>::failure("eliminating field '" + net.field(var).name + "' needs a table of more than " +
                                    std::to_string(max_cells) + " cells");
    std::vector<const Factor*> with;
    std::vector<Factor> without;
    std::set<FieldId> scope;
    for (const Factor& fac : factors)
      if (std::find(fac.vars.begin(), fac.vars.end(), var) != fac.vars.end()) {
        with.push_back(&fac);
        scope.insert(fac.vars.begin(), fac.vars.end());
      }
    scope.erase(var);
    Factor merged = combine(with, std::vector<FieldId>(scope.begin(), scope.end()), {var}, net);
    for (Factor& fac : factors)
      if (std::find(fac.vars.begin(), fac.vars.end(), var) == fac.vars.end()) without.push_back(std::move(fac));
    without.push_back(std::move(merged));
    factors = std::move(without);
    eliminate.erase(eliminate.begin() + static_cast<std::ptrdiff_t>(best));
  }
  std::vector<const Factor*> all;
  for (const Factor& fac : factors) all.push_back(&fac);
  Factor result = combine(all, fields, {}, net);
  Joint j;
  j.fields = fields;
  j.domain.sizes = result.sizes;
  j.p.resize(result.num.size());
  for (std::size_t i = 0; i < result.num.size(); ++i) {
    if (sgn(result.num[i]) == 0) continue;
    j.p[i] = Rational(result.num[i], result.den);
    j.p[i].canonicalize();
  }
  return j;
}

Result<Distribution> marginal(const BayesNet& net, FieldId field, std::uint64_t max_cells) {
  auto j = joint_distribution(net, {field}, max_cells);
  if (!j) return Result<Distribution>::failure(j.error());
  return std::move(j->p);
}

}  // namespace privflow::inference
