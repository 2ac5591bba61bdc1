# resume_kill.sh - a run killed with SIGKILL at random moments (at least 20 times)
# resumes to the same numbers as an uninterrupted run: no replication lost or counted
# twice, and the store passes PRAGMA integrity_check.
#
# The replication count is calibrated so that one uninterrupted run takes about
# RESUME_TARGET_S seconds on this build (ASan is several times slower than a plain
# build), which keeps the whole test near 30 s anywhere.  Replay a failure with the
# seed it prints: RESUME_SEED=... RESUME_REPLICATIONS=... ctest -R cli_resume_kill
. "$(dirname "$0")/lib.sh"

KILLS=${RESUME_KILLS:-20}
SEED=${RESUME_SEED:-$(date +%s)}
TARGET=${RESUME_TARGET_S:-1.2}

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'; }

if [ -n "${RESUME_REPLICATIONS:-}" ]; then
  N=$RESUME_REPLICATIONS
else
  t0=$(date +%s.%N)
  expect_status 0 "$STRAITS" run -q --no-report -n 500 -j 2 --db "$SCRATCH/calibrate.db"
  took=$(elapsed "$t0")
  N=$(awk -v t="$took" -v g="$TARGET" 'BEGIN { n = int(500 * g / t / 100) * 100;
        if (n < 300) n = 300; if (n > 20000) n = 20000; print n }')
fi
echo "resume_kill: seed $SEED, $N replications, $KILLS kills"

t0=$(date +%s.%N)
expect_status 0 "$STRAITS" run --no-report -n "$N" -j 2 --db "$SCRATCH/ref.db"
took=$(elapsed "$t0")
summary_table "$SCRATCH/out" >"$SCRATCH/ref"
echo "resume_kill: an uninterrupted run takes $took s"

stored() {
  sqlite3 "$SCRATCH/kill.db" "SELECT count(*) FROM replication" 2>/dev/null || echo 0
}

i=0
killed=0
resume=""
while [ "$i" -lt "$KILLS" ]; do
  # Kill somewhere in what is left of the run, so every kill lands in a different
  # part of it (startup, store creation, mid-batch, commit) and most land at all.
  have=$(stored)
  delay=$(awk -v s="$SEED" -v i="$i" -v t="$took" -v n="$N" -v h="${have:-0}" 'BEGIN {
            srand(s + i); left = (n - h) / n; if (left < 0.05) left = 0.05;
            print rand() * 0.9 * t * left }')
  "$STRAITS" run -q --no-report -n "$N" -j 2 $resume --db "$SCRATCH/kill.db" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  resume="--resume"
  i=$((i + 1))
done
echo "resume_kill: $killed of $KILLS kills landed; $(stored) replications stored by then"
[ "$killed" -ge $((KILLS / 2)) ] || fail "only $killed kills hit a running process (seed $SEED)"

expect_status 0 "$STRAITS" run --no-report -n "$N" -j 2 --resume --db "$SCRATCH/kill.db"
summary_table "$SCRATCH/out" >"$SCRATCH/resumed"
cmp -s "$SCRATCH/ref" "$SCRATCH/resumed" ||
  fail "resumed run differs (seed $SEED): $(diff "$SCRATCH/ref" "$SCRATCH/resumed" | head -6)"
head -2 "$SCRATCH/out" | grep -q "^$N replications" || fail "resumed run did not total $N replications"

check=$(sqlite3 "$SCRATCH/kill.db" "PRAGMA integrity_check;")
[ "$check" = "ok" ] || fail "integrity_check: $check"
# Every replication exactly once, in one run, and the run's own count agrees.
got=$(sqlite3 "$SCRATCH/kill.db" "SELECT (SELECT count(*) FROM run), count(*),
  count(DISTINCT idx), min(idx), max(idx), (SELECT replications_done FROM run)
  FROM replication")
[ "$got" = "1|$N|$N|0|$((N - 1))|$N" ] ||
  fail "stored replications (runs|rows|distinct|min|max|done): $got, want 1|$N|$N|0|$((N - 1))|$N (seed $SEED)"
# Same data as the uninterrupted run: every value and series point, bit for bit.
diff_rows=$(sqlite3 "$SCRATCH/kill.db" "ATTACH '$SCRATCH/ref.db' AS ref;
  SELECT count(*) FROM (SELECT idx, data FROM replication
    EXCEPT SELECT idx, data FROM ref.replication);")
[ "$diff_rows" = "0" ] || fail "$diff_rows replications differ from the uninterrupted run (seed $SEED)"
finish
