# run.sh - the shipped Taiwan scenario with its coordination section (issue 17): `straits
# run` stores at least three coordination metrics and each waiting task's critical-link
# metrics and the report's "what holds each task back" section, and a misspelt decision is an error at its file:line:col.
. "$SRC/tests/cli/lib.sh"

expect_status 0 "$STRAITS" run -n 40 --threads 2 --db "$SCRATCH/tw.db" "$SRC/scenarios/taiwan-strait.yaml"
"$STRAITS" export -f csv --table values "$SCRATCH/tw.db" >"$SCRATCH/values.csv" || fail "export failed"
n=$(awk -F, '$1 == 0 && $2 == "coordination"' "$SCRATCH/values.csv" | wc -l)
[ "$n" -ge 3 ] || fail "only $n coordination metrics stored"
for m in coordination,requests coordination,body.kantei.max_queue \
         plan,task.us-ops-kadena.critical.prior-consultation \
         plan,task.refuel-csg.critical.japan-approves-support plan,task.refuel-csg.critical_delay; do
  grep -q "^0,$m," "$SCRATCH/values.csv" || fail "no metric $m"
done

# The report's "what holds each task back" section (the model's docs hook).
"$STRAITS" report -o "$SCRATCH/tw.html" "$SCRATCH/tw.db" >/dev/null 2>&1 || fail "report failed"
grep -q "What holds each task back" "$SCRATCH/tw.html" || fail "no 'what holds each task back' section"

expect_status 2 "$STRAITS" check --set plan.tasks.11.decisions.0=prior-consultaton "$SRC/scenarios/taiwan-strait.yaml"
grep -q "unknown decision step 'prior-consultaton' (did you mean 'prior-consultation'?)" "$SCRATCH/err" ||
  fail "misspelt decision: $(cat "$SCRATCH/err")"
echo ok
