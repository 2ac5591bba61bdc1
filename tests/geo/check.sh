# check.sh - `straits check` on the geography of tests/geo/check/NAME.yaml: the
# diagnostics' first lines (location, severity, message) must be exactly
# check/NAME.expected, and the exit status 2 when one is an error, 0 otherwise.  Run
# from the source tree so the printed paths are relative.  Skipped (77) without an
# installed GSHHG coastline.  Regenerate after a deliberate change with
# STRAITS_UPDATE_GOLDEN=1 and review the diff.
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
dir=${STRAITS_GSHHG_DIR:-/usr/share/gmt-gshhg}
[ -r "$dir/binned_GSHHS_i.nc" ] || { echo "no GSHHG coastline in $dir: skipped"; exit 77; }
failures=0
. tests/check_golden.sh
check_golden tests/geo/check --samples 0
n=$checked
[ "$n" -ge 3 ] || { echo "FAIL: only $n scenarios" >&2; failures=$((failures + 1)); }
# The Sea of Japan's consumers are supplied, by sea: a voyage from Yokosuka takes some
# 60 h (about 940 nmi at 20 kn, plus loading and unloading), not the 30 h of the line
# over Honshu.
"$STRAITS" run --all -n 20 --no-report --db "$SCRATCH/soj.db" tests/geo/check/sea_of_japan.yaml \
  >"$SCRATCH/run" 2>&1 || { cat "$SCRATCH/run" >&2; failures=$((failures + 1)); }
awk '$1 == "logistics.fill_rate.sea-of-japan-group.fuel" { ok = $2 > 0.9 } END { exit !ok }' \
  "$SCRATCH/run" || { echo "FAIL: the group off Izumo is not supplied" >&2; cat "$SCRATCH/run" >&2; failures=$((failures + 1)); }
awk '$1 == "logistics.delivery_time.mean" && $2 == "h" { ok = $3 > 50 && $3 < 70 } END { exit !ok }' \
  "$SCRATCH/run" || { echo "FAIL: delivery time is not the sea passage's" >&2; cat "$SCRATCH/run" >&2; failures=$((failures + 1)); }
# The map's lanes are the sailed paths (issue 15): in the GeoJSON export each
# logistics-flow feature keeps mode sea and runs south of Kyushu (below 31.5N; the
# straight line from Yokosuka never leaves 35-36N).
"$STRAITS" export -f geojson "$SCRATCH/soj.db" >"$SCRATCH/soj.geojson" || failures=$((failures + 1))
grep -o '"layer":"logistics-flow"[^}]*}},"geometry":{"type":"LineString","coordinates":\[[^}]*' \
  "$SCRATCH/soj.geojson" >"$SCRATCH/lanes" || true
lanes=$(grep -c '"mode":"sea"' "$SCRATCH/lanes" || true)
south=$(sed 's/.*"coordinates":\[//' "$SCRATCH/lanes" | awk -F'[][,]+' '{ m = 90; k = 0
  for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9.]+$/ && ++k % 2 == 0 && $i + 0 < m) m = $i + 0
  if (m < 31.5) n++ } END { print n + 0 }')
if [ "$lanes" -ne 2 ] || [ "$south" -ne 2 ]; then
  echo "FAIL: the export's sea lanes are not the sailed paths ($lanes sea lanes, $south south of Kyushu)" >&2
  cat "$SCRATCH/lanes" >&2
  failures=$((failures + 1))
fi
# The inspection model's diversion legs as sailed (issue 15): Tosa Bay to Kure is
# drawn round Cape Ashizuri (below 32.8N) and in by the Bungo Channel (west of
# 132.2E), not over Shikoku (the straight line stays within 33.2-34.24N,
# 132.555-133.6E); its value is the ships that arrived there.
rm -f "$SCRATCH/dl.db"*
"$STRAITS" run -q --no-report -n 2 --db "$SCRATCH/dl.db" tests/ops/inspection/data/divert_land.yaml \
  >"$SCRATCH/dl" 2>&1 || { cat "$SCRATCH/dl" >&2; failures=$((failures + 1)); }
"$STRAITS" export -f geojson --layer inspection-diversions "$SCRATCH/dl.db" >"$SCRATCH/dl.geojson" ||
  failures=$((failures + 1))
sed 's/.*"coordinates":\[//' "$SCRATCH/dl.geojson" | awk -F'[][,]+' '
  { for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9.]+$/) {
    if (++k % 2) { if ($i + 0 < lon) lon = $i + 0 } else if ($i + 0 < lat) lat = $i + 0 } }
  BEGIN { lon = lat = 999 } END { exit !(k > 4 && lon < 132.2 && lat < 32.8) }' || {
  echo "FAIL: the diversion leg to Kure is not drawn round by sea" >&2
  cat "$SCRATCH/dl.geojson" >&2
  failures=$((failures + 1))
}
grep -q '"layer":"inspection-diversion","id":"divert-kure","name":"kure","value":[1-9]' \
  "$SCRATCH/dl.geojson" || { echo "FAIL: the diversion leg has no arrivals" >&2; failures=$((failures + 1)); }
# A patrol vessel's SAR sortie from Kure to Tosa Bay sails by the Bungo Channel: its
# time on scene is shorter than with the straight leg over Shikoku by twice the extra
# way (at least 2 x 100 km at 25 kn, 4.3 h; by hand some 2 x 190 km).
for c in none i; do
  rm -f "$SCRATCH/st.db"*
  "$STRAITS" run --all -n 4 --no-report --db "$SCRATCH/st.db" --set theater.coastline=$c \
    tests/geo/sar_transit.yaml >"$SCRATCH/sar_$c" 2>&1 || failures=$((failures + 1))
done
e_none=$(awk '$1 == "sar.effort" { print $3 }' "$SCRATCH/sar_none")
e_sea=$(awk '$1 == "sar.effort" { print $3 }' "$SCRATCH/sar_i")
awk -v a="$e_none" -v b="$e_sea" 'BEGIN { exit !(a > 0 && b > 0 && a - b > 4.3) }' || {
  echo "FAIL: SAR vessel's time on scene $e_sea h by sea against $e_none h straight" >&2
  failures=$((failures + 1))
}
[ "$failures" -eq 0 ] || { echo "$failures failed" >&2; exit 1; }
echo "ok: $n geography scenarios"
