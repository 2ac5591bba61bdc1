# resume_kill.sh - a run killed with SIGKILL at random moments resumes to the same
# numbers as an uninterrupted run: no replication lost or counted twice.
. "$(dirname "$0")/lib.sh"

N=${RESUME_REPLICATIONS:-4000}
KILLS=${RESUME_KILLS:-5}
SEED=${RESUME_SEED:-$(date +%s)}
echo "resume_kill: seed $SEED, $N replications, $KILLS kills"

t0=$(date +%s.%N)
expect_status 0 "$STRAITS" run -n "$N" -j 2 --db "$SCRATCH/ref.db"
t1=$(date +%s.%N)
summary_table "$SCRATCH/out" >"$SCRATCH/ref"
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

i=0
resume=""
while [ "$i" -lt "$KILLS" ]; do
  # Kill somewhere in the first 90% of what an uninterrupted run takes.
  delay=$(awk -v s="$SEED" -v i="$i" -v t="$took" 'BEGIN { srand(s + i); print rand() * 0.9 * t }')
  "$STRAITS" run -q -n "$N" -j 2 $resume --db "$SCRATCH/kill.db" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  resume="--resume"
  i=$((i + 1))
done
expect_status 0 "$STRAITS" run -n "$N" -j 2 --resume --db "$SCRATCH/kill.db"
summary_table "$SCRATCH/out" >"$SCRATCH/resumed"
cmp -s "$SCRATCH/ref" "$SCRATCH/resumed" ||
  fail "resumed run differs (seed $SEED): $(diff "$SCRATCH/ref" "$SCRATCH/resumed" | head -6)"
head -2 "$SCRATCH/out" | grep -q "^$N replications" || fail "resumed run did not total $N replications"

check=$(sqlite3 "$SCRATCH/kill.db" "PRAGMA integrity_check;")
[ "$check" = "ok" ] || fail "integrity_check: $check"
finish
