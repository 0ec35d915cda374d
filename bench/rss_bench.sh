#!/usr/bin/env bash
# rss_bench.sh [ACCESSES_MILLIONS] — peak RSS of a long streamed trace replay. The trace is
# /bin/ls's lackey trace repeated through a pipe (never on disk), so the reader must stream.
# Reports peak RSS for a 1/16 run and the full run: flat memory means the two are close.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/build/tb/agilemmu
millions=${1:-100}
trace=$here/build/traces/ls.lackey
[ -f "$trace" ] || bash "$here/scripts/capture-trace.sh" "$trace" /bin/ls / > /dev/null
per=$(wc -l < "$trace")
run() {  # $1 = accesses wanted
  local reps=$(( $1 / per + 1 )) fifo
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  ( for _ in $(seq "$reps"); do cat "$trace"; done > "$fifo" ) &
  /usr/bin/time -f "%M %e" -o /tmp/rss_bench.$$ "$bin" run "$here/configs/scenarios/trace-ls.yaml" --quiet \
    --set workload.trace="$fifo" --set workload.trace_limit="$1" > /dev/null
  wait
  rm -f "$fifo"
  read -r kb sec < /tmp/rss_bench.$$
  rm -f /tmp/rss_bench.$$
  echo "$1 $kb $sec"
}
small=$(( millions * 1000000 / 16 ))
read -r n1 kb1 s1 <<< "$(run $small)"
read -r n2 kb2 s2 <<< "$(run $(( millions * 1000000 )))"
printf '%-14s %12s %10s %14s\n' accesses "peak RSS" seconds "M accesses/s"
printf '%-14s %9.1f MiB %10.1f %14.2f\n' "$n1" "$(awk "BEGIN{print $kb1/1024}")" "$s1" "$(awk "BEGIN{print $n1/$s1/1e6}")"
printf '%-14s %9.1f MiB %10.1f %14.2f\n' "$n2" "$(awk "BEGIN{print $kb2/1024}")" "$s2" "$(awk "BEGIN{print $n2/$s2/1e6}")"
printf 'RSS ratio full/small: %.2f\n' "$(awk "BEGIN{print $kb2/$kb1}")"
