# check.sh - Japanese inspection needs a plan task (issue 14): `straits check` reports an
# inspection of JP assets that follows no task at its file:line:col and exits 2; the
# regime-switch scenario checks clean and runs, with its per-regime metrics.
. "$SRC/tests/cli/lib.sh"
DATA="$SRC/tests/ops/inspection/data"

expect_status 0 "$STRAITS" check "$DATA/missed.yaml" # US assets: no task needed
expect_status 2 "$STRAITS" check --set forces.0.nation=JP "$DATA/missed.yaml"
grep -q "missed.yaml:20:10: error: inspection asset 'dd' is a force of JP" "$SCRATCH/err" ||
  fail "JP without a task: $(cat "$SCRATCH/err")"
expect_status 2 "$STRAITS" run -n 2 --db "$SCRATCH/jp.db" --set forces.0.nation=JP "$DATA/missed.yaml"
grep -q "missed.yaml:20:10: error: inspection asset 'dd' is a force of JP" "$SCRATCH/err" ||
  fail "run, JP without a task: $(cat "$SCRATCH/err")"

expect_status 0 "$STRAITS" check "$DATA/regime_plan.yaml"
expect_status 2 "$STRAITS" check --set plan.tasks.1.owner=US "$DATA/regime_plan.yaml"
grep -q "but task 'interdict' is owned by 'US'" "$SCRATCH/err" ||
  fail "US-owned interdiction task: $(cat "$SCRATCH/err")"

# in the same pass as the plan's own problems
expect_status 2 "$STRAITS" check --set plan.tasks.1.owner=US --set plan.tasks.0.legal_area=nowhere \
  "$DATA/regime_plan.yaml"
grep -q "unknown legal area 'nowhere'" "$SCRATCH/err" || fail "plan error: $(cat "$SCRATCH/err")"
grep -q "regime_plan.yaml:42:17: error: .*owned by 'US'" "$SCRATCH/err" ||
  fail "one pass: $(cat "$SCRATCH/err")"

expect_status 0 "$STRAITS" run --all -n 4 --db "$SCRATCH/regime.db" "$DATA/regime_plan.yaml"
for m in boarded.interdiction diverted.escorted regime.consent interest_missed; do
  grep -q "^inspection\.$m " "$SCRATCH/out" || fail "no inspection.$m in the summary"
done
finish
