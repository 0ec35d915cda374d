#!/usr/bin/env python3
"""shipped_configs.py SOURCE_DIR: every file a shipped config names (include:, trace:, a sweep's
base:) is shipped: it exists in the source tree, relative to the config, and not in a build
directory (a config pointing into build/ fails for a build anywhere else: cmake -B out)."""
import os, re, sys

src = os.path.realpath(sys.argv[1])
configs = os.path.join(src, "configs")
value = re.compile(r"\b(include|trace|base):\s*(\[[^\]]*\]|[^\s,}#]+)")
bad, named = [], 0
for root, _, files in os.walk(configs):
    for f in sorted(files):
        if not f.endswith(".yaml"):
            continue
        path = os.path.join(root, f)
        for n, line in enumerate(open(path), 1):
            line = line.split("#", 1)[0]
            for key, v in value.findall(line):
                for name in v.strip("[]").split(","):
                    name = name.strip().strip("'\"")
                    if not name or (key == "base" and not name.endswith(".yaml")):
                        continue
                    named += 1
                    target = os.path.realpath(os.path.join(root, name))
                    rel = os.path.relpath(target, src)
                    where = f"{os.path.relpath(path, src)}:{n}: {key} {name}"
                    if rel.startswith("..") or any(p.startswith("build") for p in rel.split(os.sep)):
                        bad.append(f"{where}: outside the shipped tree ({rel})")
                    elif not os.path.isfile(target):
                        bad.append(f"{where}: no such shipped file")
for b in bad:
    print(b)
print(f"{named} files named by shipped configs, {len(bad)} not shipped")
sys.exit(1 if bad or named == 0 else 0)
