# Sourced by the man page and completion tests: what `privflow … --help` lists.

# privflow_subcommands PRIVFLOW [SUB]: the subcommands in the help of privflow (or of SUB).
privflow_subcommands() {
  "$@" --help | awk '/^Subcommands:/ { f = 1; next } f && /^[^ ]/ { f = 0 } f && /^  [a-z]/ { print $1 }'
}

# privflow_long_options PRIVFLOW [SUB [KIND]]: the long options in the Options section of a
# help (the footer is not read).
privflow_long_options() {
  "$@" --help | awk '/^Options:/ { f = 1; next } f && /^[^ ]/ { f = 0 } f' |
    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# privflow_help_items PRIVFLOW: one line per subcommand path and option: "check --accountant",
# "account dpsgd --steps"; a subcommand alone as "check". Fails if the help cannot be read.
privflow_help_items() {
  local privflow=$1 sub kind opt
  local subs
  subs=$(privflow_subcommands "$privflow") || return 1
  [[ -n $subs ]] || { echo "no subcommands in '$privflow --help'" >&2; return 1; }
  for sub in $subs; do
    echo "$sub"
    local kinds
    kinds=$(privflow_subcommands "$privflow" "$sub")
    if [[ -n $kinds ]]; then
      for kind in $kinds; do
        echo "$sub $kind"
        for opt in $(privflow_long_options "$privflow" "$sub" "$kind"); do echo "$sub $kind $opt"; done
      done
    else
      for opt in $(privflow_long_options "$privflow" "$sub"); do echo "$sub $opt"; done
    fi
  done
}

# privflow_stale_options FILE ITEMS [SED]: the long options FILE names (after the sed script
# SED, e.g. roff's \- to -) that no `--help` lists (ITEMS: privflow_help_items' output), one
# per line; empty when FILE documents nothing that has gone.
privflow_stale_options() {
  local file=$1 items=$2 script=${3:-}
  local known
  known=" --help --version $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$items" | sort -u | tr '\n' ' ') "
  local opt
  for opt in $(sed "$script" "$file" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    [[ $known == *" $opt "* ]] || echo "$opt"
  done
}
