# check.sh - the coordination model's own checks in `straits check` (and `straits plan`):
# one small scenario per case (check/NAME.yaml) -- a step needing a situation or a gate
# nothing brings about, a step raised by a task that cannot start, a ring of `after:`,
# and one with nothing to say -- whose diagnostics' first lines must be exactly
# check/NAME.expected.  Regenerate after a deliberate change with
# STRAITS_UPDATE_GOLDEN=1 and review the diff.
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
failures=0
. tests/check_golden.sh
check_golden tests/ops/coordination/check
n=$checked
[ "$n" -ge 5 ] || { echo "FAIL: only $n scenarios" >&2; failures=$((failures + 1)); }
# `straits plan` runs the same checks before it places the tasks.
"$STRAITS" plan --samples 10 --authorities data/authorities.yaml \
  tests/ops/coordination/check/situation_never.yaml >/dev/null 2>"$SCRATCH/plan.err" || true
grep -q "situation_never.yaml:11:27: warning: decision step 'consent' needs the situation" "$SCRATCH/plan.err" ||
  { echo "FAIL: straits plan does not warn: $(cat "$SCRATCH/plan.err")" >&2; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo "ok: $n scenarios"
