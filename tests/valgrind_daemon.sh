#!/usr/bin/env bash
# The real collectd with the plugin under valgrind memcheck: several
# intervals over a file that changes (mounts come and go, one has malformed
# lines), then SIGTERM. Passes when valgrind reports no error and nothing
# definitely lost, and the plugin dispatched values.
set -euo pipefail
collectd=$1 plugin=$2 fixtures=$3
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 1; }
work=$(mktemp -d /tmp/valgrind_daemon.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/plugins"
cp "$plugin" /usr/lib/collectd/csv.so /usr/lib/collectd/logfile.so "$work/plugins/"
cat >"$work/collectd.conf" <<CONF
BaseDir "$work"
PIDFile "$work/pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db"
Hostname "vg"
Interval 1
# One write thread: see tests/mstest.py (torn csv lines under load).
WriteThreads 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$work/log"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$work/csv"
</Plugin>
LoadPlugin mountstats
<Plugin mountstats>
  File "$work/mountstats"
  ReportPerTransport true
</Plugin>
CONF
demo=$fixtures/demo/mountstats
cp "$demo" "$work/mountstats"
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=3 \
  --log-file="$work/valgrind.log" "$collectd" -f -C "$work/collectd.conf" &
pid=$!
# Snapshots: the demo mount; plus a second mount with a malformed line; the
# file missing; the second mount alone (the first unmounted); the demo again.
second=$(sed -e 's|/srv/projects|/srv/other|' -e 's|        READ: .*|        READ: 1 2 3 4 5 6 7|' "$demo")
sleep 6
{ cat "$demo"; echo "$second"; } >"$work/next" && mv "$work/next" "$work/mountstats"
sleep 3
rm "$work/mountstats"
sleep 3
echo "$second" >"$work/next" && mv "$work/next" "$work/mountstats"
sleep 3
cp "$demo" "$work/next" && mv "$work/next" "$work/mountstats"
sleep 3
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
fail=0
if [ "$rc" -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" "$work/valgrind.log" &&
  grep -q "definitely lost: 0 bytes" "$work/valgrind.log"; then
  echo "PASS: valgrind: no errors, nothing definitely lost (exit $rc)"
elif [ "$rc" -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" "$work/valgrind.log" &&
  ! grep -q "definitely lost" "$work/valgrind.log"; then
  echo "PASS: valgrind: no errors, no leak at all (exit $rc)"
else
  echo "FAIL: valgrind (exit $rc)"; cat "$work/valgrind.log"; fail=1
fi
if ls "$work"/csv/vg/mountstats-srv-other/nfs_op-GETATTR-* >/dev/null 2>&1 &&
  ls "$work"/csv/vg/mountstats-srv-projects/nfs_op-READ-* >/dev/null 2>&1; then
  echo "PASS: both mounts were dispatched"
else
  echo "FAIL: values missing"; find "$work/csv" -type f | head; fail=1
fi
if grep -q "line .* (mount \"/srv/other\"): too few fields" "$work/log"; then
  echo "PASS: the malformed line was logged"
else
  echo "FAIL: no warning for the malformed line"; cat "$work/log"; fail=1
fi
# The demo mount prints 27 events: five types (mountstats.types.db), not the
# former 27-value nfs_events.
groups=0
for t in nfs_events_cache nfs_events_vfs nfs_events_file nfs_events_io nfs_events_pnfs; do
  ls "$work"/csv/vg/mountstats-srv-projects/"$t"-* >/dev/null 2>&1 && groups=$((groups + 1))
done
if [ "$groups" -eq 5 ] &&
  ! ls "$work"/csv/vg/mountstats-srv-projects/nfs_events-* >/dev/null 2>&1; then
  echo "PASS: events in the five nfs_events_* types"
else
  echo "FAIL: $groups of the five nfs_events_* types"
  ls "$work"/csv/vg/mountstats-srv-projects/; fail=1
fi
[ $fail -eq 0 ] && echo "4 passed, 0 failed" || echo "failed"
exit $fail
