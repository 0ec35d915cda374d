#!/usr/bin/env bash
# Generic-gate synthesis of rtl/walker.sv with yosys (Debian package `yosys`): cells and
# flip-flops per walker configuration. Usage: scripts/synth-report.sh [yosys-binary]
set -euo pipefail
YOSYS=${1:-yosys}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v "$YOSYS" >/dev/null || { echo "synth-report: $YOSYS not found (apt-get install yosys)" >&2; exit 2; }
# name: parameter overrides, for every parameter set of rtl/walker_configs.txt (the Verilated,
# co-simulated builds)
mapfile -t CONFIGS < <(awk '/^[a-z]/ {printf "%s:-set LEVELS %s -set NESTED_LEVELS %s -set MAXPHYADDR %s -set SELECTOR_BIT %s -set NX_ENABLED %s -set NESTED_AD %s\n", $1, $2, $3, $4, $5, $6, $7}' "$ROOT/rtl/walker_configs.txt")
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
