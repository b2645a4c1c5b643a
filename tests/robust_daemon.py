"""Shared helpers of the robustness tests that run the real collectd daemon
(never_block.py, remount_rates.py, soak_daemon.py): mountstats text in the
kernel's layout and their common arguments. The daemon and the PASS/FAIL
report are mstest.Daemon and mstest.Checks.

Python 3 standard library only.
"""

import os
import re


def symlink_atomic(target, path):
    """Points the symlink path at target (ln -sfn, atomically)."""
    tmp = path + ".lnk"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(target, tmp)
    os.replace(tmp, path)


# ---- mountstats text in the kernel's layout (MOUNTSTATS-FORMAT.md) ----

V3_OPS = ["NULL", "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READ", "WRITE",
          "COMMIT"]
EVENTS = 27
BYTES = 8
# The types the 27 events are dispatched as (plugin/mountstats.types.db), no
# type_instance: (type, first event, count), events numbered from 0 in the
# order of the events: line. Each one only when the line has all of its
# events (nfs_events_pnfs needs 27).
EVENT_GROUPS = [
    ("nfs_events_cache", 0, 4),   # inode_revalidate .. attr_invalidate
    ("nfs_events_vfs", 4, 8),     # vfs_open .. vfs_write_pages
    ("nfs_events_file", 12, 6),   # vfs_getdents .. vfs_release
    ("nfs_events_io", 18, 7),     # congestion_wait .. delay
    ("nfs_events_pnfs", 25, 2),   # pnfs_read, pnfs_write
]
# The ERROR when File is a FIFO, a device or a socket (never opened for
# reading: it could block or never end). A socket may fail in open() first:
# ENXIO, "No such device or address".
NOT_REGULAR = "is not a regular file (a FIFO, device or socket)"


def nfs_record(mountpoint, device, age, events, nbytes, xprt, ops,
               rpc="1.1", proto="tcp"):
    """One NFSv3 record and its trailing empty line. events: 27 numbers,
    nbytes: 8, xprt: the 13 numbers of a tcp xprt line, ops: [(name,
    [8 or 9 numbers])]."""
    assert len(events) == EVENTS and len(nbytes) == BYTES
    out = [
        f"device {device} mounted on {mountpoint} with fstype nfs "
        f"statvers=1.1\n",
        f"\topts:\trw,vers=3,rsize=1048576,wsize=1048576,namlen=255,hard,"
        f"proto={proto},timeo=600,retrans=2,sec=sys,mountaddr=192.0.2.10,"
        f"mountvers=3,mountport=20048,mountproto=udp,local_lock=none\n",
        f"\tage:\t{age}\n",
        "\tcaps:\tcaps=0xf,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n",
        "\tsec:\tflavor=1,pseudoflavor=1\n",
        "\tevents:\t" + "".join(f"{v} " for v in events) + "\n",
        "\tbytes:\t" + "".join(f"{v} " for v in nbytes) + "\n",
        f"\tRPC iostats version: {rpc}  p/v: 100003/3 (nfs)\n",
        f"\txprt:\t{proto} " + " ".join(str(v) for v in xprt) + "\n",
        "\tper-op statistics\n",
    ]
    for name, vals in ops:
        out.append(f"\t{name:>12}: " + " ".join(str(v) for v in vals) + "\n")
    out.append("\n")
    return "".join(out)


NON_NFS_HEAD = ("device proc mounted on /proc with fstype proc\n"
                "device sysfs mounted on /sys with fstype sysfs\n"
                "device /dev/vda1 mounted on / with fstype ext4\n")


def num(s):
    s = s.strip()
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return float(s)


def add_common_args(p):
    p.add_argument("--collectd", default="/usr/sbin/collectd")
    p.add_argument("--plugin", required=True, help="the built mountstats.so")
    p.add_argument("--collectd-plugin-dir", default="/usr/lib/collectd")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directories")
