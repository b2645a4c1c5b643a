#!/usr/bin/env bash
# Builds the plugin and runs the whole test suite through CTest, in phases:
#  1. the normal build: unit tests, conformance over published real
#     captures (docs/testing.md), integration tests with the real collectd
#     daemon, valgrind memcheck of
#     the daemon, exported-symbol and example-config checks, the Debian
#     package, the end-to-end tests with real storage servers; then the
#     benchmark's own result checks (a wrong parse fails them; its timings
#     are not judged here: see docs/performance.md);
#  2. everything again built with -fsanitize=address,undefined (the daemon
#     gets the sanitizer runtimes preloaded);
#  3. the live-kernel suite: Debian's kernels in qemu with real NFS mounts,
#     read by the real collectd with both builds of the plugin;
#  4. each libFuzzer harness for a bounded time (FUZZ_SECONDS, default 60).
#
# Each phase owns its build folder and sets every option it relies on, so
# what an earlier configure left in a folder's cache (scripts/demo.sh, the
# README's install commands, a benchmark build) cannot change which tests
# run. Every CTest run fails when it finds no test. All phases run even when
# one fails; the last line totals them ("N passed, N failed, N skipped") and
# the exit status is 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || exit 1
jobs=$(nproc)

total_passed=0 total_failed=0 total_skipped=0
summary=()
phase_name="" phase_started=0 phase_passed=0 phase_failed=0 phase_skipped=0

phase() {
  phase_end
  phase_name=$*
  phase_started=$SECONDS
  phase_passed=0 phase_failed=0 phase_skipped=0
  printf '\n=== %s ===\n' "$phase_name"
}

phase_end() {
  [ -n "$phase_name" ] || return 0
  local took=$((SECONDS - phase_started))
  local line
  line=$(printf '%-62s %3d passed, %d failed, %d skipped, %4d s' "$phase_name" \
    "$phase_passed" "$phase_failed" "$phase_skipped" "$took")
  summary+=("$line")
  printf '=== %s: %d passed, %d failed, %d skipped in %d s ===\n' "$phase_name" \
    "$phase_passed" "$phase_failed" "$phase_skipped" "$took"
  total_passed=$((total_passed + phase_passed))
  total_failed=$((total_failed + phase_failed))
  total_skipped=$((total_skipped + phase_skipped))
  phase_name=""
}

# A step that is not a CTest test (a build, the benchmark's checks) counts
# as one check: a build that fails is a failure, and its tests do not run.
check() { # description, command...
  local what=$1
  shift
  if "$@"; then
    phase_passed=$((phase_passed + 1))
    return 0
  fi
  echo "FAILED: $what (exit status $?)" >&2
  phase_failed=$((phase_failed + 1))
  return 1
}

# Runs CTest and adds its counts to the phase. A run whose summary line is
# missing (no test found, a crash of CTest itself) counts as one failure.
run_ctest() { # build dir, ctest arguments...
  local dir=$1
  shift
  local log
  log=$(mktemp)
  ctest --test-dir "$dir" --output-on-failure --no-tests=error "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local counts
  counts=$(sed -nE 's/^[0-9]+% tests passed, ([0-9]+) tests? failed out of ([0-9]+)$/\1 \2/p' "$log" |
    tail -n1)
  local skipped
  skipped=$(sed -n '/^The following tests did not run:/,/^$/p' "$log" | grep -c '(Skipped)')
  rm -f "$log"
  if [ -z "$counts" ]; then
    echo "FAILED: ctest in $dir reported no results (exit status $rc)" >&2
    phase_failed=$((phase_failed + 1))
    return 1
  fi
  local failed=${counts% *} total=${counts#* }
  # CTest counts a skipped test among the passed ones.
  phase_passed=$((phase_passed + total - failed - skipped))
  phase_failed=$((phase_failed + failed))
  phase_skipped=$((phase_skipped + skipped))
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "FAILED: ctest in $dir exited $rc with no failed test" >&2
    phase_failed=$((phase_failed + 1))
  fi
}

# Options every phase sets, whatever a folder's cache holds.
common=(-DMOUNTSTATS_PACKAGE=OFF)

phase "build and test"
if check "configure build/" cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMOUNTSTATS_BUILD_TESTS=ON -DMOUNTSTATS_SANITIZE= -DMOUNTSTATS_FUZZ=OFF \
  "${common[@]}" >/dev/null &&
  check "build build/" cmake --build build -j"$jobs"; then
  run_ctest build -j"$jobs" -LE live
fi
if check "build the benchmark" cmake --build build -j"$jobs" \
  --target bench_mountstats mountstats_floor; then
  check "benchmark self-checks" bash -c \
    'set -o pipefail; build/bench/bench_mountstats --sizes 10,100 --time 0.2 --options-size 100 | tail -n1'
fi

phase "AddressSanitizer + UndefinedBehaviorSanitizer build and test"
if check "configure build-asan/" cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DMOUNTSTATS_BUILD_TESTS=ON -DMOUNTSTATS_SANITIZE=address,undefined \
  -DMOUNTSTATS_FUZZ=OFF "${common[@]}" >/dev/null &&
  check "build build-asan/" cmake --build build-asan -j"$jobs"; then
  run_ctest build-asan -j"$jobs" -LE live
fi

# Needs both builds: the guest runs this build's plugin, and its churn also
# the sanitizer build's (tests/live/, docs/testing.md: Live-kernel suite).
phase "live kernels (qemu, Debian's kernels, real NFS mounts)"
if [ -f build-asan/mountstats.so ] && [ -f build/mountstats.so ]; then
  # -V: the outage phase's table (scenario, path, fired, held, cleared)
  # reaches the log also when the test passes
  MOUNTSTATS_ASAN_PLUGIN=$PWD/build-asan/mountstats.so run_ctest build -L live -V
else
  echo "FAILED: the live suite needs build/mountstats.so and build-asan/mountstats.so" >&2
  phase_failed=$((phase_failed + 1))
fi

phase "fuzzing (libFuzzer, ASan, UBSan): ${FUZZ_SECONDS:-60} s per harness"
if check "configure build-fuzz/" cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang \
  -DMOUNTSTATS_FUZZ=ON -DMOUNTSTATS_BUILD_TESTS=OFF -DMOUNTSTATS_SANITIZE= \
  -DMOUNTSTATS_FUZZ_SECONDS="${FUZZ_SECONDS:-60}" "${common[@]}" >/dev/null &&
  check "build build-fuzz/" cmake --build build-fuzz -j"$jobs"; then
  run_ctest build-fuzz
fi
phase_end

printf '\n=== summary ===\n'
printf '%s\n' "${summary[@]}"
printf 'total time: %d s\n' "$SECONDS"
echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"
[ "$total_failed" -eq 0 ]
