#!/usr/bin/env python3
"""check-links.py [ROOT] — every relative link and image in README.md and docs/*.md must name a
file of the tree and, with #anchor, a heading of that Markdown file (GitHub's anchor rules); every
docs/*.md page must be reachable from README.md by links. Exit 1 listing each problem
(file:line: link), 0 when all hold. The CTest check docs.links runs it."""
import os
import re
import sys
from collections import deque

# Pages other branches of this round add (linked from README.md before they land). A page of this
# list that exists is an error too, so that the list is emptied as they are merged.
PENDING: set = set()

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def outside_code(path):
    """(line number, text) of each line outside fenced code blocks, inline code spans removed."""
    fence = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if not fence:
            yield n, re.sub(r"`[^`]*`", "", line)


def anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats -1, -2..."""
    seen, out = {}, set()
    for _, line in outside_code_headings(path):
        slug = re.sub(r"[^\w\- ]", "", line.strip().lower().replace("`", "")).replace(" ", "-")
        k = seen.get(slug, 0)
        seen[slug] = k + 1
        out.add(slug if k == 0 else f"{slug}-{k}")
    return out


def outside_code_headings(path):
    fence = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("```"):
            fence = not fence
        elif not fence and re.match(r"#{1,6} ", line):
            yield n, line.split(" ", 1)[1]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    docs = sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
    pages = ["README.md"] + docs
    problems, edges = [], {p: set() for p in pages}
    cache = {}
    for page in pages:
        for n, line in outside_code(os.path.join(root, page)):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                    continue
                file, _, anchor = target.partition("#")
                rel = os.path.normpath(os.path.join(os.path.dirname(page), file)) if file else page
                where = f"{page}:{n}: {target}"
                if rel in PENDING and not os.path.exists(os.path.join(root, rel)):
                    edges[page].add(rel)
                    continue
                if not os.path.exists(os.path.join(root, rel)):
                    problems.append(f"{where}: no file {rel}")
                    continue
                edges[page].add(rel)
                if anchor:
                    if not rel.endswith(".md"):
                        problems.append(f"{where}: an anchor into a file that is not Markdown")
                    elif anchor not in cache.setdefault(rel, anchors(os.path.join(root, rel))):
                        problems.append(f"{where}: no heading with anchor #{anchor} in {rel}")
    for p in sorted(PENDING):
        if os.path.exists(os.path.join(root, p)):
            problems.append(f"{p} exists now: remove it from PENDING in scripts/check-links.py")
    reached, todo = {"README.md"}, deque(["README.md"])
    while todo:
        for q in edges.get(todo.popleft(), ()):
            if q not in reached:
                reached.add(q)
                todo.append(q)
    problems += [f"{d}: not reachable by links from README.md" for d in docs if d not in reached]
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok   {len(pages)} pages: every relative link resolves, every docs page is reachable from README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
