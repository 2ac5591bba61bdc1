# trace.sh - `straits trace` (issue 19 item 4): the timeline of a fixed scenario at its
# closed-form times, the re-simulated metrics equal to the stored ones bit for bit,
# --worst picks the argmax (or argmin), --where the first match, and a study that is
# not the run's is refused.
. "$(dirname "$0")/lib.sh"
D="$SRC/tests/cli/data"
expect_status 0 "$STRAITS" run -q --no-report --db "$SCRATCH/f.db" "$D/trace_fixed.yaml"
expect_status 0 "$STRAITS" trace "$SCRATCH/f.db" --where 'crisis.blockade.occurred=1'
cp "$SCRATCH/out" "$SCRATCH/blockade.txt"
# Tension at 1d, recognised 12h later, the response at 3d, Naha closed for 1d.
want() { grep -qF -- "$1" "$SCRATCH/blockade.txt" || fail "no line '$1'"; }
want "2027-04-02T00:00Z  +1d       crisis       event 'tension' occurred"
want "2027-04-02T12:00Z  +1.5d     plan         situation now 'important_influence'"
want "2027-04-04T00:00Z  +3d       crisis       event 'blockade' occurred (a branch)"
want "2027-04-04T00:00Z  +3d       crisis       site 'naha' closed (raised by 'blockade')"
want "2027-04-05T00:00Z  +4d       crisis       site 'naha' reopened"
want "all 12 metrics equal the stored ones bit for bit"
# In time order, one line each.
grep -E '^2027-' "$SCRATCH/blockade.txt" | cut -c1-17 | sort -c || fail "lines out of time order"
# The first replication with a blockade is the first 1 in the stored values.
first=$("$STRAITS" export -f csv --table values "$SCRATCH/f.db" |
  awk -F, '$2 == "crisis" && $3 == "blockade.occurred" && $5 == 1 { print $1; exit }')
grep -q "the first is $first\$" "$SCRATCH/blockade.txt" || fail "--where: not replication $first"
# The quarantine branch: no blockade, Naha stays open.
expect_status 0 "$STRAITS" trace "$SCRATCH/f.db" --where 'crisis.blockade.occurred<1'
grep -q "event 'quarantine' occurred" "$SCRATCH/out" && ! grep -q "naha" "$SCRATCH/out" ||
  fail "the quarantine replication's timeline"
# --worst: a recognition time drawn from a lognormal; neither better nor worse, so the
# largest, as the stored values say.
expect_status 0 "$STRAITS" run -q --no-report --db "$SCRATCH/d.db" "$D/sens_delay.yaml"
expect_status 0 "$STRAITS" trace "$SCRATCH/d.db" --worst plan.situation.important_influence.recognised
argmax=$("$STRAITS" export -f csv --table values "$SCRATCH/d.db" |
  awk -F, '$3 == "situation.important_influence.recognised" && $5 != "" && $5 != "nan" &&
           (best == "" || $5 + 0 > max) { max = $5 + 0; best = $1 } END { print best }')
grep -q "in replication $argmax\$" "$SCRATCH/out" || fail "--worst is not the argmax ($argmax): $(head -1 "$SCRATCH/out")"
grep -q "bit for bit" "$SCRATCH/out" || fail "--worst replication differs from the store"
# A lower-is-better metric: its worst is its largest too; a higher-is-better one (none
# here) would be its smallest (cmd_trace.c worst_of).
# The shipped scenario, every model: its worst fuel fill rate, bit for bit.
expect_status 0 "$STRAITS" run -q --no-report -n 8 --db "$SCRATCH/t.db" "$SRC/scenarios/taiwan-strait.yaml"
expect_status 0 "$STRAITS" trace "$SCRATCH/t.db" --worst logistics.fill_rate.csg-east.fuel
grep -q "bit for bit" "$SCRATCH/out" || fail "taiwan-strait: $(tail -2 "$SCRATCH/err")"
# Its voyages: each delivery is a line, and the fuel they carry adds up to the fuel the
# replication stored as delivered.
rep=$(sed -n 's/^worst .* in replication \([0-9]*\)$/\1/p' "$SCRATCH/out")
grep -q "logistics    voyage '[^']*' sails (" "$SCRATCH/out" || fail "no voyage sails"
traced=$(grep "logistics    voyage '[^']*' delivers (" "$SCRATCH/out" |
  sed -n 's/.*[(,] *fuel \([0-9.e+]*\)m3.*/\1/p' | awk '{ s += $1 } END { printf "%.6g", s }')
stored=$("$STRAITS" export -f csv --table values "$SCRATCH/t.db" |
  awk -F, -v r="$rep" '$1 == r && $2 == "logistics" && $3 == "delivered.fuel" { printf "%.6g", $5 }')
awk -v a="$traced" -v b="$stored" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 1e-4 * b) }' ||
  fail "fuel in the traced deliveries $traced m3, stored logistics.delivered.fuel $stored"
