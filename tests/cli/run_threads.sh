# run_threads.sh - the same numbers for 1 and 2 threads, and --until-ci stops early.
. "$(dirname "$0")/lib.sh"

expect_status 0 "$STRAITS" run -n 200 -j 1 --no-report --db "$SCRATCH/a.db"
summary_table "$SCRATCH/out" >"$SCRATCH/one"
expect_status 0 "$STRAITS" run -n 200 -j 2 --no-report --db "$SCRATCH/b.db"
summary_table "$SCRATCH/out" >"$SCRATCH/two"
cmp -s "$SCRATCH/one" "$SCRATCH/two" || fail "1 and 2 threads differ: $(diff "$SCRATCH/one" "$SCRATCH/two" | head -5)"
[ -s "$SCRATCH/one" ] || fail "empty summary"
# Every stored value and series point, bit for bit (the CSV writes 17 digits).
for t in values series; do
  "$STRAITS" export -f csv --table $t "$SCRATCH/a.db" >"$SCRATCH/a.$t" 2>&1 || fail "export a $t"
  "$STRAITS" export -f csv --table $t "$SCRATCH/b.db" >"$SCRATCH/b.$t" 2>&1 || fail "export b $t"
  [ "$(wc -l <"$SCRATCH/a.$t")" -gt 200 ] || fail "few $t rows: $(head -3 "$SCRATCH/a.$t")"
  cmp -s "$SCRATCH/a.$t" "$SCRATCH/b.$t" || fail "1 and 2 threads stored different $t"
done

# The report: its bands are read over -j threads (each on its own connection) and its
# summaries are the run's; the same page for 1 and 2 threads but for the run's clock.
expect_status 0 "$STRAITS" run -q -n 150 -j 1 --db "$SCRATCH/r1.db"
expect_status 0 "$STRAITS" run -q -n 150 -j 2 --db "$SCRATCH/r2.db"
if [ -s "$SCRATCH/r1.html" ]; then
  clock='s/20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z/TIME/g; s/"wall_s":[0-9.e+-]*/"wall_s":W/g; s/wall time<\/th><td class="mono">[^<]*/wall time W/g'
  sed "$clock" "$SCRATCH/r1.html" >"$SCRATCH/r1.page"
  sed "$clock" "$SCRATCH/r2.html" >"$SCRATCH/r2.page"
  cmp -s "$SCRATCH/r1.page" "$SCRATCH/r2.page" ||
    fail "the reports of 1 and 2 threads differ: $(cmp "$SCRATCH/r1.page" "$SCRATCH/r2.page")"
  [ "$(grep -c '"p95":\[' "$SCRATCH/r1.page")" -gt 10 ] || fail "no series bands in the report"
fi

# --timings: a line per step on stderr, the steps' wall times adding up to the total
# (to the rounding of 8 steps), and the numbers themselves unchanged.
expect_status 0 "$STRAITS" run -n 200 -j 2 --no-report --timings --db "$SCRATCH/t.db"
summary_table "$SCRATCH/out" >"$SCRATCH/timed"
cmp -s "$SCRATCH/one" "$SCRATCH/timed" || fail "--timings changed the summary"
[ "$(grep -c '^timings: ' "$SCRATCH/err")" -eq 9 ] || fail "timings: $(cat "$SCRATCH/err")"
awk '/^timings: (load|replications|models|spillover|plan|report)/ { sum += $(NF - 2) }
     /^timings: total/ { total = $(NF - 2) }
     END { exit !(total > 0 && sum - total < 0.01 && total - sum < 0.01) }' "$SCRATCH/err" ||
  fail "the steps do not add up to the total: $(cat "$SCRATCH/err")"
grep -q '^timings: ' "$SCRATCH/out" && fail "timings on standard output"

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
