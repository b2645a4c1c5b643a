#!/usr/bin/env bash
# Instructions per call of each benchmark stage, counted by callgrind: exact
# and repeatable, whatever else the machine is doing (user space only: the
# kernel's copy in read() is not counted, so ratios are higher than the
# timed ones). Then the functions that execute the most instructions in the
# plugin's read callback.
#
#   bash bench/callgrind.sh [BUILD_DIR]     (env: SIZES, default "1000 5000")
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
sizes=${SIZES:-"1000 5000"}
command -v valgrind >/dev/null || {
  echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMOUNTSTATS_BUILD_TESTS=OFF \
  -DMOUNTSTATS_SANITIZE= -DMOUNTSTATS_FUZZ=OFF -DMOUNTSTATS_PACKAGE=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_mountstats >/dev/null
bench=$build/bench/bench_mountstats
out=$(mktemp -d /tmp/callgrind.XXXXXX)
trap 'rm -rf "$out"' EXIT

# ir STAGE N: instructions of one call (callgrind collects run_stage only).
ir() {
  valgrind --tool=callgrind --callgrind-out-file="$out/$1-$2.out" \
    --collect-atstart=no --toggle-collect=run_stage \
    "$bench" --stage "$1" --size "$2" --iters 1 2>&1 |
    awk '/Collected/ { print $4 }'
}

printf '%6s  %-24s %14s %12s %8s\n' mounts stage "instructions" "per mount" "x B"
for n in $sizes; do
  floor=$(ir convert "$n")
  for stage in convert parse callback callback-mi; do
    case $stage in
    convert) i=$floor label="B read+convert (floor)" ;;
    parse) i=$(ir parse "$n") label="P read+ms_parse" ;;
    callback) i=$(ir callback "$n") label="C ms_read (stub)" ;;
    callback-mi) i=$(ir callback-mi "$n") label="M ms_read+mountinfo" ;;
    esac
    awk -v n="$n" -v l="$label" -v i="$i" -v f="$floor" \
      'BEGIN { printf "%6d  %-24s %14d %12.0f %7.2fx\n", n, l, i, i / n, i / f }'
  done
done

n=${sizes%% *}
echo
echo "M at $n mounts, functions by instructions (self):"
callgrind_annotate "$out/callback-mi-$n.out" 2>/dev/null |
  awk '/file:function/ { f = 1; next } f && /^ *[0-9,]+ / { print } f && /^$/ && n++ > 0 { exit }' |
  head -15
