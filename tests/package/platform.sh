#!/usr/bin/env bash
# platform.sh CMAKE CXX VERSION BUILD_DIR EXAMPLE_DIR WORK_DIR: the package works outside the tree.
# Installs BUILD_DIR into a fresh prefix under WORK_DIR, then configures, builds and runs the
# example platform against that prefix alone, once through find_package(agilemmu) and once
# through agilemmu.pc; the installed agilemmu must report VERSION; the DPI-C library answers from
# C; every <agilemmu/...h> the READMEs name compiles against the prefix with its target alone.
set -eu
cmake=$1 cxx=$2 version=$3 build=$4 example=$5 work=$6
# shellcheck source=tests/package/install.inc.sh
. "$(dirname "$0")/install.inc.sh"

got=$("$prefix/bin/agilemmu" --version)
[ "$got" = "agilemmu $version" ] || { echo "agilemmu --version: '$got', expected 'agilemmu $version'"; exit 1; }

"$cmake" -S "$example" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
found_here "$work/cmake"
"$cmake" --build "$work/cmake" > "$work/build.log"
echo "== find_package(agilemmu): $work/cmake/platform"
"$work/cmake/platform"

export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name agilemmu.pc)")
[ "$(pkg-config --modversion agilemmu)" = "$version" ]
"$cxx" -O2 $(pkg-config --cflags agilemmu) "$example/main.cpp" -o "$work/platform-pc" $(pkg-config --libs agilemmu)
echo "== pkg-config agilemmu: $work/platform-pc"
"$work/platform-pc"

# agilemmu::dpi: the DPI-C golden model, called from C as a simulator's DPI layer would.
dpilib=$(dirname "$(find "$prefix" -name 'libagilemmu_dpi.so' | head -1)")
[ -f "$prefix/share/agilemmu/sv/agilemmu_dpi_pkg.sv" ] || { echo "the SystemVerilog DPI package was not installed"; exit 1; }
grep -q "agilemmu::dpi" "$(find "$prefix" -name agilemmuTargets.cmake)" || { echo "no agilemmu::dpi target"; exit 1; }
cat > "$work/dpi_check.c" <<'CEOF'
#include <agilemmu/dpi/agilemmu_dpi.h>
#include <stdio.h>
int main(void) {
  int h = agilemmu_create_from_seed(4, 4, 52, 52, 1, 1, 7), walks = 0, refs = 0;
  if (h < 0) return 1;
  for (; walks < 1000; ++walks) {
    long long va;
    int access, user, mode;
    if (agilemmu_next_request(h, &va, &access, &user, &mode) != 1) return 1;
    int n = agilemmu_golden_walk(h, va, access, user, mode);
    if (n < 0) return 1;
    refs += n;
  }
  printf("dpi: %d golden walks, %d references\n", walks, refs);
  return refs > 0 ? 0 : 1;
}
CEOF
cc "$work/dpi_check.c" -I"$prefix/include" -L"$dpilib" -lagilemmu_dpi -Wl,-rpath,"$dpilib" -o "$work/dpi_check"
"$work/dpi_check"

# Every <agilemmu/....h> that README.md, docs/*.md and rtl/README.md name compiles against the installed
# package alone, through the target a user links for it: the DPI-C header with agilemmu::dpi only
# (as C and as C++), the others with agilemmu::model.
root=$(cd "$(dirname "$0")/../.." && pwd)
headers=$(grep -oh '<agilemmu/[A-Za-z0-9_/]*\.h>' "$root/README.md" "$root"/docs/*.md "$root/rtl/README.md" | tr -d '<>' | sort -u)
[ -n "$headers" ] || { echo "no documented header found"; exit 1; }
inc=$work/includes
mkdir -p "$inc"
{
  echo 'cmake_minimum_required(VERSION 3.20)'
  echo 'project(agilemmu_includes C CXX)'
  echo 'find_package(agilemmu CONFIG REQUIRED)'
  n=0
  for h in $headers; do
    n=$((n + 1))
    echo "#include <$h>" >"$inc/h$n.cpp"
    case $h in
      agilemmu/dpi/*)
        echo "#include <$h>" >"$inc/h$n.c"
        echo "add_library(h$n OBJECT h$n.cpp h$n.c)"
        echo "target_link_libraries(h$n PRIVATE agilemmu::dpi)" ;;
      *)
        echo "add_library(h$n OBJECT h$n.cpp)"
        echo "target_link_libraries(h$n PRIVATE agilemmu::model)" ;;
    esac
  done
} >"$inc/CMakeLists.txt"
"$cmake" -S "$inc" -B "$inc/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" >"$work/includes.log" 2>&1 &&
  "$cmake" --build "$inc/build" >>"$work/includes.log" 2>&1 ||
  { cat "$work/includes.log"; echo "a documented include line fails against the installed package"; exit 1; }
echo "== documented headers compile against the installed package:" $headers
