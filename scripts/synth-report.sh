#!/usr/bin/env bash
# Generic-gate synthesis of rtl/walker.sv with yosys (Debian package `yosys`): cells and
# flip-flops per walker configuration. Usage: scripts/synth-report.sh [yosys-binary]
set -euo pipefail
YOSYS=${1:-yosys}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v "$YOSYS" >/dev/null || { echo "synth-report: $YOSYS not found (apt-get install yosys)" >&2; exit 2; }
# name: parameter overrides (the three Verilated co-sim builds)
CONFIGS=(
  "l4:-set LEVELS 4 -set NESTED_LEVELS 4 -set MAXPHYADDR 52 -set SELECTOR_BIT 52 -set NX_ENABLED 1"
  "l5:-set LEVELS 5 -set NESTED_LEVELS 5 -set MAXPHYADDR 46 -set SELECTOR_BIT 55 -set NX_ENABLED 1"
  "mix:-set LEVELS 4 -set NESTED_LEVELS 5 -set MAXPHYADDR 40 -set SELECTOR_BIT 9 -set NX_ENABLED 0 -set NESTED_AD 0"
)
printf "%-6s %10s %10s\n" config cells flipflops
for c in "${CONFIGS[@]}"; do
  name=${c%%:*}
  params=${c#*:}
  log=$("$YOSYS" -q -p "read_verilog -sv $ROOT/rtl/agilemmu_pkg.sv $ROOT/rtl/walker.sv;
    chparam $params walker; synth -top walker; tee -o /dev/stdout stat" 2>&1)
  cells=$(awk '/Number of cells:/ {n=$4} END {print n}' <<<"$log")
  ffs=$(awk '/\$_(S?DFF|DFFE|SDFF|ALDFF|DLATCH)[A-Z0-9_]*_/ {s+=$2} END {print s+0}' <<<"$log")
  printf "%-6s %10s %10s\n" "$name" "$cells" "$ffs"
done
