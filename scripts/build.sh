#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release), installing any
# missing Debian packages first. Usage: scripts/build.sh [PRESET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
if [ "$preset" = arm64 ]; then
  scripts/install-deps.sh --arm64
else
  scripts/install-deps.sh
fi
# ccache: key on paths relative to the checkout, so a fresh clone (CI) reuses
# what an earlier build on this machine compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [ ! -f "build/$preset/build.ninja" ]; then
  cmake --preset "$preset" >/dev/null
fi
if [ $# -gt 0 ]; then
  cmake --build --preset "$preset" --target "$@"
else
  cmake --build --preset "$preset"
fi
