#!/usr/bin/env bash
# Installs the Debian 12 packages this project needs to build, run and test.
# Only what is missing is installed; needs root (or sudo).
#
#   deps.sh          everything the tests use (scripts/test.sh, CI)
#   deps.sh --demo   only what scripts/demo.sh builds and runs with
set -euo pipefail

# The demo: a C compiler with the C library's headers, make for cmake's
# default generator, cmake, and collectd with its plugin headers (its csv
# and logfile plugins show the values). Nothing else: no pkg-config or
# Check, which only the tests' build looks for.
demo_packages=(gcc libc6-dev make cmake collectd-core collectd-dev)

packages=(
  build-essential cmake pkg-config check
  collectd-core collectd-dev
  python3 valgrind
  clang libclang-rt-14-dev # libFuzzer and the sanitizer runtimes for clang
  rrdtool graphite-carbon python3-whisper graphite-web # e2e tests, contrib/ graphs
  carbon-c-relay iproute2 # the fleet at scale (tests/e2e_fleet_scale.py): relay, ss
  # The Debian package test (tests/package_test.sh): collectd ships the stock
  # /etc/collectd/collectd.conf (collectd-core only an example), dpkg-dev
  # dpkg-buildflags and dpkg-shlibdeps, man-db renders the man page.
  collectd dpkg-dev lintian man-db
  groff-base # the man page rendered as text (CMake target manpages, test man_page)
  # The live-kernel suite (tests/live/): Debian's kernels under qemu (TCG),
  # a busybox initramfs, the in-guest NFS server and nfs-utils' readers.
  qemu-system-x86 busybox-static nfs-kernel-server nfs-common cpio kmod xz-utils
  nftables # the outage phase's partition (packets dropped in the guest)
  # Prometheus and InfluxDB end to end (write_prometheus needs the two libs).
  prometheus influxdb libmicrohttpd12 libprotobuf-c1
)

case "${1:-}" in
--demo) packages=("${demo_packages[@]}") ;;
"") ;;
*)
  echo "usage: deps.sh [--demo]" >&2
  exit 2
  ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || {
    echo "deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# --no-install-recommends: collectd-core alone pulls no service start; the
# daemon is only ever run by the tests and the demo, in temporary folders.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
