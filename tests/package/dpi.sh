#!/usr/bin/env bash
# dpi.sh CMAKE CXX VERILATOR BUILD_DIR EXAMPLE_DIR WORK_DIR: a user's SystemVerilog testbench
# (examples/dpi) built outside the tree against the installed package alone, once with CMake
# (find_package(agilemmu): agilemmu::dpi and AGILEMMU_SV_FILES) and once with the Verilator
# command line of rtl/README.md (agilemmu-dpi.pc); both testbenches must pass their walks.
set -eu
cmake=$1 cxx=$2 verilator=$3 build=$4 example=$5 work=$6
# shellcheck source=tests/package/install.inc.sh
. "$(dirname "$0")/install.inc.sh"

"$cmake" -S "$example" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
found_here "$work/cmake"
"$cmake" --build "$work/cmake" -j2 >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
echo "== find_package(agilemmu): $work/cmake/walker_tb"
"$work/cmake/walker_tb" +walks=400 +seed=2

export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name agilemmu-dpi.pc)")
libdir=$(pkg-config --variable=libdir agilemmu-dpi)
# shellcheck disable=SC2046
"$verilator" --cc --exe --build -j 2 --timing --top-module walker_tb --Mdir "$work/pc" -o walker_tb \
  $(pkg-config --variable=sv_files agilemmu-dpi) "$example/walker_tb.sv" "$example/main.cpp" \
  -LDFLAGS "$(pkg-config --libs agilemmu-dpi) -Wl,-rpath,$libdir" >"$work/pc.log" 2>&1 ||
  { tail -30 "$work/pc.log"; exit 1; }
echo "== pkg-config agilemmu-dpi: $work/pc/walker_tb"
"$work/pc/walker_tb" +walks=400 +seed=3
