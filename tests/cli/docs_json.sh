# docs_json.sh - the run's own documents (src/mc: scenario, theater, crisis.tree,
# objectives, the spillover sections, the story) and the command line's JSON
# (sensitivity --json, version --json, sar -o) are JSON that a strict parser reads
# back as written (issue 23): a name with quotes, backslashes, '</script>' and a
# control byte, a scenario path that is not UTF-8 (its bytes as U+FFFD), a value
# that is not a number (null, never NaN), coordinates to 6 decimals.
. "$(dirname "$0")/lib.sh"
NAME='a "quoted" \\ name </script><!-- x'
mkdir -p "$SCRATCH/s"
S="$SCRATCH/s/$(printf 'bad\377name').yaml" # a file name that is not UTF-8
cat >"$S" <<YAML
scenario: {name: '$NAME', description: "tab\there", epoch: 2027-04-01T00:00Z,
           horizon: 10d, seed: 18446744073709551615, notional: true}
theater:
  places:
    - {id: port, name: '$NAME', kind: port, lat: 26.2124, lon: 127.5, nation: JP,
       source: "line\nbreak"}
    - {id: field, kind: airfield, lat: 24.4669, lon: 122.9778, nation: JP}
  regions:
    - {id: isles, name: '$NAME', kind: territory,
       polygon: [[24.0, 122.5], [24.0, 123.5], [25.0, 123.5], [25.0, 122.5]]}
  routes:
    - {id: lane, name: '$NAME', kind: sea, waypoints: [port, [25.5, 125.0], field]}
forces:
  - {id: cutter, name: '$NAME', nation: JP, kind: patrol_vessel, base: port, count: 1,
     speed: 20kn, endurance: 5d}
crisis:
  events:
    - {id: start, name: '$NAME', at: 0h}
    - {id: strike, after: start, delay: {dist: uniform, min: 1d, max: 5d}, p: 0.5,
       raises: [{signal: region_active, region: isles, for: 2d}]}
objectives:
  - {id: mostly, name: '$NAME', metric: crisis.strike.occurred, at_most: 0.8}
  - {id: soon, metric: crisis.strike.time, at_most: 4d, statistic: p90}
YAML
expect_status 0 "$STRAITS" run -q --no-report -n 40 --db "$SCRATCH/r.db" "$S"
expect_status 0 "$STRAITS" trace "$SCRATCH/r.db" -r 1 -o "$SCRATCH/story.html"
expect_status 0 "$STRAITS" sensitivity -n 4 --sobol 2 --db "$SCRATCH/r.db" \
  --json "$SCRATCH/sens.json" "$S"
expect_status 0 "$STRAITS" version --json
cp "$SCRATCH/out" "$SCRATCH/version.json"
for n in scenario theater crisis.tree objectives report.section.spillover-1-curves \
         report.section.spillover-2-paths report.section.spillover-3-missions \
         report.section.spillover-4-tornado report.section.spillover-5-sobol \
         report.section.story; do
  sqlite3 "$SCRATCH/r.db" "SELECT body FROM doc WHERE run = 1 AND name = '$n'" >"$SCRATCH/$n.json"
done
NAME="$NAME" python3 - "$SCRATCH" <<'PY' || fail "the documents (above)"
import json, os, sys
d = sys.argv[1]
name = os.environ["NAME"]  # the YAML's '' keeps it as the shell wrote it
def no_nan(x):  # Python's json accepts NaN and Infinity: JSON has neither
    raise ValueError("not JSON: " + x)
def load(f):
    with open(os.path.join(d, f), "rb") as fh:
        text = fh.read()
    assert text.strip(), f + " is empty"
    return json.loads(text.decode("utf-8"), parse_constant=no_nan)
docs = {f: load(f + ".json") for f in
        ["scenario", "theater", "crisis.tree", "objectives", "report.section.spillover-1-curves",
         "report.section.spillover-2-paths", "report.section.spillover-3-missions",
         "report.section.spillover-4-tornado", "report.section.spillover-5-sobol",
         "report.section.story", "sens", "version"]}
