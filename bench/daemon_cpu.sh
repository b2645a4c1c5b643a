#!/usr/bin/env bash
# CPU the real collectd spends per interval with the mountstats plugin, next
# to a collectd whose plugin builds and dispatches the same value lists and
# parses nothing (bench/floor_plugin.c: the dispatch floor).
#
#   bash bench/daemon_cpu.sh [BUILD_DIR]
#
# For 1,000 and 5,000 generated NFS mounts (bench_mountstats --write), with
# no write plugin and with the csv writer, it runs /usr/sbin/collectd and
# reads utime+stime of the daemon (all threads) from /proc/<pid>/stat at the
# start and end of a window of whole intervals after a warm-up, REPS times,
# plugin and floor alternating; the lowest CPU of the repetitions counts.
# Then the same with everything on: ReportZeroOps, ReportPerTransport,
# ReportAllMountPoints and ReportIostat true (first size only), over a file
# whose counters move on every 0.5 s (as a busy client's do; ReportIostat
# reports only ops that moved), and what each option adds.
#
# Interval: 1 s where the daemon keeps up. A measurement counts only when the
# daemon finishes an interval's work in well under the interval (at most
# BUSY of it, default 0.6, and no "read-function ... took" warning);
# otherwise it is repeated with the next interval of 1 2 5 10 20 30 s, so
# the figures are per interval of steady state, never of a growing backlog.
# The window is max(MIN_INTERVALS, ceil(WINDOW / interval)) intervals.
#
# The csv writer's files are created once per identifier set before the
# measured runs (creating ~40,000 files takes the daemon far longer than an
# interval); the measured runs append to them.
#
# Besides the whole daemon, the CPU of its read threads is shown ("read
# thread p/f": plugin/floor): the plugin runs there, so the difference is
# what parsing, naming and building the value lists cost; the rest of the
# difference is in the write threads (the daemon's side of dispatch).
#
# Environment: SIZES ("1000 5000"), REPS (3), WINDOW (20 s), MIN_INTERVALS
# (5), BUSY (0.6), COLLECTD (/usr/sbin/collectd); WRITERS ("none csv") and
# CONFIGS ("default all") to measure some rows only, e.g. again with more
# repetitions (the table of what each option adds needs both writers).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
collectd=${COLLECTD:-/usr/sbin/collectd}
sizes=${SIZES:-"1000 5000"}
reps=${REPS:-3}
writers=${WRITERS:-"none csv"}
configs=${CONFIGS:-"default all"}
window=${WINDOW:-20}
min_intervals=${MIN_INTERVALS:-5}
busy=${BUSY:-0.6}
intervals_tried="1 2 5 10 20 30"
all_on="ReportZeroOps ReportPerTransport ReportAllMountPoints ReportIostat"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMOUNTSTATS_BUILD_TESTS=OFF \
  -DMOUNTSTATS_SANITIZE= -DMOUNTSTATS_FUZZ=OFF -DMOUNTSTATS_PACKAGE=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target mountstats mountstats_floor bench_mountstats >/dev/null
bench=$build/bench/bench_mountstats

work=$(mktemp -d /tmp/daemon_cpu.XXXXXX)
pid=
mover_pid=
cleanup() {
  for p in $pid $mover_pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/plugins"
# collectd loads plugins from one folder and refuses symlinks: copy. The
# types file is copied too, so that it matches the plugin built here.
cp /usr/lib/collectd/csv.so /usr/lib/collectd/logfile.so "$build/mountstats.so" \
  "$build/bench/mountstats_floor.so" "$work/plugins/"
cp plugin/mountstats.types.db "$work/"
hz=$(getconf CLK_TCK)

# utime + stime of the whole daemon (all threads), in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# utime + stime of the daemon's read threads ("reader#N"), in clock ticks.
reader_ticks() {
  local t sum=0
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in
    reader*) sum=$((sum + $(sed 's/^.*) //' "$t/stat" | awk '{print $12 + $13}'))) ;;
    esac
  done
  echo "$sum"
}

# conf DIR INTERVAL CSVDIR(or "") BLOCK: a collectd.conf. LogLevel notice:
# without a writer, collectd 5.12 logs an INFO line ("Available write
# targets") for every value list, which would be measured otherwise.
conf() {
  local dir=$1 interval=$2 csv=$3 block=$4
  cat <<CONF
BaseDir "$dir"
PIDFile "$dir/pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db" "$work/mountstats.types.db"
Hostname "bench"
Interval $interval
LoadPlugin logfile
<Plugin logfile>
  LogLevel notice
  File "$dir/log"
</Plugin>
CONF
  if [ -n "$csv" ]; then
    printf 'LoadPlugin csv\n<Plugin csv>\n  DataDir "%s"\n</Plugin>\n' "$csv"
  fi
  printf '%s\n' "$block"
}

start() { # DIR: starts the daemon on DIR/conf; sets pid
  : >"$1/log"
  "$collectd" -f -C "$1/conf" >"$1/out" 2>&1 &
  pid=$!
}

