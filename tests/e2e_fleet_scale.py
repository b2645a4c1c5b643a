#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The fleet at scale on Graphite's own distribution (docs/fleet-scale.md).

Fifty real collectd processes with the plugin (tests/fleet_scale_model.py:
hosts, mounts, rates, the truth), each with its own Hostname, its own
mountstats file and the fleet profile read from docs/fleet-scale.md, Interval
5, no csv. Everything on 127.0.0.1, free ports, temporary folders, all from
Debian's packages:

  n01..n25 --network plugin (UDP)--> central collectd --write_graphite-+
  g26..g50 --write_graphite (TCP)----------------------------------------+
                                                                         v
        carbon-c-relay (cluster fnv1a_ch replication 2, queue 25000, -c "-_:#~")
            |                    |                     |
       carbon-cache a      carbon-cache b        carbon-cache c
       (own whisper)       (own whisper)         (own whisper)
            |                    |                     |
       graphite-web a      graphite-web b        graphite-web c
            \___________________ | ___________________/
                   front graphite-web (CLUSTER_SERVERS a, b, c)

  and every host's write_prometheus scraped by one prometheus (2 s).

Ports: free 127.0.0.1 ports below the kernel's ephemeral range (nothing
takes them between their choice and their use, such as cache b's port while
it is down). The caches keep 5 s points for 30 min, 1 min for 2 h and 10 min
for a day (every update propagated, as with docs/integrations.md's retention); the checks
read the 5 s archive. The relay keeps "~" (-c): with its default characters
it writes a cut mount name's "~" as "_" (shown on a second relay).

The network clients also send each packet to a counter in this test (a
second <Server>): packets, bytes and value lists per host and interval.

Time: snapshot k of every host's file is written at T0 + 5k (T0 a multiple
of 5: whisper's 5 s buckets are the file's time); the clients are started in
five batches of ten, 1.2 s or more after a snapshot, so each reads snapshot
k inside bucket k with seconds to spare on both sides. The counters are
exact functions of the snapshot index, so every point of every query has
one exact value, computed from the scenarios alone.

The kill: once cache b has written every point of bucket 10 (or the first
bucket after it that it completes before the next reads), it gets SIGKILL.
While it is down, the fleet queries run over buckets 5..14 through the front
graphite-web; b is started again after bucket 16; the relay's queue for it
must refill its gap; the checks at the end cover buckets 5..19 and every
point b had on disk before the kill.

Checks (counts and values only, no timing): every series of the expected set
(from the profile and the scenarios) is stored, on exactly 2 caches, the two
the relay's own test mode (-t) names for it, with identical points; nothing
else is stored; b lost nothing and its gap is filled; the relay dropped
nothing and queued for b while it was down; the fleet queries (READ ops/s
and all ops/s of one export on both paths together and each path alone,
READ RTT weighted by ops, the top 5 hosts by retransmissions, every host's
per-op rates and raw counters) equal the truth at every point, in both
phases; the Grafana dashboard's targets all match stored paths and its
panels give the truth through the front; Prometheus' fleet sum and
weighted RTT equal the truth at every point, and each host's series count.
Costs are measured and printed ("COST" lines): value lists and bytes per
host and interval on both paths, CPU of the central, the relay, the caches,
graphite-web and Prometheus, scrape size per host.

Python 3 standard library; carbon-c-relay, carbon-cache, graphite-web,
prometheus, collectd-core. Last line: "N passed, M failed".
"""

import argparse
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from importlib.machinery import SourceFileLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402
import fleet_scale_model as M  # noqa: E402
import mstest  # noqa: E402

I = M.INTERVAL
PREFIX = "fleet."
K_LAST = 19          # the last snapshot every check covers
SNAPSHOTS = 40       # written (room for batches that start late)
WIN0 = 5             # the first bucket with a rate for every host
COST_FROM, COST_TO = 5, 10   # cost window: buckets [5, 10)
KILL_AFTER = 10      # cache b is killed once it holds this bucket
OUTAGE_QUERY_TO = 14  # the fleet queries while b is down cover WIN0..14
RESTART_AFTER = 16   # b starts again after this bucket's reads
CACHE_NAMES = ("a", "b", "c")
KILLED = "b"
REPLICATION = 2
RELAY_QUEUE = 25000
# Characters the relay keeps next to [A-Za-z0-9]: its default "-_:#" and the
# "~" of a cut mount name (without it the relay writes "_").
RELAY_CHARS = "-_:#~"
# The caches keep 5 s points for 30 minutes, then 1 min and 10 min ones
# (three archives, as docs/integrations.md's retention: every update is propagated).
RETENTIONS = "%ds:30m,1m:2h,10m:1d" % I
SCRAPE = "2s"
GRAPHITE_PYTHON = "/usr/bin/python3"
WEB_SERVE = os.path.join(E.HERE, "graphite_web_serve.py")
DASHBOARD = os.path.join(E.ROOT, "contrib", "grafana", "mountstats-dashboard.json")
SESSION_NOTE = "SEQUENCE (NFSv4.2 mounts) is used but left out by the profile"


# ---------------------------------------------------------------------------
# small tools

def load_replay():
    loader = SourceFileLoader("mountstats_replay", E.REPLAY)
    spec = importlib.util.spec_from_loader("mountstats_replay", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def whisper_points(path):
    """{timestamp: value} of a whisper file's first archive (standard
    library: the format's header and points, big-endian); {} while the
    file is being created."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        count = struct.unpack_from("!L", data, 12)[0]
        if count < 1:
            return {}
        off, _, npts = struct.unpack_from("!3L", data, 16)
        chunk = data[off:off + 12 * npts]
        if len(chunk) != 12 * npts:
            return {}
        return {ts: v for ts, v in struct.iter_unpack("!Ld", chunk) if ts}
    except (OSError, struct.error):
        return {}


