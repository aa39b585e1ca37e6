#!/usr/bin/env bash
# zsh_completion_test.sh options PRIVFLOW COMPLETION: every subcommand, account kind and long
# option of `privflow SUB --help` is in the zsh completion.
# zsh_completion_test.sh syntax COMPLETION: it parses (`zsh -n`); skipped (exit 77) without zsh.
set -uo pipefail
if [[ $1 == syntax ]]; then
  completion=$2
  if ! command -v zsh >/dev/null; then
    echo "SKIP: zsh is not installed, so the syntax of $completion is not checked"
    exit 77
  fi
  zsh -n "$completion" || { echo "FAIL: zsh -n $completion"; exit 1; }
  echo "ok: zsh -n $completion"
  exit 0
fi
privflow=$2 completion=$3
source "$(dirname "$0")/help_options.sh"
fail=0
head -1 "$completion" | grep -qx '#compdef privflow' || { echo "FAIL: the first line is not '#compdef privflow'"; fail=1; }
items=$(privflow_help_items "$privflow") || { echo "FAIL: cannot read $privflow --help"; exit 1; }
while read -r sub second third; do
  for word in $sub $second $third; do
    grep -qE -- "(^|[^A-Za-z0-9-])$word([^A-Za-z0-9-]|$)" "$completion" ||
      { echo "FAIL: '$word' (privflow $sub $second $third) is not in $completion"; fail=1; }
  done
done <<<"$items"
stale=$(privflow_stale_options "$completion" "$items")
[[ -z $stale ]] || { echo "FAIL: the completion offers options that no --help lists:" $stale; fail=1; }
exit $fail
