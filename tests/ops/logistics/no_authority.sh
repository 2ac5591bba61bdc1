# no_authority.sh - no Japanese support without an authority: in the shipped scenario
# with every Cabinet recognition switched off, JP transports deliver nothing to any
# consumer in any replication (every delivered_by.JP.* value is 0), while US lift still
# delivers; with the recognitions on, JP lift does deliver (so the check can fail).
set -eu
: "${STRAITS:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH"
cd "$SRC"
off="--set situations.changes.recognise-iis.p=0 --set situations.changes.recognise-st.p=0"
off="$off --set situations.changes.recognise-aa.p=0"
# shellcheck disable=SC2086
"$STRAITS" run -q --no-report -n 200 --db "$SCRATCH/off.db" $off scenarios/taiwan-strait.yaml
"$STRAITS" run -q --no-report -n 200 --db "$SCRATCH/on.db" scenarios/taiwan-strait.yaml
for db in off on; do
  "$STRAITS" export -f csv --table values "$SCRATCH/$db.db" >"$SCRATCH/$db.csv"
done
# name, count of rows, count of rows > 0, over replications
count() { awk -F, -v pat="$2" '$3 ~ pat { n++; if ($5 + 0 > 0) pos++ } END { print n + 0, pos + 0 }' "$1"; }
set -- $(count "$SCRATCH/off.csv" '^delivered_by\.JP\.')
[ "$1" -ge 200 ] || { echo "FAIL: only $1 delivered_by.JP values without authority" >&2; exit 1; }
[ "$2" -eq 0 ] || { echo "FAIL: JP lift delivered in $2 of $1 (replication, metric) values with no situation recognised" >&2; exit 1; }
set -- $(count "$SCRATCH/off.csv" '^delivered_by\.US\.')
[ "$2" -gt 0 ] || { echo "FAIL: US lift delivered nothing either" >&2; exit 1; }
set -- $(count "$SCRATCH/on.csv" '^delivered_by\.JP\.')
[ "$2" -gt 0 ] || { echo "FAIL: JP lift never delivered with the recognitions on" >&2; exit 1; }
echo "ok: no JP delivery without an authority"
