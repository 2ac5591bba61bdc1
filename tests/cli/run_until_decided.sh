# run_until_decided.sh - `straits run --until-decided` (docs/cli.md): batches until
# every objective is met or not met, then why it stopped; an objective whose true
# value sits on its threshold stays undecided to the cap; the thread count does not
# change where it stops.
. "$(dirname "$0")/lib.sh"

said() { # said LINE WHAT: stderr holds LINE exactly
  grep -qxF -- "$1" "$SCRATCH/err" || fail "$2: want '$1', got: $(cat "$SCRATCH/err")"
}
count() { sed -n 's/^\([0-9,]*\) replications (seed.*/\1/p' "$SCRATCH/out"; }

# 'likely' occurs with p 0.9: "at least 0.5" is met at the first check.
cat >"$SCRATCH/met.yaml" <<'YAML'
scenario: {name: decided, epoch: 2027-04-01T00:00Z, horizon: 1d, seed: 3,
           replications: 100, notional: true}
crisis:
  events:
    - {id: likely, at: 1h, p: 0.9}
objectives:
  - {id: likely-often, metric: crisis.likely.occurred, at_least: 0.5}
YAML
# 'coin' occurs with p 0.5: "at most 0.5" has its truth on the threshold.
cat >"$SCRATCH/coin.yaml" <<'YAML'
scenario: {name: undecided, epoch: 2027-04-01T00:00Z, horizon: 1d, seed: 3,
           replications: 100, notional: true}
crisis:
  events:
    - {id: coin, at: 1h, p: 0.5}
objectives:
  - {id: coin-half, metric: crisis.coin.occurred, at_most: 0.5}
YAML

expect_status 0 "$STRAITS" run --no-report --until-decided -n 2000 -j 1 \
  --db "$SCRATCH/m1.db" "$SCRATCH/met.yaml"
n1=$(count)
[ -n "$n1" ] && [ "$n1" -lt 2000 ] || fail "a met objective ran to the cap ($n1)"
said "stopped at $n1 replications: every objective is decided (met or not met at 95% confidence)" \
  "decided"
grep -q '^objectives: 1 met, 0 not met, 0 undecided at this precision' "$SCRATCH/out" ||
  fail "the summary does not say every objective is decided: $(cat "$SCRATCH/out")"
grep -q 'confidence target not reached' "$SCRATCH/out" && fail "decided, yet target not reached"
# The same stop with more threads.
expect_status 0 "$STRAITS" run --no-report --until-decided -n 2000 -j 4 \
  --db "$SCRATCH/m4.db" "$SCRATCH/met.yaml"
[ "$(count)" = "$n1" ] || fail "-j 4 stopped at $(count), -j 1 at $n1"

# Undecided to the cap, and why.
expect_status 0 "$STRAITS" run --no-report --until-decided -n 400 \
  --db "$SCRATCH/c.db" "$SCRATCH/coin.yaml"
[ "$(count)" = 400 ] || fail "an undecided objective stopped at $(count), not the cap"
said "stopped at the cap of 400 replications: objective 'coin-half' is undecided" "cap"
grep -q '^objectives: 0 met, 0 not met, 1 undecided at this precision' "$SCRATCH/out" ||
  fail "cap: the summary's verdicts: $(cat "$SCRATCH/out")"
grep -q '^400 replications .*; confidence target not reached$' "$SCRATCH/out" ||
  fail "cap: the summary does not say the target was missed"

# Without objectives it stops at the first check, and says there is nothing to decide.
expect_status 0 "$STRAITS" run -q --no-report --until-decided -n 400 \
  --db "$SCRATCH/s.db" "$SRC/tests/cli/data/small.yaml"
said "stopped at 50 replications: the scenario has no objective to decide" "no objectives"
finish
