# valgrind_run.sh - the end-to-end default run (the shipped scenario, every module,
# the store and the HTML report, two threads; VALGRIND_REPLICATIONS of them, since
# memcheck is ~50x slower) and the fuzz corpus replay under valgrind memcheck: zero
# errors and no definite or indirect leaks.
set -eu
: "${STRAITS:?}" "${SCRATCH:?}" "${REPLAY:?}" "${CORPUS:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"

status=0
$VG "$STRAITS" run -n "${VALGRIND_REPLICATIONS:-10}" -j 2 --db "$SCRATCH/vg.db" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: straits run under valgrind exited $status" >&2
  cat "$SCRATCH/err" >&2
  exit 1
fi
grep -q "replications" "$SCRATCH/out" || { echo "FAIL: no summary" >&2; exit 1; }

$VG "$REPLAY" "$CORPUS" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: fuzz corpus replay under valgrind exited $status" >&2
  cat "$SCRATCH/err" >&2
  exit 1
fi
echo ok
