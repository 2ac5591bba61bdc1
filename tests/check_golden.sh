# check_golden.sh - sourced by the golden tests of `straits check` (tests/plan/findings.sh,
# tests/geo/check.sh).  check_golden DIR [CHECK-OPTION...] runs `straits check` on every
# DIR/NAME.yaml but common.yaml (which the others include): the diagnostics' first lines
# (location, severity, message) must be exactly DIR/NAME.expected, and the exit status 2
# when one is an error, 0 otherwise.  Sets $checked (scenarios) and adds to $failures.
# Run from the source tree so the printed paths are relative; regenerate after a
# deliberate change with STRAITS_UPDATE_GOLDEN=1 and review the diff.
check_golden() {
  dir=$1
  shift
  checked=0
  for input in "$dir"/*.yaml; do
    name=$(basename "$input" .yaml)
    [ "$name" = common ] && continue
    expected=$dir/$name.expected
    set +e
    "$STRAITS" check "$@" --authorities data/authorities.yaml "$input" >"$SCRATCH/out" 2>&1
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
      echo "FAIL: $input: diagnostics differ (full output below)" >&2
      cat "$SCRATCH/out" >&2
      failures=$((failures + 1))
    fi
    checked=$((checked + 1))
  done
}