sc = docs["scenario"]
assert sc["name"] == name, sc["name"]
assert sc["description"] == "tab\there", sc["description"]
assert sc["seed"] == "18446744073709551615", sc["seed"]  # a string: no double holds it
assert "bad\ufffdname.yaml" in sc["path"], sc["path"]
assert sc["horizon_s"] == 864000 and isinstance(sc["horizon_s"], int), sc["horizon_s"]
th = docs["theater"]
assert list(th) == ["type", "bbox", "features"], list(th)
f = {x["id"]: x for x in th["features"]}
port = f["port"]
assert list(port) == ["type", "id", "properties", "geometry"], list(port)
assert list(port["properties"]) == ["layer", "id", "name", "kind", "nation", "source",
                                    "forces"], list(port["properties"])
assert port["properties"]["name"] == name and port["properties"]["source"] == "line\nbreak"
assert port["properties"]["forces"] == ["cutter"]
assert f["field"]["properties"]["name"] == "field"  # no name: its id
assert "forces" not in f["field"]["properties"]
assert port["geometry"] == {"type": "Point", "coordinates": [127.5, 26.2124]}, port["geometry"]
ring = f["isles"]["geometry"]["coordinates"][0]
assert ring[0] == ring[-1] and len(ring) == 5, ring
area = sum((b[0] - a[0]) * (b[1] + a[1]) for a, b in zip(ring, ring[1:]))
assert area < 0, "the ring is not counterclockwise (RFC 7946)"
assert f["lane"]["geometry"]["type"] == "LineString"
ev = {e["id"]: e for e in docs["crisis.tree"]["events"]}
assert ev["start"]["name"] == name and ev["start"]["parent"] is None
assert ev["strike"]["parent"] == "start" and ev["strike"]["after"] == "start"
ob = {o["id"]: o for o in docs["objectives"]["objectives"]}
assert ob["mostly"]["name"] == name
assert ob["soon"]["probability"] is None  # a p90 has no probability: null, not NaN
assert docs["objectives"]["replications"] == 40
for k in ["report.section.spillover-1-curves", "report.section.spillover-2-paths",
          "report.section.spillover-3-missions", "report.section.spillover-4-tornado",
          "report.section.spillover-5-sobol", "report.section.story"]:
    x = docs[k]
    assert isinstance(x["title"], str) and isinstance(x["order"], int), k
    assert isinstance(x["vega"]["marks"], list), k
paths = docs["report.section.spillover-2-paths"]["vega"]
sig = paths["signals"][0]
assert sig["value"] == "any" and sig["bind"]["options"] == ["any", "isles"], sig
assert sig["bind"]["labels"][1] == "isles"
story = docs["report.section.story"]["vega"]
assert story["scales"][0]["domain"] == [0, 10], story["scales"][0]
rows = story["scales"][1]["domain"]
assert rows and all(isinstance(r, str) for r in rows), rows
assert story["height"] == 18 * len(rows) + 10, story["height"]
sens = docs["sens"]
assert list(sens) == ["metric", "replications", "delta", "base", "tornado", "sobol"], list(sens)
assert sens["sobol"]["evaluations"] == sens["sobol"]["base_samples"] * (len(sens["tornado"]) + 2)
v = docs["version"]
assert v["name"] == "straits" and "sha256" in v["data"]["authorities"]
# No marker of a chart's template is left anywhere (jdoc.h, jdoc_template).
for k, x in docs.items():
    assert '"@' not in json.dumps(x), k + ": a template marker left in"
PY
# Every theater coordinate has at most 6 decimals, the bbox at most 4.
grep -Eq '[0-9]\.[0-9]{7,}' "$SCRATCH/theater.json" && fail "theater: a coordinate with more than 6 decimals"

# sar -o: three FeatureCollections a strict parser reads, a feature per line.
expect_status 0 "$STRAITS" sar -o "$SCRATCH/sar" "$SRC/scenarios/sar/aircrew-okinawa.yaml"
python3 - "$SCRATCH/sar" <<'PY' || fail "sar -o GeoJSON (above)"
import json, sys
def no_nan(x):
    raise ValueError("not JSON: " + x)
for f, layer in [("probability", "probability"), ("search_areas", "search_area"),
                 ("particles", "particle")]:
    g = json.load(open(sys.argv[1] + "/" + f + ".geojson"), parse_constant=no_nan)
    assert g["type"] == "FeatureCollection" and g["features"], f
    assert g["features"][0]["properties"]["layer"] == layer, f
    assert list(g["features"][0]) == ["type", "properties", "geometry"], f
areas = json.load(open(sys.argv[1] + "/search_areas.geojson"))["features"]
assert [a["properties"]["layer"] for a in areas[:2]] == ["search_area", "track"]
assert len(areas[1]["properties"]["csp"]) == 2
PY
finish
