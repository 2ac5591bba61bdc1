# run_threads.sh - the same numbers for 1 and 2 threads, and --until-ci stops early.
. "$(dirname "$0")/lib.sh"

expect_status 0 "$STRAITS" run -n 200 -j 1 --no-report --db "$SCRATCH/a.db"
summary_table "$SCRATCH/out" >"$SCRATCH/one"
expect_status 0 "$STRAITS" run -n 200 -j 2 --no-report --db "$SCRATCH/b.db"
summary_table "$SCRATCH/out" >"$SCRATCH/two"
cmp -s "$SCRATCH/one" "$SCRATCH/two" || fail "1 and 2 threads differ: $(diff "$SCRATCH/one" "$SCRATCH/two" | head -5)"
[ -s "$SCRATCH/one" ] || fail "empty summary"

# A different seed gives different numbers (the seed is really used).
expect_status 0 "$STRAITS" run -n 200 -j 2 --seed 7 --no-report --db "$SCRATCH/c.db"
summary_table "$SCRATCH/out" >"$SCRATCH/seven"
cmp -s "$SCRATCH/one" "$SCRATCH/seven" && fail "--seed had no effect"

# --until-ci: converges before the cap, at the same point for 1 and 2 threads (on a
# small scenario: the default's rare events would need tens of thousands).
small="$SRC/tests/cli/data/small.yaml"
expect_status 0 "$STRAITS" run -n 100000 --until-ci 0.05 -j 1 --no-report --db "$SCRATCH/d.db" "$small"
head -2 "$SCRATCH/out" | grep -o '^[0-9]* replications' >"$SCRATCH/n1"
expect_status 0 "$STRAITS" run -n 100000 --until-ci 0.05 -j 2 --no-report --db "$SCRATCH/e.db" "$small"
head -2 "$SCRATCH/out" | grep -o '^[0-9]* replications' >"$SCRATCH/n2"
cmp -s "$SCRATCH/n1" "$SCRATCH/n2" || fail "--until-ci stopped at $(cat "$SCRATCH/n1") vs $(cat "$SCRATCH/n2")"
n=$(cut -d' ' -f1 "$SCRATCH/n1")
[ "${n:-0}" -gt 0 ] && [ "${n:-0}" -lt 100000 ] || fail "--until-ci ran $n replications"
finish
