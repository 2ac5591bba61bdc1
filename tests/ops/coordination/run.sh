# run.sh - the shipped Taiwan scenario with its coordination section (issue 17): `straits
# run` stores at least three coordination metrics and each waiting task's critical-link
# metrics and the report's "what holds each task back" section, and a misspelt decision is an error at its file:line:col.
. "$SRC/tests/cli/lib.sh"

expect_status 0 "$STRAITS" run -n 40 --threads 2 --db "$SCRATCH/tw.db" "$SRC/scenarios/taiwan-strait.yaml"
"$STRAITS" export -f csv --table values "$SCRATCH/tw.db" >"$SCRATCH/values.csv" || fail "export failed"
n=$(awk -F, '$1 == 0 && $2 == "coordination"' "$SCRATCH/values.csv" | wc -l)
[ "$n" -ge 3 ] || fail "only $n coordination metrics stored"
for m in coordination,requests coordination,body.kantei.max_queue \
         plan,task.us-ops-kadena.critical.prior-consultation \
         plan,task.refuel-csg.critical.japan-approves-support plan,task.refuel-csg.critical_delay; do
  grep -q "^[0-9]*,$m," "$SCRATCH/values.csv" || fail "no metric $m" # where the task started
done

# The report's "what holds each task back" section (the model's docs hook).
"$STRAITS" report -o "$SCRATCH/tw.html" "$SCRATCH/tw.db" >/dev/null 2>&1 || fail "report failed"
grep -q "What holds each task back" "$SCRATCH/tw.html" || fail "no 'what holds each task back' section"
# Its chart: the constant Vega spec with a row per link (22 px each), in the spec's order.
if command -v python3 >/dev/null 2>&1; then
  sqlite3 "$SCRATCH/tw.db" "SELECT body FROM doc WHERE name = 'report.section.coordination-critical'" |
    python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["title", "order", "text", "vega"], list(d)
v = d["vega"]
assert list(v)[:4] == ["width", "height", "padding", "data"], list(v)
rows = v["data"][0]["values"]
assert rows and v["height"] == 22 * len(rows), (v["height"], len(rows))
assert [r["row"] for r in rows] == list(range(len(rows)))
assert all(0 <= r["lo"] <= r["share"] <= r["hi"] <= 1 for r in rows)
assert any(r["label"] == "refuel-csg: japan-approves-support" for r in rows)
assert [m["type"] for m in v["marks"]] == ["rect", "rule", "text"]
' || fail "the critical-path chart"
fi

# The decision timeline (coordination's docs hook): a chain of fixed latencies -- 2h,
# then 3h, then 5h -- puts each step's median and percentiles at 2h, 5h and 10h exactly,
# the request in the bilateral lane (the ACM decides it), the consent in the US one.
cat >"$SCRATCH/chain.yaml" <<'EOF'
scenario: {name: chain, epoch: 2027-04-01T00:00Z, horizon: 5d, seed: 17, notional: true}
theater:
  places:
    - {id: sea, kind: sea_area, lat: 24.0, lon: 126.0}
plan:
  tasks:
    - {id: strike, activity: combat_operations_from_bases, owner: US, area: sea,
       decisions: [consent]}
coordination:
  bodies:
    - {id: usfj, nation: US}
    - {id: acm, nation: bilateral}
    - {id: kantei, nation: JP}
  steps:
    - {id: ask, from: usfj, to: acm, kind: request, latency: 2h}
    - {id: consult, from: acm, to: kantei, kind: consultation, latency: 3h, after: ask}
    - {id: consent, from: kantei, to: usfj, kind: prior_consultation, latency: 5h, after: consult}
