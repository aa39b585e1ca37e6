#include "solver/coalition.hpp"

#include <algorithm>
#include <set>

#include "solver/detail/session_impl.hpp"

namespace privflow::solver {

struct ClassEnumerator::Impl {
  Impl(Session& s, std::vector<ChoiceSlot> sl, std::uint64_t k) : session(s), slots(std::move(sl)), choose(k), solver(s.impl().ctx) {}

  Session& session;
  std::vector<ChoiceSlot> slots;
  std::uint64_t choose;
  z3::solver solver;
  /// ge[i][j] ⇔ the count of slot i reaches its j-th breakpoint.
  std::vector<std::vector<z3::expr>> ge;
  std::set<ChoiceClass> exact;          // covered one by one
  std::vector<ChoiceClass> tops;        // covered with everything below
  std::uint64_t queries = 0;
  bool broken = false;                  // a Z3 exception while building: every query is unknown
  std::string broken_reason;

  std::uint32_t levels(std::size_t i) const { return static_cast<std::uint32_t>(slots[i].breakpoints.size()); }

  bool covered(const ChoiceClass& c) const {
    if (exact.count(c)) return true;
    for (const auto& t : tops) {
      bool below = true;
      for (std::size_t i = 0; i < c.level.size() && below; ++i) below = c.level[i] <= t.level[i];
      if (below) return true;
    }
    return false;
  }
};

ClassEnumerator::ClassEnumerator(Session& session, std::vector<ChoiceSlot> slots, std::uint64_t choose)
    : impl_(std::make_unique<Impl>(session, std::move(slots), choose)) {
  Impl& z = *impl_;
  try {
    auto& ctx = session.impl().ctx;
    session.impl().configure(z.solver);
    z3::expr_vector counts(ctx);
    for (std::size_t i = 0; i < z.slots.size(); ++i) {
      const auto& s = z.slots[i];
      std::vector<z3::expr> ge;
      std::string name = "s";  // appended: gcc 12 -O3 warns (-Wrestrict, falsely) on "s" + string
      name += std::to_string(i);
      if (s.single) {
        // One boolean per single agent: in or out.
        z3::expr b = ctx.bool_const(name.c_str());
        counts.push_back(z3::ite(b, ctx.int_val(1), ctx.int_val(0)));
        for (std::size_t j = 0; j < s.breakpoints.size(); ++j) ge.push_back(b);
      } else {
        // One integer per population: how many further instances are corrupted.
        z3::expr c = ctx.int_const(name.c_str());
        z.solver.add(c >= ctx.int_val(0));
        z.solver.add(c <= ctx.int_val(static_cast<std::uint64_t>(s.room)));
        counts.push_back(c);
        for (std::uint64_t bp : s.breakpoints) ge.push_back(c >= ctx.int_val(static_cast<std::uint64_t>(bp)));
      }
      z.ge.push_back(std::move(ge));
    }
    if (!counts.empty()) z.solver.add(z3::sum(counts) <= ctx.int_val(static_cast<std::uint64_t>(choose)));
  } catch (const z3::exception& e) {
    z.broken = true;
    z.broken_reason = detail::first_line(e.msg());
  }
}

ClassEnumerator::~ClassEnumerator() = default;

const std::vector<ChoiceSlot>& ClassEnumerator::slots() const { return impl_->slots; }
std::uint64_t ClassEnumerator::choose() const { return impl_->choose; }
std::uint64_t ClassEnumerator::queries() const { return impl_->queries; }
std::uint64_t ClassEnumerator::covers() const { return impl_->exact.size() + impl_->tops.size(); }

std::uint64_t ClassEnumerator::lo(std::size_t i, std::uint32_t l) const {
  return l == 0 ? 0 : impl_->slots[i].breakpoints[l - 1];
}

std::uint64_t ClassEnumerator::hi(std::size_t i, std::uint32_t l) const {
  const auto& s = impl_->slots[i];
  return l < s.breakpoints.size() ? s.breakpoints[l] - 1 : s.room;
}

std::uint64_t ClassEnumerator::least(const ChoiceClass& c) const {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < c.level.size(); ++i) sum += lo(i, c.level[i]);
  return sum;
}

SolveResult ClassEnumerator::next(ChoiceClass& out) {
  Impl& z = *impl_;
  ++z.queries;
  if (z.broken) return {SolveStatus::kUnknown, z.broken_reason};
  SolveResult r = z.session.impl().check(z.solver);
  if (r.status != SolveStatus::kSat) return r;
  try {
    z3::model m = z.solver.get_model();
    out.level.assign(z.slots.size(), 0);
    for (std::size_t i = 0; i < z.slots.size(); ++i)
      for (const auto& g : z.ge[i])
        if (m.eval(g, true).is_true()) ++out.level[i];
  } catch (const z3::exception& e) {
    return {SolveStatus::kUnknown, detail::first_line(e.msg())};
  }
  // Raise each slot as far as the budget allows, skipping raises into covered classes (a
  // raised class can only be covered exactly: were it below a covered top, so would the
  // model's class be).
  std::uint64_t used = least(out);
  for (std::size_t i = 0; i < z.slots.size(); ++i) {
    while (out.level[i] < z.levels(i)) {
      std::uint64_t extra = lo(i, out.level[i] + 1) - lo(i, out.level[i]);
      if (used + extra > z.choose) break;
      ChoiceClass raised = out;
      ++raised.level[i];
      if (z.covered(raised)) break;
      out = std::move(raised);
      used += extra;
    }
  }
  return r;
}

void ClassEnumerator::cover(const ChoiceClass& c) {
  Impl& z = *impl_;
  z.exact.insert(c);
  if (z.broken) return;
  try {
    auto& ctx = z.session.impl().ctx;
    z3::expr_vector outside(ctx);
    for (std::size_t i = 0; i < c.level.size(); ++i) {
      if (c.level[i] > 0) outside.push_back(!z.ge[i][c.level[i] - 1]);
      if (c.level[i] < z.levels(i)) outside.push_back(z.ge[i][c.level[i]]);
    }
    z.solver.add(outside.empty() ? ctx.bool_val(false) : z3::mk_or(outside));
  } catch (const z3::exception& e) {
    z.broken = true;
    z.broken_reason = detail::first_line(e.msg());
  }
}

void ClassEnumerator::cover_below(const ChoiceClass& c) {
  Impl& z = *impl_;
  z.tops.push_back(c);
  if (z.broken) return;
  try {
    auto& ctx = z.session.impl().ctx;
    z3::expr_vector above(ctx);
    for (std::size_t i = 0; i < c.level.size(); ++i)
      if (c.level[i] < z.levels(i)) above.push_back(z.ge[i][c.level[i]]);
    z.solver.add(above.empty() ? ctx.bool_val(false) : z3::mk_or(above));
  } catch (const z3::exception& e) {
    z.broken = true;
    z.broken_reason = detail::first_line(e.msg());
  }
}

}  // namespace privflow::solver
