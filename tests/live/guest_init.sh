# SPDX-License-Identifier: MIT
# PID 1 of the live-kernel guest (busybox sh, after switch_root onto the host
# root, read only over 9p; /run, /tmp, /var/tmp, /var/lib/nfs, /mnt are tmpfs,
# /run/results the writable share). Runs the scenario and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
busybox hostname live-guest
busybox ip link set lo up 2>/dev/null || ip link set lo up
busybox mount -t devpts devpts /dev/pts 2>/dev/null
HERE=$(busybox dirname "$0")
python3 "$HERE/guest_scenario.py" /run/results/config.json > /run/results/scenario.out 2>&1
echo "live-init: scenario exited with $?"
busybox sync
busybox umount /run/results 2>/dev/null
busybox poweroff -f
