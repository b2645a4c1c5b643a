#!/usr/bin/env python3
"""Churn soak with the real collectd daemon: Interval 0.05 s, the unixsock
plugin, no writer (values live in the daemon's cache only), logfile at
level notice.

A writer thread replaces File by rename every interval with a new snapshot
of a mount table that keeps changing: its size cycles between 1 and
--max-mounts (150) NFS mounts, mounts are added (at the end) and removed
(anywhere) every interval, and some are remounted (age and every counter
drop). Mount ids only grow, so a mount point is never used twice and each
mount has the name "soak-d<id>".

Checks:
  - every second, and at the end, LISTVAL (the daemon's value cache: the
    last update time of every identifier): no identifier of a mount that
    was retired (the first snapshot without it was renamed into place at
    T) has a time later than T + one interval; no identifier outside the
    names the writer ever used;
  - at the end (the writer stopped, the last snapshot stays in place for a
    second): every mount of the last snapshot has its values in the cache
    with a time after the last snapshot, under its unchanged name, and
    exactly the identifiers of its record: uptime-age, the 27 events as
    nfs_events_cache, _vfs, _file, _io and _pnfs (no nfs_events), nfs_bytes,
    nfs_xprt/_conn/_slots-tcp, count-transports and nfs_op-<op> for the 8
    ops (RPC 1.0: no nfs_op_errors);
  - the daemon's VmRSS (/proc/<pid>/status), sampled every second, is flat
    after the warm-up (the first quarter of the run): the last sample is at
    most --rss-tolerance-kib above the first sample after warm-up, plus 1 KiB
    per value list the write queue may hold (--write-queue-limit). The
    daemon runs with MALLOC_ARENA_MAX=1 (see below; --default-malloc turns
    that off);
  - no ERROR or WARNING line, the read callback never suspended, exit 0.

Python 3 standard library only. Exit status 0 when every check passed; the
last line printed is "N passed, M failed".
"""

import argparse
import os
import random
import re
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from robust_daemon import (BYTES, EVENT_GROUPS, EVENTS,  # noqa
                           NON_NFS_HEAD, V3_OPS,
                           add_common_args, nfs_record)
from mstest import HOST, Checks, Daemon, write_atomic  # noqa: E402

NAME = re.compile(r"^" + re.escape(HOST) + r"/mountstats-soak-d(\d+)/")
# The identifiers of one mount of Model.text() (every op has ops > 0).
MOUNT_IDS = (["uptime-age", "nfs_bytes", "nfs_xprt-tcp", "nfs_xprt_conn-tcp",
              "nfs_xprt_slots-tcp", "count-transports"]
             + [t for t, _, _ in EVENT_GROUPS]
             + [f"nfs_op-{name}" for name in V3_OPS])


