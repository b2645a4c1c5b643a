#!/bin/bash
# SPDX-License-Identifier: MIT
# fetch_kernel.sh <release> [cache dir]
#
# Fetches Debian's kernel for <release> (bookworm, trixie, bullseye: the
# package that linux-image-amd64 depends on) with `apt-get download`,
# unpacks it with dpkg-deb -x (no install) and runs depmod -b on it.
# Each release gets its own apt state, list and cache folders under the
# cache dir, pointing at the mirror the machine's own apt sources use (read
# from /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list at
# run time: no host name is written here), so the machine's apt is untouched.
# The unpacked kernel is cached by package name and version; on success the
# last line of stdout is the kernel's folder (vmlinuz, lib/modules/<ver>).
set -euo pipefail
rel=${1:?usage: fetch_kernel.sh <release> [cache dir]}
cache=${2:-${MOUNTSTATS_LIVE_CACHE:-/var/cache/collectd-mountstats-live}}
die() { echo "fetch_kernel.sh: $rel: $*" >&2; exit 1; }

mirror=""
if [ -r /etc/apt/sources.list.d/debian.sources ]; then
  # The first URIs: of a stanza whose suites are not -security.
  mirror=$(awk 'BEGIN{RS=""} !/Suites:[^\n]*-security/ && match($0,/URIs:[ \t]*[^ \t\n]+/) {
                  s=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",s); print s; exit}' \
           /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
  mirror=$(awk '$1=="deb" && $0 !~ /-security/ {for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || die "no Debian mirror found in the machine's apt sources"

st="$cache/apt-$rel"
mkdir -p "$st/state/lists/partial" "$st/cache/archives/partial" "$st/etc" "$cache/kernels"
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  "$mirror" "$rel" > "$st/etc/live.sources"
APT=(-o "Dir::State=$st/state" -o "Dir::State::status=$st/state/status"
     -o "Dir::Cache=$st/cache" -o "Dir::Etc::SourceList=/dev/null"
     -o "Dir::Etc::SourceParts=$st/etc" -o "Dir::Etc::Preferences=/dev/null"
     -o "Dir::Etc::PreferencesParts=$st/etc" -o "APT::Architecture=amd64"
     -o "APT::Architectures::=amd64" -o "Debug::NoLocking=1")
touch "$st/state/status"

# Refresh the lists at most once a day; without them (offline) use the newest
# kernel already in the cache.
if [ -z "$(find "$st/state/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
  if ! apt-get "${APT[@]}" -q update >"$st/update.log" 2>&1; then
    echo "fetch_kernel.sh: $rel: apt-get update failed (see $st/update.log)" >&2
  fi
fi
pkg=$(apt-cache "${APT[@]}" depends linux-image-amd64 2>/dev/null |
      awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}') || true
if [ -z "$pkg" ]; then
  last=$(ls -1dt "$cache/kernels/$rel"_* 2>/dev/null | head -1) || true
  [ -n "$last" ] && [ -f "$last/.done" ] || die "linux-image-amd64 not found in $rel's lists and no cached kernel (see $st/update.log)"
  echo "$last"; exit 0
fi
ver=$(apt-cache "${APT[@]}" show "$pkg" | awk '/^Version:/ {print $2; exit}')
dest="$cache/kernels/${rel}_${pkg}_${ver}"
if [ ! -f "$dest/.done" ]; then
  rm -rf "$dest" "$dest.tmp"; mkdir -p "$dest.tmp"
  (cd "$st/cache/archives" && apt-get "${APT[@]}" -q download "$pkg" >"$st/download.log" 2>&1) ||
    die "apt-get download $pkg=$ver failed (see $st/download.log)"
  deb=$(ls -1t "$st/cache/archives/${pkg}_"*.deb | head -1)
  dpkg-deb -x "$deb" "$dest.tmp/root" || die "dpkg-deb -x $deb failed"
  kv=$(ls "$dest.tmp/root/boot" | sed -n 's/^vmlinuz-//p' | head -1)
  [ -n "$kv" ] || die "no /boot/vmlinuz-* in $deb"
  moddir=lib/modules; [ -d "$dest.tmp/root/usr/lib/modules/$kv" ] && moddir=usr/lib/modules
  mkdir -p "$dest.tmp/lib/modules"
  mv "$dest.tmp/root/$moddir/$kv" "$dest.tmp/lib/modules/$kv"
  mv "$dest.tmp/root/boot/vmlinuz-$kv" "$dest.tmp/vmlinuz"
  cp "$dest.tmp/root/boot/config-$kv" "$dest.tmp/config" 2>/dev/null || true
  rm -rf "$dest.tmp/root"
  depmod -b "$dest.tmp" "$kv" || die "depmod -b failed"
  echo "$kv" > "$dest.tmp/kernel-release"
  echo "$pkg $ver" > "$dest.tmp/package"
  touch "$dest.tmp/.done"
  mv "$dest.tmp" "$dest"
  rm -f "$deb"
fi
echo "$dest"
