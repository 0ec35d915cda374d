#!/usr/bin/env python3
"""invariants.py AGILEMMU CONFIG: runs the config twice (same seed) and checks what must hold
for any run: identical statistics apart from host timing, counters that add up, references
per walk within what the paging mode can make."""
import json, subprocess, sys, tempfile, os

binary, cfg, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
tmp = tempfile.mkdtemp()
def run(name, *more):
    path = os.path.join(tmp, name + ".json")
    subprocess.run([binary, "run", cfg, "--quiet", "--set", "workload.accesses=20000", "--json", path, *extra, *more],
                   check=True, stdout=subprocess.DEVNULL)
    return json.load(open(path))
a, b = run("a"), run("b")
failures = []
def check(cond, msg):
    if not cond:
        failures.append(msg)
for k in ("host_seconds", "accesses_per_second"):
    a.pop(k), b.pop(k)
check(a == b, "same config and seed gave different statistics")
check(a["tlb_hits"] + a["tlb_misses"] == a["translations"], "tlb hits + misses != translations")
m = a["mmu"]
for s in ("l1i_tlb", "l1d_tlb", "l2_tlb", "pwc", "npwc", "ntlb"):
    check(m[s]["hits"] + m[s]["misses"] == m[s]["lookups"], f"{s}: hits + misses != lookups")
check(m["l2_tlb"]["lookups"] <= m["l1i_tlb"]["lookups"] + m["l1d_tlb"]["lookups"] or m["l1d_tlb"]["entries"] == 0,
      "L2 looked up more often than the L1s missed")
levels = 4
# Reads, each possibly followed by its A/D write, plus (2-D) the D write of the nested leaf
# mapping each guest page-table page.
reads = {"native": levels, "shadow": levels, "nested": levels * 5 + 4, "agile": levels * 5 + 4}[a["mode"]]
bound = 2 * reads + (levels if a["mode"] in ("nested", "agile") else 0)
hist = {int(k): v for k, v in m["walker"]["refs_per_walk_histogram"].items()}
check(max(hist, default=0) <= bound, f"a walk made {max(hist)} references, more than {bound} in {a['mode']} mode")
check(sum(hist.values()) == a["walks"], "refs-per-walk histogram does not count every walk")
check(a["walk_refs"] == m["walker"]["refs_compound_port"] + m["walker"]["refs_nested_port"], "refs per port do not add up")
check(0 < m["walker"]["ad_writes"] < a["walk_refs"] or a["walks"] == 0, "walks made no A/D writes, or only writes")
if a["mode"] in ("native", "shadow"):
    check(m["walker"]["refs_nested_port"] == 0, "a 1-D walk used the nested port")
check(a["accesses"] == a["fetches"] + a["reads"] + a["writes"], "access mix does not add up")
procs = a["processes"]
check(a["accesses"] == 20000 * len(procs["accesses"]) or a["config"].endswith("trace-ls.yaml"),
      "--set workload.accesses was not applied (to every process)")
# Per-process counters add up to the VM's.
for per, total in (("accesses", a["accesses"]), ("vmm_cycles", a["vmm_cycles"]), ("guest_os_cycles", a["guest_os_cycles"]),
                   ("traps", a["vmm_traps"]), ("context_switches", a["vmm"]["context_switches"])):
    check(sum(procs[per].values()) == total, f"processes.{per} does not add up to {total}")
# Translation time: exposed (any translation in progress) never exceeds the run or the per-request sum;
# in LT, one request at a time, the two are the same.
check(a["translate_exposed_cycles"] <= min(a["translate_cycles"], a["cycles"]) + 1, "exposed translation cycles "
      f"{a['translate_exposed_cycles']} above the sum {a['translate_cycles']} or the run {a['cycles']}")
if a["timing"] == "lt":
    # With the core model on, an instruction (base_cpi 0.5) issues before a 1-cycle TLB hit ends, so
    # translations overlap; the equality holds for the CPU that stalls on every latency.
    f = run("flat_core", "--set", "core.enabled=false")
    check(abs(f["translate_exposed_cycles"] - f["translate_cycles"]) <= 1, "LT: exposed != summed translation cycles")
check(abs(a["walks_per_1000_accesses"] - 1000 * a["walks"] / a["accesses"]) < 1e-9, "walks_per_1000_accesses")
check(abs(a["cycles_per_access"] - a["cycles"] / a["accesses"]) < 1e-9, "cycles_per_access")
c = run("c", "--set", "mmu.mode=nested")
check(c["mode"] == "nested", "--set mmu.mode was not applied")
print(f"{cfg}: mode {a['mode']}, {a['walks']} walks, {a['refs_per_walk']:.2f} refs/walk")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
