#!/usr/bin/env bash
# stats.sh AGILEMMU [--write]
# Statistics stay byte-identical across refactoring and speed work: every shipped config and
# scenario runs in LT and in AT (4 walkers, 8 in flight) with a fixed seed and access count, and
# its --json, --csv and run summary (no host-time line with --no-host-timing) are compared with the files stored
# in tests/reference/stats. --write regenerates them; do that only for an intended change, and say why in
# the commit. trace-ls.yaml and study.yaml replay the trace stored in tests/fuzz/corpus (a captured trace
# differs from machine to machine).
set -euo pipefail
bin=$(realpath "$1") write=${2:-}
cd "$(dirname "$0")/../.."  # configs are named relative to the source tree, as the JSON records them
cfgdir=configs ref=tests/reference/stats here=tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for cfg in "$cfgdir"/*.yaml "$cfgdir"/scenarios/*.yaml "$cfgdir"/riscv/*.yaml; do
  name=$(basename "$cfg" .yaml)
  case $(dirname "$cfg") in
    */scenarios) name=scenario-$name ;;
    */riscv) name=riscv-$name ;;
  esac
  extra=()
  case $name in  # configs made for a captured trace replay the stored one
    scenario-trace-ls | study) extra+=(--set workload.trace="$here/fuzz/corpus/trace/ls-head.lackey") ;;
  esac
  for timing in lt at; do
    t=(--set mmu.timing=$timing)
    [ $timing = at ] && t+=(--set mmu.walkers=4 --set workload.outstanding=8)
    out=$tmp/$name.$timing
    "$bin" run "$cfg" --no-host-timing --set workload.accesses=20000 "${t[@]}" "${extra[@]}" \
      --json "$out.json" --csv "$out.csv" > "$out.txt"
    for ext in json csv txt; do
      n=$((n + 1))
      if [ -n "$write" ]; then
        cp "$out.$ext" "$ref/$name.$timing.$ext"
      elif ! cmp -s "$out.$ext" "$ref/$name.$timing.$ext"; then
        echo "FAIL $name.$timing.$ext differs from the reference:"
        diff "$ref/$name.$timing.$ext" "$out.$ext" | head -20 || true
        fail=1
      fi
    done
  done
done
[ -n "$write" ] && { echo "wrote $n reference files to $ref"; exit 0; }
[ $fail = 0 ] && echo "ok   $n files byte-identical to the reference"
exit $fail
