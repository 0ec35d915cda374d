#!/usr/bin/env bash
# capture-trace.sh OUT CMD [ARGS...] — runs a real program under valgrind's lackey tool and writes
# its memory references, with its memory-map system calls in order (mmap, munmap, mremap, brk,
# mprotect, madvise, exit; tb/TRACE_FORMAT.md), to OUT. Replay it with `workload.trace: OUT` (or
# `--set workload.trace=OUT` on any config).
#
# The valgrind log streams through a FIFO into `agilemmu trace convert - OUT`: no log on disk.
#   OUT.bin.zst (or any *.zst)  compressed binary trace (the one to use: under 1 byte per record)
#   OUT.bin (anything else)     binary trace (~5 bytes per record)
#   OUT.lackey                  the log's trace lines as text (~14 bytes per record)
# A CMD that is a wrapper script exec'ing the real program (a python3 shim on PATH) is followed
# into the program (--trace-children=yes); the exec is an event: the wrapper's address space
# goes, the program's faults in. Helpers the wrapper forks and execs first are traced into logs
# of their own and dropped; CAPTURE_TRACE_SKIP (valgrind --trace-children-skip patterns, e.g.
# '*/readlink,*/dirname') runs them untraced instead, which is faster. CAPTURE_TRACE_LIMIT=N keeps
# the program's first N accesses and then stops it (lackey runs at about 1-2 M accesses/s, so a
# long program's beginning is what a study can afford); such a trace has no exit event, and the
# program's exit code is not checked. Not with OUT.lackey. The agilemmu binary is
# $AGILEMMU, else build/tb/agilemmu of this tree, else agilemmu on PATH.
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
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every process valgrind follows logs to its own $tmp/vg.PID (--log-file=%p). The traced process
# keeps its pid across exec, so its log is known in advance and made a FIFO that the converter
# reads as it is written: the trace never lands on disk as text. Children a wrapper forks and
# execs (helpers like readlink in a pyenv shim) log to regular files, unlinked as they appear;
# forked children that do not exec stay silent.
vg=(valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --trace-children=yes
  --child-silent-after-fork=yes --log-file="$tmp/vg.%p")
[ -n "${CAPTURE_TRACE_SKIP:-}" ] && vg+=(--trace-children-skip="$CAPTURE_TRACE_SKIP")
limit=${CAPTURE_TRACE_LIMIT:-}
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
