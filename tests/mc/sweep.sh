# sweep.sh - `straits sweep`: full factorial and Latin hypercube designs, common
# random numbers across points, the same numbers for any thread count or split into
# parts (what MPI ranks run), a sweep killed at random moments that resumes whole,
# and file:line:col errors for a bad sweep file.  With MPI (mpirun and a straits
# built with it), 1, 2 and 3 ranks must agree bit for bit too.
. "$SRC/tests/cli/lib.sh"
DATA="$SRC/tests/mc/data"
SEED=${SWEEP_SEED:-$(date +%s)}

# The per-point summaries without the header (wall time, run ids differ).
points() { sed -n '/^point /,$p' "$1" | sed 's/ (run [0-9]*)//'; }
q() { sqlite3 "$1" "$2"; }

# 1. Full factorial: 4 points x 40 replications, keyed by (point, replication).
expect_status 0 "$STRAITS" sweep -j 2 --db "$SCRATCH/f.db" "$DATA/sweep_factorial.yaml"
points "$SCRATCH/out" >"$SCRATCH/f2"
[ "$(grep -c '^point ' "$SCRATCH/f2")" = 4 ] || fail "factorial: not 4 points"
grep -q 'crisis.events.senkaku-incident.p=0.5 crisis.events.us-intervention.p=0.3' "$SCRATCH/f2" ||
  fail "factorial: a combination is missing"
got=$(q "$SCRATCH/f.db" "SELECT count(*), count(DISTINCT p.point || '/' || r.idx)
  FROM sweep_point p JOIN replication r ON r.run = p.run")
[ "$got" = "160|160" ] || fail "factorial: (point, replication) pairs: $got, want 160|160"
[ "$(q "$SCRATCH/f.db" 'PRAGMA integrity_check')" = ok ] || fail "factorial: integrity_check"

# 2. The same sweep on one thread: the same numbers.
expect_status 0 "$STRAITS" sweep -j 1 --db "$SCRATCH/f1.db" "$DATA/sweep_factorial.yaml"
points "$SCRATCH/out" >"$SCRATCH/f1"
cmp -s "$SCRATCH/f1" "$SCRATCH/f2" || fail "1 and 2 threads differ: $(diff "$SCRATCH/f1" "$SCRATCH/f2" | head -4)"

# 3. Common random numbers: points that differ in nothing that matters agree on
#    every replication.
expect_status 0 "$STRAITS" sweep -q --db "$SCRATCH/crn.db" "$DATA/sweep_crn.yaml"
# A replication's data is every value and series point it yields, bit for bit.
got=$(q "$SCRATCH/crn.db" "SELECT count(*), sum(ra.data IS NOT rb.data)
  FROM sweep_point a JOIN replication ra ON ra.run = a.run
  JOIN sweep_point b ON b.sweep = a.sweep AND b.point = 1
  JOIN replication rb ON rb.run = b.run AND rb.idx = ra.idx WHERE a.point = 0")
case "$got" in
  *"|0") ;;
  *) fail "common random numbers: (replications, differing) $got between points" ;;
esac
[ "$(q "$SCRATCH/crn.db" "SELECT count(DISTINCT run) FROM sweep_point")" = 2 ] ||
  fail "common random numbers: the points are not two runs"

# 4. Split into 3 parts (as 3 MPI ranks would), then merged: the same numbers, and
#    the merge runs nothing itself.
for k in 0 1 2; do
  expect_status 0 "$STRAITS" sweep -q --part $k/3 --db "$SCRATCH/p$k.db" "$DATA/sweep_factorial.yaml"
done
n0=$(q "$SCRATCH/p0.db" "SELECT count(*) FROM replication")
[ "$n0" -gt 40 ] && [ "$n0" -lt 60 ] || fail "part 0 of 3 ran $n0 of 160 replications"
expect_status 0 "$STRAITS" sweep --db "$SCRATCH/m.db" --merge "$SCRATCH/p0.db" \
  --merge "$SCRATCH/p1.db" --merge "$SCRATCH/p2.db" "$DATA/sweep_factorial.yaml"
