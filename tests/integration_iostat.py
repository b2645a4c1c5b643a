#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ReportIostat in the real collectd: averages per op over each interval,
no value across a remount, and collectd's threshold plugin warning when the
READ average RTT jumps.

A writer replays snapshots of one NFSv3 mount, one every 0.5 s, while the
daemon reads every second: READ costs 2 ms per op, then 200 ms per op, then
the mount is remounted (age and counters restart) at 2 ms per op again. The
average of an op over an interval does not depend on how many snapshots fell
in it (delta rtt / delta ops), so the expected values are exact."""

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from mstest import write_atomic

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS" if ok else "FAIL") + ": " + name + ("" if ok else ": " + detail))


def snapshot(age, reads, rtt_ms):
    """One mountstats text: READ with `reads` ops whose RTT sums to rtt_ms."""
    ops = [
        ("NULL", "0 0 0 0 0 0 0 0"),
        ("GETATTR", "10 10 0 1000 1120 0 10 12"),
        ("READ", "%d %d 0 %d %d 0 %d %d" % (reads, reads, reads * 128, reads * 65536,
                                             rtt_ms, rtt_ms + reads)),
    ]
    lines = [
        "device proc mounted on /proc with fstype proc\n",
        "device filer7:/data mounted on /data with fstype nfs statvers=1.1\n",
        "\topts:\trw,vers=3,proto=tcp,local_lock=none\n",
        "\tage:\t%d\n" % age,
        "\tevents:\t" + "0 " * 27 + "\n",
        "\tbytes:\t0 0 0 0 0 0 0 0 \n",
        "\tRPC iostats version: 1.0  p/v: 100003/3 (nfs)\n",
        "\txprt:\ttcp 0 0 1 0 2 %d %d 0 0 0 4 0 0\n" % (reads + 10, reads + 10),
        "\tper-op statistics\n",
    ]
    lines += ["\t%12s: %s\n" % (n, v) for n, v in ops]
    lines.append("\n")
    return "".join(lines)


def read_csv(path):
    rows = []
    for f in sorted(glob.glob(path + "-*")):
        with open(f) as fh:
            header = fh.readline().strip().split(",")
            for line in fh:
                rows.append(dict(zip(header, line.strip().split(","))))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--collectd", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--fixtures")  # unused: the snapshots are generated
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="integration_iostat.")
    try:
        plugins = os.path.join(work, "plugins")
        os.mkdir(plugins)
        for p in ("csv", "logfile", "threshold"):
            shutil.copy("/usr/lib/collectd/%s.so" % p, plugins)
        shutil.copy(args.plugin, plugins)
        msfile = os.path.join(work, "mountstats")
        write_atomic(msfile, snapshot(1000, 100, 200))
        conf = os.path.join(work, "collectd.conf")
        with open(conf, "w") as f:
            f.write("""BaseDir "{w}"
PIDFile "{w}/pid"
PluginDir "{w}/plugins"
TypesDB "/usr/share/collectd/types.db" "{types}"
Hostname "io"
Interval 1
# One write thread: see robust_daemon.py (torn csv lines under load).
WriteThreads 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{w}/log"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "{w}/csv"
</Plugin>
LoadPlugin threshold
<Plugin threshold>
  <Plugin "mountstats">
    <Type "nfs_op_avg">
      Instance "READ"
      DataSource "rtt_ms"
      WarningMax 50
    </Type>
  </Plugin>
</Plugin>
LoadPlugin mountstats
<Plugin mountstats>
  File "{ms}"
  ReportIostat true
</Plugin>
""".format(w=work, types=args.types_db, ms=msfile))
        daemon = subprocess.Popen([args.collectd, "-f", "-C", conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        # Phases of (age step per snapshot, reads per snapshot, rtt per read).
        age, reads, rtt = 1000, 100, 200
        phase_start = {}
        def run(name, n, rtt_per_op, restart=False):
            nonlocal age, reads, rtt
            if restart:
                age, reads, rtt = 1, 0, 0
            phase_start[name] = time.time()
            for _ in range(n):
                time.sleep(0.5)
                reads += 50
                rtt += 50 * rtt_per_op
                age_now = age + int(time.time() - phase_start[name])
                write_atomic(msfile, snapshot(age_now, reads, rtt))
        run("fast", 8, 2)
        run("slow", 8, 200)
        run("remount", 8, 2, restart=True)
        time.sleep(1.5)
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=20)
        end = time.time()

        log = open(os.path.join(work, "log")).read()
        rows = read_csv(os.path.join(work, "csv", "io", "mountstats-data", "nfs_op_avg-READ"))
        def rows_between(a, b):
            return [r for r in rows if a + 1.2 <= float(r["epoch"]) <= b - 0.2]
        fast = rows_between(phase_start["fast"], phase_start["slow"])
        slow = rows_between(phase_start["slow"], phase_start["remount"])
        after = rows_between(phase_start["remount"], end)
        check("READ averages dispatched in every phase",
              len(fast) >= 2 and len(slow) >= 2 and len(after) >= 2,
              "rows: %d %d %d" % (len(fast), len(slow), len(after)))
        check("READ average RTT is 2 ms while fast",
              all(abs(float(r["rtt_ms"]) - 2.0) < 1e-6 for r in fast), str(fast))
        check("READ average RTT is 200 ms while slow",
              all(abs(float(r["rtt_ms"]) - 200.0) < 1e-6 for r in slow), str(slow))
        check("READ exec = rtt + 1 ms, kB received per op = 64",
              all(abs(float(r["exec_ms"]) - float(r["rtt_ms"]) - 1) < 1e-6 and
                  abs(float(r["kb_recv"]) - 64) < 1e-6 for r in fast + slow + after))
        check("after the remount only true values (2 ms), never negative",
              all(abs(float(r["rtt_ms"]) - 2.0) < 1e-6 for r in after) and
              all(float(r["rtt_ms"]) >= 0 for r in rows), str(after))
        check("GETATTR did not move: no average dispatched",
              not glob.glob(os.path.join(work, "csv", "io", "mountstats-data",
                                         "nfs_op_avg-GETATTR-*")))
        iostat = read_csv(os.path.join(work, "csv", "io", "mountstats-data", "nfs_iostat"))
        check("per-mount READ ops/s about 100 (50 per 0.5 s)",
              len(iostat) >= 4 and
              sorted(float(r["read_ops"]) for r in iostat)[len(iostat) // 2] > 50,
              str(iostat[:5]))
        warn = [l for l in log.splitlines()
                if "Notification" in l and "nfs_op_avg" in l and "READ" in l and
                "WARNING" in l.upper()]
        check("threshold plugin warned about READ rtt_ms", len(warn) >= 1, log[-2000:])
        check("log has no error", "error" not in log.lower(), log[-2000:])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    passed = sum(1 for r in RESULTS if r)
    failed = len(RESULTS) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
