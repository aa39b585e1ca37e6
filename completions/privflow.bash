# bash completion for privflow(1). Installed as share/bash-completion/completions/privflow.
# Self-contained (does not need the bash-completion package's helpers). Keep every subcommand
# and option of `privflow SUB --help` here: tests/install checks that none is missing.

# The names a spec declares, for --adversary, --requirement, --param and `explain SPEC <TAB>`.
# $1: adversary | require | param; $2: the spec file.
_privflow_spec_names() {
  [[ -r $2 ]] || return 0
  case $1 in
    adversary) sed -n 's/^[[:space:]]*adversary[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' -- "$2" ;;
    require) sed -n 's/^[[:space:]]*require[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*:.*/\1/p' -- "$2" ;;
    param) sed -n 's/^[[:space:]]*param[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' -- "$2" ;;
  esac 2>/dev/null
}

# Spec files (*.pflow) and directories to descend into.
_privflow_specs() {
  local cur=$1 IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY+=($(compgen -f -X '!*.pflow' -- "$cur") $(compgen -d -- "$cur"))
}

_privflow() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD-1]}
  local commands="check report diagram explain tune frontier account fmt graph init lsp"
  local kinds="dpsgd gaussian laplace randomized-response shuffle zcdp discrete-gaussian tree-aggregation matrix-factorization sparse-vector report-noisy-max top-k rappor unary-encoding local-hashing hadamard count-mean-sketch gossip token-walk"
  COMPREPLY=()

  # The subcommand (and the account kind), and the first spec file, before the cursor.
  local i word sub="" kind="" spec="" positional=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -z $sub ]]; then
      [[ " $commands " == *" $word "* ]] && sub=$word
      continue
    fi
    if [[ $sub == account && -z $kind && " $kinds " == *" $word "* ]]; then
      kind=$word
      continue
    fi
    case $word in
      -*) ;;
      *)
        case ${COMP_WORDS[i-1]} in
          --format | -o | --output | --accountant | --solver-timeout | --timeout | --adversary | \
            --requirement | --param | --tolerance | --probes) ;;
          *)
            ((positional++))
            [[ -z $spec && $word == *.pflow ]] && spec=$word
            ;;
        esac
        ;;
    esac
  done

  if [[ -z $sub ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return 0
  fi

  # Values of options.
  case $prev in
    --format)
      case $sub in
        report) COMPREPLY=($(compgen -W "text markdown json sarif html" -- "$cur")) ;;
        diagram) COMPREPLY=($(compgen -W "svg png pdf dot" -- "$cur")) ;;
        frontier) COMPREPLY=($(compgen -W "svg png" -- "$cur")) ;;
        graph) COMPREPLY=($(compgen -W "json dot" -- "$cur")) ;;
      esac
      return 0
      ;;
    --accountant)
      COMPREPLY=($(compgen -W "rdp pld auto" -- "$cur"))
      return 0
      ;;
    --neighbouring)
      COMPREPLY=($(compgen -W "add-remove replace" -- "$cur"))
      return 0
      ;;
    --sampling)
      COMPREPLY=($(compgen -W "poisson fixed-size" -- "$cur"))
      return 0
      ;;
    -o | --output)
      compopt -o filenames 2>/dev/null
      local IFS=$'\n'
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
      ;;
    --adversary)
      COMPREPLY=($(compgen -W "$(_privflow_spec_names adversary "$spec")" -- "$cur"))
      return 0
      ;;
    --requirement)
      COMPREPLY=($(compgen -W "$(_privflow_spec_names require "$spec")" -- "$cur"))
      return 0
      ;;
    --param)
      COMPREPLY=($(compgen -W "$(_privflow_spec_names param "$spec")" -- "$cur"))
      return 0
      ;;
    --scale)
      COMPREPLY=($(compgen -W "auto linear log" -- "$cur"))
      return 0
      ;;
    --minimize)
      COMPREPLY=($(compgen -W "variance max-relative-error sum-epsilon" -- "$cur"))
      return 0
      ;;
    --weight)
      return 0  # RELEASE=W
      ;;
    --solver-timeout | --timeout | --tolerance | --probes | --points | --delta | --noise-multiplier | --epsilon | \
      --sampling-rate | --steps | --sigma | --sensitivity | --times | --scale | --keep | --values | \
      --local-epsilon | --senders | --rho)
      return 0  # a number
      ;;
  esac

  local opts=""
  # The analysis options: the same for every command that analyses.
  local analysis="--accountant --solver-timeout --timeout"
  case $sub in
    check) opts="-v --verbose $analysis --help" ;;
    report) opts="--format -o --output --no-frontier $analysis --help" ;;
    diagram) opts="-o --output --format --adversary --requirement $analysis --help" ;;
    explain) opts="$analysis --help" ;;
    tune) opts="--param --all --minimize --weight --requirement --tolerance --probes --json $analysis --help" ;;
    frontier) opts="--param --requirement --points --scale -o --output --format --json $analysis --help" ;;
    fmt) opts="--check -i --in-place --help" ;;
    graph) opts="--format --help" ;;
    init) opts="-o --output --force --help" ;;
    lsp) opts="--stdio $analysis --help" ;;
    account)
      local common="--delta --accountant --tolerance --json --tpr-at-fpr --reconstruction-prior --help"
      case $kind in
        "")
          if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help" -- "$cur"))
          else
            COMPREPLY=($(compgen -W "$kinds" -- "$cur"))
          fi
          return 0
          ;;
        dpsgd) opts="--noise-multiplier --epsilon --sampling-rate --steps --neighbouring --sampling $common" ;;
        gaussian) opts="--sigma --epsilon --sensitivity --times --sampling-rate $common" ;;
        laplace) opts="--epsilon --scale --sensitivity --times --sampling-rate --neighbouring $common" ;;
        randomized-response) opts="--keep --epsilon --values --times --sampling-rate $common" ;;
        shuffle) opts="--local-epsilon --senders $common" ;;
        zcdp) opts="--rho $common" ;;
        discrete-gaussian) opts="--sigma --sensitivity --times $common" ;;
        tree-aggregation) opts="--noise-multiplier --steps --epochs --completion $common" ;;
        matrix-factorization) opts="--noise-multiplier --sensitivity --coefficients --steps --epochs --min-separation $common" ;;
        sparse-vector) opts="--epsilon --answers --times $common" ;;
        report-noisy-max) opts="--epsilon --times $common" ;;
        top-k) opts="--epsilon --k --times $common" ;;
        rappor) opts="--f --p --q --hashes --times --reports --json --help" ;;
        unary-encoding) opts="--epsilon --variant --p --q --times --reports --json --help" ;;
        local-hashing) opts="--epsilon --range --times --reports --json --help" ;;
        hadamard) opts="--epsilon --times --reports --json --help" ;;
        count-mean-sketch) opts="--epsilon --width --hashes --times --reports --json --help" ;;
        gossip) opts="--topology --agents --rows --columns --degree --seed --coalition --colluders --distance --target --rounds --sigma --clip --delta --times --json --help" ;;
        token-walk) opts="--topology --agents --rows --columns --degree --seed --coalition --colluders --distance --target --steps --sigma --clip --delta --times --tail-delta --json --help" ;;
      esac
      COMPREPLY=($(compgen -W "$opts" -- "$cur"))
      return 0
      ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return 0
  fi
  case $sub in
    init) return 0 ;;  # NAME: a new pipeline's name
    lsp) return 0 ;;   # no positional argument
    explain)
      if ((positional == 1)) && [[ -n $spec ]]; then
        COMPREPLY=($(compgen -W "$(_privflow_spec_names require "$spec")" -- "$cur"))
        return 0
      fi
      ((positional >= 2)) && return 0
      ;;
    report | diagram | tune | frontier | graph)
      ((positional >= 1)) && return 0
      ;;
  esac
  _privflow_specs "$cur"
  return 0
}

complete -F _privflow privflow
