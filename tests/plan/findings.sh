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
n=0
for input in tests/plan/findings/*.yaml; do
  name=$(basename "$input" .yaml)
  [ "$name" = common ] && continue
  expected=tests/plan/findings/$name.expected
  set +e
  "$STRAITS" check --authorities data/authorities.yaml "$input" >"$SCRATCH/out" 2>&1
  got=$?
  set -e
  grep -E '^[^ ].*: (error|warning): ' "$SCRATCH/out" >"$SCRATCH/found" || true
  if [ -n "${STRAITS_UPDATE_GOLDEN:-}" ]; then cp "$SCRATCH/found" "$expected"; fi
  want=0
  grep -q ': error: ' "$expected" && want=2
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $input: exit status $got, expected $want" >&2
    failures=$((failures + 1))
  fi
  if ! diff -u "$expected" "$SCRATCH/found" >&2; then
    echo "FAIL: $input: findings differ (full output below)" >&2
    cat "$SCRATCH/out" >&2
    failures=$((failures + 1))
  fi
  n=$((n + 1))
done
[ "$n" -ge 10 ] || { echo "FAIL: only $n finding scenarios" >&2; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo "ok: $n finding scenarios"
