#!/usr/bin/env bash
# sigint.sh AGILEMMU CONFIG: Ctrl-C on a long run stops it cleanly; the statistics gathered so far
# are written and marked partial.
set -u
bin=$1 cfg=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$cfg" --quiet --set workload.accesses=500000000 --json "$tmp/s.json" > "$tmp/out" 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
cat "$tmp/out"
[ "$rc" = 0 ] || { echo "exit code $rc"; exit 1; }
grep -q '"partial": true' "$tmp/s.json" || { echo "statistics not marked partial"; exit 1; }
python3 -c "import json,sys; j=json.load(open('$tmp/s.json')); sys.exit(0 if 0 < j['accesses'] < 500000000 else 1)"
