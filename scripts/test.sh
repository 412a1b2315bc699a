#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, fuzz-corpus replay, bench
# smoke) through CTest for one preset: debug by default, or asan/release.
# Installs what is missing and builds first. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=debug
case "${1:-}" in
  debug|release|asan) preset=$1; shift ;;
esac
scripts/build.sh "$preset"
exec ctest --preset "$preset" -j "$(nproc)" "$@"
