# spillover_table.sh - `straits spillover`'s effect on the missions reads like the
# report's table: display units (percent, hours or days, never seconds), no exponents,
# aligned columns, a verdict word on every row; the stored section stays in SI units.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

expect_status 0 "$STRAITS" run -q -n 120 --db s.db --no-report "$SRC/scenarios/taiwan-strait.yaml"
expect_status 0 "$STRAITS" spillover --all s.db
# The table: from its column header to the note under it.  Units of two bytes (km²,
# m³) count as one column each.
sed -n '/^metric /,/^  (%/p' out | sed '$d' | sed 's/²/2/g; s/³/3/g' >table
head -1 table | grep -qx 'metric  *unit  *with spillover  *n  *without  *n  *difference  *95% CI  *verdict' ||
  fail "column header: $(head -1 table)"
[ "$(wc -l <table)" -gt 30 ] || fail "--all: only $(wc -l <table) lines in the table"
grep -q '^other metrics of the missions:$' table || fail "--all: no line before the other metrics"

# Every row of numbers ends with a verdict that starts where the header's does.
col=$(head -1 table | awk '{ print index($0, "verdict") }')
rows=$(grep -cE '(better|worse|differs|no significant difference)$' table || true)
[ "$rows" -gt 30 ] || fail "only $rows rows with a verdict"
bad=$(sed 1d table | grep -vE '^other metrics|^[a-z_.>/0-9-]+$' |
  awk -v c="$col" '{ v = match($0, /(better|worse|differs|no significant difference)$/)
                     if (v != c) print }' | head -3)
[ -z "$bad" ] || fail "verdict not aligned (column $col): $bad"

# Probabilities in percent, times never in seconds, no exponent anywhere.
awk '/^plan\.task\.[^ ]*\.ran / && $2 != "%"' table | grep -q . && fail "a task's run probability not in percent"
awk '$2 == "s"' table | grep -q . && fail "a time in seconds"
grep -E '[0-9]e[-+][0-9]' table && fail "a number with an exponent"
grep -q '^plan\.task\.[^ ]*\.start  *[hd] ' table || fail "no task start time in hours or days"
# A thousands separator where numbers are large (ships inspected).
grep -E '^inspection\.ships ' table | grep -qE '[0-9],[0-9]{3}' || fail "no thousands separator"

# The stored section keeps SI units: a time's unit is s, a probability's 1.
sqlite3 s.db "SELECT body FROM doc WHERE name = 'report.section.spillover-3-missions'" >missions.json
grep -q '"metric":"plan.task.refuel-csg.ran","unit":"1"' missions.json || fail "stored: probability not in SI"
grep -qE '"metric":"plan.task.[a-z-]*.start","unit":"s"' missions.json || fail "stored: time not in seconds"

# Without --all: the headline rows, then only those whose interval excludes 0.
expect_status 0 "$STRAITS" spillover s.db
sed -n '/^other metrics whose/,/^  (%/p' out | sed '1d;$d' | grep 'no significant difference' &&
  fail "a non-headline row without a significant difference"
finish
