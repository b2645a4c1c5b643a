#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# NamingScheme through the dry-run tool (fixtures/naming/README.md):
#   auto: --explain-names prints exactly fixtures/naming/kubelet.explain, and
#         the same name for every mount point when the records come in the
#         reverse order;
#   path: the plugin instances are exactly 0.1's (kubelet.path-names).
# Usage: names_dryrun.sh DRYRUN FIXTURES_DIR. Last line: "N passed, M failed".
set -u
dryrun=$1 fix=$2/naming
pass=0 fail=0
check() { # description, status
  if [ "$2" -eq 0 ]; then
    echo "PASS: $1"
    pass=$((pass + 1))
  else
    echo "FAIL: $1"
    fail=$((fail + 1))
  fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$dryrun" --explain-names --MountInfoFile "" "$fix/kubelet.mountstats" >"$work/auto" 2>"$work/log"
diff -u "$fix/kubelet.explain" "$work/auto"
check "auto: --explain-names equals kubelet.explain" $?

# the records in the reverse order (each record ends with an empty line)
python3 - "$fix/kubelet.mountstats" >"$work/reversed.mountstats" <<'PY'
import sys
recs = open(sys.argv[1]).read().split("\n\n")
recs = [r for r in recs if r.strip()]
sys.stdout.write("".join(r + "\n\n" for r in reversed(recs)))
PY
"$dryrun" --explain-names --MountInfoFile "" "$work/reversed.mountstats" >"$work/rev" 2>>"$work/log"
diff -u <(sort "$work/auto") <(sort "$work/rev")
check "auto: the reversed file gives every mount point the same name" $?

"$dryrun" --NamingScheme path --MountInfoFile "" "$fix/kubelet.mountstats" 2>>"$work/log" |
  sed -n 's|^[^/]*/mountstats-\([^/]*\)/uptime-age .*|\1|p' >"$work/path"
diff -u "$fix/kubelet.path-names" "$work/path"
check "path: 0.1's names, byte for byte" $?

! grep -E '\[(error|warning)\]' "$work/log"
check "no error or warning logged" $?
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
