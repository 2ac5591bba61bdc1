#!/bin/sh
# scale.sh - speed-up from 1 to 2 threads and from 1 to 2 MPI ranks (issue 8), as
# bench/README.md reports it.  Run by hand on a quiet machine, never in CTest:
#
#   bench/scale.sh [BUILD_DIR] [REPEATS]      (defaults: build, 3)
#
# Threads: `straits run -q --no-report -n 1600 -j 1|2` on the shipped scenario.
# Ranks: `mpirun -np 1|2 straits sweep -q -j 1` on two sweeps of the shipped scenario
# (4 points x 400 and 16 points x 500 replications), with `--mca pml ob1`: on one
# machine without a fast network Open MPI otherwise spends 0.2 s of every rank's
# start-up probing network transports (docs/cluster.md).  Prints each wall time, the
# best of REPEATS for each configuration, and the ratios of the bests.
set -eu
BUILD=${1:-build}
REPEATS=${2:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
STRAITS=$(cd "$BUILD" && pwd)/src/cli/straits
SCENARIO=$SRC/scenarios/taiwan-strait.yaml
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

cat >"$DIR/b4.yaml" <<EOF
sweep:
  name: bench 4 x 400
  scenario: $SCENARIO
  replications: 400
  factors:
    - {set: crisis.events.senkaku-incident.p, values: [0.1, 0.5]}
    - {set: crisis.events.us-intervention.p, values: [0.3, 0.9]}
EOF
cat >"$DIR/b16.yaml" <<EOF
sweep:
  name: bench 16 x 500
  scenario: $SCENARIO
  replications: 500
  factors:
    - {set: crisis.events.senkaku-incident.p, values: [0.1, 0.3, 0.5, 0.7]}
    - {set: crisis.events.us-intervention.p, values: [0.3, 0.5, 0.7, 0.9]}
EOF

# Wall seconds of one run of "$@" on a fresh store.
wall() {
  rm -f "$DIR"/t.db*
  a=$(date +%s.%N)
  "$@" >/dev/null
  b=$(date +%s.%N)
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }'
}

# The best of REPEATS runs, the runs themselves on stderr.
best() {
  label=$1
  shift
  b=""
  i=0
  while [ "$i" -lt "$REPEATS" ]; do
    t=$(wall "$@")
    printf '  %-28s %s s\n' "$label" "$t" >&2
    b=$(awk -v b="$b" -v t="$t" 'BEGIN { print (b == "" || t < b) ? t : b }')
    i=$((i + 1))
  done
  echo "$b"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "scale: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $REPEATS repeats"
j1=$(best "run -n 1600 -j 1" "$STRAITS" run -q --no-report -n 1600 -j 1 --db "$DIR/t.db" "$SCENARIO")
j2=$(best "run -n 1600 -j 2" "$STRAITS" run -q --no-report -n 1600 -j 2 --db "$DIR/t.db" "$SCENARIO")
echo "threads: -j 1 $j1 s, -j 2 $j2 s: $(ratio "$j1" "$j2")x"

if ! command -v mpirun >/dev/null || ! "$STRAITS" sweep --help | grep -q "built with MPI"; then
  echo "ranks: skipped (no mpirun, or straits built without MPI)"
  exit 0
fi
MPI="mpirun --mca pml ob1 --oversubscribe --allow-run-as-root"
for s in b4 b16; do
  n1=$(best "$s -np 1" $MPI -np 1 "$STRAITS" sweep -q -j 1 --db "$DIR/t.db" "$DIR/$s.yaml")
  n2=$(best "$s -np 2" $MPI -np 2 "$STRAITS" sweep -q -j 1 --db "$DIR/t.db" "$DIR/$s.yaml")
  echo "ranks, $s: -np 1 $n1 s, -np 2 $n2 s: $(ratio "$n1" "$n2")x"
done
echo "scale: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
