#!/bin/sh
# Coverage closure of the RTL co-simulations: a few seeds of `agilemmu-cosim` on every walker
# build (l4, l5, mix; random images, and --directed images that make the rare faults and A/D
# cases frequent; backpressure on) and of `agilemmu-unit-cosim` (PWC hit levels by requests in
# flight), each writing its coverage JSON, then `scripts/coverage-report --require-closure` over
# all of them: exit status 0 only if every run had 0 mismatches and every reachable bin was hit.
#
#   scripts/coverage-regression.sh [--build DIR] [--out DIR] [--jobs N] [--summary] [--code-coverage]
#
# --build: the build tree (default build/); --out: where the JSON files and the report go
# (default BUILD/coverage); --jobs: runs in parallel (default 2). About a minute on 2 cores.
# --code-coverage: also run agilemmu-cosim-cov (configure with -DAGILEMMU_RTL_COVERAGE=ON) on
# l4, l5 and mix and add Verilator's line/branch/toggle coverage per file to the report.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
out=
jobs=2
summary=
code=
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --summary) summary=--summary; shift ;;
    --code-coverage) code=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "coverage-regression.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
out=${out:-$build/coverage}
cosim=$build/tb/cosim/agilemmu-cosim
unit=$build/tb/cosim/agilemmu-unit-cosim
cosimcov=$build/tb/cosim/agilemmu-cosim-cov
for b in "$cosim" "$unit" ${code:+"$cosimcov"}; do
  [ -x "$b" ] || { echo "coverage-regression.sh: $b not built" >&2; exit 2; }
done
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log "$out"/*.dat

# One line per run: NAME then the command's arguments (the JSON lands in OUT/NAME.json).
# 5-level walks are longer and reach their deepest levels less often: more of them.
runs=$(cat <<EOF
l4-1 $cosim --rtl l4 --seed 1 --walks 60000 --backpressure --directed
l4-2 $cosim --rtl l4 --seed 2 --walks 60000 --backpressure --directed
l4-3 $cosim --rtl l4 --seed 3 --walks 40000 --backpressure
l5-1 $cosim --rtl l5 --seed 1 --walks 80000 --backpressure --directed --latency 2
l5-2 $cosim --rtl l5 --seed 2 --walks 80000 --backpressure --directed
l5-3 $cosim --rtl l5 --seed 3 --walks 80000 --backpressure --directed
l5-4 $cosim --rtl l5 --seed 4 --walks 40000 --backpressure
mix-1 $cosim --rtl mix --seed 1 --walks 60000 --backpressure --directed
mix-2 $cosim --rtl mix --seed 2 --walks 60000 --backpressure --directed --latency 3
mix-3 $cosim --rtl mix --seed 3 --walks 40000 --backpressure
w8p32-agile $unit --rtl w8p32 --mode agile --seed 1 --requests 20000 --load 100 --mem-stall 20 --rsp-stall 20
w8p32-nested $unit --rtl w8p32 --mode nested --seed 2 --requests 20000 --load 100
w2l5p16-agile $unit --rtl w2l5p16 --mode agile --seed 3 --requests 20000
w4mixp32-shadow $unit --rtl w4mixp32 --mode shadow --seed 4 --requests 20000 --load 100
EOF
)
dats=
if [ -n "$code" ]; then
  for c in l4 l5 mix; do
    runs="$runs
code-$c $cosimcov --rtl $c --seed 1 --walks 30000 --backpressure --directed --code-coverage $out/$c.dat"
    dats="$dats --dat $out/$c.dat"
  done
fi
status=0
echo "$runs" | while read -r name cmd; do echo "$name $cmd --coverage $out/$name.json"; done |
  xargs -P "$jobs" -L 1 sh -c 'n=$0; "$@" > "'"$out"'/$n.log" 2>&1 || { echo "$n: exit $? (see '"$out"'/$n.log)"; exit 255; }' ||
  status=1
[ $status -eq 0 ] || { echo "coverage-regression.sh: a co-simulation run failed" >&2; exit 1; }
rc=0
python3 "$here/coverage-report" $summary $dats --json "$out/merged.json" --require-closure "$out"/*-*.json \
  > "$out/report.txt" || rc=$?
cat "$out/report.txt"
exit $rc
