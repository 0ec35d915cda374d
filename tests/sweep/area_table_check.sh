#!/usr/bin/env bash
# The shipped area table (configs/sweeps/area-table.tsv) cannot go stale silently: its rows must
# be for the RTL sources as they are (scripts/synth-report.sh --rtl-version), and a fresh
# synthesis (yosys, niced, an empty synthesis cache) of its smallest parameter set must give the
# table's cells and flip-flops. Usage: area_table_check.sh [TABLE]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TABLE=${1:-$ROOT/configs/sweeps/area-table.tsv}
REGEN="build/tb/agilemmu sweep configs/sweeps/walker-sizing.yaml --area-table configs/sweeps/area-table.tsv"
version=$("$ROOT/scripts/synth-report.sh" --rtl-version)
versions=$(awk '!/^#/ && NF {print $1}' "$TABLE" | sort -u | tr '\n' ' ')
if [ "$versions" != "$version " ]; then
  echo "FAIL $TABLE holds RTL version(s) '$versions', the RTL is now $version: regenerate it ($REGEN)"
  exit 1
fi
# The smallest set: fewest PWC entries, then fewest walkers.
read -r _ wset walkers entries ways cells ffs < <(awk -F'\t' '!/^#/ && NF {print $1 "\t" $2 "\t" $3}' "$TABLE" \
  | tr '\t' ' ' | sort -k4,4n -k3,3n | head -1)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
got=$(AGILEMMU_SYNTH_CACHE=$cache nice -n 19 "$ROOT/scripts/synth-report.sh" --params "$wset $walkers $entries $ways")
if [ "$got" != "$cells $ffs" ]; then
  echo "FAIL '$wset $walkers $entries $ways': fresh synthesis gives '$got', $TABLE has '$cells $ffs': regenerate it ($REGEN)"
  exit 1
fi
echo "ok   $TABLE is for RTL $version; '$wset $walkers $entries $ways' synthesizes to $cells cells, $ffs flip-flops as listed"
