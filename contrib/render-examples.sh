#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders the example graphs of docs/integrations.md: replays
# fixtures/replay/demo.json (contrib/mountstats-replay) into the real collectd with the plugin and the
# rrdtool plugin for --seconds (default 300: the scenario's latency incident
# runs from 120 s to 170 s), then draws PNGs with contrib/mountstats-graphs.
#
#   bash contrib/render-examples.sh [--plugin build/mountstats.so]
#        [--seconds 300] [--out docs] [--keep]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
plugin="$root/build/mountstats.so"
seconds=300
out="$root/docs"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --plugin) plugin=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--plugin PATH] [--seconds N] [--out DIR] [--keep]" >&2; exit 2 ;;
  esac
done
[ -f "$plugin" ] || { echo "render-examples: build the plugin first ($plugin)" >&2; exit 1; }
command -v rrdtool >/dev/null || { echo "render-examples: needs rrdtool" >&2; exit 1; }

work=$(mktemp -d /tmp/mountstats-examples.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/plugins"
cp /usr/lib/collectd/rrdtool.so /usr/lib/collectd/logfile.so "$work/plugins/"
cp "$plugin" "$work/plugins/mountstats.so"   # collectd refuses symlinked plugins
cat > "$work/collectd.conf" <<CONF
BaseDir "$work"
PIDFile "$work/collectd.pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db" "$root/plugin/mountstats.types.db"
Hostname "demo"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$work/collectd.log"
</Plugin>
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "$work/rrd"
</Plugin>
LoadPlugin mountstats
<Plugin mountstats>
  File "$work/mountstats"
</Plugin>
CONF
start=$(date +%s)
python3 "$here/mountstats-replay" generate -q -s "$root/fixtures/replay/demo.json" \
  -o "$work/mountstats" --duration "$((seconds + 2))" &
pids+=($!)
sleep 0.5
/usr/sbin/collectd -f -C "$work/collectd.conf" &
pids+=($!)
echo "render-examples: collecting for $seconds s in $work"
sleep "$seconds"
end=$(date +%s)
mkdir -p "$out"
python3 "$here/mountstats-graphs" --rrd-dir "$work/rrd/demo" --out "$out" \
  --start "$((start + 2))" --end "$end" --mount srv-projects \
  --graphs ops,kbs,rtt,retrans --top 6 --step 5 --width 560 --height 150
