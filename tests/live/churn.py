# SPDX-License-Identifier: MIT
"""The live guest's churn phase: 50 mounts mounted and unmounted in a loop
(as autofs does) while two collectd read every second, one with the
plugin and one with its sanitizer build."""

import glob
import os
import re
import time

from guest import (CFG, MNT_DETACH, WORK, Collectd, add_export, check, gaps, nfs_mount, note,
                   read_text, sys_umount)


# --------------------------------------------------------------------------
# Churn: 50 mounts mounted and unmounted in a loop (as autofs does) while two
# collectd read every second, one with the plugin, one with its sanitizer
# build (ASan + UBSan runtimes preloaded into the unsanitized daemon).
CHURN = 50


def last_row_time(path):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4096))
            lines = f.read().splitlines()
        return float(lines[-1].split(b",")[0])
    except (OSError, IndexError, ValueError):
        return 0.0


def wait_anchor(cds, after, timeout=60):
    """Until every daemon stored a read of the anchor mount with a time > after."""
    end = time.time() + timeout
    while time.time() < end:
        ok = True
        for cd in cds:
            if cd.p.poll() is not None:
                return False
            fs = glob.glob(os.path.join(cd.host_dir(), "mountstats-mnt-v3tcp", "uptime-age-*"))
            if not fs or max(last_row_time(f) for f in fs) <= after:
                ok = False
        if ok:
            return True
        time.sleep(0.2)
    return False


def run():
    path = add_export("churn", ["c%02d" % i for i in range(CHURN)])
    # every mount is parsed, matched and named; only age, bytes and the
    # shared transport are dispatched, to keep the csv writer's load (two
    # daemons under TCG) below the read interval
    body = ('<Plugin mountstats>\n File "/proc/self/mountstats"\n ReportEvents false\n'
            ' ReportOperations false\n</Plugin>\n')
    plain = Collectd("churn", body)
    asan = Collectd("churn-asan", body, plugin=CFG["asan_plugin"], preload=CFG["asan_preload"])
    cds = [plain, asan]
    life = {i: [] for i in range(CHURN)}  # [(mount started, unmount returned)]
    t0 = time.time()
    cycles = 0
    try:
        check("churn: both daemons read (the sanitizer build too)", wait_anchor(cds, t0),
              asan.log_text()[-1500:] + read_text(os.path.join(WORK, "churn-asan.out"))[-1500:])
        maps = read_text("/proc/%d/maps" % asan.p.pid)
        check("churn: the second daemon runs the sanitizer build with the ASan runtime "
              "(libasan and mountstats.so in its maps)", "libasan" in maps and
              os.path.join(asan.pdir, "mountstats.so") in maps,
              [l for l in maps.splitlines() if ".so" in l][:40])
        while time.time() - t0 < CFG["churn_seconds"]:
            starts = {}
            for i in range(CHURN):
                starts[i] = time.time()
                nfs_mount("127.0.0.15", "%s/c%02d" % (path, i), "/mnt/churn/c%02d" % i, "3",
                          "nosharecache")
            tm = time.time() - starts[0]
            if not wait_anchor(cds, time.time()):
                break
            tu = time.time()
            for i in reversed(range(CHURN)):
                sys_umount("/mnt/churn/c%02d" % i)
                life[i].append((starts[i], time.time()))
            cycles += 1
            if cycles <= 2:
                note("churn: cycle %d: 50 mounts in %.1f s, 50 unmounts in %.1f s" % (
                    cycles, tm, time.time() - tu))
            if not wait_anchor(cds, time.time()):
                break
        dur = time.time() - t0
        note("churn: %d cycles of %d mounts and unmounts in %.1f s" % (cycles, CHURN, dur))
        check("churn: at least 2 minutes of churn (%.1f s, %d cycles, %d mounts and %d "
              "unmounts)" % (dur, cycles, cycles * CHURN, cycles * CHURN),
              dur >= min(120, CFG["churn_seconds"]) and cycles >= 5)
        for cd in cds:
            alive = cd.p.poll() is None
            check("churn: %s still running after the churn" % cd.label, alive,
                  cd.log_text()[-1500:])
        for cd in cds:
            rc, secs = cd.stop()
            check("churn: %s stopped cleanly (exit %s, %.1f s)" % (cd.label, rc, secs), rc == 0,
                  cd.log_text()[-1500:] + read_text(os.path.join(WORK, cd.label + ".out"))[-3000:])
            errs = cd.problems()
            check("churn: %s: no error or warning in the log" % cd.label, not errs, errs[:5])
            reports = glob.glob(os.path.join(cd.base, "asan*")) + glob.glob(
                os.path.join(cd.base, "ubsan*"))
            check("churn: %s: no sanitizer report" % cd.label, not reports,
                  "".join(read_text(r)[:2000] for r in reports))
        for cd in cds:
            data = cd.read_all()
            reads = sorted({t for k, rows in data.items() if k.startswith("mnt-v3tcp/")
                            for t in rows})
            nxt = {a: b for a, b in zip(reads, reads[1:])}
            bad, rows_seen, names = [], 0, set()
            for ident, rows in data.items():
                inst = ident.split("/")[0]
                m = re.match(r"^mnt-churn-c(\d\d)$", inst)
                if not inst.startswith("mnt-churn"):
                    continue
                names.add(inst)
                if not m:
                    bad.append((ident, "unexpected name"))
                    continue
                i = int(m.group(1))
                for t in rows:
                    rows_seen += 1
                    tn = nxt.get(t)
                    if tn is None:
                        continue  # the last read: no bound on when it read the file
                    # the file was read between t and the next read's t: the
                    # mount must have existed then
                    if not any(u >= t and s <= tn for s, u in life[i]):
                        bad.append((ident, t))
            check("churn: %s: %d values of %d churned mounts, none after its mount had gone "
                  "and none under another name (%d reads)" % (cd.label, rows_seen, len(names),
                                                             len(reads)),
                  rows_seen > 0 and not bad and len(names) == CHURN, bad[:10])
            gl = gaps(reads)
            check("churn: %s read every interval (largest gap %.3f s over %d reads)" % (
                cd.label, max(gl) if gl else -1, len(reads)), gl and max(gl) < 2.5)
        return {"cycles": cycles, "seconds": dur}
    finally:
        for cd in cds:
            if cd.p.poll() is None:
                cd.stop()
        for i in range(CHURN):
            try:
                sys_umount("/mnt/churn/c%02d" % i, MNT_DETACH)
            except OSError:
                pass
