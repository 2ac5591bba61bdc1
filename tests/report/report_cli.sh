# report_cli.sh - `straits run` writes the theater and a report; `report`, `export` and
# `compare` work from the store alone.
. "$SRC/tests/cli/lib.sh"
cd "$SCRATCH"
# A straits built without node_modules/vega writes no reports: skip, except in CI.
if "$STRAITS" report --help >/dev/null 2>&1 &&
   "$STRAITS" run -q -n 1 --db probe.db 2>&1 | grep -q "built without Vega"; then
  [ -n "${CI:-}" ] && { echo "FAIL: straits built without Vega in CI" >&2; exit 1; }
  echo "straits built without Vega: skipped"
  exit 77
fi
rm -f probe.db probe.db-wal probe.db-shm probe.html
S="$SRC/scenarios/taiwan-strait.yaml"
node_ok() { command -v node >/dev/null 2>&1; }

# run writes the report beside the store, named after it (a/s.db: a/s.html), so that
# two studies in one folder keep theirs; --no-report writes none.
mkdir -p a b
expect_status 0 "$STRAITS" run -n 60 -j 2 --db a/s.db "$S"
[ -s a/s.html ] || fail "run wrote no a/s.html"
grep -q "^report: a/s.html$" "$SCRATCH/out" || fail "run did not say where the report is"
expect_status 0 "$STRAITS" run -q -n 10 --db a/t.db "$S"
[ -s a/t.html ] && [ -s a/s.html ] || fail "a second store in the folder took the first one's report"
expect_status 0 "$STRAITS" run -q -n 10 --no-report --db b/s.db "$S"
[ -e b/s.html ] && fail "--no-report wrote a report"
# The summary fits a screen: the headline metrics only (--all lists every one), no
# scientific notation, and the plan check's findings counted.
expect_status 0 "$STRAITS" run -n 60 --no-report --db b/u.db "$S"
[ "$(wc -l <"$SCRATCH/out")" -le 60 ] || fail "the summary has $(wc -l <"$SCRATCH/out") lines (more than 60)"
grep -Eq '[0-9]e[-+][0-9]' "$SCRATCH/out" && fail "scientific notation in the summary"
grep -q '^plan check: 0 errors, 1 warning ' "$SCRATCH/out" || fail "summary: no plan check line"
grep -q '^crisis.blockade.time ' "$SCRATCH/out" && fail "summary: a non-headline metric without --all"
expect_status 0 "$STRAITS" run -n 60 --no-report --all --db b/u.db "$S"
grep -q '^crisis.blockade.time  *h ' "$SCRATCH/out" || fail "summary --all: no event time"

# report: self-contained (Vega inlined, no URL loaded), data and theater embedded.
expect_status 0 "$STRAITS" report a/s.db -o r.html
grep -q "vega" r.html || fail "no Vega in the report"
grep -Eq '<script[^>]* src=|<link[^>]* href=' r.html && fail "the report loads a file"
grep -q '"layer":"region"' r.html || fail "no regions in the report"
grep -q '"layer":"coastline"' r.html || echo "note: no coastline (gmt-gshhg-low missing?)"
grep -q "Provenance" r.html || fail "no provenance"
# The study hash (SHA-256, 64 hex digits) the store keeps as the run's identity.
h=$(sqlite3 a/s.db 'SELECT scenario_hash FROM run WHERE id = 1')
echo "$h" | grep -Eq '^[0-9a-f]{64}$' || fail "stored study hash '$h' is not a SHA-256"
grep -q "study hash (SHA-256" r.html || fail "no study hash in the provenance"
grep -q "<td class=\"mono\">$h</td>" r.html || fail "provenance does not show the stored hash $h"
expect_status 2 "$STRAITS" report does-not-exist.db
expect_status 2 "$STRAITS" report --run 99 a/s.db -o x.html

