#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End to end through RRD files: the real collectd with the plugin and
collectd's rrdtool plugin (step 1 s); the test reads the files with
`rrdtool info` (data sources: names, DERIVE with minimum 0 or GAUGE, as the
types file says) and `rrdtool fetch` (values: rrdtool stores DERIVE as
per-second rates, so READ ops must be 25/s and rate(rtt_ms)/rate(ops) 3 ms).

contrib/mountstats-replay writes a snapshot every second (half second
phase) with exactly known rates: /srv/projects over tcp, /scratch over rdma
with nconnect=2 (nfs_xprt_rdma, nfs_xprt_rdma_copy and nfs_xprt_rdma_mr, whose
data source names must be valid for rrd_create: 19 characters at most), and
the odd names "/mnt/with space", "/mnt/a.b" (its path's hash added), "/mnt/a_b" and a
300-byte path (cut to MaxNameLength's default, 64 bytes, with "~" and a hash).
The 27 event counters are five RRD files (nfs_events_cache, _vfs, _file, _io,
_pnfs).

Then contrib/mountstats-graphs renders every graph of every mount from these
files and its printed averages must be the same numbers.

Python 3 standard library; rrdtool (Debian: rrdtool). Last line:
"N passed, M failed".
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

HOST = "rrdhost"
SNAPSHOTS = 13
LONG = E.LONG_MOUNTPOINT
MAIN = E.MAIN_MOUNT
RDMA = {"device": "fabric1.example.org:/scratch", "mountpoint": "/scratch", "vers": "3",
        "proto": "rdma", "nconnect": 2, "age": 700,
        "ops": {"READ": {"rate": 16, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0}}}
ODD = E.ODD_MOUNTS


def scenario():
    mounts = [MAIN, RDMA]
    for i, (mp, rate) in enumerate(ODD):
        mounts.append({"device": "filer%d.example.org:/export/odd%d" % (i + 2, i),
                       "mountpoint": mp, "vers": "3", "age": 100 * (i + 1),
                       "ops": {"READ": {"rate": rate, "rtt_ms": 2, "exec_ms": 2,
                                        "queue_ms": 0}}})
    return {"mounts": mounts}


def run(h):
    import check_dashboard  # the types file reader
    types = check_dashboard.read_types(h.args.types_db)
    types.update({"uptime": [("value", "GAUGE")], "count": [("value", "GAUGE")]})
    msfile = os.path.join(h.work, "mountstats")
    rrddir = os.path.join(h.work, "rrd")
    t0 = int(time.time()) + 1.5
    replay = h.replay("replay", scenario(), msfile, t0, count=SNAPSHOTS)
    body = """LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "{d}"
  CacheTimeout 0
</Plugin>
""".format(d=rrddir)
    E.sleep_until(t0 + 0.45)
    daemon, log = h.start_collectd("collectd", body, ["rrdtool"], hostname=HOST,
                                   mountstats_lines=["File " + E.q(msfile)])
    start = time.time()
    replay.wait(timeout=SNAPSHOTS + 10)
    time.sleep(1.0)
    h.stop(daemon)
    end = time.time()
    h.note("daemon ran %.1f s" % (end - start))
    logtext = h.read_log(log)
    hostdir = os.path.join(rrddir, HOST)

    # ---- files and data sources ------------------------------------------------
    long_ds = sorted(n for t, dss in types.items() for n, _ in dss
                     if not (1 <= len(n) <= 19 and n.replace("_", "a").isalnum()))
    h.check("every data source name of the types file is a valid RRD name "
            "([A-Za-z0-9_], 1-19 characters)", not long_ds,
            "%s (%s characters): rrd_create fails with 'invalid DS format'"
            % (long_ds, [len(n) for n in long_ds]))
    # "/mnt/a.b" and "/mnt/a_b" clash once escaped: "mnt-a_b" is "/mnt/a_b"'s
    names = ["srv-projects", "scratch", "mnt-with space",
             "mnt-a.b~%08x" % E.fnv1a32(b"/mnt/a.b"), "mnt-a_b", E.instance_name(LONG)]
    got = sorted(os.listdir(hostdir)) if os.path.isdir(hostdir) else []
    h.check("one RRD folder per mount, named as the manual says (space and dot kept, "
            "a clash's path hash, long path cut with ~hash)",
            got == sorted("mountstats-" + n for n in names),
            "got %s\nexpected %s" % (got, sorted("mountstats-" + n for n in names)))
    main_dir = os.path.join(hostdir, "mountstats-srv-projects")
    want = {"nfs_op-%s" % o for o in MAIN["ops"]} | {"nfs_op_errors-%s" % o for o in MAIN["ops"]}
    events = {t for t, _ in E.EVENT_GROUPS}
    want |= events | {"nfs_bytes", "uptime-age", "count-transports", "nfs_xprt-tcp",
                      "nfs_xprt_conn-tcp", "nfs_xprt_slots-tcp"}
    have = {f[:-4] for f in os.listdir(main_dir)} if os.path.isdir(main_dir) else set()
    h.check("/srv/projects: the RRD files of the manual's METRICS", have == want,
            "missing %s unexpected %s" % (sorted(want - have), sorted(have - want)))
    rdma_dir = os.path.join(hostdir, "mountstats-scratch")
    rwant = events | {"nfs_op-READ", "nfs_op_errors-READ", "nfs_bytes", "uptime-age",
                      "count-transports", "nfs_xprt-rdma", "nfs_xprt_conn-rdma"}
    rwant |= {t + "-rdma" for t, _ in E.RDMA_TYPES}
    rhave = {f[:-4] for f in os.listdir(rdma_dir)} if os.path.isdir(rdma_dir) else set()
    h.check("/scratch (rdma): the RRD files of the manual's METRICS, incl. nfs_xprt_rdma, "
            "nfs_xprt_rdma_copy and nfs_xprt_rdma_mr",
            rhave == rwant, "missing %s unexpected %s; log: %s" % (
                sorted(rwant - rhave), sorted(rhave - rwant),
                "\n".join(sorted({l.split("] ", 2)[-1] for l in logtext.splitlines()
                                  if "rrd_create" in l}))))
    bad_ds = []
    checked = 0
    for d in sorted(os.listdir(hostdir)) if os.path.isdir(hostdir) else []:
        for f in sorted(os.listdir(os.path.join(hostdir, d))):
            path = os.path.join(hostdir, d, f)
            t = f[:-4].split("-", 1)[0]
            info = E.rrd_info(path)
            ds = E.rrd_ds(info)
            exp = types.get(t)
            checked += 1
            if info.get("step") != "1":
                bad_ds.append("%s: step %s" % (f, info.get("step")))
            if exp is None or list(ds) != [n for n, _ in exp]:
                bad_ds.append("%s/%s: data sources %s, types file %s" % (d, f, list(ds), exp))
                continue
            for n, kind in exp:
                got_kind = ds[n].get("type")
                mn = ds[n].get("min")
                if got_kind != kind or (kind == "DERIVE" and float(mn) != 0.0):
                    bad_ds.append("%s/%s %s: %s min %s, types file %s" % (d, f, n, got_kind, mn, kind))
    h.check("every RRD file (%d) has the types file's data sources, DERIVE min 0 "
            "or GAUGE, step 1 s" % checked, checked > 20 and not bad_ds, "\n".join(bad_ds[:20]))

    # ---- values ---------------------------------------------------------------------
    def fetch(d, leaf):
        names_, rows = E.rrd_fetch(os.path.join(hostdir, "mountstats-" + d, leaf + ".rrd"),
                                   start + 2, end - 1)
        cols = {n: [r[1][i] for r in rows] for i, n in enumerate(names_)}
        return cols

    def med(xs):
        return E.median([x for x in xs if x is not None])

    op = fetch("srv-projects", "nfs_op-READ")
    h.check("READ ops: 25/s (median of the 1 s rates)", abs((med(op["ops"]) or 0) - 25) < 0.5,
            str(op["ops"]))
    for ds, per in (("rtt_ms", 3), ("exec_ms", 4), ("bytes_recv", 65664), ("bytes_sent", 128)):
        ratio = [t / o for t, o in zip(op[ds], op["ops"]) if t is not None and o]
        h.check("READ rate(%s) / rate(ops) = %s at every step" % (ds, per),
                len(ratio) >= 5 and all(abs(x - per) < 1e-6 * per for x in ratio), str(ratio))
    w = fetch("srv-projects", "nfs_op-WRITE")
    retr = [t - o for t, o in zip(w["trans"], w["ops"]) if t is not None and o is not None]
    h.check("WRITE retransmissions (trans - ops) 1/s, timeouts 1/s",
            abs((med(retr) or 0) - 1) < 0.05 and abs((med(w["timeouts"]) or 0) - 1) < 0.05,
            "%s %s" % (retr, w["timeouts"]))
    e = fetch("srv-projects", "nfs_op_errors-LOOKUP")
    h.check("LOOKUP errors 1/s (DS \"value\")", abs((med(e["value"]) or 0) - 1) < 0.05, str(e))
    evds = {t: list(fetch("srv-projects", t)) for t, _ in E.EVENT_GROUPS}
    h.check("the 27 events: five RRD files with the manual's data sources, in order",
            evds == {t: n for t, n in E.EVENT_GROUPS} and sum(map(len, evds.values())) == 27,
            str(evds))
    ev = fetch("srv-projects", "nfs_events_vfs")
    h.check("nfs_events_vfs: vfs_read_pages 25/s",
            abs((med(ev.get("vfs_read_pages", [])) or 0) - 25) < 0.5, str(ev.get("vfs_read_pages")))
    by = fetch("srv-projects", "nfs_bytes")
    h.check("nfs_bytes server_read 25 * 64 KiB/s, server_write 5 * 64 KiB/s",
            abs((med(by["server_read"]) or 0) - 25 * 65536) < 100 and
            abs((med(by["server_write"]) or 0) - 5 * 65536) < 100, str(by["server_read"]))
    age = fetch("srv-projects", "uptime-age")["value"]
    h.check("uptime-age is a gauge: the file's age (5000..5013 s)",
            age and all(v is None or 5000 <= v <= 5000 + SNAPSHOTS for v in age) and
            med(age) > 5000, str(age))
    x = fetch("scratch", "nfs_xprt-rdma")
    h.check("rdma nconnect=2 transports summed: sends 16/s",
            abs((med(x["sends"]) or 0) - 16) < 0.5, str(x["sends"]))
    rd = {t: fetch("scratch", t + "-rdma") for t, _ in E.RDMA_TYPES}
    h.check("rdma: nfs_xprt_rdma, _copy, _mr have the manual's data sources "
            "(reply_waits_send, not the 20-character reply_waits_for_send)",
            all(list(rd[t]) == n for t, n in E.RDMA_TYPES), str({t: list(c) for t, c in rd.items()}))
    r = rd["nfs_xprt_rdma"]
    h.check("rdma: nfs_xprt_rdma write_chunks = READ's 16/s, rdma_request 16 * 180 B/s",
            abs((med(r.get("write_chunks", [])) or 0) - 16) < 0.5 and
            abs((med(r.get("rdma_request", [])) or 0) - 16 * 180) < 10,
            "%s %s" % (r.get("write_chunks"), r.get("rdma_request")))
    # The replay's copy and MR counters stand still (mrs_allocated at 128):
    # rate 0 in every data source.
    still = {t: {k: v for k, v in rd[t].items() if med(v) != 0.0}
             for t in ("nfs_xprt_rdma_copy", "nfs_xprt_rdma_mr")}
    h.check("rdma: nfs_xprt_rdma_copy and nfs_xprt_rdma_mr stored, rate 0 (median)",
            not any(still.values()), str(still))
    for d, (mp, rate) in zip(names[2:], ODD):
        r = fetch(d, "nfs_op-READ")
        label = mp if len(mp) < 40 else mp[:30] + "... (%d bytes)" % len(mp)
        h.check("%r: its own READ rate %d/s" % (label, rate),
                abs((med(r["ops"]) or 0) - rate) < 0.3, str(r["ops"]))
    errs = E.log_problems(logtext)
    h.check("collectd log has no error or warning", not errs,
            "\n".join(sorted({l.split("] ", 2)[-1] for l in errs})))

    # ---- the PNG graphs from these files ----------------------------------------------
    out = os.path.join(h.work, "png")
    p = subprocess.run([sys.executable, os.path.join(E.ROOT, "contrib", "mountstats-graphs"),
                        "--rrd-dir", hostdir, "--out", out, "--start", str(int(start) + 2),
                        "--end", str(int(end) - 1), "--print"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    printed = {}
    for line in p.stdout.decode().splitlines():
        m, g, label, v = line.split("\t")
        printed[(m, g, label)] = float(v)
    pngs = sorted(os.listdir(out)) if os.path.isdir(out) else []
    h.check("mountstats-graphs ran without error", p.returncode == 0, p.stderr.decode()[-2000:])
    h.check("6 PNG graphs per mount (%d mounts)" % len(names),
            len(pngs) == 6 * len(names) and all(
                open(os.path.join(out, f), "rb").read(8) == b"\x89PNG\r\n\x1a\n" for f in pngs),
            str(pngs))
    for key, want_v in [(("srv-projects", "ops", "READ"), 25), (("srv-projects", "rtt_ms", "READ"), 3),
                        (("srv-projects", "exec_ms", "READ"), 4), (("srv-projects", "rtt_ms", "WRITE"), 6),
                        (("srv-projects", "exec_ms", "WRITE"), 8),
                        (("srv-projects", "retrans", "WRITE retrans"), 1),
                        (("srv-projects", "retrans", "WRITE timeouts"), 1),
                        (("srv-projects", "errors", "LOOKUP"), 1),
                        (("srv-projects", "kbs", "read"), 25 * 64),
                        (("srv-projects", "kbs", "written"), 5 * 64),
                        (("mnt-a_b", "ops", "READ"), 13)]:
        v = printed.get(key)
        h.check("graph %s %s %s: %s" % (key + (want_v,)),
                v is not None and abs(v - want_v) < 0.03 * want_v, str(v))


if __name__ == "__main__":
    sys.exit(E.main("e2e_rrd", run))
