#!/usr/bin/env python3
"""coalesced_cycles.py CAPTURE AGILEMMU CONFIG PROGRAM [ARGS...]: captures PROGRAM with every fetch
(CAPTURE_FETCH=all) and with consecutive fetches coalesced per line and per page; the coalesced
traces must hold repeat records standing for most fetches, the same access counts, and replay
(nested and agile paging, LT and AT) to the uncoalesced trace's cycles within 0.1%, with the same
walks."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_events import Checks, capture as run_capture  # noqa: E402

capture, agilemmu, config, program = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
tmp = tempfile.mkdtemp()
check = Checks()


def take(fetch):
    out = f"{tmp}/{fetch}.bin.zst"
    log = run_capture(capture, out, program, agilemmu, CAPTURE_FETCH=fetch)
    n = int(re.search(r"(\d+) accesses \(", log).group(1))
    m = re.search(r"(\d+) of the fetches coalesced into (\d+) repeat records", log)
    return out, n, int(m.group(1)) if m else 0


# A page-coalesced fetch keeps only its page, not its line: the caches and the DRAM rows see other
# addresses, which the core model's fetch stalls expose. Only translation is unchanged by it, so
# those replays run the flat model (no caches, no core model, linear mapping), where that is all
# that the cycles see.
FLAT = [a for s in [f"caches.{lv}.size=0" for lv in ("l1i", "l1d", "l2", "llc")] + ["core.enabled=false", "dram.mapping=linear"]
        for a in ("--set", s)]


def replay(trace, mode, timing, extra=()):
    j = f"{trace}.{mode}.{timing}.{len(extra)}.json"
    subprocess.run([agilemmu, "run", config, "--quiet", "--set", f"mmu.mode={mode}", "--set", f"workload.trace={trace}",
                    "--set", f"mmu.timing={timing}", "--json", j, *extra] +
                   # AT with requests in flight (with one, AT matches LT by design: cli.lt_at_agree)
                   (["--set", "workload.outstanding=4", "--set", "mmu.walkers=2"] if timing == "at" else []),
                   check=True, stdout=subprocess.DEVNULL)
    return json.load(open(j))


full, n_full, _ = take("all")
for fetch in ["line", "page"]:
    trace, n, coalesced = take(fetch)
    check(n == n_full, f"--fetch={fetch}: {n} accesses, {n_full} uncoalesced")
    check(coalesced > n_full // 4, f"--fetch={fetch}: {coalesced} fetches coalesced (more than a quarter of the accesses)")
    for mode, timing in [("nested", "lt"), ("agile", "lt"), ("nested", "at"), ("agile", "at")]:
        extra = FLAT if fetch == "page" else ()
        a, b = replay(trace, mode, timing, extra), replay(full, mode, timing, extra)
        d = (a["cycles"] - b["cycles"]) / b["cycles"]
        name = f"--fetch={fetch} {mode} {timing}"
        check(abs(d) <= 0.001, f"{name}: {a['cycles']} cycles, {b['cycles']} uncoalesced ({d * 100:+.4f}%, within 0.1%)")
        check(a["walks"] == b["walks"] and a["accesses"] == b["accesses"] and a["fetches"] == b["fetches"],
              f"{name}: walks {a['walks']} vs {b['walks']}, accesses and fetches counted alike")
check.exit()
