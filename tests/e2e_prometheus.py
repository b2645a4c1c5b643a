#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fleet end to end through Prometheus: three collectd daemons (Hostname
host1..host3, each with the plugin, its own mountstats file written by
contrib/mountstats-replay and write_prometheus on its own 127.0.0.1 port)
are scraped twice a second by Debian's prometheus (started here: temporary
TSDB, 127.0.0.1, a free port). Everything is read back through Prometheus'
HTTP API.

The scenario (e2e_common.PROM_FLEET): every host mounts
filer.example.org:/export/data on /data; READ at 10, 20 and 30 ops/s with 2,
4 and 6 ms RTT per op (execution 1 ms more), WRITE 5/s with 1 retransmission
and 1 timeout per second, LOOKUP 10/s with 1 error per second. host1 also
mounts odd mount points: a double quote, a backslash, a space, a dot, UTF-8,
"/mnt/a.b" next to "/mnt/a_b", and a 300-byte path.

Exact numbers whatever the scheduling: a counter grows by its rate per
second of the file's own time, and the file's age: line grows by one per
second of that time; both come from one read (one timestamp). Prometheus'
rate() and delta() of series with the same sample times extrapolate by the
same factor, so for any window
    rate(counter[w]) = rate_per_s * delta(age[w]) / w      (exactly),
