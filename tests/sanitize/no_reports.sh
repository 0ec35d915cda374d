#!/usr/bin/env bash
# no_reports.sh DIR: fails if any sanitizer report was written to DIR (the log_path of
# ASAN_OPTIONS and UBSAN_OPTIONS in the asan test preset), printing each; then empties DIR so the
# next run starts clean.
#
# One message is not a report: ASan's "ignoring requested __asan_handle_no_return" warning. It
# appears when a C++ exception is thrown on a SystemC thread's own stack (a malformed trace record
# met inside the traffic generator's SC_THREAD, caught in sc_main): Debian's SystemC reports its
# coroutine switches to ASan only in part (tb/sanitize/main_stack.cpp), so ASan may hold the wrong
# stack's bounds then. It says false positives *may* follow; any that did would be ERROR reports and
# fail here. A file holding only that warning is shown and accepted.
set -u
shopt -s nullglob
fiber_warning='WARNING: ASan is ignoring requested __asan_handle_no_return|^False positive error reports may follow|^For details see https://github.com/google/sanitizers/issues/189'
bad=0
for r in "$1"/*; do
  if grep -Evq "$fiber_warning" "$r"; then
    echo "=== REPORT $r ($(date -r "$r" '+%F %T'))"
    bad=$((bad + 1))
  else
    echo "=== accepted (SystemC coroutine stack warning) $r"
  fi
  cat "$r"
  rm -f "$r"
done
if [ $bad -gt 0 ]; then
  echo "FAIL: $bad sanitizer report(s)"
  exit 1
fi
echo "no sanitizer reports in $1"
