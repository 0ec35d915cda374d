#!/usr/bin/env python3
"""memory_exhausted.py AGILEMMU CLI_DIR: valid configs finish, or fail clearly, when memory runs short.

- huge_fallback.yaml (a 1 GiB remap with no free 1 GiB frame) runs to the end with the checker on,
  and vmm.huge_fallbacks counts the huge pages mapped smaller.
- guest memory or host memory truly exhausted during the run (demand paging into 1 MiB): exit 2,
  a message naming guest.memory or host.memory, no uncaught exception, and the statistics so far
  written and marked partial.
- guest memory too small for the regions populated at start: exit 2, naming guest.memory."""
import json
import os
import subprocess
import sys
import tempfile

binary, here = sys.argv[1], sys.argv[2]
failures = []
tmp = tempfile.mkdtemp()
out = os.path.join(tmp, "s.json")
DEMAND = os.path.join(tmp, "demand.yaml")
with open(DEMAND, "w") as f:  # 4096 pages touched on demand: more than 1 MiB of guest or host memory holds
    f.write("guest:\n  regions:\n    - {name: d, base: 0x10000000, size: 16M, populate: false, pattern: strided, "
            "stride: 4096}\nworkload: {accesses: 8000}\n")


def run(name, args, want_rc, want_text):
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([binary, "run", *args, "--quiet", "--json", out, "--set", "mmu.check=true"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != want_rc:
        failures.append(f"{name}: exit {p.returncode}, expected {want_rc}\n{p.stdout}")
    elif want_text not in p.stdout or "uncaught exception" in p.stdout:
        failures.append(f"{name}: expected '{want_text}' and no uncaught exception in:\n{p.stdout}")
    else:
        print(f"ok   {name}: {p.stdout.strip().splitlines()[-1]}")
    return json.load(open(out)) if os.path.exists(out) else None


j = run("huge page fallback", [os.path.join(here, "huge_fallback.yaml")], 0, "accesses")
if j and not (j["vmm"].get("huge_fallbacks", 0) > 0 and j["accesses"] == 50000 and "partial" not in j):
    failures.append(f"huge page fallback: huge_fallbacks {j['vmm'].get('huge_fallbacks')}, accesses {j['accesses']}")
for timing in ("lt", "at"):
    for mem in ("guest", "host"):
        name = f"{mem} memory exhausted ({timing})"
        j = run(name, [DEMAND, "--set", f"{mem}.memory=1M", "--set", f"mmu.timing={timing}", "--set",
                       "workload.outstanding=4"], 2, f"key '{mem}.memory' (1 MiB) is too small for this run")
        if j is None:
            failures.append(f"{name}: no statistics written")
        elif not (j.get("partial") is True and 0 < j["accesses"] < 8000):
            failures.append(f"{name}: statistics not marked partial, or not partial ({j['accesses']} accesses)")
j = run("populate exhausted", [DEMAND, "--set", "guest.memory=1M", "--set", "guest.regions.0.populate=true"], 2,
        "key 'guest.memory' (1 MiB) is too small for this run")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
