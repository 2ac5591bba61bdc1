# plan_cli.sh - `straits check` and `straits plan` on the shipped scenario and on the
# finding scenarios: JSON findings, the synchronization matrix, the authorities option,
# and a run's identity including the table.
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_status() { # WANT CMD...: stdout to $SCRATCH/out, stderr to $SCRATCH/err
  want=$1; shift
  set +e
  "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
  got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want: $(head -c 600 "$SCRATCH/err")"
}
json_ok() { # FILE: valid JSON, where python3 can tell
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" || fail "$1: not valid JSON"
  fi
}
T=data/authorities.yaml
F=tests/plan/findings

# The shipped scenario checks with exactly the one warning it explains.
expect_status 0 "$STRAITS" check scenarios/taiwan-strait.yaml
[ "$(grep -c ': warning: ' "$SCRATCH/err")" -eq 1 ] || fail "shipped: not exactly one warning"
grep -q ": warning: JP task 'refuel-csg' can become due where 'supply' is not authorised: .*\[unauthorised\]$" \
  "$SCRATCH/err" || fail "shipped: the intended warning"
grep -q ': error: ' "$SCRATCH/err" && fail "shipped: an error"
grep -q "^scenarios/taiwan-strait.yaml: ok: .* 13 tasks$" "$SCRATCH/out" || fail "shipped: ok line"

# --format json: the same findings, for tools, as one compact JSON document and a
# newline; nothing on stderr.
expect_status 2 "$STRAITS" check --format json --authorities "$T" "$F/double_booked.yaml"
json_ok "$SCRATCH/out"
[ -s "$SCRATCH/err" ] && fail "json: something on stderr"
grep -q '"kind":"double-booked","severity":"error","file":"tests/plan/findings/double_booked.yaml","line":7,"col":7' \
  "$SCRATCH/out" || fail "json: the double-booked finding"
grep -q '"task":"refuel-b","other_task":"refuel-a","asset":"aoe"' "$SCRATCH/out" || fail "json: its tasks"
grep -q '"errors":1,' "$SCRATCH/out" || fail "json: error count"
expect_status 0 "$STRAITS" check --format json --samples 200 --authorities "$T" "$F/unauthorised.yaml"
json_ok "$SCRATCH/out"
grep -q '"probability":1,' "$SCRATCH/out" || fail "json: probability"
# A scenario that does not load: its problems as findings of kind "input".
expect_status 2 "$STRAITS" check --format json tests/scenario/bad/unknown_unit.yaml
json_ok "$SCRATCH/out"
grep -q '"kind":"input","severity":"error","file":"tests/scenario/bad/unknown_unit.yaml","line":2,"col":56' \
  "$SCRATCH/out" || fail "json: input errors"
expect_status 2 "$STRAITS" check --format yaml scenarios/taiwan-strait.yaml
expect_status 2 "$STRAITS" check --samples -1 scenarios/taiwan-strait.yaml

# Without samples only the findings that need none.
expect_status 2 "$STRAITS" check --samples 0 --authorities "$T" "$F/cycle.yaml"
grep -q '\[cycle\]$' "$SCRATCH/err" || fail "samples 0: the cycle"
expect_status 0 "$STRAITS" check --samples 0 --authorities "$T" "$F/double_booked.yaml"

# The table: a missing one is an error; its problems are located in it.
expect_status 2 "$STRAITS" check --authorities "$SCRATCH/none.yaml" scenarios/taiwan-strait.yaml
grep -q "none.yaml: error: cannot open the authorities table" "$SCRATCH/err" || fail "missing table"
sed 's/^  - id: important_influence-supply$/  - id: important_influence-suply/' "$T" >"$SCRATCH/edited.yaml"
expect_status 2 "$STRAITS" check --authorities "$SCRATCH/edited.yaml" scenarios/taiwan-strait.yaml
grep -q "edited.yaml:[0-9]*:9: error: rule id 'important_influence-suply' should be 'important_influence-supply'" \
  "$SCRATCH/err" || fail "a located table error"

# The complete example of docs/plan.md checks clean.
awk '/^```yaml$/ { n++; if (n == 1) { on = 1; next } } on && /^```$/ { exit } on { print }' \
  docs/plan.md >"$SCRATCH/example.yaml"
expect_status 0 "$STRAITS" check "$SCRATCH/example.yaml"
grep -q ': \(warning\|error\): ' "$SCRATCH/err" && fail "docs/plan.md example: $(cat "$SCRATCH/err")"
grep -q 'ok: 2 places, 0 regions, 0 routes, 2 forces, 2 events; 1 situation changes, 2 gate entries, 2 phases, 2 tasks$' \
  "$SCRATCH/out" || fail "docs/plan.md example: ok line"

# The synchronization matrix.
expect_status 0 "$STRAITS" plan --sync --samples 200 scenarios/taiwan-strait.yaml
json_ok "$SCRATCH/out"
for key in '"phases":[' '"lines":[' '"tasks":[' '"cells":[' '"id":"JP/supply"' \
           '"id":"refuel-csg"' '"phase":"respond"' '"time_unit":"s"'; do
  grep -qF "$key" "$SCRATCH/out" || fail "sync: no $key"
done
# -o writes the same matrix (same samples, same seed) to the file, and nothing to stdout.
cp "$SCRATCH/out" "$SCRATCH/sync_stdout.json"
expect_status 0 "$STRAITS" plan --sync --samples 200 -o "$SCRATCH/sync.json" scenarios/taiwan-strait.yaml
cmp -s "$SCRATCH/sync.json" "$SCRATCH/sync_stdout.json" || fail "sync: -o differs from stdout"
[ -s "$SCRATCH/out" ] && fail "sync: -o also wrote to stdout"
expect_status 0 "$STRAITS" plan --samples 200 scenarios/taiwan-strait.yaml
grep -q '^  refuel-csg  *respond ' "$SCRATCH/out" || fail "plan table"
expect_status 2 "$STRAITS" plan --sync tests/scenario/data/good.yaml

# A run records the table's hash: --resume with another table starts a new run.
norep=""
"$STRAITS" help run | grep -q -- --no-report && norep=--no-report
expect_status 0 "$STRAITS" run -q $norep -n 20 --db "$SCRATCH/a.db" "$F/unauthorised.yaml"
cp "$T" "$SCRATCH/copy.yaml"
echo "# edited" >>"$SCRATCH/copy.yaml"
expect_status 0 "$STRAITS" run $norep -n 40 --resume --authorities "$SCRATCH/copy.yaml" \
  --db "$SCRATCH/a.db" "$F/unauthorised.yaml"
grep -q 'as run 2' "$SCRATCH/out" || fail "resume: another table must start a new run"
expect_status 0 "$STRAITS" run $norep --all -n 40 --resume --db "$SCRATCH/a.db" "$F/unauthorised.yaml"
grep -q 'as run 1' "$SCRATCH/out" || fail "resume: the same table resumes run 1"
grep -q '^plan\.task\.resupply\.ran  *%  *100 ' "$SCRATCH/out" || fail "run: plan metrics in the summary"
grep -q '^plan\.task\.resupply\.delay_authority  *h  *24\.0 ' "$SCRATCH/out" || fail "run: delay by authority"

[ "$failures" -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo ok
