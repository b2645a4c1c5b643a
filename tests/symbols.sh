#!/usr/bin/env bash
# The plugin must export only module_register, and import from the daemon
# only what /usr/sbin/collectd exports (ignorelist_* and cu_mount_* have
# headers but are not exported: a plugin using them fails at dlopen).
set -euo pipefail
plugin=$1 daemon=$2
fail=0
exported=$(nm -D --defined-only "$plugin" | awk '$2 ~ /[TDBRW]/ {print $3}' | sort)
if [ "$exported" = "module_register" ]; then
  echo "PASS: exports only module_register"
else
  echo "FAIL: exports: $exported"; fail=1
fi
daemon_syms=$(nm -D --defined-only "$daemon" | awk '{print $3}' | sort -u)
missing=()
for s in $(nm -D --undefined-only "$plugin" | awk '{print $2}'); do
  case $s in *@GLIBC_*|_ITM_*|__gmon_start__|__cxa_finalize*) continue ;; esac
  grep -qx "$s" <<<"$daemon_syms" || missing+=("$s")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "PASS: every daemon symbol it imports is exported by $daemon"
else
  echo "FAIL: not exported by the daemon: ${missing[*]}"; fail=1
fi
[ $fail -eq 0 ] && echo "2 passed, 0 failed" || echo "$fail failed"
exit $fail
