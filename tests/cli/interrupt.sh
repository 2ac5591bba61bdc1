# interrupt.sh - Ctrl-C (SIGINT) or SIGTERM during `straits run` says how far the run
# got and the exact command that continues it; running that command completes it.
# The SIGINT of a background job of a script is ignored (POSIX), so the interrupted
# run starts with SIGINT back at its default (env --default-signal), as at a terminal.
. "$(dirname "$0")/lib.sh"

cd "$SCRATCH"
ln -s "$SRC/scenarios" scenarios
mkdir bin && ln -s "$STRAITS" bin/straits
N=1000

commas() { printf '%s\n' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
stored() { sqlite3 "$1" "SELECT count(*) FROM replication" 2>/dev/null || echo 0; }

# Wait (at most 120 s) until the run $1 writing store $2 has committed a batch.
wait_stored() {
  t=0
  while [ "$(stored "$2")" -lt 1 ] && kill -0 "$1" 2>/dev/null && [ "$t" -lt 1200 ]; do
    sleep 0.1
    t=$((t + 1))
  done
}

# SIGINT: exit status 130, the count stored and the resume command.
env --default-signal=INT "$STRAITS" run --no-report -j 2 -n "$N" --db x.db \
  --set 'scenario.name=a study' scenarios/taiwan-strait.yaml >out 2>err &
pid=$!
wait_stored "$pid" x.db
kill -INT "$pid" 2>/dev/null || fail "the run ended before it was interrupted"
set +e
wait "$pid"
got=$?
set -e
[ "$got" -eq 130 ] || fail "SIGINT: exit status $got, expected 130: $(cat err)"
have=$(stored x.db)
msg=$(grep '^interrupted after' err || true)
want_cmd="straits run --db x.db --resume --no-report -j 2 -n $N --set 'scenario.name=a study' scenarios/taiwan-strait.yaml"
case "$msg" in
  "interrupted after "*" of 1,000 replications (all stored); resume with: $want_cmd") ;;
  *) fail "SIGINT: the message is '$msg', want '... resume with: $want_cmd'" ;;
esac
said=$(printf '%s\n' "$msg" | sed 's/^interrupted after \([0-9,]*\) of.*/\1/' | tr -d ,)
[ "$said" = "$have" ] || fail "SIGINT: the message says $said stored, the store holds $have"

# The command it names completes the run: the same run, every replication once.
cmd=${msg#*resume with: }
set +e
PATH="$SCRATCH/bin:$PATH" sh -c "exec $cmd" >out 2>err
got=$?
set -e
[ "$got" -eq 0 ] || fail "'$cmd' exited $got: $(head -c 400 err)"
left=$((N - have))
grep -qxF "resumed run 1: $(commas "$have") replications stored, $(commas "$left") to run" err ||
  fail "the resumed run did not say what it resumed: $(cat err)"
head -2 out | grep -q "^$N replications" || fail "the resumed run did not total $N: $(head -2 out)"
got=$(sqlite3 x.db "SELECT (SELECT count(*) FROM run), count(DISTINCT idx), count(*) FROM replication")
[ "$got" = "1|$N|$N" ] || fail "store (runs|distinct|rows): $got, want 1|$N|$N"

# An ignored SIGINT stays ignored (a script's background job); SIGTERM: status 143,
# the same message.  A run too long to finish meanwhile.
"$STRAITS" run -q --no-report -n 200000 --db y.db >out 2>err &
pid=$!
wait_stored "$pid" y.db
kill -INT "$pid" 2>/dev/null || fail "the long run ended early"
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "an ignored SIGINT stopped the run"
kill -TERM "$pid" 2>/dev/null || true
set +e
wait "$pid"
got=$?
set -e
[ "$got" -eq 143 ] || fail "SIGTERM: exit status $got, expected 143: $(cat err)"
grep -qx "interrupted after [0-9,]* of 200,000 replications (all stored); resume with: straits run --db y.db --resume -q --no-report -n 200000" err ||
  fail "SIGTERM: the message is '$(cat err)'"
finish
