# screenshot.sh - the preview and a report as a person sees them (#20): each page is
# rendered by headless Chromium and its screenshot compared with a committed
# reference image (tests/report/reference/) by a perceptual measure — pixelmatch's
# YIQ colour distance, anti-aliased edges discounted (tests/report/imgdiff.js) — not
# byte for byte: the test fails when more than LIMIT of the pixels differ.  A page
# that differs on purpose (a new chart, another layout) gets new references:
#
#   UPDATE=1 ctest -R browser_screenshot   (then look at them, and commit them)
#
# The same measure is shown to fail on two different pages (the Korea preview
# against the Taiwan reference), so a broken comparison cannot pass silently.  The
# diffs are kept as artifacts ($ARTIFACTS/screenshot-*.png).  Without chromium or
# node: skipped (77), except in CI.
. "$SRC/tests/cli/lib.sh"
cd "$SCRATCH"
LIMIT=1.0 # per cent of the pixels; the pages' few varying pixels (times) are ~0.01%
REF="$SRC/tests/report/reference"
skip() { [ -n "${CI:-}" ] && { echo "FAIL: $1 in CI" >&2; exit 1; }; echo "$1: skipped"; exit 77; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is missing"
command -v node >/dev/null 2>&1 || skip "node is missing"
[ -d "$SRC/node_modules/pixelmatch" ] || skip "node_modules/pixelmatch is missing (scripts/install-deps)"
"$STRAITS" run -q -n 1 --db probe.db 2>&1 | grep -q "built without Vega" && skip "straits built without Vega"
rm -f probe.db probe.db-wal probe.db-shm probe.html

# The pages name their scenario by the path given: relative, the same on every machine.
cp -r "$SRC/scenarios" scenarios

shot() { # $1 page, $2 png, $3 height
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$SCRATCH/profile-$2" --virtual-time-budget=30000 \
    --run-all-compositor-stages-before-draw --hide-scrollbars \
    --window-size=1280,"$3" --screenshot="$SCRATCH/$2" "file://$SCRATCH/$1" \
    >/dev/null 2>&1 || fail "chromium could not render $1"
}

# share ACTUAL REFERENCE DIFF: the per cent of pixels that differ (or "size" / "error").
share() {
  set +e
  node "$SRC/tests/report/imgdiff.js" "$1" "$2" "$3" >diff.out 2>diff.err
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then sed -n 's/.*(\([0-9.]*\)%).*/\1/p' diff.out
  else echo error; cat diff.err >&2; fi
}

# compare NAME: the screenshot NAME.png against its reference.
compare() {
  if [ -n "${UPDATE:-}" ]; then
    mkdir -p "$REF" && cp "$1.png" "$REF/$1.png" && echo "updated $REF/$1.png"
    return
  fi
  [ -f "$REF/$1.png" ] || { fail "no reference image $REF/$1.png (UPDATE=1 makes one)"; return; }
  got=$(share "$1.png" "$REF/$1.png" "${ARTIFACTS:-.}/screenshot-$1-diff.png")
  cp "$1.png" "${ARTIFACTS:-.}/screenshot-$1.png" 2>/dev/null || true
  case "$got" in
  error|'') fail "$1: the screenshot cannot be compared with its reference" ;;
  *) awk -v g="$got" -v l="$LIMIT" 'BEGIN { exit !(g <= l) }' ||
       fail "$1: $got% of the pixels differ from the reference (limit $LIMIT%)"
     echo "$1: $got% of the pixels differ" ;;
  esac
}

# 1. The preview of the shipped scenario (nothing random in it), down to the plan
#    check (the provenance below says when it was drawn).
expect_status 0 "$STRAITS" show scenarios/taiwan-strait.yaml -o show.html
shot show.html show-taiwan-strait.png 2300
compare show-taiwan-strait

# 2. A report of a short run: the summary cards, the map, the first charts.
expect_status 0 "$STRAITS" run -q -n 20 --seed 7 --db senkaku.db scenarios/senkaku-spillover.yaml
expect_status 0 "$STRAITS" report senkaku.db -o senkaku.html
shot senkaku.html report-senkaku-spillover.png 2000
compare report-senkaku-spillover

# 3. The measure sees a different page: the Korea preview against the Taiwan one.
if [ -z "${UPDATE:-}" ] && [ -f "$REF/show-taiwan-strait.png" ]; then
  expect_status 0 "$STRAITS" show scenarios/korea-missile.yaml -o korea.html
  shot korea.html show-korea.png 2300
  got=$(share show-korea.png "$REF/show-taiwan-strait.png" korea-diff.png)
  case "$got" in
  error|'') fail "the Korea preview cannot be compared" ;;
  *) awk -v g="$got" -v l="$LIMIT" 'BEGIN { exit !(g > 5 * l) }' ||
       fail "the Korea preview differs from the Taiwan reference by only $got%"
     echo "the Korea preview differs from the Taiwan reference by $got%" ;;
  esac
fi
finish
