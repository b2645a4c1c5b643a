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
import os
import sys
import time
from mstest import STOCK_TYPES_DB, Daemon, write_atomic

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


def dict_rows(d, key):
    """The csv rows of key ("data/nfs_op_avg-READ") as {column: text}."""
    header, rows = d.read_csv().get(key, ("", []))
    return [dict(zip(header.split(","), [repr(e)] + f)) for e, f in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--collectd", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--fixtures")  # unused: the snapshots are generated
    args = ap.parse_args()

    d = Daemon(args, "iostat", ['File "@DIR@/mountstats"', "ReportIostat true"],
               hostname="io", types_dbs=[STOCK_TYPES_DB, args.types_db],
               plugins=["threshold"], body="""LoadPlugin threshold
<Plugin threshold>
  <Plugin "mountstats">
    <Type "nfs_op_avg">
      Instance "READ"
      DataSource "rtt_ms"
      WarningMax 50
    </Type>
  </Plugin>
</Plugin>""")
    try:
        msfile = os.path.join(d.dir, "mountstats")
        write_atomic(msfile, snapshot(1000, 100, 200))
        d.start()
        check("daemon initialised", d.wait_ready(), d.output_text()[-2000:])
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
        d.stop()
        end = time.time()
        check("daemon running until SIGTERM, exit status 0", *d.stopped_cleanly())

        log = d.log_text()
        rows = dict_rows(d, "data/nfs_op_avg-READ")
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
              "data/nfs_op_avg-GETATTR" not in d.read_csv())
        iostat = dict_rows(d, "data/nfs_iostat")
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
        d.cleanup()

    passed = sum(1 for r in RESULTS if r)
    failed = len(RESULTS) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
