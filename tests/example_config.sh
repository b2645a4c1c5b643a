#!/usr/bin/env bash
# collectd.conf.example must be accepted by the real daemon as shipped (all
# options commented) and with every option uncommented, so the documented
# options and values are the ones the plugin takes.
set -euo pipefail
collectd=$1 plugin=$2 example=$3 fixture=$4
work=$(mktemp -d /tmp/example_config.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/plugins"
cp "$plugin" "$work/plugins/"
cp /usr/lib/collectd/logfile.so /usr/lib/collectd/threshold.so "$work/plugins/"
header() {
  cat <<CONF
BaseDir "$work"
PIDFile "$work/pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$work/$1.log"
</Plugin>
CONF
}
fail=0
run() { # name conf-body
  header "$1" >"$work/$1.conf"
  cat >>"$work/$1.conf"
  if "$collectd" -T -C "$work/$1.conf" >"$work/$1.out" 2>&1 &&
    ! grep -qiE 'error|not allowed' "$work/$1.log"; then
    echo "PASS: $1"
  else
    echo "FAIL: $1"; cat "$work/$1.out" "$work/$1.log"; fail=1
  fi
}
run as_shipped <"$example"
# Uncomment every option line ("  #Key value" -> "  Key value"), point File
# at a fixture and keep the TypesDB line commented (the header has one).
sed -E -e 's/^  #([A-Za-z]+ )/  \1/' \
  -e "s|^  File .*|  File \"$fixture\"|" -e 's|^  MountInfoFile .*|  MountInfoFile ""|' \
  "$example" | run all_options
grep -c '^  [A-Z]' "$work/all_options.conf" | sed 's/^/options uncommented: /'
# The uncommented options must cover every option the manual (collectd-mountstats(5)) documents.
for opt in File MountInfoFile MountPoint Device FSType IgnoreSelected Operation \
  IgnoreSelectedOperation ReportAge ReportEvents ReportBytes ReportFsCache \
  ReportTransport ReportOperations ReportOpErrors ReportZeroOps \
  ReportPerTransport ReportAllMountPoints ReportIostat ReportStall SysfsRoot NamingSource \
  NamingScheme MaxNameLength MaxFileSize; do
  grep -q "^  $opt " "$work/all_options.conf" || { echo "FAIL: $opt missing from collectd.conf.example"; fail=1; }
done
[ $fail -eq 0 ] && echo "2 passed, 0 failed" || echo "failed"
exit $fail
