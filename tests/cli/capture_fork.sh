#!/usr/bin/env bash
# capture_fork.sh CAPTURE AGILEMMU CONFIG_DIR: a program that forks (a shell running two commands,
# one in the background) captured with CAPTURE_FORK_OUT: one trace per process, each readable,
# each child's holding its own exec (into ls) and exit and more accesses than the parent after its
# fork; the three replay together as workload.processes with no hard fault and every access
# counted. Without CAPTURE_FORK_OUT the children are counted, not traced.
set -euo pipefail
capture=$1 bin=$2 cfgdir=$3
export AGILEMMU=$bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prog=(/bin/sh -c 'ls / > /dev/null & ls /usr > /dev/null; wait')
CAPTURE_FORK_OUT="$tmp/kids/child.%p.bin" "$capture" "$tmp/parent.bin.zst" "${prog[@]}" > "$tmp/out"
cat "$tmp/out"
kids=("$tmp"/kids/child.*.bin)
[ "${#kids[@]}" = 2 ] && [ -e "${kids[0]}" ] || fail "expected 2 child traces, found ${#kids[@]}: ${kids[*]}"
[ "$(grep -c "a forked child -> " "$tmp/out")" = 2 ] || fail "the capture does not list the two child traces"
accesses() { "$bin" trace info "$1" | sed -n 's/^[^:]*: \([0-9]*\) accesses.*/\1/p'; }
event() { "$bin" trace info "$1" | sed -n "s/.* $2 \([0-9]*\)[,)].*/\1/p"; }
total=$(accesses "$tmp/parent.bin.zst")
[ "$(event "$tmp/parent.bin.zst" exec)" = 0 ] || fail "the parent's trace holds an exec (a child's records leaked into it)"
[ "$(event "$tmp/parent.bin.zst" exit)" = 1 ] || fail "the parent's trace does not end with its exit"
for k in "${kids[@]}"; do
  "$bin" trace info "$k" | sed 's/^/  /'
  [ "$(event "$k" exec)" = 1 ] || fail "$k: not one exec (into ls)"
  [ "$(event "$k" exit)" = 1 ] || fail "$k: no exit"
  [ "$(accesses "$k")" -gt 100000 ] || fail "$k holds only $(accesses "$k") accesses: not ls"
  total=$((total + $(accesses "$k")))
done
cat > "$tmp/procs.yaml" <<YAML
include: $cfgdir/scenarios/common.yaml
mmu: {mode: shadow, check: true}
workload:
  time_slice: 20000
  processes:
    - {name: sh, trace: $tmp/parent.bin.zst}
    - {name: ls1, trace: ${kids[0]}}
    - {name: ls2, trace: ${kids[1]}}
YAML
"$bin" run "$tmp/procs.yaml" --quiet --no-host-timing --json "$tmp/run.json" > /dev/null
python3 - "$tmp/run.json" "$total" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
total = int(sys.argv[2])
print(f"three processes replayed: {j['accesses']} accesses (traces: {total}), {j['page_faults']} page faults, "
      f"{j['hard_faults']} hard faults")
if j["accesses"] != total or j["hard_faults"] != 0 or j["page_faults"] == 0:
    sys.exit("FAIL: the processes' replay")
PY
# Without CAPTURE_FORK_OUT: counted, not traced.
"$capture" "$tmp/alone.bin.zst" "${prog[@]}" > "$tmp/out2"
grep -q "2 child process(es) that the program forked were not traced" "$tmp/out2" || { cat "$tmp/out2"; fail "the untraced children are not counted"; }
echo "ok   a forking program's capture: one trace per process, replayed together"
