# sensitivity_paths.sh - `straits sensitivity --vary PATH=LO:HI` (issue 19 item 3): a
# decision delay's median moves the recognition time linearly (closed form under common
# random numbers), a branch probability named by its id moves its event's share, a
# misspelt branch gets "did you mean", and a refused value is an error before any run.
. "$(dirname "$0")/lib.sh"
D="$SRC/tests/cli/data"
MEDIAN=situations.changes.iis.cabinet.median
BRANCH=crisis.events.response.branches.blockade.p
expect_status 0 "$STRAITS" sensitivity -n 40 --vary "$MEDIAN=12h:48h" --vary "$BRANCH=0.1:0.5" \
  --metric plan.situation.important_influence.recognised --csv "$SCRATCH/delay.csv" \
  "$D/sens_delay.yaml"
cp "$SCRATCH/out" "$SCRATCH/delay.txt"
# Recognised at 1d + m exp(0.3 Z) with the same Z at every median m: the mean at 12h,
# 24h (the scenario's) and 48h rises, and 48h - 24h = 2 (24h - 12h) to rounding.
base=$(sed -n 's/.*at the scenario.s values \([0-9.]*\) .*/\1/p' "$SCRATCH/delay.txt")
awk -F, -v base="$base" -v m="$MEDIAN" '$1 == m {
  lo = $6; hi = $7
  if (!(lo < base && base < hi)) { print "not monotone: " lo " " base " " hi; exit 1 }
  r = (hi - base) / (base - lo)
  if (r < 2 - 1e-4 || r > 2 + 1e-4) { print "not linear in the median: ratio " r; exit 1 }
  if ($2 != "s" || $4 != 43200 || $5 != 172800) { print "range not in SI: " $0; exit 1 }
  found = 1 } END { exit !found }' "$SCRATCH/delay.csv" || fail "delay median sensitivity"
# The branch's p does not touch the decision (common random numbers): no swing.
grep -Eq "^$BRANCH +scenario +0\.1 +0\.5 .* 0\.0000$" "$SCRATCH/delay.txt" ||
  fail "a branch p moved a decision it does not feed"
# The branch's p moves its own event, monotonically.
expect_status 0 "$STRAITS" sensitivity -n 200 --vary "$BRANCH=0.1:0.5" \
  --metric crisis.blockade.occurred --csv "$SCRATCH/branch.csv" "$D/sens_delay.yaml"
awk -F, -v b="$BRANCH" '$1 == b { if (!($6 < $7)) exit 1; found = 1 } END { exit !found }' \
  "$SCRATCH/branch.csv" || fail "branch probability path: no rise in blockade.occurred"
# A misspelt branch id, in --vary as in --set: "did you mean".
expect_status 2 "$STRAITS" sensitivity -n 10 --vary crisis.events.response.branches.blokade.p=0.1:0.5 \
  --metric crisis.blockade.occurred "$D/sens_delay.yaml"
grep -q "no item with id 'blokade' in 'crisis.events.response.branches' (did you mean 'blockade'?)" \
  "$SCRATCH/err" || fail "no suggestion for a misspelt branch in --vary"
expect_status 2 "$STRAITS" check "$SRC/scenarios/taiwan-strait.yaml" \
  --set crisis.events.prc-response.branches.blokade.p=0.3
grep -q "^--set:1:37: error: .*(did you mean 'blockade'?)" "$SCRATCH/err" ||
  fail "no suggestion for a misspelt branch in --set"
# A value the scenario refuses at one end (shares summing past 1) is an error first.
expect_status 2 "$STRAITS" sensitivity -n 10 --vary "$BRANCH=0.1:0.9" \
  --metric crisis.blockade.occurred "$D/sens_delay.yaml"
grep -q "sum to 1.4, more than 1" "$SCRATCH/err" && grep -q "high end of its range" "$SCRATCH/err" ||
  fail "a refused end of a range: $(cat "$SCRATCH/err")"
# A metric no model defines: "did you mean".
expect_status 2 "$STRAITS" sensitivity -n 10 --vary "$MEDIAN=12h:48h" \
  --metric crisis.blokade.occurred "$D/sens_delay.yaml"
grep -q "did you mean 'crisis.blockade.occurred'" "$SCRATCH/err" || fail "metric suggestion"
# Bad ranges, all in one pass.
expect_status 2 "$STRAITS" sensitivity --vary "$MEDIAN=12h:2d" --vary "$BRANCH=0.5:0.1" \
  "$D/sens_delay.yaml"
[ "$(grep -c 'error: --vary' "$SCRATCH/err")" -eq 2 ] || fail "bad ranges not all reported"
# Sobol over paths: the branch p never touches the response, so its total index is 0
# exactly (f(A) = f(AB_i) in every row), bootstrap interval included.
expect_status 0 "$STRAITS" sensitivity -n 10 --sobol 8 --vary "$MEDIAN=12h:48h" \
  --vary "$BRANCH=0.1:0.5" --metric plan.situation.important_influence.recognised \
  --json "$SCRATCH/sobol.json" "$D/sens_delay.yaml"
grep -Eq "^$BRANCH +.* 0\.000 \[0\.000, 0\.000\]$" "$SCRATCH/out" ||
  fail "Sobol total of the branch p: $(grep "$BRANCH" "$SCRATCH/out")"
finish