EOF
expect_status 0 "$STRAITS" run -q -n 5 --db "$SCRATCH/chain.db" --no-report "$SCRATCH/chain.yaml"
expect_status 0 "$STRAITS" report -o "$SCRATCH/chain.html" "$SCRATCH/chain.db"
doc=$(sqlite3 "$SCRATCH/chain.db" "SELECT body FROM doc WHERE name = 'report.section.coordination-timeline'")
for want in '"id":"ask"[^}]*"lane":"bilateral"[^}]*"approved":5,"p5":7200,"p50":7200,"p95":7200' \
            '"id":"consult"[^}]*"lane":"Japan"[^}]*"p50":18000' \
            '"id":"consent"[^}]*"lane":"US"[^}]*"p5":36000,"p50":36000,"p95":36000'; do
  echo "$doc" | grep -Eq "$want" || fail "timeline lacks $want: $doc"
done
# The start by cause: all of its 10 h is the coordination's.
"$STRAITS" export -f csv --table values "$SCRATCH/chain.db" >"$SCRATCH/chain.csv" || fail "export failed"
grep -q '^0,plan,task.strike.delay_coordination,s,36000$' "$SCRATCH/chain.csv" || fail "delay_coordination is not 10 h"
grep -q '^0,plan,task.strike.delay_crisis,s,0$' "$SCRATCH/chain.csv" || fail "delay_crisis is not 0"

# In headless Chromium (when installed) the report renders without console errors, with
# the timeline drawn and the sync matrix naming the critical link.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ] && grep -q "Decision timeline" "$SCRATCH/chain.html"; then
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$SCRATCH/profile" \
    --virtual-time-budget=30000 --run-all-compositor-stages-before-draw --enable-logging=stderr \
    --v=0 --dump-dom "file://$SCRATCH/chain.html" >"$SCRATCH/dom.html" 2>"$SCRATCH/console.log" ||
    fail "chromium failed"
  grep -q 'data-status="ok"' "$SCRATCH/dom.html" || fail "the report did not render"
  grep -E 'CONSOLE.*(Uncaught|Error)' "$SCRATCH/console.log" && fail "console errors"
  grep -q '<div class="view timeline"[^>]*><svg' "$SCRATCH/dom.html" || fail "no timeline drawn"
  grep -q 'held by consent (100%)' "$SCRATCH/dom.html" || fail "the sync matrix does not name the critical link"
fi

# The shipped pre-approval what-if is taiwan-strait.yaml but for its name and its
# coordination section (a copy: an include cannot change a list's items) ...
strip() { sed -e '1,/^scenario:$/d' -e '/^  name: /d' -e '/^coordination:$/,/^$/d' "$1"; }
strip "$SRC/scenarios/taiwan-strait.yaml" >"$SCRATCH/a.yaml"
strip "$SRC/scenarios/taiwan-preapproved.yaml" >"$SCRATCH/b.yaml"
cmp -s "$SCRATCH/a.yaml" "$SCRATCH/b.yaml" ||
  fail "taiwan-preapproved.yaml differs from taiwan-strait.yaml outside coordination: $(diff "$SCRATCH/a.yaml" "$SCRATCH/b.yaml" | head -5)"
# ... and with common random numbers its coordination delays fall, its law delays grow
# (the bottleneck moves), the crisis' part is the same (docs/scenario.md).
expect_status 0 "$STRAITS" compare --all -n 200 --no-report --db "$SCRATCH/pre.db" \
  "$SRC/scenarios/taiwan-strait.yaml" "$SRC/scenarios/taiwan-preapproved.yaml"
for want in 'refuel-csg.delay_coordination .* better$' 'refuel-csg.delay_law .* worse$' \
            'refuel-csg.delay_crisis .* 0(\.0*)? +0(\.0*)? +no significant difference$' \
            'airlift-naha.delay_coordination .* better$'; do
  grep -Eq "^plan.task.$want" "$SCRATCH/out" || fail "compare: no line matching $want"
done

