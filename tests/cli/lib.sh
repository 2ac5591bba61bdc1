# lib.sh - helpers for the command-line tests (sourced).
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_status WANT CMD...: run CMD, compare its exit status.
expect_status() {
  want=$1; shift
  set +e
  "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
  got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want: $(head -c 400 "$SCRATCH/err")"
}

# The summary without its header lines (wall time, run id differ between runs).
summary_table() { sed -n '/^metric /,$p' "$1"; }

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures failed" >&2
    exit 1
  fi
  echo "ok"
}
