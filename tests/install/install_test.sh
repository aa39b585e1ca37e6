#!/usr/bin/env bash
# install_test.sh BUILD SOURCE SCRATCH: `cmake --install BUILD --prefix SCRATCH/prefix`, checks
# the installed layout, then configures, builds and runs examples/api and a second consumer
# of the internal libraries against that prefix only.
set -euo pipefail
build=$1 source=$2 scratch=$3
prefix=$scratch/prefix
rm -rf "$scratch" && mkdir -p "$scratch"

cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"

fail=0
for f in bin/privflow share/man/man1/privflow.1 share/bash-completion/completions/privflow \
  share/zsh/vendor-completions/_privflow include/privflow/privflow.hpp include/privflow/version.hpp \
  include/privflow/base/rational.hpp include/privflow/lang/frontend.hpp include/privflow/report/report.hpp \
  lib/libprivflow_api.a lib/libprivflow_analyzer.a lib/cmake/privflow/privflowConfig.cmake \
  lib/cmake/privflow/privflowConfigVersion.cmake lib/cmake/privflow/privflowTargets.cmake; do
  [[ -e $prefix/$f ]] || { echo "FAIL: $f is not installed"; fail=1; }
done
[[ ! -e $prefix/include/privflow/solver/detail ]] || { echo "FAIL: solver/detail (z3++.h) is installed"; fail=1; }
# The package must not point back into the source or build tree.
if grep -rqF -e "$source" -e "$build" "$prefix/lib/cmake/privflow"; then
  echo "FAIL: the installed CMake package names the source or build tree:"
  grep -rnF -e "$source" -e "$build" "$prefix/lib/cmake/privflow" | head -5
  fail=1
fi
# The public header pulls in only the standard library.
if grep -E '^#include' "$prefix/include/privflow/privflow.hpp" | grep -v '<[a-z_]*>'; then
  echo "FAIL: privflow.hpp includes more than the standard library"; fail=1
fi
((fail == 0)) || exit 1

# examples/api against the prefix.
cmake -S "$source/examples/api" -B "$scratch/example" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$scratch/example-configure.log"
cmake --build "$scratch/example" -j2 >"$scratch/example-build.log"
set +e
out=$("$scratch/example/privflow_example" "$source/examples/rr_survey.pflow")
code=$?
set -e
echo "$out"
[[ $code == 1 ]] || { echo "FAIL: exit code $code, expected 1 (pollster_budget is violated)"; fail=1; }
grep -qx 'pollster_budget (line 53): violated, dp(answers) = 1\.792 (bound 1\.5, pld)' <<<"$out" ||
  { echo "FAIL: no violated verdict for pollster_budget"; fail=1; }
grep -qx 'press_budget (line 54): holds, dp(answers) = 1\.099 (bound 1\.5, pld)' <<<"$out" ||
  { echo "FAIL: no verdict for press_budget"; fail=1; }
grep -qx 'line51 (line 51): holds, posterior(answers) = 0\.25 (bound 0\.25, exact)' <<<"$out" ||
  { echo "FAIL: no exact posterior verdict"; fail=1; }
grep -qx 'exit code 1' <<<"$out" || { echo "FAIL: no exit code line"; fail=1; }

# A consumer of the libraries under the facade: headers as "base/…", "lang/…".
mkdir -p "$scratch/internal"
cat >"$scratch/internal/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(privflow_internal LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(privflow 0.1 REQUIRED)
add_executable(internal main.cpp)
target_link_libraries(internal PRIVATE privflow::lang privflow::base)
CMAKE
cat >"$scratch/internal/main.cpp" <<'CPP'
#include <iostream>

#include "base/rational.hpp"
#include "lang/frontend.hpp"
#include "privflow/version.hpp"

int main() {
  privflow::lang::SourceFile source("x.pflow", "pipeline x\n");
  privflow::lang::Diagnostics diags(source);
  auto graph = privflow::lang::load_spec(source, diags);
  std::cout << privflow::kVersion << " " << (graph ? graph->pipeline : "invalid") << "\n";
}
CPP
cmake -S "$scratch/internal" -B "$scratch/internal/build" -DCMAKE_PREFIX_PATH="$prefix" >"$scratch/internal-configure.log"
cmake --build "$scratch/internal/build" -j2 >"$scratch/internal-build.log"
got=$("$scratch/internal/build/internal")
[[ "privflow $got" == "$("$prefix/bin/privflow" --version) x" ]] ||
  { echo "FAIL: the internal consumer printed '$got'"; fail=1; }
exit $fail