points "$SCRATCH/out" >"$SCRATCH/merged"
cmp -s "$SCRATCH/f2" "$SCRATCH/merged" || fail "3 parts merged differ: $(diff "$SCRATCH/f2" "$SCRATCH/merged" | head -4)"
# Every (point, replication)'s data, bit for bit, against the single process.
same_data() {
  q "$1" "ATTACH '$2' AS f; SELECT count(*) FROM
    (SELECT p.point, r.idx, r.data FROM sweep_point p JOIN replication r ON r.run = p.run
     EXCEPT SELECT p.point, r.idx, r.data FROM f.sweep_point p
     JOIN f.replication r ON r.run = p.run)"
}
got=$(same_data "$SCRATCH/m.db" "$SCRATCH/f.db")
[ "$got" = 0 ] || fail "merged store: $got replications differ from a single process"

# 5. Latin hypercube: one point per stratum of each range and level.
expect_status 0 "$STRAITS" sweep -q --db "$SCRATCH/l.db" "$DATA/sweep_lhs.yaml"
q "$SCRATCH/l.db" "SELECT overrides FROM sweep_point ORDER BY point" | tr '\n' ' ' >"$SCRATCH/lhs"
strata=$(tr ' ' '\n' <"$SCRATCH/lhs" | awk -F= '
  /senkaku/ { s[int($2 * 5)]++ }
  /horizon/ { sub(/s$/, "", $2); h[int(($2 / 86400 - 10) / 20 * 5)]++ }
  /aircrew/ { a[$2]++ }
  END { print length(s), length(h), length(a) }')
[ "$strata" = "5 5 5" ] || fail "latin hypercube strata (p, horizon, levels): $strata: $(cat "$SCRATCH/lhs")"

# 6. Killed at random moments (SIGKILL) 20 times, then --resume: the same numbers,
#    nothing lost or counted twice.  200 replications a point (800 pairs), each kill
#    somewhere in what is left of the sweep (as tests/cli/resume_kill.sh does), so
#    the kills land in every part of it: loading, a point's start, mid-batch, commit.
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
t0=$(date +%s.%N)
expect_status 0 "$STRAITS" sweep -j 2 -n 200 --db "$SCRATCH/f200.db" "$DATA/sweep_factorial.yaml"
took=$(elapsed "$t0")
points "$SCRATCH/out" >"$SCRATCH/f200"
stored() { q "$SCRATCH/k.db" "SELECT count(*) FROM replication" 2>/dev/null || echo 0; }
i=0
killed=0
resume=""
while [ "$i" -lt "${SWEEP_KILLS:-20}" ]; do
  have=$(stored)
  delay=$(awk -v s="$SEED" -v i="$i" -v t="$took" -v h="${have:-0}" 'BEGIN {
            srand(s + i); left = (800 - h) / 800; if (left < 0.05) left = 0.05;
            print rand() * 0.9 * t * left }')
  "$STRAITS" sweep -q -j 2 -n 200 $resume --db "$SCRATCH/k.db" "$DATA/sweep_factorial.yaml" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  resume="--resume"
  i=$((i + 1))
done
echo "sweep: $killed of ${SWEEP_KILLS:-20} kills landed (seed $SEED); $(stored) of 800 stored by then"
[ "$killed" -ge $((${SWEEP_KILLS:-20} / 2)) ] || fail "only $killed kills hit a running sweep (seed $SEED)"
# A resumed 800-pair sweep (its output in $SCRATCH/out) against the uninterrupted one:
# the same summaries, a sound store, every pair once, every pair's data bit for bit.
check_resumed() { # DB WHAT
  points "$SCRATCH/out" >"$SCRATCH/resumed"
  cmp -s "$SCRATCH/f200" "$SCRATCH/resumed" || fail "$2 differs (seed $SEED): $(diff "$SCRATCH/f200" "$SCRATCH/resumed" | head -4)"
  [ "$(q "$1" 'PRAGMA integrity_check')" = ok ] || fail "$2: integrity_check"
  sweep=$(q "$1" "SELECT max(sweep) FROM sweep_point")
  got=$(q "$1" "SELECT count(*), count(DISTINCT p.point || '/' || r.idx)
    FROM sweep_point p JOIN replication r ON r.run = p.run WHERE p.sweep = $sweep")
  [ "$got" = "800|800" ] || fail "$2 (seed $SEED): pairs $got, want 800|800"
  got=$(same_data "$1" "$SCRATCH/f200.db")
  [ "$got" = 0 ] || fail "$2: $got replications differ from an uninterrupted sweep"
}
expect_status 0 "$STRAITS" sweep -j 2 -n 200 --resume --db "$SCRATCH/k.db" "$DATA/sweep_factorial.yaml"
check_resumed "$SCRATCH/k.db" "resumed sweep"

# 7. A bad sweep file: every problem, located, exit status 2.
expect_status 2 "$STRAITS" sweep --db "$SCRATCH/bad.db" "$DATA/sweep_bad.yaml"
for want in "sweep_bad.yaml:3:11: error: 'points' is for 'design: latin_hypercube'" \
            "sweep_bad.yaml:5:36: error: a range ('min', 'max') needs 'design: latin_hypercube'" \
            "sweep_bad.yaml:6:7: error: missing required key 'set' in a factor" \
            "3 errors generated"; do
  grep -qF "$want" "$SCRATCH/err" || fail "bad sweep: no '$want' in: $(head -c 600 "$SCRATCH/err")"
done

# 8. MPI: 1, 2 and 3 ranks agree with the threads-only run, bit for bit.
if [ -n "${MPIRUN:-}" ] && "$STRAITS" sweep --help | grep -q "built with MPI"; then
  for np in 1 2 3; do
    expect_status 0 $MPIRUN --oversubscribe --allow-run-as-root -np $np "$STRAITS" sweep -j 1 \
      --db "$SCRATCH/mpi$np.db" "$DATA/sweep_factorial.yaml"
    points "$SCRATCH/out" >"$SCRATCH/mpi$np"
    cmp -s "$SCRATCH/f2" "$SCRATCH/mpi$np" || fail "$np MPI ranks differ: $(diff "$SCRATCH/f2" "$SCRATCH/mpi$np" | head -4)"
    got=$(same_data "$SCRATCH/mpi$np.db" "$SCRATCH/f.db")
    [ "$got" = 0 ] || fail "$np MPI ranks: $got replications differ from a single process"
    [ "$(q "$SCRATCH/mpi$np.db" "SELECT count(*) FROM replication")" = 160 ] ||
      fail "$np MPI ranks: not 160 replications in the merged store"
  done
  # Rank 0 hands out the pairs as the ranks ask, so which rank ran what varies from
  # run to run; every rank must still have run some, and the rows rank 0 got from the
  # others must be theirs.
  n1=$(q "$SCRATCH/mpi2.db.rank1" "SELECT count(*) FROM replication")
  [ "$n1" -gt 0 ] && [ "$n1" -lt 160 ] || fail "2 MPI ranks: rank 1 ran $n1 of 160"
  # Stopped (SIGTERM, as Slurm preempts) at random moments under 2 ranks, then resumed
  # under 3: the same numbers as one process (section 6's), nothing lost or counted
  # twice.
  i=0
  resume=""
  while [ "$i" -lt "${SWEEP_MPI_KILLS:-3}" ]; do
    delay=$(awk -v s="$SEED" -v i="$i" 'BEGIN { srand(s + 7 * i); print 0.25 + rand() * 0.5 }')
    $MPIRUN --oversubscribe --allow-run-as-root -np 2 "$STRAITS" sweep -q -j 1 -n 200 $resume \
      --db "$SCRATCH/mk.db" "$DATA/sweep_factorial.yaml" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    resume="--resume"
    i=$((i + 1))
  done
  expect_status 0 $MPIRUN --oversubscribe --allow-run-as-root -np 3 "$STRAITS" sweep -j 1 -n 200 \
    --resume --db "$SCRATCH/mk.db" "$DATA/sweep_factorial.yaml"
  check_resumed "$SCRATCH/mk.db" "MPI sweep resumed after stops"
fi
finish
