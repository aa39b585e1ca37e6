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

void SessionImpl::configure(z3::solver& solver) {
  z3::params p(ctx);
  if (limits.timeout_ms != 0) p.set("timeout", static_cast<unsigned>(limits.timeout_ms));
  if (limits.rlimit != 0) {
    // Z3 4.8.12 takes the limit as an unsigned parameter; saturate rather than wrap.
    const std::uint64_t cap = 0xFFFFFFFFu;
    p.set("rlimit", static_cast<unsigned>(limits.rlimit < cap ? limits.rlimit : cap));
  }
  solver.set(p);
}

std::uint64_t rlimit_count(z3::solver& solver) {
  try {
    z3::stats stats = solver.statistics();
    for (unsigned i = 0; i < stats.size(); ++i)
      if (stats.key(i) == "rlimit count") return stats.is_uint(i) ? stats.uint_value(i) : 0;
  } catch (const z3::exception&) {
  }
  return 0;
}

SolveResult SessionImpl::check(z3::solver& solver) {
  ++queries;
  SolveResult result;
  const std::uint64_t before = rlimit_count(solver);
  try {
    switch (solver.check()) {
      case z3::sat: result.status = SolveStatus::kSat; break;
      case z3::unsat: result.status = SolveStatus::kUnsat; break;
      case z3::unknown:
        result.status = SolveStatus::kUnknown;
        result.reason = first_line(solver.reason_unknown());
        break;
    }
  } catch (const z3::exception& e) {
    result.status = SolveStatus::kUnknown;
    result.reason = first_line(e.msg());
  }
  if (result.status == SolveStatus::kUnknown) ++unknowns;
  const std::uint64_t after = rlimit_count(solver);
  if (after > before) work += after - before;
  return result;
}

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
