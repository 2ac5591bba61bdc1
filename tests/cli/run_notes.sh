# run_notes.sh - what `straits run` says about --resume (which run it continued, or
# that there was none) and why an --until-ci run stopped where it did.
. "$(dirname "$0")/lib.sh"

small="$SRC/tests/cli/data/small.yaml"
run() { expect_status 0 "$STRAITS" run --no-report "$@" "$small"; }
said() { # said LINE WHAT: stderr holds LINE exactly
  grep -qxF -- "$1" "$SCRATCH/err" || fail "$2: want '$1', got: $(cat "$SCRATCH/err")"
}

# --resume with nothing to resume starts a run, and says so.
db="$SCRATCH/r.db"
run -q --resume --db "$db"
said "nothing to resume: started run 1" "fresh store"
# A larger cap continues it: what was stored, what is left (thousands with commas).
run -q --resume -n 1500 --db "$db"
said "resumed run 1: 100 replications stored, 1,400 to run" "resume to 1,500"
# Another seed is another run.
run -q --resume --seed 12 --db "$db"
said "nothing to resume: started run 2" "another seed"
# With --until-ci the cap is the most that runs.
run -q --resume --seed 12 -n 2000 --until-ci 0.5 --db "$db"
said "resumed run 2: 100 replications stored, at most 1,900 to run" "resume with --until-ci"
# Without --resume nothing is said.
run -q --db "$db"
[ ! -s "$SCRATCH/err" ] || fail "a plain run printed: $(cat "$SCRATCH/err")"

# --until-ci met: where it stopped, and the target; the summary agrees.
run --until-ci 0.2 -n 5000 --db "$SCRATCH/c.db"
n=$(sed -n 's/^\([0-9]*\) replications (seed.*/\1/p' "$SCRATCH/out")
said "stopped at $n replications: every headline metric's 95% CI half-width is within 20% of its mean" \
  "converged"
[ "$n" -lt 5000 ] || fail "--until-ci 0.2 ran to the cap ($n)"
# The cap reached first: the headline metric furthest from converging, its half-width
# as a share of its mean, the target, and how many others had not converged either.
run --until-ci 0.001 -n 200 --db "$SCRATCH/d.db"
grep -q "^200 replications .*; confidence target not reached$" "$SCRATCH/out" ||
  fail "cap: the summary does not say the target was missed: $(head -2 "$SCRATCH/out")"
grep -qx "stopped at the cap of 200 replications: crisis\.[a-z_.-]* had not converged (half-width [0-9]*\.[0-9]% of its mean, not within 0\.1%\(; [0-9]* more headline metrics\{0,1\} had not either\)\{0,1\})" \
  "$SCRATCH/err" || fail "cap: $(cat "$SCRATCH/err")"
# The metric it names is one of the summary's headline metrics.
name=$(sed -n 's/.*replications: \([^ ]*\) had not converged.*/\1/p' "$SCRATCH/err")
grep -q "^$name " "$SCRATCH/out" || fail "cap: '$name' is not a headline metric of the summary"
# Thousands with commas in the count.
run -q --until-ci 0.001 -n 1200 --db "$SCRATCH/e.db"
grep -q "^stopped at the cap of 1,200 replications: " "$SCRATCH/err" ||
  fail "cap of 1,200: $(cat "$SCRATCH/err")"
finish