stop() { # DIR: stops the daemon; fails on logged errors
  kill "$pid"
  wait "$pid" || true
  pid=
  if grep -qiE 'error' "$1/log" "$1/out"; then
    echo "daemon_cpu: $1: the daemon logged errors:" >&2
    grep -hiE 'error' "$1/log" "$1/out" | head -5 >&2
    exit 1
  fi
}

# run NAME INTERVAL CSVDIR BLOCK: sets cpu_ms (CPU ms per interval over the
# window), reader_ms (the part in the read threads, where the plugin runs)
# and late (1 when the read callback overran during the window).
run() {
  local name=$1 interval=$2 csv=$3 block=$4 dir=$work/run-$1
  rm -rf "$dir"
  mkdir -p "$dir"
  conf "$dir" "$interval" "$csv" "$block" >"$dir/conf"
  start "$dir"
  # Start-up, the first read (cache entries, csv headers), one more.
  sleep "$((2 * interval + 2))"
  local n=$(((window + interval - 1) / interval)) c0 c1 r0 r1 l0
  [ "$n" -ge "$min_intervals" ] || n=$min_intervals
  l0=$(wc -l <"$dir/log")
  c0=$(cpu_ticks "$pid")
  r0=$(reader_ticks "$pid")
  sleep "$((n * interval))"
  c1=$(cpu_ticks "$pid")
  r1=$(reader_ticks "$pid")
  late=0
  awk -v l0="$l0" 'NR > l0 && /above its read interval/ { f = 1 } END { exit !f }' \
    "$dir/log" && late=1
  stop "$dir"
  cpu_ms=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v n="$n" \
    'BEGIN { printf "%.1f", c * 1000 / hz / n }')
  reader_ms=$(awk -v c="$((r1 - r0))" -v hz="$hz" -v n="$n" \
    'BEGIN { printf "%.1f", c * 1000 / hz / n }')
}

plugin_block() { # MOUNTSTATS MOUNTINFO OPTIONS...
  local ms=$1 mi=$2 o
  shift 2
  printf 'LoadPlugin mountstats\n<Plugin mountstats>\n'
  printf '  File "%s"\n  MountInfoFile "%s"\n' "$ms" "$mi"
  for o in "$@"; do printf '  %s true\n' "$o"; done
  printf '</Plugin>\n'
}

floor_block() { # IDS
  printf 'LoadPlugin mountstats_floor\n<Plugin mountstats_floor>\n'
  printf '  File "%s"\n</Plugin>\n' "$1"
}

# prime CSVDIR IDS: the csv files of every identifier, created once by one
# read of the floor plugin.
prime() {
  local csv=$1 ids=$2 dir=$work/prime lists t=0
  lists=$(wc -l <"$ids")
  rm -rf "$dir"
  mkdir -p "$dir"
  conf "$dir" 3600 "$csv" "$(floor_block "$ids")" >"$dir/conf"
  start "$dir"
  while [ "$(find "$csv" -type f 2>/dev/null | wc -l)" -lt "$lists" ]; do
    sleep 2
    t=$((t + 2))
    if [ "$t" -gt 900 ]; then
      echo "daemon_cpu: creating the csv files timed out" >&2
      exit 1
    fi
  done
  stop "$dir"
}

# measure NAME WRITER MOUNTSTATS MOUNTINFO IDS START-INTERVAL OPTIONS...:
# plugin and floor, REPS times each, at the first interval (from
# START-INTERVAL on) where both keep up. Sets plugin_ms, floor_ms (lowest
# total), plugin_rd, floor_rd (their read threads' part) and interval.
measure() {
  local name=$1 writer=$2 ms=$3 mi=$4 ids=$5 from=$6 csv='' r i ok
  shift 6
  if [ "$writer" = csv ]; then
    csv=$work/csv-$(basename "$ids")
    [ -d "$csv" ] || prime "$csv" "$ids"
  fi
  for i in $intervals_tried; do
    [ "$i" -ge "$from" ] || continue
    interval=$i plugin_ms=1e30 floor_ms=1e30 ok=1
    for ((r = 0; r < reps && ok; r++)); do
      run "$name-plugin" "$i" "$csv" "$(plugin_block "$ms" "$mi" "$@")"
      if awk -v a="$cpu_ms" -v b="$plugin_ms" 'BEGIN { exit !(a < b) }'; then
        plugin_ms=$cpu_ms plugin_rd=$reader_ms
      fi
      [ "$late" = 0 ] || ok=0
      run "$name-floor" "$i" "$csv" "$(floor_block "$ids")"
      if awk -v a="$cpu_ms" -v b="$floor_ms" 'BEGIN { exit !(a < b) }'; then
        floor_ms=$cpu_ms floor_rd=$reader_ms
      fi
      [ "$late" = 0 ] || ok=0
      # Busy for more than BUSY of the interval: not a steady state.
      awk -v p="$plugin_ms" -v f="$floor_ms" -v i="$i" -v b="$busy" \
        'BEGIN { exit !(p > b * i * 1000 || f > b * i * 1000) }' && ok=0
    done
    [ "$ok" = 1 ] && return 0
    echo "  ($name: Interval $i is too short for this load, trying a longer one)" >&2
  done
  echo "daemon_cpu: $name: no interval up to 30 s kept up" >&2
  exit 1
}

