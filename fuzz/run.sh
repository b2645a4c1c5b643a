#!/usr/bin/env bash
# Runs one libFuzzer harness for a bounded time, seeded from the fixtures and
# from fuzz/regressions (inputs that once failed). Exits non-zero on any
# finding; the failing input is left in ARTIFACT_DIR (default: a temp dir,
# printed). Usage: fuzz/run.sh HARNESS SECONDS [WORK_DIR]
set -euo pipefail
harness=$1 seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-}
keep=1
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/fuzz.XXXXXX)
  keep=0
fi
name=$(basename "$harness")
corpus=$work/corpus-$name
mkdir -p "$corpus" "$work/artifacts"
# Seeds: every fixture, and fuzz/seeds (fuzz_sunrpc's inputs made of real
# captures: tests/live/sysfs_tree.py's folders, see fuzz/seeds/README.md). fuzz_read's first byte picks a configuration, so its
# seeds get one of each of a few configurations in front.
i=0
while IFS= read -r -d '' f; do
  i=$((i + 1))
  if [ "$name" = fuzz_read ]; then
    for cfg in '\x00' '\x07' '\x1d' '\x80' '\x8a'; do
      { printf "$cfg"; cat "$f"; } >"$corpus/seed-$i-${cfg#\\x}"
    done
  else
    cp "$f" "$corpus/seed-$i"
  fi
done < <(find "$root/fixtures" "$root/fuzz/regressions" "$root/fuzz/seeds" -type f ! -name '*.md' ! -name '*.py' -size -1024k -print0)
echo "fuzz: $name for ${seconds}s, $(ls "$corpus" | wc -l) inputs in $corpus"
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=131072 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/$name-" "$corpus" 2>&1 | tee "$work/$name.log" |
  grep -E '^(Done|stat::|#[0-9]+ *(INITED|DONE))|ERROR|SUMMARY|artifact' || true
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] || ls "$work/artifacts/$name-"* >/dev/null 2>&1; then
  echo "fuzz: $name FOUND A PROBLEM (exit $status); inputs in $work/artifacts"
  tail -40 "$work/$name.log"
  exit 1
fi
echo "fuzz: $name clean"
[ "$keep" -eq 1 ] || rm -rf "$work"
