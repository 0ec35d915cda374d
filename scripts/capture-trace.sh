#!/usr/bin/env bash
# capture-trace.sh OUT CMD [ARGS...] — runs a real program under valgrind with our capture tool
# (capture/: agilemmu-capture) and writes its memory references, with its memory-map system calls
# in order (mmap, munmap, mremap, brk, mprotect, madvise, exit; tb/TRACE_FORMAT.md), to OUT.
# Replay it with `workload.trace: OUT` (or `--set workload.trace=OUT` on any config).
#
#   OUT.bin.zst (or any *.zst)  compressed binary trace: the tool's blocks go through a FIFO into
#                               zstd (level CAPTURE_ZSTD_LEVEL, default 3), never to disk uncompressed
#   OUT.bin (anything else)     binary trace (about 4 bytes per access)
#   OUT.lackey                  valgrind lackey's text log (~14 bytes per record; lackey only)
# CAPTURE_TOOL=lackey captures with valgrind's lackey instead (about 50 times slower; the log goes
# through `agilemmu trace convert`), for comparison; so does a build without the tool.
# CAPTURE_TRACE_LIMIT=N stops the program after N accesses (default 10000000000, about 3 GB
# compressed; 0: no limit); the trace then ends with a cut marker (`agilemmu trace info` says so)
# and the program's exit code is not checked. A program that dies of a signal or is killed leaves
# the trace of what was captured, marked cut (SIGKILL loses the tool's last 4 MiB buffer), and the
# script exits 1. CAPTURE_FETCH=line|page coalesces consecutive fetches of one 64-byte line or
# 4 KiB page into repeat records (counted, charged as TLB-hit fetches on replay; default all).
# A window of the program's steady state (docs/capture.md): CAPTURE_SKIP=N leaves its first N
# accesses out of the trace, CAPTURE_START_FILE=PATH (the window starts once PATH exists) or
# CAPTURE_START_FN=NAME (at the first call of function NAME) start counting the N at a marker; what
# came before is summarised in the trace's prologue (the pages touched and the memory-map events)
# and CAPTURE_TRACE_LIMIT then counts the window's accesses. Our tool only.
# A CMD that is a wrapper script exec'ing the real program (a python3 shim on PATH) is followed
# into the program (--trace-children=yes); the exec is an event: the wrapper's address space goes,
# the program's faults in. Children the program forks (helpers a wrapper runs, with or without an
# exec) are not traced, and counted, unless CAPTURE_FORK_OUT=TEMPLATE names where each child's
# trace goes (%p: its pid; an uncompressed binary trace, e.g. out/child.%p.bin; our tool only):
# one trace per process, to replay alone or together as workload.processes. CAPTURE_TRACE_SKIP (valgrind --trace-children-skip patterns,
# e.g. '*/readlink,*/dirname') runs exec'd helpers outside valgrind, which is faster. On a terminal
# a progress line shows accesses, rate and time. The agilemmu binary is $AGILEMMU, else
# build/tb/agilemmu of this tree, else agilemmu on PATH; the tool is $AGILEMMU_CAPTURE_LIB (its
# VALGRIND_LIB folder), else build/capture/vglib.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT CMD [ARGS...]" >&2
  exit 2
fi
out=$1
shift
command -v valgrind > /dev/null || { echo "capture-trace: valgrind is not installed (scripts/install-deps.sh)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${AGILEMMU:-$here/build/tb/agilemmu}
[ -x "$bin" ] || bin=$(command -v agilemmu) || { echo "capture-trace: no agilemmu binary (build it, or set AGILEMMU)" >&2; exit 2; }
tool=${CAPTURE_TOOL:-agilemmu}
vglib=${AGILEMMU_CAPTURE_LIB:-$here/build/capture/vglib}
case "$tool" in
  agilemmu)
    case "$out" in *.lackey) tool=lackey ;; esac
    if [ "$tool" = agilemmu ] && [ ! -e "$vglib/agilemmu-capture-amd64-linux" ]; then
      echo "capture-trace: the capture tool is not built ($vglib): capturing with lackey" >&2
      tool=lackey
    fi ;;
  lackey) ;;
  *) echo "capture-trace: CAPTURE_TOOL=$tool: expected agilemmu or lackey" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The program runs without the capture's own settings in its environment, and both tools run from
