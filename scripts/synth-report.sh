#!/usr/bin/env bash
# Generic-gate synthesis with yosys (Debian package `yosys`): cells and flip-flops.
#   scripts/synth-report.sh [YOSYS]                 every walker of rtl/walker_configs.txt
#   scripts/synth-report.sh --unit NAME|all [--ice40] [--yosys BIN]
#                                                   walk units of rtl/walk_unit_configs.txt
#   scripts/synth-report.sh --params "WALKER_SET WALKERS PWC_ENTRIES PWC_WAYS" [--ice40] [--yosys BIN]
#                                                   one walk unit, any parameters (the sweep's area)
#   scripts/synth-report.sh --check-params "WALKER_SET WALKERS PWC_ENTRIES PWC_WAYS"
#                                                   checks a set and that yosys is there; no synthesis
#                                                   (a sweep's --dry-run)
#   scripts/synth-report.sh --rtl-version           the RTL sources' version (a hash): what the
#                                                   sweep's area cache is keyed by with the parameters
# --ice40 adds synth_ice40's LUT4 and flip-flop counts (an FPGA view of the same RTL).
set -euo pipefail
YOSYS=yosys
ROOT=$(cd "$(dirname "$0")/.." && pwd)
UNIT=""; PARAMS=""; ICE40=0; CHECK=0
while [ $# -gt 0 ]; do
  case $1 in
    --unit) UNIT=$2; shift 2 ;;
    --params) PARAMS=$2; shift 2 ;;
    --check-params) PARAMS=$2; CHECK=1; shift 2 ;;
    --rtl-version) cat "$ROOT/rtl/agilemmu_pkg.sv" "$ROOT/rtl/walker.sv" "$ROOT/rtl/walk_unit.sv" | sha1sum | cut -c1-12; exit 0 ;;
    --ice40) ICE40=1; shift ;;
    --yosys) YOSYS=$2; shift 2 ;;
    -*) echo "synth-report: unknown option $1" >&2; exit 2 ;;
    *) YOSYS=$1; shift ;;
  esac
done
command -v "$YOSYS" >/dev/null || { echo "synth-report: $YOSYS not found (apt-get install yosys)" >&2; exit 2; }

# The -set overrides of walker parameter set $1 (a name of rtl/walker_configs.txt).
walker_params() {
  awk -v n="$1" '$1 == n {printf "-set LEVELS %s -set NESTED_LEVELS %s -set MAXPHYADDR %s -set SELECTOR_BIT %s -set NX_ENABLED %s -set NESTED_AD %s", $2, $3, $4, $5, $6, $7; f = 1} END {exit !f}' \
    "$ROOT/rtl/walker_configs.txt" || { echo "synth-report: no walker parameter set '$1'" >&2; exit 2; }
}
count_cells() { awk '/Number of cells:/ {n=$4} END {print n}'; }
count_ffs() { awk '/\$_(S?DFF|DFFE|SDFF|ALDFF|DLATCH)[A-Z0-9_]*_/ {s+=$2} END {print s+0}'; }

