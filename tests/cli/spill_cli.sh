# spill_cli.sh - `straits spillover` and `straits sensitivity` from the command line on
# the shipped face scenario: the spillover sections a run stores for its report, the
# effect on the missions, the Sobol intervals, the sensitivity stored with its run,
# and the refusals (another scenario's run, no such run).
. "$SRC/tests/cli/lib.sh"
S="$SRC/scenarios/taiwan-strait.yaml"
cd "$SCRATCH"

expect_status 0 "$STRAITS" run -q -n 60 --db s.db --no-report "$S"
docs=$(sqlite3 s.db "SELECT name FROM doc WHERE name LIKE 'report.section.spillover-%' ORDER BY name" | tr '\n' ' ')
[ "$docs" = "report.section.spillover-1-curves report.section.spillover-2-paths report.section.spillover-3-missions " ] ||
  fail "run: spillover sections '$docs'"
for d in 1-curves 2-paths 3-missions; do
  sqlite3 s.db "SELECT body FROM doc WHERE name = 'report.section.spillover-$d'" >"$d.json"
  node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
           if (!d.title || !d.text || !d.vega || !d.vega.marks) process.exit(1);' "$d.json" ||
    fail "section $d: not a titled Vega section"
done
grep -q '"region":"home-islands"' 1-curves.json || fail "no curve for the home islands"

expect_status 0 "$STRAITS" spillover s.db
for t in senkaku-waters sakishima okinawa home-islands; do
  grep -q "$t" "$SCRATCH/out" || fail "spillover: no curve for $t"
done
grep -q '^effect on the missions: with and without spillover' "$SCRATCH/out" || fail "no missions table"
grep -q '^logistics\.fill_rate\.kadena-wing\.fuel ' "$SCRATCH/out" || fail "no logistics fill rate"
grep -q '^plan\.task\.' "$SCRATCH/out" || fail "no plan task in the missions table"
grep -q '^crisis\.' "$SCRATCH/out" && fail "crisis metrics among the missions"
expect_status 0 "$STRAITS" spillover --region okinawa s.db
grep -q '^time until violence reached okinawa: in [0-9]* of 60 replications$' "$SCRATCH/out" ||
  fail "--region: no time to okinawa"
grep -q '^most frequent paths to okinawa ' "$SCRATCH/out" || fail "--region: no paths"
expect_status 2 "$STRAITS" spillover --region nowhere s.db
grep -q "no territory 'nowhere' in run 1 (territories: senkaku-waters, sakishima, okinawa, home-islands)" \
  "$SCRATCH/err" || fail "--region: unknown territory message"
expect_status 0 "$STRAITS" spillover --all s.db
[ "$(grep -c '^logistics\.' "$SCRATCH/out")" -gt 20 ] || fail "--all: not every logistics metric"

# Sensitivity with Sobol intervals, stored with the run for its report.
expect_status 0 "$STRAITS" sensitivity -n 20 --sobol 4 --json sens.json --csv sens.csv --db s.db "$S"
grep -q '95% bootstrap CI (1000 resamples)' "$SCRATCH/out" || fail "sensitivity: no CI header"
grep -q "^stored with run 1 in s.db" "$SCRATCH/out" || fail "sensitivity: not stored"
head -1 sens.csv | grep -q ',sobol_total_lo,sobol_total_hi$' || fail "csv: no Sobol columns"
node -e 'const d = JSON.parse(require("fs").readFileSync("sens.json", "utf8"));
         const i = d.sobol.indices[0];
         if (!(i.first_lo <= i.first && i.first <= i.first_hi)) process.exit(1);
         if (d.sobol.ci.resamples !== 1000) process.exit(1);' || fail "json: Sobol intervals"
[ "$(sqlite3 s.db "SELECT count(*) FROM doc WHERE name IN
    ('report.section.spillover-4-tornado', 'report.section.spillover-5-sobol')")" -eq 2 ] ||
  fail "sensitivity sections not in the store"
expect_status 2 "$STRAITS" sensitivity -n 5 --db s.db "$SRC/scenarios/senkaku-spillover.yaml"
grep -q 'run 1 is of another scenario' "$SCRATCH/err" || fail "another scenario's run accepted"
expect_status 2 "$STRAITS" sensitivity -n 5 --db s.db --run 9 "$S"
grep -q 'no run 9' "$SCRATCH/err" || fail "a missing run accepted"
finish
