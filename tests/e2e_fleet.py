#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fleet end to end: three collectd "clients" (Hostname host1..host3, each
with the plugin and its own mountstats file written by
contrib/mountstats-replay) send over the network plugin (UDP, 127.0.0.1) to
a central collectd that does not load the plugin, loads the shipped types
file next to collectd's, and writes to carbon-cache with write_graphite
(StoreRates false). This is docs/integrations.md's recommended fleet setup.

Every host mounts filer:/export/data on /data. READ runs at 10, 20 and
30 ops/s with 2, 4 and 6 ms RTT per op (execution 1 ms more); host1 also
has /home and host2 /scratch, busier and slower, which a query for /data
must leave out. Expected, from the whisper files:
  - every host's series arrive, with its own rate and RTT, and the five
    event types (nfs_events_cache/_vfs/_file/_io/_pnfs), which the central
    knows only from the types file;
  - sumSeries(perSecond(*.mountstats-data.nfs_op-READ.ops)) = 60/s;
  - divideSeries(sumSeries(perSecond(*...READ.rtt_ms)),
                 sumSeries(perSecond(*...READ.ops))) = (10*2+20*4+30*6)/60
    = 4.667 ms (not 4.0, the average of the hosts' averages);
computed from whisper-fetch data (medians over the run), and again by
graphite-web's own functions with the Grafana dashboard's fleet targets.
A second central without the types file (negative check) must drop the
values ("Dataset not found") and store nothing.

Python 3 standard library; carbon-cache, whisper-fetch, graphite-web.
Last line: "N passed, M failed".
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SNAPSHOTS = 14
HOSTS = [("host1", 10, 2), ("host2", 20, 4), ("host3", 30, 6)]
FLEET_RATE = sum(r for _, r, _ in HOSTS)
FLEET_RTT = sum(r * t for _, r, t in HOSTS) / float(FLEET_RATE)


def scenario(i, rate, rtt):
    data = {"device": "filer.example.org:/export/data", "mountpoint": "/data",
            "vers": "4.2", "age": 10000 + 1000 * i,
            "ops": {"READ": {"rate": rate, "rtt_ms": rtt, "exec_ms": rtt + 1, "queue_ms": 0},
                    "GETATTR": {"rate": 5, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0},
                    "SEQUENCE": {"rate": 1, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0}}}
    mounts = [data]
    if i == 0:
        mounts.append({"device": "home.example.org:/export/home", "mountpoint": "/home",
                       "vers": "3", "ops": {"READ": {"rate": 100, "rtt_ms": 50}}})
    if i == 1:
        mounts.append({"device": "scratch.example.org:/scratch", "mountpoint": "/scratch",
                       "vers": "3", "ops": {"READ": {"rate": 70, "rtt_ms": 30}}})
    return {"mounts": mounts}


def central_conf(listen_port, carbon_port, prefix):
    return """LoadPlugin network
<Plugin network>
  <Listen "127.0.0.1" "{lp}">
  </Listen>
</Plugin>
""".format(lp=listen_port) + E.write_graphite_conf(carbon_port, prefix)


def run(h):
    carbon, cport, whisper = h.start_carbon()
    good_port, bad_port = h.free_port(udp=True), h.free_port(udp=True)
    central, clog = h.start_collectd("central", central_conf(good_port, cport, "fleet."),
                                     ["network", "write_graphite"], with_mountstats=False,
                                     hostname="central")
    nocentral, nlog = h.start_collectd("central-without-types",
                                       central_conf(bad_port, cport, "notypes."),
                                       ["network", "write_graphite"], with_mountstats=False,
                                       types_db=[E.STOCK_TYPES_DB], hostname="central2")
    h.note("carbon on %d, central on udp %d, central without types on udp %d"
           % (cport, good_port, bad_port))
    t0 = int(time.time()) + 1.5
    replays, clients = [], []
    for i, (host, rate, rtt) in enumerate(HOSTS):
        ms = os.path.join(h.work, host + ".mountstats")
        replays.append(h.replay("replay-" + host, scenario(i, rate, rtt), ms, t0,
                                count=SNAPSHOTS))
    E.sleep_until(t0 + 0.42)
    for i, (host, _, _) in enumerate(HOSTS):
        ms = os.path.join(h.work, host + ".mountstats")
        clients.append(h.start_collectd(host, E.network_client_conf(ms, [good_port, bad_port]),
                                        ["network"], hostname=host, settle=0))
    start = time.time()
    time.sleep(0.3)
    for (host, _, _), (p, log) in zip(HOSTS, clients):
        h.alive(host, p, log)
    for r in replays:
        r.wait(timeout=SNAPSHOTS + 10)
    time.sleep(1.0)
    for p, _ in clients:
        h.stop(p)
    time.sleep(1.5)  # the last packets reach the centrals
    h.stop(central)
    h.stop(nocentral)
    h.stop(carbon)
    end = int(time.time()) + 1
    h.note("clients ran %.1f s" % (time.time() - start))

    metrics = E.whisper_metrics(whisper)
    central_log = h.read_log(clog)
    nolog = h.read_log(nlog)

    # ---- arrival ----------------------------------------------------------------
    hosts = sorted({m.split(".")[1] for m in metrics if m.startswith("fleet.")})
    h.check("the central stored the three hosts' series (and not its own)",
            hosts == ["host1", "host2", "host3"], str(hosts))
    for i, (host, _, _) in enumerate(HOSTS):
        mounts = sorted({m.split(".")[2] for m in metrics if m.startswith("fleet.%s." % host)})
        want = ["mountstats-data"] + {0: ["mountstats-home"], 1: ["mountstats-scratch"]}.get(i, [])
        h.check("%s: its mounts arrived (%s)" % (host, ", ".join(want)), mounts == sorted(want),
                str(mounts))
        base = "fleet.%s.mountstats-data." % host
        need = ["nfs_op-READ.ops", "nfs_op-READ.rtt_ms", "nfs_op-READ.exec_ms",
                "nfs_op-GETATTR.ops", "nfs_op-SEQUENCE.ops", "nfs_op_errors-READ",
                "uptime-age", "nfs_bytes.server_read", "nfs_xprt-tcp.sends"]
        need += ["%s.%s" % (t, evs[0]) for t, evs in E.EVENT_GROUPS]
        missing = [n for n in need if base + n not in metrics]
        h.check("%s: READ, GETATTR, SEQUENCE, errors, age, bytes, the five event "
                "types, transport series" % host, not missing, "missing %s" % missing)
    E.check_write_graphite_log(h, central_log, "central")
    h.check("central without mountstats.types.db drops the values: \"Dataset not found\"",
            "Dataset not found: nfs_op" in nolog, nolog[-2000:])
    stored_bad = [m for m in metrics if m.startswith("notypes.") and ".nfs_" in m]
    h.check("central without mountstats.types.db stores no nfs_* series (only "
            "uptime-age and count-transports, types collectd's own types.db has)",
            not stored_bad and any(m.startswith("notypes.") and m.endswith(".uptime-age")
                                   for m in metrics), str(stored_bad[:5]))

    # ---- per host and fleet-wide numbers from whisper-fetch --------------------
    files = {}
    for host, _, _ in HOSTS:
        for ds in ("ops", "rtt_ms", "exec_ms"):
            m = "fleet.%s.mountstats-data.nfs_op-READ.%s" % (host, ds)
            if m in metrics:
                files[(host, ds)] = metrics[m]
    data = E.whisper_fetch_many(list(files.values()), int(start) - 2, end)
    D = {k: E.deltas(data[f]) for k, f in files.items()}
    for host, rate, rtt in HOSTS:
        ops = D.get((host, "ops"), {})
        r = E.median([d / s for d, s in ops.values() if s > 0])
        h.check("%s: perSecond(READ ops) = %d/s" % (host, rate),
                r is not None and abs(r - rate) < 0.05 * rate, str(sorted(ops.items())))
        rt = D.get((host, "rtt_ms"), {})
        avg = [rt[t][0] / ops[t][0] for t in ops if t in rt and ops[t][0] > 0]
        h.check("%s: READ average RTT = %d ms at every point" % (host, rtt),
                len(avg) >= 5 and all(abs(a - rtt) < 1e-9 for a in avg), str(avg))
    common = set.intersection(*[set(D.get((host, "ops"), {})) for host, _, _ in HOSTS])
    fleet_rate, fleet_rtt, fleet_exec = [], [], []
    for t in sorted(common):
        dops = [D[(host, "ops")][t] for host, _, _ in HOSTS]
        if any(s != dops[0][1] for _, s in dops):
            continue
        sum_ops = sum(d for d, _ in dops)
        fleet_rate.append(sum_ops / float(dops[0][1]))
        if sum_ops > 0 and all(t in D.get((host, k), {}) for host, _, _ in HOSTS
                               for k in ("rtt_ms", "exec_ms")):
            fleet_rtt.append(sum(D[(host, "rtt_ms")][t][0] for host, _, _ in HOSTS) / sum_ops)
            fleet_exec.append(sum(D[(host, "exec_ms")][t][0] for host, _, _ in HOSTS) / sum_ops)
    h.check("points common to the three hosts: at least 8", len(fleet_rate) >= 8,
            str(len(fleet_rate)))
    mr = E.median(fleet_rate)
    h.check("fleet sumSeries(perSecond(READ ops)) over /data = %d/s (median)" % FLEET_RATE,
            mr is not None and abs(mr - FLEET_RATE) < 1.0, str(fleet_rate))
    mt = E.median(fleet_rtt)
    h.check("fleet READ average RTT Σ Δrtt_ms / Σ Δops = %.4f ms (median)" % FLEET_RTT,
            mt is not None and abs(mt - FLEET_RTT) < 0.01 * FLEET_RTT, str(fleet_rtt))
    h.check("... which is not the average of the hosts' averages (4.0 ms)",
            mt is not None and abs(mt - 4.0) > 0.3, str(mt))
    me = E.median(fleet_exec)
    h.check("fleet READ average execution time = %.4f ms" % (FLEET_RTT + 1),
            me is not None and abs(me - FLEET_RTT - 1) < 0.01 * FLEET_RTT, str(fleet_exec))

    # ---- the same through graphite-web and the dashboard's fleet targets --------
    import check_dashboard
    import graphite_eval
    if not h.check("graphite-web is installed (Debian graphite-web)", graphite_eval.available()):
        return
    values = {"prefix": "fleet.", "host": "*", "mount": "data", "op": "READ"}
    targets = check_dashboard.expanded_targets(check_dashboard.load(), values)
    fleet = {(title, ref): t for title, ref, t in targets if title.startswith("Fleet")}
    readme = ("divideSeries(sumSeries(perSecond(fleet.*.mountstats-data.nfs_op-READ.rtt_ms)), "
              "sumSeries(perSecond(fleet.*.mountstats-data.nfs_op-READ.ops)))")
    wanted = list(fleet.values()) + [readme]
    res = graphite_eval.evaluate(whisper, wanted, int(start) + 1, end)

    def med(t, name=None):
        r = res.get(t, {})
        ss = [s for s in r.get("series", []) if name is None or s["name"] == name]
        if len(ss) != 1:
            return "%s" % (r.get("error") or [s["name"] for s in r.get("series", [])])
        return E.median([v for v in ss[0]["values"] if v is not None])

    v = med(readme)
    h.check("docs/integrations.md's fleet query in graphite-web: %.4f ms" % FLEET_RTT,
            isinstance(v, float) and abs(v - FLEET_RTT) < 0.01 * FLEET_RTT, str(v))
    v = med(fleet.get(("Fleet operations per second, per op", "A"), ""), "READ")
    h.check("dashboard 'Fleet operations per second' READ = %d" % FLEET_RATE,
            isinstance(v, float) and abs(v - FLEET_RATE) < 1.0, str(v))
    v = med(fleet.get(("Fleet READ: average RTT and execution time (ms)", "A"), ""))
    h.check("dashboard 'Fleet READ: average RTT' = %.4f ms" % FLEET_RTT,
            isinstance(v, float) and abs(v - FLEET_RTT) < 0.01 * FLEET_RTT, str(v))
    v = med(fleet.get(("Fleet READ: average RTT and execution time (ms)", "B"), ""))
    h.check("dashboard 'Fleet READ: average execution time' = %.4f ms" % (FLEET_RTT + 1),
            isinstance(v, float) and abs(v - FLEET_RTT - 1) < 0.01 * FLEET_RTT, str(v))
    v = med(fleet.get(("Fleet read from and written to the server (kB/s)", "A"), ""))
    h.check("dashboard 'Fleet read' = %d * 64 kB/s" % FLEET_RATE,
            isinstance(v, float) and abs(v - FLEET_RATE * 64) < 0.02 * FLEET_RATE * 64, str(v))


if __name__ == "__main__":
    sys.exit(E.main("e2e_fleet", run))
