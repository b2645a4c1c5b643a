# SPDX-License-Identifier: MIT
"""Shared pieces of the end-to-end tests (e2e_graphite.py, e2e_rrd.py,
e2e_fleet.py, e2e_prometheus.py, e2e_influxdb.py): a temporary folder,
processes that are always killed, a private carbon-cache, Prometheus server
and InfluxDB, collectd daemons with a private PluginDir, whisper and RRD
readers through the command-line tools, HTTP JSON queries, and the PASS/FAIL
tally ending in "N passed, M failed".

Python 3 standard library only: whisper and rrdtool are read through
whisper-fetch and rrdtool (the interpreter running the tests need not be the
one python3-whisper is installed for).
"""

import json
import argparse
import urllib.error
import urllib.parse
import urllib.request
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import mstest
# Re-exported: the e2e tests use them as E.<name>.
from mstest import STOCK_PLUGIN_DIR, STOCK_TYPES_DB, fnv1a32, log_problems, q  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REPLAY = os.path.join(ROOT, "contrib", "mountstats-replay")



def write_carbon_conf(conf_dir, storage_dir, whisper, port, retentions, **settings):
    """carbon.conf for one carbon-cache on 127.0.0.1: line receiver on port,
    no pickle, UDP or query listener, no limits, tags off; logs and pid in
    conf_dir's sibling log/ and run/. settings add or override [cache] keys.
    Also one retention for every metric and "last" as its aggregation."""
    base = os.path.dirname(conf_dir)
    cache = [("STORAGE_DIR", storage_dir + "/"), ("LOCAL_DATA_DIR", whisper + "/"),
             ("WHISPER_DIR", whisper + "/"), ("CONF_DIR", conf_dir + "/"),
             ("LOG_DIR", base + "/log/"), ("PID_DIR", base + "/run/"), ("USER", ""),
             ("DATABASE", "whisper"), ("ENABLE_TAGS", "False"), ("ENABLE_LOGROTATION", "False"),
             ("MAX_CACHE_SIZE", "inf"), ("MAX_UPDATES_PER_SECOND", "inf"),
             ("MAX_UPDATES_PER_SECOND_ON_SHUTDOWN", "inf"), ("MAX_CREATES_PER_MINUTE", "inf"),
             ("LINE_RECEIVER_INTERFACE", "127.0.0.1"), ("LINE_RECEIVER_PORT", port),
             ("ENABLE_UDP_LISTENER", "False"), ("PICKLE_RECEIVER_INTERFACE", "127.0.0.1"),
             ("PICKLE_RECEIVER_PORT", 0), ("CACHE_QUERY_INTERFACE", "127.0.0.1"),
             ("CACHE_QUERY_PORT", 0), ("CARBON_METRIC_INTERVAL", 0), ("USE_FLOW_CONTROL", "True"),
             ("LOG_UPDATES", "False"), ("LOG_LISTENER_CONN_SUCCESS", "False"),
             ("CACHE_WRITE_STRATEGY", "sorted")]
    cache += sorted(settings.items())
    with open(os.path.join(conf_dir, "carbon.conf"), "w") as f:
        f.write("[cache]\n" + "".join("%s = %s\n" % kv for kv in cache))
    with open(os.path.join(conf_dir, "storage-schemas.conf"), "w") as f:
        f.write("[all]\npattern = .*\nretentions = %s\n" % retentions)
    with open(os.path.join(conf_dir, "storage-aggregation.conf"), "w") as f:
        f.write("[all]\npattern = .*\nxFilesFactor = 0\naggregationMethod = last\n")


def write_graphite_conf(port, prefix, node="carbon", log_send_errors=False):
    """collectd's write_graphite to 127.0.0.1:port over TCP, flushed every
    second, raw counters (StoreRates false), "_" for the dots in names."""
    return """<LoadPlugin write_graphite>
  FlushInterval 1
</LoadPlugin>
<Plugin write_graphite>
  <Node "{n}">
    Host "127.0.0.1"
    Port "{p}"
    Protocol "tcp"
    Prefix "{x}"
    StoreRates false
    EscapeCharacter "_"
{l}  </Node>
</Plugin>
""".format(n=node, p=port, x=prefix, l="    LogSendErrors true\n" if log_send_errors else "")


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


# MaxNameLength's default (collectd-mountstats(5), OPTIONS).
DEFAULT_MAX_NAME_LEN = 64

