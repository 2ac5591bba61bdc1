# findings.sh - one small scenario per kind of plan finding (findings/NAME.yaml): the
# findings `straits check` prints (their first lines: location, severity, message, kind)
# must be exactly findings/NAME.expected, and the exit status 2 when one is an error,
# 0 otherwise.  Run from the source tree so the printed paths are relative.
# Regenerate after a deliberate change with STRAITS_UPDATE_GOLDEN=1 and review the diff.
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
failures=0
. tests/check_golden.sh
check_golden tests/plan/findings
n=$checked
[ "$n" -ge 10 ] || { echo "FAIL: only $n finding scenarios" >&2; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo "ok: $n finding scenarios"
