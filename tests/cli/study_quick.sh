#!/usr/bin/env bash
# study_quick.sh STUDY_SH AGILEMMU DIR: the study's whole pipeline on quick inputs — seven captures
# (each stopped at its limit) and three steady-state windows (sysbench, a stress-ng red-black tree
# in its forked worker, redis-server driven over 127.0.0.1), every replay, the table, the chart and
# the verdict lines.
set -euo pipefail
study=$1 bin=$2 dir=$3
rm -rf "$dir"
AGILEMMU=$bin "$study" --quick --out "$dir" > "$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
fail() { echo "study_quick: $*"; cat "$dir.log"; exit 1; }
for w in sysbench rbtree redis; do
  "$bin" trace info "$dir/traces/$w.bin.zst" | grep -Eq ": a window after [1-9][0-9]* skipped accesses" || fail "$w: not a window"
done
for w in sort lookup churn python cc1 xz sqlite sysbench rbtree redis; do
  "$bin" trace info "$dir/traces/$w.bin.zst" | grep -q ": 2000000 accesses (" || fail "$w: not 2,000,000 accesses"
  for v in native nested shadow agile agile-static agile-dynamic agile-isca; do
    [ -s "$dir/runs/$w.$v.json" ] || fail "no replay $w.$v"
  done
  grep -Eq "^study: $w: agile [+-][0-9.]+% vs the better of nested and shadow.*: (ok|FAIL)$" "$dir.log" || fail "no verdict for $w"
done
[ "$(wc -l < "$dir/study.csv")" = 11 ] || fail "study.csv is not a header and ten rows"
[ "$(grep -c '^| [a-z]' "$dir/study.md")" = 11 ] || fail "study.md is not a header and ten rows"
[ -s "$dir/study.png" ] || fail "no chart"
# Shadow paging traps on the page-table writes of demand paging; nested never traps.
python3 - "$dir" <<'PY' || fail "trap counts"
import json, sys
for w in ["sort", "lookup", "churn", "python", "cc1", "xz", "sqlite"]:
    load = lambda v: json.load(open(f"{sys.argv[1]}/runs/{w}.{v}.json"))
    assert load("shadow")["vmm_traps"] > 0 and load("nested")["vmm_traps"] == 0, w
PY
echo "study_quick: ok"