# collectd-mountstats(5), METRICS: the 27 event counters in five types of at most 8
# data sources (write_graphite drops a value list that does not fit its
# 1428-byte buffer); nfs_events_pnfs only when the kernel prints 27 events.
EVENT_GROUPS = [
    ("nfs_events_cache", "inode_revalidate dentry_revalidate data_invalidate "
                         "attr_invalidate".split()),
    ("nfs_events_vfs", "vfs_open vfs_lookup vfs_access vfs_update_page vfs_read_page "
                       "vfs_read_pages vfs_write_page vfs_write_pages".split()),
    ("nfs_events_file", "vfs_getdents vfs_setattr vfs_flush vfs_fsync vfs_lock "
                        "vfs_release".split()),
    ("nfs_events_io", "congestion_wait setattr_trunc extend_write silly_rename "
                      "short_read short_write delay".split()),
    ("nfs_events_pnfs", ["pnfs_read", "pnfs_write"]),
]
# The RDMA transport counters, in three types (collectd-mountstats(5), METRICS).
RDMA_TYPES = [
    ("nfs_xprt_rdma", "read_chunks write_chunks reply_chunks rdma_request "
                      "rdma_reply".split()),
    ("nfs_xprt_rdma_copy", "pullup_copy fixup_copy hardway_register failed_marshal "
                           "bad_reply".split()),
    ("nfs_xprt_rdma_mr", "nomsg_call mrs_recycled mrs_orphaned mrs_allocated "
                         "local_inv_needed empty_sendctx_q reply_waits_send".split()),
]


def instance_name(mountpoint, max_len=DEFAULT_MAX_NAME_LEN):
    """plugin_instance for a decoded mount point, from collectd-mountstats(5)'s naming rule
    (df's rule, control bytes to "_", at most MaxNameLength bytes, default
    64: a longer name keeps its first max_len - 9 bytes, cut on a UTF-8
    boundary, and ends in "~" + 8 hex digits of FNV-1a-32 of the whole
    path). Written from the manual, not from src/naming.c."""
    raw = mountpoint.encode("utf-8")
    if raw in (b"/", b""):
        body = b"root"
    else:
        body = raw[1:] if raw.startswith(b"/") else raw
        body = bytes(ord("_") if (c < 0x20 or c == 0x7F) else
                     (ord("-") if c == ord("/") else c) for c in body) or b"root"
    if len(body) <= max_len:
        return body.decode("utf-8")
    cut = max_len - 9
    while cut > 0 and (body[cut] & 0xC0) == 0x80:
        cut -= 1
    return (body[:cut] + b"~%08x" % fnv1a32(raw)).decode("utf-8")


def unique_names(mountpoints, max_len=DEFAULT_MAX_NAME_LEN):
    """plugin_instance of each decoded mount point of one file under
    NamingScheme auto's clash rule (collectd-mountstats(5), NAMING): names
    that are equal once write_graphite has escaped them are kept only by
    the mount whose path the df rule maps back to exactly ("a_b" is
    "/a_b"'s, never "/a.b"'s); the others end in "~" + 8 hex digits of
    FNV-1a-32 of their own path, cut to fit. Written from the man page, not
    from src/naming.c."""
    names = [instance_name(mp, max_len) for mp in mountpoints]
    groups = {}
    for i, n in enumerate(names):
        groups.setdefault(graphite_escape(n), []).append(i)
    out = list(names)
    for folded, idx in groups.items():
        if len(idx) < 2:
            continue
        back = "/" if folded == "root" else "/" + folded.replace("-", "/")
        exact = [i for i in idx if mountpoints[i] == back]
        for i in idx:
            if exact == [i]:
                continue
            body = names[i].encode("utf-8")
            if len(body) + 9 > max_len:
                cut = max_len - 9
                while cut > 0 and (body[cut] & 0xC0) == 0x80:
                    cut -= 1
                body = body[:cut]
            out[i] = (body + b"~%08x" % fnv1a32(mountpoints[i].encode("utf-8"))).decode()
    return out


def graphite_escape(s, esc="_"):
    """What write_graphite does to a name part: dots, white space and
    control characters become the EscapeCharacter."""
    return "".join(esc if (c == "." or c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F)
                   else c for c in s)


