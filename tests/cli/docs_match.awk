# docs_match.awk - does a command's whole output match the copy a doc shows of it?
#
#   awk -f docs_match.awk EXPECTED ACTUAL
#
# Every line must match, in order: a line that is exactly "..." stands for any number of
# lines (none included), and "..." inside a line for any text within it; every other
# line is compared exactly.  Exit 0 on a match; else 1, with the first expected line
# that no alignment reaches and the actual line found there.
function regex_of(line,    out, i, c) {
  out = ""
  for (i = 1; i <= length(line); i++) {
    if (substr(line, i, 3) == "...") { out = out ".*"; i += 2; continue }
    c = substr(line, i, 1)
    if (index("\\^$.[]|()*+?{}/", c)) out = out "\\" c
    else out = out c
  }
  return "^" out "$"
}
function line_matches(i, j) {
  if (!(i in wild)) return want[i] == got[j]
  return got[j] ~ pattern[i]
}
# Can want[i..nw] match got[j..ng]?  Memoised on (i, j): outputs are small.
function match_from(i, j,    k, r) {
  if ((i, j) in memo) return memo[i, j]
  if (i > nw) r = (j > ng)
  else if (want[i] == "...") {
    r = 0
    for (k = j; k <= ng + 1 && !r; k++) r = match_from(i + 1, k)
  } else r = (j <= ng && line_matches(i, j) && match_from(i + 1, j + 1))
  if (!r && (i > deepest_i || (i == deepest_i && j < deepest_j))) { deepest_i = i; deepest_j = j }
  memo[i, j] = r
  return r
}
FILENAME == ARGV[1] { want[++nw] = $0; next }
{ got[++ng] = $0 }
END {
  for (i = 1; i <= nw; i++)
    if (want[i] != "..." && index(want[i], "...")) { wild[i] = 1; pattern[i] = regex_of(want[i]) }
  if (match_from(1, 1)) exit 0
  if (deepest_i > nw) printf "  unexpected extra output: %s\n", got[deepest_j]
  else printf "  expected: %s\n  got:      %s\n", want[deepest_i],
    (deepest_j <= ng ? got[deepest_j] : "(end of output)")
  exit 1
}
