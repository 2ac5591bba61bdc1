#!/bin/sh
# scale.sh - re-measure every speed and memory figure that README.md, docs/ and
# bench/README.md quote (issues 8 and 22), in one go, each printed with the command
# that produced it.  Run by hand on a quiet machine, never in CTest:
#
#   bench/scale.sh [BUILD_DIR] [REPEATS] [LONG]   (defaults: build, 3, 100000)
#   MILLION=1 bench/scale.sh ...                  (also the million-replication run)
#
# BUILD_DIR is a RelWithDebInfo build (`make build`, or the cmake line in
# docs/hacking.md); the script says which build type it found.  LONG is the long run of
# the threads figure (issue 22 asks for 1,000 and 100,000 replications; 100,000 takes
# about 2 x 4.5 min on 2 cores: pass 20000 for a quicker look).
#
# What it measures, in the order printed:
#   threads   `straits run -n N -j 1|2` of the default scenario, N = 1,000 (report
#             included: what `make demo` runs) and LONG (--no-report), and the issue-8
#             figure `run -q --no-report -n 1600`; wall time, best of REPEATS, ratio.
#   serial    `straits run -n 1000 -j 2 --timings` once: each step's wall and CPU time
#             (the steps that keep one core busy while the other waits).
#   demo      `make demo`'s command, `straits run --db straits.db` (1,000 replications,
#             the report, every CPU): CPU time (user + sys), best of REPEATS.
#   ranks     `mpirun -np 1|2 straits sweep -q -j 1` on two sweeps (4 x 400, 16 x 500),
#             with `--mca pml ob1` (docs/cluster.md); skipped without MPI.
#   drift     `bench_drift 100000 2` and `bench_drift 1000000 2`, REPEATS times each:
#             element-steps per CPU-second (per core) with the GSHHG land mask, 1 and
#             2 threads, the cores busy and the load average; the best rates and the
#             1 -> 2 threads speed-up from the best wall times.
#   memory    peak RSS (GNU time %M) of `straits run -n 1000|50000 -j 2` (report
#             included) and their ratio (target <= 1.3), and the store's bytes per
#             replication; the CPU time of the 50,000 run per replication, and from it
#             the estimate for a million on 2 cores.
#   million   only with MILLION=1 (about half an hour and ~10 GB of disk: MILLION_DIR,
#             default the script's temporary folder, must hold it):
#             `/usr/bin/time -v straits run -n 1000000 -j 2` of the default scenario with
#             the progress bar (report included), its wall and CPU time and peak RSS,
#             the store's size per replication, and that the store is still queryable
#             (`straits export -f csv`, timed).  MILLION_N=2000 runs this part small.
# The load average is printed at the start and the end: a figure taken above ~1.5 on
# this 2-core VM is not a quiet machine's.
set -eu
BUILD=${1:-build}
REPEATS=${2:-3}
LONG=${3:-100000}
MEMN=${MEMN:-50000} # the memory figure's long run (MEMN=2000 for a smoke test)
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$BUILD" && pwd)
STRAITS=$B/src/cli/straits
SCENARIO=$SRC/scenarios/taiwan-strait.yaml
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
TIME=/usr/bin/time

