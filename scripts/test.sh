#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite. CI runs this.
# Three builds, one after the other:
#   default  Release build in build/, every test (unit, CLI, end to end, co-sim, sweeps)
#   asan     ASan + UBSan build in build-asan/ (no RTL), the same tests except the co-sim
#   fuzz     clang + libFuzzer in build-fuzz/, each fuzz target run for a few seconds
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
j=$(nproc)
phase() {  # phase NAME: configure, build and test one preset, and say how long it took
  local t0=$SECONDS
  echo "=== test.sh: preset $1"
  cmake --preset "$1"
  cmake --build --preset "$1" -j"$j"
  ctest --preset "$1" -j"$j"
  echo "=== test.sh: preset $1 took $((SECONDS - t0)) s"
}
phase default
phase asan
phase fuzz
