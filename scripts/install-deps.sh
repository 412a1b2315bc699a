#!/usr/bin/env bash
# Installs the Debian 12 packages garita needs to build, test and fuzz.
# Idempotent and quiet when everything is already there; must run as root
# (or with sudo available). Nothing is downloaded from outside Debian's archive.
#
# Usage: scripts/install-deps.sh [--arm64]
#   --arm64  also the lane board's cross toolchain, its arm64 (multiarch)
#            libraries and qemu user emulation for running its tests.
set -euo pipefail

arm64=0
case "${1:-}" in
  --arm64) arm64=1 ;;
  "") ;;
  *) echo "install-deps: unknown option '$1' (known: --arm64)" >&2; exit 2 ;;
esac

# Why each package is here: docs/dependencies.md.
PKGS=(
  build-essential cmake ninja-build pkg-config ccache git
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev libsqlite3-dev sqlite3 libusb-1.0-0-dev libsystemd-dev
  libcli11-dev libtomlplusplus-dev
  libhowardhinnant-date-dev tzdata  # port-local time for the partner exchange (date/tz.h)
  catch2 libbenchmark-dev
  clang clang-tidy clang-format libclang-rt-14-dev
  openssl tshark
  chromium  # headless status-page test (tests/integration/test_status_page)
)
# The lane board (arm64): Debian's cross toolchain, the libraries garita-lane
# links as multiarch :arm64 packages, and qemu to run its unit tests.
ARM64_PKGS=(
  crossbuild-essential-arm64 qemu-user-static
  libboost1.81-dev:arm64 libboost-json1.81-dev:arm64 libssl-dev:arm64
  libsqlite3-dev:arm64 libusb-1.0-0-dev:arm64 libtomlplusplus-dev:arm64
)
if [ "$arm64" = 1 ]; then
  PKGS+=("${ARM64_PKGS[@]}")
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ "$arm64" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
