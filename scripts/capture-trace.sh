#!/usr/bin/env bash
# capture-trace.sh OUT CMD [ARGS...] — runs a real program under valgrind's lackey tool and writes
# its memory references, with its memory-map system calls in order (mmap, munmap, mremap, brk,
# mprotect, madvise, exit; tb/TRACE_FORMAT.md), to OUT. Replay it with `workload.trace: OUT` (or
# `--set workload.trace=OUT` on any config).
#
# The valgrind log streams through a pipe into `agilemmu trace convert - OUT`: no log file on disk.
#   OUT.bin.zst (or any *.zst)  compressed binary trace (the one to use: ~1-2 bytes per record)
#   OUT.bin (anything else)     binary trace
#   OUT.lackey                  the log's trace lines as text (large: ~15 bytes per record)
# A CMD that is a wrapper script exec'ing the real program (a python3 shim on PATH) is followed
# into the program (--trace-children=yes); the exec is an event: the wrapper's address space
# goes, the program's faults in. Forked children that do not exec stay silent. Children that
# fork and exec (a helper a shim runs first: $(dirname "$0")) would be followed too and their
# log would interleave with the program's in the pipe, mid-line (the conversion then fails,
# naming the line): list them in CAPTURE_TRACE_SKIP (valgrind --trace-children-skip patterns,
# e.g. CAPTURE_TRACE_SKIP='*/dirname,*/uname') and they run untraced. The agilemmu binary is
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
# The log goes to fd 3, the pipe; the program's own stdout to /dev/null and its stderr (with
# valgrind's start-up errors) to a small file for the error message.
vg=(valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --trace-children=yes
  --child-silent-after-fork=yes --log-fd=3)
[ -n "${CAPTURE_TRACE_SKIP:-}" ] && vg+=(--trace-children-skip="$CAPTURE_TRACE_SKIP")
sink() {
  case "$out" in
    *.lackey) grep -E '^(I | [LSM] |SYSCALL\[| -->|==[0-9]+== Command: )' > "$out" || true ;;
    *) "$bin" trace convert - "$out" > /dev/null ;;
  esac
}
set +e
{
  "${vg[@]}" "$@" 3>&1 > /dev/null 2> "$tmp/err"
  echo $? > "$tmp/rc"
} | sink
sink_rc=$?
set -e
rc=$(cat "$tmp/rc")
if [ "$rc" != 0 ]; then
  echo "capture-trace: '$*' failed under valgrind (exit code $rc):" >&2
  tail -5 "$tmp/err" >&2
  rm -f "$out"
  exit 1
fi
[ "$sink_rc" = 0 ] || { echo "capture-trace: writing $out failed" >&2; exit 1; }
echo "capture-trace: '$*' -> $out ($(stat -c %s "$out") bytes)"
"$bin" trace info "$out" | sed 's/^/capture-trace: /'
