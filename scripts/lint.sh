#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over the product code. Uses the
# asan build (the one the tests use) for compile_commands.json and generated
# sources, building it first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh asan
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/data/')
clang-format --dry-run --Werror "${sources[@]}"
mapfile -t tidy < <(git ls-files 'common/*.cpp' 'hal/*.cpp' 'daemon/*.cpp' 'firmware/*.cpp' 'simulators/*.cpp')
run-clang-tidy -quiet -p build/asan -j "$(nproc)" "${tidy[@]}" > build/clang-tidy.log 2>&1 || {
  grep -E 'warning:|error:' build/clang-tidy.log | sort -u | head -50
  echo "lint: clang-tidy found problems (full log: build/clang-tidy.log)"
  exit 1
}
echo "lint: clang-format and clang-tidy clean (${#sources[@]} files formatted, ${#tidy[@]} tidied)"
