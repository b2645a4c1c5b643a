#!/usr/bin/env bash
# The Debian package, end to end, on this machine:
#  1. the man page renders without warnings and documents every option of
#     the plugin (the code's option table, as mountstats-dryrun
#     --list-options prints it) and every type and data source of
#     mountstats.types.db, and the drop-in lists every option; neither
#     names an option the plugin does not have (no root needed);
#     README.md's links to docs/ name documents of docs/ (no root needed);
#  2. packaging/build-deb.sh builds the .deb (cpack); its contents, Depends
#     and conffiles are checked (README.md and every docs/*.md of the source
#     tree, as dh_compress leaves them, where README's links point), and
#     lintian reports no error;
#  3. apt-get installs it; collectd runs with Debian's stock
#     /etc/collectd/collectd.conf, whose Include of collectd.conf.d loads the
#     installed drop-in: first unchanged (reading /proc/self/mountstats),
#     then with csv output and File pointed at a fixture, since this host
#     need not have NFS mounts; the plugin's values must arrive;
#  4. apt-get remove, then purge: nothing of the package may be left.
# Steps 2-4 need root, dpkg and apt; without them the test is skipped (77).
#
#   package_test.sh SOURCE_DIR FIXTURE DRYRUN
# DRYRUN: the mountstats-dryrun of the build under test (its option table).
set -euo pipefail
usage="usage: package_test.sh SOURCE_DIR FIXTURE DRYRUN"
src=$(cd "${1:?$usage}" && pwd)
fixture=$(realpath "${2:?$usage}")
dryrun=$(realpath "${3:?$usage}")
pkg="collectd-mountstats"
dropin=/etc/collectd/collectd.conf.d/mountstats.conf
collectd=/usr/sbin/collectd
apt_opts=(-y -qq --no-install-recommends -o DPkg::Lock::Timeout=300)

step() { printf '\n== %s ==\n' "$*"; }
pass() { echo "PASS: $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIP: $*"
  exit 77
}

work=$(mktemp -d /tmp/package_test.XXXXXX)
daemon_pid="" installed_by_us=0
cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if [ "$installed_by_us" = 1 ] && dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
    grep -qv 'not-installed'; then
    echo "cleanup: purging $pkg after a failure"
    DEBIAN_FRONTEND=noninteractive apt-get purge "${apt_opts[@]}" "$pkg" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# ---- 1. man page and drop-in (no root needed) -------------------------------
step "man page and drop-in"
man_src=$src/packaging/collectd-mountstats.5
warnings=$(groff -man -ww -z -Tutf8 "$man_src" 2>&1)
[ -z "$warnings" ] || fail "groff warns about $man_src: $warnings"
MANWIDTH=200 man -l "$man_src" 2>/dev/null >"$work/man.txt"
[ -s "$work/man.txt" ] || fail "man -l $man_src printed nothing"
pass "collectd-mountstats(5) renders without warnings ($(wc -l <"$work/man.txt") lines)"

# The options the plugin accepts: the code's own table (src/options.c), as
# the dry-run tool lists it. The man page's OPTIONS entries (.BI "Option ...)
# and the drop-in's commented lines (#Option ...) must name exactly these.
mapfile -t options < <("$dryrun" --list-options | cut -f1 | sort -u)
[ "${#options[@]}" -ge 20 ] || fail "$dryrun --list-options lists only ${#options[@]} options"
mapfile -t man_options < <(grep -oE '^\.BI "[A-Z][A-Za-z]+ ' "$man_src" |
  sed -E 's/^\.BI "//; s/ $//' | sort -u)
mapfile -t dropin_options < <(grep -oE '^ *#[A-Z][A-Za-z]+ ' "$src/packaging/mountstats.conf" |
  sed -E 's/^ *#//; s/ $//' | sort -u)
# Here-strings, not pipes: grep -q exits at its first match, and with
# pipefail a printf still writing into it dies of SIGPIPE and the pipeline
# fails (this test failed once so under load).
man_list=$(printf '%s\n' "${man_options[@]}")
dropin_list=$(printf '%s\n' "${dropin_options[@]}")
missing=()
for o in "${options[@]}"; do
  grep -qxF "$o" <<<"$man_list" || missing+=("man:$o")
  grep -qxF "$o" <<<"$dropin_list" || missing+=("drop-in:$o")
done
[ "${#missing[@]}" -eq 0 ] || fail "options not documented: ${missing[*]}"
code_list=$(printf '%s\n' "${options[@]}")
unknown=()
for o in "${man_options[@]}"; do
  grep -qxF "$o" <<<"$code_list" || unknown+=("man:$o")
