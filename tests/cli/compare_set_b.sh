# compare_set_b.sh - `straits compare --set-b KEY=VALUE SCENARIO` (docs/cli.md): the
# scenario against itself with one override, no second file; with two files, refused.
. "$(dirname "$0")/lib.sh"

cat >"$SCRATCH/coin.yaml" <<'YAML'
scenario: {name: coin, epoch: 2027-04-01T00:00Z, horizon: 1d, seed: 3,
           replications: 200, notional: true}
crisis:
  events:
    - {id: coin, at: 1h, p: 0.5}
YAML
expect_status 0 "$STRAITS" compare --no-report --db "$SCRATCH/c.db" \
  --set-b crisis.events.coin.p=0.9 "$SCRATCH/coin.yaml"
grep -q "^baseline: $SCRATCH/coin.yaml (run 1)$" "$SCRATCH/out" || fail "baseline: $(cat "$SCRATCH/out")"
grep -qF "$SCRATCH/coin.yaml --set-b crisis.events.coin.p=0.9 (run 2) against the baseline, 200 paired replications" \
  "$SCRATCH/out" || fail "the variant's heading: $(cat "$SCRATCH/out")"
grep -Eq '^crisis\.coin\.occurred +% +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +differs$' "$SCRATCH/out" ||
  fail "p 0.5 against 0.9 does not differ: $(cat "$SCRATCH/out")"
# The same override as a second file gives the same table.
sed 's/p: 0.5/p: 0.9/' "$SCRATCH/coin.yaml" >"$SCRATCH/coin9.yaml"
expect_status 0 "$STRAITS" compare --no-report --db "$SCRATCH/f.db" "$SCRATCH/coin.yaml" "$SCRATCH/coin9.yaml"
grep '^crisis\.' "$SCRATCH/out" >"$SCRATCH/files.txt"
expect_status 0 "$STRAITS" compare --no-report --db "$SCRATCH/g.db" \
  --set-b crisis.events.coin.p=0.9 "$SCRATCH/coin.yaml"
grep '^crisis\.' "$SCRATCH/out" | cmp -s - "$SCRATCH/files.txt" ||
  fail "--set-b and a second file differ"
# --set-b with two scenarios is a usage error.
expect_status 2 "$STRAITS" compare --no-report --db "$SCRATCH/h.db" \
  --set-b crisis.events.coin.p=0.9 "$SCRATCH/coin.yaml" "$SCRATCH/coin9.yaml"
grep -q "^straits: --set-b compares one scenario with itself: name exactly one, not 2$" "$SCRATCH/err" ||
  fail "two files: $(cat "$SCRATCH/err")"
finish