and the fleet's weighted average RTT, sum(rate(rtt_ms)) / sum(rate(ops)),
is exactly sum(R_h*rtt_h*d_h) / sum(R_h*d_h) with d_h = delta(age) of host
h. Those are checked to 1e-9; the nominal values (60 READ/s, 4.667 ms, not
4.0, the average of the hosts' averages) within 10 %.

Checked: the targets are up with no scrape error; the metric names
(collectd_mountstats_<type>[_<ds>][_total]) and label names (instance =
Hostname with honor_labels, mountstats = the mount, type = the op or type
instance); per-host rate(); a fleet-wide sum for /data; the fleet's weighted
average RTT and execution time per op; the odd mount points (distinct
label values, each with its own values); the series per NFSv4 mount; the
recording rules of contrib/prometheus/mountstats-rules.yml; and every
panel of contrib/grafana/mountstats-prometheus-dashboard.json, each query
evaluated with real data and its numbers checked.

Python 3 standard library; prometheus (Debian's), collectd-core's
write_prometheus. Last line: "N passed, M failed".
"""

import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

W = 10             # rate window in seconds ([10s]; 10 scrapes)
EVAL_AFTER = 17.2  # seconds after snapshot 0: the queries' evaluation time
SNAPSHOTS = 300    # the replays run until the test stops them
RULES = os.path.join(E.ROOT, "contrib", "prometheus", "mountstats-rules.yml")
DASHBOARD = os.path.join(E.ROOT, "contrib", "grafana", "mountstats-prometheus-dashboard.json")
INTEGRATIONS = "docs/integrations.md"  # its "## Prometheus" blocks, run as printed
JOB = "collectd"
TOL = 1e-9         # relative, for the exact checks


def client_conf(port, msfile):
    return """LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "{p}"
</Plugin>
LoadPlugin mountstats
<Plugin mountstats>
  File "{ms}"
  # the dashboard's stall panel; no sysfs here: the estimate
  ReportStall true
  SysfsRoot ""
</Plugin>
""".format(p=port, ms=msfile)


def close(a, b, rel=TOL):
    return a is not None and b is not None and abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-9


class Prom:
    """Instant queries at one evaluation time."""

    def __init__(self, url, at):
        self.url, self.at = url, at

    def query(self, expr, at=None):
        r = E.http_json(self.url + "/api/v1/query",
                        {"query": expr, "time": "%.3f" % (self.at if at is None else at)})
        if r.get("status") != "success":
            raise RuntimeError("query %s: %s" % (expr, r.get("error")))
        return [(x["metric"], float(x["value"][1])) for x in r["data"]["result"]]

    def one(self, expr, at=None):
        res = self.query(expr, at)
        if len(res) != 1:
            raise RuntimeError("query %s: %d results: %s" % (expr, len(res), res[:5]))
        return res[0][1]

    def series(self, match):
        r = E.http_json(self.url + "/api/v1/series",
                        {"match[]": match, "start": "%.3f" % (self.at - 60),
                         "end": "%.3f" % self.at})
        if r.get("status") != "success":
            raise RuntimeError("series %s: %s" % (match, r.get("error")))
        return r["data"]


def sel(**labels):
    """A PromQL label matcher list, job included."""
    labels.setdefault("job", JOB)
    return "{" + ",".join("%s=%s" % (k, E.promql_string(v)) for k, v in sorted(labels.items())) + "}"


def expected_names(types):
    """Metric names and label names of the types this scenario produces."""
    want = {}
    for t in ("nfs_op", "nfs_op_errors", "nfs_events_cache", "nfs_events_vfs", "nfs_events_file",
              "nfs_events_io", "nfs_events_pnfs", "nfs_bytes", "nfs_xprt", "nfs_xprt_conn",
              "nfs_xprt_slots", "uptime", "count", "nfs_xprt_stall"):
        has_ti = t in ("nfs_op", "nfs_op_errors", "nfs_xprt", "nfs_xprt_conn",
                       "nfs_xprt_slots", "uptime", "count", "nfs_xprt_stall")
        for ds, kind in types[t]:
            want[E.prometheus_name(t, ds, kind)] = (t, has_ti)
    return want


def run(h):
    import check_dashboard
    types = check_dashboard.plugin_types(h.args.types_db)
    if not h.check("prometheus and collectd's write_prometheus are installed (Debian: "
                   "apt-get install prometheus libmicrohttpd12 libprotobuf-c1)",
                   shutil.which("prometheus") and E.plugin_loadable("write_prometheus"),
                   "prometheus: %s; write_prometheus.so: %s" % (
                       shutil.which("prometheus"), E.plugin_loadable("write_prometheus", True))):
        return
    hosts = [host for host, _, _ in E.PROM_FLEET]
    ports = {host: h.free_port() for host in hosts}
    rules = os.path.join(h.work, "rules.yml")
    with open(RULES) as f:
        rules_text = f.read()
    # The shipped rules with the test's window.
    with open(rules, "w") as f:
        f.write(rules_text.replace("[1m]", "[%ds]" % W))
    targets = ", ".join("'127.0.0.1:%d'" % ports[x] for x in hosts)
    jobs = ["  - job_name: %s\n    honor_labels: true\n    static_configs:\n"
            "      - targets: [%s]\n" % (JOB, targets),
            # Without honor_labels, the Hostname lands in exported_instance
            # (one series kept, renamed out of the dashboard's way).
            "  - job_name: nohonor\n    static_configs:\n      - targets: ['127.0.0.1:%d']\n"
            "    metric_relabel_configs:\n"
            "      - source_labels: [__name__]\n        regex: collectd_mountstats_uptime\n"
            "        action: keep\n"
            "      - target_label: __name__\n        replacement: nohonor_uptime\n"
            % ports["host1"]]
    # Scraped twice per collectd interval: every read's samples are stored
    # for every series, also when a scrape falls between two value lists of
    # one read (the next scrape brings the rest, with the read's timestamp).
    prom, url = h.start_prometheus(jobs, rule_files=[rules], scrape_interval="500ms")
    h.note("prometheus on %s" % url)

    t0 = int(time.time()) + 1.5
    files = E.replay_fleet(h, t0, SNAPSHOTS)
    E.sleep_until(t0 + 0.42)
    daemons = {}
    for host in hosts:
        daemons[host] = h.start_collectd(host, client_conf(ports[host], files[host]),
                                         ["write_prometheus"], hostname=host, settle=0)
    time.sleep(0.3)
    for host in hosts:
        h.alive(host, *daemons[host])
    T = t0 + EVAL_AFTER
    P = Prom(url, T)

    def fresh():
        if time.time() < T + 0.5:
            return False
        try:
            res = P.query("timestamp(collectd_mountstats_uptime%s)" % sel(mountstats="data", type="age"),
                          at=time.time())
        except RuntimeError:
            return False
        got = {m.get("instance"): v for m, v in res}
        return sorted(got) == hosts and all(v >= T for v in got.values()) and got
    E.Harness.wait_for("Prometheus to hold every host's samples past the evaluation time",
                       fresh, timeout=EVAL_AFTER + 120)
    h.note("evaluating at snapshot 0 + %.1f s" % EVAL_AFTER)
    for host in hosts:
        h.alive(host, *daemons[host])

    socks = E.listening_sockets(prom.pid)
    h.check("prometheus listens on 127.0.0.1 only (its web port)",
            socks and all(ip == "127.0.0.1" for _, ip, _ in socks), str(socks))
    socks = E.listening_sockets(daemons["host1"][0].pid)
    h.check("write_prometheus listens on 127.0.0.1:%d only" % ports["host1"],
            socks == [("tcp", "127.0.0.1", ports["host1"])], str(socks))

    # ---- targets and scrapes ----------------------------------------------------
    tg = E.http_json(url + "/api/v1/targets")["data"]["activeTargets"]
    bad = [(t["scrapeUrl"], t["health"], t["lastError"]) for t in tg
           if t["health"] != "up" or t["lastError"]]
    h.check("Prometheus reports all 4 targets up, no scrape error (odd mount points "
            "included)", len(tg) == 4 and not bad, str(bad or tg))
    up = P.query("up")
    h.check("up == 1 for every target at the evaluation time",
            len(up) == 4 and all(v == 1 for _, v in up), str(up))
    import urllib.request
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        selfmetrics = r.read().decode()
    errs = {}
    for name in ("prometheus_target_scrapes_sample_out_of_order_total",
                 "prometheus_target_scrapes_sample_duplicate_timestamp_total",
                 "prometheus_target_scrapes_sample_out_of_bounds_total",
                 "prometheus_target_scrapes_exceeded_sample_limit_total",
                 "prometheus_target_scrape_pool_exceeded_label_limits_total"):
        m = re.search(r"^%s(?:\{[^}]*\})? (\S+)$" % name, selfmetrics, re.M)
        errs[name] = float(m.group(1)) if m else None
    h.check("no sample rejected (out of order, duplicate timestamp, out of bounds, "
            "limits)", all(v == 0 for v in errs.values()), str(errs))
    plog = h.output("prometheus")
    perr = [l for l in plog.splitlines() if "level=error" in l or
            ("level=warn" in l and "scrape" in l)]
    h.check("no error and no scrape warning in Prometheus' log", not perr,
            "\n".join(perr[:10]))

    # ---- names --------------------------------------------------------------------
    want = expected_names(types)
    names = E.http_json(url + "/api/v1/label/__name__/values",
                        {"match[]": "{job=\"%s\"}" % JOB})["data"]
    got = {n for n in names if n.startswith("collectd_")}
    h.check("metric names: collectd_mountstats_<type>[_<ds>][_total], %d names "
            "(e.g. collectd_mountstats_nfs_op_ops_total)" % len(want), got == set(want),
            "missing %s; unexpected %s" % (sorted(set(want) - got), sorted(got - set(want))))
    allseries = P.series('{job="%s",__name__=~"collectd_mountstats_.*"}' % JOB)
    wrong = []
    for s in allseries:
        t, has_ti = want.get(s["__name__"], (None, None))
        keys = set(s) - {"__name__"}
        exp = {"instance", "job", "mountstats"} | ({"type"} if has_ti else set())
        if keys != exp:
            wrong.append(s)
    h.check("label names: instance (the Hostname), job, mountstats (the mount), and "
            "type (the op or type instance) where the type has one", not wrong and allseries,
            str(wrong[:5]))
    h.check("instance = each collectd's Hostname (honor_labels: true)",
            sorted({s["instance"] for s in allseries}) == hosts,
            str(sorted({s["instance"] for s in allseries})))
    nohonor = P.series('nohonor_uptime{job="nohonor"}')
    h.check("without honor_labels the Hostname is in exported_instance, instance is "
            "the target", nohonor and all(s.get("exported_instance") == "host1" and
                                          s.get("instance") == "127.0.0.1:%d" % ports["host1"]
                                          for s in nohonor), str(nohonor[:2]))
    ops_types = sorted({s["type"] for s in allseries
                        if s["__name__"] == "collectd_mountstats_nfs_op_ops_total"
                        and s["mountstats"] == "data"})
    h.check("type label of nfs_op: the op names used", ops_types ==
            sorted(["READ", "WRITE", "LOOKUP", "GETATTR", "SEQUENCE"]), str(ops_types))

    # ---- odd mount points -------------------------------------------------------
    names = E.fleet_mount_names()
    expected_mounts = sorted(names["host1"].values())
    got_mounts = sorted({s["mountstats"] for s in allseries if s["instance"] == "host1"})
    h.check("host1: one distinct mountstats label value per mount, exactly the manual's "
            "names (%d)" % len(expected_mounts), got_mounts == expected_mounts,
            "got %r\nexpected %r" % (got_mounts, expected_mounts))
    long_name = names["host1"][E.LONG_MOUNTPOINT]
    h.check("the 300-byte path: %d bytes, ends in ~ and its hash" % E.DEFAULT_MAX_NAME_LEN,
            len(long_name.encode()) == E.DEFAULT_MAX_NAME_LEN and long_name in got_mounts,
            long_name)
    dup = {}
    for s in allseries:
        k = (s["__name__"], s["instance"], s["mountstats"], s.get("type"))
        dup[k] = dup.get(k, 0) + 1
    h.check("no two series share a name and labels", all(v == 1 for v in dup.values()),
            str([k for k, v in dup.items() if v > 1][:5]))

    # ---- per host: exact rates ---------------------------------------------------
    def age_delta(host, mount):
        return P.one("delta(collectd_mountstats_uptime%s[%ds])"
                     % (sel(instance=host, mountstats=mount, type="age"), W))

    D = {}
    for host in hosts:
        D[(host, "data")] = age_delta(host, "data")
    for mp, _ in E.FLEET_ODD:
        D[("host1", names["host1"][mp])] = age_delta("host1", names["host1"][mp])
    h.note("delta(age[%ds]) per host: %s" % (W, ", ".join("%s %.4f" % (x, D[(x, "data")])
                                                          for x in hosts)))
    h.check("sanity: every window saw the file's time move (0.5 <= delta(age)/%d <= 1.5)" % W,
            all(0.5 <= d / W <= 1.5 for d in D.values()), str(D))
    for i, (host, rate, rtt) in enumerate(E.PROM_FLEET):
        s = sel(instance=host, mountstats="data", type="READ")
        got = P.one("rate(collectd_mountstats_nfs_op_ops_total%s[%ds])" % (s, W))
        exp = rate * D[(host, "data")] / W
        h.check("%s: rate(READ ops[%ds]) = %d/s per second of file time: %.6f (expected "
                "%.6f)" % (host, W, rate, got, exp), close(got, exp), "%r vs %r" % (got, exp))
        h.check("%s: rate(READ ops) is about %d/s (within 10 %%)" % (host, rate),
                abs(got - rate) <= 0.1 * rate, str(got))
        avg = P.one("rate(collectd_mountstats_nfs_op_rtt_ms_total%s[%ds]) / "
                    "rate(collectd_mountstats_nfs_op_ops_total%s[%ds])" % (s, W, s, W))
        h.check("%s: READ average RTT rate(rtt_ms)/rate(ops) = %d ms" % (host, rtt),
                close(avg, rtt), str(avg))

    # ---- fleet ---------------------------------------------------------------------
    fleet_ops, fleet_rtt, fleet_exec, avg_of_avgs = E.fleet_expected_averages()
    fs = sel(mountstats="data", type="READ")
    got = P.one("sum(rate(collectd_mountstats_nfs_op_ops_total%s[%ds]))" % (fs, W))
    exp = sum(r * D[(x, "data")] / W for x, r, _ in E.PROM_FLEET)
    h.check("fleet sum(rate(READ ops)) over /data: %.6f = sum R_h*delta(age_h)/%d = %.6f"
            % (got, W, exp), close(got, exp), "%r vs %r" % (got, exp))
    h.check("... about %d/s (within 10 %%)" % fleet_ops, abs(got - fleet_ops) <= 0.1 * fleet_ops,
            str(got))
    h.note("fleet READ ops/s: %.4f (scenario %d)" % (got, fleet_ops))
    for ds, extra, nominal in (("rtt_ms", 0, fleet_rtt), ("exec_ms", 1, fleet_exec)):
        got = P.one("sum(rate(collectd_mountstats_nfs_op_%s_total%s[%ds])) / "
                    "sum(rate(collectd_mountstats_nfs_op_ops_total%s[%ds]))" % (ds, fs, W, fs, W))
        exp = (sum(r * (t + extra) * D[(x, "data")] for x, r, t in E.PROM_FLEET) /
               sum(r * D[(x, "data")] for x, r, _ in E.PROM_FLEET))
        h.check("fleet weighted READ %s per op sum(rate(%s))/sum(rate(ops)): %.6f "
                "(exact from the increments: %.6f)" % (ds, ds, got, exp), close(got, exp),
                "%r vs %r" % (got, exp))
        h.check("... about %.4f ms (within 10 %%), not the average of averages %.1f"
                % (nominal, avg_of_avgs + extra),
                abs(got - nominal) <= 0.1 * nominal and
                abs(got - nominal) < abs(got - avg_of_avgs - extra), str(got))
        h.note("fleet weighted READ %s: %.4f ms (scenario %.4f)" % (ds, got, nominal))

    # ---- odd mount points: their own values ------------------------------------
    for mp, rate in E.FLEET_ODD:
        n = names["host1"][mp]
        s = sel(instance="host1", mountstats=n, type="READ")
        got = P.one("rate(collectd_mountstats_nfs_op_ops_total%s[%ds])" % (s, W))
        avg = P.one("rate(collectd_mountstats_nfs_op_rtt_ms_total%s[%ds]) / "
                    "rate(collectd_mountstats_nfs_op_ops_total%s[%ds])" % (s, W, s, W))
        exp = rate * D[("host1", n)] / W
        label = mp if len(mp) < 40 else mp[:30] + "... (%d bytes)" % len(mp.encode())
        h.check("%r as mountstats=%s: its own READ rate %d/s (%.6f = %.6f) and RTT %d ms"
                % (label, E.promql_string(n)[:50], rate, got, exp, E.FLEET_ODD_RTT),
                close(got, exp) and close(avg, E.FLEET_ODD_RTT), "%r %r %r" % (got, exp, avg))

    # ---- cardinality --------------------------------------------------------------
    per_mount = sum(len(types[t]) for t in ("nfs_events_cache", "nfs_events_vfs",
                                              "nfs_events_file", "nfs_events_io",
                                              "nfs_events_pnfs", "nfs_bytes", "nfs_xprt",
                                              "nfs_xprt_conn", "nfs_xprt_slots")) + 2
    per_op = len(types["nfs_op"]) + len(types["nfs_op_errors"])
    stall = len(types["nfs_xprt_stall"])  # ReportStall: one per mount, no queue (estimate)
    n = P.one("count({job=\"%s\",instance=\"host2\",mountstats=\"data\","
              "__name__=~\"collectd_mountstats_.*\",__name__!~\".*_nfs_xprt_stall_.*\"})"
              % JOB)
    ns = P.one("count({job=\"%s\",instance=\"host2\",mountstats=\"data\","
               "__name__=~\"collectd_mountstats_nfs_xprt_stall_.*\"})" % JOB)
    h.check("ReportStall adds %d series per mount (nfs_xprt_stall, type estimate)" % stall,
            ns == stall, str(ns))
    h.check("series per NFSv4.2 mount (default config, 5 ops used): %d + %d per op = %d"
            % (per_mount, per_op, per_mount + 5 * per_op), n == per_mount + 5 * per_op, str(n))
    h.note("series for host2's /data: %d" % n)

    # ---- recording rules ------------------------------------------------------------
    # A rule runs in real time, before the last read's samples (stamped with
    # the read's time) are scraped, so the recorded rates are not
    # reproducible afterwards; the per-op averages are exact whatever the
    # data (every sample of a host moves ops and rtt_ms together).
    recs = re.findall(r"- record: (\S+)\n\s+expr: (.+)", rules_text)
    h.check("contrib/prometheus/mountstats-rules.yml: 6 recording rules", len(recs) == 6,
            str(recs))
    rec = dict(recs)
    for name, want in [
            ("instance_mountstats_type:collectd_mountstats_nfs_op_rtt_ms_per_op:rate1m",
             {x: float(t) for x, _, t in E.PROM_FLEET}),
            ("instance_mountstats_type:collectd_mountstats_nfs_op_exec_ms_per_op:rate1m",
             {x: float(t + 1) for x, _, t in E.PROM_FLEET}),
            ("instance_mountstats_type:collectd_mountstats_nfs_op_ops:rate1m",
             {x: ("about", float(r)) for x, r, _ in E.PROM_FLEET})]:
        got = {lb.get("instance"): v for lb, v in
               P.query('%s{mountstats="data",type="READ"}' % name)}
        ok = name in rec and sorted(got) == sorted(want) and all(
            (0.5 * w[1] <= got[x] <= 1.5 * w[1]) if isinstance(w, tuple) else close(got[x], w)
            for x, w in want.items())
        h.check("recording rule %s: READ on /data per host %s" % (name, want), ok, str(got))
    for name, nominal in [
            ("mountstats_type:collectd_mountstats_nfs_op_rtt_ms_per_op:sum_rate1m", fleet_rtt),
            ("mountstats_type:collectd_mountstats_nfs_op_exec_ms_per_op:sum_rate1m", fleet_exec),
            ("mountstats_type:collectd_mountstats_nfs_op_ops:sum_rate1m", fleet_ops)]:
        res = P.query('%s{mountstats="data",type="READ"}' % name)
        v = res[0][1] if len(res) == 1 else None
        h.check("recording rule %s: fleet READ on /data about %.4f (within 10 %%)"
                % (name, nominal), name in rec and v is not None and
                abs(v - nominal) <= 0.1 * nominal, str(res))
        h.note("recorded %s = %s" % (name, v))

    # ---- docs/integrations.md's queries and rules, as printed ----------------------
    blocks = E.doc_blocks(INTEGRATIONS, "Prometheus", "yaml")
    doc_rules = [re.findall(r"- record: (\S+)\n\s+expr: (.+)", b) for b in blocks]
    h.check("the doc's recording rules are contrib/prometheus/mountstats-rules.yml's",
            recs in doc_rules, str(doc_rules))
    h.check("the doc's scrape config has honor_labels: true (as this test)",
            any("honor_labels: true" in b and "job_name" in b for b in blocks))
    queries = [q for b in E.doc_blocks(INTEGRATIONS, "Prometheus") for q in E.doc_statements(b, "")
               if "collectd_mountstats_" in q and "<" not in q]
    per_s = window_rates(D, names)
    allv = {"host": None, "mount": None, "op": None}
    doc_expect = [
        ("ops", dict(allv, op=["READ"])), ("rtt_ms/ops", dict(allv, op=["READ"])),
        ("fleet ops", dict(allv, mount=["data"], op=["READ"])),
        ("fleet rtt_ms/ops", dict(allv, mount=["data"]))]
    h.check("the doc's PromQL: %d queries" % len(doc_expect), len(queries) == len(doc_expect),
            str(queries))
    for q, (kind, values) in zip(queries, doc_expect):
        expr = q.replace("[1m]", "[%ds]" % W)
        exp = expected_kind(kind, values, hosts, names, per_s)
        res = P.query(expr)
        if kind == "fleet ops":  # sum() without by: one series, no labels
            exp = {"by": (), "values": {(): sum(exp["values"].values())}}
        got = {tuple(lb.get(k) for k in exp["by"]): v for lb, v in res}
        want = exp["values"]
        h.check("the doc's %s (window %ds): %d series as the scenario says" % (q[:70], W, len(want)),
                len(res) == len(want) and set(got) == set(want) and
                all(close(got[k], want[k]) for k in want),
                "got %s\nwant %s" % (sorted(got.items())[:6], sorted(want.items())[:6]))

    # ---- the Grafana dashboard --------------------------------------------------------
    if os.path.exists(DASHBOARD):
        check_prometheus_dashboard(h, P, D, names)

    # ---- logs -----------------------------------------------------------------------
    for host in hosts:
        h.stop(daemons[host][0])
        log = h.read_log(daemons[host][1])
        # collectd 5.12's write_prometheus logs this at every start
        # (libmicrohttpd option order); it is not about the data.
        bad = E.log_problems(log, allowed=("MHD_OPTION_EXTERNAL_LOGGER",))
        h.check("%s: no error or warning in collectd's log" % host, not bad, "\n".join(bad[:10]))


# ---------------------------------------------------------------------------
# the dashboard

def window_rates(D, names):
    """per_s(host, mount, op, counter): what rate(counter[W]) must be, the
    scenario's rate per second of file time times delta(age[W]) / W."""
    host_of = {x: i for i, (x, _, _) in enumerate(E.PROM_FLEET)}
    mp_of = {x: {n: mp for mp, n in names[x].items()} for x in names}

    def per_s(host, mount, op, counter):
        v = E.fleet_per_second(host_of[host], mp_of[host][mount], op, counter)
        return v * D[(host, mount)] / W
    return per_s


def grafana_regex_escape(v):
    """Grafana's Prometheus data source: a multi-value variable's values
    are regex-escaped and joined with | inside (...)."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\1", v)


def interpolate(text, values, rate_interval):
    def rep(m):
        name = m.group(1) or m.group(2)
        if name == "__rate_interval":
            return rate_interval
        v = values[name]
        if v is None:
            return ".*"  # allValue
        return "(" + "|".join(grafana_regex_escape(x) for x in v) + ")"
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", rep, text)


def promql_interpolate(text, values, rate_interval):
    """Variables inside =~"..." strings: the regex escapes doubled for the
    PromQL string literal."""
    def in_string(m):
        return '"' + interpolate(m.group(1), values, rate_interval).replace("\\", "\\\\") + '"'
    text = re.sub(r'"((?:[^"\\]|\\.)*)"', in_string, text)
    return interpolate(text, values, rate_interval)


def check_prometheus_dashboard(h, P, D, names):
    """Every panel's queries through Prometheus, for All and for one host,
    mount and op; the numbers against the scenario."""
    with open(DASHBOARD) as f:
        dash = json.load(f)
    tl = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    h.check("dashboard: variables host, mount, op are Prometheus queries",
            all(tl.get(n, {}).get("type") == "query" for n in ("host", "mount", "op")),
            str(sorted(tl)))
    # The variable queries, as Grafana runs label_values(): /api/v1/series.
    found = {}
    for n in ("host", "mount", "op"):
        q = tl.get(n, {}).get("query", "")
        q = q.get("query", "") if isinstance(q, dict) else q
        m = re.match(r"label_values\((.*),\s*(\w+)\)$", q.strip())
        if not m:
            h.check("dashboard: variable %s is label_values(selector, label)" % n, False, q)
            continue
        expr = promql_interpolate(m.group(1), {"host": None, "mount": None, "op": None}, "")
        found[n] = sorted({s.get(m.group(2)) for s in P.series(expr)})
    hosts = [x for x, _, _ in E.PROM_FLEET]
    h.check("dashboard: variable host finds the three hosts", found.get("host") == hosts,
            str(found.get("host")))
    h.check("dashboard: variable mount finds every mount (odd names included)",
            found.get("mount") == sorted(set(v for d in names.values() for v in d.values())),
            str(found.get("mount")))
    h.check("dashboard: variable op finds the ops used", found.get("op") ==
            sorted(["READ", "WRITE", "LOOKUP", "GETATTR", "SEQUENCE"]), str(found.get("op")))

    rate_interval = "%ds" % W
    panels = [p for p in dash.get("panels", []) if p.get("type") != "row"]
    per_s = window_rates(D, names)

    selections = {
        "All": {"host": None, "mount": None, "op": None},
        "host2, data, WRITE": {"host": ["host2"], "mount": ["data"], "op": ["WRITE"]},
        "host1 and host3, data, READ": {"host": ["host1", "host3"], "mount": ["data"],
                                        "op": ["READ"]},
    }

    def chosen(values, name, universe):
        return universe if values[name] is None else [x for x in universe if x in values[name]]

    evaluated = 0
    for label, values in selections.items():
        hs = chosen(values, "host", hosts)
        for p in panels:
            title = p.get("title", "?")
            for t in p.get("targets", []):
                expr = promql_interpolate(t.get("expr", ""), values, rate_interval)
                where = "dashboard %r %s [%s]" % (title, t.get("refId"), label)
                try:
                    res = P.query(expr)
                except RuntimeError as e:
                    h.check(where + ": evaluates", False, str(e))
                    continue
                evaluated += 1
                exp = expected_panel(p, t, values, hs, names, per_s, D)
                if exp is None:
                    h.check(where + ": has an expectation in the test", False, expr)
                    continue
                got = {}
                if exp.get("age"):
                    # A gauge: the age the last read saw, age0 + whole seconds.
                    want = exp["values"]
                    for lb, v in res:
                        got[tuple(lb.get(k) for k in exp["by"])] = v
                    ok = set(got) == set(want) and all(
                        got[k] == int(got[k]) and 0 <= got[k] - want[k][1] <= EVAL_AFTER + 1
                        for k in want)
                    h.check("%s: %d series, the file's age (age0 + seconds)" % (where, len(want)),
                            ok and len(want) > 0, "got %s\nwant %s" % (got, want))
                    continue
                for lb, v in res:
                    got[tuple(lb.get(k) for k in exp["by"])] = v
                want = exp["values"]
                ok = set(got) == set(want) and all(close(got[k], want[k]) for k in want)
                h.check("%s: %d series, numbers as the scenario says" % (where, len(want)),
                        ok and len(want) > 0,
                        "query %s\ngot %s\nwant %s" % (expr, sorted(got.items())[:8],
                                                       sorted(want.items())[:8]))
    h.check("dashboard: every panel's queries evaluated (%d)" % evaluated,
            evaluated == 3 * sum(len(p.get("targets", [])) for p in panels) and evaluated > 0)


# What each dashboard target means, by panel title and refId: a counter's
# rate per host, mount and op, a ratio of two, a sum by op over the
# selection ("fleet ..."). The numbers then come from the scenario.
EXPECT = {
    ("Operations per second, per op", "A"): "ops",
    ("Read from and written to the server (kB/s)", "A"): "server_read",
    ("Read from and written to the server (kB/s)", "B"): "server_write",
    ("Average RTT per operation (ms)", "A"): "rtt_ms/ops",
    ("Average execution time per operation (ms)", "A"): "exec_ms/ops",
    ("Retransmissions and timeouts per second", "A"): "trans-ops",
    ("Retransmissions and timeouts per second", "B"): "timeouts",
    ("Errors per second (RPC iostats 1.1)", "A"): "errors",
    ("Mount age (s)", "A"): "age",
    ("Server not answering: seconds requests waited with no reply (ReportStall)", "A"):
        "stalled",
    ("Fleet operations per second, per op", "A"): "fleet ops",
    ("Fleet read from and written to the server (kB/s)", "A"): "fleet server_read",
    ("Fleet read from and written to the server (kB/s)", "B"): "fleet server_write",
    ("Fleet average RTT and execution time per op (ms)", "A"): "fleet rtt_ms/ops",
    ("Fleet average RTT and execution time per op (ms)", "B"): "fleet exec_ms/ops",
    ("Fleet retransmissions, timeouts and errors per second, per op", "A"): "fleet trans-ops",
    ("Fleet retransmissions, timeouts and errors per second, per op", "B"): "fleet timeouts",
    ("Fleet retransmissions, timeouts and errors per second, per op", "C"): "fleet errors",
}


def expected_panel(p, t, values, hs, names, per_s, D):
    """{"by": label names, "values": {label values: number}} for a target
    (EXPECT says what the query means)."""
    kind = EXPECT.get((p.get("title"), t.get("refId")))
    if kind is None:
        return None
    return expected_kind(kind, values, hs, names, per_s)


def expected_kind(kind, values, hs, names, per_s):
    """The series a query of this kind gives for the selection values
    (None: all) of hosts hs, from the scenario (see EXPECT)."""
    out = {}

    def pairs():
        for host in hs:
            for mount in sorted(names[host].values()):
                if values["mount"] is None or mount in values["mount"]:
                    yield host, mount

    def ops_of(host, mount):
        i = [x for x, _, _ in E.PROM_FLEET].index(host)
        mp = {n: m for m, n in names[host].items()}[mount]
        sc = E.fleet_scenario(i)
        m = next(m for m in sc["mounts"] if m["mountpoint"] == mp)
        return [o for o in sorted(m["ops"]) if values["op"] is None or o in values["op"]]

    if kind in ("ops", "trans-ops", "timeouts", "errors"):
        for host, mount in pairs():
            for op in ops_of(host, mount):
                if kind == "trans-ops":
                    v = per_s(host, mount, op, "trans") - per_s(host, mount, op, "ops")
                else:
                    v = per_s(host, mount, op, kind)
                out[(host, mount, op)] = v
        return {"by": ("instance", "mountstats", "type"), "values": out}
    if kind in ("rtt_ms/ops", "exec_ms/ops"):
        c = kind.split("/")[0]
        for host, mount in pairs():
            for op in ops_of(host, mount):
                out[(host, mount, op)] = per_s(host, mount, op, c) / per_s(host, mount, op, "ops")
        return {"by": ("instance", "mountstats", "type"), "values": out}
    if kind in ("server_read", "server_write"):
        for host, mount in pairs():
            out[(host, mount)] = per_s(host, mount, None, kind) / 1024.0
        return {"by": ("instance", "mountstats"), "values": out}
    if kind == "age":
        for host, mount in pairs():
            i = [x for x, _, _ in E.PROM_FLEET].index(host)
            mp = {n: m for m, n in names[host].items()}[mount]
            m = next(m for m in E.fleet_scenario(i)["mounts"] if m["mountpoint"] == mp)
            out[(host, mount)] = ("age", m["age"])
        return {"by": ("instance", "mountstats"), "values": out, "age": True}
    if kind == "stalled":
        # every server answers in this scenario (sends and recvs move
        # together): nothing waits
        for host, mount in pairs():
            out[(host, mount, "estimate")] = 0.0
        return {"by": ("instance", "mountstats", "type"), "values": out}
    if kind.startswith("fleet "):
        what = kind.split(" ", 1)[1]
        sums = {}
        for host, mount in pairs():
            if what in ("server_read", "server_write"):
                sums.setdefault((), [0.0, 0.0])
                sums[()][0] += per_s(host, mount, None, what) / 1024.0
                continue
            for op in ops_of(host, mount):
                a = sums.setdefault((op,), [0.0, 0.0])
                if what in ("ops", "timeouts", "errors"):
                    a[0] += per_s(host, mount, op, what)
                elif what == "trans-ops":
                    a[0] += per_s(host, mount, op, "trans") - per_s(host, mount, op, "ops")
                else:  # rtt_ms/ops, exec_ms/ops
                    a[0] += per_s(host, mount, op, what.split("/")[0])
                    a[1] += per_s(host, mount, op, "ops")
        for k, (a, b) in sums.items():
            out[k] = a / b if "/" in what else a
        return {"by": () if what in ("server_read", "server_write") else ("type",),
                "values": out}
    return None


if __name__ == "__main__":
    sys.exit(E.main("e2e_prometheus", run))
