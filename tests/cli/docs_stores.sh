# docs_stores.sh - every command that runs a scenario stores the same documents with
# each of its runs (mc_store_docs, mc_docs.h): a `compare` store and a `sweep` store
# hold the scenario, theater and spillover sections (and objectives) of every run,
# byte for byte those `straits run` stores for the same scenario and replications.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/senkaku-spillover.yaml"
O="$SRC/tests/cli/data/objectives.yaml"
cd "$SCRATCH"
rm -f r.db c.db w.db co.db

docs_of() { # store, run id: the documents' names and bodies, one a line
  sqlite3 "$1" "SELECT name, hex(body) FROM doc WHERE run = $2 AND name IN ('scenario',
    'theater', 'report.section.spillover-1-curves', 'report.section.spillover-2-paths',
    'report.section.spillover-3-missions', 'objectives') ORDER BY name"
}
names_of() { docs_of "$1" "$2" | cut -d'|' -f1 | tr '\n' ' '; }
expected="report.section.spillover-1-curves report.section.spillover-2-paths report.section.spillover-3-missions scenario theater "

expect_status 0 "$STRAITS" run -q -n 30 -j 2 --no-report --db r.db "$S"
[ "$(names_of r.db 1)" = "$expected" ] || fail "run: documents '$(names_of r.db 1)'"
docs_of r.db 1 >run.docs

# compare: both courses of action's runs, the baseline's the same as run's.
expect_status 0 "$STRAITS" compare -q -n 30 -j 2 --no-report --db c.db "$S" "$S"
for id in 1 2; do
  [ "$(names_of c.db $id)" = "$expected" ] || fail "compare run $id: documents '$(names_of c.db $id)'"
done
docs_of c.db 1 >compare.docs
cmp -s run.docs compare.docs || fail "compare's documents differ from run's"

# sweep: every point's run; a point that changes nothing stores what run stores.
cat >w.yaml <<YAML
sweep:
  name: docs of every point
  scenario: $S
  design: factorial
  replications: 30
  factors:
    - {set: scenario.seed, values: [$(sed -n 's/^ *seed: *\([0-9]*\).*/\1/p' "$S" | head -1), 7]}
YAML
expect_status 0 "$STRAITS" sweep -q -j 2 --db w.db w.yaml
n=$(sqlite3 w.db "SELECT count(*) FROM sweep_point")
[ "$n" = 2 ] || fail "sweep: $n points stored"
for id in $(sqlite3 w.db "SELECT run FROM sweep_point ORDER BY point"); do
  [ "$(names_of w.db "$id")" = "$expected" ] || fail "sweep run $id: documents '$(names_of w.db "$id")'"
done
first=$(sqlite3 w.db "SELECT run FROM sweep_point WHERE point = 0")
docs_of w.db "$first" >sweep.docs
cmp -s run.docs sweep.docs || fail "the sweep's first point's documents differ from run's"

# The objectives' verdicts are judged and stored by compare as by run.
expect_status 0 "$STRAITS" compare -q -n 40 -j 2 --no-report --db co.db "$O" "$O"
for id in 1 2; do
  [ "$(sqlite3 co.db "SELECT count(*) FROM doc WHERE run = $id AND name = 'objectives'")" = 1 ] ||
    fail "compare run $id: no objectives document"
done
finish
