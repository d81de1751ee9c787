#!/usr/bin/env bash
# Installs whichever of offload-bench's Debian dependencies are missing: the build's (libjs-chart.js is
# embedded into HTML reports at build time), python3 (and uvloop) for the cpython backend and its tests,
# libuv (found through pkg-config) and Boost.Asio for the peer drivers, and chromium for the HTML
# report's browser test. `--fuzz` adds clang and its libFuzzer/sanitizer runtimes (`make fuzz`).
# Non-interactive apt-get; uses sudo when not root; says what to do when neither works.
set -euo pipefail

packages=(cmake g++ make libbenchmark-dev libcli11-dev libfmt-dev nlohmann-json3-dev
          libtomlplusplus-dev libgtest-dev python3 python3-uvloop pkg-config libuv1-dev libboost-dev
          libjs-chart.js chromium)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang libclang-rt-dev) ;;
    *) echo "install-deps: unknown option $arg (known: --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-deps: not root and no password-less sudo; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
