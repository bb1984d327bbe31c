#!/bin/sh
# Fuzzes every harness of tests/fuzz for SECONDS each (default 60) with libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer (clang); fails on any crash, leak, undefined behaviour or input
# that takes over 10 s. A failing input is left in build-fuzz/artifacts/: add it to
# tests/fuzz/corpus/<harness>/ so that every build replays it. Usage: tools/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DLINEMGR_SANITIZE=ON -DLINEMGR_FUZZ=ON -DLINEMGR_WERROR=ON -DLINEMGR_BUILD_BENCH=OFF > /dev/null
cmake --build build-fuzz --target fuzz_snapshot fuzz_config fuzz_events fuzz_graphql
mkdir -p build-fuzz/artifacts
for harness in snapshot config events graphql; do
  mkdir -p "build-fuzz/corpus/$harness"
  echo "fuzzing $harness for $seconds s"
  "build-fuzz/tests/fuzz_$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$harness-" "build-fuzz/corpus/$harness" "tests/fuzz/corpus/$harness" 2>&1 |
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|ERROR|SUMMARY|Test unit written" || true
  echo "corpus: $(ls "build-fuzz/corpus/$harness" | wc -l) inputs"
  if ls "build-fuzz/artifacts/$harness-"* > /dev/null 2>&1; then
    echo "fuzz_$harness found a failing input: $(ls build-fuzz/artifacts/$harness-*)"
    exit 1
  fi
done
