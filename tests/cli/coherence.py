#!/usr/bin/env python3
"""coherence.py AGILEMMU CONFIGS_DIR shipped|hostmove-lt|hostmove-at|multiprocess: runs with the translation-coherence checker
on (mmu.check: every delivered translation against a fresh uncached walk of the tables as they
are at that moment; a difference stops the run with exit code 1).
  shipped   every shipped config and scenario, in LT and in AT (4 walkers, 8 in flight)
  hostmove-lt, hostmove-at
            the host-migration scenario (migrations, remaps, unmaps of 4 KiB and 2 MiB guest
            pages) in every paging mode and both agile policies (the dynamic one scanning often),
            with 4 KiB, 2 MiB and 1 GiB host pages, in LT or in AT
  multiprocess
            the three-process config (context switches, exits, host migrations whose 2 MiB host
            pages back several processes) in every paging mode, with 4 KiB and 2 MiB host pages,
            in LT and in AT
Each run must also have checked every translation it made."""
import glob, json, os, subprocess, sys, tempfile

binary, cfgdir, which = sys.argv[1], sys.argv[2], sys.argv[3]
tmp = tempfile.mkdtemp()
AT = ["--set", "mmu.timing=at", "--set", "mmu.walkers=4", "--set", "workload.outstanding=8"]
runs = []
if which == "shipped":
    for c in sorted(glob.glob(os.path.join(cfgdir, "*.yaml")) + glob.glob(os.path.join(cfgdir, "scenarios", "*.yaml"))):
        runs += [(c, []), (c, AT)]
elif which == "multiprocess":
    c = os.path.join(cfgdir, "multiprocess.yaml")
    for mode in (["mmu.mode=native"], ["mmu.mode=nested"], ["mmu.mode=shadow"], ["mmu.mode=agile", "agile.policy=static"],
                 ["mmu.mode=agile", "agile.policy=dynamic", "agile.interval=50000"]):
        for hp in ("4K", "2M"):
            sets = [a for kv in mode + [f"guest.host_page_size={hp}", "workload.time_slice=700"] for a in ("--set", kv)]
            runs += [(c, sets), (c, sets + AT)]
else:
    c = os.path.join(cfgdir, "scenarios", "hostmove.yaml")
    modes = [["mmu.mode=native"], ["mmu.mode=nested"], ["mmu.mode=shadow"], ["mmu.mode=agile", "agile.policy=static"],
             ["mmu.mode=agile", "agile.policy=dynamic", "agile.interval=50000"]]
    for mode in modes:
        for hp in ("4K", "2M", "1G"):
            sets = [a for kv in mode + [f"guest.host_page_size={hp}"] for a in ("--set", kv)]
            runs.append((c, sets + (AT if which == "hostmove-at" else [])))
failures, checked, events, switches = [], 0, 0, 0
for cfg, extra in runs:
    out = os.path.join(tmp, "o.json")
    args = [binary, "run", cfg, "--quiet", "--set", "mmu.check=true", "--set", "workload.accesses=10000",
            "--json", out, *extra]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    name = os.path.basename(cfg) + " " + " ".join(a for a in extra if a != "--set")
    if p.returncode != 0:
        failures.append(f"{name}: exit {p.returncode}\n{p.stdout[-2000:]}")
        continue
    j = json.load(open(out))
    if j["mmu"]["checked_translations"] != j["translations"]:
        failures.append(f"{name}: checked {j['mmu']['checked_translations']} of {j['translations']} translations")
    checked += j["mmu"]["checked_translations"]
    v = j["vmm"]
    events += v["host_migrations"] + v["remaps"] + v["unmaps"]
    switches += sum(v["to_nested"].values()) + sum(v["to_shadow"].values())
print(f"{len(runs)} runs, {checked} translations checked, {events} migrations/remaps/unmaps, "
      f"{switches} agile switches, {len(failures)} with differences")
if which != "shipped" and (events == 0 or switches == 0):
    failures.append("the host-migration scenario changed no mapping or made no agile switch")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