# straits trace: the model's own lines -- each step submitted (again), sent back,
# refused, approved, with the bodies -- at their closed-form times: a blockade at 1d;
# the request 2h; the consultation 3h, sent back (rework 1h) half the time; the consent
# 5h, refused (resubmitted after 2h) half the time.
cat >"$SCRATCH/trace.yaml" <<'EOF'
scenario: {name: trace, epoch: 2027-04-01T00:00Z, horizon: 5d, seed: 17, notional: true}
theater:
  places:
    - {id: sea, kind: sea_area, lat: 24.0, lon: 126.0}
crisis:
  events:
    - {id: blockade, at: 1d}
plan:
  tasks:
    - {id: strike, activity: combat_operations_from_bases, owner: US, area: sea,
       decisions: [consent]}
coordination:
  bodies:
    - {id: usfj, nation: US}
    - {id: acm, nation: bilateral}
    - {id: kantei, nation: JP}
  steps:
    - {id: ask, from: usfj, to: acm, kind: request, latency: 2h, on_event: blockade}
    - {id: consult, from: acm, to: kantei, kind: consultation, latency: 3h, after: ask,
       p_return: 0.5, rework: 1h}
    - {id: consent, from: kantei, to: usfj, kind: prior_consultation, latency: 5h,
       after: consult, p_refuse: 0.5, retry: {max: 3, delay: 2h}}
EOF
expect_status 0 "$STRAITS" run -q -n 40 --no-report --db "$SCRATCH/trace.db" "$SCRATCH/trace.yaml"
# The first replication where both were sent back or refused exactly once.
rep=$("$STRAITS" export -f csv --table values "$SCRATCH/trace.db" | awk -F, '
  $2 == "coordination" && $3 == "step.consult.attempts" && $5 == 2 { a[$1] = 1 }
  $2 == "coordination" && $3 == "step.consent.attempts" && $5 == 2 { b[$1] = 1 }
  END { for (r = 0; r < 40; r++) if (a[r] && b[r]) { print r; exit } }')
[ -n "$rep" ] || fail "no replication with both a rework and a retry"
expect_status 0 "$STRAITS" trace "$SCRATCH/trace.db" --replication "${rep:-0}"
for want in "2027-04-02T00:00Z  +1d       coordination 'ask' submitted by 'usfj' to 'acm'" \
            "2027-04-02T02:00Z  +1.08333d coordination 'ask' approved by 'acm' (attempt 1, 2.00 h after it was raised)" \
            "2027-04-02T05:00Z  +1.20833d coordination 'consult' sent back by 'kantei' for rework (attempt 1): resubmitted in 1.00 h" \
            "2027-04-02T06:00Z  +1.25d    coordination 'consult' submitted by 'acm' to 'kantei' again" \
            "2027-04-02T14:00Z  +1.58333d coordination 'consent' refused by 'usfj' (attempt 1): resubmitted in 2.00 h" \
            "2027-04-02T21:00Z  +1.875d   coordination 'consent' approved by 'usfj' (attempt 2, 12.00 h after it was raised)" \
            "2027-04-02T21:00Z  +1.875d   plan         task 'strike' started"; do
  grep -qF -- "$want" "$SCRATCH/out" || fail "trace lacks: $want"
done
grep -q "bit for bit" "$SCRATCH/out" || fail "the traced replication differs from the store"
# One line per approval: no second, kernel-signal line for a step no task waits on.
[ "$(grep -c "coordination 'ask' approved by" "$SCRATCH/out")" -eq 1 ] &&
  ! grep -q "coordination decision 'ask'" "$SCRATCH/out" || fail "the approval of 'ask' is not one line"

expect_status 2 "$STRAITS" check --set plan.tasks.11.decisions.0=prior-consultaton "$SRC/scenarios/taiwan-strait.yaml"
grep -q "unknown decision step 'prior-consultaton' (did you mean 'prior-consultation'?)" "$SCRATCH/err" ||
  fail "misspelt decision: $(cat "$SCRATCH/err")"
finish
