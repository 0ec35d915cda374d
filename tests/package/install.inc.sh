# Sourced by the package tests (needs cmake, build, work): installs the build into a fresh prefix,
# $work/prefix, and defines found_here CMAKE_BUILD_DIR, which fails unless find_package(agilemmu)
# in that build found this prefix and not another package on the system.
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"
echo "installed $build into $prefix"
found_here() {
  grep -qx "agilemmu_DIR:PATH=$prefix/lib[^ ]*/cmake/agilemmu" "$1/CMakeCache.txt" ||
    { grep agilemmu_DIR "$1/CMakeCache.txt"; exit 1; }
}
