#!/usr/bin/env bash
# study.sh [--out DIR] [--quick] [--check] — the paper-style study: captures seven real programs
# from Debian packages under valgrind (scripts/capture-trace.sh), replays each in native, nested,
# shadow and agile paging (the study's default policy and each policy: static, dynamic, isca),
# and writes DIR/study.md (the table), DIR/study.png (overhead over native, split into page-walk
# cycles and VMM + guest-OS cycles), DIR/study.csv and DIR/runs/*.json.
#
#   sort     coreutils sort -S 400M of 256 MiB of 4 KiB lines (the kernel fills the buffer)  >= 256 MiB
#   lookup   perl: a 256 MiB table read through, then at random; 40 MiB buffers come and go  >= 256 MiB
#   churn    perl: buffers mmap'd, written, munmap'd; small hashes come and go          alloc/free heavy
#   python   CPython: lists of small objects built and dropped, heap trimmed on free     alloc/free heavy
#   cc1      gcc's cc1 -O2 on a generated C file                                         a compiler
#   xz       xz -9 (a 674 MiB encoder: hash tables and a 64 MiB dictionary)
#   sqlite   sqlite3 in-memory database: indexed bulk insert of 200,000 rows, then deletes
# and three TLB-intensive programs (issue 26 item 4), each a steady-state window of STUDY_WINDOW
# accesses (default 500 M) after its start-up (docs/capture.md: windows):
#   sysbench sysbench memory: random writes over a 1 GiB block (window after 2.5 G accesses: the first 2.15 G are the block's
#            memset, a byte per store under valgrind)
#   rbtree   stress-ng --tree rb: a red-black tree of 4 M nodes built, searched, emptied, in its
#            worker process (CAPTURE_FORK_OUT; window after 300 M of the worker's accesses)
#   redis    redis-server on 127.0.0.1 with 1 M keys, random GETs from redis-benchmark (pipeline
#            32) outside valgrind (scripts/study/redis-drive.sh); window once the keys are loaded
#
# Captures run under our valgrind tool (scripts/capture-trace.sh; lackey when it is not built):
# every program but sort and lookup is captured for its first STUDY_LIMIT accesses (default 30 M);
# sort and lookup are captured whole (lookup: 934 M accesses, as its first 80 M are mostly the
# table's fill; docs/study.md). (Those limits date from lackey's 1-2 M accesses/s; the tool
# captures tens of M/s.) Traces are kept in DIR/traces and
# reused when captured the same way; replays always run again. --quick shrinks inputs and the
# limit (2 M) so the pipeline runs in about 15 s (the study.quick test); its numbers are not the
# study's. --check exits 1 unless, on every workload, the default agile policy costs at most 2%
# more cycles than the better of nested and shadow, and on each mixed workload (see docs/compare-modes.md) less
# than both. The default is agile.policy of configs/study.yaml. AGILEMMU overrides the binary
# (else build/tb/agilemmu, built if missing); STUDY_JOBS (default: cores) runs replays in
# parallel. With seven of the ten traces already captured, about 18 minutes on 2 cores (docs/study.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${AGILEMMU:-$here/build/tb/agilemmu}
out=study-results quick=false check=false
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --quick) quick=true; shift ;;
    --check) check=true; shift ;;
    *) echo "usage: $0 [--out DIR] [--quick] [--check]" >&2; exit 2 ;;
  esac
done
if [ -z "${AGILEMMU:-}" ] && { [ ! -x "$bin" ] || [ ! -d "$here/build/capture/vglib" ]; }; then
  # from a clean checkout: build the simulator and the capture tool (else captures fall back to lackey)
  echo "study: building agilemmu and the capture tool (cmake preset default)"
  (cd "$here" && cmake --preset default > /dev/null &&
    cmake --build --preset default -j"$(nproc)" --target agilemmu agilemmu_capture > /dev/null)
fi
[ -x "$bin" ] || { echo "study: no agilemmu binary at $bin (build it, or set AGILEMMU)" >&2; exit 2; }
for t in valgrind perl sort xz sqlite3 /usr/bin/python3 sysbench stress-ng redis-server redis-benchmark redis-cli; do
  command -v $t > /dev/null || { echo "study: $t is not installed (scripts/install-deps.sh)" >&2; exit 2; }
