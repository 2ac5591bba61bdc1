# docs_examples.sh - the examples in docs/*.md are run, so the documentation cannot rot.
#
# In a ```console block, a line "$ straits ..." is a command, run from a scratch copy of
# the repository's scenarios (and the test data the docs cite); a trailing "# exit N" gives its expected status (default
# 0).  Each following line up to the next command or the fence is expected output: it
# must appear, exactly, among the lines the command printed (stdout and stderr); lines
# containing "..." are not checked (they stand for output that varies).
. "$(dirname "$0")/lib.sh"

cp -r "$SRC/scenarios" "$SCRATCH/scenarios"
[ -d "$SRC/tests/scenario/bad" ] && mkdir -p "$SCRATCH/tests/scenario" &&
  cp -r "$SRC/tests/scenario/bad" "$SCRATCH/tests/scenario/bad"
[ -d "$SRC/tests/plan/findings" ] && mkdir -p "$SCRATCH/tests/plan" &&
  cp -r "$SRC/tests/plan/findings" "$SCRATCH/tests/plan/findings"
[ -d "$SRC/tests/ops/inspection/data" ] && mkdir -p "$SCRATCH/tests/ops/inspection" &&
  cp -r "$SRC/tests/ops/inspection/data" "$SCRATCH/tests/ops/inspection/data"
[ -d "$SRC/tests/cli/data" ] && mkdir -p "$SCRATCH/tests/cli" &&
  cp -r "$SRC/tests/cli/data" "$SCRATCH/tests/cli/data"
[ -d "$SRC/tests/geo/check" ] && mkdir -p "$SCRATCH/tests/geo" &&
  cp -r "$SRC/tests/geo/check" "$SCRATCH/tests/geo/check"
[ -d "$SRC/tests/ops/coordination/check" ] && mkdir -p "$SCRATCH/tests/ops/coordination" &&
  cp -r "$SRC/tests/ops/coordination/check" "$SCRATCH/tests/ops/coordination/check"
mkdir -p "$SCRATCH/bin"
ln -sf "$STRAITS" "$SCRATCH/bin/straits"

checked=0
run_block_command() { # $1 command line, $2 file of expected lines, $3 where
  want=0
  case "$1" in *"# exit "*) want=${1##*# exit }; set -- "${1%%# exit*}" "$2" "$3" ;; esac
  set +e
  (cd "$SCRATCH" && PATH="$SCRATCH/bin:$PATH" sh -c "$1" </dev/null) >"$SCRATCH/actual" 2>&1
  got=$?
  set -e
  checked=$((checked + 1))
  [ "$got" -eq "$want" ] || fail "$3: '$1' exited $got, expected $want"
  while IFS= read -r want_line; do # not $line: the caller's loop owns that (sh has no locals)
    case "$want_line" in *...*) continue ;; esac
    grep -qxF -- "$want_line" "$SCRATCH/actual" ||
      fail "$3: '$1' did not print: $want_line"
  done <"$2"
}

for doc in "$SRC"/docs/*.md; do
  in_block=0; cmd=""; n=0
  : >"$SCRATCH/expected"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    if [ "$in_block" -eq 0 ]; then
      [ "$line" = '```console' ] && in_block=1
      continue
    fi
    case "$line" in
    '```')
      [ -n "$cmd" ] && run_block_command "$cmd" "$SCRATCH/expected" "$doc:$where"
      in_block=0; cmd=""; : >"$SCRATCH/expected" ;;
    '$ '*)
      [ -n "$cmd" ] && run_block_command "$cmd" "$SCRATCH/expected" "$doc:$where"
      cmd=${line#\$ }; where=$n; : >"$SCRATCH/expected" ;;
    *) [ -n "$cmd" ] && printf '%s\n' "$line" >>"$SCRATCH/expected" ;;
    esac
  done <"$doc"
done
[ "$checked" -gt 0 ] || fail "no console examples found in docs/"
echo "$checked documented commands checked"
finish