done
for o in "${dropin_options[@]}"; do
  grep -qxF "$o" <<<"$code_list" || unknown+=("drop-in:$o")
done
[ "${#unknown[@]}" -eq 0 ] || fail "documented options the plugin does not have: ${unknown[*]}"
pass "the ${#options[@]} options of the code's table, no more, in the man page (OPTIONS) and in the drop-in"

# Every type and data source of the types file, as a word of the rendered page.
words=$(grep -vE '^\s*(#|$)' "$src/plugin/mountstats.types.db" |
  sed -E 's/:[A-Z]+:[^,]*(,|$)/ /g' | tr -s ' ' '\n' | sort -u)
missing=()
for w in $words; do
  grep -qw -- "$w" "$work/man.txt" || missing+=("$w")
done
[ "${#missing[@]}" -eq 0 ] || fail "types/data sources missing from the man page: ${missing[*]}"
pass "all $(wc -w <<<"$words") types and data sources of mountstats.types.db in the man page"

# The documents the package ships beside README.md: every docs/*.md of the
# source tree. README's relative links to docs/ must name one of them.
mapfile -t docs < <(cd "$src/docs" && find . -maxdepth 1 -type f -name '*.md' | sed 's|^\./||' | sort)
[ "${#docs[@]}" -gt 0 ] || fail "no docs/*.md in $src"
docs_list=$(printf '%s\n' "${docs[@]}")
mapfile -t readme_docs < <(grep -oE '\]\(docs/[^)#[:space:]]+' "$src/README.md" |
  sed 's|^](docs/||' | sort -u)
[ "${#readme_docs[@]}" -gt 0 ] || fail "README.md links no document of docs/"
missing=()
for d in "${readme_docs[@]}"; do
  grep -qxF "$d" <<<"$docs_list" || missing+=("docs/$d")
done
[ "${#missing[@]}" -eq 0 ] || fail "README.md links documents that are not in docs/: ${missing[*]}"
pass "README.md's ${#readme_docs[@]} links to docs/ name documents of the ${#docs[@]} in docs/"

# ---- preconditions for the system part --------------------------------------
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root (running as uid $(id -u))"
for t in dpkg dpkg-deb dpkg-query apt-get; do
  command -v "$t" >/dev/null || skip "$t not found: not a Debian system"
done
for t in cmake cpack lintian dpkg-buildflags dpkg-shlibdeps gzip strip; do
  command -v "$t" >/dev/null || fail "$t not found (bash scripts/deps.sh installs it)"
done
[ -x "$collectd" ] || fail "$collectd not found (package collectd-core)"
[ -f /etc/collectd/collectd.conf ] ||
  fail "Debian's stock /etc/collectd/collectd.conf is missing (package collectd)"
grep -qE '^\s*<Include "/etc/collectd/collectd.conf.d">' /etc/collectd/collectd.conf ||
  fail "/etc/collectd/collectd.conf does not include /etc/collectd/collectd.conf.d"

# One run at a time on this machine: the test installs and purges a package.
lockdir=/run/lock
[ -d "$lockdir" ] || lockdir=/tmp
exec 9>"$lockdir/collectd-mountstats-package-test.lock"
flock -w 900 9 || fail "another package test holds the lock for 15 minutes"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv 'not-installed'; then
  skip "$pkg is already installed ($(dpkg-query -W -f='${Version} ${Status}' "$pkg")):" \
    "the test installs and purges it; purge it first (apt-get purge $pkg)"
fi

# ---- 2. build and inspect ----------------------------------------------------
step "build the package (packaging/build-deb.sh)"
if ! bash "$src/packaging/build-deb.sh" "$work/build" >"$work/build.log" 2>&1; then
  cat "$work/build.log"
  fail "packaging/build-deb.sh failed"
fi
deb=$(tail -n1 "$work/build.log")
[ -f "$deb" ] || fail "no .deb: $deb"
pass "built $(basename "$deb")"
dpkg-deb -f "$deb"
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}'

version=$(dpkg-deb -f "$deb" Version)
upstream=${version%-*}
depends=$(dpkg-deb -f "$deb" Depends)
for d in "collectd-core (>= 5.12)" "collectd-core (<< 5.13~)" "libc6 (>= "; do
  [[ $depends == *"$d"* ]] || fail "Depends lacks \"$d\": $depends"
