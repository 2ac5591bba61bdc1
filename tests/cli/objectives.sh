# objectives.sh - the objectives' verdicts (docs/scenario.md, objectives): known
# answers met, not met and undecided; the summary opens with them, the report too; a
# metric no module defines and a threshold in the wrong unit are located errors.
. "$(dirname "$0")/lib.sh"
D="$SRC/tests/cli/data"
expect_status 0 "$STRAITS" run --db "$SCRATCH/o.db" "$D/objectives.yaml"
verdict() { # id, expected verdict
  line=$(grep -E "^  [a-z ]+ +crisis\\.[^ ]+ " "$SCRATCH/out" | sed -n "$3p")
  case "$line" in "  $2 "*) ;; *) fail "objective $1: want '$2', got '$line'" ;; esac
}
verdict likely-often met 1
verdict rare-seldom "not met" 2
verdict rare-coin undecided 3
verdict quick met 4
verdict quicker "not met" 5
verdict half met 6
verdict most "not met" 7
verdict effect-rare "not met" 8
grep -q '^objectives: 3 met, 4 not met, 1 undecided at this precision' "$SCRATCH/out" ||
  fail "no count of verdicts"
# p90 of a uniform 0-10 h delay, in the report's units: about 9 h.
grep -Eq 'crisis\.wait\.time <= 10\.0 h at its p90: 9\.[0-9]+ h' "$SCRATCH/out" || fail "p90 estimate"
# Where it breaks: the replications that fail 'effect-rare' are exactly those where
# 'cause' occurred -- all of them, none of the others -- and 'cause' comes first.
grep -A1 'crisis.effect.occurred <= ' "$SCRATCH/out" | grep -Eq \
  '^ +where it fails \([0-9]+ replications\): crisis\.cause\.occurred 100% \(others 0%\)' ||
  fail "the cause of effect-rare's failures"
# An objective that is met has no such line.
grep -A1 'crisis.likely.occurred >= ' "$SCRATCH/out" | grep -q 'where it fails' &&
  fail "a met objective with causes"
# The report opens with them (document "objectives").
if [ -n "$(command -v node)" ] && "$STRAITS" report "$SCRATCH/o.db" -o "$SCRATCH/o.html" 2>/dev/null; then
  grep -q 'id="doc-objectives"' "$SCRATCH/o.html" || fail "no objectives document in the report"
  grep -q '"verdict":"undecided"' "$SCRATCH/o.html" || fail "the report's objectives lack a verdict"
fi
# Located errors once the run knows its metrics; exit 2.
sed 's/metric: crisis.likely.occurred, at_least: 0.8/metric: crisis.likly.occurred, at_least: 0.8/' \
  "$D/objectives.yaml" >"$SCRATCH/typo.yaml"
expect_status 2 "$STRAITS" run -q --no-report --db "$SCRATCH/t.db" "$SCRATCH/typo.yaml"
grep -q "typo.yaml:15:32: error: objective 'likely-often': no metric 'crisis.likly.occurred' in this run" \
  "$SCRATCH/err" || fail "unknown metric not located"
sed 's/at_most: 10h, statistic: p90/at_most: 10km, statistic: p90/' "$D/objectives.yaml" >"$SCRATCH/unit.yaml"
expect_status 2 "$STRAITS" run -q --no-report --db "$SCRATCH/u.db" "$SCRATCH/unit.yaml"
grep -q "unit.yaml:18:5: error: objective 'quick': its threshold is in 'm' but 'crisis.wait.time' is in 's'" \
  "$SCRATCH/err" || fail "unit mismatch not located"
finish
