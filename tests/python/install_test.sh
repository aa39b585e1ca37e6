#!/usr/bin/env bash
# install_test.sh BUILD SCRATCH PYTHON DIR: `cmake --install BUILD --prefix SCRATCH --component
# python` puts the package into SCRATCH/DIR (the interpreter's site-packages under the prefix),
# and the README's line runs from there, with nothing of the build or source tree on the path.
set -euo pipefail
build=$1 scratch=$2 python=$3 dir=$4
rm -rf "$scratch" && mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch" --component python >"$scratch/install.log"
site=$scratch/$dir
fail=0
for f in __init__.py account.py accountant.py analysis.py events.py _results.py _core.pyi py.typed; do
  [[ -e $site/privflow/$f ]] || { echo "FAIL: privflow/$f is not installed in $site"; fail=1; }
done
ls "$site"/privflow/_core*.so >/dev/null 2>&1 || { echo "FAIL: the module privflow._core is not installed"; fail=1; }
((fail == 0)) || exit 1
cd "$scratch"
out=$(env -u PYTHONPATH PYTHONPATH="$site" PYTHONDONTWRITEBYTECODE=1 "$python" -c "
import privflow
assert privflow.__file__.startswith('$site'), privflow.__file__
print(privflow.account.dpsgd(noise_multiplier=1.1, sampling_rate=0.01, steps=10000, delta=1e-5))")
echo "$out"
grep -qE '^epsilon = 5\.19[0-9]* at delta = 1e-05$' <<<"$out" || { echo "FAIL: no epsilon line"; exit 1; }