done
pass "Depends: $depends"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >"$work/contents"
for f in /usr/lib/collectd/mountstats.so /usr/share/collectd/mountstats.types.db "$dropin" \
  /usr/share/man/man5/collectd-mountstats.5.gz /usr/share/doc/$pkg/copyright \
  /usr/share/doc/$pkg/changelog.Debian.gz /usr/share/doc/$pkg/README.md.gz \
  /usr/bin/mountstats-dryrun /usr/share/man/man1/mountstats-dryrun.1.gz; do
  grep -qxF "$f" "$work/contents" || fail "$f is not in the package"
done
# README.md and docs/*.md, compressed as dh_compress does, in the layout of
# the source tree (README's links docs/<name>.md find docs/<name>.md.gz),
# each the source's text; docs/ holds nothing else.
doc=/usr/share/doc/$pkg
mkdir "$work/root"
dpkg-deb -x "$deb" "$work/root"
for d in README.md "${docs[@]/#/docs/}"; do
  grep -qxF "$doc/$d.gz" "$work/contents" || fail "$doc/$d.gz is not in the package"
  zcat "$work/root$doc/$d.gz" | cmp -s - "$src/$d" || fail "$doc/$d.gz is not $d of the source tree"
done
for d in "${readme_docs[@]}"; do
  grep -qxF "$doc/docs/$d.gz" "$work/contents" || fail "README.md links docs/$d, not in the package"
done
# The images the documents show (](name.png)), uncompressed, each the
# source's bytes.
mapfile -t images < <(cd "$src/docs" && grep -ohE '\]\([^)/[:space:]]+\.png\)' -- *.md |
  sed 's/^](//; s/)$//' | sort -u)
for i in "${images[@]}"; do
  [ -f "$src/docs/$i" ] || fail "docs/ shows $i, which is not in docs/"
  cmp -s "$work/root$doc/docs/$i" "$src/docs/$i" || fail "$doc/docs/$i is not docs/$i of the source tree"
done
expected=$(printf '%s\n' "${docs[@]}" "${images[@]}" | sort)
shipped=$({ grep -E "^$doc/docs/." "$work/contents" || true; } | sed "s|^$doc/docs/||; s|\.gz\$||" | sort)
[ "$shipped" = "$expected" ] ||
  fail "$doc/docs/ holds $(tr '\n' ' ' <<<"$shipped")but docs/ has $(tr '\n' ' ' <<<"$expected")"
pass "README.md, the ${#docs[@]} docs/*.md and the ${#images[@]} images they show in $doc, as in the source tree; README's links resolve"
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = "$dropin" ] ||
  fail "conffiles is not exactly $dropin: $(cat "$work/control/conffiles")"
for s in preinst postinst prerm postrm; do
  [ ! -e "$work/control/$s" ] || fail "unexpected maintainer script $s"
done
pass "plugin, dry-run tool, types, drop-in (the only conffile), man pages, README, copyright; no maintainer scripts"

step "lintian"
lintian_rc=0
lintian --display-info --pedantic --show-overrides "$deb" >"$work/lintian.txt" 2>&1 || lintian_rc=$?
grep -v '^running with root privileges' "$work/lintian.txt" || true
if grep -q '^E: ' "$work/lintian.txt" || [ "$lintian_rc" -ne 0 ]; then
  fail "lintian reports errors (exit $lintian_rc)"
fi
pass "lintian: no errors ($(grep -c '^W: ' "$work/lintian.txt" || true) warnings)"

# ---- 3. install and run ------------------------------------------------------
step "install"
# Nothing of the package may exist yet: a file left by `cmake --install`
# would be overwritten, and then deleted by the purge.
while read -r f; do
  if [ -e "$f" ] && [ ! -d "$f" ]; then
    skip "$f exists but belongs to no package (cmake --install?): remove it first"
  fi
done <"$work/contents"
while read -r f; do [ -e "$f" ] && echo "$f"; done <"$work/contents" >"$work/existed_before"

installed_by_us=1
DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "$deb" >"$work/apt.log" 2>&1 ||
  {
    cat "$work/apt.log"
    fail "apt-get install $deb failed"
  }
status=$(dpkg-query -W -f='${Status} ${Version}' "$pkg")
[ "$status" = "install ok installed $version" ] || fail "dpkg status: $status"
dpkg -L "$pkg" | grep -v '^/\.$' >"$work/dpkg-L"
diff <(sort "$work/contents") <(sort "$work/dpkg-L") >/dev/null ||
  fail "dpkg -L differs from the .deb's contents"
dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -q "^ $dropin [0-9a-f]" ||
  fail "$dropin is not registered as a conffile"
