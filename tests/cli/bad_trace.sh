#!/usr/bin/env bash
# bad_trace.sh AGILEMMU CONFIG: a malformed lackey record stops the run with exit code 2 and a
# message naming the file and line.
set -u
bin=$1 cfg=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'I  0401ab70,3\n S 1fff000618,8\n L 1fff00zz10,8\n' > "$tmp/bad.lackey"
out=$("$bin" run "$cfg" --quiet --set workload.trace="$tmp/bad.lackey" 2>&1)
rc=$?
echo "$out"
[ "$rc" = 2 ] || { echo "exit code $rc, expected 2"; exit 1; }
echo "$out" | grep -q "bad.lackey:3: malformed lackey record (address is not hexadecimal): ' L 1fff00zz10,8'" || exit 1
