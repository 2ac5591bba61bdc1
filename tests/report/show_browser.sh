# show_browser.sh - `straits show` (#20 item 5): a located error exits 2 as `check`
# does; the preview of the shipped scenario opens in headless Chromium with no
# console errors, its theater map and crisis event tree drawn, and the plan's tasks.
. "$SRC/tests/cli/lib.sh"
cd "$SCRATCH"
S="$SRC/scenarios/taiwan-strait.yaml"
printf 'scenario:\n  name: x\n  horizon: 3 dayz\n' >bad.yaml
expect_status 2 "$STRAITS" show bad.yaml -o bad.html
grep -q '^bad.yaml:[0-9]*:[0-9]*: error' err || fail "the error is not located: $(head -2 err)"
[ -e bad.html ] && fail "a page was written for a bad scenario"
expect_status 2 "$STRAITS" show "$S"
if ! "$STRAITS" show "$S" -o show.html >out 2>err; then
  grep -q "built without Vega" err && { [ -z "${CI:-}" ] && { echo "no Vega: skipped"; exit 77; }; }
  fail "show failed: $(head -3 err)"
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  [ -n "${CI:-}" ] && { echo "FAIL: chromium is missing in CI" >&2; exit 1; }
  echo "chromium not installed: skipped"
  exit 77
fi
timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$SCRATCH/profile" --virtual-time-budget=20000 --enable-logging=stderr --v=0 \
  --dump-dom "file://$SCRATCH/show.html" >dom.html 2>console.log || fail "chromium failed"
grep -q 'data-status="ok"' dom.html || fail "the preview did not render: $(grep -o 'id="straits-status"[^<]*' dom.html)"
grep -E 'CONSOLE.*(Uncaught|Error)' console.log && fail "console errors"
grep -q '<div class="view map theater"' dom.html || fail "no theater map"
land=$(grep -o '<div class="view map theater"[^>]*' dom.html | sed -n 's/.*data-labels="\([0-9]*\)".*/\1/p')
[ "${land:-0}" -ge 5 ] || fail "only ${land:-0} place names on the map"
nodes=$(grep -o '<div class="view tree"[^>]*' dom.html | sed -n 's/.*data-nodes="\([0-9]*\)".*/\1/p')
events=$(grep -c '^  - id:' "$S" || true)
[ "${nodes:-0}" -ge 10 ] || fail "the event tree has ${nodes:-no} nodes"
grep -q '>Declaration of indep' dom.html || fail "the tree does not name the first event"
grep -Eq '>p [0-9.]+%' dom.html || fail "the tree does not give probabilities"
grep -q 'share [0-9.]*%' dom.html || fail "the tree does not give branch shares"
grep -q '<section id="sync"' dom.html || fail "no plan (synchronization matrix)"
grep -q 'Underway replenishment of the carrier group' dom.html || fail "a plan task is missing"
grep -q '"forces":\["' show.html || fail "the theater does not say which forces are where"
: "$events"
finish
