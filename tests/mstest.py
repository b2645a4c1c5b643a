# SPDX-License-Identifier: MIT
"""What the Python tests share: where collectd's types.db is, quoting a
collectd config string, and replacing a file atomically.

Imported by integration_csv.py, integration_iostat.py, robust_daemon.py
(and through it never_block.py, remount_rates.py, soak_daemon.py),
e2e_common.py and dryrun_csv.py. Starting a daemon and checking its log
are still written per harness (integration_csv.Daemon,
robust_daemon.Daemon, e2e_common.Harness)."""
import os

STOCK_TYPES_DB = "/usr/share/collectd/types.db"


def q(s):
    """A collectd config string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_atomic(path, text):
    """Replaces path by rename (what a careful writer does): a reader sees
    the old file or the new one, never a part."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
