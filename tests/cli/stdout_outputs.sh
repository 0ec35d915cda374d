#!/usr/bin/env bash
# `--json -` and `--csv -` write to standard output, which then holds nothing else (the run summary
# goes to standard error), and no file named "-" appears. Usage: stdout_outputs.sh AGILEMMU CONFIG
set -euo pipefail
AGILEMMU=$1 CFG=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$AGILEMMU" run "$CFG" --set workload.accesses=2000 --no-host-timing --json - 2> summary.txt > out.json
python3 -c 'import json, sys; d = json.load(open("out.json")); assert d["accesses"] == 2000, d["accesses"]'
grep -q "^agilemmu run" summary.txt || { echo "summary missing from stderr"; exit 1; }
"$AGILEMMU" run "$CFG" --set workload.accesses=2000 --no-host-timing --json file.json 2> /dev/null > /dev/null
cmp -s out.json file.json || { echo "--json - differs from --json FILE"; exit 1; }
"$AGILEMMU" run "$CFG" --set workload.accesses=2000 --no-host-timing --csv - 2> /dev/null > out.csv
[ "$(wc -l < out.csv)" = 2 ] && head -1 out.csv | grep -q "accesses" || { echo "--csv - is not a header and a row"; cat out.csv; exit 1; }
[ ! -e ./- ] || { echo "a file named '-' was written"; exit 1; }
echo "stdout outputs ok"