class Harness:
    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.keep = bool(os.environ.get("E2E_KEEP"))
        self.work = tempfile.mkdtemp(prefix=name + ".")
        self.procs = []  # (label, Popen)
        self.results = []
        self.t0 = time.time()
        # SIGTERM (ctest's timeout, a user) unwinds through cleanup() too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    # -- reporting ----------------------------------------------------------
    def check(self, name, ok, detail=""):
        ok = bool(ok)
        self.results.append(ok)
        msg = ("PASS" if ok else "FAIL") + ": " + name
        if not ok and detail:
            msg += ": " + (detail if len(detail) < 3000 else detail[:3000] + "...")
        print(msg, flush=True)
        return ok

    def note(self, text):
        print("  [%5.1fs] %s" % (time.time() - self.t0, text), flush=True)

    def finish(self):
        passed = sum(1 for r in self.results if r)
        failed = len(self.results) - passed
        print("%s: %.1f s" % (self.name, time.time() - self.t0))
        print("%d passed, %d failed" % (passed, failed), flush=True)
        return 0 if failed == 0 and passed > 0 else 1

    # -- processes ------------------------------------------------------------
    def spawn(self, label, argv, **kw):
        log = open(os.path.join(self.work, label + ".out"), "wb")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True, **kw)
        log.close()
        self.procs.append((label, p))
        return p

    def stop(self, p, timeout=15):
        """SIGTERM to the process group, wait, then SIGKILL it."""
        return mstest.stop_process(p, timeout, group=True)

    def output(self, label):
        try:
            with open(os.path.join(self.work, label + ".out"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        for _, p in reversed(self.procs):
            try:
                self.stop(p, timeout=5)
            except Exception:  # never let cleanup hide the result
                pass
        if self.keep:
            print("E2E_KEEP: kept " + self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # -- ports ----------------------------------------------------------------
    @staticmethod
    def free_port(udp=False):
        kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    @staticmethod
    def wait_port(port, timeout=20.0, proc=None):
        end = time.time() + timeout
        while time.time() < end:
            if proc is not None and proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    # -- carbon ---------------------------------------------------------------
    def start_carbon(self, label="carbon"):
        """carbon-cache on 127.0.0.1, line receiver only, storage in the
        temporary folder, 1 s points for an hour, tags off. Returns
        (process, line port, whisper dir)."""
        base = os.path.join(self.work, label)
        conf_dir = os.path.join(base, "conf")
        for d in ("conf", "storage/whisper", "log", "run"):
            os.makedirs(os.path.join(base, d), exist_ok=True)
        port = self.free_port()
        whisper = os.path.join(base, "storage", "whisper")
        write_carbon_conf(conf_dir, os.path.join(base, "storage"), whisper, port, "1s:1h",
                          MIN_TIMESTAMP_RESOLUTION=1, LOG_CREATES=True, WHISPER_AUTOFLUSH=True,
                          WHISPER_FALLOCATE_CREATE=False)
        p = self.spawn(label, ["carbon-cache", "--config=" + os.path.join(conf_dir, "carbon.conf"),
                               "--nodaemon", "--pidfile=" + os.path.join(base, "run", "carbon.pid"),
                               "--logdir=" + os.path.join(base, "log"), "start"])
        if not self.wait_port(port, 30, p):
            raise RuntimeError("carbon-cache did not listen on %d:\n%s%s" %
                               (port, self.output(label), self.carbon_log(label)))
        return p, port, whisper

    def carbon_log(self, label="carbon"):
        text = [self.output(label)]
        d = os.path.join(self.work, label, "log")
        for root, _, files in os.walk(d):
            for n in sorted(files):
                with open(os.path.join(root, n), errors="replace") as f:
                    text.append("== %s\n%s" % (n, f.read()))
        return "\n".join(text)


    # -- Prometheus -----------------------------------------------------------
    def start_prometheus(self, scrape_configs, rule_files=(), label="prometheus",
                         scrape_interval="1s"):
        """Debian's prometheus on 127.0.0.1 (a free port), TSDB in the
        temporary folder, scraping scrape_configs (a list of YAML job
        texts, each starting with "  - job_name: ...") and evaluating
        rule_files, both every scrape_interval. Returns (process, base URL)
        once /-/ready answers."""
        base = os.path.join(self.work, label)
        os.makedirs(os.path.join(base, "data"), exist_ok=True)
        conf = os.path.join(base, "prometheus.yml")
        with open(conf, "w") as f:
            f.write("global:\n  scrape_interval: %s\n  scrape_timeout: %s\n"
                    "  evaluation_interval: %s\n" % ((scrape_interval,) * 3))
            if rule_files:
                f.write("rule_files:\n" + "".join("  - %s\n" % json.dumps(r) for r in rule_files))
            f.write("scrape_configs:\n" + "".join(scrape_configs))
        port = self.free_port()
        p = self.spawn(label, ["prometheus", "--config.file=" + conf,
                               "--storage.tsdb.path=" + os.path.join(base, "data"),
                               "--storage.tsdb.retention.time=1h",
                               "--web.listen-address=127.0.0.1:%d" % port,
                               "--log.level=info"])
        url = "http://127.0.0.1:%d" % port
        if not self.wait_http(url + "/-/ready", 90, p):
            raise RuntimeError("prometheus did not get ready on %d:\n%s" %
                               (port, self.output(label)[-4000:]))
        return p, url

    # -- InfluxDB 1.x ------------------------------------------------------------
    def start_influxdb(self, collectd_listeners, types_db_files=None, label="influxdb"):
        """Debian's influxd (1.x): meta, data and WAL in the temporary folder,
        HTTP on a free 127.0.0.1 port, usage reporting, monitor store, retention
        service and every other listener off, and one collectd listener per
        (database, parse-multivalue-plugin) in collectd_listeners on a free
        127.0.0.1 UDP port, with typesdb a folder holding types_db_files
        (default: collectd's types.db and the plugin's types file). Returns
        (process, base URL, {database: UDP port})."""
        base = os.path.join(self.work, label)
        tdir = os.path.join(base, "types")
        os.makedirs(tdir, exist_ok=True)
        for t in types_db_files or [STOCK_TYPES_DB, self.args.types_db]:
            shutil.copy(t, tdir)
        http_port, rpc_port = self.free_port(), self.free_port()
        ports = {}
        listeners = ""
        for db, mode in collectd_listeners:
            ports[db] = self.free_port(udp=True)
            listeners += """
[[collectd]]
  enabled = true
  bind-address = "127.0.0.1:{p}"
  database = "{db}"
  typesdb = "{t}"
  parse-multivalue-plugin = "{m}"
  batch-size = 1000
  batch-timeout = "200ms"
  security-level = "none"
""".format(p=ports[db], db=db, t=tdir, m=mode)
        conf = os.path.join(base, "influxdb.conf")
        with open(conf, "w") as f:
            f.write("""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{b}/meta"
[data]
  dir = "{b}/data"
  wal-dir = "{b}/wal"
  query-log-enabled = false
[retention]
  enabled = false
[shard-precreation]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[[graphite]]
  enabled = false
[[opentsdb]]
  enabled = false
[[udp]]
  enabled = false
{listeners}""".format(rpc=rpc_port, b=base, http=http_port, listeners=listeners))
        p = self.spawn(label, ["influxd", "run", "-config", conf],
                       env=dict(os.environ, INFLUXDB_REPORTING_DISABLED="true"))
        url = "http://127.0.0.1:%d" % http_port
        if not self.wait_http(url + "/ping", 90, p):
            raise RuntimeError("influxd did not answer on %d:\n%s" %
                               (http_port, self.output(label)[-4000:]))
        return p, url, ports

    @staticmethod
    def wait_http(url, timeout=30.0, proc=None):
        """Polls url until it answers 2xx; False on timeout or exit."""
        end = time.time() + timeout
        while time.time() < end:
            if proc is not None and proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if 200 <= r.status < 300:
                        return True
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        return False

    @staticmethod
    def wait_for(what, predicate, timeout, interval=0.5):
        """Polls predicate() until it returns a true value (returned), or
        raises after timeout seconds naming what was awaited and the last
        value."""
        end = time.time() + timeout
        last = None
        while True:
            last = predicate()
            if last:
                return last
            if time.time() > end:
                raise RuntimeError("timed out after %.0f s waiting for %s (last: %r)"
                                   % (timeout, what, last))
            time.sleep(interval)

    # -- collectd -------------------------------------------------------------
    def start_collectd(self, label, body, plugins, with_mountstats=True,
                       types_db=None, hostname=None, interval=1, settle=True,
                       mountstats_lines=None):
        """An mstest.Daemon in <work>/<label> (global part + logfile + body,
        PluginDir with copies of logfile and plugins) started in the
        foreground in a session of its own, its output in <label>.out.
        settle: wait until collectd says it is initialised (raises when it
        exited instead). mountstats_lines: the <Plugin mountstats> block
        after body. Returns (process, log path)."""
        if types_db is None:
            types_db = [STOCK_TYPES_DB, self.args.types_db]
        d = mstest.Daemon(self.args, label, mountstats_lines, interval=interval, csv=None,
                          plugins=plugins, body=body, types_dbs=types_db,
                          hostname=hostname,
                          global_lines=["FQDNLookup false"] if hostname else (),
                          with_mountstats=with_mountstats, parent=self.work,
                          output=os.path.join(self.work, label + ".out"),
                          new_session=True)
        d.start()
        self.procs.append((label, d.proc))
        if settle and not d.wait_ready():
            self.alive(label, d.proc, d.log)
            raise RuntimeError("collectd %s did not log %r within 20 s:\n%s"
                               % (label, mstest.READY, d.output_text()))
        return d.proc, d.log

    def alive(self, label, p, log):
        """Raises when a collectd started by start_collectd has exited."""
        if p.poll() is not None:
            raise RuntimeError("collectd %s exited at start-up (%s):\n%s%s" %
                               (label, p.returncode, self.output(label), self.read_log(log)))
        return p, log

    @staticmethod
    def read_log(path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- replay -------------------------------------------------------------
    def replay(self, label, scenario, out, start_at, count=None, interval=1.0):
        sc = os.path.join(self.work, label + ".json")
        with open(sc, "w") as f:
            json.dump(scenario, f, indent=1)
        argv = [sys.executable, REPLAY, "generate", "-q", "-s", sc, "-o", out,
                "--interval", str(interval), "--start-at", "%.3f" % start_at]
        if count is not None:
            argv += ["--count", str(count)]
        return self.spawn(label, argv)


WG_SEND_BUF_SIZE = 1428  # collectd 5.12 write_graphite.c


def check_write_graphite_log(h, logtext, who):
    """Two checks: write_graphite dropped no value list ("target buffer too
    small": it formats all data sources of one value list into 1428 bytes,
    so a type with many data sources or a long name is dropped whole), and
    no other error or warning."""
    lines = logtext.splitlines()
    small = [l for l in lines if "target buffer too small" in l]
    h.check("%s: write_graphite sent every value list (none over its %d-byte "
            "buffer)" % (who, WG_SEND_BUF_SIZE), not small,
            "%d x 'format_graphite: target buffer too small' (collectd names no value "
            "list; see the missing paths)" % len(small))
    other = log_problems(logtext, allowed=("target buffer too small",))
    h.check("%s: no other error or warning in the log" % who, not other,
            "\n".join(sorted({l.split("] ", 2)[-1] for l in other})[:10]))


def graphite_message_size(prefix, host, plugin_instance, type_, type_instance, ds_names,
                          value_width=12, escape="_"):
    """Bytes write_graphite needs for one value list (StoreRates false,
    SeparateInstances false, AlwaysAppendDS false): one line per data source,
    "<path> <value> <time>\\r\\n", with values of value_width digits."""
    base = prefix + graphite_escape(host, escape) + ".mountstats-" + \
        graphite_escape(plugin_instance, escape) + "." + type_ + \
        ("-" + type_instance if type_instance else "")
    if len(ds_names) == 1:
        return len(base) + 1 + value_width + 1 + 10 + 2
    return sum(len(base) + 1 + len(d) + 1 + value_width + 1 + 10 + 2 for d in ds_names)


def network_client_conf(msfile, ports):
    """A fleet client's config: the plugin reading msfile, sending with the
    network plugin to each 127.0.0.1 port, flushing every second."""
    return """<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
{servers}</Plugin>
LoadPlugin mountstats
<Plugin mountstats>
  File "{ms}"
</Plugin>
""".format(ms=msfile, servers="".join('  <Server "127.0.0.1" "%d">\n  </Server>\n' % p
                                       for p in ports))


def sleep_until(t):
    d = t - time.time()
    if d > 0:
        time.sleep(d)


def whisper_fetch(path, frm, until):
    """[(timestamp, value or None)] from whisper-fetch --json."""
    out = subprocess.run(["whisper-fetch", "--json", "--from=%d" % frm,
                          "--until=%d" % until, path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    d = json.loads(out)
    start, step = d["start"], d["step"]
    return [(start + i * step, v) for i, v in enumerate(d["values"])]


def whisper_fetch_many(paths, frm, until, jobs=8):
    """whisper-fetch for several files, a few at a time."""
    res, pending = {}, list(paths)
    running = []
    while pending or running:
        while pending and len(running) < jobs:
            p = pending.pop()
            running.append((p, subprocess.Popen(
                ["whisper-fetch", "--json", "--from=%d" % frm, "--until=%d" % until, p],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        p, proc = running.pop(0)
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError("whisper-fetch %s: %s" % (p, err.decode(errors="replace")))
        d = json.loads(out)
        res[p] = [(d["start"] + i * d["step"], v) for i, v in enumerate(d["values"])]
    return res


def whisper_metrics(whisper_dir):
    """Every metric path stored (dots between folders), mapped to its file."""
    found = {}
    for root, _, files in os.walk(whisper_dir):
        for n in files:
            if n.endswith(".wsp"):
                rel = os.path.relpath(os.path.join(root, n[:-4]), whisper_dir)
                found[rel.replace(os.sep, ".")] = os.path.join(root, n)
    return found


def points(series):
    return [(t, v) for t, v in series if v is not None]


def per_second(series):
    """Graphite's perSecond over consecutive stored points: {t: rate}."""
    pts = points(series)
    out = {}
    for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
        if t1 > t0 and v1 >= v0:
            out[t1] = (v1 - v0) / float(t1 - t0)
    return out


def deltas(series):
    """{t: (value delta, seconds)} over consecutive stored points."""
    pts = points(series)
    return {t1: (v1 - v0, t1 - t0) for (t0, v0), (t1, v1) in zip(pts, pts[1:])}


def rrd_info(path):
    out = subprocess.run(["rrdtool", "info", path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=True).stdout.decode()
    info = {}
    for line in out.splitlines():
        k, _, v = line.partition(" = ")
        info[k] = v.strip().strip('"')
    return info


def rrd_ds(info):
    """{ds name: {type, min, max, minimal_heartbeat}} from rrd_info()."""
    ds = {}
    for k, v in info.items():
        m = re.match(r"ds\[([^\]]+)\]\.(\w+)$", k)
        if m:
            ds.setdefault(m.group(1), {})[m.group(2)] = v
    return ds


def rrd_fetch(path, start, end, cf="AVERAGE", resolution=1):
    """(ds names, [(t, [values or None])]) from rrdtool fetch."""
    out = subprocess.run(["rrdtool", "fetch", path, cf, "-r", str(resolution),
                          "-s", str(int(start)), "-e", str(int(end))],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout.decode()
    lines = [l for l in out.splitlines() if l.strip()]
    names = lines[0].split()
    rows = []
    for l in lines[1:]:
        t, _, rest = l.partition(":")
        vals = []
        for tok in rest.split():
            try:
                x = float(tok)
                vals.append(None if x != x else x)
            except ValueError:
                vals.append(None)
        rows.append((int(t), vals))
    return names, rows


# ---- shared by e2e_graphite and e2e_rrd -----------------------------------

# A 300-byte mount point: its name is cut and ends in "~" and a hash.
LONG_MOUNTPOINT = ("/mnt/" + "/".join("very-long-directory-name.%02d" % i for i in range(11)) +
                   "/" + "x" * 300)[:300]
# The busy mount both tests check value by value.
MAIN_MOUNT = {
    "device": "filer1.example.org:/export/projects", "mountpoint": "/srv/projects",
    "vers": "3", "age": 5000,
    "ops": {
        "READ": {"rate": 25, "rtt_ms": 3, "exec_ms": 4, "queue_ms": 0,
                 "bytes_sent": 128, "bytes_recv": 65664},
        "WRITE": {"rate": 5, "rtt_ms": 6, "exec_ms": 8, "queue_ms": 0,
                  "retrans": 0.2, "timeouts": 0.2},
        "GETATTR": {"rate": 40, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0},
        "LOOKUP": {"rate": 10, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0, "errors": 0.1},
    },
}
# Mount points whose names clash or need escaping, with their READ rates.
ODD_MOUNTS = [("/mnt/with space", 11), ("/mnt/a.b", 12), ("/mnt/a_b", 13), (LONG_MOUNTPOINT, 14)]


# ---- HTTP JSON APIs (Prometheus, InfluxDB) ----------------------------------

def http_json(url, params=None, timeout=30):
    """GET url?params, parsed JSON (also from an error answer's body)."""
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace")
        try:
            return json.loads(body)
        except ValueError:
            return {"status": "error", "error": "HTTP %d: %s" % (e.code, body[:500])}


def plugin_loadable(name, why=False):
    """Whether collectd's <name>.so exists and its libraries resolve (ldd
    finds them all); with why, the reason as text."""
    so = os.path.join(STOCK_PLUGIN_DIR, name + ".so")
    if not os.path.exists(so):
        return "missing" if why else False
    r = subprocess.run(["ldd", so], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    missing = [l.strip() for l in r.stdout.decode(errors="replace").splitlines()
               if "not found" in l]
    if why:
        return "not found: %s" % missing if missing else "ok"
    return r.returncode == 0 and not missing


def doc_blocks(doc, section, lang=""):
    """The fenced code blocks (```lang) of the "## section" of the document
    doc (a path from the repository's root, e.g. "docs/integrations.md"),
    in order, as text: what users copy, so the tests run them."""
    with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(section), text, re.M | re.S)
    if not m:
        return []
    blocks, cur, cur_lang = [], None, None
    for line in m.group(1).splitlines():
        if line.startswith("```"):
            if cur is None:
                cur, cur_lang = [], line[3:].strip()
            else:
                if cur_lang == lang:
                    blocks.append("\n".join(cur) + "\n")
                cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


def doc_statements(block, start):
    """The statements of a document's code block: a line starting with start
    (e.g. "SELECT", or "" for any non-indented line) begins one, indented
    lines continue it."""
    out = []
    for line in block.splitlines():
        if not line.strip():
            continue
        if line[0].isspace() and out:
            out[-1] += " " + line.strip()
        elif line.startswith(start):
            out.append(line.strip())
        elif out:
            out[-1] += " " + line.strip()
    return out


def listening_sockets(pid):
    """[(proto, address, port)] of the TCP sockets in LISTEN and the bound
    UDP sockets of process pid (from /proc/net and /proc/<pid>/fd), to show
    that a server listens on loopback only."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]$", link)
        if m:
            inodes.add(m.group(1))
    out = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open("/proc/net/" + proto) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            c = row.split()
            if c[9] not in inodes or (proto.startswith("tcp") and c[3] != "0A"):
                continue
            addr, port = c[1].split(":")
            if len(addr) == 8:
                ip = ".".join(str(int(addr[i:i + 2], 16)) for i in (6, 4, 2, 0))
            else:
                ip = "::1" if addr == "0" * 24 + "01000000" else addr
            out.append((proto, ip, int(port, 16)))
    return sorted(out)


def promql_string(s):
    """A PromQL double-quoted string literal for s (UTF-8 kept)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def prometheus_name(type_, ds, ds_type):
    """write_prometheus' metric family name (collectd 5.12): collectd_
    <plugin>_<type>[_<ds>] (no _<ds> for "value"), "_total" for DERIVE and
    COUNTER. From collectd's documentation, not from the plugin."""
    parts = ["collectd", "mountstats", type_]
    if ds != "value":
        parts.append(ds)
    if ds_type in ("DERIVE", "COUNTER"):
        parts.append("total")
    return "_".join(parts)


# ---- the fleet of e2e_prometheus.py and e2e_influxdb.py ---------------------
#
# Every host mounts filer.example.org:/export/data on /data (NFSv4.2). READ
# runs at 10, 20 and 30 ops/s with 2, 4 and 6 ms RTT per op (execution 1 ms
# more); the fleet: 60 READ/s, weighted READ RTT (10*2+20*4+30*6)/60 =
# 4.667 ms (the average of the hosts' averages would be 4.0). WRITE 5/s with
# 1 retransmission and 1 timeout per second, LOOKUP 10/s with 1 error per
# second, GETATTR and SEQUENCE on every host. The first host also mounts the
# odd mount points below, each with its own READ rate. Counters grow by the
# rate per second of the file's own time (its age: line grows by 1 per
# snapshot), so for any window delta(counter) = rate * delta(age) exactly.

PROM_FLEET = [("host1", 10, 2), ("host2", 20, 4), ("host3", 30, 6)]
FLEET_DATA_DEVICE = "filer.example.org:/export/data"
FLEET_AGE0 = 10000
FLEET_WRITE = {"rate": 5, "rtt_ms": 8, "exec_ms": 10, "queue_ms": 0,
               "retrans": 0.2, "timeouts": 0.2}
FLEET_LOOKUP = {"rate": 10, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0, "errors": 0.1}
FLEET_OTHER = {"GETATTR": {"rate": 4, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0},
               "SEQUENCE": {"rate": 1, "rtt_ms": 1, "exec_ms": 1, "queue_ms": 0}}
# Odd mount points (decoded) and their READ rates: a double quote, a
# backslash, a space, a dot, UTF-8, two names equal once a dot is escaped,
# and the 300-byte path.
FLEET_ODD = [('/mnt/say "cheese"', 3), ("/mnt/back\\slash", 4), ("/mnt/with space", 5),
             ("/mnt/a.b", 6), ("/mnt/a_b", 7), ("/mnt/ünïcødé ✓", 8), (LONG_MOUNTPOINT, 9)]
FLEET_ODD_RTT = 2
RSIZE = 65536  # the replay tool's bytes per READ and WRITE op


def fleet_ops(rate, rtt):
    ops = {"READ": {"rate": rate, "rtt_ms": rtt, "exec_ms": rtt + 1, "queue_ms": 0},
           "WRITE": dict(FLEET_WRITE), "LOOKUP": dict(FLEET_LOOKUP)}
    ops.update({k: dict(v) for k, v in FLEET_OTHER.items()})
    return ops


def fleet_scenario(i, odd=True):
    """The replay scenario of host i of PROM_FLEET."""
    _, rate, rtt = PROM_FLEET[i]
    mounts = [{"device": FLEET_DATA_DEVICE, "mountpoint": "/data", "vers": "4.2",
               "age": FLEET_AGE0 + 1000 * i, "ops": fleet_ops(rate, rtt)}]
    if i == 0 and odd:
        for j, (mp, r) in enumerate(FLEET_ODD):
            mounts.append({"device": "odd%d.example.org:/export/odd%d" % (j, j),
                           "mountpoint": mp, "vers": "3", "age": 500 + 10 * j,
                           "ops": {"READ": {"rate": r, "rtt_ms": FLEET_ODD_RTT,
                                            "exec_ms": FLEET_ODD_RTT, "queue_ms": 0}}})
    return {"mounts": mounts}


def fleet_mount_names():
    """{host: {mount point: plugin_instance}} by the man page's naming rule
    (unique_names: a clash once Graphite escaped the names is kept by the
    mount the name maps back to, the others get their path's hash)."""
    out = {}
    for i, (host, _, _) in enumerate(PROM_FLEET):
        mps = [m["mountpoint"] for m in fleet_scenario(i)["mounts"]]
        out[host] = dict(zip(mps, unique_names(mps)))
    return out


def fleet_per_second(i, mountpoint, op, counter):
    """What counter of op on host i's mountpoint gains per second of the
    file's time, from the scenario: ops, trans, timeouts, rtt_ms, exec_ms,
    errors, or (op None) the nfs_bytes server_read / server_write."""
    sc = fleet_scenario(i)
    m = next((m for m in sc["mounts"] if m["mountpoint"] == mountpoint), None)
    if m is None:
        return None
    if op is None:
        r = m["ops"].get({"server_read": "READ", "server_write": "WRITE"}[counter], {})
        return r.get("rate", 0) * RSIZE
    o = m["ops"].get(op)
    if o is None:
        return None
    rate = o["rate"]
    return {"ops": rate, "trans": rate * (1 + o.get("retrans", 0)),
            "timeouts": rate * o.get("timeouts", 0), "errors": rate * o.get("errors", 0),
            "rtt_ms": rate * o.get("rtt_ms", 0), "exec_ms": rate * o.get("exec_ms", 0),
            "queue_ms": rate * o.get("queue_ms", 0)}[counter]


def fleet_expected_averages():
    """(fleet READ ops/s, weighted READ RTT, weighted READ execution time,
    average of the hosts' RTTs) over /data."""
    ops = sum(r for _, r, _ in PROM_FLEET)
    rtt = sum(r * t for _, r, t in PROM_FLEET) / float(ops)
    exe = sum(r * (t + 1) for _, r, t in PROM_FLEET) / float(ops)
    return ops, rtt, exe, sum(t for _, _, t in PROM_FLEET) / float(len(PROM_FLEET))


def replay_fleet(h, t0, count, odd=True):
    """Starts one replay per host of PROM_FLEET (snapshot k at t0 + k);
    returns {host: mountstats file}."""
    files = {}
    for i, (host, _, _) in enumerate(PROM_FLEET):
        files[host] = os.path.join(h.work, host + ".mountstats")
        h.replay("replay-" + host, fleet_scenario(i, odd), files[host], t0, count=count)
    return files


def main(name, run):
    """The command line every e2e test takes; runs run(harness) and reports.
    A crash is a failure, with the reason."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--collectd", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--types-db", required=True)
    ap.add_argument("--fixtures")
    args = ap.parse_args()
    h = Harness(name, args)
    try:
        run(h)
    except Exception:
        import traceback
        h.check("test ran to the end", False, traceback.format_exc())
    finally:
        h.cleanup()
    return h.finish()
