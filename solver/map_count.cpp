// count_map and find_division_by_zero (solver/map_count.hpp): the read domain, the division
// check, and the exact count by enumeration of a small domain. The solver path of a large
// domain is in solver/map_count_solver.cpp.
#include "solver/map_count.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <utility>

#include "solver/detail/encoder.hpp"
#include "solver/detail/map_count_steps.hpp"

namespace privflow::solver {

namespace detail {

ReadDomain read_domain(const flow::Data& data, const Expr& expr) {
  ReadDomain s;
  s.fields = read_fields(expr);
  for (flow::Id f : s.fields) {
    auto [lo, hi] = value_range(data.fields[f]);
    s.box.push_back({lo, hi});
    mpz_class w = width(lo, hi);
    s.radix.push_back(w.fits_ulong_p() ? w.get_ui() : UINT64_MAX);
    s.tuples *= w;
  }
  return s;
}

std::vector<std::int64_t> record_of(const flow::Data& data, const std::vector<flow::Id>& fields,
                                    const std::vector<std::int64_t>& values) {
  std::vector<std::int64_t> rec(data.fields.size(), 0);
  for (std::size_t j = 0; j < fields.size(); ++j) rec[fields[j]] = values[j];
  return rec;
}

/// Z3 search for a reachable division by zero over the whole domain.
DivisionCheck solver_division_check(SessionImpl& session, const flow::Data& data, const Expr& expr,
                                    const ReadDomain& domain) {
  DivisionCheck out;
  out.read_fields = domain.fields;
  try {
    Encoder enc(session.ctx, data, domain.fields);
    z3::expr condition = enc.division_by_zero(expr, session.ctx.bool_val(true));
    if (condition.is_false()) {
      out.status = SolveStatus::kUnsat;
      return out;
    }
    z3::solver s(session.ctx);
    session.configure(s);
    add_box(s, enc, domain.box);
    s.add(condition);
    SolveResult r = session.check(s);
    out.status = r.status;
    out.reason = r.reason;
    if (r.status != SolveStatus::kSat) return out;
    z3::model m = s.get_model();
    for (std::size_t j = 0; j < domain.fields.size(); ++j) {
      int64_t v = 0;
      z3::expr value = m.eval(enc.var(j), true);
      if (!value.is_numeral_i64(v)) v = domain.box[j].first;
      out.witness.push_back(v);
    }
  } catch (const z3::exception& e) {
    out.status = SolveStatus::kUnknown;
    out.reason = first_line(e.msg());
    return out;
  }
  // Confirm with the reference evaluator and locate the operator.
  const Expr* division = nullptr;
  mpz_class value;
  if (eval_mpz(expr, record_of(data, domain.fields, out.witness), value, &division) || division == nullptr) {
    out.status = SolveStatus::kUnknown;
    out.reason = "internal: the solver's division-by-zero witness does not reproduce";
    out.witness.clear();
    return out;
  }
  out.division = division->span;
  return out;
}

MapCount undecided(MapCount m, std::string reason) {
  m.status = MapStatus::kUndecided;
  m.reason = std::move(reason);
  m.classes.clear();
  m.function.clear();
  return m;
}

void fill_classes(MapCount& m, const flow::Data& data, const Expr& expr,
                  const std::map<mpz_class, mpz_class>& totals) {
  for (const auto& [value, count] : totals) m.classes.push_back({value, output_name(data, expr, value), count});
}

}  // namespace detail

namespace {

using detail::ClassTable;
using detail::enumerate_box;
using detail::EnumerationOutcome;
using detail::Expr;
using detail::ReadDomain;

MapCount count_by_enumeration(const flow::Data& data, const Expr& expr, MapCount m, const ReadDomain& domain) {
  m.method = MapMethod::kEnumeration;
  ClassTable table;
  const std::uint64_t n = domain.tuples.get_ui();
  std::vector<std::uint64_t> function;
  function.reserve(n);
  EnumerationOutcome o = enumerate_box(expr, domain.fields, data.fields.size(), domain.box, table, [&](std::uint64_t id) {
    function.push_back(id);
    table.count(id);
  });
  if (o.division_by_zero) {
    m.status = MapStatus::kDivisionByZero;
    m.witness = o.witness;
    m.division = o.division->span;
    return m;
  }
  std::vector<std::uint64_t> order(table.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint64_t a, std::uint64_t b) { return table.values()[a] < table.values()[b]; });
  std::vector<std::uint64_t> rank(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    rank[order[i]] = i;
    const mpz_class& v = table.values()[order[i]];
    m.classes.push_back({v, output_name(data, expr, v), mpz_class(static_cast<unsigned long>(table.counts()[order[i]]))});
  }
  for (std::uint64_t& f : function) f = rank[f];
  m.function = std::move(function);
  m.status = MapStatus::kExact;
  return m;
}

}  // namespace

using detail::count_by_solver;
using detail::malformed;
using detail::read_domain;
using detail::solver_division_check;
using detail::undecided;

std::vector<std::uint64_t> MapCount::digits_of(std::uint64_t index) const {
  std::vector<std::uint64_t> digits(radix.size());
  for (std::size_t j = radix.size(); j > 0; --j) {
    digits[j - 1] = index % radix[j - 1];
    index /= radix[j - 1];
  }
  return digits;
}

mpz_class MapCount::max_preimage() const {
  mpz_class best = 0;
  for (const OutputClass& c : classes) best = std::max(best, c.preimage);
  return best;
}

mpz_class MapCount::min_preimage() const {
  if (classes.empty()) return 0;
  mpz_class best = classes.front().preimage;
  for (const OutputClass& c : classes) best = std::min(best, c.preimage);
  return best;
}

MapCount count_map(Session& session, const flow::Data& data, const flow::Expr& expr, const MapLimits& limits) {
  MapCount m;
  m.type = expr.type;
  if (auto problem = malformed(expr, data)) return undecided(m, "malformed expression: " + *problem);
  ReadDomain domain = read_domain(data, expr);
  m.read_fields = domain.fields;
  m.radix = domain.radix;
  m.tuples = domain.tuples;
  if (domain.tuples <= limits.max_enumeration) return count_by_enumeration(data, expr, std::move(m), domain);
  if (limits.additive)
    if (auto additive = detail::count_additive(data, expr, m, limits)) return std::move(*additive);
  return count_by_solver(session.impl(), data, expr, std::move(m), domain, limits);
}

DivisionCheck find_division_by_zero(Session& session, const flow::Data& data, const flow::Expr& expr,
                                    const MapLimits& limits) {
  DivisionCheck out;
  if (auto problem = malformed(expr, data)) {
    out.reason = "malformed expression: " + *problem;
    return out;
  }
  ReadDomain domain = read_domain(data, expr);
  if (domain.tuples > limits.max_enumeration) {
    if (limits.additive && detail::count_additive(data, expr, MapCount{}, limits)) {
      out.read_fields = domain.fields;
      out.status = SolveStatus::kUnsat;  // every term and every score was evaluated without one
      return out;
    }
    return solver_division_check(session.impl(), data, expr, domain);
  }
  out.read_fields = domain.fields;
  ClassTable table;
  EnumerationOutcome o =
      enumerate_box(expr, domain.fields, data.fields.size(), domain.box, table, [](std::uint64_t) {});
  out.status = o.division_by_zero ? SolveStatus::kSat : SolveStatus::kUnsat;
  if (o.division_by_zero) {
    out.witness = o.witness;
    out.division = o.division->span;
  }
  return out;
}

}  // namespace privflow::solver
