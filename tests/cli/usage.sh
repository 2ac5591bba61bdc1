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
finish
