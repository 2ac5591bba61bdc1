# docs_examples.sh - the examples in docs/*.md are run, so the documentation cannot rot.
#
# In a ```console block, a line "$ straits ..." is a command, run from a scratch copy of
# the repository's scenarios (and the test data the docs cite); a trailing "# exit N" gives its expected status (default
# 0).  The lines that follow, up to the next command or the fence, are a copy of its
# whole output (stdout and stderr): every line is compared, in order, by
# docs_match.awk; a line "..." stands for lines left out, and "..." within a line for
# text that varies from run to run.
#
# The other blocks a reader might copy are checked too: a plain block of lines that
# begin "straits " is a synopsis, and each of its lines must be the usage line that
# `straits help COMMAND` prints; a ```sh block is run as a script (exit 0) in the same
# scratch folder.  A plain or sh block that cannot run here (a cluster's job script)
# says why on the line before its fence, "<!-- not run: REASON -->"; any other plain
# block is a failure.  (```yaml scenarios are loaded by tests/scenario/test_loader.c,
# ```c by tests/ops/example.)
. "$(dirname "$0")/lib.sh"

cp -r "$SRC/scenarios" "$SCRATCH/scenarios"
cp -r "$SRC/data" "$SCRATCH/data"
[ -d "$SRC/tests/scenario/bad" ] && mkdir -p "$SCRATCH/tests/scenario" &&
  cp -r "$SRC/tests/scenario/bad" "$SCRATCH/tests/scenario/bad"
[ -d "$SRC/tests/plan/findings" ] && mkdir -p "$SCRATCH/tests/plan" &&
  cp -r "$SRC/tests/plan/findings" "$SCRATCH/tests/plan/findings"
[ -d "$SRC/tests/ops/inspection/data" ] && mkdir -p "$SCRATCH/tests/ops/inspection" &&
  cp -r "$SRC/tests/ops/inspection/data" "$SCRATCH/tests/ops/inspection/data"
[ -d "$SRC/tests/ops/evacuation/bad" ] && mkdir -p "$SCRATCH/tests/ops/evacuation" &&
  cp -r "$SRC/tests/ops/evacuation/bad" "$SCRATCH/tests/ops/evacuation/bad"
[ -d "$SRC/tests/cli/data" ] && mkdir -p "$SCRATCH/tests/cli" &&
  cp -r "$SRC/tests/cli/data" "$SCRATCH/tests/cli/data"
[ -d "$SRC/tests/geo/check" ] && mkdir -p "$SCRATCH/tests/geo" &&
  cp -r "$SRC/tests/geo/check" "$SCRATCH/tests/geo/check"
[ -d "$SRC/tests/ops/coordination/check" ] && mkdir -p "$SCRATCH/tests/ops/coordination" &&
  cp -r "$SRC/tests/ops/coordination/check" "$SCRATCH/tests/ops/coordination/check"
mkdir -p "$SCRATCH/bin"
ln -sf "$STRAITS" "$SCRATCH/bin/straits"

checked=0
# Run $1 (a command line, "# exit N" at its end or status 0 expected), compare its whole
# output with the copy in $2, at $3 (file:line); append the copy to the rewritten doc,
# or under UPDATE=1 the output itself where the copy no longer matches.
run_block_command() {
  want=0
  case "$1" in *"# exit "*) want=${1##*# exit }; set -- "${1%%# exit*}" "$2" "$3" ;; esac
  set +e
  (cd "$SCRATCH" && PATH="$SCRATCH/bin:$PATH" sh -c "$1" </dev/null) >"$SCRATCH/actual" 2>&1
  got=$?
  set -e
  checked=$((checked + 1))
  [ "$got" -eq "$want" ] || fail "$3: '$1' exited $got, expected $want"
  if awk -f "$SRC/tests/cli/docs_match.awk" "$2" "$SCRATCH/actual" >"$SCRATCH/why"; then
    cat "$2" >>"$SCRATCH/doc.new"
  elif [ "${UPDATE:-0}" = 1 ]; then
    cat "$SCRATCH/actual" >>"$SCRATCH/doc.new"
    echo "updated $3 ('$1'): check the new copy, put '...' where it varies"
  else
    cat "$2" >>"$SCRATCH/doc.new"
    fail "$3: '$1' printed other than its copy (UPDATE=1 rewrites the copy):
$(cat "$SCRATCH/why")"
  fi
}

