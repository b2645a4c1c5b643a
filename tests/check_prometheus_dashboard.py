#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks contrib/grafana/mountstats-prometheus-dashboard.json without a
server: the metric names write_prometheus makes from the types file
(collectd_mountstats_<type>[_<ds>][_total]), and the rules for counters and
averages. tests/e2e_prometheus.py evaluates every query against a running
Prometheus and checks the numbers; this catches mistakes in seconds.

Asserted for every target:
  - every metric name is one the plugin produces through write_prometheus;
  - counters (_total) are drawn only through rate() over $__rate_interval,
    gauges never;
  - a cumulative time (rtt_ms, exec_ms, queue_ms) only as the dividend of
    a division whose divisor is the same expression with ops in its place:
    rate(X_rtt_ms_total{s}[r]) / rate(X_ops_total{s}[r]), or across hosts
    sum by (type) (...) / sum by (type) (...), so ops of different
    operations are never added together;
  - no avg (an average of averages);
  - every selector filters on $host and $mount, and per-op metrics on $op;
  - every panel has a Prometheus data source, a unit and a legend.
The variables host, mount and op must be label_values() of real metrics and
labels. The checker is then shown to catch broken variants.

Python 3 standard library only. Last line: "N passed, M failed".
"""

import copy
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_dashboard  # noqa: E402
import e2e_common as E  # noqa: E402

DASHBOARD = os.path.join(E.ROOT, "contrib", "grafana", "mountstats-prometheus-dashboard.json")
TIME_DS = ("rtt_ms", "exec_ms", "queue_ms")
WITH_TYPE_LABEL = ("nfs_op", "nfs_op_errors", "nfs_op_avg", "nfs_xprt", "nfs_xprt_conn",
                   "nfs_xprt_slots", "nfs_xprt_rdma", "nfs_xprt_rdma_copy", "nfs_xprt_rdma_mr",
                   "uptime", "count")
NAME = re.compile(r"\b(collectd_mountstats_\w+)\b")


def known_names(types_db):
    """{metric name: (type, ds, DERIVE|GAUGE)} for every type of the types file."""
    out = {}
    for t, dss in check_dashboard.plugin_types(types_db).items():
        for ds, kind in dss:
            out[E.prometheus_name(t, ds, kind)] = (t, ds, kind)
    return out


def split_top(expr, op):
    """expr split at op outside parentheses, braces and strings."""
    parts, depth, cur, i, q = [], 0, "", 0, None
    while i < len(expr):
        c = expr[i]
        if q:
            cur += c
            if c == "\\":
                cur += expr[i + 1]
                i += 1
            elif c == q:
                q = None
        elif c in "\"'":
            q = c
            cur += c
        elif c in "({[":
            depth += 1
            cur += c
        elif c in ")}]":
            depth -= 1
            cur += c
        elif depth == 0 and expr.startswith(op, i):
            parts.append(cur.strip())
            cur = ""
            i += len(op) - 1
        else:
            cur += c
        i += 1
    parts.append(cur.strip())
    return parts


def check_expr(where, expr, names):
    problems = []
    if re.search(r"\bavg(_over_time)?\b", expr):
        problems.append("%s: avg: an average of averages; divide summed rates" % where)
    for m in NAME.finditer(expr):
        name = m.group(1)
        info = names.get(name)
        if info is None:
            problems.append("%s: %s is not a metric write_prometheus makes from the types "
                            "file" % (where, name))
            continue
        t, ds, kind = info
        before = expr[:m.start()].rstrip()
        sel = re.match(r"\{([^}]*)\}(\[[^\]]*\])?", expr[m.end():])
        in_rate = before.endswith("rate(")
        if kind == "DERIVE" and not (in_rate and sel and sel.group(2) == "[$__rate_interval]"):
            problems.append("%s: counter %s not drawn through rate(...[$__rate_interval])"
                            % (where, name))
        if kind != "DERIVE" and in_rate:
            problems.append("%s: gauge %s under rate()" % (where, name))
        labels = sel.group(1) if sel else ""
        for lab, var in (("instance", "$host"), ("mountstats", "$mount")) + \
                ((("type", "$op"),) if t in ("nfs_op", "nfs_op_errors") else ()):
            if '%s=~"%s"' % (lab, var) not in labels:
                problems.append("%s: %s without %s=~\"%s\"" % (where, name, lab, var))
        if "type=" in labels and t not in WITH_TYPE_LABEL:
            problems.append("%s: %s has no type label" % (where, name))
    times = [m.group(1) for m in NAME.finditer(expr)
             if names.get(m.group(1), (0, ""))[1] in TIME_DS]
    if times:
        sides = split_top(expr, " / ")
        if len(sides) != 2:
            problems.append("%s: %s not divided by ops" % (where, times[0]))
        else:
            num, den = sides
            want = NAME.sub(lambda m: re.sub(r"_(%s)_total$" % "|".join(TIME_DS), "_ops_total",
                                             m.group(1)), num)
            if den != want:
                problems.append("%s: %s divided by %r, not by %r" % (where, times[0], den, want))
            if num.startswith("sum") and not num.startswith("sum by (type)"):
                problems.append("%s: %s summed over every op together (sum by (type))"
                                % (where, times[0]))
    return problems


def check(dash, names):
    problems = []
    tl = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    for n, label in (("host", "instance"), ("mount", "mountstats"), ("op", "type")):
        v = tl.get(n)
        if v is None or v.get("type") != "query":
            problems.append("variable %s missing or not a query" % n)
            continue
        q = v["query"]["query"] if isinstance(v.get("query"), dict) else v.get("query", "")
        m = re.match(r"label_values\((collectd_mountstats_\w+)\{[^}]*\},\s*(\w+)\)$", q)
        if not m or m.group(1) not in names or m.group(2) != label:
            problems.append("variable %s: %r is not label_values(<a real metric>{...}, %s)"
                            % (n, q, label))
    targets = 0
    for p in dash.get("panels", []):
        if p.get("type") == "row":
            continue
        title = p.get("title", "?")
        if (p.get("datasource") or {}).get("type") != "prometheus":
            problems.append("panel %r: datasource is not prometheus" % title)
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            problems.append("panel %r has no unit" % title)
        if not p.get("targets"):
            problems.append("panel %r has no targets" % title)
        for t in p.get("targets", []):
            targets += 1
            where = "panel %r %s" % (title, t.get("refId"))
            if not t.get("legendFormat"):
                problems.append("%s: no legend" % where)
            for var in re.findall(r"\$(\w+)", t.get("expr", "")):
                if var not in tl and var != "__rate_interval":
                    problems.append("%s: $%s is not a variable" % (where, var))
            problems += check_expr(where, t.get("expr", ""), names)
    if targets == 0:
        problems.append("no targets")
    return problems


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--dashboard", default=DASHBOARD)
    ap.add_argument("--types-db", default=check_dashboard.TYPES_DB)
    args = ap.parse_args()
    results = []

    def report(name, ok, detail=""):
        results.append(bool(ok))
        print(("PASS" if ok else "FAIL") + ": " + name + ("" if ok or not detail else ": " + detail))

    with open(args.dashboard) as f:
        dash = json.load(f)
    names = known_names(args.types_db)
    problems = check(dash, names)
    n = sum(len(p.get("targets", [])) for p in dash.get("panels", []))
    report("every target (%d) uses real metric names, rate() for counters, averages as "
           "ratios of rates, the variables" % n, not problems, "\n  " + "\n  ".join(problems))
    exprs = " ".join(t.get("expr", "") for p in dash["panels"] for t in p.get("targets", []))
    report("panels for ops/s, kB/s, RTT, execution time, retransmissions, timeouts, errors, "
           "age", all(k in exprs for k in ("nfs_op_ops_total", "server_read_total",
                                            "rtt_ms_total", "exec_ms_total", "trans_total",
                                            "timeouts_total", "nfs_op_errors_total", "uptime")))
    report("fleet rows: sum by (type) of rtt_ms over sum by (type) of ops",
           "sum by (type) (rate(collectd_mountstats_nfs_op_rtt_ms_total" in exprs)

    def mutated(old, new):
        d = copy.deepcopy(dash)
        hit = False
        for p in d["panels"]:
            for t in p.get("targets", []):
                if old in t.get("expr", ""):
                    t["expr"] = t["expr"].replace(old, new)
                    hit = True
        return d if hit else None
    sel = 'instance=~"$host",mountstats=~"$mount",type=~"$op"'
    for desc, old, new in [
            ("a counter drawn raw", "rate(collectd_mountstats_nfs_op_errors_total{%s}[$__rate_interval])"
             % sel, "collectd_mountstats_nfs_op_errors_total{%s}" % sel),
            ("a gauge under rate()", 'collectd_mountstats_uptime{type="age",instance=~"$host",'
             'mountstats=~"$mount"}', 'rate(collectd_mountstats_uptime{type="age",'
             'instance=~"$host",mountstats=~"$mount"}[$__rate_interval])'),
            ("RTT divided by the wrong counter",
             "rate(collectd_mountstats_nfs_op_rtt_ms_total{%s}[$__rate_interval]) / "
             "rate(collectd_mountstats_nfs_op_ops_total" % sel,
             "rate(collectd_mountstats_nfs_op_rtt_ms_total{%s}[$__rate_interval]) / "
             "rate(collectd_mountstats_nfs_op_trans_total" % sel),
            ("a misspelt metric", "nfs_op_exec_ms_total", "nfs_op_exec_total"),
            ("an average of averages", "sum by (type) (rate(collectd_mountstats_nfs_op_rtt_ms_total",
             "avg by (type) (rate(collectd_mountstats_nfs_op_rtt_ms_total"),
            ("a fleet average summing every op together",
             "sum by (type) (rate(collectd_mountstats_nfs_op_exec_ms_total{%s}[$__rate_interval])) / "
             "sum by (type) (rate(collectd_mountstats_nfs_op_ops_total" % sel,
             "sum(rate(collectd_mountstats_nfs_op_exec_ms_total{%s}[$__rate_interval])) / "
             "sum(rate(collectd_mountstats_nfs_op_ops_total" % sel),
            ("a selector without $op", sel, 'instance=~"$host",mountstats=~"$mount"'),
            ("an unknown variable", "$mount", "$mountpoint"),
            ("a fixed rate window", "[$__rate_interval]", "[5m]")]:
        d = mutated(old, new)
        if d is None:
            report("mutation applies: " + desc, False, "%r not in the dashboard" % old)
            continue
        found = check(d, names)
        report("the checker catches " + desc, bool(found))
        if found and os.environ.get("CHECK_DASHBOARD_VERBOSE"):
            print("    " + found[0])
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
