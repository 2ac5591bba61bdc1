# store_damage.sh - a damaged results store is refused by every reader (issue 21):
# bytes flipped in a replication's data (the row checksum), in the middle of the file
# (SQLite's integrity_check or the checksum), an older schema, a damaged part given to
# `sweep --merge`; a document whose body changed (its row checksum); and `straits
# verify --drop` then `run --resume` recomputes exactly what was lost.
. "$(dirname "$0")/lib.sh"
SCN="$SRC/scenarios/taiwan-strait.yaml"
SWEEP="$SRC/tests/mc/data/sweep_factorial.yaml"

# XOR 64 bytes at offset $2 of file $1 (perl-base is part of every Debian system).
flip() {
  perl -e 'open(F, "+<", $ARGV[0]) or die; binmode F; seek(F, $ARGV[1], 0);
    read(F, $b, 64); $b ^= chr(0x5a) x 64; seek(F, $ARGV[1], 0); print F $b; close F' "$1" "$2"
}
page_size() { sqlite3 "$1" "PRAGMA page_size"; }
# An offset inside a replication's data blob: 300 bytes before the end of the middle
# leaf page of the replication table, where its first cell ends (the blob, then the
# 8-byte checksum).  Wherever the rows lie -- in overflow pages (4 KiB pages) or in
# the leaves themselves (the 32 KiB pages of a store since issue 22) -- sqlite3's dbstat
# table says which pages are leaves.
blob_offset() {
  sqlite3 "$1" "SELECT pageno * $(page_size "$1") - 300 FROM dbstat
    WHERE name = 'replication' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1
    OFFSET (SELECT count(*) / 2 FROM dbstat WHERE name = 'replication' AND pagetype = 'leaf')"
}

# refused DB WHAT: every reader of DB exits 1 and says why, naming the store.
refused() {
  db=$1; what=$2
  for cmd in "export -f csv --table values" "export -f json" "export -f csv --table series" \
             "report -o $SCRATCH/r.html" "spillover" "verify"; do
    # shellcheck disable=SC2086
    expect_status 1 "$STRAITS" $cmd "$db"
    grep -q "damaged" "$SCRATCH/err" "$SCRATCH/out" || fail "$what: '$cmd' did not say damaged"
    grep -q "$db" "$SCRATCH/err" "$SCRATCH/out" || fail "$what: '$cmd' did not name the store"
  done
  rm -f "$SCRATCH/x.sqlite"
  expect_status 1 "$STRAITS" export -f sqlite -o "$SCRATCH/x.sqlite" "$db"
  [ ! -e "$SCRATCH/x.sqlite" ] || fail "$what: export -f sqlite left a file"
  cp "$db" "$SCRATCH/resume.db"
  expect_status 1 "$STRAITS" run -q --no-report --resume -n 60 -j 2 --db "$SCRATCH/resume.db" "$SCN"
  grep -q "damaged" "$SCRATCH/err" || fail "$what: run --resume did not say damaged"
}

expect_status 0 "$STRAITS" run -q --no-report -n 60 -j 2 --db "$SCRATCH/good.db" "$SCN"
expect_status 0 "$STRAITS" verify "$SCRATCH/good.db"
grep -q "ok: 60 replications" "$SCRATCH/out" || fail "verify of a good store: $(cat "$SCRATCH/out")"
expect_status 0 "$STRAITS" export -f csv --table values "$SCRATCH/good.db"
cp "$SCRATCH/out" "$SCRATCH/good.csv"

# 1. Values damaged inside a replication's blob (blob_offset): only the row checksum
#    can tell.
cp "$SCRATCH/good.db" "$SCRATCH/values.db"
ps=$(page_size "$SCRATCH/values.db")
flip "$SCRATCH/values.db" "$(blob_offset "$SCRATCH/values.db")"
cmp -s "$SCRATCH/good.db" "$SCRATCH/values.db" && fail "values: nothing was flipped"
refused "$SCRATCH/values.db" values
expect_status 1 "$STRAITS" verify "$SCRATCH/values.db"
grep -q "checksum does not match" "$SCRATCH/out" || fail "values: verify: $(cat "$SCRATCH/out")"

# 2. 64 bytes in the middle of the file, wherever they fall.
cp "$SCRATCH/good.db" "$SCRATCH/middle.db"
flip "$SCRATCH/middle.db" $(($(stat -c %s "$SCRATCH/middle.db") / 2))
refused "$SCRATCH/middle.db" middle

# 3. A page header (b-tree structure): SQLite's integrity_check on open refuses it.
cp "$SCRATCH/good.db" "$SCRATCH/page.db"
flip "$SCRATCH/page.db" $((2 * ps))
refused "$SCRATCH/page.db" page
expect_status 1 "$STRAITS" export -f csv --table values "$SCRATCH/page.db" # docs/cli.md quotes it
grep -q "is damaged: PRAGMA integrity_check found [0-9]* problem" "$SCRATCH/err" ||
  fail "page: no integrity_check message: $(cat "$SCRATCH/err")"