# export: JSON parses, CSV has a row per metric, GeoJSON is [lon, lat].
expect_status 0 "$STRAITS" export a/s.db --format json -o e.json
expect_status 0 "$STRAITS" export a/s.db --format csv -o e.csv
expect_status 0 "$STRAITS" export a/s.db --format csv --table series -o s.csv
expect_status 0 "$STRAITS" export a/s.db --format geojson -o e.geojson
# The run stored the map layers (documents map.layer.*, spliced into the GeoJSON
# export and embedded in the report), each with at least one feature.
grep -q '"layer":"logistics-flow".*"value":[0-9]' e.geojson || fail "no logistics-flows layer features"
grep -q '"layer":"sar-datum".*"value":[0-9]' e.geojson || fail "no sar-datums layer features"
grep -q '"title":"logistics lanes: ' a/s.html || fail "report lacks the logistics layer"
grep -q 'SAR datums: P(persons missing)' a/s.html || fail "report lacks the SAR layer"
head -1 e.csv | grep -q '^module,name,unit,headline,series,direction,n,mean,sd,ci95_low,ci95_high' ||
  fail "csv header"
grep -q '^crisis,blockade.occurred,1,1,0,0,60,' e.csv || fail "csv has no blockade row"
# Which way is good comes from the metric's definition (stored with it).
grep -q '^spillover,occurred,1,1,0,-1,60,' e.csv || fail "spillover.occurred is not lower-better"
grep -q '^logistics,delivered\.[a-z]*,[a-z0-9]*,0,0,1,60,' e.csv || fail "deliveries are not higher-better"
grep -q '^crisis,sites_closed,1,0,0' s.csv || fail "series csv"
expect_status 2 "$STRAITS" export a/s.db --format xml
expect_status 2 "$STRAITS" export a/s.db
if node_ok; then
  node -e '
    const fs = require("fs");
    const j = JSON.parse(fs.readFileSync("e.json"));
    if (j.run.replications !== 60 || !j.metrics.length || !j.bands.length) process.exit(1);
    const g = JSON.parse(fs.readFileSync("e.geojson"));
    if (g.type !== "FeatureCollection") process.exit(2);
    const naha = g.features.find(f => f.id === "naha");
    const [lon, lat] = naha.geometry.coordinates;
    if (Math.abs(lon - 127.6792) > 1e-4 || Math.abs(lat - 26.2124) > 1e-4) process.exit(3);
    for (const f of g.features.filter(f => f.geometry.type === "Polygon")) {
      const r = f.geometry.coordinates[0];       /* RFC 7946: closed, counterclockwise */
      if (JSON.stringify(r[0]) !== JSON.stringify(r[r.length - 1])) process.exit(4);
      let a = 0;
      for (let i = 0; i + 1 < r.length; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
      if (!(a > 0)) process.exit(5);
    }
  ' || fail "exports do not hold what they should (node exit $?)"
fi

# The report's spillover paths: one view with a selector of territories, each of
# which shows its own paths and how often it was reached -- as `straits spillover
# --region` counts it.
if node_ok && [ -f "$SRC/node_modules/vega/build/vega.js" ]; then
  sqlite3 a/s.db "SELECT body FROM doc WHERE name = 'report.section.spillover-2-paths'" >paths.json
  VEGA="$SRC/node_modules/vega" node -e '
    const vega = require(process.env.VEGA);
    const doc = JSON.parse(require("fs").readFileSync("paths.json", "utf8"));
    (async () => {
      const view = new vega.View(vega.parse(doc.vega), {renderer: "none"});
      for (const t of doc.vega.signals[0].bind.options) {
        view.signal("territory", t);
        await view.runAsync();
        const r = view.data("rsel")[0], n = view.data("sel").length;
        if (!r || (r.reached > 0) !== (n > 0) || n > 10) process.exit(1);
        console.log(t + " " + r.reached + " " + n);
      }
    })().catch(() => process.exit(2));
  ' >paths.txt || fail "the report's spillover paths do not follow the selector (node exit $?)"
  [ "$(wc -l <paths.txt)" -ge 2 ] || fail "the paths selector offers fewer than two territories"
  t=$(sed -n 2p paths.txt | cut -d' ' -f1) k=$(sed -n 2p paths.txt | cut -d' ' -f2)
  expect_status 0 "$STRAITS" spillover a/s.db --region "$t"
  grep -q "reached $t: in $k of 60 replications" "$SCRATCH/out" ||
    fail "the report's paths to $t are not those of 'straits spillover --region'"
fi

# compare: a course of action against an identical copy differs nowhere, exactly
# (common random numbers); against one with a likelier PRC response, that event
# "differs" (its good direction is unknown) and the comparison is in the report.
cp "$S" same.yaml
sed 's/^      p: 0.9$/      p: 0.99/' "$S" >likely.yaml
cmp -s "$S" likely.yaml && fail "test scenario edit did not apply"
expect_status 0 "$STRAITS" compare -n 120 -j 2 --db c.db "$S" same.yaml likely.yaml
grep -q "^Courses of action compared with common random numbers" "$SCRATCH/out" ||
  fail "compare printed no header"
sed -n '/^same.yaml/,/^$/p' "$SCRATCH/out" | grep -E '^crisis' >same.txt
[ -s same.txt ] || fail "no rows for same.yaml"
grep -v 'no significant difference$\|never both observed$' same.txt && fail "identical COA differs"
sed -n '/^likely.yaml/,/^$/p' "$SCRATCH/out" | grep -q '^crisis.prc-response.occurred .* differs$' ||
  fail "likelier PRC response not found to differ"
# spillover.occurred is lower-better: more PRC response can make it worse, never
# "differs" (that is for metrics without a good direction).
sed -n '/^likely.yaml/,/^$/p' "$SCRATCH/out" | grep '^spillover.occurred ' |
  grep -Eq ' (worse|no significant difference)$' || fail "spillover.occurred verdict ignores its direction"
[ -s c.html ] || fail "compare wrote no report"
grep -q 'id="doc-compare"' c.html || fail "no comparison in the report"
expect_status 2 "$STRAITS" compare "$S"
expect_status 2 "$STRAITS" compare "$S" does-not-exist.yaml
# export -f geojson --layer: one layer alone, a standalone FeatureCollection (RFC
# 7946: [lon, lat]) of that layer's features only; --layer list names what the run has.
expect_status 0 "$STRAITS" export -f geojson --layer list a/s.db
for l in places regions routes coastline logistics-flows; do
  grep -qx "$l" "$SCRATCH/out" || fail "--layer list does not list '$l': $(cat "$SCRATCH/out")"
done
# layer_ok FILE KIND: a FeatureCollection with features, each a Feature with a geometry
# whose positions are [lon, lat] in range, and (KIND not empty) properties.layer KIND.
layer_ok() {
  if command -v jq >/dev/null 2>&1; then
    jq -e --arg k "$2" '.type == "FeatureCollection" and (.features | length > 0) and
      all(.features[]; .type == "Feature" and (.geometry.type | type == "string") and
        ($k == "" or .properties.layer == $k) and
        all(.geometry.coordinates | .. | arrays | select(length == 2 and (.[0] | type == "number"));
            .[1] >= -90 and .[1] <= 90 and .[0] >= -180 and .[0] <= 360))' "$1" >/dev/null
  else
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); k = sys.argv[2]
assert d["type"] == "FeatureCollection" and d["features"]
def pos(c):
    if len(c) == 2 and all(isinstance(x, (int, float)) for x in c):
        yield c
    else:
        for x in c: yield from pos(x)
for f in d["features"]:
    assert f["type"] == "Feature" and isinstance(f["geometry"]["type"], str)
    assert not k or f["properties"]["layer"] == k
    assert all(-90 <= p[1] <= 90 and -180 <= p[0] <= 360 for p in pos(f["geometry"]["coordinates"]))
PY
  fi
}
for l in places:place regions:region routes:route coastline:coastline logistics-flows:; do
  expect_status 0 "$STRAITS" export -f geojson --layer "${l%%:*}" -o "layer.geojson" a/s.db
  layer_ok layer.geojson "${l#*:}" || fail "--layer ${l%%:*}: not a FeatureCollection of its features"
done
expect_status 0 "$STRAITS" export -f geojson --layer places a/s.db
grep -q '"layer":"region"' "$SCRATCH/out" && fail "--layer places holds regions"
expect_status 2 "$STRAITS" export -f geojson --layer no-such-layer a/s.db
grep -q "no map layer 'no-such-layer'" "$SCRATCH/err" || fail "--layer no-such-layer: $(cat "$SCRATCH/err")"
expect_status 2 "$STRAITS" export -f csv --layer places a/s.db
finish
