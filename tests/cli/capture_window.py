"""capture_window.py CAPTURE AGILEMMU CONFIG WINDOW_PROGRAM: steady-state windows (docs/capture.md).
tests/programs/window writes 4096 heap pages and maps, writes and unmaps 64 more, then calls
steady(), which touches only pages it touched before. Captured whole and as a window starting at
steady()'s first call (CAPTURE_START_FN), the window's replay, in every mode, must fault in none
of the 4096 pages again (its prologue brought them in: a handful of faults at most, for code the
exit path runs for the first time) where the whole trace's replay faults in all of them, and its
statistics must be the window's alone: the window's accesses, none of the prologue's events. A
window by count (CAPTURE_SKIP) and by a file appearing (CAPTURE_START_FILE) say where they start
in `trace info`, and CAPTURE_TRACE_LIMIT counts the window's accesses."""
import json
import os
import re
import subprocess
import sys
import tempfile

capture, binary, cfg, program = sys.argv[1:5]
env = dict(os.environ, AGILEMMU=binary)
fail = []


def want(cond, what):
    if not cond:
        fail.append(what)


def run(cmd, extra=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(env, **(extra or {})))
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}")
    return r.stdout


def info(trace):
    out = run([binary, "trace", "info", trace])
    print(out, end="")
    accesses = int(re.search(r": (\d+) accesses", out).group(1))
    m = re.search(r"a window after (\d+) skipped accesses; its prologue: (\d+) page touches \((\d+) of them writes\), "
                  r"(\d+) memory-map events", out)
    return out, accesses, (tuple(int(x) for x in m.groups()) if m else None)


def replay(trace, mode, timing="lt"):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        run([binary, "run", cfg, "--quiet", "--no-host-timing", "--set", f"workload.trace={trace}", "--set",
             f"mmu.mode={mode}", "--set", f"mmu.timing={timing}", "--set", "mmu.check=true", "--json", f.name])
        return json.load(open(f.name))


with tempfile.TemporaryDirectory() as tmp:
    whole, win = f"{tmp}/whole.bin.zst", f"{tmp}/window.bin.zst"
    run([capture, whole, program])
    run([capture, win, program], {"CAPTURE_START_FN": "steady"})
    _, n_whole, w = info(whole)
    want(w is None, "the whole capture says it is a window")
    _, n_win, w = info(win)
    if w is None:
        sys.exit("FAIL: trace info does not show the window of the CAPTURE_START_FN capture")
    skipped, touches, writes, events = w
    want(touches >= 4096 + 64 and writes >= 4096 + 64, f"the prologue has {touches} touches ({writes} writes), "
         "fewer than the pages the program wrote before steady()")
    want(events >= 2, "the prologue lacks the program's mmap and munmap")
    # Same program: the window and what it skipped make the whole (valgrind's noise aside).
    want(abs(skipped + n_win - n_whole) <= n_whole // 100,
         f"skipped {skipped} + window {n_win} is not the whole trace's {n_whole}")
    want(n_win > 8 * 4096 * 2, f"the window holds only {n_win} accesses")
    for mode in ("native", "nested", "shadow", "agile"):
        full = replay(whole, mode)
        j = replay(win, mode)
        print(f"{mode}: whole trace {full['page_faults']} page faults; window {j['page_faults']} page faults, "
              f"{j['accesses']} accesses, {j['os_events']} events")
        want(full["page_faults"] >= 4096 + 64, f"{mode}: the whole trace's replay faulted only {full['page_faults']}")
        want(j["page_faults"] <= 16, f"{mode}: the window's replay faulted {j['page_faults']} pages in again")
        want(j["hard_faults"] == 0, f"{mode}: {j['hard_faults']} hard faults in the window")
        # The footprint the program had built: a page for each of the prologue's touches that maps.
        want(4096 + 64 <= j["prologue_pages"] <= touches,
             f"{mode}: the prologue mapped {j['prologue_pages']} pages of its {touches} touches")
        want(full["prologue_pages"] == 0, f"{mode}: a trace without a window reports {full['prologue_pages']}")
        want(j["accesses"] == n_win, f"{mode}: the replay counted {j['accesses']} accesses, the window has {n_win}")
        want(j["mm_events"]["mmap"] == 0 and j["mm_events"]["munmap"] == 0,
             f"{mode}: the prologue's events are counted in the window's statistics")
        # (page_faults also counts the dirty-bit faults of shadow-style leaves; demand faults are among them)
        want(j["vmm"]["demand_faults"] <= j["page_faults"],
             f"{mode}: {j['vmm']['demand_faults']} demand faults: the prologue's are counted")
        # The prologue walks each page once, as the program's first access did: the A and D bits
        # that set are set at the window's start, so the window writes almost none (before: one per
        # page, 8 240). Not agile: its scan turns the tables the prologue filled nested-style back
        # to shadow-style in the window, and a rebuilt shadow-style leaf starts without A.
        ad = j["mmu"]["walker"]["ad_writes"]
        want(mode == "agile" or ad <= 64, f"{mode}: the window's walks wrote {ad} A/D bits the prologue's accesses had set")
    at = replay(win, "shadow", "at")
    want(at["page_faults"] <= 16, f"shadow at: the window's replay faulted {at['page_faults']} pages in again")

    # By count, and limited: CAPTURE_TRACE_LIMIT counts the window's accesses.
    sk = f"{tmp}/skip.bin.zst"
    run([capture, sk, "/bin/ls", "-lR", "/usr/share/doc"], {"CAPTURE_SKIP": "300000", "CAPTURE_TRACE_LIMIT": "100000"})
    out, n, w = info(sk)
    want(w is not None and w[0] == 300000, f"CAPTURE_SKIP=300000: trace info says {w}")
    want(n == 100000, f"the limited window holds {n} accesses, not 100000")
    want("cut short: the capture's access limit" in out, "the limited window is not marked cut")
    j = replay(sk, "shadow")
    want(j["accesses"] == 100000, f"the skip window's replay counted {j['accesses']} accesses")

    # At a file: a shell makes it, then execs a long program; the window starts in that program.
    fl = f"{tmp}/file.bin.zst"
    run([capture, fl, "/bin/sh", "-c", f": > {tmp}/go; exec /bin/ls -lR /usr/share/doc > /dev/null"],
        {"CAPTURE_START_FILE": f"{tmp}/go", "CAPTURE_TRACE_LIMIT": "100000"})
    out, n, w = info(fl)
    want(w is not None and w[0] > 0, f"CAPTURE_START_FILE: trace info says {w}")
    want(n == 100000, f"the file window holds {n} accesses")
    want(re.search(r"exec 1\)", out) is not None or (w and w[3] > 0), "the exec is neither in the window nor the prologue")
    j = replay(fl, "agile")
    want(j["hard_faults"] == 0, f"file window: {j['hard_faults']} hard faults")

for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
