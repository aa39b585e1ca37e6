#!/usr/bin/env bash
# bash_completion_test.sh PRIVFLOW COMPLETION SCRATCH: sources the bash completion and checks
# what it offers (COMPREPLY) for typical lines, and that it offers every subcommand and every
# long option of `privflow SUB --help`.
set -uo pipefail
privflow=$(realpath "$1") completion=$(realpath "$2") scratch=$3
source "$(dirname "$0")/help_options.sh"
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }
complete -p privflow | grep -q -- '-F _privflow' || { echo "FAIL: no 'complete -F' for privflow"; exit 1; }
fail=0

# offers WORD...: COMPREPLY for a command line whose last word is the one being completed,
# sorted, space-separated.
offers() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _privflow privflow "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {  # expect "EXPECTED" WORD...
  local want=$1 got
  shift
  got=$(offers "$@")
  if [[ $got != "$want" ]]; then
    echo "FAIL: '$*<TAB>' offers '$got', expected '$want'"
    fail=1
  fi
}

rm -rf "$scratch" && mkdir -p "$scratch/specs" || exit 1
cd "$scratch" || exit 1
touch specs/a.pflow specs/b.txt specs/c.pflow
mkdir specs/sub
cat >specs/names.pflow <<'SPEC'
param sigma = 1.1 in [0.3, 8.0]
adversary outsider = {analyst}
adversary insider  = {server, 14 of hospital}
require outsider_budget: dp(patients) against outsider <= epsilon 2.0
require posterior(patients.diagnosis = cancer) against insider <= 0.20
SPEC

expect "check" privflow ch
expect "account check diagram explain fmt frontier graph init lsp report tune" privflow ""
expect "--help --version" privflow --
expect "html json markdown sarif text" privflow report --format ""
expect "dot pdf png svg" privflow diagram --format ""
expect "dot json" privflow graph --format ""
expect "png svg" privflow frontier --format ""
expect "auto pld rdp" privflow check --accountant ""
expect "--solver-timeout --stdio" privflow lsp --s
expect "" privflow lsp ""
expect "specs/a.pflow specs/c.pflow specs/names.pflow specs/sub" privflow check specs/
expect "specs/a.pflow" privflow report specs/a
expect "specs/a.pflow specs/c.pflow specs/names.pflow specs/sub" privflow check specs/a.pflow specs/
expect "" privflow report specs/a.pflow ""
expect "count-mean-sketch discrete-gaussian dpsgd gaussian gossip hadamard laplace local-hashing matrix-factorization randomized-response rappor report-noisy-max shuffle sparse-vector token-walk top-k tree-aggregation unary-encoding zcdp" privflow account ""
expect "--sampling --sampling-rate --steps" privflow account dpsgd --s
expect "insider outsider" privflow diagram specs/names.pflow --adversary ""
expect "outsider_budget" privflow explain specs/names.pflow ""
expect "outsider_budget" privflow tune specs/names.pflow --requirement o
expect "sigma" privflow tune specs/names.pflow --param ""
expect "sigma" privflow frontier specs/names.pflow --param ""
expect "max-relative-error" privflow tune specs/names.pflow --minimize m
expect "" privflow init ""

# Every subcommand, account kind and long option of --help is offered.
items=$(privflow_help_items "$privflow") || { echo "FAIL: cannot read $privflow --help"; exit 1; }
count=0
while read -r sub second third; do
  if [[ -z $second ]]; then
    got=" $(offers privflow "") "
    [[ $got == *" $sub "* ]] || { echo "FAIL: subcommand $sub is not offered"; fail=1; }
  elif [[ -z $third && $second != --* ]]; then
    got=" $(offers privflow "$sub" "") "
    [[ $got == *" $second "* ]] || { echo "FAIL: privflow $sub $second is not offered"; fail=1; }
  else
    if [[ -n $third ]]; then got=" $(offers privflow "$sub" "$second" --) " opt=$third
    else got=" $(offers privflow "$sub" --) " opt=$second; fi
    [[ $got == *" $opt "* ]] || { echo "FAIL: privflow $sub ${third:+$second }$opt is not offered"; fail=1; }
    ((count++))
  fi
done <<<"$items"
stale=$(privflow_stale_options "$completion" "$items")
[[ -z $stale ]] || { echo "FAIL: the completion offers options that no --help lists:" $stale; fail=1; }
echo "checked $count options"
((count > 20)) || { echo "FAIL: too few options read from --help ($count)"; fail=1; }
exit $fail
