#!/usr/bin/env bash
# Builds the plugin and runs the whole test suite through CTest, three times:
#  1. the normal build: unit tests, conformance over ../shared/real-mountstats,
#     integration tests with the real collectd daemon, valgrind memcheck of
#     the daemon, exported-symbol and example-config checks;
#  2. everything again built with -fsanitize=address,undefined (the daemon
#     gets the sanitizer runtimes preloaded);
#  3. each libFuzzer harness for a bounded time (FUZZ_SECONDS, default 60).
# Phase 1 also builds the benchmark and the dispatch-floor plugin and runs
# the benchmark briefly for its own result checks (a wrong parse fails it);
# its timings are not judged here: see README.md, Performance.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
phase() { printf '\n=== %s ===\n' "$*"; }

phase "build and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
cmake --build build -j"$jobs" --target bench_mountstats mountstats_floor
build/bench/bench_mountstats --sizes 10,100 --time 0.2 --options-size 100 |
  tail -1

phase "AddressSanitizer + UndefinedBehaviorSanitizer build and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DMOUNTSTATS_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"

phase "fuzzing (libFuzzer, ASan, UBSan): ${FUZZ_SECONDS:-60} s per harness"
CC=clang cmake -S . -B build-fuzz -DMOUNTSTATS_FUZZ=ON -DMOUNTSTATS_BUILD_TESTS=OFF \
  -DMOUNTSTATS_FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >/dev/null
cmake --build build-fuzz -j"$jobs"
ctest --test-dir build-fuzz --output-on-failure
