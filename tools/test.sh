#!/bin/sh
# Builds linemgr with warnings as errors and runs every test; then again under
# AddressSanitizer and UndefinedBehaviorSanitizer, the threaded ones under ThreadSanitizer, then
# fuzzes (tools/fuzz.sh). Usage: tools/test.sh [--no-sanitizers]
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# The OS2mo emulator's packages, exactly as locked.
npm ci --prefix tests/os2mo-emulator --no-audit --no-fund --loglevel=error

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINEMGR_WERROR=ON
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

# The packaging contract, as a consumer sees it: install, then build programs against the
# installed tree with find_package and with pkg-config, setting nothing themselves, and run them.
rm -rf build/stage build/embed build/embed-core build/pkg
cmake --install build --prefix "$PWD/build/stage" >/dev/null
cmake -S examples/embed -B build/embed -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/stage" -DLINEMGR_WERROR=ON >/dev/null
cmake --build build/embed
build/embed/linemgr-embed-example examples/organisation/snapshot.json | grep -q "line manager"
build/embed/linemgr-embed-listen examples/organisation/snapshot.json examples/organisation/config.toml "$(sed -n 's/.*"id": "\([^"]*\)".*/\1/p' examples/organisation/snapshot.json | head -n 1)" \
  | grep -q "events in 1 batches"
build/embed/linemgr-embed-core | grep -q "^set_unit_class TOP"
# linemgr::core alone: found without the adapters' packages, linked without them.
cmake -S examples/embed -B build/embed-core -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/stage" -DLINEMGR_EMBED_CORE_ONLY=ON \
  -DLINEMGR_WERROR=ON >/dev/null
cmake --build build/embed-core
build/embed-core/linemgr-embed-core | grep -q "^set_unit_class TOP"
if ninja -C build/embed-core -t commands linemgr-embed-core | grep -Eq 'curl|rabbitmq|sqlite|ssl|crypto|linemgr\.a'; then
  echo "linemgr::core pulls an adapter dependency onto the link line" >&2; exit 1
fi
# pkg-config, relocatable: the tree is moved after installing.
mkdir -p build/pkg && cp -a build/stage build/pkg/moved
export PKG_CONFIG_PATH="$PWD/build/pkg/moved/lib/pkgconfig"
g++ -Werror -Wall -o build/pkg/embed examples/embed/main.cpp $(pkg-config --cflags --libs linemgr)
build/pkg/embed examples/organisation/snapshot.json | grep -q "line manager"
g++ -Werror -Wall -o build/pkg/core examples/embed/core_only.cpp $(pkg-config --cflags --libs linemgr-core)
build/pkg/core | grep -q "^set_unit_class TOP"
if pkg-config --libs linemgr-core | grep -Eq 'curl|rabbitmq|sqlite|ssl|crypto'; then
  echo "linemgr-core.pc names an adapter dependency" >&2; exit 1
fi
unset PKG_CONFIG_PATH
for f in bin/linemgr lib/liblinemgr.a lib/liblinemgr-core.a lib/cmake/linemgr/linemgr-config.cmake include/linemgr/core/plan.hpp \
         include/linemgr/webhooks/outbox.hpp include/linemgr/service/listen.hpp share/man/man1/linemgr.1 \
         share/bash-completion/completions/linemgr share/zsh/site-functions/_linemgr share/doc/linemgr/rules.md; do
  [ -e "build/stage/$f" ] || { echo "cmake --install did not install $f" >&2; exit 1; }
done
if find build/stage/include -name '*_internal.hpp' | grep -q .; then echo "an internal header was installed" >&2; exit 1; fi
mandoc -Tlint -W warning man/linemgr.1
if command -v man >/dev/null 2>&1; then man -l man/linemgr.1 >/dev/null; fi

[ "${1:-}" = "--no-sanitizers" ] && exit 0
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLINEMGR_WERROR=ON -DLINEMGR_SANITIZE=ON
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"

# ThreadSanitizer over what runs threads: the unit tests (the listen loop and its worker) and the
# webhook tests (background delivery, listen, the /metrics server), in parallel. Any race fails.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DLINEMGR_WERROR=ON \
  -DLINEMGR_SANITIZE_THREAD=ON -DLINEMGR_BUILD_BENCH=OFF > /dev/null
cmake --build build-tsan -j "$jobs" --target linemgr_cli linemgr_tests
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
build-tsan/tests/linemgr_tests > build-tsan/unit.log 2>&1 &
unit=$!
python3 tests/webhooks/test_webhooks.py build-tsan/cli/linemgr examples/organisation > build-tsan/webhooks.log 2>&1 || {
  cat build-tsan/webhooks.log; echo "webhook tests failed under ThreadSanitizer" >&2; exit 1; }
wait "$unit" || { cat build-tsan/unit.log; echo "unit tests failed under ThreadSanitizer" >&2; exit 1; }
unset TSAN_OPTIONS
echo "ThreadSanitizer: unit and webhook tests passed, no race reported"

# Fuzzing: every harness of tests/fuzz for 30 s with libFuzzer, ASan and UBSan (clang); any crash,
# leak, undefined behaviour or slow input fails the run and is left in build-fuzz/artifacts/.
sh tools/fuzz.sh "${LINEMGR_FUZZ_SECONDS:-30}"
