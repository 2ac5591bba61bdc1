# civil_protection.sh - the Sakishima civil-protection option (issue 18, civil protection):
# scenarios/taiwan-civil-protection.yaml runs, evacuates residents, and waits for the
# government's order.  In every replication: people are evacuated only where an
# anticipated armed attack (or armed attack) situation was recognised, and half of them
# only after that recognition; the SDF mode carries anyone only where its
# civil_protection task started (its gates: cabinet_response_policy and the governor's
# request).  Some replication evacuates everyone; with both recognitions switched off
# nobody is evacuated; and the default scenario has no evacuation at all (stays as fast).
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
sc=scenarios/taiwan-civil-protection.yaml
"$STRAITS" run -q --no-report -n 100 --db "$SCRATCH/on.db" $sc
"$STRAITS" run -q --no-report -n 50 --db "$SCRATCH/off.db" \
  --set situations.changes.recognise-aaa.p=0 --set situations.changes.recognise-aa.p=0 $sc
"$STRAITS" run -q --no-report -n 5 --db "$SCRATCH/default.db" scenarios/taiwan-strait.yaml
for db in on off default; do
  "$STRAITS" export -f csv --table values "$SCRATCH/$db.db" >"$SCRATCH/$db.csv"
done
awk -F, '
  $2 == "evacuation" && $3 == "evacuated" { ev[$1] = $5; n++ }
  $2 == "evacuation" && $3 == "evacuated.JP.sdf-air" { sdf[$1] = $5 }
  $2 == "evacuation" && $3 == "time_to_50" { t50[$1] = $5 }
  $2 == "plan" && ($3 == "situation.armed_attack_anticipated.recognised" ||
                   $3 == "situation.armed_attack.recognised") {
    if (!($1 in rec) || $5 + 0 < rec[$1]) rec[$1] = $5 + 0 }
  $2 == "plan" && $3 == "task.civil-protection-sakishima.start" { task[$1] = $5 }
  END {
    if (n < 100) { print "FAIL: only " n " evacuated values"; exit 1 }
    for (r in ev) {
      if (ev[r] > 0 && !(r in rec)) { print "FAIL: replication " r " evacuated " ev[r] " with no order"; exit 1 }
      if ((r in t50) && t50[r] + 0 < rec[r]) { print "FAIL: replication " r " half out before the order"; exit 1 }
      if (sdf[r] > 0 && !(r in task)) { print "FAIL: replication " r ": SDF carried people with no task"; exit 1 }
      if (ev[r] == 119700) all++
      if (sdf[r] > 0) bysdf++
    }
    if (!all) { print "FAIL: no replication evacuated all 119,700"; exit 1 }
    if (!bysdf) { print "FAIL: the SDF mode never flew"; exit 1 }
    print "ok: " all " of " n " replications evacuated everyone, only after the order"
  }' "$SCRATCH/on.csv"
awk -F, '$2 == "evacuation" && $3 == "evacuated" && $5 + 0 > 0 { bad++ }
  END { if (bad) { print "FAIL: " bad " replications evacuated with no order"; exit 1 } }' "$SCRATCH/off.csv"
if grep -q ',evacuation,' "$SCRATCH/default.csv"; then
  echo "FAIL: the default scenario has evacuation metrics" >&2
  exit 1
fi
echo "ok: the Sakishima evacuation waits for the government's order"
