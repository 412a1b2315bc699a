#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, fuzz-corpus replay, bench
# smoke) through CTest. By default under AddressSanitizer + UndefinedBehavior-
# Sanitizer (the asan preset: a debug build that also catches memory and UB
# bugs); `scripts/test.sh debug` or `release` for the plain builds, and
# `scripts/test.sh arm64` for the lane board's cross-built tests under qemu.
# Installs what is missing and builds first. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=asan
case "${1:-}" in
  debug|release|asan|arm64) preset=$1; shift ;;
esac
scripts/build.sh "$preset"
exec ctest --preset "$preset" -j "$(nproc)" "$@"
