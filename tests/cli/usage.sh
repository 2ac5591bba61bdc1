# usage.sh - exit status and messages of the command's own surface.
. "$(dirname "$0")/lib.sh"

expect_status 2 "$STRAITS"
expect_status 2 "$STRAITS" frobnicate
grep -q "'frobnicate' is not a straits command" "$SCRATCH/err" || fail "unknown command message"
expect_status 0 "$STRAITS" help
grep -q "^  run " "$SCRATCH/out" || fail "help lists run"
for c in run check version help; do expect_status 0 "$STRAITS" help "$c"; done
expect_status 2 "$STRAITS" help nosuch
expect_status 0 "$STRAITS" version
grep -q "^straits [0-9]" "$SCRATCH/out" || fail "version line"
expect_status 0 "$STRAITS" --version
expect_status 2 "$STRAITS" run --threads 0
expect_status 2 "$STRAITS" run --replications many
expect_status 2 "$STRAITS" run --until-ci 2
expect_status 2 "$STRAITS" run --no-such-option
expect_status 2 "$STRAITS" check
expect_status 2 "$STRAITS" check "$SCRATCH/does-not-exist.yaml"
expect_status 2 "$STRAITS" run --db "$SCRATCH/x.db" "$SCRATCH/does-not-exist.yaml"
[ ! -e "$SCRATCH/x.db" ] || fail "a run of a missing scenario must not create a store"

# A file given to the wrong command: one line naming the right one, not a wall of errors.
wrong() { # $1 expected hint, then the command
  hint=$1; shift
  expect_status 2 "$STRAITS" "$@"
  grep -qF "$hint" "$SCRATCH/err" || fail "$*: no hint '$hint'"
  [ "$(wc -l <"$SCRATCH/err")" -eq 1 ] || fail "$*: more than the hint on stderr"
}
wrong "is a sweep file, not a scenario: run it with 'straits sweep $SRC/scenarios/sweeps/taiwan-odds.yaml'" \
  run --db "$SCRATCH/w.db" "$SRC/scenarios/sweeps/taiwan-odds.yaml"
[ ! -e "$SCRATCH/w.db" ] || fail "a run of a sweep file must not create a store"
wrong "is a sweep file, not a scenario" check "$SRC/scenarios/sweeps/taiwan-odds.yaml"
wrong "is a search and rescue case, not a scenario: run it with 'straits sar" \
  check "$SRC/scenarios/sar/aircrew-okinawa.yaml"
wrong "is a scenario, not a search and rescue case: run it with 'straits run" \
  sar "$SRC/scenarios/taiwan-strait.yaml"
wrong "is a scenario, not a sweep file" sweep "$SRC/scenarios/taiwan-strait.yaml"
# A FIFO is not read for the hint (the loader refuses it or not; the hint never hangs).
mkfifo "$SCRATCH/fifo.yaml" 2>/dev/null && { timeout 5 "$STRAITS" sar "$SCRATCH/fifo.yaml" </dev/null >/dev/null 2>&1 || true; }
finish
