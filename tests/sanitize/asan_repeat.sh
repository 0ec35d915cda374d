#!/usr/bin/env bash
# asan_repeat.sh RUNS LEAK_BINARY -- BINARY ARGS...: LeakSanitizer is reliable on our SystemC
# binaries. BINARY ARGS runs RUNS times (address layout randomised each time) under the ASan
# options in the environment (the asan test preset's) with leak checking on: every run must exit 0
# with no sanitizer report. Then LEAK_BINARY, which leaks inside an SC_THREAD, runs 5 times: each
# must be stopped by a LeakSanitizer report naming the leaking function. Reports go to a
# directory of this script (not the preset's log_path, where sanitizer.no_reports would count the
# deliberate leak).
# Before tb/sanitize/main_stack.cpp, a run ended in "Tracer caught signal 11 ... LeakSanitizer
# has encountered a fatal error" (exit 86) about half the time.
set -u
runs=$1 leak=$2
shift 2
[ "${1:-}" = "--" ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:log_path=$tmp/asan"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
if [ "$(cat /proc/sys/kernel/randomize_va_space)" = 0 ] || (($(printf '%d' "0x$(cat /proc/self/personality)") & 0x40000)); then
  echo "note: address space layout randomisation is off here: every run has the same layout"
fi

failed=0
for ((i = 1; i <= runs; i++)); do
  "$@" > "$tmp/out" 2>&1
  rc=$?
  reports=("$tmp"/asan.*)
  if [ $rc -ne 0 ] || [ -e "${reports[0]}" ]; then
    failed=$((failed + 1))
    if [ $failed -eq 1 ]; then
      echo "=== run $i: exit $rc"
      tail -5 "$tmp/out"
      [ -e "${reports[0]}" ] && head -20 "${reports[@]}"
    fi
  fi
  rm -f "$tmp"/asan.*
done
echo "$* : $failed of $runs runs failed"

missed=0
for ((i = 1; i <= 5; i++)); do
  "$leak" > "$tmp/out" 2>&1
  rc=$?
  if [ $rc -eq 0 ] || ! grep -qs "ERROR: LeakSanitizer: detected memory leaks" "$tmp"/asan.* ||
    ! grep -qs "in leak_in_thread" "$tmp"/asan.* || grep -qs "fatal error" "$tmp"/asan.*; then
    missed=$((missed + 1))
    echo "=== $leak run $i: exit $rc, the leak in the SC_THREAD was not reported"
    cat "$tmp"/asan.* 2> /dev/null | head -20
  fi
  rm -f "$tmp"/asan.*
done
echo "$leak : the leak reported in $((5 - missed)) of 5 runs"
[ $failed -eq 0 ] && [ $missed -eq 0 ]
