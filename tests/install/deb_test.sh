#!/usr/bin/env bash
# deb_test.sh BUILD SOURCE SCRATCH VERSION: `cpack -G DEB` makes a package whose control fields
# are right and whose Depends are installed Debian packages; unpacked with `dpkg -x`, its
# privflow runs (system libraries only) and checks an example.
set -euo pipefail
build=$1 source=$2 scratch=$3 version=$4
rm -rf "$scratch" && mkdir -p "$scratch"
(cd "$build" && cpack -G DEB -B "$scratch/pkg" >"$scratch/cpack.log")
deb=$(ls "$scratch"/pkg/privflow_*.deb)
fail=0
[[ $(dpkg-deb -f "$deb" Package) == privflow ]] || { echo "FAIL: Package"; fail=1; }
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || { echo "FAIL: Version is not $version"; fail=1; }
[[ -n $(dpkg-deb -f "$deb" Maintainer) ]] || { echo "FAIL: no Maintainer"; fail=1; }
[[ -n $(dpkg-deb -f "$deb" Description) ]] || { echo "FAIL: no Description"; fail=1; }
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libz3-4 libgmp10 libgvc6; do
  grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || { echo "FAIL: Depends lacks $lib"; fail=1; }
done
# Every package named is a real, installed Debian package.
for pkg in $(sed 's/([^)]*)//g; s/,/ /g' <<<"$depends"); do
  dpkg -s "$pkg" >/dev/null 2>&1 || { echo "FAIL: Depends names '$pkg', which is not an installed package"; fail=1; }
done
contents=$(dpkg-deb --contents "$deb")
grep -q ' ./usr/bin/privflow$' <<<"$contents" || { echo "FAIL: no usr/bin/privflow"; fail=1; }

dpkg -x "$deb" "$scratch/root"
for f in usr/bin/privflow usr/share/man/man1/privflow.1 usr/share/bash-completion/completions/privflow \
  usr/share/zsh/vendor-completions/_privflow usr/include/privflow/privflow.hpp \
  usr/lib/cmake/privflow/privflowConfig.cmake usr/lib/libprivflow_api.a; do
  [[ -e $scratch/root/$f ]] || { echo "FAIL: $f is not in the package"; fail=1; }
done
privflow=$scratch/root/usr/bin/privflow
# Every shared library the program links directly (NEEDED) comes from a package in Depends.
names=" $(sed 's/([^)]*)//g; s/,/ /g' <<<"$depends" | tr -s ' ') "
for soname in $(objdump -p "$privflow" | awk '$1 == "NEEDED" { print $2 }'); do
  # ldd names the dynamic loader without "=>" (a position-independent build, PRIVFLOW_PYTHON,
  # NEEDs it for thread-local storage): its path is then the first field.
  lib=$(ldd "$privflow" | awk -v n="$soname" '$1 == n { print $3 } $1 ~ "/" n "$" { print $1 }')
  owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true)
  owner=${owner%%:*}
  [[ -n $owner && $names == *" $owner "* ]] || { echo "FAIL: $soname ($lib, package '$owner') is not in Depends"; fail=1; }
done

got=$(env -u LD_LIBRARY_PATH "$privflow" --version)
[[ $got == "privflow $version" ]] || { echo "FAIL: --version printed '$got'"; fail=1; }
set +e
out=$(env -u LD_LIBRARY_PATH "$privflow" check "$source/examples/rr_survey.pflow")
code=$?
set -e
echo "$out"
[[ $code == 1 ]] || { echo "FAIL: check exited $code, expected 1 (violated)"; fail=1; }
grep -q 'violated: .*\[pollster_budget\]' <<<"$out" || { echo "FAIL: pollster_budget is not violated"; fail=1; }
grep -q 'holds: .*\[press_budget\]' <<<"$out" || { echo "FAIL: press_budget does not hold"; fail=1; }
exit $fail
