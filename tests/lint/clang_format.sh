#!/usr/bin/env bash
# clang_format.sh SOURCE_DIR: every C++ file of the project is formatted as .clang-format says
# (fix with: clang-format -i FILE). Generated and build directories are not looked at.
set -euo pipefail
cd "$1"
mapfile -t files < <(find model tb tests bench examples rtl -name '*.cpp' -o -name '*.h' | grep -v '/obj_\|/build' | sort)
clang-format --dry-run -Werror "${files[@]}"
echo "ok   ${#files[@]} C++ files formatted as .clang-format says"
