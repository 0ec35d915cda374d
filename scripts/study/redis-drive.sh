#!/usr/bin/env bash
# redis-drive.sh PORT KEYS REQUESTS GOFILE: the client side of the study's redis workload, run
# outside valgrind while scripts/capture-trace.sh captures redis-server on 127.0.0.1:PORT. Loads
# KEYS keys of 100 bytes (SET, pipeline 32), then creates GOFILE (the capture's window starts
# there: CAPTURE_START_FILE) and sends REQUESTS random GETs over them (redis-benchmark, pipeline 32,
# one connection), then shuts the server down. Only 127.0.0.1; every request count is bounded.
set -uo pipefail
port=$1 keys=$2 requests=$3 go=$4
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
for _ in $(seq 600); do  # the server starts slowly under valgrind: up to 5 minutes
  [ "$(cli ping 2> /dev/null)" = PONG ] && break
  sleep 0.5
done
[ "$(cli ping 2> /dev/null)" = PONG ] || { echo "redis-drive: no server on 127.0.0.1:$port" >&2; exit 1; }
bench() { redis-benchmark -h 127.0.0.1 -p "$port" -c 1 -P 32 -d 100 -q "$@"; }
bench -t set -r "$keys" -n "$((keys * 2))" > /dev/null
echo "redis-drive: $(cli dbsize) keys loaded" >&2
: > "$go"
bench -t get -r "$keys" -n "$requests" > /dev/null  # may end early: the capture's limit stops the server
cli shutdown nosave > /dev/null 2>&1 || true
exit 0
