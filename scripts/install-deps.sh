#!/usr/bin/env bash
# Installs the Debian 12 packages garita needs to build, test and fuzz.
# Idempotent and quiet when everything is already there; must run as root
# (or with sudo available). Nothing is downloaded from outside Debian's archive.
set -euo pipefail

# Why each package is here: docs/dependencies.md.
PKGS=(
  build-essential cmake ninja-build pkg-config ccache git
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev libsqlite3-dev sqlite3 libusb-1.0-0-dev libsystemd-dev
  libcli11-dev libtomlplusplus-dev
  catch2 libbenchmark-dev
  clang clang-tidy clang-format libclang-rt-14-dev
  openssl tshark
)

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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
