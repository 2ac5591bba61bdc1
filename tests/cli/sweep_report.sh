# sweep_report.sh - `straits report` on a sweep store (issue 19 item 5): a section
# lists every point with its overrides, headline metrics (mean, 95% CI) and
# objectives' verdicts, and charts each headline metric across the points; in
# headless Chromium (when installed) the table has one row per point and every view
# renders.
. "$(dirname "$0")/lib.sh"
D="$SRC/tests/cli/data"
expect_status 0 "$STRAITS" sweep -q -j 1 --db "$SCRATCH/sw.db" "$D/sweep_points.yaml"
if "$STRAITS" run -q -n 1 --db "$SCRATCH/probe.db" "$D/small.yaml" 2>&1 | grep -q "built without Vega"; then
  echo "straits built without Vega: skipped"
  exit 77
fi
expect_status 0 "$STRAITS" report "$SCRATCH/sw.db" -o "$SCRATCH/sw.html"
sqlite3 "$SCRATCH/sw.db" "SELECT body FROM doc WHERE name = 'report.section.sweep-points'" \
  >"$SCRATCH/section.json"
for p in 0.02 0.1 0.3; do
  grep -q "\"overrides\":\"crisis.events.rare.p=$p\"" "$SCRATCH/section.json" || fail "no point p=$p"
done
[ "$(grep -o '"point":[0-9]' "$SCRATCH/section.json" | sort -u | wc -l)" -eq 3 ] || fail "not 3 points"
# Each point's own objectives: 'rare-seldom' (at most 0.05) is met only at p = 0.02.
verdicts=$(grep -o '"id":"rare-seldom"[^}]*"verdict":"[a-z ]*"' "$SCRATCH/section.json" |
  sed 's/.*"verdict":"\([a-z ]*\)"/\1/' | tr '\n' '/')
[ "$verdicts" = "met/not met/not met/" ] || fail "rare-seldom verdicts across points: $verdicts"
# Means with their CI as the points' runs summarise them (p = 0.3: 0.285 of 400).
grep -q '"metric":"crisis.rare.occurred","unit":"1","n":400,"mean":0.285,' "$SCRATCH/section.json" ||
  fail "the last point's mean"
grep -q 'report.section.sweep-points\|Sweep: rare odds, every point' "$SCRATCH/sw.html" ||
  fail "the report lacks the sweep section"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$SCRATCH/profile" --virtual-time-budget=30000 \
    --enable-logging=stderr --v=0 --dump-dom "file://$SCRATCH/sw.html" \
    >"$SCRATCH/dom.html" 2>"$SCRATCH/console.log" || fail "chromium failed"
  grep -q '<p id="straits-status"[^>]*data-status="ok"' "$SCRATCH/dom.html" ||
    fail "the report did not render: $(grep -o '<p id="straits-status"[^>]*>[^<]*' "$SCRATCH/dom.html")"
  [ "$(grep -o '<tr class="sweep-point"' "$SCRATCH/dom.html" | wc -l)" -eq 3 ] ||
    fail "the sweep table does not have 3 rows"
  grep -q '<td class="verdict-met">met (0.0' "$SCRATCH/dom.html" || fail "no verdict cell"
  grep -E 'CONSOLE.*(Uncaught|Error)' "$SCRATCH/console.log" && fail "console errors"
fi
finish
