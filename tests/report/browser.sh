# browser.sh - the report in headless Chromium, from disk: no console errors, every
# Vega view rendered (non-empty SVG), and a screenshot kept as an artifact
# ($ARTIFACTS/report-screenshot.png).  Without chromium: skipped (77), but in CI
# (CI set) a failure, since scripts/install-deps installs it there.
. "$SRC/tests/cli/lib.sh"
cd "$SCRATCH"
# A straits built without node_modules/vega writes no reports: skip, except in CI.
if "$STRAITS" report --help >/dev/null 2>&1 &&
   "$STRAITS" run -q -n 1 --db probe.db 2>&1 | grep -q "built without Vega"; then
  [ -n "${CI:-}" ] && { echo "FAIL: straits built without Vega in CI" >&2; exit 1; }
  echo "straits built without Vega: skipped"
  exit 77
fi
rm -f probe.db probe.db-wal probe.db-shm report.html
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  [ -n "${CI:-}" ] && { echo "FAIL: chromium is missing in CI" >&2; exit 1; }
  echo "chromium not installed: skipped"
  exit 77
fi
browse() { # $1: profile name, then chromium's own arguments
  prof="$SCRATCH/profile-$1"; shift
  rm -rf "$prof"
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-first-run --user-data-dir="$prof" --virtual-time-budget=30000 \
    --run-all-compositor-stages-before-draw --hide-scrollbars "$@"
}

