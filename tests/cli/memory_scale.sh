# memory_scale.sh - a long run's peak memory stays that of a short one (issue 22): the
# default scenario's peak resident set at 50,000 replications within 1.3x of its peak
# at 1,000, report included.  Not a timing test: GNU time's %M (the peak RSS, in KB)
# is all it reads.  Labels slow and memory: minutes of CPU (130 s at 50,000 on the
# 2-core VM, 2026-12-03).
. "$(dirname "$0")/lib.sh"

TIME=/usr/bin/time
if ! [ -x "$TIME" ] || ! "$TIME" -f %M true >/dev/null 2>&1; then
  echo "SKIP: no GNU time at $TIME (Debian package 'time')"
  exit 77
fi

# peak N: the peak RSS in KB of straits run -n N -j 2 on a fresh store.
peak() {
  rm -f "$SCRATCH/m.db" "$SCRATCH/m.db-wal" "$SCRATCH/m.db-shm" "$SCRATCH/m.html"
  "$TIME" -o "$SCRATCH/time" -f %M "$STRAITS" run -q -n "$1" -j 2 --db "$SCRATCH/m.db" \
    >"$SCRATCH/out" 2>"$SCRATCH/err" || fail "run -n $1 failed: $(tail -3 "$SCRATCH/err")"
  tail -1 "$SCRATCH/time"
}

short=$(peak 1000)
long=$(peak 50000)
echo "peak RSS: $short KB at 1,000 replications, $long KB at 50,000"
[ "${short:-0}" -gt 10000 ] || fail "implausible peak at 1,000: '$short'"
[ "${long:-0}" -gt 0 ] || fail "no peak at 50,000: '$long'"
# 1.3 x short, in integers: 10 long <= 13 short
[ $((10 * ${long:-0})) -le $((13 * ${short:-0})) ] ||
  fail "peak RSS at 50,000 replications is $long KB, more than 1.3 x the $short KB at 1,000"
# The run really held 50,000 replications.
n=$(sqlite3 "$SCRATCH/m.db" 'select replications_done from run')
[ "$n" = 50000 ] || fail "the store holds $n replications, not 50000"
finish
