# sweep.sh - `straits inspect-sweep`: finds the smallest count meeting a target, both
# directions of the target, and refuses bad options with status 2.
. "$SRC/tests/cli/lib.sh"

# The default scenario's operation follows the plan's inspection task, which starts in
# about a quarter of the replications; the others observe nothing.
expect_status 0 "$STRAITS" inspect-sweep -n 40 -j 2 --to 3 --target 0.5
grep -q "^smallest number of 'jmsdf-dd' units meeting the target: [12]$" "$SCRATCH/out" ||
  fail "coverage >= 0.5 not met by 1 or 2 units: $(cat "$SCRATCH/out")"
[ "$(grep -c '^ *[0-9]  *[0-9.]' "$SCRATCH/out")" -eq 3 ] || fail "expected 3 rows: $(cat "$SCRATCH/out")"

# The same numbers with one thread, and from the asset's force id.
cp "$SCRATCH/out" "$SCRATCH/two"
expect_status 0 "$STRAITS" inspect-sweep -n 40 -j 1 --to 3 --target 0.5 --asset jmsdf-dd
cmp -s "$SCRATCH/out" "$SCRATCH/two" || fail "1 and 2 threads differ"

# At most: nothing meets an impossible ceiling.
expect_status 0 "$STRAITS" inspect-sweep -n 10 --from 2 --to 2 --metric interest_missed --at-most -1
grep -q "^no number of 'jmsdf-dd' units from 2 to 2 meets the target$" "$SCRATCH/out" ||
  fail "--at-most -1 was met: $(cat "$SCRATCH/out")"

expect_status 2 "$STRAITS" inspect-sweep --asset nosuch
grep -q "neither an index" "$SCRATCH/err" || fail "--asset nosuch: $(cat "$SCRATCH/err")"
expect_status 2 "$STRAITS" inspect-sweep --from 3 --to 2
expect_status 2 "$STRAITS" inspect-sweep --metric nosuch
expect_status 2 "$STRAITS" inspect-sweep --target lots
expect_status 2 "$STRAITS" inspect-sweep "$SRC/tests/scenario/data/good.yaml"
grep -q "has no inspection section" "$SCRATCH/err" || fail "no section: $(cat "$SCRATCH/err")"
expect_status 2 "$STRAITS" inspect-sweep --to 9 # more units than the force has
grep -q "more than the 4 units" "$SCRATCH/err" || fail "--to 9: $(cat "$SCRATCH/err")"
finish
