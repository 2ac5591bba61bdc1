# unc_rear.sh - the US reinforcement flow through the UN Command-Rear bases in the
# Korea scenario (issue 18): in every replication US lift delivers materiel to both ROK
# consumers, Japanese transports carry nothing to the ROK, and no more materiel arrives
# than the bases' stocks and replenishment hold (stock 22,000 t + 200 t/d x the 14 d horizon = 24,800 t).
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
"$STRAITS" run -q --no-report -n 100 --db "$SCRATCH/k.db" scenarios/korea-missile.yaml
"$STRAITS" export -f csv --table values "$SCRATCH/k.db" >"$SCRATCH/k.csv"
awk -F, '
  $3 ~ /^delivered_by\.US\.usfk-(busan|osan)\.materiel$/ && $5 + 0 > 0 { us[$1 "," $3] = 1 }
  $3 ~ /^delivered_by\.JP\.usfk-/ && $5 + 0 > 0 { print "FAIL: JP lift to the ROK in replication " $1; exit 1 }
  $3 == "delivered.materiel" { n++; if ($5 + 0 > 24800000 + 1e-6) { print "FAIL: " $5 " kg delivered"; exit 1 } }
  END {
    if (n < 100) { print "FAIL: only " n " delivered.materiel values"; exit 1 }
    k = 0; for (x in us) k++
    if (k != 2 * n) { print "FAIL: US lift reached both ROK consumers in only " k " of " 2 * n; exit 1 }
    print "ok: the UNC-Rear flow is US lift, to both ROK consumers, in every replication"
  }' "$SCRATCH/k.csv"
