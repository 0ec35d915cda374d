#!/usr/bin/env bash
# capture_wrapper.sh CAPTURE AGILEMMU: a command that is a wrapper script exec'ing the real
# program (here a shell script that execs /bin/ls, as a python3 shim on PATH would) is traced into
# the real program: the trace holds one exec event (the helper the shim runs in a child is not
# traced: no second exec, no interleaved records) and more references than /bin/ls alone makes (the wrapper's, then all of ls's), where a
# capture that stopped at the wrapper holds fewer.
set -euo pipefail
capture=$1 bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/shim"
# Like most shims it runs a helper first (fork + exec: a child process valgrind also follows).
printf '#!/bin/sh\nhere=$(/usr/bin/dirname "$0")\nexec /bin/ls "$@"\n' > "$tmp/shim/ls"
chmod +x "$tmp/shim/ls"
export AGILEMMU=$bin
PATH="$tmp/shim:$PATH" "$capture" "$tmp/wrapped.bin.zst" ls / > "$tmp/out"
cat "$tmp/out"
grep -q "1 child process(es) that the program forked were not traced" "$tmp/out" \
  || { echo "FAIL: the helper was not left out"; exit 1; }
"$capture" "$tmp/direct.bin.zst" /bin/ls / > /dev/null
accesses() { "$bin" trace info "$1" | sed -n 's/^[^:]*: \([0-9]*\) accesses.*/\1/p'; }
execs() { "$bin" trace info "$1" | sed -n 's/.* exec \([0-9]*\))$/\1/p'; }
w=$(accesses "$tmp/wrapped.bin.zst") d=$(accesses "$tmp/direct.bin.zst")
echo "wrapped: $w accesses, $(execs "$tmp/wrapped.bin.zst") exec; /bin/ls alone: $d accesses, $(execs "$tmp/direct.bin.zst") exec"
[ "$(execs "$tmp/wrapped.bin.zst")" = 1 ] || { echo "FAIL: the wrapper's exec is not in the trace"; exit 1; }
[ "$(execs "$tmp/direct.bin.zst")" = 0 ] || { echo "FAIL: an exec in a trace of /bin/ls alone"; exit 1; }
[ "$w" -gt "$d" ] || { echo "FAIL: the wrapped capture holds fewer accesses than ls alone: not followed into ls"; exit 1; }
# After the exec the addresses are the program's own: the pages lackey's capture of the wrapper
# spans (the stack's top few bytes move with valgrind's noise).
PATH="$tmp/shim:$PATH" CAPTURE_TOOL=lackey "$capture" "$tmp/lackey.bin.zst" ls / > /dev/null
pages() { "$bin" trace info "$1" | sed -n 's/.* addresses \(0x[0-9a-f]*\)[0-9a-f]\{3\}\.\.\(0x[0-9a-f]*\)[0-9a-f]\{3\}$/\1..\2/p'; }
echo "pages: ours $(pages "$tmp/wrapped.bin.zst"), lackey $(pages "$tmp/lackey.bin.zst")"
[ -n "$(pages "$tmp/lackey.bin.zst")" ] && [ "$(pages "$tmp/wrapped.bin.zst")" = "$(pages "$tmp/lackey.bin.zst")" ] ||
  { echo "FAIL: the addresses after the exec span other pages than lackey's"; exit 1; }
echo "ok   the wrapper was followed into /bin/ls"
