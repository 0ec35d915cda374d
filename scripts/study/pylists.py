# Building and dropping large structures in CPython: each round builds a list of small objects
# (tuples and ints live in pymalloc's arenas, which are mmap'd and munmap'd whole once empty;
# strings above 512 bytes come from malloc) and drops it. Usage: python3 -S pylists.py [ROUNDS] [N]
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
for r in range(rounds):
    x = [(i, r) for i in range(n)]
    y = ["s" * (600 + i % 64) for i in range(n // 20)]
    del x, y
