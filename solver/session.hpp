#pragma once
// The Z3 session: one z3::context per analysis, with per-query limits. Z3 itself stays behind
// a pimpl: no privflow header outside solver/detail/ includes z3++.h.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace privflow::solver {

/// Outcome of one satisfiability query. kUnknown is a first-class answer (a limit was hit,
/// or Z3 failed): it never means "safe" and never "violated".
enum class SolveStatus { kSat, kUnsat, kUnknown };

/// "sat", "unsat" or "unknown".
const char* status_name(SolveStatus status);

/// Per-query limits, applied to every check the session makes. 0 means "no limit".
struct Limits {
  /// Wall-clock limit in milliseconds (the CLI's --timeout-ms). Not deterministic: results
  /// near the limit vary between machines; tests use rlimit instead.
  std::uint32_t timeout_ms = 0;
  /// Z3's deterministic resource limit per query (same answer on every run of one Z3 build).
  /// The default stops one hopeless query after about 1.5 s of CPU on the dev machine.
  std::uint64_t rlimit = 5'000'000;
};

/// The answer of a query: status, and for kUnknown the reason (Z3's `reason_unknown()`,
/// e.g. "max. resource limit exceeded", "timeout", "canceled", or the first line of the
/// message of a z3::exception caught at the boundary).
struct SolveResult {
  SolveStatus status = SolveStatus::kUnknown;
  std::string reason;
};

namespace detail {
struct SessionImpl;  // solver/detail/session_impl.hpp (includes z3++.h; solver/*.cpp only)
}

/// One Z3 context and its limits. Not copyable, not movable (every Z3 object made in it
/// points into it). Not thread-safe: one session per analysis thread.
class Session {
 public:
  explicit Session(Limits limits = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = delete;
  Session& operator=(Session&&) = delete;

  const Limits& limits() const;
  void set_limits(const Limits& limits);

  /// Number of checks made so far, and how many of them answered kUnknown.
  std::uint64_t queries() const;
  std::uint64_t unknowns() const;
  /// Z3 resource units (the unit of Limits::rlimit) spent by all checks so far: a
  /// deterministic measure of work, for budgets over many queries.
  std::uint64_t work() const;

  /// Checks the satisfiability of SMT-LIB 2 text (declarations and assertions) under the
  /// session's limits. A syntax error in `smtlib` is kUnknown with Z3's message as reason
  /// (this is a debugging and testing entry point, not for user input).
  SolveResult check_smtlib(std::string_view smtlib);

  /// The Z3 side, for solver/*.cpp only.
  detail::SessionImpl& impl();

 private:
  std::unique_ptr<detail::SessionImpl> impl_;
};

}  // namespace privflow::solver
