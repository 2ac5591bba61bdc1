# sar_data_cli.sh - `straits sar --list-objects` prints the whole Leeway table, a case
# can name any class by its stable id (an unknown one is located, with "did you mean"),
# and `--output-times` writes CF-1.8 NetCDF files that ncdump reads (docs/cli.md).
. "$SRC/tests/cli/lib.sh"
C="$SRC/scenarios/sar/aircrew-okinawa.yaml"

expect_status 0 "$STRAITS" sar --list-objects
[ "$(grep -vc '^#' "$SCRATCH/out")" -eq 85 ] || fail "--list-objects: not 85 classes"
# rows as published (Allen & Plourde 1999 via the SAROPS list): slope %, offset, std cm/s
grep -qx 'piw PIW-1 piw 0.96 0 12 0.54 0 9.4 -0.54 0 9.4 Person-in-water (PIW), unknown state (mean values)' \
  "$SCRATCH/out" || fail "--list-objects: PIW-1"
grep -q '^aviation_1 AVIATION-1 raft 3.39 0 2.4 1.49 0 2.4 -1.49 0 2.4 Life-raft, 4-6 person capacity, no ballast' \
  "$SCRATCH/out" || fail "--list-objects: AVIATION-1"
grep -q '^fishing_vessel_2 FISHING-VESSEL-2 vessel 2.67 0 8.3 2.98 0 6.7 -2.98 0 6.7 Fishing vessel, Hawaiian Sampan' \
  "$SCRATCH/out" || fail "--list-objects: FISHING-VESSEL-2"

# a new class by id: the plan runs with its coefficients
sed 's/object: piw /object: aviation_1 /; s/sweep_width: {piw:/sweep_width: {aviation_1: 2nmi, piw:/' \
  "$C" >"$SCRATCH/raft.yaml"
expect_status 0 "$STRAITS" sar "$SCRATCH/raft.yaml"
grep -q "x aviation_1," "$SCRATCH/out" || fail "object: aviation_1 not used"
grep -q "^plan (units planned together): POS " "$SCRATCH/out" || fail "aviation_1: no plan"
# an unknown id: located, with a suggestion, exit 2
sed 's/object: piw /object: aviaton_1 /' "$C" >"$SCRATCH/typo.yaml"
expect_status 2 "$STRAITS" sar "$SCRATCH/typo.yaml"
grep -q "typo.yaml:9:11: error: unknown object class 'aviaton_1' (did you mean 'aviation_1'?)" \
  "$SCRATCH/err" || fail "unknown object: $(cat "$SCRATCH/err")"

# NetCDF: CF attributes as ncdump shows them
expect_status 0 "$STRAITS" sar "$C" -o "$SCRATCH/nc" --output-times 6h,12h,24h
grep -q "^wrote .*trajectories.nc (4000 particles x 3 times)" "$SCRATCH/out" || fail "no trajectories.nc line"
ncdump -h "$SCRATCH/nc/trajectories.nc" >"$SCRATCH/traj.cdl" || fail "ncdump trajectories.nc"
for want in ':Conventions = "CF-1.8"' ':featureType = "trajectory"' 'trajectory = 4000' 'time = 3' \
  'trajectory:cf_role = "trajectory_id"' 'lat:standard_name = "latitude"' \
  'lon:units = "degrees_east"' 'time:units = "seconds since 2027-03-10 06:30:00"' \
  'status:flag_meanings' ':object_type = "PIW-1"' ':history = ' ':source = "straits '; do
  grep -qF "$want" "$SCRATCH/traj.cdl" || fail "trajectories.nc lacks $want"
done
ncdump -v time "$SCRATCH/nc/trajectories.nc" | grep -q 'time = 21600, 43200, 86400 ;' || fail "times"
ncdump -h "$SCRATCH/nc/probability.nc" >"$SCRATCH/grid.cdl" || fail "ncdump probability.nc"
for want in ':Conventions = "CF-1.8"' 'double probability(time, lat, lon)' \
  'lat:standard_name = "latitude"' 'lon:standard_name = "longitude"' 'lat:bounds = "lat_bnds"' \
  'probability_density:units = "km-2"'; do
  grep -qF "$want" "$SCRATCH/grid.cdl" || fail "probability.nc lacks $want"
done
# wrong uses: exit 2, said once
expect_status 2 "$STRAITS" sar "$C" --output-times 6h
grep -q "give -o" "$SCRATCH/err" || fail "--output-times without -o"
expect_status 2 "$STRAITS" sar "$C" -o "$SCRATCH/nc" --output-times 6h,3h
expect_status 2 "$STRAITS" sar "$C" -o "$SCRATCH/nc" --output-times 6
# sensors: a bad one, an altitude outside the table, an altitude a vessel has not, a unit
# with neither sweep_width nor sensor -- all located, in one pass, exit 2
cat >"$SCRATCH/sensor.yaml" <<'YAML'
case: {reported: 2027-03-10T06:30Z, object: piw, at: [26.9, 126.6]}
search: {weather: stormy}
units:
  - {id: a, base: [26.2, 127.6], speed: 120kn, endurance: 4h, sensor: helicoptr, altitude: 300m}
  - {id: b, base: [26.2, 127.6], speed: 120kn, endurance: 4h, sensor: helicopter, altitude: 2000m}
  - {id: c, base: [26.2, 127.6], speed: 15kn, endurance: 2d, sensor: vessel, altitude: 20m}
  - {id: d, base: [26.2, 127.6], speed: 15kn, endurance: 2d}
YAML
expect_status 2 "$STRAITS" sar "$SCRATCH/sensor.yaml"
for want in "sensor.yaml:2:19: error: unknown weather 'stormy'" \
  "sensor.yaml:4:71: error: unknown sensor 'helicoptr' (did you mean 'helicopter'?)" \
  "sensor.yaml:5:93: error: 'altitude' of sensor 'helicopter' must lie within the table's 150m to 600m, got '2000m'" \
  "sensor.yaml:6:88: error: sensor 'vessel' has one altitude in the table: give no 'altitude'" \
  "sensor.yaml:7:5: error: unit 'd' needs 'sweep_width' (per object class) or 'sensor'"; do
  grep -qF "$want" "$SCRATCH/err" || fail "sensor errors: no '$want' in $(cat "$SCRATCH/err")"
done
finish
