#!/usr/bin/env bash
# The walk unit's large random regression against the SystemC Mmu: every parameter set of
# rtl/walk_unit_configs.txt x the three guest modes (native requests in each), REQUESTS requests
# per run (default 45000: 8 sets x 3 modes x 45000 = 1.08 M requests), two runs at a time, with
# memory and result backpressure (mem_req_ready / rsp_ready low in PCT % of the cycles, default
# 20; 0 turns it off), so the arbiters' priority and ready handling are compared with the model.
# Usage: scripts/unit-regression.sh [--build DIR | --bin FILE] [--sets "NAME..."] [--requests N] [--seed S]
#                                   [--mem-stall PCT] [--rsp-stall PCT]
# (--bin: the agilemmu-unit-cosim to run, e.g. a mutant build; --sets: only these parameter sets.)
# Prints one line per run and the totals; the exit status is the verdict: 1 if any run exits
# non-zero (a mismatch, a hang, a failed assertion, a coverage check, a crash), 2 for bad usage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
BIN=
SETS=
REQUESTS=45000
SEED=1000
MEM_STALL=20
RSP_STALL=20
while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --sets) SETS=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --mem-stall) MEM_STALL=$2; shift 2 ;;
    --rsp-stall) RSP_STALL=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR | --bin FILE] [--sets \"NAME...\"] [--requests N] [--seed S] [--mem-stall PCT] [--rsp-stall PCT]" >&2; exit 2 ;;
  esac
done
[ -n "$BIN" ] || BIN=$BUILD/tb/cosim/agilemmu-unit-cosim
[ -x "$BIN" ] || { echo "unit-regression: $BIN not built (cmake --build $BUILD --target agilemmu-unit-cosim)" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
runs=()
i=0
[ -n "$SETS" ] || SETS=$(awk '/^[a-z]/ {print $1}' "$ROOT/rtl/walk_unit_configs.txt")
for c in $SETS; do
  for m in agile nested shadow; do
    runs+=("$c $m $((SEED + i)) $((i % 3 + 1))")
    i=$((i + 1))
  done
done
start=$(date +%s)
printf '%s\n' "${runs[@]}" | xargs -P 2 -L 1 sh -c \
  '"$0" --rtl "$1" --mode "$2" --seed "$3" --latency "$4" --requests '"$REQUESTS"' --mem-stall '"$MEM_STALL"' --rsp-stall '"$RSP_STALL"' > '"$OUT"'/"$1-$2.log" 2>&1; echo $? > '"$OUT"'/"$1-$2.rc"' "$BIN"
total=0; bad=0; conflicts=0; failed=0
for r in "${runs[@]}"; do
  set -- $r
  log=$OUT/$1-$2.log
  line=$(grep -E '^requests ' "$log" || echo "requests ? (no summary)")
  res=$(grep -E ' mismatches$' "$log" || echo "0 requests, 1 mismatches")
  n=$(awk '{print $1}' <<<"$res"); mm=$(awk '{print $3}' <<<"$res")
  bp=$(sed -n 's/^backpressure: .*; port conflicts resolved by priority \([0-9]*\), results waiting together \([0-9]*\),.*/\1 \2/p' "$log")
  [ -n "$bp" ] || bp="? ?"
  conflicts=$((conflicts + ${bp%% *}))
  total=$((total + n)); bad=$((bad + mm))
  printf '%-9s %-6s seed %-5s lat %s: %s | %s | port conflicts %s, results together %s\n' "$1" "$2" "$3" "$4" "$res" \
    "${line#requests }" "${bp%% *}" "${bp##* }"
  rc=$(cat "$OUT/$1-$2.rc" 2>/dev/null || echo "?")
  if [ "$rc" != 0 ]; then
    failed=$((failed + 1))
    echo "  exit status $rc:"
    grep -m3 -A6 -E '^MISMATCH|Error' "$log" || tail -5 "$log"
  fi
done
echo "total: $total requests over ${#runs[@]} runs, $bad mismatches, $conflicts port conflicts resolved by priority (mem-stall $MEM_STALL%, rsp-stall $RSP_STALL%), $(( $(date +%s) - start )) s"
echo "runs failed (non-zero exit status): $failed of ${#runs[@]}"
[ "$failed" = 0 ] || exit 1
