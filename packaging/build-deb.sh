#!/usr/bin/env bash
# Builds the Debian package collectd-mountstats_<version>_<arch>.deb with
# CPack, with Debian's compiler and linker flags (dpkg-buildflags, hardening
# on), and prints the path of the .deb on the last line of its output.
#
#   bash packaging/build-deb.sh [BUILD_DIR]     (default: build-deb)
#
# Needs cmake, a C compiler, collectd-dev, dpkg-dev (dpkg-buildflags,
# dpkg-shlibdeps); scripts/deps.sh installs them. Does not need root.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-deb}")
cd "$src" # dpkg-buildflags maps this directory to "." in debug paths

export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)

# CMAKE_BUILD_TYPE=None as debhelper uses it: only dpkg-buildflags' flags.
cmake -S "$src" -B "$build" \
  -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_C_FLAGS="$cflags" \
  -DCMAKE_MODULE_LINKER_FLAGS="$ldflags" \
  -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DCOLLECTD_PLUGIN_DIR=/usr/lib/collectd \
  -DCOLLECTD_DATA_DIR=/usr/share/collectd \
  -DMOUNTSTATS_BUILD_TESTS=OFF \
  -DMOUNTSTATS_SANITIZE= \
  -DMOUNTSTATS_FUZZ=OFF \
  -DMOUNTSTATS_PACKAGE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
rm -f "$build"/deb/*.deb
(cd "$build" && cpack -G DEB)
debs=("$build"/deb/*.deb)
if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  echo "build-deb: expected one .deb in $build/deb, found: ${debs[*]}" >&2
  exit 1
fi
echo "${debs[0]}"
