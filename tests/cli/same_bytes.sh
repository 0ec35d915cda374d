#!/usr/bin/env bash
# same_bytes.sh AGILEMMU CONFIG [--set k=v]...: the same config and seed give byte-identical
# statistics. Runs twice in LT and twice in AT (2 walkers, 4 requests in flight, so walks overlap)
# with --no-host-timing and compares the --json and --csv files with cmp.
set -euo pipefail
bin=$1 cfg=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for timing in lt at; do
  extra=(--set mmu.timing=$timing)
  [ $timing = at ] && extra+=(--set mmu.walkers=2 --set workload.outstanding=4)
  for n in 1 2; do
    "$bin" run "$cfg" --quiet --no-host-timing --set workload.accesses=20000 "${extra[@]}" "$@" \
      --json "$tmp/$timing.$n.json" --csv "$tmp/$timing.$n.csv" > /dev/null
  done
  grep -q '"host_seconds"\|"accesses_per_second"' "$tmp/$timing.1.json" && { echo "FAIL --no-host-timing left host timing in"; exit 1; }
  cmp "$tmp/$timing.1.json" "$tmp/$timing.2.json"
  cmp "$tmp/$timing.1.csv" "$tmp/$timing.2.csv"
  echo "ok   $timing: $(wc -c < "$tmp/$timing.1.json") bytes of JSON identical, $(grep -o '"os_events": [0-9]*' "$tmp/$timing.1.json")"
done
