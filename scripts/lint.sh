#!/usr/bin/env bash
# clang-format (check only, every file) and clang-tidy over the product code.
# Uses the asan build (the one the tests use) for compile_commands.json and
# generated sources, building it first if needed.
#
# clang-tidy is slow on Asio/Beast code (10-20 CPU-s a file), so by default it
# checks what changed since .ci/tidy-baseline, the last commit at which the
# whole tree was tidy-clean: product .cpp files changed since then, and the
# .cpp files that include a header changed since then. `scripts/lint.sh --all`
# checks everything (do that, then move the baseline, when a change is big).
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
case "${1:-}" in
  --all) all=1 ;;
  "") ;;
  *) echo "lint: unknown option '$1' (known: --all)" >&2; exit 2 ;;
esac
scripts/build.sh asan
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/data/')
clang-format --dry-run --Werror "${sources[@]}"

product=('common/*.cpp' 'hal/*.cpp' 'daemon/*.cpp' 'firmware/*.cpp' 'simulators/*.cpp')
baseline=$(cat .ci/tidy-baseline 2>/dev/null || true)
if [ "$all" = 1 ] || [ -z "$baseline" ] || ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
  mapfile -t tidy < <(git ls-files "${product[@]}")
  what="all ${#tidy[@]} product files"
else
  # Working-tree changes count too (a local run before committing).
  mapfile -t changed < <(git diff --name-only "$baseline" -- '*.cpp' '*.hpp')
  mapfile -t tidy < <(
    {
      for f in "${changed[@]}"; do
        case "$f" in
          */*.cpp) git ls-files --error-unmatch "$f" >/dev/null 2>&1 && echo "$f" ;;
          *.hpp)
            # Who includes this header (by its include path or its file name).
            git grep -l -F "$(basename "$f")\"" -- "${product[@]}" || true ;;
        esac
      done
    } | grep -E '^(common|hal|daemon|firmware|simulators)/.*\.cpp$' | sort -u)
  what="${#tidy[@]} product files changed since ${baseline:0:12} (.ci/tidy-baseline)"
fi
if [ ${#tidy[@]} -gt 0 ]; then
  run-clang-tidy -quiet -p build/asan -j "$(nproc)" "${tidy[@]}" > build/clang-tidy.log 2>&1 || {
    grep -E 'warning:|error:' build/clang-tidy.log | sort -u | head -50
    echo "lint: clang-tidy found problems (full log: build/clang-tidy.log)"
    exit 1
  }
fi
echo "lint: clang-format clean (${#sources[@]} files); clang-tidy clean ($what)"
