# sar_cli.sh - `straits sar CASE.yaml`: the plan is printed and reproducible, the
# GeoJSON files are valid and consistent with it, --set and --seed apply, the units
# planned together do at least as well as one after another, and a bad case file is
# reported at file:line:col, all at once, with exit status 2.
. "$SRC/tests/cli/lib.sh"
C="$SRC/scenarios/sar/aircrew-okinawa.yaml"

expect_status 0 "$STRAITS" sar "$C" -o "$SCRATCH/geo"
cp "$SCRATCH/out" "$SCRATCH/first"
grep -q "^plan (units planned together): POS " "$SCRATCH/first" || fail "no plan line"
for f in probability search_areas particles; do
  python3 -m json.tool "$SCRATCH/geo/$f.geojson" >/dev/null 2>&1 || fail "$f.geojson is not JSON"
done
# one search_area and one track per sortie; the probabilities sum to 1
n_rows=$(grep -c '^[12] ' "$SCRATCH/first")
python3 - "$SCRATCH/geo" "$n_rows" <<'PY' || fail "GeoJSON does not match the plan"
import json, sys
d, rows = sys.argv[1], int(sys.argv[2])
areas = json.load(open(d + "/search_areas.geojson"))["features"]
assert sum(f["properties"]["layer"] == "search_area" for f in areas) == rows, rows
assert sum(f["properties"]["layer"] == "track" for f in areas) == rows
p = sum(f["properties"]["p"] for f in json.load(open(d + "/probability.geojson"))["features"])
assert abs(p - 1) < 1e-4, p
assert len(json.load(open(d + "/particles.geojson"))["features"]) == 4000
PY
# the same plan again (deterministic); another seed, another plan
expect_status 0 "$STRAITS" sar "$C"
diff "$SCRATCH/out" "$SCRATCH/first" | grep -v "^[<>] wrote\|^[0-9]" | grep -q . && fail "not reproducible"
expect_status 0 "$STRAITS" sar "$C" --seed 7
cmp -s "$SCRATCH/out" "$SCRATCH/first" && fail "--seed changed nothing"
# --set: one sortie per unit, four units
expect_status 0 "$STRAITS" sar "$C" --set case.sorties=1
[ "$(grep -c '^1 ' "$SCRATCH/out")" -eq 4 ] && ! grep -q '^2 ' "$SCRATCH/out" || fail "--set case.sorties=1"
# Planned together, the four units do better than one after another on average over
# seeds (not necessarily in every draw: with the case's own seed 0.517 against 0.504,
# where on the mean sphere the two tied, 0.515 and 0.516).
joint=0 seq=0
for seed in 1 2 3 4 5; do
  expect_status 0 "$STRAITS" sar "$C" --set case.sorties=1 --seed $seed
  joint="$joint + $(sed -n 's/^plan (units planned together): POS \([0-9.]*\).*/\1/p' "$SCRATCH/out")"
  expect_status 0 "$STRAITS" sar "$C" --set case.sorties=1 --sequential --seed $seed
  seq="$seq + $(sed -n 's/^plan (units one after another): POS \([0-9.]*\).*/\1/p' "$SCRATCH/out")"
done
awk "BEGIN { exit !(($joint) > ($seq)) }" || fail "joint POS $joint not above sequential $seq"
# Nested passes (three per unit) follow the optimal density better than the joint
# plan's single rectangles: 0.562 against 0.520 on average over the same seeds.
lay=0
for seed in 1 2 3 4 5; do
  expect_status 0 "$STRAITS" sar "$C" --set case.sorties=1 --seed $seed --set units.0.layers=3 \
    --set units.1.layers=3 --set units.2.layers=3
  lay="$lay + $(sed -n 's/^plan (units planned together): POS \([0-9.]*\).*/\1/p' "$SCRATCH/out")"
  [ "$(grep -c 'pass [123] of 3$' "$SCRATCH/out")" -eq 12 ] || fail "three passes for each of four units"
done
awk "BEGIN { exit !(($lay) > ($joint)) }" || fail "layered POS $lay not above joint $joint"
# each period: its POS, the optimum's for the same effort, their ratio
grep -q '^period 1 at .* h: POS .*, optimal allocation of the same effort .* (ratio 0\.[0-9]*); cumulative POS' "$SCRATCH/out" ||
  fail "no period line"
# a case file with several mistakes: all reported, located, exit 2
cat >"$SCRATCH/bad.yaml" <<'YAML'
case:
  reported: 2027-13-10T06:30Z
  object: piw
  at: [26.9, 126.6]
  track: [[26.9, 126.6], [27.0, 126.8]]
search:
  cell: 10m
  colour: red
units:
  - {id: helo, base: [26.2, 127.7], speed: 120kn, endurance: 4h, sweep_width: {piw: 0.3nmi}}
  - {id: helo2, base: [95, 127.7], speed: 0kn, endurance: 4h, sweep_width: {piw: 0.3nmi}}
  - {id: helo, base: [26.2, 127.7], speed: 120kn, endurance: 4h, sweep_width: {piw: 0.3nmi}}
YAML
expect_status 2 "$STRAITS" sar "$SCRATCH/bad.yaml"
for want in "bad.yaml:2:13: error: 'reported' should be a UTC time" \
            "bad.yaml:2:3: error: 'case' needs exactly one of 'at'" \
            "bad.yaml:7:9: error: 'cell' must be at least 100m" \
            "bad.yaml:8:3: error: unknown key 'colour' in search" \
            "bad.yaml:11:24: error: 'lat' must be in [-90, 90], got '95'" \
            "bad.yaml:11:43: error: unit 'helo2' needs a speed greater than 0" \
            "bad.yaml:12:10: error: duplicate unit id 'helo'" \
            "7 errors generated"; do
  grep -qF "$want" "$SCRATCH/err" || fail "missing diagnostic: $want"
done
# A run of the shipped scenario records the first case of its median replication for
# the theater map: the probability grid (valued cells) and the searches (outlined).
expect_status 0 "$STRAITS" run -q -n 100 --db "$SCRATCH/run.db" "$SRC/scenarios/taiwan-strait.yaml"
for d in sar-probability sar-searches; do
  sqlite3 "$SCRATCH/run.db" "SELECT body FROM doc WHERE name = 'map.layer.$d'" >"$SCRATCH/$d.json"
  python3 - "$SCRATCH/$d.json" "$d" <<'PY' || fail "map.layer.$d missing or malformed"
import json, sys
doc = json.load(open(sys.argv[1]))
assert "replication" in doc["title"], doc["title"]
feats = doc["features"]
layer = {"sar-probability": "sar-probability", "sar-searches": "sar-search"}[sys.argv[2]]
assert feats and all(f["properties"]["layer"] == layer for f in feats)
if sys.argv[2] == "sar-probability":
    total = sum(f["properties"]["value"] for f in feats)
    assert abs(total - 1) < 1e-6, total
else:
    assert all(isinstance(f["properties"]["stroke"], str) for f in feats)
PY
done
expect_status 2 "$STRAITS" sar "$SCRATCH/missing.yaml"
expect_status 2 "$STRAITS" sar
finish
