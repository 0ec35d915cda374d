#!/usr/bin/env bash
# lt_at_agree.sh AGILEMMU CONFIG: LT and AT give the same translations; with one walker and one
# outstanding request also the same walks, references and cycles; with 4 walkers and 4
# outstanding requests fewer cycles.
set -euo pipefail
bin=$1 cfg=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The core model times an instruction differently in LT (stalls) and AT (issue every base_cpi): off.
common=(--quiet --set workload.accesses=20000 --set core.enabled=false)
"$bin" run "$cfg" "${common[@]}" --set mmu.timing=lt --json "$tmp/lt.json" > /dev/null
"$bin" run "$cfg" "${common[@]}" --set mmu.timing=at --set mmu.walkers=1 --set workload.outstanding=1 --json "$tmp/at1.json" > /dev/null
"$bin" run "$cfg" "${common[@]}" --set mmu.timing=at --set mmu.walkers=4 --set workload.outstanding=4 --json "$tmp/at4.json" > /dev/null
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
lt, at1, at4 = (json.load(open(f"{d}/{n}.json")) for n in ("lt", "at1", "at4"))
ok = True
def check(cond, msg):
    global ok
    print(("ok   " if cond else "FAIL ") + msg)
    ok &= cond
for k in ("cycles", "walks", "walk_refs", "tlb_hits", "accesses"):
    check(lt[k] == at1[k], f"{k}: lt {lt[k]} == at(1 walker, 1 outstanding) {at1[k]}")
for r in (at1, at4):
    check(lt["mmu"]["translation_digest"] == r["mmu"]["translation_digest"], "translation digest equal")
check(at4["cycles"] < lt["cycles"], f"4 walkers x 4 outstanding: {at4['cycles']} < {lt['cycles']} cycles")
sys.exit(0 if ok else 1)
PY
