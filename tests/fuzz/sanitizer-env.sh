# Sourced by scripts/sanitize, scripts/fuzz and the fuzz regression tests: how ASan, UBSan and LSan report.
# halt_on_error: the first report ends the process with a failure; print_stacktrace: UBSan
# reports say where; detect_leaks: a leak fails the test. The suppressions name third-party
# libraries only (see the file for why each is there).
_supp="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sanitizer.supp"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=0:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:symbolize=1"
export LSAN_OPTIONS="suppressions=$_supp:print_suppressions=0"
unset _supp
