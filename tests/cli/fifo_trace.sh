#!/usr/bin/env bash
# fifo_trace.sh AGILEMMU CONFIG LACKEY: a trace streamed through a FIFO (as bench/rss_bench.sh
# does) replays exactly like the same bytes in a regular file, in both formats, plain and zstd: nothing may open
# the trace twice or read ahead of the reader (a FIFO's data is gone once read).
set -euo pipefail
bin=$1 cfg=$2 lackey=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$lackey" "$lackey" "$lackey" > "$tmp/t.lackey"
"$bin" trace convert "$tmp/t.lackey" "$tmp/t.bin" > /dev/null
"$bin" trace convert "$tmp/t.lackey" "$tmp/t.bin.zst" > /dev/null
zstd -q "$tmp/t.lackey" -o "$tmp/t.lackey.zst"
for t in t.lackey t.bin t.bin.zst t.lackey.zst; do
  "$bin" run "$cfg" --quiet --no-host-timing --set workload.trace="$tmp/$t" --json "$tmp/file.json" > /dev/null
  mkfifo "$tmp/fifo"
  cat "$tmp/$t" > "$tmp/fifo" &
  # A reader that opens the FIFO twice blocks forever once the writer is gone: time out instead.
  timeout 20 "$bin" run "$cfg" --quiet --no-host-timing --set workload.trace="$tmp/fifo" --json "$tmp/fifo.json" > /dev/null \
    || { echo "FAIL: the run on the FIFO failed or hung"; kill %1 2> /dev/null; exit 1; }
  wait
  rm "$tmp/fifo"
  cmp "$tmp/file.json" "$tmp/fifo.json"
  echo "ok   $t through a FIFO: $(grep -o '"accesses": [0-9]*' "$tmp/fifo.json"), statistics identical"
done