if [ -z "$UNIT" ] && [ -z "$PARAMS" ]; then
  printf "%-6s %10s %10s\n" config cells flipflops
  for name in $(awk '/^[a-z]/ {print $1}' "$ROOT/rtl/walker_configs.txt"); do
    log=$("$YOSYS" -q -p "read_verilog -sv $ROOT/rtl/agilemmu_pkg.sv $ROOT/rtl/walker.sv;
      chparam $(walker_params "$name") walker; synth -top walker; tee -o /dev/stdout stat" 2>&1)
    printf "%-6s %10s %10s\n" "$name" "$(count_cells <<<"$log")" "$(count_ffs <<<"$log")"
  done
  exit 0
fi

SRC="$ROOT/rtl/agilemmu_pkg.sv $ROOT/rtl/walker.sv $ROOT/rtl/walk_unit.sv"
# The walker's own synthesis (cells, flip-flops) per parameter set and PWC flag, cached by the
# walker source's hash: a unit is its shell (PWC, arbiters, merge, bookkeeping; the walkers as
# black boxes) plus WALKERS times the walker, so each shell costs one yosys run and the walker
# one per source version. (Hierarchical synthesis: nothing is optimized across walker ports.)
# Units use `synth -noabc`: generic gates before ABC's logic minimization, 3-4x faster on the
# PWC's wide multiplexers (w1 with 8 PWC entries: 16649 cells for the shell against 15886 with
# ABC); the walker-only table above keeps the full `synth`.
CACHE=${AGILEMMU_SYNTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agilemmu-synth}
walker_area() {  # WALKER_SET PWC(0|1) -> "cells flipflops"
  local key f log
  key="$1-pwc$2-noabc-$(cat "$ROOT/rtl/agilemmu_pkg.sv" "$ROOT/rtl/walker.sv" | sha1sum | cut -c1-12)"
  f=$CACHE/walker-$key
  if [ ! -s "$f" ]; then
    mkdir -p "$CACHE"
    log=$("$YOSYS" -q -p "read_verilog -sv $ROOT/rtl/agilemmu_pkg.sv $ROOT/rtl/walker.sv;
      chparam $(walker_params "$1") -set PWC $2 walker; synth -noabc -top walker; tee -o /dev/stdout stat" 2>&1)
    echo "$(count_cells <<<"$log") $(count_ffs <<<"$log")" >"$f.tmp" && mv "$f.tmp" "$f"
  fi
  cat "$f"
}
# synth_unit WALKER_SET WALKERS ENTRIES WAYS -> "cells flipflops [luts ice40_ffs]"
synth_unit() {
  local p log wc wf sc sf
  p="$(walker_params "$1") -set WALKERS $2 -set PWC_ENTRIES $3 -set PWC_WAYS $4"
  read -r wc wf <<<"$(walker_area "$1" $([ "$3" -gt 0 ] && echo 1 || echo 0))"
  log=$("$YOSYS" -q -p "read_verilog -sv $ROOT/rtl/agilemmu_pkg.sv; read_verilog -sv -lib $ROOT/rtl/walker.sv;
    read_verilog -sv $ROOT/rtl/walk_unit.sv; chparam $p walk_unit; synth -noabc -top walk_unit; tee -o /dev/stdout stat" 2>&1)
  sc=$(count_cells <<<"$log")
  sf=$(count_ffs <<<"$log")
  # (the shell's cell count includes one black-box cell per walker)
  local out="$((sc - $2 + $2 * wc)) $((sf + $2 * wf))"
  if [ "$ICE40" = 1 ]; then
    log=$("$YOSYS" -q -p "read_verilog -sv $SRC; chparam $p walk_unit; synth_ice40 -top walk_unit; tee -o /dev/stdout stat" 2>&1)
    log=$(tail -n 40 <<<"$log")  # (synth_ice40 flattens: the last stat block is the whole unit)
    out="$out $(awk '/SB_LUT4/ {n=$2} END {print n+0}' <<<"$log") $(awk '/SB_DFF[A-Z]*/ {s+=$2} END {print s+0}' <<<"$log")"
  fi
  echo "$out"
}

if [ -n "$PARAMS" ]; then
  read -r wset walkers entries ways extra <<<"$PARAMS"
  [ -n "${ways:-}" ] && [ -z "${extra:-}" ] \
    || { echo "synth-report: --params needs 'WALKER_SET WALKERS PWC_ENTRIES PWC_WAYS', got '$PARAMS'" >&2; exit 2; }
  walker_params "$wset" >/dev/null
  # rtl/walk_unit.sv's parameter contract: 1..8 walkers; ENTRIES / WAYS sets, a power of two.
  for v in "$walkers" "$entries" "$ways"; do
    [[ $v =~ ^[0-9]+$ ]] || { echo "synth-report: '$v' is not a number in '$PARAMS'" >&2; exit 2; }
  done
  [ "$walkers" -ge 1 ] && [ "$walkers" -le 8 ] \
    || { echo "synth-report: the walk unit has 1..8 walkers, not $walkers" >&2; exit 2; }
  if [ "$entries" -gt 0 ]; then
    sets=$((ways > 0 ? entries / ways : 0))
    [ "$ways" -ge 1 ] && [ $((sets * ways)) -eq "$entries" ] && [ $((sets & (sets - 1))) -eq 0 ] && [ "$sets" -ge 1 ] \
      || { echo "synth-report: PWC $entries entries / $ways ways is not a power-of-two number of sets" >&2; exit 2; }
  fi
  [ "$CHECK" = 1 ] && exit 0
  synth_unit "$wset" "$walkers" "$entries" "$ways"
  exit 0
fi
hdr="%-9s %-6s %7s %5s %4s %10s %10s"
[ "$ICE40" = 1 ] && hdr="$hdr %10s %10s"
# shellcheck disable=SC2059
printf "$hdr\n" unit walker walkers pwc ways cells flipflops $([ "$ICE40" = 1 ] && echo "ice40_lut4 ice40_ff")
while read -r name wset walkers entries ways; do
  [ "$UNIT" = all ] || [ "$UNIT" = "$name" ] || continue
  # shellcheck disable=SC2046,SC2059
  printf "$hdr\n" "$name" "$wset" "$walkers" "$entries" "$ways" $(synth_unit "$wset" "$walkers" "$entries" "$ways")
done < <(awk '/^[a-z]/' "$ROOT/rtl/walk_unit_configs.txt")
