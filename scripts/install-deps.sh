#!/usr/bin/env bash
# Installs the Debian 12 packages agilemmu needs. Idempotent: does nothing when all are present.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libsystemc-dev verilator libyaml-cpp-dev libboost-test-dev
      nlohmann-json3-dev valgrind yosys
      parallel python3 python3-matplotlib  # sweeps: cluster recipe test, scripts/plot-sweep
      clang libclang-rt-14-dev             # fuzz preset: clang++ -fsanitize=fuzzer (libFuzzer runtime)
      clang-format clang-tidy              # lint.clang_format, lint.clang_tidy
      libzstd-dev zstd                     # .zst traces
      sqlite3 xz-utils perl                # scripts/study.sh: programs of the study
      sysbench stress-ng redis-server redis-tools   # scripts/study.sh: its TLB-intensive programs
      qemu-system-misc gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf
      picolibc-riscv64-unknown-elf)        # RISC-V: the QEMU oracle of the walk (docs/riscv.md)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
