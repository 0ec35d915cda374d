#!/usr/bin/env bash
# libfuzzer_smoke.sh FUZZER SEED_DIR WORK_DIR SECONDS: runs a libFuzzer binary for SECONDS over a
# fresh copy of its seed corpus (the repository's corpus is never written). A crash, a hang
# (-timeout), a leak or a sanitizer report makes libFuzzer exit non-zero, and so this script;
# the reproducer is left in WORK_DIR/artifacts/.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 secs=$4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
exec "$fuzzer" "$work/corpus" -max_total_time="$secs" -timeout=10 -artifact_prefix="$work/artifacts/" -print_final_stats=1