# -o: the story as the run's report section, a Gantt chart: the replication's task
# runs as bars (the first start of a task its trace printed begins one), its other
# lines as points; and the report with it.
expect_status 0 "$STRAITS" trace "$SCRATCH/t.db" --replication "$rep" -o "$SCRATCH/story.html"
grep -q "^report with the story of replication $rep: " "$SCRATCH/out" || fail "-o: $(tail -2 "$SCRATCH/out")"
story=$(sqlite3 "$SCRATCH/t.db" "SELECT body FROM doc WHERE name = 'report.section.story'")
case "$story" in *"\"title\":\"One replication's story: replication $rep\""*) ;;
*) fail "no story section for replication $rep: $(printf '%.200s' "$story")" ;; esac
task=$(sed -n "s/.*plan         task '\([^']*\)' started\$/\1/p" "$SCRATCH/out" | head -1)
if [ -n "$task" ]; then
  case "$story" in *"{\"row\":\"task $task\",\"t0\":"*) ;; *) fail "no bar for task $task" ;; esac
fi
case "$story" in *"\"row\":\"logistics\",\"t\":"*) ;; *) fail "no voyage points in the story" ;; esac
grep -q "One replication&#39;s story\|One replication's story" "$SCRATCH/story.html" ||
  fail "the report has no story"
expect_status 0 "$STRAITS" verify "$SCRATCH/t.db"
# The inspection model's own lines: its assets' intercepts and the boardings.
expect_status 0 "$STRAITS" trace "$SCRATCH/t.db" --worst inspection.diverted
grep -Eq 'inspection +jmsdf-dd sails to intercept ship [0-9]+.*, meets it in [0-9.]+ h at [0-9.]+N [0-9.]+E' \
  "$SCRATCH/out" || fail "taiwan-strait: no intercept lines"
grep -Eq 'inspection +ship [0-9]+ boarded \((consent|interdiction) regime\), [0-9.]+ h' "$SCRATCH/out" ||
  fail "taiwan-strait: no boarding lines"
# A run with --seed: the store's seed is the run's, so its trace needs no override; a
# scenario without a plan is traced without the authorities table, as it was run.
expect_status 0 "$STRAITS" run -q --no-report -n 2 --seed 5 --db "$SCRATCH/seed.db" "$D/trace_fixed.yaml"
expect_status 0 "$STRAITS" trace "$SCRATCH/seed.db" --replication 1
grep -q "bit for bit" "$SCRATCH/out" || fail "a --seed run: $(tail -1 "$SCRATCH/err")"
expect_status 0 "$STRAITS" run -q --no-report -n 2 --db "$SCRATCH/noplan.db" \
  "$SRC/tests/ops/inspection/data/divert.yaml"
expect_status 0 "$STRAITS" trace "$SCRATCH/noplan.db" --replication 0
grep -q "bit for bit" "$SCRATCH/out" || fail "a scenario without a plan: $(tail -1 "$SCRATCH/err")"
# Another study (an override the run did not have) is refused; so are bad choices.
expect_status 2 "$STRAITS" trace "$SCRATCH/f.db" --replication 0 --set scenario.seed=10
grep -q "is not the study of run 1" "$SCRATCH/err" || fail "a different study traced"
expect_status 2 "$STRAITS" trace "$SCRATCH/f.db" --replication 30
expect_status 2 "$STRAITS" trace "$SCRATCH/f.db" --worst crisis.nope
expect_status 2 "$STRAITS" trace "$SCRATCH/f.db"
expect_status 2 "$STRAITS" trace "$SCRATCH/f.db" --where 'crisis.blockade.occurred=2'
finish
