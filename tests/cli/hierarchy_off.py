#!/usr/bin/env python3
"""hierarchy_off.py AGILEMMU SRC_DIR [--write]
With every cache level, the core model and the XOR bank mapping switched off, a run's statistics
equal those of the model before they existed (tests/reference/flat, stored once), except for the
new keys `caches` and `core`. Runs as tests/reference/stats.sh does (20 000 accesses; AT with 4
walkers and 8 requests in flight). --write stores the runs as the new flat references: only in a commit
that regenerates tests/reference/stats too, for the same stated reason."""
import json
import os
import subprocess
import sys
import tempfile

binary, src = sys.argv[1], sys.argv[2]
write = sys.argv[3:] == ["--write"]
OFF = ["caches.l1i.size=0", "caches.l1d.size=0", "caches.l2.size=0", "caches.llc.size=0",
       "core.enabled=false", "dram.mapping=linear"]
flat = os.path.join(src, "tests/reference/flat")
fail = 0
with tempfile.TemporaryDirectory() as tmp:
    for name in sorted(f for f in os.listdir(flat) if f.endswith(".json")):
        cfg, timing, _ = name.rsplit(".", 2)
        args = [binary, "run", f"configs/{cfg}.yaml", "--no-host-timing", "--set", "workload.accesses=20000",
                "--set", f"mmu.timing={timing}"]
        if timing == "at":
            args += ["--set", "mmu.walkers=4", "--set", "workload.outstanding=8"]
        if cfg == "study":
            args += ["--set", "workload.trace=tests/fuzz/corpus/trace/ls-head.lackey"]
        for s in OFF:
            args += ["--set", s]
        out = os.path.join(tmp, name)
        subprocess.run(args + ["--json", out], cwd=src, check=True, stdout=subprocess.DEVNULL)
        got = json.load(open(out))
        for k in ("caches", "core"):
            got.pop(k, None)
        if write:
            with open(os.path.join(flat, name), "w") as f:
                json.dump(got, f, indent=2, sort_keys=True)
                f.write("\n")
            print(f"wrote {name}")
            continue
        want = json.load(open(os.path.join(flat, name)))
        if got != want:
            diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
            print(f"FAIL {name}: everything off differs from the flat reference in {diff}")
            fail = 1
        else:
            print(f"ok   {name}")
sys.exit(fail)