[ "$(man -w 5 collectd-mountstats)" = /usr/share/man/man5/collectd-mountstats.5.gz ] ||
  fail "man -w 5 collectd-mountstats: $(man -w 5 collectd-mountstats 2>&1)"
pass "$status; $(wc -l <"$work/dpkg-L") paths (dpkg -L); conffile registered; man 5 collectd-mountstats found"

# The daemon's configuration: Debian's stock collectd.conf unchanged, except
# that state goes to $work (BaseDir, PIDFile, rrdtool's DataDir), a log file
# is loaded first, the interval is 1 s with one write thread. Its Include of collectd.conf.d
# loads the installed drop-in, which alone loads mountstats.
stock_conf() { # extra lines are appended from stdin
  cat <<CONF
# package_test.sh: Debian's /etc/collectd/collectd.conf, state in $work
BaseDir "$work/base"
PIDFile "$work/collectd.pid"
Hostname "pkgtest"
Interval 1
# One write thread: two threads creating one csv file at once can tear a
# line (collectd's csv plugin under load; see tests/mstest.py).
WriteThreads 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$work/$1.log"
  PrintSeverity true
</Plugin>
CONF
  sed -E -e "s|/var/lib/collectd|$work/base|g" \
    -e 's/^(\s*)(BaseDir|PIDFile|Hostname|Interval)(\s)/\1#\2\3/' /etc/collectd/collectd.conf
  cat
}
mkdir -p "$work/base"

step "collectd -T with the stock config and the installed drop-in, unchanged"
stock_conf asis </dev/null >"$work/asis.conf"
! grep -qi 'mountstats' "$work/asis.conf" || fail "the test config must not name mountstats itself"
(cd "$work" && timeout 60 "$collectd" -T -C "$work/asis.conf") >"$work/asis.out" 2>&1 || {
  cat "$work/asis.out" "$work/asis.log"
  fail "collectd -T with the stock config and the drop-in failed"
}
grep -F 'mountstats plugin: version' "$work/asis.log" ||
  fail "the plugin did not log its version (is the drop-in loaded?)"
grep -qF "mountstats plugin: version $upstream, reading \"/proc/self/mountstats\"" "$work/asis.log" ||
  fail "expected version $upstream reading /proc/self/mountstats"
if grep -iE 'mountstats|types database|dataset' "$work/asis.log" | grep -iE 'error|warn|not found'; then
  fail "errors from the plugin or the TypesDB line"
fi
pass "the drop-in loads the plugin with its defaults (/proc/self/mountstats) and the TypesDB line"

step "collectd -f: stock config + drop-in + csv, File pointed at $(basename "$fixture")"
# A second <Plugin mountstats> block after the Include: collectd calls the
# plugin's config callback once per block, and the later File wins, so the
# installed drop-in is used as it is and only the input file changes.
# Without the stock rrdtool plugin in this run: an RRD file takes at most one
# update per second, and with Interval 1 on a loaded machine two reads can
# fall in one second (a late read, then one on time), after which rrdtool
# logs "illegal attempt to update using time X when last update time is X"
# for every plugin's files, ours included. Here only the csv values are
# read; the -T run above loads the stock config with rrdtool unchanged, and
# tests/e2e_rrd.py covers rrdtool with the plugin's types.
stock_conf run <<CONF | sed -E 's/^LoadPlugin rrdtool$/#&  # see package_test.sh/' >"$work/run.conf"
LoadPlugin csv
<Plugin csv>
  DataDir "$work/csv"
</Plugin>
<Plugin mountstats>
  File "$fixture"
</Plugin>
CONF
grep -q '^#LoadPlugin rrdtool' "$work/run.conf" || fail "could not leave rrdtool out of $work/run.conf"
"$collectd" -f -C "$work/run.conf" >"$work/run.out" 2>&1 &
daemon_pid=$!
csv_dir=$work/csv/pkgtest/mountstats-srv-projects
for _ in $(seq 1 600); do # up to 60 s: a loaded machine starts collectd slowly
  f=$(compgen -G "$csv_dir/nfs_op-READ-*" || true)
  [ -n "$f" ] && [ "$(wc -l <"$f")" -ge 4 ] && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done
sleep 0.5
kill "$daemon_pid" 2>/dev/null || fail "collectd exited early: $(cat "$work/run.out" "$work/run.log")"
wait "$daemon_pid" || true
daemon_pid=""
[ "$(grep -c 'mountstats plugin: version' "$work/run.log")" -eq 1 ] ||
  fail "the version line is not logged exactly once: $(grep -c 'mountstats plugin: version' "$work/run.log")"
