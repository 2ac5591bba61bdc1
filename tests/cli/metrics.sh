# metrics.sh - metrics that say what they mean (issue 14): the interval follows the
# metric's declared kind, percentiles are the nearest rank (whole for counts), the
# gravest legal situation counts the Cabinet's recognitions, and a stored plan check
# states the share `straits check` states.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

# A CSV column by header name, for one metric: col FILE MODULE NAME COLUMN.
col() {
  awk -F, -v m="$2" -v n="$3" -v c="$4" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
    $1 == m && $2 == n { print $k; exit }' "$1"
}

# ---- intervals by declared kind (tests/cli/data/kinds.yaml, 200 replications) ----
expect_status 0 "$STRAITS" run -q --no-report --db kinds.db "$SRC/tests/cli/data/kinds.yaml"
expect_status 0 "$STRAITS" export -f csv kinds.db
cp out kinds.csv
# A time that is 0 in every replication: the degenerate t interval [0, 0], not
# Wilson's [0, 0.019] of a proportion 0 of 200.
[ "$(col kinds.csv crisis warning.time ci95_low)" = 0 ] &&
  [ "$(col kinds.csv crisis warning.time ci95_high)" = 0 ] ||
  fail "warning.time: CI [$(col kinds.csv crisis warning.time ci95_low), $(col kinds.csv crisis warning.time ci95_high)], want [0, 0]"
# A proportion 0 of 200 (declared an indicator): Wilson, [0, z^2 / (n + z^2)].
awk -v lo="$(col kinds.csv crisis never.occurred ci95_low)" -v hi="$(col kinds.csv crisis never.occurred ci95_high)" '
  BEGIN { z = 1.959963984540054; want = z * z / (200 + z * z)
          exit !(lo == 0 && hi - want < 1e-12 && want - hi < 1e-12) }' ||
  fail "never.occurred: CI not Wilson's [0, 0.0188]"
# Mean 0.52 of 200: Wilson's interval is not mean -+ t (it is not symmetric).
awk -v m="$(col kinds.csv crisis launch.occurred mean)" -v lo="$(col kinds.csv crisis launch.occurred ci95_low)" \
    -v hi="$(col kinds.csv crisis launch.occurred ci95_high)" '
  BEGIN { z = 1.959963984540054; n = 200; d = 1 + z * z / n; c = (m + z * z / (2 * n)) / d
          h = z * sqrt(m * (1 - m) / n + z * z / (4 * n * n)) / d
          e = lo - (c - h); f = hi - (c + h); exit !(e * e < 1e-24 && f * f < 1e-24) }' ||
  fail "launch.occurred: CI not Wilson's"

# ---- the shipped scenario: one run serves the checks below ----
expect_status 0 "$STRAITS" run -q --no-report --db d.db
expect_status 0 "$STRAITS" export -f csv --table values d.db
cp out values.csv
expect_status 0 "$STRAITS" export -f csv d.db
cp out metrics.csv

