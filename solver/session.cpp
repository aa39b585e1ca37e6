#include "solver/session.hpp"

#include "solver/detail/session_impl.hpp"

namespace privflow::solver {

const char* status_name(SolveStatus status) {
  switch (status) {
    case SolveStatus::kSat: return "sat";
    case SolveStatus::kUnsat: return "unsat";
    case SolveStatus::kUnknown: return "unknown";
  }
  return "unknown";
}

namespace detail {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line.empty() ? std::string("z3 error") : line;
}

namespace {

z3::params limit_params(z3::context& ctx, const Limits& limits) {
  z3::params p(ctx);
  if (limits.timeout_ms != 0) p.set("timeout", static_cast<unsigned>(limits.timeout_ms));
  if (limits.rlimit != 0) {
    // Z3 4.8.12 takes the limit as an unsigned parameter; saturate rather than wrap.
    const std::uint64_t cap = 0xFFFFFFFFu;
    p.set("rlimit", static_cast<unsigned>(limits.rlimit < cap ? limits.rlimit : cap));
  }
  return p;
}

std::uint64_t rlimit_of(const z3::stats& stats) {
  for (unsigned i = 0; i < stats.size(); ++i)
    if (stats.key(i) == "rlimit count") return stats.is_uint(i) ? stats.uint_value(i) : 0;
  return 0;
}

std::string reason_of(z3::solver& solver) { return solver.reason_unknown(); }
// z3::optimize has no reason_unknown() in 4.8.12's C++ API: the C call it wraps later.
std::string reason_of(z3::optimize& optimize) {
  Z3_string reason = Z3_optimize_get_reason_unknown(optimize.ctx(), optimize);
  optimize.ctx().check_error();
  return reason ? reason : "unknown";
}

/// check() with exceptions mapped to kUnknown, for solver and optimize alike.
template <typename Checker>
SolveResult checked(SessionImpl& z, Checker& checker) {
  ++z.queries;
  SolveResult result;
  std::uint64_t before = 0;
  try {
    before = rlimit_of(checker.statistics());
    switch (checker.check()) {
      case z3::sat: result.status = SolveStatus::kSat; break;
      case z3::unsat: result.status = SolveStatus::kUnsat; break;
      case z3::unknown:
        result.status = SolveStatus::kUnknown;
        result.reason = first_line(reason_of(checker));
        break;
    }
  } catch (const z3::exception& e) {
    result.status = SolveStatus::kUnknown;
    result.reason = first_line(e.msg());
  }
  if (result.status == SolveStatus::kUnknown) ++z.unknowns;
  try {
    const std::uint64_t after = rlimit_of(checker.statistics());
    if (after > before) z.work += after - before;
  } catch (const z3::exception&) {
  }
  return result;
}

}  // namespace

void SessionImpl::configure(z3::solver& solver) { solver.set(limit_params(ctx, limits)); }
void SessionImpl::configure(z3::optimize& optimize) { optimize.set(limit_params(ctx, limits)); }
SolveResult SessionImpl::check(z3::optimize& optimize) { return checked(*this, optimize); }

std::uint64_t rlimit_count(z3::solver& solver) {
  try {
    return rlimit_of(solver.statistics());
  } catch (const z3::exception&) {
    return 0;
  }
}

SolveResult SessionImpl::check(z3::solver& solver) { return checked(*this, solver); }

}  // namespace detail

Session::Session(Limits limits) : impl_(std::make_unique<detail::SessionImpl>()) { impl_->limits = limits; }
Session::~Session() = default;

const Limits& Session::limits() const { return impl_->limits; }
void Session::set_limits(const Limits& limits) { impl_->limits = limits; }
std::uint64_t Session::queries() const { return impl_->queries; }
std::uint64_t Session::unknowns() const { return impl_->unknowns; }
std::uint64_t Session::work() const { return impl_->work; }
detail::SessionImpl& Session::impl() { return *impl_; }

SolveResult Session::check_smtlib(std::string_view smtlib) {
  try {
    z3::solver solver(impl_->ctx);
    impl_->configure(solver);
    solver.from_string(std::string(smtlib).c_str());
    return impl_->check(solver);
  } catch (const z3::exception& e) {
    ++impl_->queries;
    ++impl_->unknowns;
    return {SolveStatus::kUnknown, detail::first_line(e.msg())};
  }
}

}  // namespace privflow::solver