done
cc1=$(gcc -print-prog-name=cc1)
[ -x "$cc1" ] || { echo "study: gcc's cc1 not found (build-essential)" >&2; exit 2; }
export AGILEMMU=$bin
if $quick; then
  limit=${STUDY_LIMIT:-2000000} sort_mib=8 table_mib=16 sort_limit=$limit lookup_limit=$limit
  window=${STUDY_WINDOW:-2000000} sb_block=64M sb_skip=160000000 tree_nodes=65536 tree_skip=30000000 redis_keys=20000
else
  limit=${STUDY_LIMIT:-30000000} sort_mib=256 table_mib=256 sort_limit= lookup_limit=
  window=${STUDY_WINDOW:-500000000} sb_block=1G sb_skip=2500000000 tree_nodes=4194304 tree_skip=300000000 redis_keys=1000000
fi
mkdir -p "$out/inputs" "$out/traces" "$out/runs"
out=$(cd "$out" && pwd)
in=$out/inputs

# Inputs, generated deterministically (fixed seeds).
[ -s "$in/sort-$sort_mib.txt" ] || perl -e 'srand(1); my $pad = "x" x 4079;
  printf "%016x%s\n", int(rand(2**48)), $pad for 1 .. shift() * 256' "$sort_mib" > "$in/sort-$sort_mib.txt"
[ -s "$in/gen.c" ] || perl -e 'srand(2); for my $f (1 .. 60) {
    printf "static int f%d(int *a, int n) {\n  int s = 0;\n  for (int i = 0; i < n; i++) { s += a[i] * %d; if (s > %d) s ^= a[(i + %d) %% n]; }\n  return s;\n}\n",
      $f, int(rand(100)), int(rand(1000)), $f }
  print "int main(void) { int a[64] = {0}; return ", join(" + ", map { "f$_(a, 64)" } 1 .. 60), ";\n}\n"' > "$in/gen.c"
cat > "$in/load.sql" <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v BLOB);
CREATE INDEX tk ON t(k);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000)
INSERT INTO t SELECT i, printf('%08x', (i * 2654435761) % 4294967296), zeroblob(100 + i % 300) FROM c;
DELETE FROM t WHERE id % 3 = 0;
SELECT count(*), sum(length(v)) FROM t;
SQL