class Model:
    """The mount table the writer publishes."""

    def __init__(self, rng, max_mounts):
        self.rng = rng
        self.max = max_mounts
        self.mounts = {}  # id -> [age, remounts]; insertion order = file order
        self.next_id = 1
        self.target = max_mounts
        self.tick = 0

    def churn(self):
        self.tick += 1
        if self.tick % 60 == 0:  # a new target every ~3 s: both ends often
            self.target = self.rng.choice([1, self.max, 1, self.max,
                                           self.rng.randrange(1, self.max)])
        n = len(self.mounts)
        step = max(2, n // 5)
        final = n + max(-step, min(step, self.target - n))
        final = max(1, min(self.max, final))
        removals = self.rng.randrange(0, 3) + max(0, n - final)
        removals = min(removals, n - 1) if n else 0
        gone = self.rng.sample(list(self.mounts), removals) if removals else []
        for i in gone:
            del self.mounts[i]
        while len(self.mounts) < final:
            self.mounts[self.next_id] = [0, 0]
            self.next_id += 1
        for i, st in self.mounts.items():
            if st[0] >= 2 and self.rng.random() < 0.01:
                st[0], st[1] = 0, st[1] + 1  # remount: age, counters drop
            else:
                st[0] += 1
        return gone

    def text(self):
        parts = [NON_NFS_HEAD]
        for i, (age, _) in self.mounts.items():
            a = age + 1
            ops = [(name, [a * (j + 1), a * (j + 1), 0, a * 100, a * 200,
                           a, a * 2, a * 3]) for j, name in enumerate(V3_OPS)]
            xprt = [600 + i % 60000, i, 1, 2, 3, a * 10, a * 10, 0, a * 20, 0,
                    64, 0, 0]
            parts.append(nfs_record(
                f"/soak/d{i}", f"srv{i}:/export", age,
                [a * (k + 1) for k in range(EVENTS)],
                [a * 4096 * (k + 1) for k in range(BYTES)], xprt, ops,
                rpc="1.0"))
        return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_common_args(ap)
    ap.add_argument("--duration", type=float, default=60.0,
                    help="seconds of churn (default 60)")
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--max-mounts", type=int, default=150)
    ap.add_argument("--rss-tolerance-kib", type=int, default=1024)
    ap.add_argument("--write-queue-limit", type=int, default=3000,
                    help="collectd's WriteQueueLimitHigh and Low")
    ap.add_argument("--seed", type=int, default=20251125)
    ap.add_argument("--default-malloc", action="store_true",
                    help="do not set MALLOC_ARENA_MAX=1 for the daemon")
    args = ap.parse_args()
    ck = Checks("soak_daemon")
    iv = args.interval
    # A bounded write queue. At 20 reads a second a loaded machine can starve
    # the write thread for a second or two; the queue then holds tens of
    # thousands of value lists (~800 bytes each), whose freed memory glibc
    # keeps: VmRSS steps up by tens of MB once and stays there (seen: +35 MB
    # with two busy loops beside the suite). With the limit, collectd drops
    # what does not fit (a WARNING of the daemon's, not the plugin's), so
    # the queue's share of VmRSS is bounded whatever the scheduling.
    queue = args.write_queue_limit
    d = Daemon(args, "soakd", ['File "@DIR@/mountstats"'], csv=None,
               unixsock=True, interval=iv, log_level="notice",
               global_lines=[f"WriteQueueLimitHigh {queue}",
                             f"WriteQueueLimitLow {queue}"])
    path = os.path.join(d.dir, "mountstats")
    model = Model(random.Random(args.seed), args.max_mounts)
    retired = {}  # id -> time the first snapshot without it was in place
    lock = threading.Lock()
    stop = threading.Event()
    stats = {"snapshots": 0, "late": 0, "sizes": [], "remounts": 0}

    def writer():
        next_t = time.monotonic()
        while not stop.is_set():
            gone = model.churn()
            write_atomic(path, model.text())
            t = time.time()
            with lock:
                for i in gone:
                    retired[i] = t
            stats["snapshots"] += 1
            stats["sizes"].append(len(model.mounts))
            next_t += iv
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                stats["late"] += 1
                next_t = time.monotonic()

    violations, unknown, retired_seen = [], set(), 0
    listvals = 0

    def check_cache():
        nonlocal retired_seen, listvals
        lv = d.listval()
        listvals += 1
        with lock:
            ret = dict(retired)
            ever = model.next_id
        for ident, epoch in lv.items():
            m = NAME.match(ident)
            if not m or int(m.group(1)) >= ever:
                unknown.add(ident)
                continue
            i = int(m.group(1))
            if i in ret:
                retired_seen += 1
                if epoch > ret[i] + iv:
                    violations.append(f"{ident}: updated at {epoch:.3f}, "
                                      f"{epoch - ret[i]:+.3f} s after the "
                                      "mount was retired")
        return lv

    rss = []  # (seconds since start, KiB)
    try:
        model.churn()
        write_atomic(path, model.text())
        # One malloc arena: with glibc's default (an arena per thread, and
        # collectd reads on any of its 5 read threads) VmRSS creeps up by
        # ~10 KiB/s for minutes as each arena fragments, which would hide
        # (or fake) a leak; --default-malloc runs without it.
        d.start(env=None if args.default_malloc
                else {"MALLOC_ARENA_MAX": "1"})
        t_start = time.monotonic()
        ok = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and d.alive():
            try:
                if d.listval():
                    ok = True
                    break
            except OSError:
                pass
            time.sleep(0.1)
        ck.check("the daemon answers LISTVAL with values", ok,
                 d.output_text()[-1500:])
        th = threading.Thread(target=writer)
        th.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < args.duration and d.alive():
            time.sleep(1.0)
            r = d.vmrss_kib()
            if r is not None:
                rss.append((time.monotonic() - t0, r))
            try:
                check_cache()
            except OSError as e:
                violations.append(f"LISTVAL failed: {e}")
        stop.set()
        th.join()
        # The last snapshot stays: every mount in it must be in the cache,
        # under its name, updated after it was published.
        # Waits (60 s at most) until the cache has caught up: a loaded
        # machine may still be working through the write queue.
        t_final = time.time()
        live = list(model.mounts)
        deadline = time.monotonic() + 60
        while True:
            time.sleep(max(1.0, 10 * iv))
            lv = check_cache()
            missing = [i for i in live
                       if lv.get(f"{HOST}/mountstats-soak-d{i}/uptime-age", 0)
                       < t_final]
            wrong_ids = []
            for i in live:
                prefix = f"{HOST}/mountstats-soak-d{i}/"
                got = {k[len(prefix):] for k, t in lv.items()
                       if k.startswith(prefix) and t >= t_final}
                if got != set(MOUNT_IDS):
                    wrong_ids.append(f"soak-d{i}: missing "
                                     f"{sorted(set(MOUNT_IDS) - got)}, extra "
                                     f"{sorted(got - set(MOUNT_IDS))}")
            if (not missing and not wrong_ids) or time.monotonic() > deadline:
                break
        runtime = time.monotonic() - t_start
        sizes = stats["sizes"]
        ck.note(f"{stats['snapshots']} snapshots in {args.duration:.0f} s "
                f"(interval {iv} s; {stats['late']} late), NFS mounts per "
                f"snapshot {min(sizes)}..{max(sizes)} (mean "
                f"{sum(sizes) / len(sizes):.0f}), {model.next_id - 1} mounts "
                f"created, {len(retired)} retired; {listvals} LISTVAL checks "
                f"saw {retired_seen} identifiers of retired mounts")
        ck.check("the mount set went from 1 to the maximum",
                 min(sizes) == 1 and max(sizes) == args.max_mounts,
                 f"{min(sizes)}..{max(sizes)}")
        ck.check("daemon alive through the churn", d.alive(),
                 d.output_text()[-1500:])
        ck.check("no retired mount's identifier updated more than one "
                 "interval after its retirement", not violations,
                 "\n".join(violations[:8]))
        ck.check("no identifier outside the names the writer used",
                 not unknown, sorted(unknown)[:8])
        ck.check(f"every mount of the last snapshot ({len(live)}) is in the "
                 "cache under its name, updated after the snapshot",
                 not missing, missing[:8])
        ck.check(f"each of them with exactly its {len(MOUNT_IDS)} "
                 "identifiers (events in the five nfs_events_* types)",
                 not wrong_ids, "\n".join(wrong_ids[:5]))
        warm = [r for t, r in rss if t >= args.duration / 4]
        if len(warm) >= 2:
            growth = warm[-1] - warm[0]
            ck.note("VmRSS samples (s:KiB): " + " ".join(
                f"{t:.0f}:{r}" for t, r in rss[::max(1, len(rss) // 20)]))
            ck.note(f"daemon VmRSS: {rss[0][1]} KiB after 1 s, {warm[0]} KiB "
                    f"after warm-up ({args.duration / 4:.0f} s), {warm[-1]} "
                    f"KiB at the end, largest {max(warm)} KiB after warm-up")
            # 1 KiB bounds one queued value list (value_list_t is 680 bytes
            # in 5.12, plus its values and the queue entry).
            tolerance = args.rss_tolerance_kib + queue
            ck.check(f"daemon VmRSS flat after warm-up (growth {growth:+d} "
                     f"KiB, tolerance {args.rss_tolerance_kib} KiB + "
                     f"{queue} KiB for the write queue)",
                     growth <= tolerance,
                     " ".join(f"{t:.0f}s:{r}" for t, r in rss))
        else:
            ck.check("VmRSS sampled", False, rss)
        entries = d.log_entries()
        bad = [(lv_, m) for lv_, m in entries if lv_ in ("error", "warning")
               and m.startswith("mountstats plugin")]
        ck.check("no ERROR or WARNING line from the plugin", not bad, bad[:5])
        slow = [m for lv_, m in entries if "took" in m and "read interval" in m]
        other = [m for lv_, m in entries if lv_ in ("error", "warning")
                 and not m.startswith("mountstats plugin") and m not in slow]
        if slow:
            ck.note(f"{len(slow)} reads slower than the interval, e.g.: "
                    f"{slow[0]}")
        if other:
            ck.note("the daemon's own warnings: " + " | ".join(other[:3]))
        ck.check("the read callback was never suspended", not d.suspended(),
                 d.suspended()[:3])
        d.stop()
        ck.check("exit status 0 on SIGTERM", d.alive_at_stop and
                 d.returncode == 0, f"rc={d.returncode}")
        ck.note(f"runtime {runtime:.0f} s")
    except Exception:
        ck.check("test ran without an exception", False, traceback.format_exc())
    finally:
        stop.set()
        d.cleanup()
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
