#!/usr/bin/env bash
# rss_bench.sh [ACCESSES_MILLIONS] [lackey|binary] — peak RSS of a long streamed trace replay. The
# trace goes through a FIFO (never on disk whole), so the reader must stream:
#   lackey  /bin/ls's lackey trace (captured once with valgrind) repeated;
#   binary  tests/fuzz/corpus/trace/ls-head.lackey encoded in the binary format as one period
#           whose first delta returns to its start, repeated (header record count 0: unknown).
# Reports peak RSS for a 1/16 run and the full run: flat memory means the two are close.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/build/tb/agilemmu
millions=${1:-100}
format=${2:-lackey}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$format" = binary ]; then
  python3 - "$here/tests/fuzz/corpus/trace/ls-head.lackey" "$work" <<'PY'
import struct, sys
recs = []
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) != 2 or p[0] not in ("I", "L", "S", "M"):
        continue
    a, n = p[1].split(",")
    a, n = int(a, 16), int(n)
    kinds = {"I": [0], "L": [1], "S": [2], "M": [1, 2]}[p[0]]
    recs += [(k, a, n) for k in kinds]
def rec(kind, delta, size):
    z = ((delta << 1) ^ (delta >> 63)) & (2**64 - 1)
    out = bytearray([kind | (4 if size != 8 else 0)])
    while True:
        b, z = z & 0x7F, z >> 7
        out.append(b | (0x80 if z else 0))
        if not z:
            break
    if size != 8:
        out.append(size)
    return bytes(out)
def encode(last):
    out = bytearray()
    for k, a, n in recs:
        d = a - last
        out += rec(k, d if d < 2**63 else d - 2**64, n)
        last = a
    return bytes(out)
# The start: the header and a copy from address 0; each period follows a copy of itself, so its
# first delta returns to the start.
open(sys.argv[2] + "/start", "wb").write(b"AMMUTRC\0" + struct.pack("<IIQ", 1, 0, 0) + encode(0))
open(sys.argv[2] + "/period", "wb").write(encode(recs[-1][1]) * 10000)
open(sys.argv[2] + "/per", "w").write(str(len(recs) * 10000))
PY
  per=$(cat "$work/per")
  emit() { cat "$work/start"; for _ in $(seq "$1"); do cat "$work/period"; done; }
else
  trace=$here/build/traces/ls.lackey
  [ -f "$trace" ] || bash "$here/scripts/capture-trace.sh" "$trace" /bin/ls / > /dev/null
  per=$(wc -l < "$trace")
  emit() { for _ in $(seq "$1"); do cat "$trace"; done; }
fi
run() {  # $1 = accesses wanted
  local reps=$(( $1 / per + 1 )) fifo=$work/fifo
  mkfifo "$fifo"
  ( emit "$reps" > "$fifo" 2> /dev/null || true ) &
  /usr/bin/time -f "%M %e" -o "$work/time" "$bin" run "$here/configs/scenarios/trace-ls.yaml" --quiet \
    --set workload.trace="$fifo" --set workload.trace_limit="$1" > /dev/null
  wait
  rm -f "$fifo"
  read -r kb sec < "$work/time"
  echo "$1 $kb $sec"
}
small=$(( millions * 1000000 / 16 ))
read -r n1 kb1 s1 <<< "$(run $small)"
read -r n2 kb2 s2 <<< "$(run $(( millions * 1000000 )))"
echo "$format trace through a FIFO"
printf '%-14s %12s %10s %14s\n' accesses "peak RSS" seconds "M accesses/s"
printf '%-14s %9.1f MiB %10.1f %14.2f\n' "$n1" "$(awk "BEGIN{print $kb1/1024}")" "$s1" "$(awk "BEGIN{print $n1/$s1/1e6}")"
printf '%-14s %9.1f MiB %10.1f %14.2f\n' "$n2" "$(awk "BEGIN{print $kb2/1024}")" "$s2" "$(awk "BEGIN{print $n2/$s2/1e6}")"
printf 'RSS ratio full/small: %.2f\n' "$(awk "BEGIN{print $kb2/$kb1}")"
