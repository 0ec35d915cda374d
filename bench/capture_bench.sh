#!/usr/bin/env bash
# capture_bench.sh [--quick]: capture speed of our valgrind tool (agilemmu-capture) against lackey
# on the same real programs, in one run: accesses per second of the program under valgrind
# (wall clock, valgrind's start included) into a zstd-compressed trace (scripts/capture-trace.sh)
# and into /dev/null (the tool's buffer written to /dev/null; lackey's log read by `head`, which
# stops at the limit), the compressed bytes per access, and the ratios ours/lackey. Markdown on
# stdout.
#
#   sort   coreutils sort -n of 200,000 shuffled numbers (the whole program, ~1.4 G accesses)
#   xz     xz -9 -T1 of 4 MB of generated numbers (its first OURS accesses)
# lackey runs about 1 M accesses/s, so it is stopped after LACKEY accesses (default 10 M, --quick
# 3 M); ours after OURS (default 600 M, --quick 60 M). AGILEMMU and AGILEMMU_CAPTURE_LIB as for
# capture-trace.sh. About 2 minutes (--quick: 40 s) on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
capture=$here/scripts/capture-trace.sh
export AGILEMMU=${AGILEMMU:-$here/build/tb/agilemmu}
vglib=${AGILEMMU_CAPTURE_LIB:-$here/build/capture/vglib}
lackey_n=10000000 ours_n=600000000
[ "${1:-}" = --quick ] && lackey_n=3000000 ours_n=60000000
[ -x "$AGILEMMU" ] && [ -e "$vglib/agilemmu-capture-amd64-linux" ] ||
  { echo "capture_bench: build agilemmu and agilemmu_capture first (cmake --build build)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seq 200000 | shuf --random-source=<(yes) > "$tmp/numbers"
perl -e 'srand(3); print join(" ", map { int(rand(1e6)) } 1 .. 12) . "\n" for 1 .. 50000' > "$tmp/text"

now() { date +%s.%N; }
accesses() { "$AGILEMMU" trace info "$1" | sed -n 's/^[^:]*: \([0-9]*\) accesses.*/\1/p'; }
# zstd: a capture through the script; prints "accesses seconds bytes".
to_zstd() {  # TOOL LIMIT NAME CMD...
  local tool=$1 lim=$2 name=$3 t0 t1
  shift 3
  t0=$(now)
  (cd "$tmp" && CAPTURE_TOOL=$tool CAPTURE_TRACE_LIMIT=$lim "$capture" "$tmp/$name.bin.zst" "$@" > /dev/null)
  t1=$(now)
  echo "$(accesses "$tmp/$name.bin.zst") $(echo "$t1 - $t0" | bc) $(stat -c %s "$tmp/$name.bin.zst")"
  rm -f "$tmp/$name.bin.zst"
}
# /dev/null: valgrind directly; prints "accesses seconds". Ours stops at LIMIT (or the program's
# end) and says how many; lackey's log lines are counted for LACKEY_SECONDS, then it is killed.
to_null() {  # TOOL LIMIT CMD...
  local tool=$1 lim=$2 t0 t1 n
  shift 2
  if [ "$tool" = agilemmu ]; then
    mkdir -p "$tmp/st" && rm -f "$tmp/st"/*
    t0=$(now)
    (cd "$tmp" && VALGRIND_LIB=$vglib valgrind --tool=agilemmu-capture --out=/dev/null --state-dir="$tmp/st" \
      --limit="$lim" "$@" > /dev/null 2> "$tmp/null.err") || true
    t1=$(now)
    n=$(sed -n 's/.*agilemmu-capture: limit of \([0-9]*\) accesses.*/\1/p; s/.*agilemmu-capture: \([0-9]*\) accesses$/\1/p' "$tmp/null.err")
    echo "$n $(echo "$t1 - $t0" | bc)"
  else
    # lackey's log through a FIFO into head, which stops reading at LIMIT lines (one per access,
    # plus a few valgrind lines); then lackey is stopped.
    rm -f "$tmp/lk" && mkfifo "$tmp/lk"
    t0=$(now)
    (cd "$tmp" && exec env VALGRIND_LIB="$vglib" valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/lk" "$@" \
      > /dev/null 2>&1) &
    local vp=$!
    head -n "$lim" < "$tmp/lk" > /dev/null
    t1=$(now)
    kill -KILL "$vp" 2> /dev/null || true
    wait "$vp" 2> /dev/null || true
    echo "$lim $(echo "$t1 - $t0" | bc)"
  fi
}
rate() { echo "scale=2; $1 / $2 / 1000000" | bc; }

echo "| program | capture | ours M acc/s | lackey M acc/s | ours / lackey | ours bytes/access |"
echo "|---|---|---|---|---|---|"
bench() {  # NAME CMD...
  local name=$1
  shift
  read -r on os ob < <(to_zstd agilemmu "$ours_n" "$name-ours" "$@")
  read -r ln ls _ < <(to_zstd lackey "$lackey_n" "$name-lackey" "$@")
  local ro rl
  ro=$(rate "$on" "$os") rl=$(rate "$ln" "$ls")
  echo "| $name | zstd file | $ro | $rl | $(echo "scale=1; $ro / $rl" | bc)x | $(echo "scale=3; $ob / $on" | bc) |"
  read -r on os < <(to_null agilemmu "$ours_n" "$@")
  read -r ln ls < <(to_null lackey "$lackey_n" "$@")
  ro=$(rate "$on" "$os") rl=$(rate "$ln" "$ls")
  echo "| $name | /dev/null | $ro | $rl | $(echo "scale=1; $ro / $rl" | bc)x | |"
}
LC_ALL=C bench sort sort -n numbers
bench xz xz -9 -T1 -c text
echo
echo "ours: the first $ours_n accesses (or the whole program); lackey: the first $lackey_n; wall clock, valgrind's start included"
