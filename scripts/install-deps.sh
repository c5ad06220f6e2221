#!/bin/sh
# Installs the Debian packages Liaison needs, and only the missing ones: quiet and quick when
# everything is present. Usage: scripts/install-deps.sh [build|test|lint|bench|fuzz]
set -eu

group="${1:-test}"
build_pkgs="build-essential cmake ninja-build pkg-config ccache libboost1.74-dev libssl-dev
  libsqlite3-dev libpq-dev libcurl4-openssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev libsimdjson-dev
  libgoogle-perftools-dev"
# postgresql: the server the storage tests start in a temp directory (never the system's cluster).
test_pkgs="libgtest-dev libgmock-dev libbenchmark-dev chromium curl postgresql"
bench_pkgs="wrk nginx-light"
fuzz_pkgs="clang libclang-rt-14-dev"
lint_pkgs="clang-format git"

case "$group" in
  build) wanted="$build_pkgs" ;;
  test) wanted="$build_pkgs $test_pkgs" ;;
  bench) wanted="$build_pkgs $test_pkgs $bench_pkgs" ;;
  fuzz) wanted="$build_pkgs $test_pkgs $fuzz_pkgs" ;;
  lint) wanted="$lint_pkgs" ;;
  *) echo "usage: $0 [build|test|lint|bench|fuzz]" >&2; exit 2 ;;
esac
# The browser tests (playwright-core) and the SDK conformance suite run on Debian 12's own Node.js
# (18) and npm; a Node.js that is already installed (18 or newer) is used as it is.
if [ "$group" != build ] && [ "$group" != lint ] && ! command -v npm >/dev/null 2>&1; then
  wanted="$wanted nodejs npm"
fi

missing=""
for pkg in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done
[ -z "$missing" ] && exit 0

echo "Installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
