// The solver path of count_map (solver/map_count.hpp) for a domain too large to enumerate:
// a periodic reduction proved by Z3, then boxes that are proved constant (interval arithmetic,
// else one Z3 check each), enumerated when small, or split where the output changes.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "solver/detail/encoder.hpp"
#include "solver/detail/map_count_steps.hpp"

namespace privflow::solver::detail {

namespace {

using Op = flow::Expr::Op;

/// Candidate periods: the lcm and the product of the literal divisors of `/` and `%`
/// (`x % 7` has period 7, `x / 10 % 10` period 100). Only candidates; each is proved by Z3.
std::vector<mpz_class> candidate_periods(const Expr& root) {
  mpz_class lcm = 1, product = 1;
  std::vector<const Expr*> stack{&root};
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    if ((e->op == Op::kDiv || e->op == Op::kMod) && e->children[1].op == Op::kInt && e->children[1].value != 0) {
      mpz_class d = static_cast<long>(e->children[1].value);
      d = abs(d);
      mpz_lcm(lcm.get_mpz_t(), lcm.get_mpz_t(), d.get_mpz_t());
      product *= d;
    }
    for (const Expr& c : e->children) stack.push_back(&c);
  }
  std::vector<mpz_class> out;
  if (lcm > 1) out.push_back(lcm);
  if (product != lcm) out.push_back(product);
  return out;
}

/// A box of the domain that stands for `weight` copies of itself (periodic reduction).
struct WeightedBox {
  Box box;
  mpz_class weight;
};

/// One count on the solver path: its budget (the session's counters when it started), the
/// encoded expression, the boxes still to count and the preimage of every output met so far.
/// Each step returns the finished MapCount when the count ends early (a division by zero, a
/// limit, the solver's unknown), nullopt to go on.
class SolverCount {
 public:
  SolverCount(SessionImpl& session, const flow::Data& data, const Expr& expr, const ReadDomain& domain,
              const MapLimits& limits)
      : session_(session),
        data_(data),
        expr_(expr),
        domain_(domain),
        limits_(limits),
        queries_before_(session.queries),
        work_before_(session.work),
        field_iv_(data.fields.size()) {}

  MapCount run(MapCount m);

 private:
  MapCount finish(MapCount r) const {
    r.solver_queries = session_.queries - queries_before_;
    r.solver_work = session_.work - work_before_;
    return r;
  }
  // Between queries: has this count used up its query or work budget?
  std::optional<std::string> exhausted() const {
    if (session_.queries - queries_before_ >= limits_.max_queries)
      return "limit reached: more than " + std::to_string(limits_.max_queries) + " solver queries";
    if (session_.work - work_before_ >= limits_.max_solver_work)
      return "limit reached: more than " + std::to_string(limits_.max_solver_work) + " solver resource units";
    return std::nullopt;
  }
  MapCount division_by_zero(MapCount m, std::vector<std::int64_t> witness, flow::Span division) const {
    m.status = MapStatus::kDivisionByZero;
    m.witness = std::move(witness);
    m.division = division;
    return finish(m);
  }

  void reduce_periodic(Encoder& enc, const z3::expr& out, z3::solver& s, std::vector<WeightedBox>& stack);
  std::optional<MapCount> count_small_box(const MapCount& m, const Box& box, const mpz_class& size,
                                          const mpz_class& weight);
  std::optional<MapCount> count_or_split(const MapCount& m, Encoder& enc, const z3::expr& out, z3::solver& s,
                                         Box box, const mpz_class& size, const mpz_class& weight,
                                         std::vector<WeightedBox>& stack);
  std::optional<MapCount> split_box(const MapCount& m, Encoder& enc, const z3::model& model, Box box,
                                    const std::vector<std::int64_t>& corner, const mpz_class& v0,
                                    const mpz_class& weight, std::vector<WeightedBox>& stack);

