#!/usr/bin/env bash
# expect.sh EXIT_CODE REGEX -- COMMAND...: runs COMMAND, fails unless it exits with EXIT_CODE
# and its combined output matches the extended REGEX.
set -u
want_rc=$1 regex=$2
shift 3
out=$("$@" 2>&1)
rc=$?
if [ "$rc" != "$want_rc" ]; then
  printf 'exit code %s, expected %s\n%s\n' "$rc" "$want_rc" "$out"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  printf 'output does not match /%s/:\n%s\n' "$regex" "$out"
  exit 1
fi
exit 0
