#!/usr/bin/env bash
# agile_wins.sh AGILEMMU SCENARIO: on the mixed scenario agile paging takes strictly fewer cycles
# than both nested and shadow paging, and switched entries in both directions.
set -euo pipefail
bin=$1 cfg=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in nested shadow agile; do
  "$bin" run "$cfg" --quiet --set mmu.mode=$m --json "$tmp/$m.json" > /dev/null
done
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
r = {m: json.load(open(f"{d}/{m}.json")) for m in ("nested", "shadow", "agile")}
best = min(r["nested"]["cycles"], r["shadow"]["cycles"])
margin = 1 - r["agile"]["cycles"] / best
print(f"nested {r['nested']['cycles']}  shadow {r['shadow']['cycles']}  agile {r['agile']['cycles']}  margin {margin:.1%}")
to_nested = sum(r["agile"]["vmm"]["to_nested"].values())
print(f"agile switches: to nested {to_nested}, to shadow {sum(r['agile']['vmm']['to_shadow'].values())}")
ok = r["agile"]["cycles"] < best and to_nested > 0 and r["agile"]["vmm_traps"] < r["shadow"]["vmm_traps"]
sys.exit(0 if ok else 1)
PY
