#!/usr/bin/env python3
"""capture_vs_lackey.py CAPTURE AGILEMMU CONFIG PROGRAM [ARGS...]: captures PROGRAM with our valgrind
tool and with lackey (CAPTURE_TOOL=lackey) and checks the two traces agree:
  - the same memory-map events, in order, with the same operands;
  - access counts (fetch, read, write) within 0.05%;
  - replays (CONFIG, agile paging): page faults, walks and cycles within 0.1%.
The tolerances are valgrind's noise, not the tools': capture-trace.sh gives both the same
environment and VALGRIND_LIB, but valgrind itself differs in the tool it loads (its name, its
size: where valgrind's own allocations land), and the program's startup makes a few accesses more
or fewer (13 of 776,000 on /bin/ls here). With a different environment the counts drift by
0.2% and, through the stack's page crossings and DRAM row state, cycles by up to 3%: that is
why the script fixes it. Exits 77 (skipped) only when valgrind is missing."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_events import Checks, capture as run_capture, events  # noqa: E402

capture, agilemmu, config, program = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
if not shutil.which("valgrind"):
    print("skipped: valgrind is not installed (scripts/install-deps.sh)")
    sys.exit(77)
tmp = tempfile.mkdtemp()
check = Checks()
# Both captures run with one fixed, small environment and working directory, whatever CTest's are:
# the program's stack (its environment strings) moves with them, and with it how many
# alignment-dependent instructions its startup runs and where its stack pages fall. Under CTest's
# environment (pyenv's PATH and variables) the two tools' captures of /bin/ls differed by 308
# fetches (0.053%) and 2.9% of replay cycles; with this one they agree within 0.02% in every
# environment the test is started from.
keep = {k: os.environ[k] for k in ("AGILEMMU_CAPTURE_LIB", "HOME") if k in os.environ}
os.environ.clear()
os.environ.update(keep, PATH="/usr/bin:/bin", LC_ALL="C")
os.chdir("/")


def take(tool):
    out = f"{tmp}/{tool}.bin.zst"
    log = run_capture(capture, out, program, agilemmu, CAPTURE_TOOL=tool)
    m = re.search(r"(\d+) accesses \(fetch (\d+), read (\d+), write (\d+)\)", log)
    return out, [int(x) for x in m.groups()]


def replay(trace):
    j = f"{trace}.json"
    subprocess.run([agilemmu, "run", config, "--quiet", "--set", "mmu.mode=agile", "--set", f"workload.trace={trace}",
                    "--json", j], check=True, stdout=subprocess.DEVNULL)
    return json.load(open(j))


def near(a, b, tol):
    return abs(a - b) <= tol * max(a, b)


ours, n_ours = take("agilemmu")
theirs, n_theirs = take("lackey")
ev_ours, ev_theirs = events(ours)[0], events(theirs)[0]
check(ev_ours == ev_theirs and len(ev_ours) > 0, f"the same {len(ev_theirs)} memory-map events in order ({len(ev_ours)} ours)")
for name, a, b in zip(["accesses", "fetches", "reads", "writes"], n_ours, n_theirs):
    check(near(a, b, 0.0005), f"{name}: {a} ours, {b} lackey ({(a - b) / b * 100:+.3f}%, within 0.05%)")
r_ours, r_theirs = replay(ours), replay(theirs)
for k in ["page_faults", "walks", "cycles"]:
    a, b = r_ours[k], r_theirs[k]
    check(near(a, b, 0.001), f"replay {k}: {a} ours, {b} lackey ({(a - b) / max(b, 1) * 100:+.3f}%, within 0.1%)")
check(r_ours["hard_faults"] == 0 and r_theirs["hard_faults"] == 0, "no hard faults in either replay")
shutil.rmtree(tmp)
check.exit()