grep -q "integrity_check" "$SCRATCH/err" || fail "page: the message does not name integrity_check"

# 4. verify --drop removes the damaged replications; --resume computes them again and
#    the run is then the same, value for value, as the undamaged one.
expect_status 0 "$STRAITS" verify --drop "$SCRATCH/values.db"
grep -q "dropped" "$SCRATCH/out" || fail "verify --drop: $(cat "$SCRATCH/out")"
expect_status 0 "$STRAITS" verify "$SCRATCH/values.db"
expect_status 0 "$STRAITS" run -q --no-report --resume -n 60 -j 2 --db "$SCRATCH/values.db" "$SCN"
expect_status 0 "$STRAITS" export -f csv --table values "$SCRATCH/values.db"
cmp -s "$SCRATCH/out" "$SCRATCH/good.csv" || fail "after --drop and --resume the values differ"

# 5. A store of the previous format (schema 2, no checksums) is refused, not read.
cp "$SCRATCH/good.db" "$SCRATCH/old.db"
sqlite3 "$SCRATCH/old.db" "ALTER TABLE replication DROP COLUMN checksum; PRAGMA user_version = 2"
expect_status 1 "$STRAITS" export -f csv "$SCRATCH/old.db"
grep -q "schema version 2 is not supported.*no checksums" "$SCRATCH/err" ||
  fail "old schema: $(cat "$SCRATCH/err")"

# 6. sweep --merge verifies a part before importing anything of it.
expect_status 0 "$STRAITS" sweep -q -n 10 --part 0/2 --db "$SCRATCH/p0.db" "$SWEEP"
flip "$SCRATCH/p0.db" "$(blob_offset "$SCRATCH/p0.db")"
expect_status 1 "$STRAITS" sweep -q -n 10 --db "$SCRATCH/m.db" --merge "$SCRATCH/p0.db" "$SWEEP"
grep -q "damaged" "$SCRATCH/err" || fail "merge: $(head -c 400 "$SCRATCH/err")"
grep -q "p0.db" "$SCRATCH/err" || fail "merge: the part store is not named"
# 7. One byte of a document's body (the theater, which report reads): report and
#    verify refuse it, naming the store and the document; verify --drop removes it.
cp "$SCRATCH/good.db" "$SCRATCH/doc.db"
[ "$(sqlite3 "$SCRATCH/doc.db" "SELECT count(*) FROM doc WHERE checksum IS NULL")" = 0 ] ||
  fail "doc: a document was written without a checksum"
sqlite3 "$SCRATCH/doc.db" "UPDATE doc SET body = '[' || substr(body, 2) WHERE name = 'theater'"
[ "$(sqlite3 "$SCRATCH/doc.db" "SELECT substr(body, 1, 1) FROM doc WHERE name = 'theater'")" = "[" ] ||
  fail "doc: nothing was changed"
expect_status 1 "$STRAITS" report -o "$SCRATCH/r.html" "$SCRATCH/doc.db"
grep -q "document 'theater' of run 1 is damaged" "$SCRATCH/err" || fail "doc: report: $(cat "$SCRATCH/err")"
grep -q "$SCRATCH/doc.db" "$SCRATCH/err" || fail "doc: report did not name the store"
expect_status 1 "$STRAITS" verify "$SCRATCH/doc.db"
grep -q "document 'theater': damaged (its checksum does not match" "$SCRATCH/out" ||
  fail "doc: verify: $(cat "$SCRATCH/out")"
expect_status 0 "$STRAITS" verify --drop "$SCRATCH/doc.db"
grep -q "document 'theater': damaged.*; dropped" "$SCRATCH/out" || fail "doc: verify --drop: $(cat "$SCRATCH/out")"
expect_status 0 "$STRAITS" verify "$SCRATCH/doc.db"
expect_status 0 "$STRAITS" report -o "$SCRATCH/r.html" "$SCRATCH/doc.db"
[ "$(sqlite3 "$SCRATCH/doc.db" "SELECT count(*) FROM doc WHERE name = 'theater'")" = 0 ] ||
  fail "doc: the damaged theater is still there"

# 8. A store from before documents had checksums (no column): opened, the column
#    added, its documents read as unverified, and verify says so.
cp "$SCRATCH/good.db" "$SCRATCH/olddoc.db"
sqlite3 "$SCRATCH/olddoc.db" "ALTER TABLE doc DROP COLUMN checksum"
expect_status 0 "$STRAITS" verify "$SCRATCH/olddoc.db"
grep -q "documents written before documents had checksums: read, unverified" "$SCRATCH/out" ||
  fail "old doc: verify: $(cat "$SCRATCH/out")"
expect_status 0 "$STRAITS" report -o "$SCRATCH/r.html" "$SCRATCH/olddoc.db"
[ "$(sqlite3 "$SCRATCH/olddoc.db" "SELECT count(*) FROM pragma_table_info('doc') WHERE name = 'checksum'")" = 1 ] ||
  fail "old doc: the checksum column was not added"
finish