def whisper_has(path, ts):
    """Whether a whisper file's first archive holds the point of ts (ts a
    multiple of its step): three small reads, as whisper finds a point."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        head = os.pread(fd, 28, 0)
        if len(head) < 28 or struct.unpack_from("!L", head, 12)[0] < 1:
            return False
        off, step, npts = struct.unpack_from("!3L", head, 16)
        first = os.pread(fd, 4, off)
        if len(first) < 4:
            return False
        base = struct.unpack("!L", first)[0]
        if base == 0:
            return False
        pos = off + ((ts - base) // step * 12) % (npts * 12)
        got = os.pread(fd, 4, pos)
        return len(got) == 4 and struct.unpack("!L", got)[0] == ts
    finally:
        os.close(fd)


def cpu_seconds(pid):
    """CPU time of a process' threads in seconds (the nanoseconds of
    /proc/<pid>/task/*/schedstat: threads alive now), or None."""
    total, found = 0, False
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                total += int(f.read().split()[0])
                found = True
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e9 if found else None


def tcp_bytes():
    """{(pid, local port, peer port): bytes_acked} of established TCP
    connections on 127.0.0.1 (ss -tinp)."""
    out = subprocess.run(["ss", "-tinpH", "state", "established"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode(errors="replace")
    res, cur = {}, None
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            cur = None
            m = re.search(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:(\d+)", line)
            p = re.search(r"pid=(\d+)", line)
            if m and p:
                cur = (int(p.group(1)), int(m.group(1)), int(m.group(2)))
        elif cur is not None:
            b = re.search(r"bytes_acked:(\d+)", line)
            if b:
                res[cur] = int(b.group(1))
    return res


_GIVEN = set()


def free_port(udp=False, _rng=__import__("random").Random()):
    """A free 127.0.0.1 port below the kernel's ephemeral range, so that no
    outgoing connection of any process takes it between now and its use (a
    cache started again binds its port after 30 s); never one it gave
    before (the 50 clients' ports are chosen before they bind them)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as fh:
            lo = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        lo = 32768
    lo = max(lo, 12000)
    for _ in range(200):
        port = _rng.randrange(lo - 10000, lo)
        if port in _GIVEN:
            continue
        try:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("127.0.0.1", port))
            _GIVEN.add(port)
            return port
        except OSError:
            continue
    return E.Harness.free_port(udp)


def close(a, b, rel=1e-9):
    return a is not None and b is not None and abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


def fmt(x):
    return "%.6g" % x if isinstance(x, float) else str(x)


class Tap(threading.Thread):
    """A second network <Server> of the n* clients: counts, per host and
    bucket of the value lists' own time, packets, bytes, value lists and
    values, and value lists per mount (collectd's binary protocol)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.3)
        self.port = self.sock.getsockname()[1]
        self.stop_flag = False
        self.lock = threading.Lock()
        self.per = {}     # (host, bucket) -> [packets, bytes, value lists, values]
        self.mounts = {}  # (host, plugin_instance, bucket) -> value lists
        self.bad = 0

    def run(self):
        while not self.stop_flag:
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                self.parse(data)
            except (struct.error, UnicodeDecodeError, ValueError):
                self.bad += 1

    def parse(self, data):
        pos, host, pi, t = 0, None, "", None
        first_bucket = None
        vls = []
        while pos + 4 <= len(data):
            typ, ln = struct.unpack_from("!HH", data, pos)
            if ln < 4 or pos + ln > len(data):
                raise ValueError("bad part")
            body = data[pos + 4:pos + ln]
            if typ == 0x0000:
                host = body.rstrip(b"\0").decode()
            elif typ == 0x0003:
                pi = body.rstrip(b"\0").decode()
            elif typ == 0x0002:
                pi = ""
            elif typ == 0x0001:
                t = struct.unpack("!Q", body)[0]
            elif typ == 0x0008:
                t = struct.unpack("!Q", body)[0] / 2.0 ** 30
            elif typ == 0x0006:
                n = struct.unpack_from("!H", body)[0]
                b = int(t // I * I)
                if first_bucket is None:
                    first_bucket = b
                vls.append((host, pi, b, n))
            pos += ln
        with self.lock:
            for k, (hst, p, b, n) in enumerate(vls):
                e = self.per.setdefault((hst, b), [0, 0, 0, 0])
                if k == 0:
                    e[0] += 1
                    e[1] += len(data)
                e[2] += 1
                e[3] += n
                self.mounts[(hst, p, b)] = self.mounts.get((hst, p, b), 0) + 1

    def close(self):
        self.stop_flag = True
        self.join(timeout=5)
        self.sock.close()


# ---------------------------------------------------------------------------
# the run

class Fleet:
    def __init__(self, h):
        self.h = h
        self.work = h.work
        self.opts = M.parse_options(M.profile_block())
        self.expected = M.expected_series(self.opts, PREFIX)
        self.hosts = [M.host_name(i) for i in range(M.HOSTS)]
        self.caches = {}   # name -> {"port", "whisper", "proc", "conf"}
        self.webs = {}     # name -> (proc, url)
        self.clients = {}  # host -> mstest.Daemon
        self.procs = {}    # label -> Popen (for CPU)
        self.cost = {}
        self.events = []   # (time, text) of the run, for the report
        self.player_late = []
        self.batch_buckets = []

    def note(self, text):
        self.events.append((time.time(), text))
        self.h.note(text)

    # ---- servers ------------------------------------------------------------
    def start_cache(self, name):
        c = self.caches.get(name)
        if c is None:
            base = os.path.join(self.work, "cache-" + name)
            for d in ("conf", "whisper", "log", "run"):
                os.makedirs(os.path.join(base, d), exist_ok=True)
            c = {"base": base, "port": self.h.free_port(),
                 "whisper": os.path.join(base, "whisper"), "starts": 0}
            E.write_carbon_conf(os.path.join(base, "conf"), base, c["whisper"], c["port"],
                                RETENTIONS, LOG_CREATES=False, WHISPER_AUTOFLUSH=False,
                                WHISPER_FALLOCATE_CREATE=True)
            conf = os.path.join(base, "conf", "carbon.conf")
            c["conf"] = conf
            self.caches[name] = c
        c["starts"] += 1
        label = "cache-%s-%d" % (name, c["starts"])
        p = self.h.spawn(label, ["carbon-cache", "--config=" + c["conf"], "--nodaemon",
                                 "--pidfile=" + os.path.join(c["base"], "run", "c.pid"),
                                 "--logdir=" + os.path.join(c["base"], "log"), "start"])
        if not self.h.wait_port(c["port"], 60, p):
            raise RuntimeError("carbon-cache %s did not listen on %d:\n%s" %
                               (name, c["port"], self.h.output(label)[-3000:]))
        c["proc"] = p
        self.procs["cache " + name] = p
        return p

    def relay_conf(self):
        members = "".join("    127.0.0.1:%d\n" % self.caches[n]["port"] for n in CACHE_NAMES)
        return """listen type linemode 127.0.0.1:{lp} proto tcp ;
cluster caches fnv1a_ch replication {r}
{m}    ;
cluster relaystats file {stats} ;
statistics submit every {i} seconds prefix with relay send to relaystats ;
match * send to caches stop ;
""".format(lp=self.relay_port, r=REPLICATION, m=members, stats=self.relay_stats, i=I)

    def start_relay(self):
        base = os.path.join(self.work, "relay")
        os.makedirs(base, exist_ok=True)
        self.relay_port = self.h.free_port()
        self.relay_stats = os.path.join(base, "stats.txt")
        self.relay_log = os.path.join(base, "relay.log")
        self.relay_cf = os.path.join(base, "relay.conf")
        with open(self.relay_cf, "w") as f:
            f.write(self.relay_conf())
        p = self.h.spawn("relay", ["carbon-c-relay", "-f", self.relay_cf, "-l", self.relay_log,
                                   "-q", str(RELAY_QUEUE), "-H", "fleet-relay",
                                   "-c", RELAY_CHARS])
        if not self.h.wait_port(self.relay_port, 30, p):
            raise RuntimeError("carbon-c-relay did not listen:\n%s%s" %
                               (self.h.output("relay"), E.Harness.read_log(self.relay_log)))
        self.procs["relay"] = p
        return p

    def predicted_placement(self, names):
        """{metric: set of cache names} from the relay's own test mode."""
        port_to = {self.caches[n]["port"]: n for n in CACHE_NAMES}
        r = subprocess.run(["carbon-c-relay", "-f", self.relay_cf, "-c", RELAY_CHARS, "-t"],
                           input=("".join("%s 1 %d\n" % (n, 1700000000) for n in names)).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        out, cur, res = r.stdout.decode(errors="replace"), None, {}
        for line in out.splitlines():
            m = re.match(r"\s+\* -> (\S+)$", line)
            if m:
                cur = m.group(1)
                res[cur] = set()
                continue
            m = re.match(r"\s+127\.0\.0\.1:(\d+)$", line)
            if m and cur is not None:
                res[cur].add(port_to.get(int(m.group(1)), "?"))
            elif line.strip() == "stop":
                cur = None
        return res

    def start_web(self, name, whisper=None, cluster=()):
        port = self.h.free_port()
        state = os.path.join(self.work, "web-" + name)
        argv = [GRAPHITE_PYTHON, WEB_SERVE, "--port", str(port), "--state", state]
        if whisper:
            argv += ["--whisper-dir", whisper]
        for c in cluster:
            argv += ["--cluster-server", c]
        p = self.h.spawn("web-" + name, argv)
        url = "http://127.0.0.1:%d" % port
        self.webs[name] = (p, url)
        self.procs["graphite-web " + name] = p
        return p, url

    def wait_webs(self):
        for name, (p, url) in self.webs.items():
            if not self.h.wait_http(url + "/metrics/find?query=*", 120, p):
                raise RuntimeError("graphite-web %s did not answer:\n%s" %
                                   (name, self.h.output("web-" + name)[-3000:]))

    def start_central(self):
        self.central_port = self.h.free_port(udp=True)
        body = """LoadPlugin network
<Plugin network>
  <Listen "127.0.0.1" "{lp}">
  </Listen>
</Plugin>
""".format(lp=self.central_port) + E.write_graphite_conf(self.relay_port, PREFIX, "relay", True)
        p, log = self.h.start_collectd("central", body, ["network", "write_graphite"],
                                       with_mountstats=False, hostname="central", interval=I)
        self.central = (p, log)
        self.procs["central collectd"] = p

    # ---- clients ------------------------------------------------------------
    def client(self, i):
        host = M.host_name(i)
        ms = os.path.join(self.work, "files", host + ".mountstats")
        body = """<LoadPlugin write_prometheus>
</LoadPlugin>
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "{pp}"
</Plugin>
""".format(pp=self.prom_ports[host])
        if M.path_of(i) == "network":
            plugins = ["network", "write_prometheus"]
            body += """<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  <Server "127.0.0.1" "{cp}">
  </Server>
  <Server "127.0.0.1" "{tp}">
  </Server>
</Plugin>
""".format(cp=self.central_port, tp=self.tap.port)
        else:
            plugins = ["write_graphite", "write_prometheus"]
            body += E.write_graphite_conf(self.relay_port, PREFIX, "relay", True)
        lines = ["File " + E.q(ms)] + self.profile_lines + ['SysfsRoot ""']
        d = mstest.Daemon(self.h.args, host, lines, interval=I, csv=None, plugins=plugins,
                          body=body, types_dbs=[E.STOCK_TYPES_DB, self.h.args.types_db],
                          hostname=host, global_lines=["FQDNLookup false", "ReadThreads 1"],
                          parent=os.path.join(self.work, "clients"),
                          output=os.path.join(self.work, host + ".out"), new_session=True)
        return d

    # ---- snapshots ------------------------------------------------------------
    def generate(self):
        replay = load_replay()
        self.snapdirs = {}
        for i in range(M.HOSTS):
            host = M.host_name(i)
            d = os.path.join(self.work, "snapshots", host)
            os.makedirs(d)
            sc = os.path.join(d, "scenario.json")
            with open(sc, "w") as f:
                json.dump(M.scenario(i), f, indent=1)
            rc = replay.main(["generate", "-q", "-s", sc, "--outdir", d, "--interval", str(I),
                              "--count", str(SNAPSHOTS)])
            if rc:
                raise RuntimeError("mountstats-replay generate failed for %s" % host)
            self.snapdirs[host] = d
        # the replay tool sets its own SIGTERM handler: the harness' again
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        os.makedirs(os.path.join(self.work, "files"))

    def player(self):
        """Snapshot k of every host at T0 + k*I (atomic: link and rename)."""
        for k in range(SNAPSHOTS):
            E.sleep_until(self.T0 + k * I + 0.02)
            if self.stop_player:
                return
            self.player_late.append(time.time() - (self.T0 + k * I))
            for host in self.hosts:
                src = os.path.join(self.snapdirs[host], "%05d.mountstats" % k)
                dst = os.path.join(self.work, "files", host + ".mountstats")
                tmp = dst + ".new"
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                os.link(src, tmp)
                os.replace(tmp, dst)

    # ---- whisper state ------------------------------------------------------
    def cache_series(self, name):
        return E.whisper_metrics(self.caches[name]["whisper"])

    def missing_bucket(self, name, bucket_ts, names):
        """Names (of those routed to cache name) whose file lacks the
        point at bucket_ts."""
        files = self.cache_series(name)
        return [n for n in names if n not in files or not whisper_has(files[n], bucket_ts)]

    def wait_bucket(self, caches, k, timeout):
        """Waits until every cache in caches holds bucket k of each series the
        relay routes to it; returns {cache: missing names} (empty: all)."""
        ts = self.T0 + k * I
        end = time.time() + timeout
        while True:
            miss = {c: self.missing_bucket(c, ts, self.routed[c]) for c in caches}
            if not any(miss.values()) or time.time() > end:
                return {c: m for c, m in miss.items() if m}
            time.sleep(0.3)

    # ---- the render API ---------------------------------------------------------
    def render(self, target, frm, until, web="front"):
        url = self.webs[web][1] + "/render?" + urllib.parse.urlencode(
            {"target": target, "from": str(int(frm)), "until": str(int(until)),
             "format": "json"})
        last = None
        for _ in range(3):
            try:
                with urllib.request.urlopen(url, timeout=180) as r:
                    return {s["target"]: {int(t): v for v, t in s["datapoints"]}
                            for s in json.loads(r.read().decode())}
            except Exception as e:  # a retry, then the error is the result
                last = e
                time.sleep(1)
        raise RuntimeError("render %s: %s" % (target, last))

    def index(self, web="front"):
        with urllib.request.urlopen(self.webs[web][1] + "/metrics/index.json", timeout=120) as r:
            return json.loads(r.read().decode())


import urllib.request  # noqa: E402  (used by Fleet.render)


# ---------------------------------------------------------------------------
# the fleet queries and their truth

def fleet_queries():
    """[(label, target, {name or None: fn(k) -> value}, name filter)]: the
    fleet's questions with the truth for the point of bucket k."""
    data = M.data_mounts()
    names = sorted({M.instance_name(m["mountpoint"]) for _, m in data})
    glob = "{%s}" % ",".join(names) if len(names) > 1 else names[0]
    reported = lambda m: [o for o in m["ops"] if M.op_selected(OPTS, o) and m["ops"][o]["rate"]]

    def ssum(sel, ds="ops", op="READ"):
        return lambda k: sum(M.per_second(m, op, ds, k) for i, m in data if sel(i))

    def all_ops(sel):
        return lambda k: sum(M.per_second(m, o, "ops", k) for i, m in data if sel(i)
                             for o in reported(m))

    def rtt(k):
        return (sum(M.step(m, "READ", k - 1)["rtt_ms"] for _, m in data) /
                float(sum(M.step(m, "READ", k - 1)["ops"] for _, m in data)))

    everyone = lambda i: True
    net = lambda i: M.path_of(i) == "network"
    direct = lambda i: M.path_of(i) == "direct"
    q = []
    base = "%s%%s.mountstats-%s.nfs_op-%%s.%%s" % (PREFIX, glob)
    q.append(("READ ops/s of %s over the 50 hosts" % M.DATA_DEVICE,
              "sumSeries(perSecond(%s))" % (base % ("*", "READ", "ops")), ssum(everyone)))
    q.append(("READ ops/s of the export, network path hosts (n*) alone",
              "sumSeries(perSecond(%s))" % (base % ("n*", "READ", "ops")), ssum(net)))
    q.append(("READ ops/s of the export, direct path hosts (g*) alone",
              "sumSeries(perSecond(%s))" % (base % ("g*", "READ", "ops")), ssum(direct)))
    q.append(("all ops/s of the export (%s)" % SESSION_NOTE,
              "sumSeries(perSecond(%s))" % (base % ("*", "*", "ops")), all_ops(everyone)))
    q.append(("READ RTT of the export weighted by ops (Σrtt/Σops)",
              "divideSeries(sumSeries(perSecond(%s)),sumSeries(perSecond(%s)))"
              % (base % ("*", "READ", "rtt_ms"), base % ("*", "READ", "ops")), rtt))
    return q


def top5_target():
    a = "groupByNode(perSecond(%s*.mountstats-*.nfs_op-*.%%s),1,'sumSeries')" % PREFIX
    return "highestAverage(diffSeriesLists(%s,%s),5)" % (a % "trans", a % "ops")


OPTS = None


def check_query_points(h, label, got, truth, buckets, T0):
    """got: {t: v} of one series; truth(k) for each bucket k."""
    bad = []
    for k in buckets:
        want = truth(k)
        v = got.get(T0 + k * I)
        if not close(v, want):
            bad.append("bucket %d: %s, want %s" % (k, v, fmt(want)))
    seen = []
    for k in buckets:
        if fmt(truth(k)) not in seen:
            seen.append(fmt(truth(k)))
    return h.check("%s = truth at each of %d points (%s)" % (label, len(buckets), ", ".join(seen)),
                   not bad, "; ".join(bad[:8]))


def run_fleet_queries(f, phase, k_to):
    h, T0 = f.h, f.T0
    buckets = list(range(WIN0, k_to + 1))
    frm, until = T0 + (WIN0 - 2) * I, T0 + k_to * I + 1
    for label, target, truth in fleet_queries():
        res = f.render(target, frm, until)
        if not h.check("%s: %s answers one series" % (phase, label), len(res) == 1,
                       "%s -> %s" % (target, list(res)[:5])):
            continue
        check_query_points(h, "%s: %s" % (phase, label), list(res.values())[0], truth,
                           buckets, T0)
    # the top 5 retransmitters
    top, _ = M.top_retransmitters(5)
    res = f.render(top5_target(), frm, until)
    got = {}
    for name, pts in res.items():
        m = re.search(r"\b([ng]\d\d)\b", name)
        got[m.group(1) if m else name] = pts
    h.check("%s: the top 5 hosts by retransmissions are %s" % (
        phase, ", ".join("%s (%g/s)" % t for t in top)),
        sorted(got) == sorted(t for t, _ in top), "got %s" % sorted(got))
    bad = []
    for host, want in top:
        for k in buckets:
            v = got.get(host, {}).get(T0 + k * I)
            if not close(v, want):
                bad.append("%s bucket %d: %s != %s" % (host, k, v, want))
    h.check("%s: their retransmissions/s at every point" % phase, not bad, "; ".join(bad[:8]))


def drill_down(f, phase, k_to):
    """Every host's per-op rates (each series) and raw counters at every
    point: one request each, all hosts."""
    h, T0 = f.h, f.T0
    buckets = list(range(WIN0, k_to + 1))
    frm, until = T0 + (WIN0 - 2) * I, T0 + k_to * I + 1
    want_rates, want_raw, want_age = {}, {}, {}
    for path, (i, m) in f.expected.items():
        parts = path.split(".")
        if parts[3].startswith("nfs_op-") and parts[4] == "ops":
            want_rates[path] = (m, parts[3][7:])
        if parts[3].startswith("nfs_op-") and parts[4] == "rtt_ms":
            want_raw[path] = (m, parts[3][7:])
        if parts[3] == "uptime-age":
            want_age[path] = m
    res = f.render("perSecond(%s*.mountstats-*.nfs_op-*.ops)" % PREFIX, frm, until)
    got = {re.sub(r"^perSecond\((.*)\)$", r"\1", n): pts for n, pts in res.items()}
    bad = []
    for path, (m, opn) in want_rates.items():
        for k in buckets:
            v = got.get(path, {}).get(T0 + k * I)
            if not close(v, M.per_second(m, opn, "ops", k)):
                bad.append("%s@%d: %s != %s" % (path, k, v, M.per_second(m, opn, "ops", k)))
    h.check("%s: drill-down, ops/s of each of the %d host/mount/op series at every point"
            % (phase, len(want_rates)), not bad and set(got) == set(want_rates),
            "; ".join(bad[:6]) + " extra/missing: %s" % sorted(set(got) ^ set(want_rates))[:6])
    res = f.render("%s*.mountstats-*.nfs_op-*.rtt_ms" % PREFIX, frm, until)
    bad = []
    for path, (m, opn) in want_raw.items():
        for k in buckets:
            v = res.get(path, {}).get(T0 + k * I)
            if v != M.counter(m, opn, "rtt_ms", k):
                bad.append("%s@%d: %s != %s" % (path, k, v, M.counter(m, opn, "rtt_ms", k)))
    h.check("%s: drill-down, the raw rtt_ms counter of each of the %d series equals the "
            "scenario's at every point" % (phase, len(want_raw)),
            not bad and set(res) == set(want_raw), "; ".join(bad[:6]))
    res = f.render("%s*.mountstats-*.uptime-age" % PREFIX, frm, until)
    bad = []
    for path, m in want_age.items():
        for k in buckets:
            v = res.get(path, {}).get(T0 + k * I)
            if v != m["age"] + k * I:
                bad.append("%s@%d: %s != %s" % (path, k, v, m["age"] + k * I))
    h.check("%s: every mount's age at bucket k is its file's age at snapshot k (%d mounts: "
            "each read landed in its own bucket)" % (phase, len(want_age)),
            not bad and set(res) == set(want_age), "; ".join(bad[:6]))


# ---------------------------------------------------------------------------

def relay_chars_check(h):
    """Why the relay runs with -c: a relay with its default characters
    rewrites the "~" of a cut mount name (and every byte of UTF-8) to "_"."""
    base = os.path.join(h.work, "relay-default-chars")
    os.makedirs(base)
    out, port = os.path.join(base, "out.txt"), free_port()
    with open(os.path.join(base, "relay.conf"), "w") as fh:
        fh.write("listen type linemode 127.0.0.1:%d proto tcp ;\ncluster f file %s ;\n"
                 "match * send to f stop ;\n" % (port, out))
    p = h.spawn("relay-default-chars", ["carbon-c-relay", "-f", os.path.join(base, "relay.conf"),
                                        "-s", "-l", os.path.join(base, "relay.log")])
    name = "%sg47.mountstats-%s.uptime-age" % (PREFIX, M.instance_name(M.LONG_MOUNTPOINT))
    got = None
    if h.wait_port(port, 20, p):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(("%s 1 1700000000\r\n" % name).encode())
        try:
            got = h.wait_for("the default relay's output", lambda: open(out).read().split()
                             if os.path.exists(out) else None, 10, 0.2)[0]
        except RuntimeError:
            pass
    h.stop(p)
    h.check("a relay without -c stores %s as %s: the cluster's relay runs with -c %r" % (
        name, got, RELAY_CHARS), got == name.replace("~", "_"), str(got))


def run(h):
    global OPTS
    for tool in ("carbon-c-relay", "carbon-cache", "prometheus", "ss"):
        if not h.check("%s is installed (scripts/deps.sh)" % tool, shutil.which(tool)):
            return
    if not h.check("graphite-web is installed for %s" % GRAPHITE_PYTHON,
                   subprocess.run([GRAPHITE_PYTHON, "-c", "import graphite.render, django"],
                                  stderr=subprocess.DEVNULL).returncode == 0):
        return
    h.free_port = free_port  # Harness.start_prometheus takes its port here too
    f = Fleet(h)
    OPTS = f.opts
    f.profile_lines = M.profile_block()
    h.note("profile from docs/fleet-scale.md: " + "; ".join(f.profile_lines))
    h.check("the fleet: %d hosts, %d mounts (1 to %d a host), %d series expected "
            "(replication %d: %d whisper files)" % (
                M.HOSTS, sum(len(M.host_mounts(i)) for i in range(M.HOSTS)),
                max(len(M.host_mounts(i)) for i in range(M.HOSTS)), len(f.expected),
                REPLICATION, REPLICATION * len(f.expected)),
            len(f.expected) > 1000)
    f.generate()
    h.note("snapshots generated")

    # ---- servers ----
    for n in CACHE_NAMES:
        f.start_cache(n)
    f.start_relay()
    relay_chars_check(h)
    placement = f.predicted_placement(sorted(f.expected))
    f.routed = {n: sorted(p for p, cs in placement.items() if n in cs) for n in CACHE_NAMES}
    h.check("the relay's test mode routes every expected series to %d caches" % REPLICATION,
            len(placement) == len(f.expected) and
            all(len(cs) == REPLICATION and "?" not in cs for cs in placement.values()),
            "%d routed of %d" % (len(placement), len(f.expected)))
    h.note("routing (relay -t): %s" % ", ".join("%s %d" % (n, len(f.routed[n]))
                                                  for n in CACHE_NAMES))
    for n in CACHE_NAMES:
        f.start_web(n, whisper=f.caches[n]["whisper"])
    backends = ["127.0.0.1:%s" % f.webs[n][1].rsplit(":", 1)[1] for n in CACHE_NAMES]
    f.start_web("front", cluster=backends)
    f.start_central()
    f.tap = Tap()
    f.tap.start()
    f.prom_ports = {host: h.free_port() for host in f.hosts}
    prom_job = ("  - job_name: fleet\n    honor_labels: true\n    static_configs:\n"
                "      - targets: [%s]\n" % ", ".join('"127.0.0.1:%d"' % p
                                                    for p in f.prom_ports.values()))
    prom, prom_url = h.start_prometheus([prom_job], scrape_interval=SCRAPE)
    f.procs["prometheus"] = prom
    f.wait_webs()
    h.note("servers up: caches %s on %s, relay on %d, graphite-web %s, central udp %d, "
           "prometheus %s" % ("/".join(CACHE_NAMES),
                              "/".join(str(f.caches[n]["port"]) for n in CACHE_NAMES),
                              f.relay_port, " ".join("%s=%s" % (n, u.rsplit(":", 1)[1])
                                                     for n, (_, u) in f.webs.items()),
                              f.central_port, prom_url))

    # ---- the timeline ----
    f.T0 = int(math.ceil((time.time() + 1.5) / I) * I)
    f.stop_player = False
    player = threading.Thread(target=f.player, daemon=True)
    player.start()
    try:
        timeline(f)
    finally:
        f.stop_player = True
    # ---- stop the writers, keep the readers ----
    for d in f.clients.values():
        d.proc.send_signal(signal.SIGTERM)
    for d in f.clients.values():
        try:
            d.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            d.proc.kill()
            d.proc.wait()
    h.stop(f.central[0])
    f.tap.close()
    player.join(timeout=10)
    # the relay's statistics once nothing comes in any more
    t_stop = time.time()
    h.wait_for("a statistics line of the relay after the writers stopped",
               lambda: any(t > t_stop + 1 for _, (_, t) in relay_stats(f)["last"].items()),
               3 * I)
    f.final_stats = relay_stats(f)
    checks(f)
    prometheus_checks(f, prom_url)
    h.stop(prom)
    report_costs(f)


def timeline(f):
    h, T0 = f.h, f.T0
    # clients in batches, 1.2 s after a snapshot (the next snapshot's if the
    # previous batch took longer than an interval to start)
    global WIN0, COST_FROM, COST_TO, KILL_AFTER, OUTAGE_QUERY_TO, RESTART_AFTER, K_LAST
    k = 0
    for b in range(0, M.HOSTS, M.BATCH):
        k = max(k, int(math.ceil((time.time() - T0 - 1.2) / I)))
        E.sleep_until(T0 + k * I + 1.2)
        f.batch_buckets.append(k)
        batch = []
        for i in range(b, min(b + M.BATCH, M.HOSTS)):
            d = f.client(i)
            d.start()
            h.procs.append((d.name, d.proc))
            f.clients[d.name] = d
            batch.append(d)
        for d in batch:
            if not d.wait_ready(30):
                raise RuntimeError("collectd %s did not start:\n%s" % (d.name, d.output_text()))
    # every bucket of the checks after the last batch's first read
    shift = k - (M.HOSTS - 1) // M.BATCH
    if shift > 0:
        WIN0, COST_FROM, COST_TO, KILL_AFTER, OUTAGE_QUERY_TO, RESTART_AFTER, K_LAST = [
            x + shift for x in (WIN0, COST_FROM, COST_TO, KILL_AFTER, OUTAGE_QUERY_TO,
                                RESTART_AFTER, K_LAST)]
    f.note("50 clients running (batches at buckets %s); checks from bucket %d to %d"
           % (f.batch_buckets, WIN0, K_LAST))
    # ---- cost window ----
    E.sleep_until(T0 + COST_FROM * I)
    f.cost["cpu0"] = {k: cpu_seconds(p.pid) for k, p in f.procs.items()}
    f.cost["cpu0"].update({"client " + n: cpu_seconds(d.proc.pid) for n, d in f.clients.items()})
    f.cost["tcp0"] = tcp_bytes()
    f.cost["t0"] = time.time()
    E.sleep_until(T0 + COST_TO * I)
    f.cost["cpu1"] = {k: cpu_seconds(p.pid) for k, p in f.procs.items()}
    f.cost["cpu1"].update({"client " + n: cpu_seconds(d.proc.pid) for n, d in f.clients.items()})
    f.cost["tcp1"] = tcp_bytes()
    f.cost["t1"] = time.time()
    f.cost["relay1"] = relay_stats(f)
    f.cost["scrape_bytes"] = scrape_sizes(f)
    # ---- the kill: in the quiet part of an interval, once b holds the bucket ----
    k = KILL_AFTER
    while True:
        E.sleep_until(T0 + k * I + 3.7)
        miss = f.wait_bucket([KILLED], k, I)
        if not miss and time.time() < T0 + (k + 1) * I + 1.0:
            break
        f.note("cache %s not complete for bucket %d in its quiet window (%s): the next one"
               % (KILLED, k, {c: len(m) for c, m in miss.items()}))
        k += 1
        if k > KILL_AFTER + 3:
            raise RuntimeError("cache %s never completed a bucket before the next reads" % KILLED)
    c = f.caches[KILLED]
    c["proc"].send_signal(signal.SIGKILL)
    c["proc"].wait()
    f.kill_bucket = k
    f.kill_time = time.time()
    f.note("SIGKILL to carbon-cache %s after bucket %d (T0+%.1f s)" % (KILLED, k, f.kill_time - T0))
    # what b held at the kill, as on disk
    f.before_kill = {n: {t: v for t, v in whisper_points(p).items() if t <= T0 + k * I}
                     for n, p in f.cache_series(KILLED).items()}
    # ---- fleet queries while b is down ----
    E.sleep_until(T0 + OUTAGE_QUERY_TO * I + 3.7)
    others = [n for n in CACHE_NAMES if n != KILLED]
    miss = f.wait_bucket(others, OUTAGE_QUERY_TO, 30)
    h.check("while %s is down, %s hold bucket %d of every series routed to them"
            % (KILLED, "+".join(others), OUTAGE_QUERY_TO), not miss,
            str({c: m[:3] for c, m in miss.items()}))
    f.outage_stats = relay_stats(f)
    t_q = time.time()
    phase = "cache %s down" % KILLED
    run_fleet_queries(f, phase, OUTAGE_QUERY_TO)
    drill_down(f, phase, OUTAGE_QUERY_TO)
    f.note("fleet queries while %s was down took %.1f s" % (KILLED, time.time() - t_q))
    h.check("cache %s was still down when those queries ended" % KILLED,
            f.caches[KILLED]["proc"].poll() is not None)
    # ---- b back ----
    E.sleep_until(T0 + RESTART_AFTER * I + 3.7)
    f.pre_restart_stats = relay_stats(f)
    f.start_cache(KILLED)
    f.restart_time = time.time()
    f.note("carbon-cache %s started again (T0+%.1f s; down %.1f s)" % (
        KILLED, f.restart_time - T0, f.restart_time - f.kill_time))
    E.sleep_until(T0 + K_LAST * I + 3.7)
    miss = f.wait_bucket(CACHE_NAMES, K_LAST, 60)
    h.check("after the restart every cache holds bucket %d of every series routed to it "
            "(the relay's queue for %s drained)" % (K_LAST, KILLED), not miss,
            str({c: (len(m), m[:3]) for c, m in miss.items()}))
    # the clients run until the queries' last evaluation time has passed
    # (Prometheus: T0 + (K_LAST + 1) * I) and before they read the next snapshot
    E.sleep_until(T0 + (K_LAST + 1) * I + 0.5)


def relay_stats(f):
    """{metric: (value, timestamp)}, the last of each, and the history
    {metric: [(t, v)]} of the relay's statistics file."""
    last, hist = {}, {}
    try:
        with open(f.relay_stats) as fh:
            for line in fh:
                p = line.split()
                if len(p) == 3:
                    v, t = float(p[1]), int(p[2])
                    last[p[0]] = (v, t)
                    hist.setdefault(p[0], []).append((t, v))
    except OSError:
        pass
    return {"last": last, "hist": hist}


def stat(stats, suffix):
    for k, (v, _) in stats["last"].items():
        if k.endswith(suffix):
            return v
    return None


def dest_key(f, name):
    return "destinations.127_0_0_1:%d" % f.caches[name]["port"]


def checks(f):
    h, T0 = f.h, f.T0
    # ---- placement: every series on exactly `replication` caches ----
    held = {n: f.cache_series(n) for n in CACHE_NAMES}
    ours = {n: {p for p in s if p.startswith(PREFIX)} for n, s in held.items()}
    union = set().union(*ours.values())
    exp = set(f.expected)
    h.check("the cluster stores exactly the %d expected series (none lost, none extra)"
            % len(exp), union == exp,
            "missing %d: %s; extra %d: %s" % (len(exp - union), sorted(exp - union)[:5],
                                              len(union - exp), sorted(union - exp)[:5]))
    count = {}
    for n in CACHE_NAMES:
        for p in ours[n]:
            count[p] = count.get(p, 0) + 1
    wrong = {p: c for p, c in count.items() if c != REPLICATION}
    h.check("every series lives on exactly %d of the %d caches" % (REPLICATION, len(CACHE_NAMES)),
            not wrong, "%d: %s" % (len(wrong), sorted(wrong.items())[:5]))
    placed = {p: {n for n in CACHE_NAMES if p in ours[n]} for p in union}
    mism = [p for p in exp & union if placed[p] != {n for n in CACHE_NAMES if p in f.routed[n]}]
    h.check("each series is on the two caches the relay's test mode names (fnv1a_ch)",
            not mism, "%d: %s" % (len(mism), [(p, placed[p]) for p in mism[:3]]))
    h.note("series per cache: %s" % ", ".join("%s %d" % (n, len(ours[n])) for n in CACHE_NAMES))
    others = [p for n in CACHE_NAMES for p in held[n] if not p.startswith(PREFIX)]
    h.check("nothing else in the caches (the relay's statistics go to a file)", not others,
            str(others[:5]))
    # ---- the replicas agree, and b is complete ----
    diff, gaps, on_disk = [], {n: [] for n in CACHE_NAMES}, {n: 0 for n in CACHE_NAMES}
    lo, hi = T0 + WIN0 * I, T0 + K_LAST * I
    for p in sorted(exp & union):
        allpts = {n: whisper_points(held[n][p]) for n in placed[p]}
        for n, pp in allpts.items():
            on_disk[n] += len(pp)
        pts = {n: {t: v for t, v in pp.items() if lo <= t <= hi} for n, pp in allpts.items()}
        a, b = list(pts.values())
        if any(a[t] != b[t] for t in set(a) & set(b)):
            diff.append(p)
        for n, pp in pts.items():
            gaps[n] += [(p, t) for t in range(lo, hi + 1, I) if t not in pp]
    h.check("the two replicas of every series hold the same value wherever both have a "
            "point (buckets %d..%d)" % (WIN0, K_LAST), not diff,
            "%d differ: %s" % (len(diff), diff[:5]))
    for n in CACHE_NAMES:
        if n != KILLED:
            h.check("cache %s has every point of buckets %d..%d of its %d series"
                    % (n, WIN0, K_LAST, len(ours[n])), not gaps[n],
                    "%d missing: %s" % (len(gaps[n]), gaps[n][:5]))
    # b: the relay's queue refilled its outage; what it wrote into the dead
    # connection (counted as sent, one write() before the reset) is missing
    sent_b = stat(f.final_stats, dest_key(f, KILLED) + ".sent")
    lost = int(sent_b - on_disk[KILLED]) if sent_b is not None else None
    f.lost_on_b = (lost, gaps[KILLED])
    h.check("cache %s has every point of buckets %d..%d of its %d series but the %s the "
            "relay wrote into its dead connection: points it counted as sent %s = points on "
            "%s's disk %d + %s, and those are %s's only gaps (%s)" % (
                KILLED, WIN0, K_LAST, len(ours[KILLED]), lost, fmt(sent_b), KILLED,
                on_disk[KILLED], lost, KILLED, gaps[KILLED][:3]),
            lost is not None and lost == len(gaps[KILLED]) and lost <= 1,
            "sent %s, on disk %d, gaps %s" % (sent_b, on_disk[KILLED], gaps[KILLED][:10]))
    lost = []
    now_b = f.cache_series(KILLED)
    for p, pts in f.before_kill.items():
        after = whisper_points(now_b.get(p, ""))
        for t, v in pts.items():
            if after.get(t) != v:
                lost.append((p, t))
    h.check("nothing cache %s had written before the kill is missing after its return "
            "(%d series, %d points up to bucket %d)" % (
                KILLED, len(f.before_kill), sum(len(v) for v in f.before_kill.values()),
                f.kill_bucket), f.before_kill and not lost, "%d lost: %s" % (len(lost), lost[:5]))
    # ---- the relay ----
    dk = dest_key(f, KILLED)
    q_hist = [v for k, hist in f.outage_stats["hist"].items() if k.endswith(dk + ".queued")
              for t, v in hist if t > f.kill_time]
    h.check("the relay queued for %s while it was down (queued up to %s; queue %d)"
            % (KILLED, max(q_hist) if q_hist else None, RELAY_QUEUE),
            q_hist and max(q_hist) > 0, str(q_hist))
    dropped = stat(f.final_stats, "relay.metricsDropped")
    h.check("the relay dropped nothing (metricsDropped %s)" % dropped, dropped == 0, str(dropped))
    queued = [(n, stat(f.final_stats, dest_key(f, n) + ".queued")) for n in CACHE_NAMES]
    h.check("its queues are empty at the end (%s)" % queued,
            all(v == 0 for _, v in queued), str(queued))
    # metricsReceived counts the relay's own statistics too (destination
    # "internal", written to the file cluster)
    rec = stat(f.final_stats, "relay.metricsReceived")
    own = stat(f.final_stats, "relay.destinations.internal.sent")
    to_caches = [stat(f.final_stats, dest_key(f, n) + ".sent") for n in CACHE_NAMES]
    lines = rec - own if rec is not None and own is not None else None
    f.relay_lines = lines
    h.check("it sent every line it received from collectd to %d caches (%s sent to the "
            "caches = %d x (%s received - %s of its own statistics))" % (
                REPLICATION, "+".join(fmt(x) for x in to_caches), REPLICATION, fmt(rec),
                fmt(own)),
            lines and None not in to_caches and sum(to_caches) == REPLICATION * lines,
            "%s %s %s" % (rec, own, to_caches))
    disc = stat(f.final_stats, "relay.metricsDiscarded")
    h.note("relay metricsDiscarded %s for %s lines from collectd: write_graphite ends its "
           "lines in CR LF, the relay counts the empty piece after each CR" % (fmt(disc),
                                                                             fmt(lines)))
    log = E.Harness.read_log(f.relay_log)
    f.relay_log_lines = [l for l in log.splitlines() if "(ERR)" in l]
    port = ":%d" % f.caches[KILLED]["port"]
    h.check("the relay logged cache %s's failure and its return" % KILLED,
            any(port in l and "failed" in l for l in f.relay_log_lines) and
            any(port in l and "OK" in l for l in f.relay_log_lines), log[-2000:])
    for l in f.relay_log_lines[:12]:
        h.note("relay log: " + l)
    # ---- the whole window through the front, b back ----
    phase = "all up again"
    run_fleet_queries(f, phase, K_LAST)
    drill_down(f, phase, K_LAST)
    dashboard_checks(f)
    clog = E.Harness.read_log(f.central[1])
    E.check_write_graphite_log(h, clog, "central collectd")
    bad_logs = []
    for host, d in f.clients.items():
        # libmicrohttpd's option order, logged by collectd's write_prometheus;
        # collectd's own notice when the stop (after every checked point was
        # stored) came while a read's value lists waited for its write thread
        probs = E.log_problems(d.log_text(), allowed=(
            "MHD_OPTION_EXTERNAL_LOGGER", "value lists were left after shutting down"))
        if probs:
            bad_logs.append((host, probs[:2]))
    h.check("no client logged an error or warning", not bad_logs, str(bad_logs[:3]))


def dashboard_checks(f):
    import check_dashboard
    h, T0 = f.h, f.T0
    dash = check_dashboard.load(DASHBOARD)
    stored = [p[len(PREFIX):] for p in f.index() if p.startswith(PREFIX)]
    h.check("graphite-web's index through the front lists the %d series" % len(f.expected),
            len(stored) == len(f.expected), str(len(stored)))
    problems = check_dashboard.check(dash, stored, prefix=PREFIX)
    h.check("every Grafana dashboard target matches paths the cluster stored "
            "(check_dashboard, unchanged dashboard)", not problems, "\n".join(problems))
    frm, until = T0 + (WIN0 - 2) * I, T0 + K_LAST * I + 1
    buckets = list(range(WIN0, K_LAST + 1))
    one_net, one_dir = "n04", "g28"
    sets = [("fleet, All, op READ", {"prefix": PREFIX, "host": "*", "mount": "*", "op": "READ"},
             lambda t: t.startswith("Fleet")),
            ("host %s, All mounts and ops" % one_net,
             {"prefix": PREFIX, "host": one_net, "mount": "*", "op": "*"},
             lambda t: not t.startswith("Fleet")),
            ("host %s, All mounts and ops" % one_dir,
             {"prefix": PREFIX, "host": one_dir, "mount": "*", "op": "*"},
             lambda t: not t.startswith("Fleet"))]
    empty, results = [], {}
    for label, values, which in sets:
        for title, ref, target in check_dashboard.expanded_targets(dash, values, {"op": "READ"}):
            if not which(title):
                continue
            try:
                res = f.render(target, frm, until)
            except RuntimeError as e:
                empty.append("%s / %s %s: %s" % (label, title, ref, e))
                continue
            results[(label, title, ref)] = res
            if not res or any(sum(1 for t in range(WIN0, K_LAST + 1)
                                  if pts.get(T0 + t * I) is not None) < 3
                              for pts in res.values()):
                if "ReportStall" not in title or not res:
                    empty.append("%s / %s %s: %s" % (label, title, ref, sorted(res)[:3]))
    h.check("graphite-web (front) evaluates the dashboard's fleet panels and two hosts' "
            "panels (%d targets) to series with data" % len(results), not empty,
            "\n".join(empty))
    # numbers of the fleet panels: every point
    allm = [(i, m) for i in range(M.HOSTS) for m in M.host_mounts(i)]
    L = "fleet, All, op READ"
    read_ops = lambda k: sum(M.per_second(m, "READ", "ops", k) for i, m in allm
                             if "READ" in m["ops"])
    read_rtt = lambda k: (sum(M.step(m, "READ", k - 1)["rtt_ms"] for i, m in allm
                              if "READ" in m["ops"]) /
                          float(sum(M.step(m, "READ", k - 1)["ops"] for i, m in allm
                                    if "READ" in m["ops"])))
    kbs = lambda k: sum(M.server_bytes_per_second(m, k, "server_read") for i, m in allm) / 1024.0
    for title, ref, name, truth in [
            ("Fleet operations per second, per op", "A", "READ", read_ops),
            ("Fleet READ: average RTT and execution time (ms)", "A", None, read_rtt),
            ("Fleet read from and written to the server (kB/s)", "A", None, kbs)]:
        res = results.get((L, title, ref), {})
        pts = res.get(name) if name else (list(res.values())[0] if len(res) == 1 else None)
        if not h.check("dashboard %r (%s) gives one series" % (title, ref), pts is not None,
                       str(sorted(res))):
            continue
        check_query_points(h, "dashboard %r %s" % (title, ref), pts, truth, buckets, T0)
    # one host's panels: RTT per op
    for label, host in (("host %s, All mounts and ops" % one_net, one_net),
                        ("host %s, All mounts and ops" % one_dir, one_dir)):
        j = [x for x in range(M.HOSTS) if M.host_name(x) == host][0]
        res = results.get((label, "Average RTT per operation (ms)", "A"), {})
        bad, n = [], 0
        for m in M.host_mounts(j):
            for opn in m["ops"]:
                if not M.op_selected(f.opts, opn):
                    continue
                key = "%s.%s.%s" % (host, M.instance_name(m["mountpoint"]), opn)
                pts = res.get(key)
                n += 1
                for k in buckets:
                    s = M.step(m, opn, k - 1)
                    want = s["rtt_ms"] / float(s["ops"])
                    v = (pts or {}).get(T0 + k * I)
                    if not close(v, want):
                        bad.append("%s@%d %s != %s" % (key, k, v, want))
        h.check("dashboard 'Average RTT per operation' for %s: %d mount/op series, every "
                "point = the scenario's RTT" % (host, n), n and not bad and len(res) == n,
                "; ".join(bad[:5]) + " got %s" % sorted(res))


def prometheus_checks(f, url):
    h, T0 = f.h, f.T0
    start, end = T0 + (WIN0 + 1) * I, T0 + (K_LAST + 1) * I

    def qr(expr):
        r = E.http_json(url + "/api/v1/query_range", {"query": expr, "start": start,
                                                      "end": end, "step": I})
        if r.get("status") != "success":
            raise RuntimeError("query_range %s: %s" % (expr, r.get("error")))
        return [(x["metric"], {int(float(t)): float(v) for t, v in x["values"]})
                for x in r["data"]["result"]]

    def qi(expr, at):
        r = E.http_json(url + "/api/v1/query", {"query": expr, "time": at})
        if r.get("status") != "success":
            raise RuntimeError("query %s: %s" % (expr, r.get("error")))
        return [(x["metric"], float(x["value"][1])) for x in r["data"]["result"]]

    # wait until the last snapshot has been scraped from every host
    n_up = lambda: qi('count(timestamp(collectd_mountstats_uptime{job="fleet"}) >= %d)'
                      % (T0 + K_LAST * I), time.time())
    try:
        nm = sum(len(M.host_mounts(i)) for i in range(M.HOSTS))
        h.wait_for("prometheus has scraped snapshot %d of every mount" % K_LAST,
                   lambda: n_up() and n_up()[0][1] >= nm, 30)
    except RuntimeError as e:
        h.check("prometheus scraped the last snapshot", False, str(e))
    data = M.data_mounts()
    mounts = "|".join(sorted({M.instance_name(m["mountpoint"]) for _, m in data}))
    buckets = list(range(WIN0, K_LAST + 1))

    def one(expr):
        res = qr(expr)
        return res[0][1] if len(res) == 1 else None, res

    d = lambda name: ("(%s - %s offset %ds)" % (name, name, I))
    sel = 'collectd_mountstats_nfs_op_%s_total{job="fleet",mountstats=~"%s",type="READ"}'
    ops_q = "sum(%s) / %d" % (d(sel % ("ops", mounts)), I)
    rtt_q = "sum(%s) / sum(%s)" % (d(sel % ("rtt_ms", mounts)), d(sel % ("ops", mounts)))
    for label, expr, truth in [
            ("READ ops/s of the export over the 50 hosts", ops_q,
             lambda k: sum(M.per_second(m, "READ", "ops", k) for _, m in data)),
            ("READ RTT of the export weighted by ops", rtt_q,
             lambda k: (sum(M.step(m, "READ", k - 1)["rtt_ms"] for _, m in data) /
                        float(sum(M.step(m, "READ", k - 1)["ops"] for _, m in data))))]:
        pts, res = one(expr)
        if not h.check("prometheus: %s answers one series" % label, pts is not None,
                       "%s -> %s" % (expr, res[:3])):
            continue
        # the point at T0 + (k+1)*I is snapshot k's step
        shifted = {t - I: v for t, v in pts.items()}
        check_query_points(h, "prometheus: %s (%s)" % (label, expr), shifted, truth, buckets, T0)
    # series per host
    at = T0 + (K_LAST + 1) * I
    cnt = dict((m.get("instance"), v) for m, v in
               qi('count by (instance) ({job="fleet",__name__=~"collectd_mountstats_.*"})', at))
    want = {}
    for p, (i, _) in f.expected.items():
        want[M.host_name(i)] = want.get(M.host_name(i), 0) + 1
    bad = {hh: (cnt.get(hh), w) for hh, w in want.items() if cnt.get(hh) != w}
    h.check("prometheus: each host's series count equals its Graphite series (%d in all)"
            % sum(want.values()), not bad, str(sorted(bad.items())[:5]))
    # scrape cost
    samples = dict((m.get("instance"), v) for m, v in
                   qi('scrape_samples_scraped{job="fleet"}', at))
    dur = dict((m.get("instance"), v) for m, v in qi('scrape_duration_seconds{job="fleet"}', at))
    up = [v for _, v in qi('up{job="fleet"}', at)]  # the clients ran past `at`
    h.check("prometheus: the 50 targets are up", len(up) == M.HOSTS and all(v == 1 for v in up),
            str(up))
    f.cost["prom_samples"] = samples
    f.cost["prom_duration"] = dur
    f.cost["prom_series"] = want


def report_costs(f):
    """Prints the COST lines (docs/fleet-scale.md quotes them)."""
    h, c = f.h, f.cost
    if "cpu1" not in c:
        return
    secs = c["t1"] - c["t0"]
    intervals = COST_TO - COST_FROM
    cpu = {k: (c["cpu1"].get(k) or 0) - (c["cpu0"].get(k) or 0) for k in c["cpu1"]
           if c["cpu0"].get(k) is not None}
    per_host_series = {}
    for p, (i, m) in f.expected.items():
        per_host_series[M.host_name(i)] = per_host_series.get(M.host_name(i), 0) + 1
    vl_per_mount = {}
    for i in range(M.HOSTS):
        for m in M.host_mounts(i):
            leaves = M.mount_series(m, f.opts)
            vl_per_mount[(M.host_name(i), M.instance_name(m["mountpoint"]))] = \
                len({l.split(".")[0] for l in leaves})
    lines = []
    # network path: the tap
    bucket_range = range(T0b(f, COST_FROM), T0b(f, COST_TO), I)
    net = [M.host_name(i) for i in range(M.HOSTS) if M.path_of(i) == "network"]
    per = {hst: [0, 0, 0, 0] for hst in net}
    for (hst, b), e in f.tap.per.items():
        if hst in per and b in bucket_range:
            per[hst] = [x + y for x, y in zip(per[hst], e)]
    pk = {hst: [x / float(intervals) for x in v] for hst, v in per.items()}
    want_vl = {hst: sum(v for (hh, _), v in vl_per_mount.items() if hh == hst) for hst in net}
    bad = {hst: (pk[hst][2], want_vl[hst]) for hst in net if pk[hst][2] != want_vl[hst]}
    h.check("network path: every n* host sent exactly its value lists each interval "
            "(counted at the tap by the value lists' own time)", not bad,
            str(sorted(bad.items())[:5]))
    tot = [sum(pk[hst][j] for hst in net) for j in range(4)]
    if not tot[2]:
        print("COST: the tap counted nothing", flush=True)
        return
    nm = {hst: len(M.host_mounts(int(hst[1:]) - 1)) for hst in net}
    lines.append("network path, per host and interval: %.2f packets, %.0f bytes, %.1f value "
                 "lists, %.1f values (avg of %d hosts; %.1f bytes per value list, %.2f per "
                 "value)" % (tot[0] / len(net), tot[1] / len(net), tot[2] / len(net),
                             tot[3] / len(net), len(net), tot[1] / tot[2], tot[1] / tot[3]))
    for nmounts in sorted(set(nm.values())):
        hs = [hst for hst in net if nm[hst] == nmounts]
        lines.append("  hosts with %d mount(s) (%d): %.0f bytes, %.1f value lists, %.1f "
                     "values, %.2f packets per interval" % (
                         nmounts, len(hs), sum(pk[x][1] for x in hs) / len(hs),
                         sum(pk[x][2] for x in hs) / len(hs),
                         sum(pk[x][3] for x in hs) / len(hs),
                         sum(pk[x][0] for x in hs) / len(hs)))
    fit = linfit([(nm[x], pk[x][1]) for x in net])
    if fit:
        lines.append("  bytes per interval ~ %.0f + %.0f per mount (least squares over the "
                     "n* hosts)" % fit)
    # direct path: ss
    t0, t1 = c["tcp0"], c["tcp1"]
    relay = f.relay_port
    client_pid = {d.proc.pid: n for n, d in f.clients.items()}
    direct = {}
    for key, v in t1.items():
        pid, lport, rport = key
        if rport == relay and key in t0 and pid in client_pid:
            direct[client_pid[pid]] = (v - t0[key]) / float(intervals)
    central_b = [v - t0[k] for k, v in t1.items() if k[2] == relay and k in t0
                 and k[0] == f.central[0].pid]
    if direct:
        lines_per = {hst: per_host_series[hst] for hst in direct}
        tb, tl = sum(direct.values()), sum(lines_per.values())
        lines.append("direct path (write_graphite plaintext), per host and interval: %.0f "
                     "bytes, %.1f lines (avg of %d hosts; %.1f bytes per line)"
                     % (tb / len(direct), tl / float(len(direct)), len(direct), tb / tl))
        dm = {hst: len(M.host_mounts(int(hst[1:]) - 1)) for hst in direct}
        fit = linfit([(dm[x], direct[x]) for x in direct])
        if fit:
            lines.append("  bytes per interval ~ %.0f + %.0f per mount" % fit)
    if central_b:
        nl = sum(per_host_series[x] for x in net)
        lines.append("central collectd -> relay: %.0f bytes per interval for the %d n* hosts' "
                     "%d lines (%.1f bytes per line, %.0f per host)" % (
                         central_b[0] / intervals, len(net), nl,
                         central_b[0] / intervals / nl, central_b[0] / intervals / len(net)))
    # CPU
    values_in = tot[3] / I  # values per second into the central
    total_lines = sum(per_host_series.values())
    lps = total_lines / float(I)
    cc = cpu.get("central collectd")
    if cc is not None:
        lines.append("central collectd: %.2f%% of a core for %.0f values/s in (%.0f value "
                     "lists/s) = %.2f%% of a core per 1,000 values/s" % (
                         100 * cc / secs, values_in, tot[2] / I, 100 * cc / secs / values_in * 1000))
    rc = cpu.get("relay")
    if rc is not None:
        lines.append("carbon-c-relay: %.2f%% of a core for %.0f lines/s in, %.0f out = %.2f%% "
                     "per 1,000 lines/s in" % (100 * rc / secs, lps, REPLICATION * lps,
                                               100 * rc / secs / lps * 1000))
    for n in CACHE_NAMES:
        v = cpu.get("cache " + n)
        if v is not None:
            pts = len(f.routed[n]) / float(I)
            lines.append("carbon-cache %s: %.2f%% of a core for %.0f points/s = %.2f%% per "
                         "1,000 points/s" % (n, 100 * v / secs, pts, 100 * v / secs / pts * 1000))
    for side, hosts in (("network", net), ("direct", [x for x in f.hosts if x not in net])):
        vs = [cpu.get("client " + x) for x in hosts if cpu.get("client " + x) is not None]
        if vs:
            lines.append("client collectd (%s path, + write_prometheus): %.2f%% of a core "
                         "average (%.1f ms CPU per interval)" % (
                             side, 100 * sum(vs) / len(vs) / secs,
                             1000 * sum(vs) / len(vs) / intervals))
    pc = cpu.get("prometheus")
    if pc is not None:
        lines.append("prometheus: %.2f%% of a core scraping %d targets every %s (%d samples "
                     "a scrape in all)" % (100 * pc / secs, M.HOSTS, SCRAPE,
                                           sum(c.get("prom_samples", {}).values())))
    if c.get("prom_samples"):
        s = sorted(c["prom_samples"].values())
        dd = sorted(c["prom_duration"].values())
        lines.append("scrape per host: %d..%d samples (median %d), %.1f..%.1f ms" % (
            s[0], s[-1], s[len(s) // 2], 1000 * dd[0], 1000 * dd[-1]))
    size = c.get("scrape_bytes")
    if size:
        per_series = sum(b / float(per_host_series[x]) for x, b in size.items()) / len(size)
        lines.append("scrape body per host: %d..%d bytes, %.0f bytes per series" % (
            min(size.values()), max(size.values()), per_series))
    web = sum(v for k, v in cpu.items() if k.startswith("graphite-web"))
    lines.append("graphite-web (4 processes, idle in the window): %.2f%% of a core" % (
        100 * web / secs))
    lines.append("series per host: %d..%d (%.1f average); per mount %s" % (
        min(per_host_series.values()), max(per_host_series.values()),
        sum(per_host_series.values()) / float(len(per_host_series)),
        ", ".join("%s %d" % (k, v) for k, v in sorted(per_mount_series(f).items()))))
    dflt = M.parse_options([])
    probe = lambda o, ops: len(M.mount_series({"ops": ops}, o))
    one = {"READ": {"rate": 1}}
    sess = {"SEQUENCE": {"rate": 1}}
    for label, o in (("default", dflt), ("fleet profile", f.opts)):
        lines.append("%s: %d series per mount + %d per op used (%d per session op used); "
                     "this fleet %d series" % (
                         label, probe(o, {}), probe(o, one) - probe(o, {}),
                         probe(o, sess) - probe(o, {}), len(M.expected_series(o, PREFIX))))
    lines.append("window %.1f s (%d intervals); player lateness max %.3f s" % (
        secs, intervals, max(f.player_late) if f.player_late else -1))
    for l in lines:
        print("COST: " + l, flush=True)


def T0b(f, k):
    return f.T0 + k * I


def per_mount_series(f):
    out = {}
    for i in range(M.HOSTS):
        for m in M.host_mounts(i):
            key = "%s v%s" % (M.instance_name(m["mountpoint"]), m["vers"])
            out[key] = len(M.mount_series(m, f.opts))
    return out


def scrape_sizes(f):
    """{host: bytes of its /metrics answer} (write_prometheus, now)."""
    sizes = {}
    for host, port in f.prom_ports.items():
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
                sizes[host] = len(r.read())
        except OSError:
            pass
    return sizes


def linfit(pts):
    n = len(pts)
    if n < 2:
        return None
    mx = sum(x for x, _ in pts) / float(n)
    my = sum(y for _, y in pts) / float(n)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in pts) / sxx
    return (my - b * mx, b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--collectd", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--fixtures")
    args = ap.parse_args()
    h = E.Harness("e2e_fleet_scale", args)
    try:
        run(h)
    except Exception:
        import traceback
        h.check("test ran to the end", False, traceback.format_exc())
    finally:
        h.cleanup()
    return h.finish()


if __name__ == "__main__":
    sys.exit(main())
