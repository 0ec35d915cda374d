#!/usr/bin/env bash
# compare-modes.sh CONFIG [--set key=value]... — runs one scenario in native, nested, shadow and
# agile paging and prints one table: cycles, cycles per access, overhead vs native, walks, walks
# per 1000 accesses, references per walk, VMM traps. Each mode is its own process (SystemC cannot
# restart inside one). When page walks take under 1% of the cycles in every mode (walk_cycle_share,
# the run summary's threshold too), a note says the program hardly exercises translation.
#   AGILEMMU=path/to/agilemmu overrides the binary (default: build/tb/agilemmu).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${AGILEMMU:-$here/build/tb/agilemmu}
[ $# -ge 1 ] || { echo "usage: $0 CONFIG.yaml [--set key=value]..." >&2; exit 2; }
cfg=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for mode in native nested shadow agile; do
  if ! "$bin" run "$cfg" "$@" --set mmu.mode=$mode --quiet --json "$tmp/$mode.json" > "$tmp/$mode.out" 2> "$tmp/$mode.err"; then
    echo "compare-modes: $mode run failed:" >&2
    cat "$tmp/$mode.err" >&2
    exit 1
  fi
done
python3 - "$tmp" "$cfg" "$*" <<'PY'
import json, sys, os
tmp, cfg, extra = sys.argv[1], sys.argv[2], sys.argv[3]
rows = {m: json.load(open(os.path.join(tmp, m + ".json"))) for m in ("native", "nested", "shadow", "agile")}
base = rows["native"]["cycles"]
print(f"$ scripts/compare-modes.sh {cfg} {extra}".rstrip())
hdr = ("mode", "cycles", "cycles/access", "vs native", "walks", "walks/1000 acc", "refs/walk", "walk cycles",
       "VMM traps", "VMM cycles")
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
for m, r in rows.items():
    over = (r["cycles"] / base - 1) * 100 if base else 0.0
    print(f"| {m} | {r['cycles']} | {r['cycles_per_access']:.2f} | {over:+.1f}% | {r['walks']} | "
          f"{r['walks_per_1000_accesses']:.2f} | {r['refs_per_walk']:.2f} | "
          f"{r['avg_walk_cycles']:.1f} | {r['vmm_traps']} | {r['vmm_cycles']} |")
best = min(rows["nested"]["cycles"], rows["shadow"]["cycles"])
gain = (1 - rows['agile']['cycles'] / best) * 100
TRANSLATION_MATTERS = 0.01  # the run summary's threshold (tb/cli/run_cmd.cpp)
share = max(r["walk_cycle_share"] for r in rows.values())
if share < TRANSLATION_MATTERS:
    print(f"\nnote: page walks took at most {100 * share:.2f}% of the cycles in any mode (under 1%): this program "
          "hardly exercises translation (its footprint fits the TLBs), so the modes differ only by their VMM costs")
print(f"\nagile vs best of nested and shadow: {abs(gain):.1f}% {'fewer' if gain >= 0 else 'more'} cycles; "
      f"agile vs native: {(rows['agile']['cycles'] / base - 1) * 100:+.1f}%")
PY
