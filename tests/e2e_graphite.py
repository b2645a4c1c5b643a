#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End to end through Graphite: the real collectd with the plugin and
write_graphite sends to Debian's carbon-cache (127.0.0.1, a free port,
whisper files in a temporary folder, 1 s points, tags off); the test reads
the whisper files with whisper-fetch.

contrib/mountstats-replay writes a new snapshot every second (on the half
second; the daemon reads on the whole second) with exactly known rates.
write_graphite has two nodes to the same carbon: "counters." (StoreRates
false, the kernel's counters) and "rates." (StoreRates true).

Mounts: /srv/projects (the values), and odd names: "/mnt/with space" (\\040
in the file), "/mnt/a.b" and "/mnt/a_b" (equal once Graphite has escaped the
dot: "/mnt/a.b" must get its path's hash), and a 300-byte path (cut to MaxNameLength's
default of 64 bytes, ending in "~" and a hash). Each must land as exactly one
distinct, valid Graphite path carrying its own values, every one of its nfs_op
value lists included.

Every value list must reach carbon: write_graphite formats one value list into
a 1428-byte buffer and drops it whole when it does not fit, so the plugin's
types have at most 8 data sources (the 27 event counters come as
nfs_events_cache/_vfs/_file/_io/_pnfs) and names are capped at 64 bytes.

Finally the Grafana dashboard (contrib/grafana) is checked against the metric
paths this run really stored (tests/check_dashboard.py).

Python 3 standard library; carbon-cache, whisper-fetch (graphite-carbon,
python3-whisper). Last line: "N passed, M failed".
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

HOST = "web1"
SNAPSHOTS = 13          # one per second
OP_DS = "ops trans timeouts bytes_sent bytes_recv queue_ms rtt_ms exec_ms".split()
BYTES_DS = ("normal_read normal_write direct_read direct_write server_read "
            "server_write read_pages write_pages").split()

LONG = E.LONG_MOUNTPOINT

MAIN = E.MAIN_MOUNT
ODD = E.ODD_MOUNTS


def scenario():
    mounts = [MAIN]
    for i, (mp, rate) in enumerate(ODD):
        mounts.append({"device": "filer%d.example.org:/export/odd%d" % (i + 2, i),
                       "mountpoint": mp, "vers": "3", "age": 100 * (i + 1),
                       "ops": {"READ": {"rate": rate, "rtt_ms": 2, "exec_ms": 2,
                                        "queue_ms": 0}}})
    return {"mounts": mounts}


def expected_dirs():
    """Graphite path part of each mount, in scenario order."""
    # "/mnt/a.b" equals "/mnt/a_b" once escaped: "mnt-a_b" is "/mnt/a_b"'s,
    # "/mnt/a.b" gets the hash of its own path (NamingScheme auto)
    names = E.unique_names(["/srv/projects"] + [mp for mp, _ in ODD])
    return ["mountstats-" + E.graphite_escape(n) for n in names]


def graphite_room(types, type_instance, name_len=E.DEFAULT_MAX_NAME_LEN):
    """Longest host + Prefix (bytes) for which every type's value list, for a
    mount name of name_len bytes, the longest type instances (a 20-character
    op name such as BIND_CONN_TO_SESSION, "local-15") and 20-digit values,
    fits write_graphite's buffer."""
    ti = {"op": "BIND_CONN_TO_SESSION", "xprt": "local-15", "rdma": "rdma-15"}
    room = 0
    while all(E.graphite_message_size("h" * (room + 1), "", "m" * name_len, t,
                                      ti.get(type_instance.get(t)), [n for n, _ in d],
                                      value_width=20) < E.WG_SEND_BUF_SIZE
              for t, d in types.items()):
        room += 1
    return room


def run(h):
    carbon, port, whisper = h.start_carbon()
    h.note("carbon-cache listening on 127.0.0.1:%d" % port)
    msfile = os.path.join(h.work, "mountstats")
    # Snapshots on the half second, the daemon's reads on the whole second.
    t0 = int(time.time()) + 1.5
    replay = h.replay("replay", scenario(), msfile, t0, count=SNAPSHOTS)
    E.sleep_until(t0 + 0.05)
    nodes = ""
    for name, rates in (("counters", "false"), ("rates", "true")):
        nodes += """  <Node "{n}">
    Host "127.0.0.1"
    Port "{p}"
    Protocol "tcp"
    Prefix "{n}."
    StoreRates {r}
    EscapeCharacter "_"
    LogSendErrors true
  </Node>
""".format(n=name, p=port, r=rates)
    body = """<LoadPlugin write_graphite>
  FlushInterval 1
</LoadPlugin>
<Plugin write_graphite>
{nodes}</Plugin>
""".format(nodes=nodes)
    E.sleep_until(t0 + 0.45)
    daemon, log = h.start_collectd("collectd", body, ["write_graphite"], hostname=HOST,
                                   mountstats_lines=["File " + E.q(msfile),
                                                     # the dashboard's stall panel:
                                                     # the estimate (no sysfs here)
                                                     "ReportStall true",
                                                     'SysfsRoot ""'])
    daemon_start = time.time()
    replay.wait(timeout=SNAPSHOTS + 10)
    time.sleep(1.0)  # one more read of the last snapshot
    h.stop(daemon)       # write_graphite flushes on shutdown
    h.stop(carbon)       # carbon writes its cache on shutdown
    end = int(time.time()) + 1
    h.note("daemon ran %.1f s; reading whisper files" % (time.time() - daemon_start))

    logtext = h.read_log(log)
    clog = h.carbon_log()
    metrics = E.whisper_metrics(whisper)
    h.check("carbon stored metrics", len(metrics) > 0, clog[-3000:] + logtext[-3000:])

    # ---- what fits write_graphite's buffer --------------------------------------
    import check_dashboard
    types = check_dashboard.plugin_types(h.args.types_db)
    wide = {t: len(d) for t, d in types.items() if len(d) > 8}
    h.check("every type of the types file has at most 8 data sources", not wide, str(wide))
    room = graphite_room(types, check_dashboard.TYPE_INSTANCE)
    h.note("with a %d-byte mount name, 20-digit values and 20-character op names every "
           "value list fits %d bytes for host + Prefix up to %d bytes"
           % (E.DEFAULT_MAX_NAME_LEN, E.WG_SEND_BUF_SIZE, room))
    h.check("MaxNameLength's default leaves room for a long host name and Prefix "
            "(>= 30 bytes with 20-digit values)", room >= 30, str(room))

    # ---- paths ---------------------------------------------------------------
    dirs = expected_dirs()
    long_name = E.instance_name(LONG)
    h.check("the 300-byte path is named with MaxNameLength's default: %d bytes, "
            "its first %d + \"~\" + FNV-1a-32 of the whole path"
            % (E.DEFAULT_MAX_NAME_LEN, E.DEFAULT_MAX_NAME_LEN - 9),
            len(long_name.encode()) == E.DEFAULT_MAX_NAME_LEN and
            long_name.endswith("~%08x" % E.fnv1a32(LONG.encode())), long_name)
    for prefix in ("counters", "rates"):
        got = sorted({m.split(".")[2] for m in metrics
                      if m.startswith(prefix + "." + HOST + ".")})
        h.check("%s: exactly one Graphite path per mount, the expected names"
                % prefix, got == sorted(dirs),
                "got %s\nexpected %s" % (got, sorted(dirs)))
    valid = re.compile(r"^[A-Za-z0-9_~+:,=@%\-]+$")
    bad = [m for m in metrics if not all(valid.match(p) for p in m.split("."))]
    h.check("every path component is non-empty and has no space, dot or "
            "control byte", not bad, str(bad[:5]))
    h.check("no path component is longer than 255 bytes (one file name)",
            all(len(p.encode()) <= 250 for m in metrics for p in m.split(".")))

    main_dir = dirs[0]
    want = set()
    for op in ("READ", "WRITE", "GETATTR", "LOOKUP"):
        want |= {"nfs_op-%s.%s" % (op, ds) for ds in OP_DS}
        want.add("nfs_op_errors-" + op)
    want |= {"%s.%s" % (t, e) for t, evs in E.EVENT_GROUPS for e in evs}
    want |= {"nfs_bytes." + b for b in BYTES_DS}
    want |= {"uptime-age", "count-transports"}
    want |= {"nfs_xprt-tcp." + d for d in "bind_count sends recvs bad_xids req_u bklog_u".split()}
    want |= {"nfs_xprt_conn-tcp." + d for d in "connect_count connect_time idle_time".split()}
    want |= {"nfs_xprt_slots-tcp." + d for d in "max_slots sending_u pending_u".split()}
    want |= {"nfs_xprt_stall-estimate." + d for d in "waiting since_reply stalled".split()}
    for prefix in ("counters", "rates"):
        p = "%s.%s.%s." % (prefix, HOST, main_dir)
        got = {m[len(p):] for m in metrics if m.startswith(p)}
        h.check("%s: /srv/projects has every metric of the manual's METRICS (%d)"
                % (prefix, len(want)), got == want,
                "missing %s; unexpected %s" % (sorted(want - got), sorted(got - want)))
    for d in dirs[1:]:
        for prefix in ("counters", "rates"):
            m = "%s.%s.%s.nfs_op-READ.ops" % (prefix, HOST, d)
            h.check("%s: %s has its READ ops series" % (prefix, d), m in metrics)

    frm = int(daemon_start) - 2
    c = "counters.%s.%s." % (HOST, main_dir)
    r = "rates.%s.%s." % (HOST, main_dir)
    wanted = [c + x for x in ("nfs_op-READ.ops", "nfs_op-READ.rtt_ms", "nfs_op-READ.exec_ms",
                              "nfs_op-READ.bytes_recv", "nfs_op-WRITE.ops", "nfs_op-WRITE.trans",
                              "nfs_op-WRITE.timeouts", "nfs_op_errors-LOOKUP", "uptime-age",
                              "nfs_bytes.server_read", "nfs_events_vfs.vfs_read_pages",
                              "nfs_events_cache.inode_revalidate")]
    wanted += [r + x for x in ("nfs_op-READ.ops", "nfs_op-READ.rtt_ms", "uptime-age",
                               "nfs_op-WRITE.trans", "nfs_op-WRITE.ops")]
    for d, (_, rate) in zip(dirs[1:], ODD):
        wanted += ["counters.%s.%s.nfs_op-READ.ops" % (HOST, d),
                   "rates.%s.%s.nfs_op-READ.ops" % (HOST, d)]
    wanted += ["counters.%s.%s.nfs_op-READ.%s" % (HOST, dirs[-1], ds)
               for ds in ("rtt_ms", "exec_ms")]
    files = [metrics[m] for m in wanted if m in metrics]
    data = E.whisper_fetch_many(files, frm, end)
    S = {m: data[metrics[m]] for m in wanted if m in metrics}

    def series(m):
        return S.get(m, [])

    # ---- counters (StoreRates false) -----------------------------------------
    ops = E.points(series(c + "nfs_op-READ.ops"))
    h.check("READ ops counter: several 1 s points stored", len(ops) >= 6, str(ops))
    h.check("READ ops counter: every stored value is a snapshot's (25 per s)",
            ops and all(v % 25 == 0 and v >= 0 for _, v in ops), str(ops))
    h.check("READ ops counter never decreases",
            all(b[1] >= a[1] for a, b in zip(ops, ops[1:])), str(ops))
    rate = E.median(list(E.per_second(series(c + "nfs_op-READ.ops")).values()))
    h.check("perSecond(READ ops) = 25/s (median)", rate is not None and abs(rate - 25) < 0.5,
            str(rate))
    dops = E.deltas(series(c + "nfs_op-READ.ops"))
    for ds, per_op in (("rtt_ms", 3), ("exec_ms", 4), ("bytes_recv", 65664)):
        dd = E.deltas(series(c + "nfs_op-READ." + ds))
        ratios = [dd[t][0] / dops[t][0] for t in dd if t in dops and dops[t][0] > 0]
        h.check("divideSeries(perSecond(READ %s), perSecond(READ ops)) = %s on every "
                "interval" % (ds, per_op),
                len(ratios) >= 4 and all(abs(x - per_op) < 1e-9 for x in ratios), str(ratios))
    wops = E.per_second(series(c + "nfs_op-WRITE.ops"))
    wtrans = E.per_second(series(c + "nfs_op-WRITE.trans"))
    retr = [wtrans[t] - wops[t] for t in wops if t in wtrans]
    h.check("WRITE retransmissions (trans - ops) = 1/s",
            retr and abs(E.median(retr) - 1) < 0.05, str(retr))
    tmo = list(E.per_second(series(c + "nfs_op-WRITE.timeouts")).values())
    h.check("WRITE timeouts = 1/s", tmo and abs(E.median(tmo) - 1) < 0.05, str(tmo))
    err = list(E.per_second(series(c + "nfs_op_errors-LOOKUP")).values())
    h.check("LOOKUP errors (single-value path, no .value) = 1/s",
            err and abs(E.median(err) - 1) < 0.05, str(err))
    age = E.points(series(c + "uptime-age"))
    h.check("uptime-age is the file's age (5000 + seconds), one more per second",
            len(age) >= 5 and all(5000 <= v <= 5000 + SNAPSHOTS for _, v in age) and
            E.median([v - a for (_, a), (_, v) in zip(age, age[1:])]) == 1, str(age))
    sr = list(E.per_second(series(c + "nfs_bytes.server_read")).values())
    h.check("nfs_bytes.server_read = 25 * 64 KiB per s",
            sr and abs(E.median(sr) - 25 * 65536) < 1, str(sr))
    ev = list(E.per_second(series(c + "nfs_events_vfs.vfs_read_pages")).values())
    h.check("nfs_events_vfs.vfs_read_pages = 25/s", ev and abs(E.median(ev) - 25) < 0.5,
            str(ev))
    ir = list(E.per_second(series(c + "nfs_events_cache.inode_revalidate")).values())
    h.check("nfs_events_cache.inode_revalidate = GETATTR's 40/s", ir and
            abs(E.median(ir) - 40) < 0.5, str(ir))

    # ---- rates (StoreRates true) ----------------------------------------------
    rops = {t: v for t, v in E.points(series(r + "nfs_op-READ.ops"))}
    rrtt = {t: v for t, v in E.points(series(r + "nfs_op-READ.rtt_ms"))}
    h.check("StoreRates: READ ops rate = 25/s (median, within 3 %)",
            len(rops) >= 5 and abs(E.median(list(rops.values())) - 25) < 0.75, str(rops))
    ratio = [rrtt[t] / rops[t] for t in rops if t in rrtt and rops[t] > 0]
    h.check("StoreRates: divideSeries(READ rtt_ms, READ ops) = 3 ms",
            len(ratio) >= 5 and all(abs(x - 3) < 1e-6 for x in ratio), str(ratio))
    rw = {t: v for t, v in E.points(series(r + "nfs_op-WRITE.ops"))}
    rt = {t: v for t, v in E.points(series(r + "nfs_op-WRITE.trans"))}
    rr = [rt[t] - rw[t] for t in rw if t in rt]
    h.check("StoreRates: WRITE trans - ops = 1/s", rr and abs(E.median(rr) - 1) < 0.1, str(rr))
    ga = {t: v for t, v in E.points(series(r + "uptime-age"))}
    ca = {t: v for t, v in E.points(series(c + "uptime-age"))}
    h.check("StoreRates leaves the uptime-age gauge a gauge",
            ga and all(ca.get(t) == v for t, v in ga.items() if t in ca), str((ga, ca)))

    # ---- odd names carry their own values ----------------------------------------
    for d, (mp, rate) in zip(dirs[1:], ODD):
        cr = E.median(list(E.per_second(series("counters.%s.%s.nfs_op-READ.ops" % (HOST, d))).values()))
        rr = E.median([v for _, v in E.points(series("rates.%s.%s.nfs_op-READ.ops" % (HOST, d)))])
        label = mp if len(mp) < 40 else mp[:30] + "... (%d bytes)" % len(mp)
        h.check("%r: its own READ rate %d/s under %s" % (label, rate, d[:60]),
                cr is not None and abs(cr - rate) < 0.5 and rr is not None and
                abs(rr - rate) < 0.05 * rate, "counters %s, rates %s" % (cr, rr))

    # The long name's READ is a whole nfs_op value list (8 lines): all of it
    # arrived, with its own averages.
    ld = dirs[-1]
    lops = E.deltas(series("counters.%s.%s.nfs_op-READ.ops" % (HOST, ld)))
    for ds in ("rtt_ms", "exec_ms"):
        dd = E.deltas(series("counters.%s.%s.nfs_op-READ.%s" % (HOST, ld, ds)))
        ratios = [dd[t][0] / lops[t][0] for t in dd if t in lops and lops[t][0] > 0]
        h.check("the 300-byte path: READ %s / ops = 2 on every interval" % ds,
                len(ratios) >= 4 and all(abs(x - 2) < 1e-9 for x in ratios), str(ratios))

    # ---- logs --------------------------------------------------------------------------
    E.check_write_graphite_log(h, logtext, "collectd")
    # Why, when it fails: the message size of the value lists this run sends.
    for pi, label in (("srv-projects", "/srv/projects"), (E.instance_name(LONG), "the 300-byte path")):
        for t, ti, dss in [(g, None, evs) for g, evs in E.EVENT_GROUPS] + [
                ("nfs_bytes", None, BYTES_DS), ("nfs_op", "READ", OP_DS)]:
            n = E.graphite_message_size("counters.", HOST, pi, t, ti, dss, value_width=8)
            if n >= E.WG_SEND_BUF_SIZE:
                h.note("%s %s%s needs about %d bytes > %d: write_graphite drops it"
                       % (label, t, "-" + ti if ti else "", n, E.WG_SEND_BUF_SIZE))
    h.check("carbon received only valid lines", "invalid line" not in clog,
            "\n".join(l for l in clog.splitlines() if "invalid" in l)[:2000])

    # ---- the Grafana dashboard against these paths ----------------------------------
    import graphite_eval
    dash = check_dashboard.load()
    stored = sorted(m[len("counters."):] for m in metrics if m.startswith("counters."))
    problems = check_dashboard.check(dash, stored, prefix="counters.")
    h.check("every Grafana dashboard target matches paths this run stored",
            not problems, "\n".join(problems))
    if not h.check("graphite-web is installed (Debian graphite-web) to evaluate the "
                   "dashboard", graphite_eval.available()):
        return
    # Every target, as Grafana would send it, through graphite-web's own
    # functions over this run's whisper files; then the numbers.
    everything = {"prefix": "counters.", "host": "*", "mount": "*", "op": "*"}
    one = {"prefix": "counters.", "host": HOST, "mount": "srv-projects", "op": "WRITE"}
    sets = [("All", check_dashboard.expanded_targets(dash, everything, {"op": "READ"})),
            ("web1, srv-projects, WRITE", check_dashboard.expanded_targets(dash, one))]
    texts = sorted({t for _, ts in sets for _, _, t in ts})
    res = graphite_eval.evaluate(whisper, texts, daemon_start, end)
    empty = []
    for label, ts in sets:
        for title, ref, t in ts:
            r = res.get(t, {"error": "not evaluated"})
            ok = "series" in r and r["series"] and all(
                sum(1 for v in s["values"] if v is not None) >= 3 for s in r["series"])
            if not ok:
                empty.append("%s / %s %s: %s" % (label, title, ref, r.get("error") or r))
    h.check("graphite-web evaluates every dashboard target (%d) to series with data"
            % len(texts), not empty, "\n".join(empty))

    def med(label, title, ref="A", name=None):
        for lb, ts in sets:
            for ti, rf, t in ts:
                if lb == label and ti == title and rf == ref:
                    ss = res.get(t, {}).get("series", [])
                    if name is not None:
                        ss = [x for x in ss if x["name"] == name]
                    if len(ss) != 1:
                        return "%d series: %s" % (len(ss), [x["name"] for x in ss])
                    return E.median([v for v in ss[0]["values"] if v is not None])
        return "no such panel"
    L = "web1, srv-projects, WRITE"
    # Every mount's READ, the 300-byte path's included.
    fleet_ops = 25 + sum(r for _, r in ODD)
    read_avg = (25 * 3 + sum(r for _, r in ODD) * 2) / float(fleet_ops)
    for label, title, ref, want in [
            (L, "Operations per second, per op", "A", 5),
            (L, "Average RTT per operation (ms)", "A", 6),
            (L, "Average execution time per operation (ms)", "A", 8),
            (L, "Retransmissions and timeouts per second", "A", 1),
            (L, "Retransmissions and timeouts per second", "B", 1),
            (L, "Read from and written to the server (kB/s)", "A", 25 * 64),
            (L, "Read from and written to the server (kB/s)", "B", 5 * 64),
            ("All", "Fleet READ: average RTT and execution time (ms)", "A", read_avg),
            ("All", "Fleet READ: retransmissions, timeouts and errors per second", "A", 0)]:
        got = med(label, title, ref)
        h.check("dashboard %r %s (%s) = %.4g" % (title, ref, label, want),
                isinstance(got, float) and abs(got - want) <= 0.02 * abs(want) + 1e-9,
                str(got))
    got = med("All", "Fleet operations per second, per op", "A", name="READ")
    h.check("dashboard fleet READ ops/s over every mount = 25+11+12+13+14 = %d" % fleet_ops,
            isinstance(got, float) and abs(got - fleet_ops) < 0.5, str(got))
    got = med("All", "Errors per second (RPC iostats 1.1)", "A", name="web1.srv-projects.LOOKUP errors")
    h.check("dashboard errors/s of LOOKUP on srv-projects = 1",
            isinstance(got, float) and abs(got - 1) < 0.05, str(got))


if __name__ == "__main__":
    sys.exit(E.main("e2e_graphite", run))
