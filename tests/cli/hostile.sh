# hostile.sh - hostile and awkward inputs at the command line (issue 21): a FIFO as
# the scenario or an include never hangs; an include of a system file is refused
# and never echoed; control bytes reach the terminal escaped; CSV cells a
# spreadsheet would run as formulas are neutralised while numbers stay numbers; a
# run resumed with fewer replications than it holds is refused; seeds above
# INT64_MAX work.  Each must end within seconds (timeout), never block.
. "$(dirname "$0")/lib.sh"
T="timeout 20"
HEAD='scenario: {name: h, epoch: 2027-04-01T00:00Z, horizon: 2d, notional: true}'

# 1. A FIFO as the scenario, and as an include: refused at once (exit 2, not 124).
mkdir -p "$SCRATCH/s"
mkfifo "$SCRATCH/s/fifo.yaml"
expect_status 2 $T "$STRAITS" check "$SCRATCH/s/fifo.yaml"
grep -q "is a FIFO" "$SCRATCH/err" || fail "fifo scenario: $(cat "$SCRATCH/err")"
printf 'includes: [fifo.yaml]\n%s\n' "$HEAD" >"$SCRATCH/s/inc_fifo.yaml"
expect_status 2 $T "$STRAITS" run -q --no-report --db "$SCRATCH/f.db" "$SCRATCH/s/inc_fifo.yaml"
grep -q "fifo.yaml' is a FIFO" "$SCRATCH/err" || fail "fifo include: $(cat "$SCRATCH/err")"

mkfifo "$SCRATCH/s/table.fifo" # the legal authorities table too
expect_status 2 $T "$STRAITS" check --authorities "$SCRATCH/s/table.fifo" "$SRC/scenarios/taiwan-strait.yaml"
grep -q "not a regular file" "$SCRATCH/err" || fail "fifo table: $(cat "$SCRATCH/err")"
expect_status 2 $T "$STRAITS" run -q --no-report -n 2 --db "$SCRATCH/t.db" \
  --authorities "$SCRATCH/s/table.fifo" "$SRC/scenarios/taiwan-strait.yaml"

mkfifo "$SCRATCH/s/store.fifo" # and a results store
expect_status 1 $T "$STRAITS" export -f csv "$SCRATCH/s/store.fifo"
grep -q "is not a regular file (a FIFO)" "$SCRATCH/err" || fail "fifo store: $(cat "$SCRATCH/err")"

# 2. Includes of system files: refused before reading, and no line of them shown.
printf 'includes: [/etc/passwd]\n%s\n' "$HEAD" >"$SCRATCH/s/abs.yaml"
expect_status 2 "$STRAITS" check "$SCRATCH/s/abs.yaml"
grep -q "is an absolute path" "$SCRATCH/err" || fail "absolute include: $(cat "$SCRATCH/err")"
grep -q "root:" "$SCRATCH/err" "$SCRATCH/out" && fail "absolute include: /etc/passwd was echoed"
ln -s /etc/passwd "$SCRATCH/s/passwd.yaml"
printf 'includes: [passwd.yaml]\n%s\n' "$HEAD" >"$SCRATCH/s/link.yaml"
expect_status 2 "$STRAITS" check "$SCRATCH/s/link.yaml"
grep -q "is outside the scenario's folder" "$SCRATCH/err" || fail "symlink: $(cat "$SCRATCH/err")"
grep -q "root:" "$SCRATCH/err" "$SCRATCH/out" && fail "symlink include: /etc/passwd was echoed"
printf 'includes: [../../../../../../../../etc/passwd]\n%s\n' "$HEAD" >"$SCRATCH/s/dots.yaml"
expect_status 2 "$STRAITS" check "$SCRATCH/s/dots.yaml"
grep -q "is outside the scenario's folder" "$SCRATCH/err" || fail "dots: $(cat "$SCRATCH/err")"
grep -q "root:" "$SCRATCH/err" "$SCRATCH/out" && fail "'..' include: /etc/passwd was echoed"
# --include-dir widens the confinement to that folder.
mkdir -p "$SCRATCH/common"
printf 'theater: {places: [{id: shared, lat: 25, lon: 125}]}\n' >"$SCRATCH/common/places.yaml"
printf 'includes: [places.yaml]\n%s\n' "$HEAD" >"$SCRATCH/s/dir.yaml"
expect_status 2 "$STRAITS" check "$SCRATCH/s/dir.yaml"
expect_status 0 "$STRAITS" check --include-dir "$SCRATCH/common" "$SCRATCH/s/dir.yaml"
grep -q "ok: 1 places" "$SCRATCH/out" || fail "--include-dir: $(cat "$SCRATCH/out")"