capture() {  # NAME LIMIT CMD... (a window with CAPTURE_SKIP / CAPTURE_START_FILE; STUDY_CHILD=1: the
  # trace is the program's largest forked child's, its worker)
  local name=$1 lim=$2
  shift 2
  local trace=$out/traces/$name.bin.zst
  # (STUDY_STAMP stands for the command where it holds what changes every run, redis's port; the
  # checkout's path is left out, so that two checkouts share their traces)
  local stamp="tool=${CAPTURE_TOOL:-agilemmu} limit=$lim ${GLIBC_TUNABLES:-} skip=${CAPTURE_SKIP:-} child=${STUDY_CHILD:-} ${STUDY_STAMP:-${*//$here/.}}"
  # A trace is reused only when it was captured the same way (not a --quick one for the study).
  if [ -s "$trace" ] && [ "$(cat "$trace.how" 2> /dev/null)" = "$stamp" ]; then
    echo "study: $name: reusing $trace"
    return
  fi
  rm -f "$trace" "$trace.how"
  echo "study: capturing $name: $*"
  local to=$trace drive=
  # shellcheck disable=SC2086  # a driver is a command line
  [ -z "${STUDY_DRIVER:-}" ] || { $STUDY_DRIVER & drive=$!; }
  if [ -n "${STUDY_CHILD:-}" ]; then
    rm -rf "$out/traces/$name.kids"
    to=$out/traces/$name.parent.bin.zst
    export CAPTURE_FORK_OUT=$out/traces/$name.kids/%p.bin
  fi
  (cd "$in" && CAPTURE_TRACE_LIMIT=$lim "$here/scripts/capture-trace.sh" "$to" "$@" > "$out/traces/$name.capture" < /dev/null) ||
    { cat "$out/traces/$name.capture" >&2; exit 1; }
  [ -z "$drive" ] || wait "$drive" || true
  if [ -n "${STUDY_CHILD:-}" ]; then
    unset CAPTURE_FORK_OUT
    local kid
    # (stress-ng's parent, whose own start-up is about 7 M accesses, must not reach the window)
    kid=$(ls -S "$out/traces/$name.kids"/*.bin 2> /dev/null | head -1)
    [ -n "$kid" ] || { cat "$out/traces/$name.capture" >&2; echo "study: $name: no forked child was traced" >&2; exit 1; }
    "$bin" trace convert "$kid" "$trace" > /dev/null
    "$bin" trace info "$trace" >> "$out/traces/$name.capture"
    rm -rf "$out/traces/$name.kids" "$to"
  fi
  printf '%s\n' "$stamp" > "$trace.how"
  grep -E "accesses|events" "$out/traces/$name.capture" | sed 's/^/  /'
}
LC_ALL=C capture sort "$sort_limit" sort -S 400M --parallel=1 -o /dev/null "sort-$sort_mib.txt"
capture lookup "$lookup_limit" perl "$here/scripts/study/lookup.pl" "$table_mib" 200
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072 capture churn "$limit" perl "$here/scripts/study/churn.pl" 400 4
# glibc trims the heap on every free that leaves its top free (as a memory-lean setting would), so
# CPython's dropped lists go back to the kernel and come again: brk up and down.
GLIBC_TUNABLES=glibc.malloc.trim_threshold=0:glibc.malloc.top_pad=0 \
  capture python "$limit" /usr/bin/python3 -S "$here/scripts/study/pylists.py" 200 20000
capture cc1 "$limit" "$cc1" -quiet -O2 gen.c -o /dev/null
capture xz "$limit" xz -9 -T1 -c gen.c
capture sqlite "$limit" sqlite3 :memory: -init load.sql .quit
# The TLB-intensive programs, in steady state.
CAPTURE_SKIP=$sb_skip capture sysbench "$window" sysbench memory --memory-block-size="$sb_block" \
  --memory-total-size=100000G --memory-access-mode=rnd --rand-type=uniform --memory-oper=write --threads=1 --time=0 run
CAPTURE_SKIP=$tree_skip STUDY_CHILD=1 capture rbtree "$window" stress-ng --tree 1 --tree-method rb \
  --tree-size "$tree_nodes" --tree-ops 1000000 --timeout 0 --quiet
# redis: the server is captured, the client (outside valgrind) loads the keys and starts the window.
port=$((20000 + $$ % 20000))
rm -f "$in/redis.go"
STUDY_DRIVER="$here/scripts/study/redis-drive.sh $port $redis_keys 100000000 $in/redis.go" \
  STUDY_STAMP="redis-server --port PORT $redis_keys" \
  CAPTURE_START_FILE=$in/redis.go capture redis "$window" redis-server --port "$port" --bind 127.0.0.1 \
  --save '' --appendonly no --daemonize no --io-threads 1

# Replays: one process per (workload, variant); SystemC cannot restart inside one.
variants="native nested shadow agile agile-static agile-dynamic agile-isca"
jobs=()
workloads="sort lookup churn python cc1 xz sqlite sysbench rbtree redis"  # the captures above, in the table's order
for w in $workloads; do
  for v in $variants; do
    # The default agile is configs/study.yaml's; the other policies run on the same config with
    # their own defaults (start shadow-style: claim 12, and the paper's long-lived case).
    case $v in
      agile) set_args="$here/configs/study.yaml --set mmu.mode=agile" ;;
      agile-*) set_args="$here/configs/study.yaml --set mmu.mode=agile --set agile.policy=${v#agile-}" ;;
      *) set_args="$here/configs/study.yaml --set mmu.mode=$v" ;;
    esac
    jobs+=("$w $v $set_args")  # always replayed: a minute for all, and never stale
  done
done
echo "study: ${#jobs[@]} replays"
replay() {  # WORKLOAD VARIANT CONFIG --set ...
  local w=$1 v=$2
  shift 2
  if "$bin" run "$@" --set workload.trace="$out/traces/$w.bin.zst" --quiet \
      --json "$out/runs/$w.$v.json.tmp" > /dev/null 2> "$out/runs/$w.$v.err"; then
    mv "$out/runs/$w.$v.json.tmp" "$out/runs/$w.$v.json"
  else
    echo "study: replay of $w ($v) failed:" >&2
    cat "$out/runs/$w.$v.err" >&2
    return 1
  fi
}
running=0
for j in "${jobs[@]}"; do
  # shellcheck disable=SC2086  # a job is words: workload, variant, --set arguments
  replay $j &
  running=$((running + 1))
  if [ $running -ge "${STUDY_JOBS:-$(nproc)}" ]; then
    wait -n || { wait; exit 1; }
    running=$((running - 1))
  fi
done
while [ $running -gt 0 ]; do
  wait -n || { wait; exit 1; }
  running=$((running - 1))
done

# shellcheck disable=SC2086  # the workload names are words
"$here/scripts/study/report.py" "$out" $workloads $($check && echo --check) $($quick && echo --quick)
