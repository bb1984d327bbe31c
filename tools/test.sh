#!/bin/sh
# Builds linemgr with warnings as errors and runs every test; then again under
# AddressSanitizer and UndefinedBehaviorSanitizer. Usage: tools/test.sh [--no-sanitizers]
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# The OS2mo emulator's packages, exactly as locked.
npm ci --prefix tests/os2mo-emulator --no-audit --no-fund --loglevel=error

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINEMGR_WERROR=ON
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

# The packaging contract: install, then build an example against the installed package.
rm -rf build/stage
cmake --install build --prefix "$PWD/build/stage" >/dev/null
cmake -S examples/embed -B build/embed -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/stage" -DLINEMGR_WERROR=ON >/dev/null
cmake --build build/embed
build/embed/linemgr-embed-example examples/organisation/snapshot.json | grep -q "line manager"
PKG_CONFIG_PATH="$PWD/build/stage/lib/pkgconfig" pkg-config --cflags --libs linemgr >/dev/null
mandoc -Tlint -W warning man/linemgr.1

[ "${1:-}" = "--no-sanitizers" ] && exit 0
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLINEMGR_WERROR=ON -DLINEMGR_SANITIZE=ON
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
