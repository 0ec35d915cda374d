#!/usr/bin/env python3
"""trace_events.py TRACE: prints a binary trace's memory-map events, one a line (code and operands),
decoded independently of the C++ reader (tb/TRACE_FORMAT.md); a zstd trace goes through `zstd -dc`.
Imported by the capture tests for the same list, for running a capture and for their verdicts."""
import os
import subprocess
import sys

OPERANDS = {1: 4, 2: 2, 3: 4, 4: 1, 5: 3, 6: 3, 7: 1, 8: 0, 9: 1}
NAMES = {1: "mmap", 2: "munmap", 3: "mremap", 4: "brk", 5: "mprotect", 6: "madvise", 7: "exit", 8: "exec", 9: "cut"}


def read(path):
    data = open(path, "rb").read()
    if data[:4] == b"\x28\xb5\x2f\xfd":
        data = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    return data


def events(path):
    """The trace's events [(name, operands...)] in order, and its access count (repeats included)."""
    d = read(path)
    assert d[:8] == b"AMMUTRC\0", f"{path}: bad magic"
    version = int.from_bytes(d[8:12], "little")
    i, out, accesses = 24, [], 0

    def uleb():
        nonlocal i
        v = shift = 0
        while True:
            b = d[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    while i < len(d):
        f = d[i]
        i += 1
        if f & 3 == 3 and version >= 2:
            code = f >> 2
            out.append((NAMES[code],) + tuple(uleb() for _ in range(OPERANDS[code])))
        elif f == 8 and version >= 3:
            accesses += uleb()
        else:
            uleb()
            if f & 4:
                i += 1
            accesses += 1
    return out, accesses


class Checks:
    """Prints each check; exit() fails when any did."""

    def __init__(self):
        self.failed = []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failed.append(what)

    def exit(self):
        sys.exit(1 if self.failed else 0)


def capture(script, out, program, agilemmu, **env):
    """Runs scripts/capture-trace.sh OUT PROGRAM with AGILEMMU and `env` set; its stdout, or exits."""
    r = subprocess.run([script, out] + program, env=dict(os.environ, AGILEMMU=agilemmu, **env), capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.exit(f"capture {env} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


if __name__ == "__main__":
    evs, n = events(sys.argv[1])
    for e in evs:
        print(" ".join(str(x) for x in e))
    print(f"{n} accesses")
