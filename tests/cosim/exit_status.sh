#!/usr/bin/env bash
# exit_status.sh WANT -- COMMAND...: runs COMMAND (its output passes through) and fails unless it
# exits with status WANT. The verdict of every RTL flow is its exit status; this checks that a
# flow given a broken walker says so (1), not that some text appears in its log.
set -u
want=$1
shift 2
"$@"
rc=$?
if [ "$rc" != "$want" ]; then
  echo "exit_status.sh: exit status $rc, expected $want: $*" >&2
  exit 1
fi
