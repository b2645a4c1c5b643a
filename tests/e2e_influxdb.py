#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fleet end to end through InfluxDB 1.x: three collectd daemons (Hostname
host1..host3, the plugin, each its own mountstats file written by
contrib/mountstats-replay) send with the network plugin to Debian's influxd
(started here: meta, data and WAL in a temporary folder, HTTP on a free
127.0.0.1 port, usage reporting off, no other listener), which runs two
collectd listeners on free 127.0.0.1 UDP ports with a typesdb folder holding
collectd's types.db and plugin/mountstats.types.db:
  - database "mountstats", parse-multivalue-plugin = "join" (one measurement
    "mountstats", one field per data source: what docs/integrations.md recommends, since
    InfluxQL divides fields of one measurement, not two measurements);
  - database "mountstats_split", the default "split" (a measurement per data
    source, mountstats_<ds>, field "value").
Everything is read back through the HTTP query API (/query).

The scenario is e2e_prometheus.py's (e2e_common.PROM_FLEET): READ on /data
at 10, 20 and 30 ops/s with 2, 4 and 6 ms RTT per op; the fleet: 60 READ/s,
4.667 ms weighted (4.0 would be the average of the hosts' averages). Exact
whatever the scheduling: a counter grows by its rate per second of the file's
own time, its age: line by one, and both arrive with one timestamp (one
read), so at every point derivative(ops) = rate * derivative(age) and per
time bucket difference(ops) = rate * difference(age); the fleet's weighted
average per bucket is exactly sum(rtt_h * dops_h) / sum(dops_h). Those are
checked to 1e-9; the nominal values within 10 %.

Python 3 standard library; influxdb (Debian's 1.6), collectd-core's network
plugin. Last line: "N passed, M failed".
"""

import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SNAPSHOTS = 300   # the replays run until the test stops them
BUCKET = 5        # seconds per GROUP BY time() bucket
INTEGRATIONS = "docs/integrations.md"  # its "## InfluxDB 1.x" statements, run as printed
BUCKETS = 3       # buckets checked
FIRST = 3         # the first bucket starts this many seconds after snapshot 0
DB, DB_SPLIT = "mountstats", "mountstats_split"
TOL = 1e-9


def close(a, b, rel=TOL):
    return a is not None and b is not None and abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-9


def iq(s):
    """An InfluxQL string literal (single quotes; \\ and ' escaped)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Influx:
    def __init__(self, url):
        self.url = url

    def query(self, db, q):
        """[(series name, tags, [row dicts])] of one statement."""
        r = E.http_json(self.url + "/query", {"db": db, "q": q, "epoch": "ms"})
        res = r.get("results", [{}])[0] if "results" in r else {}
        if "error" in r or "error" in res:
            raise RuntimeError("%s: %s" % (q, r.get("error") or res.get("error")))
        out = []
        for s in res.get("series", []):
            rows = [dict(zip(s["columns"], v)) for v in s.get("values", [])]
            out.append((s.get("name"), s.get("tags") or {}, rows))
        return out


def run(h):
    import check_dashboard
    types = check_dashboard.plugin_types(h.args.types_db)
    if not h.check("influxd is installed (Debian: apt-get install influxdb)",
                   shutil.which("influxd")):
        return
    influx, url, ports = h.start_influxdb([(DB, "join"), (DB_SPLIT, "split")])
    h.note("influxd on %s, collectd listeners on udp %s" % (url, ports))
    Q = Influx(url)
    hosts = [x for x, _, _ in E.PROM_FLEET]
    t0 = int(time.time()) + 1.5
    files = E.replay_fleet(h, t0, SNAPSHOTS)
    E.sleep_until(t0 + 0.42)
    daemons = {}
    for host in hosts:
        daemons[host] = h.start_collectd(host, E.network_client_conf(files[host], [ports[DB], ports[DB_SPLIT]]),
                                         ["network"], hostname=host, settle=0)
    time.sleep(0.3)
    for host in hosts:
        h.alive(host, *daemons[host])
    # Buckets of BUCKET s on whole multiples, from about FIRST s in.
    a = (int(t0 + FIRST) // BUCKET + 1) * BUCKET
    b = a + BUCKET * BUCKETS
    # The bucket before a gives the first difference its base.
    frm, until = a - BUCKET, b

    def arrived():
        if time.time() < until + 1:
            return False
        rows = Q.query(DB, "SELECT last(value) FROM mountstats WHERE type='uptime' AND "
                           "instance='data' AND time >= %dms GROUP BY host" % (until * 1000))
        got = sorted(t.get("host") for _, t, r in rows if r)
        return got == hosts and got
    E.Harness.wait_for("InfluxDB to hold every host's points past the last bucket", arrived,
                       timeout=(until - time.time()) + 120)
    for host in hosts:
        h.alive(host, *daemons[host])
    h.note("buckets from snapshot 0 + %.1f s to + %.1f s" % (a - t0, b - t0))
    tr = "time >= %dms AND time < %dms" % (frm * 1000, until * 1000)

    socks = E.listening_sockets(influx.pid)
    h.check("influxd listens on 127.0.0.1 only: HTTP, its backup RPC port and the two "
            "collectd UDP listeners", len(socks) == 4 and
            all(ip == "127.0.0.1" for _, ip, _ in socks) and
            sorted(p for pr, _, p in socks if pr == "udp") == sorted(ports.values()), str(socks))

    # ---- names -------------------------------------------------------------------
    ms = sorted(n for _, _, rows in Q.query(DB, "SHOW MEASUREMENTS") for n in
                [r["name"] for r in rows])
    h.check('join: one measurement "mountstats"', ms == ["mountstats"], str(ms))
    tags = sorted(r["tagKey"] for _, _, rows in Q.query(DB, "SHOW TAG KEYS FROM mountstats")
                  for r in rows)
    h.check("join: tags host (Hostname), instance (the mount), type, type_instance",
            tags == ["host", "instance", "type", "type_instance"], str(tags))
    made = ("nfs_op", "nfs_op_errors", "nfs_events_cache", "nfs_events_vfs", "nfs_events_file",
            "nfs_events_io", "nfs_events_pnfs", "nfs_bytes", "nfs_xprt", "nfs_xprt_conn",
            "nfs_xprt_slots", "uptime", "count")
    want_fields = sorted({ds for t in made for ds, _ in types[t]})
    fields = Q.query(DB, "SHOW FIELD KEYS FROM mountstats")
    got_fields = sorted(r["fieldKey"] for _, _, rows in fields for r in rows)
    h.check("join: one field per data source name (%d: ops, rtt_ms, ..., value), all float"
            % len(want_fields), got_fields == want_fields and
            all(r["fieldType"] == "float" for _, _, rows in fields for r in rows),
            "missing %s; unexpected %s" % (sorted(set(want_fields) - set(got_fields)),
                                           sorted(set(got_fields) - set(want_fields))))
    tv = {}
    for key in ("host", "instance", "type", "type_instance"):
        tv[key] = sorted(r["value"] for _, _, rows in
                         Q.query(DB, 'SHOW TAG VALUES FROM mountstats WITH KEY = "%s"' % key)
                         for r in rows)
    h.check("join: host = the Hostnames", tv["host"] == hosts, str(tv["host"]))
    names = E.fleet_mount_names()
    want_inst = sorted({n for d in names.values() for n in d.values()})
    h.check("join: instance = the manual's mount names, odd ones distinct and intact (%d)"
            % len(want_inst), tv["instance"] == want_inst,
            "got %r\nexpected %r" % (tv["instance"], want_inst))
    h.check("join: type = the collectd types (%d)" % len(made), tv["type"] == sorted(made),
            str(tv["type"]))
    want_ti = sorted({"READ", "WRITE", "LOOKUP", "GETATTR", "SEQUENCE", "age", "transports", "tcp"})
    h.check("join: type_instance = ops, age, transports, tcp", tv["type_instance"] == want_ti,
            str(tv["type_instance"]))
    sm = sorted(r["name"] for _, _, rows in Q.query(DB_SPLIT, "SHOW MEASUREMENTS") for r in rows)
    want_sm = sorted({"mountstats_" + ds for ds in want_fields})
    h.check("split: a measurement mountstats_<ds> per data source name (%d)" % len(want_sm),
            sm == want_sm, "missing %s; unexpected %s" % (sorted(set(want_sm) - set(sm)),
                                                           sorted(set(sm) - set(want_sm))))
    sf = Q.query(DB_SPLIT, "SHOW FIELD KEYS FROM mountstats_ops")
    h.check('split: field "value"', [r["fieldKey"] for _, _, rows in sf for r in rows] ==
            ["value"], str(sf))
    st = sorted(r["tagKey"] for _, _, rows in Q.query(DB_SPLIT, "SHOW TAG KEYS FROM mountstats_ops")
                for r in rows)
    h.check("split: tags host, instance, type, type_instance", st ==
            ["host", "instance", "type", "type_instance"], str(st))

    # ---- per host: derivatives ------------------------------------------------------
    def per_point(db, q):
        out = {}
        for _, t, rows in Q.query(db, q):
            for r in rows:
                col = [c for c in r if c != "time"][0]
                out[(t.get("host"), r["time"])] = r[col]
        return out

    where = "instance='data' AND type='nfs_op' AND type_instance='READ' AND " + tr
    dops = per_point(DB, "SELECT derivative(ops, 1s) FROM mountstats WHERE %s GROUP BY host" % where)
    dage = per_point(DB, "SELECT derivative(value, 1s) FROM mountstats WHERE instance='data' AND "
                         "type='uptime' AND %s GROUP BY host" % tr)
    avg = per_point(DB, "SELECT derivative(rtt_ms, 1s) / derivative(ops, 1s) FROM mountstats "
                        "WHERE %s GROUP BY host" % where)
    dsplit = per_point(DB_SPLIT, "SELECT derivative(value, 1s) FROM mountstats_ops WHERE %s "
                                 "GROUP BY host" % where)
    for host, rate, rtt in E.PROM_FLEET:
        pts = sorted(t for x, t in dops if x == host)
        bad = [(t, dops[(host, t)], dage.get((host, t))) for t in pts
               if not close(dops[(host, t)], rate * (dage.get((host, t)) or float("nan")))]
        h.check("%s: derivative(ops, 1s) of READ = %d x derivative(age, 1s) at every point (%d)"
                % (host, rate, len(pts)), len(pts) >= BUCKET * BUCKETS - 2 and not bad,
                str(bad[:5]))
        med = E.median([dops[(host, t)] for t in pts])
        h.check("%s: derivative(ops, 1s) of READ is about %d/s (median, within 10 %%)"
                % (host, rate), med is not None and abs(med - rate) <= 0.1 * rate, str(med))
        av = [avg[(host, t)] for t in pts if (host, t) in avg]
        h.check("%s: derivative(rtt_ms, 1s) / derivative(ops, 1s) = %d ms at every point"
                % (host, rtt), len(av) == len(pts) and all(close(v, rtt) for v in av), str(av))
        sp = [(t, dsplit.get((host, t)), dops[(host, t)]) for t in pts]
        h.check("%s: split database, mountstats_ops: the same derivatives" % host,
                all(close(x, y) for _, x, y in sp), str([p for p in sp if not close(p[1], p[2])][:5]))

    # ---- per bucket: docs/integrations.md's InfluxQL -----------------------------------
    gb = "GROUP BY time(%ds)" % BUCKET

    def per_bucket(q, by_host=True):
        out = {}
        for _, t, rows in Q.query(DB, q):
            for r in rows:
                if r["time"] < a * 1000:
                    continue  # the base bucket
                col = [c for c in r if c != "time"][0]
                out[(t.get("host"), r["time"]) if by_host else r["time"]] = r[col]
        return out

    inc = per_bucket("SELECT non_negative_difference(last(ops)) FROM mountstats WHERE %s %s, host"
                     % (where, gb))
    age_inc = per_bucket("SELECT non_negative_difference(last(value)) FROM mountstats WHERE "
                         "instance='data' AND type='uptime' AND %s %s, host" % (tr, gb))
    rate_q = per_bucket("SELECT non_negative_derivative(last(ops), 1s) FROM mountstats WHERE %s %s, host"
                        % (where, gb))
    avg_q = per_bucket("SELECT non_negative_difference(last(rtt_ms)) / "
                       "non_negative_difference(last(ops)) FROM mountstats WHERE %s %s, host"
                       % (where, gb))
    buckets = sorted({t for _, t in inc})
    h.check("%d buckets of %d s per host" % (BUCKETS, BUCKET), len(buckets) == BUCKETS and
            all((x, t) in inc for x in hosts for t in buckets), str(sorted(inc)))
    for host, rate, rtt in E.PROM_FLEET:
        ok = all(close(inc.get((host, t)), rate * (age_inc.get((host, t)) or float("nan"))) and
                 close(rate_q.get((host, t)), inc.get((host, t), 0) / BUCKET)
                 for t in buckets)
        h.check("%s: non_negative_derivative(last(ops), 1s) per %d s bucket = %d x the "
                "bucket's age increase / %d" % (host, BUCKET, rate, BUCKET), ok,
                str([(t, inc.get((host, t)), age_inc.get((host, t)), rate_q.get((host, t)))
                     for t in buckets]))
        h.check("%s: per bucket difference(rtt_ms) / difference(ops) = %d ms" % (host, rtt),
                all(close(avg_q.get((host, t)), rtt) for t in buckets),
                str([avg_q.get((host, t)) for t in buckets]))

    # ---- fleet -------------------------------------------------------------------------
    fleet_ops, fleet_rtt, fleet_exec, avg_of_avgs = E.fleet_expected_averages()
    inner = ("SELECT non_negative_difference(last(rtt_ms)) AS rtt, "
             "non_negative_difference(last(exec_ms)) AS exec, "
             "non_negative_difference(last(ops)) AS ops FROM mountstats WHERE %s %s, host"
             % (where, gb))
    fsum = per_bucket("SELECT sum(ops) / %d FROM (%s) WHERE %s %s" % (BUCKET, inner, tr, gb), False)
    frtt = per_bucket("SELECT sum(rtt) / sum(ops) FROM (%s) WHERE %s %s" % (inner, tr, gb), False)
    fexe = per_bucket("SELECT sum(exec) / sum(ops) FROM (%s) WHERE %s %s" % (inner, tr, gb), False)
    exp_sum = {t: sum(r * age_inc[(x, t)] for x, r, _ in E.PROM_FLEET) / BUCKET for t in buckets}
    exp_rtt = {t: sum(rt * inc[(x, t)] for x, _, rt in E.PROM_FLEET) /
               sum(inc[(x, t)] for x in hosts) for t in buckets}
    exp_exe = {t: sum((rt + 1) * inc[(x, t)] for x, _, rt in E.PROM_FLEET) /
               sum(inc[(x, t)] for x in hosts) for t in buckets}
    for what, got, exp, nominal, aoa in [
            ("fleet READ ops/s over /data, sum of the hosts' differences / %d s" % BUCKET,
             fsum, exp_sum, fleet_ops, None),
            ("fleet weighted READ RTT per op, sum(difference(rtt_ms)) / sum(difference(ops))",
             frtt, exp_rtt, fleet_rtt, avg_of_avgs),
            ("fleet weighted READ execution time per op", fexe, exp_exe, fleet_exec,
             avg_of_avgs + 1)]:
        h.check("%s: exact per bucket (%s)" % (what, ", ".join("%.6f" % got.get(t, float("nan"))
                                                             for t in buckets)),
                sorted(got) == buckets and all(close(got[t], exp[t]) for t in buckets),
                "got %s\nexpected %s" % (got, exp))
        med = E.median(list(got.values()))
        h.check("... about %.4f (median, within 10 %%)%s" % (
            nominal, "" if aoa is None else ", not the average of averages %.1f" % aoa),
            med is not None and abs(med - nominal) <= 0.1 * nominal and
            (aoa is None or abs(med - nominal) < abs(med - aoa)), str(med))
        h.note("%s: median %.4f (scenario %.4f)" % (what.split(",")[0], med or 0, nominal))

    # ---- docs/integrations.md's InfluxQL, as printed (1 min buckets made BUCKET s) ---
    stm = [q for b in E.doc_blocks(INTEGRATIONS, "InfluxDB 1.x", "sql")
           for q in E.doc_statements(b, "SELECT")]
    h.check("the doc's InfluxQL: 4 statements", len(stm) == 4, str(stm))
    stm = [q.replace("$timeFilter", tr).replace("time(1m)", "time(%ds)" % BUCKET)
           .replace("/ 60 ", "/ %d " % BUCKET) for q in stm]
    try:
        if len(stm) != 4:
            raise RuntimeError("the doc: %d statements" % len(stm))
        def by_host_inst(q):
            out = {}
            for _, t, rows in Q.query(DB, q):
                for r in rows:
                    if r["time"] >= a * 1000:
                        col = [c for c in r if c != "time"][0]
                        out[(t.get("host"), t.get("instance"), r["time"])] = r[col]
            return out
        r1, r2 = by_host_inst(stm[0]), by_host_inst(stm[1])
        k1 = {(x, t) for x, i, t in r1 if i == "data"}
        h.check("the doc's per-host rate statement: /data READ per bucket = the exact rates "
                "above", k1 == set(rate_q) and all(close(r1[(x, "data", t)], rate_q[(x, t)])
                                                   for x, t in k1),
                "%s\n%s" % (sorted(r1.items())[:4], sorted(rate_q.items())[:4]))
        rtts = {x: rt for x, _, rt in E.PROM_FLEET}
        odd = {names["host1"][mp] for mp, _ in E.FLEET_ODD}
        h.check("the doc's per-host average statement: READ RTT per op per bucket = 2, 4, 6 ms "
                "on /data and %d ms on every odd mount" % E.FLEET_ODD_RTT,
                {i for _, i, _ in r2} == odd | {"data"} and all(
                    close(v, rtts[x] if i == "data" else E.FLEET_ODD_RTT)
                    for (x, i, _), v in r2.items()), str(sorted(r2.items())[:6]))
        r3 = per_bucket(stm[2], False)
        r4 = per_bucket(stm[3], False)
        h.check("the doc's fleet sum statement = %s" % ", ".join("%.6f" % v for _, v in sorted(r3.items())),
                sorted(r3) == buckets and all(close(r3[t], exp_sum[t]) for t in buckets),
                "%s vs %s" % (r3, exp_sum))
        h.check("the doc's fleet weighted average statement = %s" %
                ", ".join("%.6f" % v for _, v in sorted(r4.items())),
                sorted(r4) == buckets and all(close(r4[t], exp_rtt[t]) for t in buckets),
                "%s vs %s" % (r4, exp_rtt))
    except RuntimeError as e:
        h.check("the doc's InfluxQL statements run", False, str(e))

    # ---- odd mount points: their own values ------------------------------------------
    rows = Q.query(DB, "SELECT derivative(ops, 1s) FROM mountstats WHERE host='host1' AND "
                       "type='nfs_op' AND type_instance='READ' AND %s GROUP BY instance" % tr)
    ages = Q.query(DB, "SELECT derivative(value, 1s) FROM mountstats WHERE host='host1' AND "
                       "type='uptime' AND %s GROUP BY instance" % tr)
    by_inst = {t["instance"]: {r["time"]: r["derivative"] for r in rs} for _, t, rs in rows}
    age_inst = {t["instance"]: {r["time"]: r["derivative"] for r in rs} for _, t, rs in ages}
    for mp, rate in E.FLEET_ODD:
        n = names["host1"][mp]
        d, ag = by_inst.get(n, {}), age_inst.get(n, {})
        one = Q.query(DB, "SELECT last(ops) FROM mountstats WHERE instance=%s AND "
                          "type_instance='READ'" % iq(n))
        label = mp if len(mp) < 40 else mp[:30] + "... (%d bytes)" % len(mp.encode())
        h.check("%r as instance=%s: its own READ rate %d x derivative(age) at every point, "
                "and found by an InfluxQL string literal" % (label, iq(n)[:50], rate),
                len(d) >= 5 and all(close(v, rate * ag.get(t, float("nan"))) for t, v in d.items())
                and len(one) == 1, str((sorted(d.items())[:3], one[:1])))

    # ---- logs --------------------------------------------------------------------------
    for host in hosts:
        h.stop(daemons[host][0])
        log = h.read_log(daemons[host][1])
        bad = E.log_problems(log)
        h.check("%s: no error or warning in collectd's log" % host, not bad, "\n".join(bad[:10]))
    ilog = h.output("influxdb")
    bad = [l for l in ilog.splitlines() if "lvl=error" in l or "lvl=warn" in l]
    h.check("no error or warning in influxd's log (no dropped collectd packet, no type "
            "missing)", not bad, "\n".join(bad[:10]))


if __name__ == "__main__":
    sys.exit(E.main("e2e_influxdb", run))
