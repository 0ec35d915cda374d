#!/usr/bin/env bash
# capture_cut.sh CAPTURE AGILEMMU: a capture that ends early leaves a readable trace marked cut
# (`trace info` says why): the program killed with SIGKILL (the script adds the marker), dead of
# SIGSEGV (the tool adds it), stopped at CAPTURE_TRACE_LIMIT; a full disk ends the capture with
# a clear error. A failed program's capture exits 1 either way.
set -uo pipefail
capture=$1 bin=$2
export AGILEMMU=$bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cut_reason() {  # TRACE WANT_RC PROGRAM...: captures, checks the exit code, prints trace info's cut line
  local out=$1 want=$2
  shift 2
  "$capture" "$out" "$@" > "$tmp/log" 2>&1
  local rc=$?
  [ "$rc" = "$want" ] || { cat "$tmp/log"; fail "capture of '$*' exited $rc, expected $want"; }
  "$bin" trace info "$out" > "$tmp/info" || fail "trace info cannot read $out"
  cat "$tmp/info"
  [ "$(sed -n 's/^[^:]*: \([0-9]*\) accesses.*/\1/p' "$tmp/info")" -gt 1000 ] || fail "$out holds almost nothing"
  sed -n 's/.*cut short: //p' "$tmp/info"
}
[ "$(cut_reason "$tmp/kill.bin.zst" 1 sh -c 'ls / > /dev/null; kill -KILL $$' | tail -1)" = "the capture was stopped from outside" ] ||
  fail "a SIGKILLed program's trace is not marked cut from outside"
[ "$(cut_reason "$tmp/segv.bin" 1 sh -c 'ls / > /dev/null; kill -SEGV $$' | tail -1)" = "the program was killed by a signal" ] ||
  fail "a SIGSEGV'd program's trace is not marked cut by a signal"
[ "$(CAPTURE_TRACE_LIMIT=50000 cut_reason "$tmp/limit.bin.zst" 0 /bin/ls -lR /usr | tail -1)" = "the capture's access limit" ] ||
  fail "a limited trace is not marked cut at the limit"
"$bin" trace info "$tmp/limit.bin.zst" | grep -q ": 50000 accesses (" || fail "the limited trace does not hold exactly 50000 accesses"
# A complete capture is not marked.
[ -z "$(cut_reason "$tmp/whole.bin.zst" 0 /bin/ls / | tail -n +3)" ] || fail "a whole program's trace is marked cut"
"$capture" /dev/full /bin/ls / > "$tmp/log" 2>&1 && fail "a capture onto a full disk succeeded"
grep -q "capture-trace: .*writing the trace to /dev/full failed: No space left on device (the disk is full)" "$tmp/log" ||
  { cat "$tmp/log"; fail "no clear error for a full disk"; }
echo "ok   cut traces are readable and say why; a full disk is a clear error"
