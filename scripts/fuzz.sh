#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, 'fuzz' preset) and fuzzes each for a
# bounded time, starting from the checked-in corpus (copied, so the repo is
# not written to). Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
# Only the fuzz targets (and what they link): the programs are built elsewhere.
targets=$(sed -n 's/^garita_fuzz_target(\([a-z_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt)
# shellcheck disable=SC2086
scripts/build.sh fuzz $targets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for bin in build/fuzz/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  mkdir -p "$work/$name"
  [ -d "$corpus" ] && cp -r "$corpus/." "$work/$name/"
  echo "fuzz: $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/$name-" "$work/$name" >"$work/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; last lines of its log:"
    tail -40 "$work/$name.log"
    mkdir -p build/fuzz-artifacts && cp "$work/$name-"* build/fuzz-artifacts/ 2>/dev/null || true
    status=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$work/$name.log" | tail -2 | sed 's/^/  /'
  fi
done
exit $status
