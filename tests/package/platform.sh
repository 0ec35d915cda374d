#!/usr/bin/env bash
# platform.sh CMAKE CXX VERSION BUILD_DIR EXAMPLE_DIR WORK_DIR: the package works outside the tree.
# Installs BUILD_DIR into a fresh prefix under WORK_DIR, then configures, builds and runs the
# example platform against that prefix alone, once through find_package(agilemmu) and once
# through agilemmu.pc; the installed agilemmu must report VERSION.
set -eu
cmake=$1 cxx=$2 version=$3 build=$4 example=$5 work=$6
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log"
echo "installed $build into $prefix"

got=$("$prefix/bin/agilemmu" --version)
[ "$got" = "agilemmu $version" ] || { echo "agilemmu --version: '$got', expected 'agilemmu $version'"; exit 1; }

"$cmake" -S "$example" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
# The package found must be the one just installed, not another on the system.
grep -qx "agilemmu_DIR:PATH=$prefix/lib[^ ]*/cmake/agilemmu" "$work/cmake/CMakeCache.txt" ||
  { grep agilemmu_DIR "$work/cmake/CMakeCache.txt"; exit 1; }
"$cmake" --build "$work/cmake" > "$work/build.log"
echo "== find_package(agilemmu): $work/cmake/platform"
"$work/cmake/platform"

export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name agilemmu.pc)")
[ "$(pkg-config --modversion agilemmu)" = "$version" ]
"$cxx" -O2 $(pkg-config --cflags agilemmu) "$example/main.cpp" -o "$work/platform-pc" $(pkg-config --libs agilemmu)
echo "== pkg-config agilemmu: $work/platform-pc"
"$work/platform-pc"