# the same VALGRIND_LIB when the tool is built (its LD_PRELOAD path is then the same): how a
# program is captured does not change what it does.
limit=${CAPTURE_TRACE_LIMIT:-} fetch=${CAPTURE_FETCH:-all} zlevel=${CAPTURE_ZSTD_LEVEL:-3} skip=${CAPTURE_TRACE_SKIP:-}
wskip=${CAPTURE_SKIP:-} wfile=${CAPTURE_START_FILE:-} wfn=${CAPTURE_START_FN:-} forkout=${CAPTURE_FORK_OUT:-}
unset CAPTURE_TOOL CAPTURE_TRACE_LIMIT CAPTURE_FETCH CAPTURE_ZSTD_LEVEL CAPTURE_TRACE_SKIP AGILEMMU AGILEMMU_CAPTURE_LIB \
  CAPTURE_SKIP CAPTURE_START_FILE CAPTURE_START_FN CAPTURE_FORK_OUT
if [ -n "$wskip$wfile$wfn$forkout" ] && [ "$tool" != agilemmu ]; then
  echo "capture-trace: CAPTURE_SKIP, CAPTURE_START_FILE, CAPTURE_START_FN and CAPTURE_FORK_OUT need our capture tool (not lackey)" >&2
  exit 2
fi
[ ! -d "$vglib" ] || export VALGRIND_LIB=$vglib
if [ "$tool" = agilemmu ]; then
  # The tool is built against one valgrind: another one's core would not load it.
  built=$(cat "$vglib/../valgrind-version" 2> /dev/null || echo unknown) have=$(valgrind --version)
  [ "valgrind-$built" = "$have" ] || {
    echo "capture-trace: the capture tool was built against valgrind $built, this is $have: rebuild it (cmake --build build --target agilemmu_capture)" >&2
    exit 2
  }
  limit=${limit:-10000000000}
  case "$limit" in '' | *[!0-9]*) echo "capture-trace: CAPTURE_TRACE_LIMIT=$limit: expected a count of accesses" >&2; exit 2 ;; esac
  mkdir "$tmp/state"
  case "$wskip" in *[!0-9]*) echo "capture-trace: CAPTURE_SKIP=$wskip: expected a count of accesses" >&2; exit 2 ;; esac
  vg=(valgrind --tool=agilemmu-capture --state-dir="$tmp/state" --limit="$limit" --fetch="$fetch"
    --trace-children=yes --child-silent-after-fork=yes)
  [ -z "$wskip" ] || vg+=(--skip="$wskip")
  [ -z "$wfile" ] || vg+=(--start-file="$wfile")
  [ -z "$wfn" ] || vg+=(--start-fn="$wfn")
  if [ -n "$forkout" ]; then
    case "$forkout" in
      *%p*) ;;
      *) echo "capture-trace: CAPTURE_FORK_OUT=$forkout: the template needs %p (the child's pid)" >&2; exit 2 ;;
    esac
    case "$forkout" in *.zst) echo "capture-trace: CAPTURE_FORK_OUT=$forkout: child traces are not compressed (name them .bin)" >&2; exit 2 ;; esac
    mkdir -p "$(dirname "$forkout")"
    vg+=(--fork-out="$forkout")
  fi
  [ -n "$skip" ] && vg+=(--trace-children-skip="$skip")
  [ -t 2 ] && vg+=(--progress=/dev/tty)
  zpid=
  case "$out" in
    *.zst)
      # The tool's blocks reach zstd through a FIFO held open here, so that zstd sees no end of
      # file while an execve replaces the program image (the next image reopens it).
      mkfifo "$tmp/trace"
      zstd -q -T1 "-$zlevel" -c < "$tmp/trace" > "$out" 2> "$tmp/zstd.err" &
      zpid=$!
      exec 4> "$tmp/trace"
      vg+=(--out="$tmp/trace") ;;
    *) vg+=(--out="$out") ;;
  esac
  set +e
  "${vg[@]}" "$@" > /dev/null 2> "$tmp/err"
  rc=$?
  set -e
  zrc=0
  if [ -n "$zpid" ]; then
    exec 4>&-
    wait "$zpid" || zrc=$?
  fi
  fail() { echo "capture-trace: $*" >&2; exit 1; }
  grep -q "agilemmu-capture: writing the trace" "$tmp/err" && fail "$(grep "agilemmu-capture: writing" "$tmp/err")"
  [ "$zrc" = 0 ] || fail "zstd failed writing $out: $(cat "$tmp/zstd.err")"
  [ -s "$out" ] || { tail -5 "$tmp/err" >&2; fail "'$*' left no trace under valgrind (exit code $rc)"; }
  if [ "$rc" = 137 ]; then
    # Killed (SIGKILL): the tool could not mark the trace; the marker goes after its last block.
    if [ -n "$zpid" ]; then printf '\047\003' | zstd -q -c >> "$out"; else printf '\047\003' >> "$out"; fi
  fi
  limited=false
  grep -q "agilemmu-capture: limit of .* reached" "$tmp/err" && limited=true
  echo "capture-trace: '$*' -> $out ($(stat -c %s "$out") bytes)$($limited && echo ", its first $limit accesses")"
  children=$(($(find "$tmp/state" -type f | wc -l) - 1))
  if [ -n "$forkout" ]; then
    for f in "$tmp"/state/*; do  # each traced child's trace (its state file names it)
      c=$(head -1 "$f")
      [ -z "$c" ] || [ "$c" = "$out" ] || [ "$c" = "$tmp/trace" ] || echo "capture-trace: a forked child -> $c"
    done
  elif [ "$children" -gt 0 ]; then
    echo "capture-trace: $children child process(es) that the program forked were not traced"
  fi
  "$bin" trace info "$out" | sed 's/^/capture-trace: /'
  if [ "$rc" != 0 ] && ! $limited; then
    echo "capture-trace: '$*' failed under valgrind (exit code $rc); the trace holds what was captured$([ "$rc" -gt 128 ] && echo ', marked cut')" >&2
    tail -5 "$tmp/err" >&2
    exit 1
  fi
  exit 0
fi
# Every process valgrind follows logs to its own $tmp/vg.PID (--log-file=%p). The traced process
# keeps its pid across exec, so its log is known in advance and made a FIFO that the converter
# reads as it is written: the trace never lands on disk as text. Children a wrapper forks and
# execs (helpers like readlink in a pyenv shim) log to regular files, unlinked as they appear;
# forked children that do not exec stay silent.
vg=(valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --trace-children=yes
  --child-silent-after-fork=yes --log-file="$tmp/vg.%p")
[ -n "$skip" ] && vg+=(--trace-children-skip="$skip")
[ "$limit" != 0 ] || limit=  # (0: no limit, as for the tool)
case "$out" in *.lackey) [ -z "$limit" ] || { echo "capture-trace: CAPTURE_TRACE_LIMIT needs a binary OUT" >&2; exit 2; } ;; esac
sink() {
  case "$out" in
    *.lackey) grep -E '^(I | [LSM] |SYSCALL\[| -->|==[0-9]+== Command: )' > "$out" || true ;;
    *) "$bin" trace convert ${limit:+--limit "$limit"} - "$out" > "$tmp/convert.out" || return
       # At the limit the converter stops reading: the program is stopped, not left blocked.
       if grep -q "limit reached" "$tmp/convert.out"; then kill -KILL "$vpid" 2> /dev/null || true; fi ;;
  esac
}
mkfifo "$tmp/go"
exec 5<&0  # the program's stdin (a background job's would be /dev/null)
# The traced process: waits for its log FIFO to have a reader, then becomes valgrind (same pid).
(
  read -r _ < "$tmp/go"
  exec "${vg[@]}" "$@" <&5 5<&- > /dev/null 2> "$tmp/err"
) &
vpid=$!
mkfifo "$tmp/vg.$vpid"
sink < "$tmp/vg.$vpid" &
spid=$!
# Held open for writing until valgrind is done, so the converter sees no end of file while the
# process closes its log to exec the next program image.
exec 4> "$tmp/vg.$vpid"
echo go > "$tmp/go"
# Helper logs are unlinked as they appear: a helper keeps writing into its open file, whose space
# goes when it exits (a pyenv shim's bash helpers log tens of MB each).
reap() {
  local f
  for f in "$tmp"/vg.*; do
    [ "$f" = "$tmp/vg.$vpid" ] || [ ! -e "$f" ] || { rm -f "$f" && echo "$f" >> "$tmp/helpers"; }
  done
}
(while kill -0 "$vpid" 2> /dev/null; do
  reap
  sleep 0.5
done) &
rpid=$!
set +e
wait "$vpid" 2> /dev/null  # no "Killed" notice when the limit stopped it
rc=$?
wait "$rpid"
reap
exec 4>&-
wait "$spid"
sink_rc=$?
set -e
limited=false
[ -n "$limit" ] && [ -f "$tmp/convert.out" ] && grep -q "limit reached" "$tmp/convert.out" && limited=true
if [ "$rc" != 0 ] && ! $limited; then
  echo "capture-trace: '$*' failed under valgrind (exit code $rc):" >&2
  tail -5 "$tmp/err" >&2
  rm -f "$out"
  exit 1
fi
[ "$sink_rc" = 0 ] || { echo "capture-trace: writing $out failed" >&2; exit 1; }
echo "capture-trace: '$*' -> $out ($(stat -c %s "$out") bytes)$($limited && echo ", its first $limit accesses")"
children=0
[ ! -f "$tmp/helpers" ] || children=$(sort -u "$tmp/helpers" | wc -l)
[ "$children" = 0 ] || echo "capture-trace: $children child process(es) that forked and exec'd were traced apart and dropped"
"$bin" trace info "$out" | sed 's/^/capture-trace: /'
