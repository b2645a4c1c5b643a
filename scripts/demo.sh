#!/usr/bin/env bash
# Builds the plugin, runs it in a real collectd for a few intervals and shows
# the values it dispatched (collectd's csv writer, in a temporary folder).
# Reads /proc/self/mountstats when this host has NFS mounts, and the bundled
# fixture otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --demo # the compiler, cmake and collectd; scripts/test.sh installs the rest
build=${BUILD_DIR:-build-demo} # its own folder: the test phases configure build/ differently
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMOUNTSTATS_BUILD_TESTS=OFF \
  -DMOUNTSTATS_SANITIZE= -DMOUNTSTATS_FUZZ=OFF -DMOUNTSTATS_PACKAGE=OFF >/dev/null
cmake --build "$build" --target mountstats -j"$(nproc)" >/dev/null

work=$(mktemp -d /tmp/mountstats-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins"
# collectd loads plugins from one folder and refuses symlinks: copy.
cp /usr/lib/collectd/csv.so /usr/lib/collectd/logfile.so "$build/mountstats.so" "$work/plugins/"

file=/proc/self/mountstats
if grep -qE ' with fstype nfs4? ' "$file" 2>/dev/null; then
  echo "demo: this host has $(grep -cE ' with fstype nfs4? ' "$file") NFS mount(s); reading $file"
else
  file=$PWD/fixtures/demo/mountstats
  echo "demo: this host has no NFS mount; reading the bundled fixture $file"
fi

cat >"$work/collectd.conf" <<CONF
BaseDir "$work"
PIDFile "$work/collectd.pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db" "$PWD/plugin/mountstats.types.db"
Hostname "demo"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$work/collectd.log"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$work/csv"
</Plugin>
LoadPlugin mountstats
<Plugin mountstats>
  File "$file"
</Plugin>
CONF

echo "demo: running collectd for 3 seconds (Interval 1)..."
/usr/sbin/collectd -f -C "$work/collectd.conf" &
pid=$!
sleep 3.5
kill "$pid"
wait "$pid" || true

echo
echo "== collectd log =="
cat "$work/collectd.log"
echo
echo "== values (host/plugin-instance/type-instance: data sources = last value) =="
find "$work/csv" -type f | sort | while read -r f; do
  id=${f#"$work/csv/"}
  id=${id%-????-??-??}
  header=$(head -n1 "$f")
  last=$(tail -n1 "$f")
  paste -d= <(tr , '\n' <<<"$header" | tail -n +2) <(tr , '\n' <<<"$last" | tail -n +2) |
    tr '\n' ' ' | sed "s|^|$id: |"
  echo
done
