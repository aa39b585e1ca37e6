#!/usr/bin/env bash
# man_page_test.sh render MANPAGE: the man page renders without groff warnings (skipped, exit
# 77, when groff is not installed: Debian's groff-base).
# man_page_test.sh options PRIVFLOW MANPAGE: it has the usual sections, and names every
# subcommand (a section "privflow SUB") and every long option of `privflow SUB --help` in that
# subcommand's section (account kinds: in the account section); its example spec checks.
set -uo pipefail
if [[ $1 == render ]]; then
  page=$2
  if ! command -v groff >/dev/null; then
    echo "SKIP: groff is not installed (apt-get install groff-base), so $page was not rendered"
    exit 77
  fi
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  if [[ -n $warnings ]]; then
    echo "FAIL: groff warnings in $page:"; echo "$warnings"; exit 1
  fi
  echo "ok: groff -man -ww renders $page without warnings"
  exit 0
fi
privflow=$2 page=$3
source "$(dirname "$0")/help_options.sh"
fail=0
for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
  grep -qE "^\.SH \"?$section\"?$" "$page" || { echo "FAIL: no section $section"; fail=1; }
done
grep -q NO_COLOR "$page" || { echo "FAIL: NO_COLOR is not documented"; fail=1; }
for code in 0 1 2 3 4; do
  awk '/^\.SH EXIT STATUS/ { f = 1; next } /^\.SH/ { f = 0 } f' "$page" | grep -qx "\.B $code" ||
    { echo "FAIL: exit status $code is not documented"; fail=1; }
done

# The page's text with roff's \- as -, so that options read as typed.
text=$(sed 's/\\-/-/g' "$page")
section_of() {  # the lines of subsection "privflow SUB …"
  awk -v sub_="$1" '/^\.S[SH] / { f = index($0, "\"privflow " sub_ " ") == 5 || $0 == ".SS \"privflow " sub_ "\"" }
                    f' <<<"$text"
}
has_word() { grep -qE -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$)" <<<"$1"; }

items=$(privflow_help_items "$privflow") || { echo "FAIL: cannot read $privflow --help"; exit 1; }
count=0
while read -r sub second third; do
  section=$(section_of "$sub")
  if [[ -z $second ]]; then
    [[ -n $section ]] || { echo "FAIL: no section 'privflow $sub' for subcommand $sub"; fail=1; }
    has_word "$text" "$sub" || { echo "FAIL: subcommand $sub is not in the page"; fail=1; }
    continue
  fi
  opt=${third:-$second}
  if [[ $opt == --help ]]; then
    has_word "$text" --help || { echo "FAIL: --help is not in the page"; fail=1; }
    continue
  fi
  has_word "$section" "$second" || { echo "FAIL: '$second' (privflow $sub) is not in section 'privflow $sub'"; fail=1; }
  [[ -n $third ]] && { has_word "$section" "$third" || { echo "FAIL: '$third' (privflow $sub $second) is not in section 'privflow $sub'"; fail=1; }; }
  ((count++))
done <<<"$items"
has_word "$text" --version || { echo "FAIL: --version is not in the page"; fail=1; }
stale=$(privflow_stale_options "$page" "$items" 's/\\-/-/g')
[[ -z $stale ]] || { echo "FAIL: the page names options that no --help lists:" $stale; fail=1; }
# The example spec (the first .EX block) checks: both requirements hold (exit 0).
example=$(mktemp --suffix=.pflow)
awk '/^\.EX/ { n++; f = n == 1; next } /^\.EE/ { f = 0 } f' "$page" | sed 's/\\-/-/g; s/\\e/\\/g' >"$example"
out=$("$privflow" check "$example" 2>&1)
code=$?
rm -f "$example"
if [[ $code != 0 ]] || ! grep -q 'holds: .*\[budget\]' <<<"$out"; then
  echo "FAIL: the example spec of EXAMPLES gives exit $code:"; echo "$out"; fail=1
fi
echo "checked $count options of $(grep -c -v ' ' <<<"$items") subcommands"
((count > 20)) || { echo "FAIL: too few options read from --help ($count)"; fail=1; }
exit $fail
