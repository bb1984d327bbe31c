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
for f in bin/linemgr lib/liblinemgr.a lib/cmake/linemgr/linemgr-config.cmake include/linemgr/core/plan.hpp \
         include/linemgr/webhooks/outbox.hpp share/man/man1/linemgr.1 share/bash-completion/completions/linemgr \
         share/zsh/site-functions/_linemgr; do
  [ -e "build/stage/$f" ] || { echo "cmake --install did not install $f" >&2; exit 1; }
done
mandoc -Tlint -W warning man/linemgr.1
if command -v man >/dev/null 2>&1; then man -l man/linemgr.1 >/dev/null; fi

[ "${1:-}" = "--no-sanitizers" ] && exit 0
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLINEMGR_WERROR=ON -DLINEMGR_SANITIZE=ON
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