  SessionImpl& session_;
  const flow::Data& data_;
  const Expr& expr_;
  const ReadDomain& domain_;
  const MapLimits& limits_;
  const std::uint64_t queries_before_;
  const std::uint64_t work_before_;
  std::map<mpz_class, mpz_class> totals_;
  std::uint64_t leaf_work_ = 0;
  std::vector<Interval> field_iv_;
};

MapCount SolverCount::run(MapCount m) {
  m.method = MapMethod::kSolver;
  DivisionCheck dz = solver_division_check(session_, data_, expr_, domain_);
  if (dz.status == SolveStatus::kSat) return division_by_zero(m, dz.witness, dz.division);
  if (dz.status == SolveStatus::kUnknown) return finish(undecided(m, "division-by-zero check: " + dz.reason));

  try {
    Encoder enc(session_.ctx, data_, domain_.fields);
    z3::expr out = enc.as_int(expr_);
    z3::solver s(session_.ctx);
    session_.configure(s);
    std::vector<WeightedBox> stack{{domain_.box, 1}};
    reduce_periodic(enc, out, s, stack);

    while (!stack.empty()) {
      Box box = std::move(stack.back().box);
      const mpz_class weight = std::move(stack.back().weight);
      stack.pop_back();
      for (std::size_t j = 0; j < domain_.fields.size(); ++j)
        field_iv_[domain_.fields[j]] = range(static_cast<long>(box[j].first), static_cast<long>(box[j].second));
      const mpz_class size = box_size(box);
      Interval iv = interval(expr_, field_iv_);
      std::optional<MapCount> ended;
      if (!iv.empty && iv.lo == iv.hi) {  // constant on the box, proved without Z3
        totals_[iv.lo] += size * weight;
      } else if (size <= limits_.leaf_tuples) {
        ended = count_small_box(m, box, size, weight);
      } else {
        ended = count_or_split(m, enc, out, s, std::move(box), size, weight, stack);
      }
      if (ended) return *ended;
      if (totals_.size() > limits_.max_classes)
        return finish(undecided(m, "limit reached: more than " + std::to_string(limits_.max_classes) +
                                       " distinct outputs"));
    }
  } catch (const z3::exception& e) {
    return finish(undecided(m, "solver: " + first_line(e.msg())));
  }
  fill_classes(m, data_, expr_, totals_);
  m.status = MapStatus::kExact;
  return finish(m);
}

// Periodic reduction: if f(x + p·e_j) = f(x) whenever both tuples are in the domain
// (proved: the negation is unsat), then f depends on x_j only through its residue, and
// counting over one period of x_j with each residue weighted by how often it occurs
// in [lo_j, hi_j] is exact: N_j = q·p + r values give r residues q + 1 times, the others q.
void SolverCount::reduce_periodic(Encoder& enc, const z3::expr& out, z3::solver& s, std::vector<WeightedBox>& stack) {
  std::vector<bool> periodic(domain_.fields.size(), false);
  for (const mpz_class& period : candidate_periods(expr_)) {
    for (std::size_t j = 0; j < domain_.fields.size(); ++j) {
      if (periodic[j]) continue;
      if (data_.fields[domain_.fields[j]].type != flow::FieldType::kInt) continue;
      const auto [lo, hi] = domain_.box[j];
      const mpz_class n = width(lo, hi);
      if (!period.fits_slong_p() || n < 2 * period) continue;
      if (exhausted()) break;
      const long p = period.get_si();
      z3::expr x = enc.var(j);
      z3::expr_vector from(session_.ctx), to(session_.ctx);
      from.push_back(x);
      to.push_back(x + session_.ctx.int_val(static_cast<int64_t>(p)));
      z3::expr shifted = out;
      shifted = shifted.substitute(from, to);
      s.push();
      add_box(s, enc, domain_.box);
      s.add(x + session_.ctx.int_val(static_cast<int64_t>(p)) <= session_.ctx.int_val(static_cast<int64_t>(hi)));
      s.add(out != shifted);
      SolveResult r = session_.check(s);
      s.pop();
      if (r.status != SolveStatus::kUnsat) continue;  // not periodic, or not proved: no reduction
      periodic[j] = true;
      mpz_class q, rem;
      mpz_fdiv_qr(q.get_mpz_t(), rem.get_mpz_t(), n.get_mpz_t(), period.get_mpz_t());
      std::vector<WeightedBox> reduced;
      for (const WeightedBox& wb : stack) {
        if (rem > 0) {
          WeightedBox more = wb;
          more.box[j] = {lo, lo + rem.get_si() - 1};
          more.weight *= q + 1;
          reduced.push_back(std::move(more));
        }
        WeightedBox rest = wb;
        rest.box[j] = {lo + rem.get_si(), lo + p - 1};
        rest.weight *= q;
        reduced.push_back(std::move(rest));
      }
      std::reverse(reduced.begin(), reduced.end());  // the stack pops the lowest first
      stack = std::move(reduced);
    }
  }
}

/// A box of at most limits.leaf_tuples tuples: enumerated.
std::optional<MapCount> SolverCount::count_small_box(const MapCount& m, const Box& box, const mpz_class& size,
                                                     const mpz_class& weight) {
  leaf_work_ += size.get_ui();
  if (leaf_work_ > limits_.max_leaf_work)
    return finish(undecided(m, "limit reached: more than " + std::to_string(limits_.max_leaf_work) +
                                   " tuples enumerated in small boxes"));
  ClassTable table;
  EnumerationOutcome o = enumerate_box(expr_, domain_.fields, data_.fields.size(), box, table,
                                       [&](std::uint64_t id) { table.count(id); });
  if (o.division_by_zero)  // the solver said none: believe the evaluator
    return division_by_zero(m, o.witness, o.division->span);
  for (std::size_t i = 0; i < table.size(); ++i)
    totals_[table.values()[i]] += mpz_class(static_cast<unsigned long>(table.counts()[i])) * weight;
  return std::nullopt;
}

/// A large box: is it constant? Evaluate one corner, then ask for a tuple with another output;
/// none: counted; one: the box is split (split_box).
std::optional<MapCount> SolverCount::count_or_split(const MapCount& m, Encoder& enc, const z3::expr& out,
                                                    z3::solver& s, Box box, const mpz_class& size,
                                                    const mpz_class& weight, std::vector<WeightedBox>& stack) {
  std::vector<std::int64_t> corner(domain_.fields.size());
  for (std::size_t j = 0; j < box.size(); ++j) corner[j] = box[j].first;
  mpz_class v0;
  const Expr* division = nullptr;
  if (!eval_mpz(expr_, record_of(data_, domain_.fields, corner), v0, &division))
    return division_by_zero(m, corner, division ? division->span : flow::Span{});
  if (auto reason = exhausted()) return finish(undecided(m, *reason));
  s.push();
  add_box(s, enc, box);
  s.add(out != session_.ctx.int_val(v0.get_str().c_str()));
  SolveResult r = session_.check(s);
  if (r.status != SolveStatus::kSat) s.pop();
  if (r.status == SolveStatus::kUnknown) return finish(undecided(m, "solver: " + r.reason));
  if (r.status == SolveStatus::kUnsat) {
    totals_[v0] += size * weight;
    return std::nullopt;
  }
  std::optional<MapCount> ended = split_box(m, enc, s.get_model(), std::move(box), corner, v0, weight, stack);
  if (!ended) s.pop();
  return ended;
}

/// Z3 found a tuple of the box with another output than its corner's. Walk from the corner to
/// it one coordinate at a time: the first coordinate whose change changes the output is one
/// the output depends on inside this box; bisect that side (the lower half is examined first).
/// Without such a coordinate (never expected), bisect the widest side.
std::optional<MapCount> SolverCount::split_box(const MapCount& m, Encoder& enc, const z3::model& model, Box box,
                                               const std::vector<std::int64_t>& corner, const mpz_class& v0,
                                               const mpz_class& weight, std::vector<WeightedBox>& stack) {
  std::vector<std::int64_t> point = corner;
  std::size_t split = box.size();
  mpz_class previous = v0, next;
  const Expr* division = nullptr;
  for (std::size_t j = 0; j < box.size() && split == box.size(); ++j) {
    int64_t v = 0;
    if (!model.eval(enc.var(j), true).is_numeral_i64(v) || v == point[j]) continue;
    if (v < box[j].first || v > box[j].second) continue;
    point[j] = v;
    if (!eval_mpz(expr_, record_of(data_, domain_.fields, point), next, &division))
      return division_by_zero(m, point, division ? division->span : flow::Span{});
    if (next != previous) split = j;
    previous = next;
  }
  if (split == box.size()) {
    mpz_class best = -1;
    for (std::size_t j = 0; j < box.size(); ++j) {
      mpz_class w = width(box[j].first, box[j].second);
      if (w > best) { best = w; split = j; }
    }
  }
  auto [lo, hi] = box[split];
  mpz_class mid_z = mpz_class(static_cast<long>(lo)) + mpz_class(static_cast<long>(hi));
  mpz_fdiv_q_2exp(mid_z.get_mpz_t(), mid_z.get_mpz_t(), 1);
  const std::int64_t mid = mid_z.get_si();
  Box upper = box;
  upper[split] = {mid + 1, hi};
  box[split] = {lo, mid};
  stack.push_back({std::move(upper), weight});
  stack.push_back({std::move(box), weight});
  return std::nullopt;
}

}  // namespace

MapCount count_by_solver(SessionImpl& session, const flow::Data& data, const Expr& expr, MapCount m,
                         const ReadDomain& domain, const MapLimits& limits) {
  return SolverCount(session, data, expr, domain, limits).run(std::move(m));
}

}  // namespace privflow::solver::detail