load() { cut -d' ' -f1-3 /proc/loadavg; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$B/CMakeCache.txt" 2>/dev/null || true)
echo "scale: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), build ${build_type:-?} at $B, git $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo ?), load average $(load), $REPEATS repeats"

# Wall seconds of one run of "$@" on a fresh store.
wall() {
  rm -f "$DIR"/t.db* "$DIR"/t.html
  a=$(date +%s.%N)
  "$@" >/dev/null
  b=$(date +%s.%N)
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'
}

# The best (least) of REPEATS values of `$measure "$@"`, each one on stderr.
best_of() {
  measure=$1 label=$2
  shift 2
  b=""
  i=0
  while [ "$i" -lt "$REPEATS" ]; do
    t=$($measure "$@")
    printf '  %-44s %s s\n' "$label" "$t" >&2
    b=$(awk -v b="$b" -v t="$t" 'BEGIN { print (b == "" || t < b) ? t : b }')
    i=$((i + 1))
  done
  echo "$b"
}

# CPU seconds (user + sys) of one run of "$@" on a fresh store.
cpu() {
  rm -f "$DIR"/t.db* "$DIR"/t.html
  "$TIME" -o "$DIR/time" -f '%U %S' "$@" >/dev/null
  awk '{ printf "%.2f", $1 + $2 }' "$DIR/time"
}

# threads N EXTRA...: the 1 -> 2 thread ratio of `straits run -n N EXTRA`.
threads() {
  n=$1
  shift
  cmd="straits run -q -n $n${*:+ $*} --db t.db scenarios/taiwan-strait.yaml"
  j1=$(best_of wall "-j 1: $cmd" "$STRAITS" run -q -n "$n" -j 1 "$@" --db "$DIR/t.db" "$SCENARIO")
  j2=$(best_of wall "-j 2: $cmd" "$STRAITS" run -q -n "$n" -j 2 "$@" --db "$DIR/t.db" "$SCENARIO")
  echo "threads: $cmd -j 1|2: $j1 s, $j2 s: $(ratio "$j1" "$j2")x (target >= 1.9x)"
}

threads 1000
threads 1600 --no-report
threads "$LONG" --no-report

# What serialises: one more 2-thread run of 1,000 replications, report included, with
# --timings (a step whose CPU is about its wall time ran on one core).
rm -f "$DIR"/t.db* "$DIR"/t.html
echo "serial: straits run -q -n 1000 -j 2 --timings --db t.db scenarios/taiwan-strait.yaml:"
"$STRAITS" run -q -n 1000 -j 2 --timings --db "$DIR/t.db" "$SCENARIO" 2>&1 >/dev/null | sed 's/^timings: /  /'

demo=$(cd "$DIR" && best_of cpu "straits run --db straits.db" "$STRAITS" run --db "$DIR/t.db" "$SCENARIO")
echo "demo: make demo = straits run --db straits.db (1,000 replications, report): $demo s CPU (user + sys, best)"

if command -v mpirun >/dev/null && "$STRAITS" sweep --help | grep -q "built with MPI"; then
  for s in 4:400:0.1,0.5:0.3,0.9 16:500:0.1,0.3,0.5,0.7:0.3,0.5,0.7,0.9; do
    IFS=: read -r pts reps a b <<EOF
$s
EOF
    cat >"$DIR/s.yaml" <<EOF
sweep:
  name: bench $pts x $reps
  scenario: $SCENARIO
  replications: $reps
  factors:
    - {set: crisis.events.senkaku-incident.p, values: [$a]}
    - {set: crisis.events.us-intervention.p, values: [$b]}
EOF
    MPI="mpirun --mca pml ob1 --oversubscribe --allow-run-as-root"
    n1=$(best_of wall "-np 1: sweep $pts x $reps" $MPI -np 1 "$STRAITS" sweep -q -j 1 --db "$DIR/t.db" "$DIR/s.yaml")
    n2=$(best_of wall "-np 2: sweep $pts x $reps" $MPI -np 2 "$STRAITS" sweep -q -j 1 --db "$DIR/t.db" "$DIR/s.yaml")
    echo "ranks: $MPI -np 1|2 straits sweep -q -j 1 ($pts points x $reps): $n1 s, $n2 s: $(ratio "$n1" "$n2")x (target >= 1.9x)"
  done
else
  echo "ranks: skipped (no mpirun, or straits built without MPI)"
fi

# drift N: REPEATS runs of bench_drift N 2, each printed; then the best per-CPU-second
# rate of each thread count and the 1 -> 2 threads speed-up from the best wall times.
drift() {
  echo "drift: bench_drift $1 2 (life rafts, 24 h in 10-min steps, GSHHG land mask; targets >= 2.2e7 element-steps per CPU-second per core, 1 -> 2 threads >= 1.8x with both cores free):"
  i=0
  : >"$DIR/drift"
  while [ "$i" -lt "$REPEATS" ]; do
    "$B/bench/bench_drift" "$1" 2 | tee -a "$DIR/drift" | grep -v '^field\|^peak' | sed 's/^/  /'
    i=$((i + 1))
  done
  awk -v n="$1" '/thread.*wall/ {
      th = $6 + 0; w = $8 + 0; c = $13; sub(/^\(/, "", c); c += 0
      if (!(th in bw) || w < bw[th]) bw[th] = w
      if (c > bc[th]) bc[th] = c
    }
    END { printf "drift: %d particles: per CPU-second best %.3g (1 thread), %.3g (2 threads); 1 -> 2 threads %.2fx (best wall %.3f s, %.3f s)\n", n, bc[1], bc[2], bw[1] / bw[2], bw[1], bw[2] }' "$DIR/drift"
}

if [ -x "$B/bench/bench_drift" ]; then
  echo "drift: load average $(load) (a speed-up taken above ~0.5 is not both cores free)"
  drift 100000
  drift 1000000
else
  echo "drift: skipped (no $B/bench/bench_drift: configure with STRAITS_BENCH=ON)"
fi

# memory N: "peak_KB cpu_s" of straits run -n N -j 2 (report included).
memory() {
  rm -f "$DIR"/m.db* "$DIR"/m.html
  "$TIME" -o "$DIR/time" -f '%M %U %S' "$STRAITS" run -q -n "$1" -j 2 --db "$DIR/m.db" "$SCENARIO" >/dev/null
  awk '{ printf "%d %.1f", $1, $2 + $3 }' "$DIR/time"
}
if [ -x "$TIME" ]; then
  set -- $(memory 1000)
  p1=$1
  set -- $(memory "$MEMN")
  p50=$1 c50=$2
  size=$(stat -c %s "$DIR/m.db")
  echo "memory: straits run -n 1000|$MEMN -j 2: peak RSS $((p1 / 1024)) MB, $((p50 / 1024)) MB: $(ratio "$p50" "$p1")x (target <= 1.3x); store $((size / MEMN)) bytes per replication"
  echo "million: from the $MEMN run's $c50 s of CPU: $(awk -v c="$c50" -v n="$MEMN" 'BEGIN { printf "%.0f", c / n * 1e6 / 2 / 60 }') min on 2 cores for straits run -n 1000000 -j 2 (target < 30 min; assumes both cores busy throughout)"
else
  echo "memory: skipped (no GNU time at $TIME)"
fi
if [ "${MILLION:-0}" = 1 ] && [ -x "$TIME" ]; then
  MN=${MILLION_N:-1000000} # fewer for a smoke test of this part
  MDIR=${MILLION_DIR:-$DIR}
  mkdir -p "$MDIR"
  rm -f "$MDIR"/million.db* "$MDIR"/million.html
  echo "million: /usr/bin/time -v straits run -n $MN -j 2 --db $MDIR/million.db scenarios/taiwan-strait.yaml (load average $(load) before)"
  # The progress bar goes to stderr (a terminal's); time -v writes its report to a file.
  "$TIME" -v -o "$DIR/million.time" "$STRAITS" run -n "$MN" -j 2 --db "$MDIR/million.db" "$SCENARIO" >"$DIR/million.out"
  sed -n 's/^\t\(Elapsed (wall clock) time.*\|User time.*\|System time.*\|Percent of CPU.*\|Maximum resident set size.*\)$/  \1/p' "$DIR/million.time"
  tail -n 3 "$DIR/million.out" | sed 's/^/  /'
  size=$(stat -c %s "$MDIR/million.db")
  echo "million: store $((size / 1000000)) MB, $((size / MN)) bytes per replication; target under 30 min wall at 1000000; load average $(load) after"
  a=$(date +%s.%N)
  rows=$("$STRAITS" export -f csv "$MDIR/million.db" | wc -l)
  b=$(date +%s.%N)
  echo "million: straits export -f csv million.db (the metrics' summaries, read back from the store): $rows lines in $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }') s"
  [ -n "${MILLION_DIR:-}" ] || rm -f "$MDIR"/million.db*
fi
echo "scale: load average $(load) at the end"