# 3. Control bytes of the offending line are shown escaped, never raw.
printf '%s\nbad\033[2J\007key: 1\n' "$HEAD" >"$SCRATCH/s/ctl.yaml"
expect_status 2 "$STRAITS" check "$SCRATCH/s/ctl.yaml"
grep -q 'bad\\x1b\[2J\\x07key' "$SCRATCH/err" || fail "control bytes: $(cat -v "$SCRATCH/err")"
if LC_ALL=C grep -q "$(printf '\033')" "$SCRATCH/err"; then fail "a raw ESC reached stderr"; fi
# and the command's own messages that quote a path
expect_status 2 "$STRAITS" spillover "$SCRATCH/x$(printf '\033')[2Jy.db"
grep -q 'x\\x1b\[2Jy.db' "$SCRATCH/err" || fail "cli message: $(cat -v "$SCRATCH/err")"
if LC_ALL=C grep -q "$(printf '\033')" "$SCRATCH/err"; then fail "a raw ESC in a cli message"; fi

# 4. CSV: an event id that is a formula is neutralised; numbers stay numbers.
cat >"$SCRATCH/s/csv.yaml" <<YAML
$HEAD
crisis:
  events:
    - {id: "=HYPERLINK(\"http://x\")", at: 1h}
    - {id: "@SUM", at: 2h}
YAML
expect_status 0 "$STRAITS" run -q --no-report -n 3 --db "$SCRATCH/csv.db" "$SCRATCH/s/csv.yaml"
expect_status 0 "$STRAITS" export -f csv --table values "$SCRATCH/csv.db"
grep -q "^0,crisis,\"'=HYPERLINK(\"\"http://x\"\").occurred\"," "$SCRATCH/out" ||
  fail "csv: the formula cell is not neutralised: $(grep HYPER "$SCRATCH/out" | head -2)"
grep -q "^0,crisis,\"'@SUM.time\",s," "$SCRATCH/out" || fail "csv: '@' cell: $(grep SUM "$SCRATCH/out" | head -1)"
if grep -q ',crisis,[=@]' "$SCRATCH/out"; then fail "csv: a raw formula cell"; fi
grep -q ',3600$' "$SCRATCH/out" || fail "csv: the numbers changed"

# 5. A run resumed with fewer replications than it holds is refused (it used to end
#    planned at 5 but holding 8).
expect_status 0 "$STRAITS" run -q --no-report -n 8 --db "$SCRATCH/r.db" "$SCRATCH/s/csv.yaml"
expect_status 2 "$STRAITS" run -q --no-report --resume -n 5 --db "$SCRATCH/r.db" "$SCRATCH/s/csv.yaml"
grep -q "already holds 8 replications" "$SCRATCH/err" || fail "resume -n: $(cat "$SCRATCH/err")"
[ "$(sqlite3 "$SCRATCH/r.db" 'SELECT replications_planned, replications_done FROM run')" = "8|8" ] ||
  fail "resume -n: the run row changed"

# 6. Seeds are unsigned 64-bit.
expect_status 0 "$STRAITS" run -q --no-report -n 2 --seed 18446744073709551615 \
  --db "$SCRATCH/seed.db" "$SCRATCH/s/csv.yaml"
expect_status 2 "$STRAITS" check --set scenario.seed=18446744073709551616 "$SCRATCH/s/csv.yaml"
grep -q "must be at most 18446744073709551615" "$SCRATCH/err" || fail "seed: $(cat "$SCRATCH/err")"

# 7. A size limit names itself and its value: a SAR case with more units than are
#    planned jointly (it said only "a size limit was reached", exit 1).
{
  printf 'case: {reported: 2027-03-10T06:30Z, object: piw, at: [26.9, 126.6]}\n'
  printf 'search: {water_temperature: 19C}\nunits:\n'
  for i in 1 2; do
    printf '  - {id: helo%d, base: [26.2, 127.7], speed: 120kn, sweep_width: {piw: 0.3nmi}, count: 100, endurance: 4h}\n' "$i"
  done
} >"$SCRATCH/s/many.yaml"
expect_status 2 $T "$STRAITS" sar "$SCRATCH/s/many.yaml"
grep -q "at most 128 search units (SAR_JOINT_MAX)" "$SCRATCH/err" || fail "sar limit: $(cat "$SCRATCH/err")"
finish