# mover MOUNTSTATS N: the next epoch of the file every 0.5 s, replaced
# atomically, so that every read sees counters that moved.
mover() {
  local e=10
  while :; do
    "$bench" --write "$1.new" - "$2" "$e" >/dev/null && mv "$1.new" "$1"
    e=$((e + 1))
    sleep 0.5
  done
}

# The first interval of the list that fits lists value lists at us per list.
guess_interval() { # LISTS US-PER-LIST
  local i
  for i in $intervals_tried; do
    if awk -v l="$1" -v u="$2" -v i="$i" -v b="$busy" \
      'BEGIN { exit !(l * u / 1e6 <= b * 0.8 * i) }'; then
      echo "$i"
      return
    fi
  done
  echo 30
}

echo "daemon_cpu: $("$collectd" -h 2>&1 | grep -m1 -oE 'collectd [0-9][^ ,]*' || echo collectd)" \
  "($collectd), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
  "$(nproc) cores, Linux $(uname -r)"
echo "CPU = utime+stime of the daemon per interval, over >= $window s of whole" \
  "intervals after a warm-up; lowest of $reps runs, plugin and floor alternating"
echo
run idle 1 "" ""
echo "collectd with no read plugin, Interval 1: $cpu_ms ms CPU per interval"
echo
printf '%6s %-6s %-7s %7s %9s %8s %10s %10s %6s %-5s %16s\n' mounts writer config \
  lists lists/mnt interval "plugin ms" "floor ms" ratio "<=1.1" "read thread p/f"
declare -A us_per_list us_first
for n in $sizes; do
  ms=$work/mountstats-$n mi=$work/mountinfo-$n
  "$bench" --write "$ms" "$mi" "$n" >/dev/null
  "$bench" --ids "$work/ids-$n-default" "$n" >/dev/null
  for config in $configs; do
    opts=
    if [ "$config" = all ]; then
      [ "$n" = "${sizes%% *}" ] || continue
      opts=$all_on
      # shellcheck disable=SC2086
      "$bench" --ids "$work/ids-$n-all" "$n" $opts >/dev/null
      mover "$ms" "$n" &
      mover_pid=$!
    fi
    ids=$work/ids-$n-$config
    lists=$(wc -l <"$ids")
    for writer in $writers; do
      from=$(guess_interval "$lists" "${us_per_list[$writer]:-0}")
      # shellcheck disable=SC2086
      measure "$n-$writer-$config" "$writer" "$ms" "$mi" "$ids" "$from" $opts
      us_per_list[$writer]=$(awk -v f="$floor_ms" -v l="$lists" 'BEGIN { printf "%.2f", f * 1000 / l }')
      [ "$config" = default ] && [ "$n" = "${sizes%% *}" ] &&
        us_first[$writer]=${us_per_list[$writer]}
      awk -v n="$n" -v w="$writer" -v c="$config" -v l="$lists" -v i="$interval" \
        -v p="$plugin_ms" -v f="$floor_ms" -v pr="$plugin_rd" -v fr="$floor_rd" \
        'BEGIN { printf "%6d %-6s %-7s %7d %9.1f %7ds %10.1f %10.1f %5.2fx %-5s %7.1f/%-7.1f\n",
                 n, w, c, l, l / n, i, p, f, p / f, p <= 1.1 * f ? "PASS" : "MISS", pr, fr }'
    done
    if [ -n "$mover_pid" ]; then
      kill "$mover_pid"
      wait "$mover_pid" || true
      mover_pid=
      "$bench" --write "$ms" - "$n" >/dev/null
    fi
  done
done

n=${sizes%% *}
[ -n "${us_first[none]:-}" ] && [ -n "${us_first[csv]:-}" ] || exit 0
echo
echo "what each option adds at $n mounts: value lists from the plugin; daemon CPU" \
  "per interval estimated at the floor's cost per value list here" \
  "(${us_first[none]} us without a writer, ${us_first[csv]} us with csv)"
printf '%-26s %8s %10s %14s %14s\n' option lists lists/mnt "+ms no writer" "+ms csv"
base=$(wc -l <"$work/ids-$n-default")
for o in default $all_on all; do
  case $o in
  default) ids=$work/ids-$n-default label=default ;;
  all) ids=$work/ids-$n-all label="all four true" ;;
  *)
    ids=$work/ids-$n-$o label="$o true"
    "$bench" --ids "$ids" "$n" "$o" >/dev/null
    ;;
  esac
  awk -v o="$label" -v l="$(wc -l <"$ids")" -v b="$base" -v n="$n" \
    -v un="${us_first[none]}" -v uc="${us_first[csv]}" \
    'BEGIN { printf "%-26s %8d %10.1f %14.1f %14.1f\n", o, l, l / n,
             (l - b) * un / 1000, (l - b) * uc / 1000 }'
done