# The usage lines `straits help $1` prints, one a line, continuation lines joined and
# blanks collapsed: the synopsis a doc must copy.
usage_of() {
  { if [ "$1" = COMMAND ]; then "$STRAITS" help; else "$STRAITS" help "$1"; fi; } 2>&1 |
    awk 'NF == 0 { exit } { sub(/^usage: /, "") }
         /^ *straits / { if (u != "") print u; u = $0; next } { u = u " " $0 }
         END { if (u != "") print u }' |
    sed 's/^ *//; s/  */ /g'
}

# A plain block in $1 (lines in $2) at $3: a synopsis, or marked not run.
check_plain_block() {
  [ -n "$4" ] && return 0
  if grep -qv '^straits ' "$2" || [ ! -s "$2" ]; then
    fail "$1:$3: a plain code block that is neither a synopsis (straits ...) nor run: make it a console example, or say why not with <!-- not run: REASON --> before it"
    return 0
  fi
  while IFS= read -r syn; do
    cmdname=$(printf '%s\n' "$syn" | awk '{ print $2 }')
    norm=$(printf '%s\n' "$syn" | sed 's/  */ /g')
    checked=$((checked + 1))
    usage_of "$cmdname" | grep -qxF -- "$norm" ||
      fail "$1:$3: synopsis '$syn' is not what 'straits help $cmdname' prints: $(usage_of "$cmdname" | head -1)"
  done <"$2"
}

# A ```sh block: run as a script, unless marked not run.
run_sh_block() {
  [ -n "$4" ] && return 0
  checked=$((checked + 1))
  set +e
  (cd "$SCRATCH" && PATH="$SCRATCH/bin:$PATH" sh -e "$2" </dev/null) >"$SCRATCH/actual" 2>&1
  got=$?
  set -e
  [ "$got" -eq 0 ] || fail "$1:$3: the sh block exited $got:
$(tail -5 "$SCRATCH/actual")"
}

for doc in "$SRC"/docs/*.md; do
  in_block=0; cmd=""; n=0; fence=""; prev=""
  : >"$SCRATCH/expected"
  : >"$SCRATCH/doc.new"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    if [ -n "$fence" ]; then # inside a block that is not a console example
      printf '%s\n' "$line" >>"$SCRATCH/doc.new"
      if [ "$line" = '```' ]; then
        case "$fence" in
        plain) check_plain_block "$doc" "$SCRATCH/block" "$fence_at" "$skip" ;;
        sh) run_sh_block "$doc" "$SCRATCH/block" "$fence_at" "$skip" ;;
        esac
        fence=""
      else
        printf '%s\n' "$line" >>"$SCRATCH/block"
      fi
      continue
    fi
    if [ "$in_block" -eq 0 ]; then
      printf '%s\n' "$line" >>"$SCRATCH/doc.new"
      case "$line" in
      '```console') in_block=1 ;;
      '```' | '```sh' | '```'*)
        fence=other
        [ "$line" = '```' ] && fence=plain
        [ "$line" = '```sh' ] && fence=sh
        fence_at=$n; : >"$SCRATCH/block"
        skip=""
        case "$prev" in '<!-- not run: '*' -->') skip=1 ;; esac ;;
      esac
      [ -n "$line" ] && prev=$line
      continue
    fi
    case "$line" in
    '```' | '$ '*)
      [ -n "$cmd" ] && run_block_command "$cmd" "$SCRATCH/expected" "$doc:$where"
      printf '%s\n' "$line" >>"$SCRATCH/doc.new"
      : >"$SCRATCH/expected"
      case "$line" in
      '```') in_block=0; cmd="" ;;
      *) cmd=${line#\$ }; where=$n ;;
      esac ;;
    *)
      if [ -n "$cmd" ]; then printf '%s\n' "$line" >>"$SCRATCH/expected"
      else printf '%s\n' "$line" >>"$SCRATCH/doc.new"; fi ;;
    esac
  done <"$doc"
  [ "${UPDATE:-0}" = 1 ] && ! cmp -s "$doc" "$SCRATCH/doc.new" && cp "$SCRATCH/doc.new" "$doc"
done
[ "$checked" -gt 0 ] || fail "no console examples found in docs/"
echo "$checked documented commands checked"
finish
