#!/usr/bin/env python3
"""placement.py AGILEMMU CONFIG_DIR [--set k=v ...]
No placement artifacts: on the shipped trace configs/traces/ls.bin.zst, native, shadow and agile
with everything shadow-style (the static policy: a trace's demand-mapped pages are shadow-style)
make the same walks with the same references per walk (shadow and agile: identical; native: its
own table, no traps), so their cycles outside the VMM and guest OS (cycles - stall_cycles) must
agree within 0.5%, with open and with closed DRAM pages. Where each mode's tables sit in memory
must not move the result."""
import json
import subprocess
import sys
import tempfile

binary, cfgdir = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
MODES = {"native": ["mmu.mode=native"], "shadow": ["mmu.mode=shadow"],
         "agile": ["mmu.mode=agile", "agile.policy=static"]}
fail = False
for policy in ("open", "closed"):
    res = {}
    for name, sets in MODES.items():
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            args = [binary, "run", f"{cfgdir}/scenarios/common.yaml", "--quiet", "--no-host-timing",
                    "--json", f.name, "--set", f"workload.trace={cfgdir}/traces/ls.bin.zst",
                    "--set", f"dram.policy={policy}"] + extra
            for s in sets:
                args += ["--set", s]
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
            res[name] = json.load(open(f.name))
    s, a = res["shadow"], res["agile"]
    if (s["walks"], s["walk_refs"]) != (a["walks"], a["walk_refs"]):
        print(f"FAIL {policy}: shadow and all-shadow agile walk differently: "
              f"{s['walks']}/{s['walk_refs']} vs {a['walks']}/{a['walk_refs']} walks/references")
        fail = True
    work = {n: j["cycles"] - j["stall_cycles"] for n, j in res.items()}
    lo, hi = min(work.values()), max(work.values())
    spread = (hi - lo) / lo
    print(f"{'ok  ' if spread < 0.005 else 'FAIL'} dram.policy={policy}: cycles - stall_cycles {work}, "
          f"spread {100 * spread:.3f}% (limit 0.5%)")
    fail |= spread >= 0.005
sys.exit(1 if fail else 0)
