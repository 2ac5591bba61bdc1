# shipped_scenarios.sh - every shipped scenario is valid and runs end to end.
. "$(dirname "$0")/lib.sh"

for f in "$SRC"/scenarios/*.yaml; do
  expect_status 0 "$STRAITS" check "$f"
  expect_status 0 "$STRAITS" run -n 50 --db "$SCRATCH/shipped.db" "$f"
  grep -q "^crisis\." "$SCRATCH/out" || fail "$f: no crisis metrics in the summary"
done
# The default scenario is the Taiwan Strait one.
expect_status 0 "$STRAITS" run -n 20 --db "$SCRATCH/default.db"
grep -q "Taiwan Strait" "$SCRATCH/out" || fail "default scenario"
grep -q "notional" "$SCRATCH/out" || fail "notional label in the summary"
finish
