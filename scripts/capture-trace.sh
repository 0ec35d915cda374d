#!/usr/bin/env bash
# capture-trace.sh OUT CMD [ARGS...] — runs a real program under valgrind's lackey tool and
# writes its memory references to OUT in the lackey text format agilemmu replays
# (`workload.trace: OUT`, or `--set workload.trace=OUT` on any config).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT CMD [ARGS...]" >&2
  exit 2
fi
out=$1
shift
command -v valgrind > /dev/null || { echo "capture-trace: valgrind is not installed (scripts/install-deps.sh)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# lackey writes the trace into its log; the program's own output goes to /dev/null.
valgrind --tool=lackey --trace-mem=yes --log-file="$log" "$@" > /dev/null 2>&1 || {
  echo "capture-trace: '$*' failed under valgrind:" >&2
  grep '^==' "$log" | tail -5 >&2
  exit 1
}
grep -E '^(I | [LSM] )' "$log" > "$out"
echo "capture-trace: $(wc -l < "$out") records from '$*' -> $out"
