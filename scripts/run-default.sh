#!/usr/bin/env bash
# README command 1: install what is missing, build, run the default simulation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
./build/tb/agilemmu
