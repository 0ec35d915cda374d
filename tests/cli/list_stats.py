#!/usr/bin/env python3
"""list_stats.py AGILEMMU CONFIGDIR: `agilemmu run --list-stats` names exactly the keys --json writes.

Every key of real outputs -- LT and AT runs, a dynamic agile run, a 5-level run, a run stopped by
Ctrl-C, a run whose huge pages fell back to smaller ones, and the statistic columns of a sweep's
CSV row and JSON-lines record -- must match one listed name, and every listed name must occur in
at least one of those outputs (a listed <label> part matches any number)."""
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

binary, cfgdir = sys.argv[1], sys.argv[2]
errors = []


def flatten(j, prefix=""):
    out = []
    for k, v in j.items():
        name = prefix + "." + k if prefix else k
        out += flatten(v, name) if isinstance(v, dict) else [name]
    return out


def run_json(tmp, name, args, interrupt=False):
    path = os.path.join(tmp, name + ".json")
    cmd = [binary, "run", *args, "--quiet", "--json", path]
    if interrupt:
        p = subprocess.Popen(cmd + ["--set", "workload.accesses=500000000"], stdout=subprocess.DEVNULL)
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        if p.wait() != 0:
            sys.exit(f"{name}: exit code {p.returncode}")
    else:
        subprocess.run(cmd + ["--set", "workload.accesses=3000"], check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        return flatten(json.load(f))


listing = subprocess.run([binary, "run", "--list-stats"], check=True, capture_output=True, text=True).stdout
rows = listing.splitlines()
if not rows or rows[0].split()[:3] != ["NAME", "UNIT", "AGG"]:
    sys.exit("--list-stats: no NAME UNIT AGG DESCRIPTION header")
listed = []
for line in rows[1:]:
    parts = line.split(None, 3)
    if len(parts) < 4:
        errors.append(f"--list-stats line without name, unit, aggregation and description: {line!r}")
        continue
    listed.append(parts[0])
if len(set(listed)) != len(listed):
    errors.append("--list-stats names a key twice")
patterns = {n: re.compile("^" + re.sub(r"<[a-z_]+>", "[0-9]+", re.escape(n)) + "$") for n in listed}

agile, dynamic = os.path.join(cfgdir, "agile.yaml"), os.path.join(cfgdir, "agile-dynamic.yaml")
outputs = {}
with tempfile.TemporaryDirectory() as tmp:
    outputs["lt"] = run_json(tmp, "lt", [agile])  # with host timing
    outputs["at"] = run_json(tmp, "at", [agile, "--no-host-timing", "--set", "mmu.timing=at",
                                         "--set", "mmu.walkers=4", "--set", "workload.outstanding=8"])
    outputs["dynamic"] = run_json(tmp, "dynamic", [dynamic, "--set", "mmu.timing=at"])
    outputs["la57"] = run_json(tmp, "la57", [agile, "--set", "format.levels=5"])
    outputs["interrupted"] = run_json(tmp, "interrupted", [agile], interrupt=True)
    # Two 1 GiB pages in 2.5 GiB of guest memory: the second falls back to smaller pages.
    fallback = os.path.join(tmp, "fallback.yaml")
    with open(fallback, "w") as f:
        f.write(f"include: {os.path.abspath(agile)}\nguest:\n  memory: 2560M\n  host_page_size: 2M\n"
                "  regions: [{name: big, base: 0x8000000000, size: 2G, page_size: 1G}]\n")
    outputs["huge fallback"] = run_json(tmp, "fallback", [fallback])
    sweep = os.path.join(tmp, "s.yaml")
    with open(sweep, "w") as f:
        f.write(f"base: {os.path.abspath(agile)}\naxes:\n  mmu.walkers: [1, 2]\n"
                "set:\n  mmu.timing: at\n  workload.accesses: 2000\n")
    out = os.path.join(tmp, "s.csv")
    subprocess.run([binary, "sweep", sweep, "--out", out, "--quiet", "--no-plots"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        header = next(csv.reader(f))
    not_stats = {"mmu.walkers", "host_seconds", "point", "status", "error"}
    # A statistic named like a sweep column is written as stat.NAME.
    outputs["sweep csv"] = [h[5:] if h.startswith("stat.") else h for h in header if h not in not_stats]
    with open(os.path.splitext(out)[0] + ".jsonl") as f:
        outputs["sweep jsonl"] = flatten(json.loads(f.readline())["stats"])

seen = set()
for what, keys in outputs.items():
    if not keys:
        errors.append(f"{what}: no statistics")
    for k in keys:
        hits = [n for n, p in patterns.items() if p.match(k)]
        if len(hits) != 1:
            errors.append(f"{what}: key {k} matches {len(hits)} listed names {hits}")
        seen.update(hits)
for n in listed:
    if n not in seen:
        errors.append(f"listed {n} is written by none of the runs")

for e in errors:
    print("FAIL", e)
print(f"{len(listed)} listed names, {sum(len(k) for k in outputs.values())} keys in {len(outputs)} outputs")
sys.exit(1 if errors else 0)
