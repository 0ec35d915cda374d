#!/usr/bin/env python3
"""hierarchy_paths.py AGILEMMU CONFIG_DIR
The cache hierarchy routes each source where it should: fetches through L1I only, data through
L1D, page-table references (both dimensions) from caches.walk_entry down; the coherence checker
passes in LT and AT with the caches on; the page-table line cache (ptcache) still sits in front of
the walks; the same run twice gives the same statistics."""
import json
import subprocess
import sys
import tempfile

binary, cfgdir = sys.argv[1], sys.argv[2]
ON = ["caches.l1i.size=32K", "caches.l1d.size=32K", "caches.l2.size=256K", "caches.llc.size=2M", "caches.llc.ways=16",
      "mmu.check=true", "workload.accesses=30000"]
problems = []


def run(cfg, *sets):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        args = [binary, "run", f"{cfgdir}/{cfg}.yaml", "--no-host-timing", "--quiet", "--json", f.name]
        for s in ON + list(sets):
            args += ["--set", s]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        return json.load(open(f.name))


def lookups(j, level, source):
    c = j["caches"][level]
    return c["hits"][source] + c["misses"][source]


def expect(cond, what):
    if not cond:
        problems.append(what)


for timing in ("lt", "at"):
    t = [f"mmu.timing={timing}"] + (["mmu.walkers=4", "workload.outstanding=8"] if timing == "at" else [])
    j = run("nested", *t)
    expect(lookups(j, "l1i", "fetch") == j["fetches"], f"{timing}: every fetch looks up L1I once")
    expect(lookups(j, "l1d", "fetch") == 0, f"{timing}: fetches never reach L1D")
    expect(lookups(j, "l1i", "read") + lookups(j, "l1i", "walk_first") == 0, f"{timing}: only fetches in L1I")
    expect(lookups(j, "l1d", "walk_first") > 0 and lookups(j, "l1d", "walk_nested") > 0,
           f"{timing}: nested walks read both dimensions through L1D (walk_entry l1d)")
    expect(lookups(j, "l1d", "walk_first") + lookups(j, "l1d", "walk_nested") == j["walk_refs"],
           f"{timing}: every page-table reference looks up L1D once ({j['walk_refs']})")
    expect(run("nested", *t) == j, f"{timing}: two runs give the same statistics")
    k = run("nested", *t, "caches.walk_entry=l2")
    expect(lookups(k, "l1d", "walk_first") + lookups(k, "l1d", "walk_nested") == 0,
           f"{timing}: walk_entry l2 keeps walks out of L1D")
    expect(lookups(k, "l2", "walk_first") + lookups(k, "l2", "walk_nested") == k["walk_refs"],
           f"{timing}: walk_entry l2: every page-table reference looks up L2")
    p = run("nested", *t, "ptcache.lines=64")
    walks_in = lookups(p, "l1d", "walk_first") + lookups(p, "l1d", "walk_nested")
    expect(p["ptcache"]["hits"] > 0 and walks_in == p["walk_refs"] - p["ptcache"]["hits"],
           f"{timing}: the ptcache serves its hits, the rest of the walk references enter L1D")
    expect(j["dram"]["reads"] < run("nested", *t, "caches.l1d.size=0", "caches.l1i.size=0", "caches.l2.size=0",
                                    "caches.llc.size=0")["dram"]["reads"], f"{timing}: the caches save DRAM reads")
for p in problems:
    print("FAIL", p)
print("ok" if not problems else f"{len(problems)} problems")
sys.exit(1 if problems else 0)