# Percentiles by the nearest rank: the k-th smallest value, k = ceil(n p), for a
# count, a time and a quantity, from the values table.
for m in logistics,bottleneck.asset.jmsdf-aoe crisis,blockade.time \
         logistics,delivered_by.JP.kadena-wing.fuel crisis,situation_max; do
  mod=${m%%,*} name=${m#*,}
  awk -F, -v m="$mod" -v n="$name" 'NR > 1 && $2 == m && $3 == n { print $5 }' values.csv |
    sort -g >v.txt
  for p in p5 p50 p95; do
    want=$(awk -v p="${p#p}" '{ v[NR] = $1 } END { k = int(NR * p / 100); if (k < NR * p / 100) k++
                                                  if (k < 1) k = 1; printf "%.17g", v[k] }' v.txt)
    got=$(col metrics.csv "$mod" "$name" "$p")
    awk -v a="$got" -v b="$want" 'BEGIN { exit !(a == b) }' || fail "$mod.$name $p: $got, nearest rank $want"
  done
done
# Every metric whose values are whole numbers has whole percentiles.
awk -F, 'NR > 1 && $5 != int($5) { frac[$2 "," $3] = 1 } NR > 1 { seen[$2 "," $3] = 1 }
         END { for (k in seen) if (!(k in frac)) print k }' values.csv | sort >whole.txt
[ -s whole.txt ] || fail "no whole-valued metric found"
awk -F, 'NR == FNR { w[$0] = 1; next }
         FNR > 1 && ($1 "," $2) in w && $7 > 0 {
           split("p5 p50 p95", q, " ")
           for (i = 13; i <= 15; i++) if ($i != int($i)) print $1 "." $2 " " q[i - 12] ": " $i }' \
  whole.txt metrics.csv >notwhole.txt
[ -s notwhole.txt ] && fail "count percentiles not whole: $(head -3 notwhole.txt)"

# crisis.situation_max: in each replication the gravest situation in force, by the
# table's order -- the crisis's raise (gray zone at the declaration) or the Cabinet's
# recognition (plan.situation.ID.recognised); armed attack where the Cabinet
# recognises it.
awk '/^situations:/ { on = 1; next } on && /^[a-z]/ { on = 0 }
     on && /^  - id:/ { id = $3 } on && /^    order:/ { print id, $2 }' \
  "$SRC/data/authorities.yaml" >order.txt
[ "$(grep -c . order.txt)" -ge 6 ] || fail "cannot read the situations' order"
awk -F, 'NR == FNR { split($0, a, " "); ord[a[1]] = a[2]; next }
  FNR == 1 { next }
  $2 == "plan" && $3 ~ /^situation\..*\.recognised$/ {
    id = $3; sub(/^situation\./, "", id); sub(/\.recognised$/, "", id)
    if (ord[id] > want[$1] || !($1 in want)) want[$1] = ord[id]
    if (id == "armed_attack") aa[$1] = 1 }
  $2 == "crisis" && $3 == "situation_max" { got[$1] = $5 }
  END {
    for (r in got) {
      w = (r in want) ? want[r] : 0
      if (got[r] != w) { printf "replication %s: situation_max %s, recognised %s\n", r, got[r], w; bad++ }
      if (r in aa) { naa++; if (got[r] != ord["armed_attack"]) bad++ }
    }
    if (naa == 0) { print "no replication where the Cabinet recognises armed attack"; bad++ }
    exit bad > 0 }' order.txt values.csv >sit.txt || fail "situation_max: $(head -3 sit.txt)"

# The plan check stored for the report states the shares `straits check` states:
# the same sample size, the same replications (no match is an empty file: the checks
# below say so, rather than set -e ending the script unexplained).
sqlite3 d.db "SELECT body FROM doc WHERE name = 'plan.findings'" >stored.json
expect_status 0 "$STRAITS" check --format json "$SRC/scenarios/taiwan-strait.yaml"
cp out check.json
grep -o '"samples":[0-9]*' stored.json >s1 || true
grep -o '"samples":[0-9]*' check.json >s2 || true
[ -s s1 ] && cmp -s s1 s2 || fail "samples: stored $(cat s1), check $(cat s2)"
grep -o '"probability":[0-9.e-]*' stored.json >p1 || true
grep -o '"probability":[0-9.e-]*' check.json >p2 || true
[ -s p1 ] && cmp -s p1 p2 || fail "shares: stored $(tr '\n' ' ' <p1), check $(tr '\n' ' ' <p2)"
grep -o 'in [0-9.]*% of [0-9]* sampled' stored.json >m1 || true
grep -o 'in [0-9.]*% of [0-9]* sampled' check.json >m2 || true
[ -s m1 ] && cmp -s m1 m2 || fail "messages: stored $(cat m1), check $(cat m2)"
finish