# A run with every kind of section: the plan's synchronization matrix (plain times
# for one task, distributions as src/plan writes them for the other) and findings, a
# map layer, a module's own section, a comparison.  Rows put in by hand carry no
# checksum: the store reads them as written before documents had one (unverified,
# store_doc.c), which is all this test needs; tests/cli/store_damage.sh checks both.
S="$SRC/scenarios/taiwan-strait.yaml"
sed 's/^      p: 0.9$/      p: 0.99/' "$S" >likely.yaml
expect_status 0 "$STRAITS" compare -q -n 60 --db s.db --no-report "$S" likely.yaml
sqlite3 s.db "INSERT INTO doc(run, name, body) VALUES
 (1, 'plan.sync', '{\"phases\":[{\"id\":\"p0\",\"name\":\"Deter\",\"start_s\":0,\"end_s\":259200},
   {\"id\":\"p1\",\"name\":\"Respond\",\"began\":{\"p5\":200000,\"p50\":259200,\"p95\":400000}}],
   \"tasks\":[{\"id\":\"t1\",\"name\":\"Resupply Naha\",\"line\":\"logistics\",\"phase\":\"p1\",
   \"start_s\":300000,\"end_s\":900000},{\"id\":\"t2\",\"name\":\"Search east of Taiwan\",
   \"line\":\"sar\",\"phase\":\"p1\",\"ran_share\":0.3,
   \"start\":{\"p5\":300000,\"p50\":400000,\"p95\":500000},
   \"end\":{\"p5\":500000,\"p50\":600000,\"p95\":900000}},
   {\"id\":\"t3\",\"name\":\"Hold Yonaguni\",\"line\":\"logistics\",\"phase\":\"p1\",
   \"start_s\":2000000,\"end_s\":3200000}]}'),
 (1, 'plan.findings', '{\"findings\":[{\"severity\":\"warning\",\"code\":\"P001\",
   \"message\":\"task t1 starts before its authority holds\",\"file\":\"plan.yaml\",\"line\":3,\"col\":5}]}'),
 (1, 'map.layer.sar', '{\"title\":\"SAR: first case of replication 47, probability of containment before its first search\",\"features\":[
   {\"type\":\"Feature\",\"properties\":{\"value\":0.6},\"geometry\":{\"type\":\"Polygon\",
    \"coordinates\":[[[126,24],[126.5,24],[126.5,24.5],[126,24.5],[126,24]]]}},
   {\"type\":\"Feature\",\"properties\":{\"value\":0.2},\"geometry\":{\"type\":\"Polygon\",
    \"coordinates\":[[[126.5,24],[127,24],[127,24.5],[126.5,24.5],[126.5,24]]]}},
   {\"type\":\"Feature\",\"properties\":{\"name\":\"search area A\"},\"geometry\":{\"type\":\"Polygon\",
    \"coordinates\":[[[125.8,23.8],[127.2,23.8],[127.2,24.7],[125.8,24.7],[125.8,23.8]]]}}]}'),
 (1, 'report.section.demo', '{\"title\":\"A module section\",\"text\":\"Added by a module.\",
   \"vega\":{\"width\":200,\"height\":100,\"data\":[{\"name\":\"t\",\"values\":[{\"x\":1},{\"x\":2}]}],
   \"scales\":[{\"name\":\"x\",\"domain\":{\"data\":\"t\",\"field\":\"x\"},\"range\":\"width\"}],
   \"marks\":[{\"type\":\"symbol\",\"from\":{\"data\":\"t\"},
   \"encode\":{\"update\":{\"x\":{\"scale\":\"x\",\"field\":\"x\"},\"y\":{\"value\":50}}}}]}}')" ||
  fail "cannot add documents"
# A SAR case's layers as cli_layers.c writes them (properties.layer names the kind):
# the map section zooms in on them.
sqlite3 s.db "INSERT OR REPLACE INTO doc(run, name, body) VALUES
 (1, 'map.layer.sar-probability', '{\"title\":\"SAR: first case\",\"features\":[
   {\"type\":\"Feature\",\"properties\":{\"layer\":\"sar-probability\",\"value\":0.7},
    \"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[123.0,24.9],[123.02,24.9],[123.02,24.92],[123.0,24.92],[123.0,24.9]]]}},
   {\"type\":\"Feature\",\"properties\":{\"layer\":\"sar-probability\",\"value\":0.3},
    \"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[123.02,24.9],[123.04,24.9],[123.04,24.92],[123.02,24.92],[123.02,24.9]]]}}]}'),
 (1, 'map.layer.sar-searches', '{\"title\":\"SAR: searches\",\"features\":[
   {\"type\":\"Feature\",\"properties\":{\"layer\":\"sar-search\",\"name\":\"helo #1\",\"stroke\":\"#1f78b4\"},
    \"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[122.99,24.89],[123.03,24.89],[123.03,24.93],[122.99,24.93],[122.99,24.89]]]}}]}')" ||
  fail "cannot add the SAR layers"
expect_status 0 "$STRAITS" report --run 1 s.db -o report.html
url="file://$SCRATCH/report.html"

# One page load serves every check: the filter comes with the address
# (report.html#filter=...), and the state before any filtering is the file's own.
browse dom --enable-logging=stderr --v=0 --dump-dom "$url#filter=fill_rate;selftest" >dom.html 2>console.log ||
  fail "chromium failed: $(tail -3 console.log)"
status=$(grep -o '<p id="straits-status"[^>]*>[^<]*' dom.html || true)
echo "$status"
case "$status" in
*'data-status="ok"'*) ;;
*) fail "the report did not render: ${status:-no status}" ;;
esac
views=$(echo "$status" | sed -n 's/.*data-views="\([0-9]*\)".*/\1/p')
# map, probabilities, 1 series, histograms, sync, comparison chart, module section
[ "${views:-0}" -ge 8 ] || fail "only ${views:-0} views"
for id in map probabilities series histograms sync findings compare module-section-0; do
  grep -q "<section id=\"$id\"" dom.html || fail "no section '$id'"
done
grep -q 'task t1 starts before its authority holds' dom.html || fail "findings not shown"
grep -E 'CONSOLE.*(Uncaught|Error)' console.log && fail "console errors"

# The brief: headline numbers as cards, and points the page adds (the plan check's
# findings, the comparison).
grep -q '<section id="brief"' dom.html || fail "no brief"
[ "$(grep -c '<div class="card">' dom.html)" -ge 2 ] || fail "fewer than 2 headline cards"
grep -q '<li>The plan check found 1 warning.' dom.html || fail "brief lacks the findings"
grep -q '<li>likely.yaml against ' dom.html || fail "brief lacks the comparison"
# The summary: headline rows in their own table, every other metric in a collapsed
# group per model; the page's navigation links every section.
sed -n '/<table class="summary headline">/,/<\/table>/p' dom.html >headline.html
grep -q '<span class="id">spillover.occurred</span>' headline.html ||
  fail "spillover.occurred is not a headline row"
grep -q 'crisis.blockade.time' headline.html && fail "a non-headline metric among the headline rows"
groups=$(grep -c '<details class="group" data-module=' dom.html)
[ "$groups" -ge 4 ] || fail "only $groups metric groups"
grep -q '<details class="group" data-module="[^"]*" open' report.html && fail "a group is open by default"
grep -q '<span class="id">crisis.blockade.time</span>' dom.html || fail "a grouped metric is missing"
grep -q '<span class="id">spillover.sequence</span>' report.html && fail "an internal metric is shown"
# compare judges the objectives as run does, so the report opens with them.
grep -q '<nav id="straits-nav"><a href="#objectives">Objectives</a><a href="#brief">' dom.html ||
  fail "no navigation"
# The comparison table: the real differences first, in units, with a verdict.
grep -q '<td class="num">differs</td>' dom.html || fail "no 'differs' verdict shown"
# A SAR case covers a few pixels of the theater: the map section adds a zoomed view
# of the case (a view of its own, so rendered and checked non-empty above) and
# outlines it on the theater.
grep -q 'Search and rescue: the first case, zoomed' dom.html || fail "no zoomed SAR case map"
grep -q 'SAR case (zoomed below)' dom.html || fail "the theater does not outline the SAR case"
# The theater's legend titles are wrapped, not cut ("SAR datums: P(persons mis..."),
# and the zoomed case has a key of which search is whose (and labels on them).
perl -0ne 'while (/role-legend-title".*?<\/g>/gs) { print "$&\n" if $& =~ /\x{2026}|\xe2\x80\xa6/ }' \
  dom.html | grep -q . && fail "a legend title is cut off"
grep -q '>searches flown, by unit<' dom.html || fail "the zoomed SAR case has no key of the units"
grep -q '>helo #1<' dom.html || fail "the zoomed SAR case does not label its searches"

# The theater map (report.js writes what it measured on its view's element): land
# filled from GSHHG polygons, legends beside the map and not on it, place labels
# placed, a wheel turn zooming in and a double-click resetting; the spec has fixed
# colours by kind, a scale bar and edge labels.
theater=$(grep -o '<div class="view map theater"[^>]*>' dom.html || true)
[ -n "$theater" ] || fail "no theater map view"
if grep -q '"coast":{"type":"FeatureCollection","bbox":' report.html; then
  land=$(echo "$theater" | sed -n 's/.*data-land="\([0-9]*\)".*/\1/p')
  [ "${land:-0}" -ge 10 ] || fail "the map has ${land:-no} land polygons"
  grep -q '"level":1' report.html || fail "the coastline has no GSHHG levels"
fi
echo "$theater" | grep -q 'data-legends="outside"' || fail "a legend lies over the map: $theater"
labels=$(echo "$theater" | sed -n 's/.*data-labels="\([0-9]*\)".*/\1/p')
[ "${labels:-0}" -ge 5 ] || fail "only ${labels:-0} place names on the map"
echo "$theater" | grep -Eq 'data-zoom-wheel="(1\.[0-9]*[1-9][0-9]*|[2-9][0-9.]*)"' ||
  fail "a wheel turn does not zoom the map: $theater"
echo "$theater" | grep -q 'data-zoom-reset="1"' || fail "a double-click does not reset the map"
grep -q "wheel: zoom" dom.html || fail "the map does not say how to zoom"
grep -Eq '>[0-9,]+ km<' dom.html && grep -Eq '>[0-9,]+ NM<' dom.html || fail "no scale bar"
grep -Eq '>[0-9.]+°N<' dom.html && grep -Eq '>[0-9.]+°E<' dom.html ||
  fail "the graticule has no latitude/longitude labels"
grep -q "REGION_KINDS = \['combat_area', 'territory', 'inspection_zone'" report.html ||
  fail "region colours are not fixed by kind"

# Spillover (the run's own sections, written by cmd_spillover.c): the missions
# with and without it as the summary shows numbers (units, percentages, differences
# in percentage points), the significant headline rows open and the rest collapsed;
# the paths to each territory behind a selector.
section_of() { # $1: a section's title; its HTML (the DOM is mostly one line)
  perl -0ne 'print $1 if /(<section[^>]*><h2>\Q'"$1"'\E<\/h2>.*?<\/section>)/s' dom.html
}
section_of 'Effect of spillover on the missions' >split.html
grep -q '<table class="summary split">' split.html || fail "no table of the missions by spillover"
grep -q 'headline metrics of the missions differ with spillover' split.html ||
  fail "the missions table has no sentence saying what it shows"
grep -q "[0-9]$(printf '\342\200\211')pp</td>" split.html || fail "no difference in percentage points"
grep -Eq '\(\)|\+-|[0-9]e[+-][0-9]' split.html && fail "raw numbers in the missions table"
grep -q '<details class="group split">' split.html || fail "the other missions metrics are not collapsed"
grep -q '<details class="group split" open' report.html && fail "a missions group is open by default"
section_of 'Paths to spillover' >paths.html
options=$(grep -o '<option' paths.html | wc -l)
[ "$options" -ge 2 ] || fail "the paths have no selector of territories ($options options)"

# The filter (fill_rate, from the address): non-matching rows and groups hidden,
# the matching group opened, a count shown.
grep -q '<details class="group" data-module="logistics" open=""' dom.html ||
  fail "the filter did not open the logistics group"
grep -q '<details class="group" data-module="crisis" hidden=""' dom.html ||
  fail "the filter did not hide the crisis group"
grep -q '<tr hidden=""><td class="metric"><span class="id">crisis.blockade.time' dom.html ||
  fail "the filter did not hide a row that does not match"
grep -q '<span id="filter-count">[0-9]* of [0-9]* metrics</span>' dom.html ||
  fail "the filter does not count what it shows"

# Charts (#20 item 2): time axes end at the horizon (30 days), the Gantt too though
# task t3 asks to run past it; flat series and single-value histograms are listed
# in one collapsed note per section, not drawn; a mean outside its 5-95% band says
# why (a heavy tail) on the chart.
ends=$(grep -o 'data-x-end="[^"]*"' dom.html | sort -u | tr '\n' ' ')
[ "$ends" = 'data-x-end="30" ' ] || fail "time axes do not end at the 30-day horizon: $ends"
grep -q '<div class="view sync"[^>]* data-x-end="30"' dom.html || fail "the Gantt does not end at the horizon"
grep -q '>Hold Yonaguni<' dom.html || fail "a task running past the horizon is not drawn"
for sec in series histograms; do
  section_of "$([ $sec = series ] && echo 'Over time' || echo Distributions)" >$sec.html
  notes=$(grep -o '<details class="group constant"' $sec.html | wc -l)
  [ "$notes" -eq 1 ] || fail "section $sec has $notes constant-metrics notes, not 1"
  grep -Eq '<span class="group-title">[0-9]+ constant metrics?</span>' $sec.html ||
    fail "section $sec does not count its constant metrics"
done
# logistics.binding.endurance is 0 throughout in this scenario: listed, not drawn.
grep -q '<li data-metric="logistics.binding.endurance">' series.html ||
  fail "a constant series is not listed"
grep -q 'class="view [a-z]*" data-metric="logistics.binding.endurance"' dom.html &&
  fail "a constant series is drawn"
# No drawn series or histogram is flat (report.js leaves them in the note).
perl -ne 'while (/<li data-metric="([^"]+)"/g) { print "$1\n" }' series.html histograms.html |
  while read -r m; do
    if grep -q "class=\"view [a-z]*\" data-metric=\"$m\"" dom.html; then echo "$m"; fi
  done >drawn-flat.txt
[ -s drawn-flat.txt ] && fail "constant metrics drawn: $(head -3 drawn-flat.txt)"
# crisis.sites_closed: at most a few replications have a site closed at a time, so
# its mean leaves the band; the chart says so in its own text.
tail_=$(grep -o 'data-metric="crisis.sites_closed" data-heavy-tail="[^"]*"' dom.html || true)
echo "$tail_" | grep -q 'heavy tail.*% of replications lie above the 95th percentile; the max is' ||
  fail "the heavy tail of crisis.sites_closed is not explained: ${tail_:-no attribute}"
grep -q '>Mean outside the band at [0-9]* of 121 times: a heavy tail' dom.html ||
  fail "the heavy tail is not said on the chart"

browse shot --window-size=1280,4200 --screenshot="$ARTIFACTS/report-screenshot.png" \
  "$url" >/dev/null 2>&1 || fail "no screenshot"
size=$(wc -c <"$ARTIFACTS/report-screenshot.png" 2>/dev/null || echo 0)
[ "$size" -gt 50000 ] || fail "screenshot is $size bytes: blank?"
echo "screenshot: $ARTIFACTS/report-screenshot.png"

# A scenario without places or regions has no map: its report renders without one
# (it failed with "mapView: TypeError" before).  Its name holds "</script>": every '<'
# of the page's JSON is escaped, so the name cannot end the data element.
sed 's|^scenario: {name: objectives,|scenario: {name: "</script><b>x",|' \
  "$SRC/tests/cli/data/objectives.yaml" >noplace.yaml
grep -q 'name: "</script>' noplace.yaml || fail "the test scenario's name did not change"
expect_status 0 "$STRAITS" run -q -n 5 --db noplace.db noplace.yaml
browse noplace --enable-logging=stderr --v=0 --dump-dom "file://$SCRATCH/noplace.html#selftest" \
  >noplace.dom 2>noplace.log || fail "chromium failed on the report without places"
grep -q '<p id="straits-status" data-status="ok"' noplace.dom ||
  fail "a report without places: $(grep -o '<p id="straits-status"[^>]*>[^<]*' noplace.dom)"
grep -q '<section id="map"' noplace.dom && fail "a map section without places"
grep -q '&lt;/script&gt;&lt;b&gt;x' noplace.dom || fail "the name is not shown as text"
finish
