#!/usr/bin/env python3
"""clang_tidy.py SOURCE_DIR BUILD_DIR: runs clang-tidy (the checks in SOURCE_DIR/.clang-tidy) over every
translation unit under model/ and tb/ in BUILD_DIR/compile_commands.json, one per core, and fails on any
warning. GCC-only flags (clang does not know them) are dropped from a copy of the compile commands."""
import json, os, re, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor

src, build = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
GCC_ONLY = {"-fcoroutines", "-fno-var-tracking-assignments", "-fconcepts-diagnostics-depth=2"}
commands = json.load(open(os.path.join(build, "compile_commands.json")))
units, seen = [], set()
for c in commands:
    f = os.path.realpath(os.path.join(c["directory"], c["file"]))
    rel = os.path.relpath(f, src)
    if not re.match(r"(model|tb)/", rel) or f in seen:
        continue
    seen.add(f)
    if "arguments" in c:
        c["arguments"] = [a for a in c["arguments"] if a not in GCC_ONLY]
    else:
        c["command"] = " ".join(a for a in c["command"].split(" ") if a not in GCC_ONLY)
    units.append((rel, c))
if not units:
    sys.exit(f"no translation unit under model/ or tb/ in {build}/compile_commands.json")
tmp = tempfile.mkdtemp()
json.dump([c for _, c in units], open(os.path.join(tmp, "compile_commands.json"), "w"))


def tidy(unit):
    rel, _ = unit
    p = subprocess.run(["clang-tidy", "-p", tmp, "--quiet", os.path.join(src, rel)],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return rel, p.returncode, p.stdout


failed, diagnostics = [], set()
with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
    for rel, rc, out in pool.map(tidy, units):
        found = [l for l in out.splitlines() if re.search(r": (warning|error): ", l)]
        diagnostics.update(found)
        if rc != 0 or found:
            failed.append(rel)
for d in sorted(diagnostics):
    print(d)
print(f"clang-tidy: {len(units)} translation units, {len(diagnostics)} distinct diagnostics, {len(failed)} failing")
sys.exit(1 if failed else 0)
