# provenance.sh - the study hash a run stores (issue 23): a SHA-256 over the scenario,
# its includes and --set overrides, the authorities table, the NetCDF fields and the
# GSHHG coastline file it read.  The same inputs give the same hash wherever they lie;
# one byte changed in any of them gives another; --resume matches on it; the report
# and `straits version --json` show what it is made of.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

# The stored hash of the latest run in a store.
stored() { sqlite3 "$1" 'SELECT scenario_hash FROM run ORDER BY id DESC LIMIT 1'; }
# run DB ARGS...: two replications, no report.
run() { db=$1; shift; expect_status 0 "$STRAITS" run -q --no-report -n 2 --db "$db" "$@"; }
same() { [ "$(stored "$1")" = "$(stored "$2")" ] || fail "$3: $1 and $2 differ"; }
differ() { [ "$(stored "$1")" != "$(stored "$2")" ] || fail "$3: $1 and $2 have one hash"; }

cp "$SRC/scenarios/taiwan-strait.yaml" base.yaml
run a.db base.yaml
h=$(stored a.db)
echo "$h" | grep -Eq '^[0-9a-f]{64}$' || fail "study hash '$h' is not 64 hex digits"

# Same inputs, another copy in another folder: the same study.
mkdir -p elsewhere && cp base.yaml elsewhere/other-name.yaml
run b.db elsewhere/other-name.yaml
same a.db b.db "the same bytes at another path"

# An include: one byte changed in it changes the hash, though the value it sets is
# overridden by the including file (it is the bytes that count).
{ echo 'includes: [extra.yaml]'; cat base.yaml; } > inc.yaml
printf 'scenario: {description: "x"}\n' > extra.yaml
run inc1.db inc.yaml
printf 'scenario: {description: "y"}\n' > extra.yaml
run inc2.db inc.yaml
differ inc1.db inc2.db "one byte of an include"
differ a.db inc1.db "an added include"
printf 'scenario: {description: "x"}\n' > extra.yaml
run inc3.db inc.yaml
same inc1.db inc3.db "the include restored"

# A --set override, even one that sets the value the file has.
run set.db --set scenario.horizon=30d base.yaml
differ a.db set.db "a --set override"

# The authorities table: a byte-identical copy is the same study, one byte more
# (a comment) is another.
cp "$SRC/data/authorities.yaml" auth.yaml
run auth1.db --authorities auth.yaml base.yaml
same a.db auth1.db "a byte-identical authorities table"
echo '# one more line' >> auth.yaml
run auth2.db --authorities auth.yaml base.yaml
differ a.db auth2.db "one line added to the authorities table"

# A NetCDF field: the scenario's bytes stay the same, the field file's change.
grep -q '^  current: {east: 0.8kn, north: 1.2kn}$' base.yaml || fail "taiwan-strait.yaml's current moved"
sed 's/^  current: {east: 0.8kn, north: 1.2kn}$/  current: {file: field.nc}/' base.yaml > field.yaml
expect_status 0 "$STRAITS" env synth -o field.nc
run f1.db field.yaml
expect_status 0 "$STRAITS" env synth -o field.nc --wind 11
run f2.db field.yaml
differ f1.db f2.db "another NetCDF field file under the same name"
expect_status 0 "$STRAITS" env synth -o field.nc
run f3.db field.yaml
same f1.db f3.db "the field file written again with the same options"

# The GSHHG coastline of the land mask (taiwan-strait.yaml has land: true): a copy
# of the installed files is the same study, one byte appended to the one read is not.
if coast=$("$STRAITS" version --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["coastline"]["path"] or "")') &&
   [ -n "$coast" ] && [ -f "$coast" ]; then
  mkdir -p gshhg && cp "$(dirname "$coast")"/*.nc gshhg/
  STRAITS_GSHHG_DIR="$SCRATCH/gshhg" run g1.db base.yaml
  same a.db g1.db "a copy of the coastline files"
  printf 'x' >> "gshhg/$(basename "$coast")"
  STRAITS_GSHHG_DIR="$SCRATCH/gshhg" run g2.db base.yaml
  differ a.db g2.db "one byte appended to the coastline file"
else
  echo "note: no GSHHG coastline installed; coastline part skipped"
fi

# --resume: the same inputs continue the run; a changed input starts another.
expect_status 0 "$STRAITS" run -q --no-report -n 4 --resume --db a.db base.yaml
[ "$(sqlite3 a.db 'SELECT count(*) FROM run')" = 1 ] || fail "resume with the same inputs started a new run"
[ "$(sqlite3 a.db 'SELECT count(*) FROM replication WHERE run = 1')" = 4 ] ||
  fail "resume did not complete 4 replications"
expect_status 0 "$STRAITS" run -q --no-report -n 4 --resume --authorities auth.yaml --db a.db base.yaml
[ "$(sqlite3 a.db 'SELECT count(*) FROM run')" = 2 ] || fail "resume took a run of other inputs"

# `straits version --json`: valid JSON naming the libraries and the shipped table's
# SHA-256, which is the file's.
expect_status 0 "$STRAITS" version --json
cp out version.json
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' version.json || fail "version --json is not JSON"
for k in '"nettle"' '"random123"' '"gsl"' '"sqlite"' '"provenance_hash"'; do
  grep -q "$k" version.json || fail "version --json has no $k"
done
want=$(sha256sum "$SRC/data/authorities.yaml" | cut -d' ' -f1)
got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["data"]["authorities"]["sha256"])' version.json)
[ "$got" = "$want" ] || fail "version --json: authorities SHA-256 is $got, not $want"
expect_status 2 "$STRAITS" version --bogus

finish