grep -F 'mountstats plugin: version' "$work/run.log"
if grep -iE 'mountstats|types database|dataset' "$work/run.log" | grep -iE 'error|warn|not found'; then
  fail "errors from the plugin or the TypesDB line"
fi
(cd "$work/csv" && find . -path '*mountstats*' -type f | sort | sed 's|^\./||')
f=$(compgen -G "$csv_dir/nfs_op-READ-*" || true)
[ -n "$f" ] || fail "no values from the plugin in $csv_dir: $(cat "$work/run.log")"
head -n1 "$f" | grep -qx 'epoch,ops,trans,timeouts,bytes_sent,bytes_recv,queue_ms,rtt_ms,exec_ms' ||
  fail "unexpected csv header in $f: $(head -n1 "$f")"
rows=$(($(wc -l <"$f") - 1))
[ "$rows" -ge 2 ] || fail "only $rows value(s) in $f"
tail -n1 "$f" | grep -qE '^[0-9.]+,40960,40961,0,5242880,5374997248,830,122880,126976$' ||
  fail "READ values differ from the fixture: $(tail -n1 "$f")"
for t in nfs_op_errors-READ nfs_events_cache nfs_events_vfs nfs_events_file nfs_events_io \
  nfs_events_pnfs nfs_bytes uptime-age nfs_xprt-tcp nfs_xprt_conn-tcp nfs_xprt_slots-tcp \
  count-transports; do
  compgen -G "$csv_dir/$t-*" >/dev/null || fail "no $t values"
done
pass "mountstats values arrived: $rows READ rows, ops=40960 as in the fixture; all default types"
# TypesDB replaces collectd's default list: the stock plugins' values prove
# that the drop-in's line also loads collectd's own types.db.
for t in load/load memory/memory-used; do
  compgen -G "$work/csv/pkgtest/$t-*" >/dev/null || fail "no $t values from the stock plugins"
done
pass "stock plugins' values (load, memory) arrive too: collectd's types.db is loaded"

# The installed dry-run tool, on the same fixture: the READ line the plugin
# dispatched, with the same ops.
dry=$(/usr/bin/mountstats-dryrun --MountInfoFile "" "$fixture" 2>"$work/dryrun.log") ||
  fail "mountstats-dryrun failed: $(cat "$work/dryrun.log")"
grep -qE '/nfs_op-READ ops=40960 ' <<<"$dry" ||
  fail "mountstats-dryrun printed no READ ops=40960: $(head -5 <<<"$dry")"
pass "mountstats-dryrun: $(wc -l <<<"$dry") value lists, READ ops=40960"

# ---- 4. remove and purge -----------------------------------------------------
step "remove"
DEBIAN_FRONTEND=noninteractive apt-get remove "${apt_opts[@]}" "$pkg" >"$work/apt.log" 2>&1 ||
  {
    cat "$work/apt.log"
    fail "apt-get remove failed"
  }
status=$(dpkg-query -W -f='${Status}' "$pkg")
[ "$status" = "deinstall ok config-files" ] || fail "after remove: $status"
[ -f "$dropin" ] || fail "remove deleted the conffile (only purge may)"
left=$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && [ "$f" != "$dropin" ] && echo "$f"; done <"$work/dpkg-L" || true)
[ -z "$left" ] || fail "files left after remove: $left"
pass "$status: only the conffile $dropin remains"

step "purge"
DEBIAN_FRONTEND=noninteractive apt-get purge "${apt_opts[@]}" "$pkg" >"$work/apt.log" 2>&1 ||
  {
    cat "$work/apt.log"
    fail "apt-get purge failed"
  }
installed_by_us=0
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || echo "not known to dpkg")
[[ $status == *not-installed* || $status == "not known to dpkg" ]] || fail "after purge: $status"
if dpkg -L "$pkg" >/dev/null 2>&1; then fail "dpkg -L still lists $pkg"; fi
left=()
while read -r f; do
  [ -e "$f" ] || continue
  [ -d "$f" ] && grep -qxF "$f" "$work/existed_before" && continue # shared directory
  left+=("$f")
done <"$work/dpkg-L"
for f in "$dropin".* /var/lib/dpkg/info/"$pkg".*; do
  [ -e "$f" ] && left+=("$f")
done
[ "${#left[@]}" -eq 0 ] || fail "left behind after purge: ${left[*]}"
pass "$pkg $status; of its $(wc -l <"$work/dpkg-L") paths only directories that existed before remain"

echo
echo "package test passed"
